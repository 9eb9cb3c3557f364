"""The province's own figures: the Excel template round-trips through the one validation."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from forecast import cli
from forecast.data import store, template
from forecast.errors import DataFileError
from forecast.registry import indicators


def fill(path, values: dict[tuple[str, int], object], sheet: str = template.DATA_SHEET) -> dict:
    """Write values into the template's 'value' column; return {(code, year): excel row}."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    header = [c.value for c in ws[2]]
    col = {name: i + 1 for i, name in enumerate(header)}
    where = {}
    for row in range(3, ws.max_row + 1):
        key = (ws.cell(row, col["indicator"]).value, ws.cell(row, col["year"]).value)
        where[key] = row
        if key in values:
            ws.cell(row, col["value"]).value = values[key]
            ws.cell(row, col["source"]).value = "Niên giám thống kê Hà Nam"
    book.save(path)
    return where


def test_template_lists_the_plan_and_round_trips(tmp_path, store_file):
    out = tmp_path / "hanam.xlsx"
    template.write_template("Ha Nam", out, store_file)
    assert not store_file.exists()  # writing a template never creates a store
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [template.HELP_SHEET, template.DATA_SHEET]
    assert book[template.HELP_SHEET]["A1"].value.startswith("HƯỚNG DẪN")  # Vietnamese first
    rows = template.template_rows("Hà Nam", store_file)
    assert {"life_expectancy", "bhyt_coverage", "doctors_per_10k", "stunting_u5"} <= set(rows["indicator"])
    assert "aim" not in set(rows["indicator"])
    # the names and definitions a health department reads are the catalogue's Vietnamese ones
    le = rows[rows["indicator"] == "life_expectancy"].iloc[0]
    assert (
        le["name_vi"] == "Tuổi thọ trung bình"
        and le["definition"] == indicators.indicator("life_expectancy")["definition_vi"]
    )
    where = fill(
        out, {("life_expectancy", 2023): 74.9, ("bhyt_coverage", 2023): "93,5", ("imr", 2023): "abc"}
    )
    summary = store.import_files([out], store_file)
    assert summary.loc[0, "imported"] == 2 and summary.loc[0, "quarantined"] == 1
    obs = store.load_observations(store_file, geo="Hà Nam").set_index("indicator")
    assert obs.loc["life_expectancy", "value"] == 74.9 and obs.loc["bhyt_coverage", "value"] == 93.5
    assert obs.loc["bhyt_coverage", "source"] == "Niên giám thống kê Hà Nam"
    q = pd.read_csv(store.quarantine_path(store_file)).iloc[0]
    assert q["file"] == f"hanam.xlsx [{template.DATA_SHEET}]" and q["line"] == where[("imr", 2023)]
    assert q["column"] == "value (D)" and "not a number" in q["reason"]
    # the next template starts after the year now stored
    again = template.template_rows("Hà Nam", store_file)
    assert again.loc[again["indicator"] == "life_expectancy", "year"].min() == 2024


def test_template_never_overwrites_and_sheet_option(tmp_path, store_file):
    out = tmp_path / "hanam.xlsx"
    runner = CliRunner()
    got = runner.invoke(
        cli.cli, ["--store", str(store_file), "data", "template", "--province", "Hà Nam", "--out", str(out)]
    )
    assert got.exit_code == 0, got.output
    got = runner.invoke(
        cli.cli, ["--store", str(store_file), "data", "template", "--province", "Hà Nam", "--out", str(out)]
    )
    assert got.exit_code != 0 and "exists" in got.output and "Traceback" not in got.output
    fill(out, {("life_expectancy", 2023): 74.9})
    got = runner.invoke(cli.cli, ["--store", str(store_file), "data", "import", str(out), "--sheet", "Nope"])
    assert got.exit_code != 0 and "no sheet 'Nope'" in got.output
    got = runner.invoke(
        cli.cli, ["--store", str(store_file), "data", "import", str(out), "--sheet", template.DATA_SHEET]
    )
    assert got.exit_code == 0, got.output
    with pytest.raises(DataFileError, match="no quantified target"):
        template.template_rows("Hà Giang", store_file)


def test_template_with_needs_holds_exactly_those_indicators_and_years(tmp_path, store_file):
    need = pd.DataFrame(
        {
            "province": ["Hà Nam", "Hà Nam"],
            "indicator": ["satisfaction", "life_expectancy"],
            "year_from": [2020, 2019],
            "year_to": [2025, 2025],
        }
    )
    rows = template.template_rows("Hà Nam", store_file, needs=need)
    got = sorted(zip(rows["indicator"], rows["year"]))
    assert got == sorted(
        [("satisfaction", y) for y in range(2020, 2026)] + [("life_expectancy", y) for y in range(2019, 2026)]
    )
    assert (rows["geo"] == "Hà Nam").all() and rows["plan"].str.len().gt(0).all()
    out = template.write_template("Hà Nam", tmp_path / "needed.xlsx", store_file, needs=need)
    assert len(pd.read_excel(out, sheet_name=template.DATA_SHEET, header=1)) == len(rows)


def test_cli_template_needed_writes_what_the_brief_asks_for(tmp_path, default_run):
    from forecast.assess import needs
    from forecast.report.pages import views

    run, obs, store_path = default_run
    out = tmp_path / "ha-nam-can-bo-sung.xlsx"
    result = CliRunner().invoke(
        cli.cli,
        [
            "--store",
            str(store_path),
            "data",
            "template",
            "--province",
            "Hà Nam",
            "--needed",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    view = views.province_view(run, obs, None, "Hà Nam")
    need = needs.data_needs(view.assessments, obs, int(str(run.as_of)[:4]))
    rows = pd.read_excel(out, sheet_name=template.DATA_SHEET, header=1)
    assert set(rows["indicator"]) == set(need["indicator"])
    assert len(rows) == int((need["year_to"] - need["year_from"] + 1).sum())
