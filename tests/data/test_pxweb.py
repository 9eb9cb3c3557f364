"""The PX-Web reader on the statistics office's own exports (../shared/data/gso_pxweb/)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from forecast.data import pxweb, store
from forecast.data.readers import ImportOptions, parse_file
from forecast.errors import DataFileError


def values(parsed) -> dict:
    return {(r.geo, r.indicator, r.year): r.value for r in parsed.rows.itertuples()}


@pytest.fixture
def pxdir(shared_data):
    folder = shared_data / "gso_pxweb"
    if not folder.exists():
        pytest.skip("no gso_pxweb exports in the shared data")
    return folder


def test_every_real_export_parses(pxdir):
    for file in sorted(pxdir.glob("*.csv")):
        parsed = parse_file(file)
        assert parsed.format == "gso", file.name
        assert len(parsed.rows) > 30, file.name
        # the only junk in the real exports: HIV cases of no known province ("Unidentified")
        assert set(parsed.quarantine["value"]) <= {"Unidentified"}, (file.name, parsed.quarantine)


def test_values_read_from_the_real_files(pxdir):
    imm = parse_file(
        pxdir / "Percentage of children under 1 year old immunized fully caccinations by province.csv"
    )
    got = values(imm)
    assert got[("Hà Nam", "full_immunization_u1", 2016)] == 99.3
    assert got[("Việt Nam", "full_immunization_u1", 2010)] == 94.6  # " WHOLE COUNTRY" -> VN
    assert got[("Vùng Đồng bằng sông Hồng", "full_immunization_u1", 2013)] == 94.0
    prelim = imm.rows[imm.rows["year"] == 2016]
    assert (prelim["quality"] == "preliminary").all() and prelim["source"].str.endswith("[preliminary]").all()
    assert (imm.rows.loc[imm.rows["year"] < 2016, "quality"] == "").all()

    staff = values(
        parse_file(pxdir / "Number of medical staff under provincial departments of health by province.csv")
    )
    assert staff[("Lào Cai", "doctors_dohs_count", 2002)] == 290  # "2002 Doctor"
    assert staff[("Lào Cai", "assistant_physicians_dohs_count", 2002)] == 483
    assert staff[("Lào Cai", "nurses_dohs_count", 2002)] == 619
    assert staff[("Lào Cai", "midwives_dohs_count", 2002)] == 220


def test_doubled_quotes_and_three_dimensions(pxdir):
    parsed = parse_file(
        pxdir / "Crude birth rate, crude death rate and natural increase rate by province 2017-2020.csv"
    )
    got = values(parsed)
    assert got[("Hà Nam", "crude_birth_rate", 2017)] == 12.2
    assert got[("Hà Nam", "crude_death_rate", 2019)] == 6.8
    # natural increase rate per 1,000 is stored as the catalogue's natural_pop_growth in percent
    assert got[("Lào Cai", "natural_pop_growth", 2020)] == pytest.approx(1.417)
    assert got[("Việt Nam", "natural_pop_growth", 2017)] == pytest.approx(0.81)
    assert parsed.rows.loc[parsed.rows["year"] == 2020, "quality"].eq("preliminary").all()


def test_select_one_dimension(pxdir):
    file = pxdir / "Number of medical staff under provincial departments of health by province.csv"
    nurses = parse_file(file, ImportOptions(select="Nurse"))
    assert set(nurses.rows["indicator"]) == {"nurses_dohs_count"}
    doctors = parse_file(file, ImportOptions(indicator="doctors_dohs_count", select="Doctor"))
    assert values(doctors)[("Hà Nam", "doctors_dohs_count", 2002)] == 472
    with pytest.raises(DataFileError, match="--select"):
        parse_file(file, ImportOptions(select="Dentist"))


def test_national_table_with_two_label_columns(pxdir):
    got = values(parse_file(pxdir / "Number of patient beds.csv"))
    assert got[("Việt Nam", "beds_thousand_gso", 1995)] == 192.3
    assert got[("Việt Nam", "beds_per_10k_gso", 1995)] == 17.79
    assert got[("Việt Nam", "beds_sanatorium_thousand_gso", 1995)] == 7.6
    assert got[("Việt Nam", "beds_hospital_thousand_gso", 1995)] == 103.9


def test_r_mangled_reexport(pxdir):
    parsed = parse_file(pxdir / "Percentage of household having hygienic water by region.csv")
    rows = parsed.rows.set_index(["geo", "year", "quality"])["value"]
    assert rows[("Việt Nam", 2002, "")] == 78.1
    assert rows[("Việt Nam", 2014, "")] == 93.0 and rows[("Việt Nam", 2014, "preliminary")] == 93.4
    assert rows[("Vùng Bắc Trung Bộ và Duyên hải miền Trung", 2008, "")] == 93.4
    assert parsed.missing == 18 and len(parsed.quarantine) == 0


def test_reimport_adds_nothing_and_junk_is_quarantined(pxdir, store_file, tmp_path):
    files = sorted(pxdir.glob("*.csv"))
    first = store.import_files(files, store_file)
    assert first["imported"].sum() == 19744
    fingerprint = store.data_fingerprint(store_file)
    again = store.import_files(files, store_file)
    assert again["imported"].sum() == 0 and store.data_fingerprint(store_file) == fingerprint
    text = (pxdir / "Number of patient beds.csv").read_bytes().decode("utf-8-sig")
    junk = tmp_path / "Number of patient beds.csv"  # the same export, one cell spoilt
    junk.write_text(text.replace("192.30", "19x2"), encoding="utf-8")
    summary = store.import_files([junk], store_file)
    assert summary.loc[0, "quarantined"] == 1 and summary.loc[0, "imported"] == 0
    q = pd.read_csv(store.quarantine_path(store_file))
    row = q[q["value"] == "19x2"].iloc[0]
    assert row["line"] == 4 and row["value"] == "19x2" and "not a number" in row["reason"]
    assert store.data_fingerprint(store_file) == fingerprint


def test_truncated_or_broken_files_fail_cleanly(tmp_path, store_file):
    bad = tmp_path / "broken.csv"
    bad.write_text('"Infant mortality rate by province"\n\n"Cities, provincies";"2015"\n"Ha Nam;12.5\n')
    with pytest.raises(DataFileError, match="broken.csv: cannot parse the CSV .* truncated"):
        store.import_files([bad], store_file)
    book = tmp_path / "broken.xlsx"
    book.write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(DataFileError, match="broken.xlsx: cannot open the workbook"):
        store.import_files([book], store_file)
    assert not store.quarantine_path(store_file).exists()


JSONSTAT2 = {
    "version": "2.0",
    "class": "dataset",
    "label": "Life expectancy at birth by province (Years)",
    "id": ["Cities, provincial", "Year"],
    "size": [3, 2],
    "role": {"time": ["Year"]},
    "dimension": {
        "Cities, provincial": {
            "label": "Cities, provincial",
            "category": {
                "index": {"0": 0, "1": 1, "2": 2},
                "label": {"0": "WHOLE COUNTRY", "1": "Ha Noi", "2": "Ha Nam"},
            },
        },
        "Year": {
            "label": "Year",
            "category": {"index": {"2019": 0, "2020": 1}, "label": {"2019": "2019", "2020": "Prel. 2020"}},
        },
    },
    "value": [73.6, 73.7, 76.1, 76.2, 73.9, None],
}


def test_jsonstat_versions_1_and_2(tmp_path):
    two = tmp_path / "le.json"
    two.write_text(json.dumps(JSONSTAT2))
    parsed = parse_file(two)
    got = values(parsed)
    assert got[("Hà Nam", "life_expectancy", 2019)] == 73.9 and ("Hà Nam", "life_expectancy", 2020) not in got
    assert got[("Việt Nam", "life_expectancy", 2020)] == 73.7
    assert parsed.rows.loc[parsed.rows["year"] == 2020, "quality"].eq("preliminary").all()
    ds = {k: v for k, v in JSONSTAT2.items() if k not in ("id", "size", "role", "version", "class")}
    ds["dimension"] = {
        **ds["dimension"],
        "id": JSONSTAT2["id"],
        "size": JSONSTAT2["size"],
        "role": JSONSTAT2["role"],
    }
    one = tmp_path / "le1.json"
    one.write_text(json.dumps({"dataset": ds}))
    assert values(parse_file(one)) == got
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({**JSONSTAT2, "value": [1, 2]}))
    with pytest.raises(DataFileError, match="broken.json"):
        parse_file(broken)
    (tmp_path / "nojson.json").write_text("{not json")
    with pytest.raises(DataFileError, match="not valid JSON"):
        parse_file(tmp_path / "nojson.json")


def test_header_cells_fold_dimensions():
    assert pxweb.split_header("2002 Doctor") == (2002, "Doctor", False)
    assert pxweb.split_header("Crude birth rate Prel. 2016") == (2016, "Crude birth rate", True)
    assert pxweb.split_header("Pre. 2016") == (2016, "", True)
    assert pxweb.split_header("X2014") == (2014, "", False)
    assert pxweb.split_header("Pre..2014") == (2014, "", True)
    assert pxweb.split_header("2012(**)")[:2] == (2012, "")
    assert pxweb.dimension_code("Number of medical staff under provincial departments", "Physician") == (
        "assistant_physicians_dohs_count",
        "persons",
    )
