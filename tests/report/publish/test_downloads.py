"""Scorecards and chart series as files: codes as headers, the run's numbers, Vietnamese intact."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.report.publish import downloads


@pytest.fixture
def assessments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "province": ["Hà Nam"] * 3,
            "indicator": ["bhyt_coverage", "life_expectancy", "imr"],
            "year": [2025, 2025, 2030],
            "comparator": [">=", ">=", "<="],
            "value": [95.0, 75.4, 4.8],
            "latest_value": [np.nan, 74.6, 11.8],
            "latest_year": pd.array([pd.NA, 2016, 2016], dtype="Int64"),
            "q50": [np.nan, 74.652436123, 11.2],
            "p_attain": [np.nan, 0.226347, 0.21],
            "verdict": ["no_data", "unlikely", "unlikely"],
            "extra_column": ["a", "b", "c"],
        }
    )


def test_scorecard_table_orders_like_the_brief_and_adds_labels(assessments):
    table = downloads.scorecard_table(assessments, "vi")
    assert list(table["indicator"]) == ["life_expectancy", "imr", "bhyt_coverage"]  # no data last
    assert table.columns[:4].tolist() == ["province", "indicator", "indicator_name", "year"]
    assert table.columns[-1] == "extra_column"
    assert table.loc[0, "indicator_name"] == "Tuổi thọ trung bình"
    assert table.loc[2, "verdict_label"] == "Chưa có số liệu"
    assert table.loc[0, "q50"] == 74.652436123  # unrounded


def test_csv_and_xlsx_hold_the_same_numbers_and_vietnamese(assessments, tmp_path):
    table = downloads.scorecard_table(assessments, "vi")
    csv, xlsx = downloads.write_table(table, tmp_path / "ha-nam.scorecard", "scorecard")
    assert csv.name == "ha-nam.scorecard.csv" and xlsx.name == "ha-nam.scorecard.xlsx"
    assert csv.read_bytes()[:3] == b"\xef\xbb\xbf"  # BOM: Excel reads UTF-8
    for back in (pd.read_csv(csv, encoding="utf-8-sig"), pd.read_excel(xlsx, sheet_name="scorecard")):
        assert back.columns.tolist() == table.columns.tolist()
        assert back["province"].tolist() == ["Hà Nam"] * 3
        np.testing.assert_array_equal(back["q50"].to_numpy(float), table["q50"].to_numpy(float))
        np.testing.assert_array_equal(back["p_attain"].to_numpy(float), table["p_attain"].to_numpy(float))
        assert back["latest_year"].isna().tolist() == [False, False, True]


def test_series_table_has_observed_forecast_and_target_rows():
    obs = pd.DataFrame({"geo": "Hà Nam", "indicator": "imr", "year": [2015, 2016], "value": [12.0, 11.8]})
    fc = pd.DataFrame(
        {
            "geo": "Hà Nam",
            "indicator": "imr",
            "model": ["ensemble", "ensemble", "naive"],
            "year": [2017, 2018, 2017],
            "q10": [10.0, 9.5, 0.0],
            "q50": [11.5, 11.2, 0.0],
            "q90": [13.0, 13.1, 0.0],
        }
    )
    targets = pd.DataFrame(
        {"geo": "Hà Nam", "series": "imr", "year": [2030], "value": [4.8], "comparator": "<="}
    )
    table = downloads.series_table([("Tỷ suất tử vong trẻ em dưới 1 tuổi", obs, fc, targets)])
    assert table.columns.tolist() == list(downloads.SERIES_COLUMNS)
    assert table["kind"].tolist() == ["observed", "observed", "forecast", "forecast", "target"]
    assert set(table["model"].dropna()) == {"ensemble"}  # the model the chart draws
    assert table["q50"].dropna().tolist() == [11.5, 11.2]
    assert (table["series"] == "imr").all() and table["chart"].nunique() == 1
    assert downloads.series_table([]).empty


def test_readers_table_has_words_rounded_numbers_and_a_column_guide(assessments, tmp_path):
    from openpyxl import load_workbook

    from forecast.report.pages.text import t

    table = downloads.for_readers(downloads.scorecard_table(assessments, "vi"), "vi")
    assert t("col.p_attain", "vi") in table.columns and "p_attain" not in table.columns
    assert table[t("col.verdict", "vi")].tolist() == ["Khó đạt", "Khó đạt", "Chưa có số liệu"]
    assert table[t("col.q50", "vi")].tolist()[0] == 74.7  # the target's precision, not 74.652436123
    assert table[t("col.p_attain", "vi")].tolist()[:2] == [0.23, 0.21]
    csv, xlsx = downloads.write_table(table, tmp_path / "ha-nam.scorecard", "Bảng theo dõi", "vi")
    book = load_workbook(xlsx)
    assert book.sheetnames == ["Bảng theo dõi", "Giải thích cột"]
    sheet = book["Bảng theo dõi"]
    header = [c.value for c in sheet[1]]
    p = sheet.cell(row=2, column=header.index(t("col.p_attain", "vi")) + 1)
    assert p.value == 0.23 and p.number_format == "0%"  # a number Excel shows as 23%, in any locale
    guide = [[c.value for c in row] for row in book["Giải thích cột"].iter_rows(min_row=2)]
    assert all(meaning for _, _, meaning in guide) and ["Xác suất đạt", "p_attain"] in [g[:2] for g in guide]
    english = downloads.for_readers(downloads.scorecard_table(assessments, "en"), "en")
    assert english["Assessment"].tolist()[-1] == "No data"
