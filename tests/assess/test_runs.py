"""Stored runs: save/load round trip, previous run, compare_runs reasons, and `forecast run`."""

from __future__ import annotations

import contextlib
import dataclasses
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from forecast import config, pipeline
from forecast.assess import assessment, runs
from forecast.data import store as real_store
from forecast.engine import backtest
from forecast.errors import MissingDataError

GEO = "Hà Nam"


def _obs() -> pd.DataFrame:
    years = list(range(2011, 2017))
    return pd.DataFrame(
        {
            "geo": GEO,
            "indicator": "stunting_u5",
            "year": years,
            "value": [40 * 0.95**i for i in range(6)],
            "unit": "percent",
            "source": "test",
            "import_id": "t1",
            "base_indicator": "stunting_u5",
            "definition": "",
        }
    )


def _registry() -> pd.DataFrame:
    row = {
        "plan_id": "HN-2021",
        "province": GEO,
        "indicator": "stunting_u5",
        "year": 2030,
        "comparator": "<=",
        "value": 20.0,
        "value_high": math.nan,
        "unit": "percent",
        "kind": "outcome",
        "quote": "",
        "note": "",
        "line": 2,
    }
    return pd.DataFrame([row, {**row, "indicator": "bhyt_coverage", "comparator": ">=", "value": 95.0}])


@dataclasses.dataclass(frozen=True)
class _Settings:
    draws: int = 100

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _forecast_panel(obs, years=None, horizon=None, models=("ensemble",), settings=None):
    rows = []
    for (g, ind), s in obs.groupby(["geo", "indicator"]):
        last = s.sort_values("year")["value"].iloc[-1]
        for year in range(int(s["year"].max()) + 1, 2036):
            q50 = last * 0.95 ** (year - s["year"].max())
            qs = dict(zip(config.QUANTILE_COLUMNS, q50 * np.linspace(0.8, 1.2, 9)))
            rows.append(
                {
                    "geo": g,
                    "indicator": ind,
                    "model": "ensemble",
                    "year": year,
                    "mean": q50,
                    **qs,
                    "status": "ok",
                    "reason": "",
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture
def fake_store(tmp_path, monkeypatch):
    """A DuckDB file behind the store API, and a stand-in engine (until both modules land)."""
    path = tmp_path / "fake.duckdb"
    state = {"obs": pd.DataFrame(columns=_obs().columns), "ensured": 0}

    @contextlib.contextmanager
    def connect(p=None, read_only=False):
        with real_store.connect(p or path, read_only=read_only) as con:  # the real locking rules
            yield con

    def ensure_default_data(p=None):
        state["ensured"] += 1
        state["obs"] = _obs()

    fake = SimpleNamespace(
        connect=connect,
        analysis_series=lambda p=None: state["obs"],
        analysis_with_breaks=lambda p=None: (
            state["obs"],
            pd.DataFrame(columns=["geo", "indicator", "year"]),
        ),
        ensure_default_data=ensure_default_data,
        data_fingerprint=lambda p=None: "fp-1",
    )
    monkeypatch.setattr(runs, "store_db", fake)
    monkeypatch.setattr(pipeline, "store_db", fake)
    monkeypatch.setattr(
        pipeline, "models", SimpleNamespace(EngineSettings=_Settings, forecast_panel=_forecast_panel)
    )
    monkeypatch.setattr(pipeline, "deep_dive_tables", lambda *a, **k: {})  # the real engine's job
    return SimpleNamespace(path=str(path), state=state)


def _run(run_id="2026Q3-aaaa", as_of="2026Q3", created="2026-09-30 10:00") -> runs.Run:
    fc = _forecast_panel(_obs())
    asm = assessment.assess_targets(_registry(), _obs(), fc, as_of)
    return runs.Run(run_id, as_of, pd.Timestamp(created, tz="UTC"), "fp-0", {"draws": 10}, fc, asm)


def test_save_and_load_round_trip(fake_store):
    run = _run()
    runs.save_run(fake_store.path, run)
    back = runs.load_run(fake_store.path, run.run_id)
    assert (back.run_id, back.as_of, back.created, back.data_fingerprint, back.settings) == (
        run.run_id,
        run.as_of,
        run.created,
        run.data_fingerprint,
        run.settings,
    )
    pd.testing.assert_frame_equal(
        back.assessments, run.assessments.assign(run_id=run.run_id), check_dtype=False
    )
    expected = run.forecasts.assign(run_id=run.run_id).reindex(columns=runs.FORECAST_COLUMNS)
    pd.testing.assert_frame_equal(back.forecasts, expected, check_dtype=False)
    assert str(back.assessments["expected_year"].dtype) == "Int64"


def test_latest_previous_and_list(fake_store):
    old, new = _run(), _run("2026Q4-bbbb", "2026Q4", "2026-12-01 10:00")
    assert runs.list_runs(fake_store.path).empty
    with pytest.raises(MissingDataError, match="forecast run"):
        runs.load_run(fake_store.path)
    runs.save_run(fake_store.path, old)
    runs.save_run(fake_store.path, new)
    assert runs.load_run(fake_store.path).run_id == "2026Q4-bbbb"
    assert runs.previous_run(fake_store.path, new).run_id == "2026Q3-aaaa"
    assert runs.previous_run(fake_store.path, old) is None
    assert list(runs.list_runs(fake_store.path)["run_id"]) == ["2026Q3-aaaa", "2026Q4-bbbb"]


def test_run_forecasts_fills_an_empty_store_and_saves(fake_store):
    run_id = pipeline.run_forecasts("2026Q4", store=fake_store.path, targets=_registry())
    assert fake_store.state["ensured"] == 1 and run_id.startswith("2026Q4-")
    run = runs.load_run(fake_store.path)
    assert (
        run.run_id == run_id
        and run.settings == {"draws": 100, "provinces": []}
        and run.data_fingerprint == "fp-1"
    )
    assert list(run.assessments["pace"]) == ["on_track", ""]
    assert run.assessments["verdict"].iloc[1] == "no_data"
    assert set(run.forecasts["run_id"]) == {run_id} and run.forecasts["year"].max() == 2035


def test_run_forecasts_restricted_to_a_province(fake_store):
    run_id = pipeline.run_forecasts(
        "2026Q4", store=fake_store.path, targets=_registry(), provinces=["Bắc Giang"]
    )
    run = runs.load_run(fake_store.path, run_id)
    # no plan of its own in this registry: measured against the national targets, no data here
    assert run.forecasts.empty and set(run.assessments["plan_id"]) <= {"national-targets"}
    assert set(run.assessments["verdict"]) <= {"no_data"} and set(run.assessments["province"]) <= {
        "Bắc Giang"
    }


def _asm(**kw) -> pd.DataFrame:
    base = {
        "plan_id": "p",
        "province": GEO,
        "indicator": "imr",
        "year": 2030,
        "verdict": "likely",
        "p_attain": 0.8,
        "latest_year": 2016,
        "latest_value": 10.0,
    }
    return pd.DataFrame([{**base, **kw}]).astype({"latest_year": "Int64"})


@pytest.mark.parametrize(
    "new,reason",
    [
        ({"verdict": "unlikely", "latest_year": 2017}, "new data"),
        ({"verdict": "unlikely", "latest_value": 11.0}, "new data"),
        ({"verdict": "possible", "p_attain": 0.5}, "revised model"),
    ],
)
def test_compare_runs_reasons(new, reason):
    out = runs.compare_runs(_asm(), _asm(**new))
    assert list(out.columns) == runs.COMPARE_COLUMNS
    assert len(out) == 1 and out.loc[0, "reason"] == reason
    assert out.loc[0, "verdict_old"] == "likely" and out.loc[0, "verdict_new"] == new["verdict"]


def test_compare_runs_with_missing_latest_observation():
    old = _asm(verdict="no_data", latest_year=pd.NA, latest_value=math.nan)
    out = runs.compare_runs(old, _asm())
    assert list(out["reason"]) == ["new data"]
    assert runs.compare_runs(
        old, _asm(verdict="insufficient_data", latest_year=pd.NA, latest_value=math.nan)
    )["reason"].tolist() == ["revised model"]


def test_compare_runs_ignores_unmoved_and_flags_new_targets():
    assert runs.compare_runs(_asm(), _asm(p_attain=0.75)).empty  # a 5-point move
    out = runs.compare_runs(_asm(), pd.concat([_asm(), _asm(plan_id="q")]))
    assert list(out["reason"]) == ["new target"]


def test_current_quarter():
    import datetime as dt

    assert runs.current_quarter(dt.date(2026, 11, 25)) == "2026Q4"
    assert runs.current_quarter(dt.date(2026, 1, 1)) == "2026Q1"


def test_cli_run_command(fake_store):
    from forecast.cli import cli

    registry = fake_store.path + ".targets.csv"
    _registry().drop(columns="line").to_csv(registry, index=False)
    result = CliRunner().invoke(
        cli, ["--store", fake_store.path, "run", "--as-of", "2026Q4", "--targets", registry]
    )
    assert result.exit_code == 0, result.output
    assert "2026Q4-" in result.output and "likely: 1" in result.output and "no_data: 1" in result.output


def test_round_trip_in_a_real_store(tmp_path):
    path = tmp_path / "real.duckdb"
    run = _run()
    runs.save_run(path, run)
    back = runs.load_run(path)
    assert back.run_id == run.run_id and len(back.assessments) == len(run.assessments)
    pd.testing.assert_frame_equal(
        back.assessments, run.assessments.assign(run_id=run.run_id), check_dtype=False
    )


def test_run_forecasts_with_the_real_store_and_engine(tmp_path):
    store = real_store
    csv = tmp_path / "obs.csv"
    rows = [
        f"{GEO},stunting_u5,{y},{40 * 0.95 ** (y - 2005):.3f},percent,test survey" for y in range(2005, 2017)
    ]
    csv.write_text("geo,indicator,year,value,unit,source\n" + "\n".join(rows) + "\n", encoding="utf-8")
    path = tmp_path / "real.duckdb"
    store.import_files([csv], path)
    run_id = pipeline.run_forecasts("2026Q4", store=path, targets=_registry())
    run = runs.load_run(path)
    assert run.run_id == run_id and run.data_fingerprint == store.data_fingerprint(path)
    assert run.forecasts["year"].max() == 2035 and set(run.forecasts["model"]) == {"ensemble"}
    a = run.assessments.set_index("indicator")
    assert a.loc["stunting_u5", "rate_observed"] == pytest.approx(-5.0, abs=0.01)
    assert a.loc["stunting_u5", "pace"] == "on_track"  # needs about -0.9 %/year to reach 20 by 2030
    assert a.loc["stunting_u5", "verdict"] in ("likely", "possible")
    assert a.loc["bhyt_coverage", "verdict"] == "no_data"
    assert "members" in run.settings
    detail = runs.load_series_detail(path, run_id, GEO, "stunting_u5")
    fc = detail["model_forecasts"]
    assert set(fc["model"]) == set(backtest.COMPARE_MODELS)
    ens = fc[(fc["model"] == "ensemble") & (fc["year"] == 2030)].iloc[0]  # the brief's numbers, exactly
    assert [ens[q] for q in ("q10", "q50", "q90")] == [a.loc["stunting_u5", q] for q in ("q10", "q50", "q90")]
    assert fc["year"].min() == 2017  # from the year after the last observation, not the panel's
    held_out = detail["backtests"]
    assert set(held_out["origin"]) == {2011} and held_out["year"].between(2012, 2016).all()
    assert set(detail["backtest_scores"]["model"]) == set(backtest.COMPARE_MODELS)


def test_reading_waits_for_a_writer_in_another_process(fake_store):
    import subprocess
    import sys

    runs.save_run(fake_store.path, _run())
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; "
            f"c = duckdb.connect({fake_store.path!r}); print('locked', flush=True); "
            "time.sleep(1.0)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert runs.load_run(fake_store.path).run_id == "2026Q3-aaaa"
    finally:
        holder.wait(timeout=30)


def test_notebook_reads_share_the_store_with_another_reader(tmp_path):
    """What the notebooks read opens the store read-only: a kernel reading it blocks no other.

    A read-write open would wait for the other process's lock (~20 s) and then fail.
    """
    import subprocess
    import sys

    path = tmp_path / "shared.duckdb"
    csv = tmp_path / "obs.csv"
    csv.write_text(
        f"geo,indicator,year,value,unit,source\n{GEO},stunting_u5,2015,30.0,percent,x\n", encoding="utf-8"
    )
    real_store.import_files([csv], path)
    runs.save_run(path, _run())
    runs.save_run(path, _run("2026Q4-bbbb", "2026Q4", "2026-12-31 10:00"))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, time; "
            f"c = duckdb.connect({str(path)!r}, read_only=True); "
            "print('reading', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "reading"
        assert len(real_store.analysis_series(path)) == len(real_store.load_observations(path)) == 1
        run = runs.load_run(path)
        assert runs.previous_run(path, run).run_id == "2026Q3-aaaa"
    finally:
        holder.kill()
        holder.wait(timeout=30)


def test_cli_run_writes_the_assessment_table_and_never_overwrites(fake_store, tmp_path):
    from forecast.cli import cli

    registry = tmp_path / "targets.csv"
    _registry().drop(columns="line").to_csv(registry, index=False)
    out = tmp_path / "assessments.csv"
    args = ["--store", fake_store.path, "run", "--as-of", "2026Q4", "--targets", str(registry)]
    result = CliRunner().invoke(cli, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert list(table.columns) == assessment.EXPORT_COLUMNS and len(table) == 2
    assert list(table["verdict"]) == ["likely", "no_data"]
    again = CliRunner().invoke(cli, [*args, "--out", str(out)])
    assert again.exit_code != 0 and "already exists" in again.output
    assert len(pd.read_csv(out)) == 2


def test_compare_runs_lists_p_moves_of_ten_points_and_no_nan():
    out = runs.compare_runs(_asm(p_attain=0.38), _asm(p_attain=0.15))  # same verdict, P moved
    assert len(out) == 1 and out.loc[0, "reason"] == "revised model"
    assert runs.compare_runs(_asm(p_attain=0.38), _asm(p_attain=0.30)).empty  # under the threshold


def test_compare_runs_only_compares_provinces_both_runs_assessed():
    old = _asm(province="Hà Nam")
    new = pd.concat([_asm(province="Hà Nam"), _asm(province="Lào Cai"), _asm(province="Đồng Nai")])
    assert runs.compare_runs(old, new).empty  # no target of another province is falsely new


def test_previous_run_prefers_the_same_scope(fake_store):
    everyone = dataclasses.replace(_run("2026Q3-all", created="2026-09-01"), settings={"provinces": []})
    one = dataclasses.replace(_run("2026Q3-one", created="2026-09-02"), settings={"provinces": [GEO]})
    for r in (everyone, one):
        runs.save_run(fake_store.path, r)
    new_all = dataclasses.replace(_run("2026Q4-all", "2026Q4"), settings={"provinces": []})
    new_one = dataclasses.replace(_run("2026Q4-one", "2026Q4"), settings={"provinces": [GEO]})
    assert runs.previous_run(fake_store.path, new_all).run_id == "2026Q3-all"
    assert runs.previous_run(fake_store.path, new_one).run_id == "2026Q3-one"


def test_load_run_by_default_takes_the_latest_run_covering_the_province(fake_store):
    runs.save_run(fake_store.path, _run("2026Q4-a", "2026Q4", "2026-12-01"))
    other = _run("2026Q4-b", "2026Q4", "2026-12-02")
    runs.save_run(fake_store.path, dataclasses.replace(other, assessments=other.assessments.iloc[0:0]))
    assert runs.load_run(fake_store.path).run_id == "2026Q4-b"
    assert runs.load_run(fake_store.path, province=GEO).run_id == "2026Q4-a"
    assert runs.load_run(fake_store.path, province="Nowhere").run_id == "2026Q4-b"


def test_cli_run_writes_scenarios_as_csv(fake_store, tmp_path, monkeypatch):
    from forecast.cli import cli

    registry = fake_store.path + ".targets.csv"
    _registry().drop(columns="line").to_csv(registry, index=False)
    out = tmp_path / "what-if.csv"
    args = ["--store", fake_store.path, "run", "--as-of", "2026Q4", "--targets", registry]
    result = CliRunner().invoke(cli, [*args, "--scenario", "rate=-2", "--scenario-out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert set(table["scenario"]) == {"rate"} and "meets" in table.columns
    bad = CliRunner().invoke(cli, [*args, "--scenario", "fastest"])
    assert bad.exit_code == 1 and "scenario 'fastest' unknown" in bad.output
