"""Readers and validation of forecast.data: every fixture row lands where it should."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from forecast.data import pxweb
from forecast.data.readers import ImportOptions, parse_file
from forecast.data.validate import parse_number, unit_key
from forecast.errors import DataFileError
from forecast.registry.indicators import series_info

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data"
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Encode like a Windows-1258 export: precomposed letters, separate tone marks."""
    out = b""
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONES))
        out += (base + "".join(p for p in parts if p in _TONES)).encode("cp1258")
    return out


def values(parsed) -> dict:
    return {(r.geo, r.indicator, r.year): r.value for r in parsed.rows.itertuples()}


@pytest.mark.parametrize(
    "text, decimal, expected",
    [
        ("12.5", ".", 12.5),
        ("12,5", ".", 12.5),
        ("1,234.5", ".", 1234.5),
        ("1.234,5", ",", 1234.5),
        ("12,345", ".", 12345.0),
        ("1.234", ",", 1234.0),
        (" 7 ", ".", 7.0),
        ("3.1(**)", ".", 3.1),
        ("91 713,3", ",", 91713.3),
        ("-0.4", ".", -0.4),
    ],
)
def test_parse_number(text, decimal, expected):
    assert parse_number(text, decimal) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["abc", "1_000", "nan", "inf", "1.2.3x", ""])
def test_parse_number_rejects_junk(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_unit_key_aliases():
    assert unit_key("per 1,000 live births") == "per_1000"
    assert unit_key("%") == "percent"
    assert unit_key("Per 10,000 inhabitants") == "per_10k"
    assert unit_key("Thous. pers.") == "thousand_persons"


def test_series_info_links_variants_and_auxiliaries():
    assert series_info("imr")["base"] == "imr"
    assert series_info("beds_per_10k_dohs")["base"] == "beds_per_10k"
    assert series_info("population_avg_gso")["units"] == ("thousand_persons",)
    assert series_info("tfr")["kind"] == "rate" and series_info("beds_dohs_count")["kind"] == "count"
    assert series_info("bogus_thing") is None


def test_gso_messy_table():
    # Edge case kept hand-made: an older export with quoted comma decimals and junk rows
    # (the real exports are tested in test_pxweb.py).
    parsed = parse_file(FIXTURES / "gso_imr_messy.csv")
    got = values(parsed)
    assert parsed.format == "gso"
    assert got[("Việt Nam", "imr", 2014)] == 14.9
    assert got[("Vùng Đồng bằng sông Hồng", "imr", 2016)] == 11.0
    assert got[("Hà Nam", "imr", 2016)] == 12.6
    assert got[("Thừa Thiên Huế", "imr", 2016)] == 13.3
    assert got[("Hồ Chí Minh", "imr", 2015)] == 8.8
    assert ("Hà Nội", "imr", 2016) not in got and ("Thừa Thiên Huế", "imr", 2015) not in got
    assert parsed.missing == 2
    reasons = dict(zip(parsed.quarantine["value"], parsed.quarantine["reason"]))
    assert "unknown province 'Atlantis'" in reasons["Atlantis"]
    assert "not a number" in reasons["abc"]
    assert len(parsed.quarantine) == 4  # Atlantis x3 + abc
    prelim = parsed.rows[parsed.rows["year"] == 2016]
    assert (prelim["note"] == "preliminary").all() and (prelim["quality"] == "preliminary").all()


def test_gso_wrong_unit_in_title_is_quarantined(tmp_path):
    text = (FIXTURES / "gso_imr_messy.csv").read_text().replace("(Per 1000 live births)", "(%)")
    path = tmp_path / "imr_percent.csv"
    path.write_text(text)
    parsed = parse_file(path)
    assert len(parsed.rows) == 0
    assert parsed.quarantine["reason"].str.contains("disagrees with the unit").sum() >= 10


def test_gso_needs_an_indicator(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('"Something odd by province"\n\n"Province","2015"\n"Ha Nam","1"\n')
    with pytest.raises(DataFileError, match="--indicator"):
        parse_file(path)
    parsed = parse_file(path, ImportOptions(indicator="tfr"))
    assert values(parsed) == {("Hà Nam", "tfr", 2015): 1.0}


def test_wdi_file_scaled_to_catalogue_unit():
    parsed = parse_file(FIXTURES / "API_SH.MED.BEDS.ZS_DS2_en_csv_v2_99999.csv")
    assert parsed.format == "wdi"
    assert values(parsed) == {
        ("Việt Nam", "beds_per_10k", 2012): 22.0,
        ("Việt Nam", "beds_per_10k", 2013): 25.0,
        ("Việt Nam", "beds_per_10k", 2015): 26.0,
    }
    assert parsed.rows["source"].str.startswith("World Bank WDI SH.MED.BEDS.ZS (updated 2025-06-05)").all()


def test_tidy_file_units_and_geo_era():
    parsed = parse_file(FIXTURES / "tidy_small.csv")
    got = values(parsed)
    assert got[("Hà Nam", "imr", 2011)] == 14.8
    assert set(parsed.rows["unit"][parsed.rows["indicator"] == "imr"]) == {"per_1000"}
    assert ("Lào Cai", "bhyt_coverage", 2024) in got
    assert parsed.quarantine.empty
    new = values(parse_file(FIXTURES / "tidy_small.csv", ImportOptions(geo_era="2025")))
    assert ("Lào Cai (mới)", "bhyt_coverage", 2024) in new and ("Hà Nam", "imr", 2011) not in new


def test_geo_era_2025_refuses_absorbed_province(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("geo,indicator,year,value\nYên Bái,imr,2025,20\nLào Cai,imr,2026,21\n")
    auto = values(parse_file(path))
    assert auto == {("Yên Bái", "imr", 2025): 20.0, ("Lào Cai (mới)", "imr", 2026): 21.0}
    strict = parse_file(path, ImportOptions(geo_era="2025"))
    assert "merged into Lào Cai (mới)" in strict.quarantine["reason"].iloc[0]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_encodings(tmp_path, encoding):
    text = (
        "geo,indicator,year,value,unit,source\r\nHà Nội,imr,2015,10.7,per_1000,Niên giám\r\n"
        "Đồng bằng sông Hồng,imr,2015,11.2,‰,Niên giám\r\n"
        "Thừa Thiên Huế,imr,2015,13.5,per_1000,Niên giám\r\nĐắk Lắk,tfr,2015,2.2,,Niên giám\r\n"
    )
    path = tmp_path / f"t_{encoding}.csv"
    path.write_bytes(cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    parsed = parse_file(path)
    assert values(parsed) == {
        ("Hà Nội", "imr", 2015): 10.7,
        ("Thừa Thiên Huế", "imr", 2015): 13.5,
        ("Đắk Lắk", "tfr", 2015): 2.2,
        ("Vùng Đồng bằng sông Hồng", "imr", 2015): 11.2,
    }
    assert set(parsed.rows["source"]) == {"Niên giám"}


def test_bad_rows_get_the_right_reasons(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "geo,indicator,year,value,unit,source\n"
        "Ha Nma,imr,2015,12,per_1000,s\n"  # 2 unknown province (suggests Hà Nam)
        "Hà Nam,imr_typo,2015,12,per_1000,s\n"  # 3 unknown indicator
        "Hà Nam,imr,2015,twelve,per_1000,s\n"  # 4 non-numeric
        "Hà Nam,imr,1890,12,per_1000,s\n"  # 5 year out of range
        "Hà Nam,imr,2014,1200,per_1000,s\n"  # 6 out of bounds
        "Hà Nam,imr,2013,1.2,percent,s\n"  # 7 unit mismatch
        "Hà Nam,beds_per_10k,2013,2.5,per_1000,s\n"  # 8 per 1,000 where per 10,000
        "Hà Nam,imr,2012,12,per_1000,s\n"  # 9 conflict with line 10
        "Hà Nam,imr,2012,13,per_1000,s\n"  # 10
        "Hà Nam,imr,2011,14,per_1000,s\n"  # 11 good
        "Hà Nam,imr,2011,14,per_1000,s\n"  # 12 exact repeat: duplicate
        "Hà Nam,imr,2010\n"
    )  # 13 truncated line
    parsed = parse_file(path)
    reasons = dict(zip(parsed.quarantine["line"], parsed.quarantine["reason"]))
    assert "did you mean 'Hà Nam'" in reasons[2]
    assert "unknown indicator 'imr_typo'" in reasons[3]
    assert "not a number" in reasons[4]
    assert "out of range" in reasons[5]
    assert "outside the bounds" in reasons[6]
    assert "disagrees with the unit 'per_1000'" in reasons[7]
    assert "disagrees with the unit 'per_10k'" in reasons[8]
    assert "different values" in reasons[9] and "different values" in reasons[10]
    assert "fields but the header" in reasons[13]
    assert values(parsed) == {("Hà Nam", "imr", 2011): 14.0}
    assert parsed.duplicate == 1


def test_two_sources_for_one_year_are_both_kept(tmp_path):
    path = tmp_path / "facts.csv"
    path.write_text(
        "geo,indicator,year,value,unit,source,url,note\n"
        "VN,bhyt_coverage,2022,92.04,percent,A,http://a,end-2022\n"
        "VN,bhyt_coverage,2022,91.1,percent,B,http://b,early Dec\n"
    )
    parsed = parse_file(path)
    assert len(parsed.rows) == 2 and parsed.quarantine.empty
    assert parsed.rows["note"].iloc[0] == "end-2022; http://a"


@pytest.mark.parametrize("content", [None, b"", b"\x00\x01\x02\x03" * 50, b'geo,indicator,year,value\n"Ha'])
def test_unreadable_files_raise_data_file_error(tmp_path, content):
    path = tmp_path / "broken.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataFileError, match="broken.csv"):
        parse_file(path)


def test_broken_workbook_and_targets_are_refused(tmp_path):
    book = tmp_path / "broken.xlsx"
    book.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(DataFileError, match="workbook"):
        parse_file(book)
    (tmp_path / "targets").mkdir()
    target = tmp_path / "targets" / "t.csv"
    target.write_text("geo,indicator,year,value\nVN,imr,2025,10\n")
    with pytest.raises(DataFileError, match="targets"):
        parse_file(target)


def test_excel_tidy(tmp_path):
    import pandas as pd

    path = tmp_path / "t.xlsx"
    pd.DataFrame({"geo": ["Hà Nam"], "indicator": ["imr"], "year": [2015], "value": [12.5]}).to_excel(
        path, index=False
    )
    assert values(parse_file(path)) == {("Hà Nam", "imr", 2015): 12.5}


def test_indicator_from_title():
    assert pxweb.indicator_from_title("Infant mortality rate by province") == "imr"
    assert pxweb.indicator_from_title("Tuổi thọ trung bình tính từ lúc sinh") == "life_expectancy"
    assert pxweb.indicator_from_title("Average population by province") == "population_avg"
