"""The store: transactions, idempotent imports, quarantine, source priority, status and the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast import cli
from forecast.assess import coverage
from forecast.data import readers, store
from forecast.errors import DataFileError, ForecastError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data"
TIDY = FIXTURES / "tidy_small.csv"


def count(path) -> int:
    return len(store.load_observations(path))


def test_import_and_load(store_file):
    summary = store.import_files([TIDY], store_file)
    assert summary.loc[0, "imported"] == 6 and summary.loc[0, "quarantined"] == 0
    obs = store.load_observations(store_file, geo="Ha Nam")
    assert list(obs.columns[:9]) == [
        "geo",
        "indicator",
        "year",
        "value",
        "unit",
        "source",
        "import_id",
        "base_indicator",
        "definition",
    ]
    assert obs["year"].tolist() == [2010, 2011] and set(obs["geo"]) == {"Hà Nam"}
    dohs = store.load_observations(store_file, indicator="beds_per_10k_dohs")
    assert dohs.loc[0, "base_indicator"] == "beds_per_10k" and "departments" in dohs.loc[0, "definition"]


def test_reimport_is_idempotent_and_fingerprint_stable(store_file):
    store.import_files([TIDY], store_file)
    first = store.data_fingerprint(store_file)
    again = store.import_files([TIDY], store_file)
    assert again.loc[0, "imported"] == 0 and again.loc[0, "duplicate"] == 6
    assert count(store_file) == 6 and store.data_fingerprint(store_file) == first


def test_revision_is_kept_and_latest_import_wins(store_file, tmp_path):
    one, two = tmp_path / "a.csv", tmp_path / "b.csv"
    one.write_text("geo,indicator,year,value,source\nHà Nam,imr,2015,12.0,GSO\n")
    two.write_text("geo,indicator,year,value,source\nHà Nam,imr,2015,12.4,GSO\n")
    store.import_files([one, two], store_file)
    assert count(store_file) == 2
    assert store.analysis_series(store_file)["value"].tolist() == [12.4]


def test_failed_import_leaves_store_untouched(store_file, monkeypatch, tmp_path):
    store.import_files([TIDY], store_file)
    before, fp = store.load_observations(store_file), store.data_fingerprint(store_file)
    new = tmp_path / "new.csv"
    new.write_text("geo,indicator,year,value,source\nHà Nam,imr,2016,12.0,GSO\n")
    real = pd.DataFrame.drop_duplicates

    def boom(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pd.DataFrame, "drop_duplicates", boom)
    with pytest.raises(RuntimeError):
        store.import_files([new], store_file)
    monkeypatch.setattr(pd.DataFrame, "drop_duplicates", real)
    pd.testing.assert_frame_equal(store.load_observations(store_file), before)
    assert store.data_fingerprint(store_file) == fp


def test_unreadable_file_stops_before_any_write(store_file, tmp_path):
    with pytest.raises(DataFileError, match="missing.csv"):
        store.import_files([TIDY, tmp_path / "missing.csv"], store_file)
    assert count(store_file) == 0


def test_quarantine_file_and_good_rows(store_file):
    summary = store.import_files([FIXTURES / "gso_imr_messy.csv"], store_file)
    assert summary.loc[0, "quarantined"] == 4
    assert "unknown province: 3" in summary.loc[0, "reasons"]
    q = pd.read_csv(store.quarantine_path(store_file))
    assert list(q.columns[:5]) == ["file", "line", "column", "value", "reason"]
    assert set(q["file"]) == {"gso_imr_messy.csv"} and len(q) == 4
    store.import_files([FIXTURES / "gso_imr_messy.csv"], store_file)
    assert len(pd.read_csv(store.quarantine_path(store_file))) == 4  # not repeated


def test_source_priority_rule():
    base = {
        "geo": "Việt Nam",
        "indicator": "bhyt_coverage",
        "unit": "percent",
        "base_indicator": "x",
        "definition": "",
        "note": "",
    }
    rows = [dict(base, year=y, value=80.0 + y - 2015, source="Series", import_id=1) for y in (2015, 2016)]
    rows += [
        dict(base, year=2016, value=99.0, source="Outlet A", import_id=2),
        dict(base, year=2017, value=90.0, source="Mid", import_id=1, note="MID-YEAR estimate"),
        dict(base, year=2017, value=91.0, source="End B", import_id=1),
        dict(base, year=2018, value=92.0, source="C", import_id=1),
        dict(base, year=2018, value=92.0, source="D", import_id=1),
        dict(base, year=2018, value=93.0, source="A", import_id=1),
    ]
    picked = store.pick_sources(pd.DataFrame(rows)).set_index("year")["value"]
    assert picked.to_dict() == {2015: 80.0, 2016: 81.0, 2017: 91.0, 2018: 92.0}


def test_status_and_missing_targets(store_file, tmp_path):
    store.import_files([TIDY], store_file)
    registry = tmp_path / "targets.csv"
    registry.write_text(
        "plan_id,province,indicator,year,comparator,value,value_high,unit,kind,quote,note\n"
        "HNA,Hà Nam,imr,2025,<=,10,,per_1000,outcome,q,\n"
        "HNA,Hà Nam,bhyt_coverage,2025,>=,95,,percent,outcome,q,\n"
        "HNA,Hà Nam,beds_per_10k,2025,>=,30,,per_10k,milestone,q,\n"
    )
    cover, missing = coverage.status(store_file, "Ha Nam", targets_path=registry)
    row = cover.set_index("indicator").loc["imr"]
    assert (row["first_year"], row["last_year"], row["points"]) == (2010, 2011, 2)
    assert missing[["province", "indicator"]].values.tolist() == [["Hà Nam", "bhyt_coverage"]]
    _, none = coverage.status(store_file, targets_path=tmp_path / "absent.csv")
    assert none is None


def test_status_counts_targets_as_the_assessment_does(store_file, tmp_path):
    # Own series: covered. Region's series: a labelled proxy. National data, or data of the
    # merged 2025 province, never cover a province (forecast.series_choice).
    obs = tmp_path / "obs.csv"
    obs.write_text(
        "geo,indicator,year,value,unit,source\n"
        "Hà Nam,imr,2015,12.0,per_1000,GSO\n"
        "Vùng Đồng bằng sông Hồng,life_expectancy,2015,74.5,years,GSO\n"
        "VN,stunting_u5,2015,20.0,percent,GSO\n"
        "Lào Cai (mới),bhyt_coverage,2025,95.0,percent,BHXH\n"
    )
    store.import_files([obs], store_file)
    registry = tmp_path / "targets.csv"
    registry.write_text(
        "plan_id,province,indicator,year,comparator,value,value_high,unit,kind,quote,note\n"
        "HNA,Hà Nam,imr,2025,<=,10,,per_1000,outcome,q,\n"
        "HNA,Hà Nam,life_expectancy,2025,>=,75,,years,outcome,q,\n"
        "HNA,Hà Nam,life_expectancy,2030,>=,76,,years,outcome,q,\n"
        "HNA,Hà Nam,stunting_u5,2025,<=,15,,percent,outcome,q,\n"
        "LCA,Lào Cai,bhyt_coverage,2025,>=,95,,percent,outcome,q,\n"
    )
    _, missing = coverage.status(store_file, targets_path=registry)
    got = missing.set_index(["province", "indicator"])
    assert sorted(got.index) == [
        ("Hà Nam", "life_expectancy"),
        ("Hà Nam", "stunting_u5"),
        ("Lào Cai", "bhyt_coverage"),
    ]
    proxy = got.loc[("Hà Nam", "life_expectancy")]
    assert (proxy["coverage"], proxy["targets"], proxy["years"]) == ("regional proxy", 2, "2025, 2030")
    assert proxy["note"] == "series of Vùng Đồng bằng sông Hồng"
    assert got.loc[("Hà Nam", "stunting_u5"), "coverage"] == "national"  # the nation's series
    merged = got.loc[("Lào Cai", "bhyt_coverage")]
    assert merged["coverage"] in ("none", "national") and "Lào Cai (mới)" in merged["note"]
    _, one = coverage.status(store_file, "Ha Nam", targets_path=registry)  # the region still counts
    assert one["indicator"].tolist() == ["life_expectancy", "stunting_u5"]
    out = CliRunner().invoke(
        cli.cli, ["--store", str(store_file), "data", "status", "--targets", str(registry)]
    )
    assert out.exit_code == 0 and "regional proxy" in out.output and "Lào Cai (mới)" in out.output


def test_ensure_default_data(store_file, tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    for name in store.DEFAULT_FILES:
        (shared / name).parent.mkdir(parents=True, exist_ok=True)
        (shared / name).write_text(TIDY.read_text().replace("test yearbook", name))
    monkeypatch.setattr(store.config, "SHARED_DATA_DIR", shared)
    first = store.ensure_default_data(store_file)
    # the "test outlet" rows are the same source in every file: imported once
    n = len(store.DEFAULT_FILES)
    assert first["imported"] == 4 * n + 2 and first["duplicate"] == 2 * (n - 1)
    assert first["files"] == [Path(name).name for name in store.DEFAULT_FILES]
    assert store.ensure_default_data(store_file)["imported"] == 0


def test_cli_import_status_and_help(store_file, tmp_path):
    runner = CliRunner()
    out = runner.invoke(cli.cli, ["--store", str(store_file), "data", "import", str(TIDY)])
    assert out.exit_code == 0, out.output
    assert "tidy_small.csv" in out.output
    out = runner.invoke(
        cli.cli,
        [
            "--store",
            str(store_file),
            "data",
            "status",
            "--geo",
            "Ha Nam",
            "--targets",
            str(tmp_path / "none.csv"),
        ],
    )
    assert out.exit_code == 0 and "imr" in out.output and "No target registry" in out.output
    junk = tmp_path / "junk.csv"
    junk.write_text("geo,indicator,year,value\nAtlantis,imr,2015,1\n")
    out = runner.invoke(cli.cli, ["--store", str(store_file), "data", "import", str(junk)])
    assert out.exit_code == 1 and "nothing could be imported" in out.output
    out = runner.invoke(cli.cli, ["--store", str(store_file), "data", "import", str(tmp_path / "x.csv")])
    assert out.exit_code == 1 and "x.csv" in out.output and "Traceback" not in out.output
    for name in ("import", "fetch", "status"):
        assert "Example" in runner.invoke(cli.cli, ["data", name, "--help"]).output


def test_store_option_after_the_command_and_from_the_environment(tmp_path, monkeypatch):
    runner = CliRunner()
    mine, env = tmp_path / "mine.duckdb", tmp_path / "env.duckdb"
    out = runner.invoke(cli.cli, ["data", "import", str(TIDY), "--store", str(mine)])
    assert out.exit_code == 0, out.output
    assert mine.exists() and not env.exists()
    monkeypatch.setenv("FORECAST_STORE", str(env))
    none = ["--targets", str(tmp_path / "none.csv")]
    # the command's own --store wins over the environment and the group option
    out = runner.invoke(cli.cli, ["--store", str(env), "data", "status", "--store", str(mine), *none])
    assert out.exit_code == 0 and "imr" in out.output
    assert "imr" not in runner.invoke(cli.cli, ["data", "status", *none]).output  # env: empty
    assert runner.invoke(cli.cli, ["data", "import", str(TIDY)]).exit_code == 0 and env.exists()
    for command in (["data", "import"], ["data", "fetch"], ["data", "status"], ["run"], ["report"]):
        assert "--store" in runner.invoke(cli.cli, [*command, "--help"]).output


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "store.duckdb"
    store.import_files([TIDY], path)
    return path


_CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["Hà Nam", "imr", "2015", "12.5", "..", "per_1000", "VN", "-1e9", '"', ",", "\n"]),
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(_CELLS, min_size=0, max_size=7), max_size=8),
    header=st.booleans(),
    raw=st.binary(max_size=40),
)
def test_random_junk_never_loses_rows(seeded_store, tmp_path_factory, rows, header, raw):
    folder = tmp_path_factory.mktemp("junk")
    path = folder / "store.duckdb"
    shutil.copy(seeded_store, path)
    before = store.load_observations(path)
    lines = (["geo,indicator,year,value,unit,source"] if header else []) + [",".join(cells) for cells in rows]
    junk = folder / "junk.csv"
    junk.write_bytes("\n".join(lines).encode("utf-8") + raw)
    try:
        store.import_files([junk], path, readers.ImportOptions(format="tidy"))
    except ForecastError:
        pass
    after = store.load_observations(path)
    kept = before.merge(after, how="left", indicator=True)
    assert (kept["_merge"] == "both").all()


def test_all_shared_data_imports_cleanly(shared_data, store_file):
    files = sorted(shared_data.glob("*.csv"))
    summary = store.import_files(files, store_file)
    assert summary["imported"].sum() > 20000
    q = pd.read_csv(store.quarantine_path(store_file))
    # Only the 2016-2020 averages, and isolated spikes more than five times off their neighbours
    # (pharmacists 2004-2005 and 2012, Hòa Bình's 2018 life expectancy of 12.6).
    averages = q["reason"].str.contains("not a single calendar year")
    assert set(q.loc[averages, "value"]) == {"2016-2020"}
    assert q.loc[~averages, "reason"].str.contains("is implausible").all() and (~averages).sum() <= 6
    obs = store.load_observations(store_file, geo="VN", indicator="life_expectancy_rural")
    assert obs["year"].tolist() == [2020, 2023, 2024]  # "VN (rural)" is a residence breakdown
    hanam = store.analysis_series(store_file, geo="Hà Nam", indicator="life_expectancy")
    assert hanam["year"].max() >= 2018 and set(hanam["quality"]) == {"transcribed"}
    cover, _ = coverage.status(store_file, "Hà Nam", "imr")
    row = cover.set_index("indicator").loc["imr"]
    assert (row["first_year"], row["last_year"]) == (2005, 2016)
    obs = store.load_observations(store_file, geo="Lào Cai (mới)")
    assert obs["indicator"].tolist() == ["bhyt_coverage"]


def test_reads_share_the_store(store_file, tmp_path):
    store.import_files([TIDY], store_file)
    with store.connect(store_file) as con:  # a writer in this process: reads fall back to it
        assert con.execute("SELECT count(*) FROM observations").fetchall()[0][0] == 6
        assert len(store.load_observations(store_file)) == 6
    with store.connect(store_file, read_only=True) as one, store.connect(store_file, read_only=True) as two:
        assert (
            one.execute("SELECT count(*) FROM imports").fetchall()
            == two.execute("SELECT count(*) FROM imports").fetchall()
            == [(1,)]
        )
    bad = tmp_path / "not_a_store.duckdb"
    bad.write_text("hello")
    with pytest.raises(ForecastError, match="not_a_store"):
        store.load_observations(bad)


def test_known_breaks_are_kept_in_the_store_but_left_out_of_the_analysis(store_file, tmp_path):
    from forecast.data import priority

    rows = [
        ("Hà Nam", "pharmacists_per_10k_dohs", y, v) for y, v in [(2011, 0.30), (2012, 0.43), (2013, 0.29)]
    ] + [
        ("Lai Châu", "beds_per_10k_dohs", 2003, 22.3),
        ("Lai Châu", "beds_per_10k_dohs", 2004, 22.5),
        ("Điện Biên", "beds_per_10k_dohs", 2003, 26.0),
        ("Hà Nam", "imr", 2012, 12.0),
    ]
    f = tmp_path / "breaks.csv"
    pd.DataFrame(rows, columns=["geo", "indicator", "year", "value"]).assign(
        unit=lambda d: d["indicator"].map(lambda c: "per_1000" if c == "imr" else "per_10k"),
        source="GSO yearbook",
    ).to_csv(f, index=False)
    store.import_files([f], store_file)
    assert len(store.load_observations(store_file)) == 7  # nothing is lost
    kept = store.analysis_series(store_file)
    assert set(zip(kept["geo"], kept["indicator"], kept["year"])) == {
        ("Hà Nam", "pharmacists_per_10k_dohs", 2011),
        ("Hà Nam", "pharmacists_per_10k_dohs", 2013),
        ("Lai Châu", "beds_per_10k_dohs", 2004),
        ("Điện Biên", "beds_per_10k_dohs", 2003),
        ("Hà Nam", "imr", 2012),
    }
    (vi,) = priority.break_notes([("Hà Nam", "pharmacists_per_10k_dohs"), ("Hà Nam", "imr")], "vi")
    assert vi.startswith("Chú thích 2012(**)") and vi.endswith("(năm 2012 không dùng để dự báo).")
    (en,) = priority.break_notes([("Lai Châu", "beds_per_10k_dohs")], "en")
    assert "includes Điện Biên" in en and en.endswith("(2002–2003 left out of the forecasts).")
    assert priority.break_notes([("Điện Biên", "beds_per_10k_dohs")], "en") == []
