"""Where the notebooks run: the process pool and a Dask cluster, with broken notebooks and dead workers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_quarter import FIXTURES, NB, fake_run, fixture_report

from forecast import pipeline
from forecast.cli import cli
from forecast.report.publish import executors
from forecast.report.publish import jobs as report_jobs

distributed = pytest.importorskip("distributed")

KILL = NB / "report_kill_worker.ipynb"


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def threaded_cluster():
    """An existing Dask cluster: a scheduler and 2 single-thread workers inside this process."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def process_cluster():
    """A cluster of 2 worker processes that allows a job one dead worker (then KilledWorker)."""
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        with distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster:
            yield cluster


def test_report_through_scheduler_lists_the_broken_notebook_and_publishes_the_rest(
    tmp_path, monkeypatch, threaded_cluster
):
    monkeypatch.setattr(pipeline, "prepare_run", lambda quarter, store, provinces, **kw: fake_run())
    nbs = {**FIXTURES, "indicator": NB / "report_broken.ipynb"}
    monkeypatch.setattr(report_jobs, "NOTEBOOKS", {k: str(v) for k, v in nbs.items()})
    address = threaded_cluster.scheduler_address
    args = ["report", "--quarter", "2026Q4", "--province", "Hà Nam", "--out", str(tmp_path)]
    result = CliRunner().invoke(cli, [*args, "--scheduler", address])
    assert result.exit_code == 1, result.output
    assert "1 of 3 notebooks failed" in result.output
    q = tmp_path / "2026Q4"
    assert (q / "briefs" / "ha-nam.html").exists() and (q / "analyst" / "ha-nam" / "brief.html").exists()
    assert not (q / "analyst" / "ha-nam" / "life_expectancy.html").exists()
    assert (q / "failed" / "analyst--ha-nam--life_expectancy.ipynb").exists()
    index = (q / "index.html").read_text(encoding="utf-8")
    assert "ValueError: no forecast for life_expectancy in Hà Nam" in index
    assert "Bảng điểm quốc gia — 2026Q4" in index
    m = _manifest(q)
    assert m["settings"]["executor"]["executor"] == "dask"
    assert m["settings"]["executor"]["scheduler"] == address
    workers = m["settings"]["executor"]["workers"]
    assert set(workers) <= set(threaded_cluster.scheduler_info["workers"]) and sum(workers.values()) == 3
    assert [f["failed_notebook"] for f in m["failures"]] == ["failed/analyst--ha-nam--life_expectancy.ipynb"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026Q4"]  # no work folder left


def test_scheduler_from_the_environment(tmp_path, monkeypatch, threaded_cluster):
    monkeypatch.setattr(pipeline, "prepare_run", lambda quarter, store, provinces, **kw: fake_run())
    monkeypatch.setattr(report_jobs, "NOTEBOOKS", {k: str(v) for k, v in FIXTURES.items()})
    monkeypatch.setenv("FORECAST_SCHEDULER", threaded_cluster.scheduler_address)
    result = CliRunner().invoke(
        cli, ["report", "--quarter", "2026Q4", "--province", "Hà Nam", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert _manifest(tmp_path / "2026Q4")["settings"]["executor"]["executor"] == "dask"


def test_unreachable_scheduler_is_one_line_and_publishes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "prepare_run", lambda quarter, store, provinces, **kw: fake_run())
    monkeypatch.setattr(report_jobs, "NOTEBOOKS", {k: str(v) for k, v in FIXTURES.items()})
    args = ["report", "--quarter", "2026Q4", "--province", "Hà Nam", "--out", str(tmp_path)]
    result = CliRunner().invoke(cli, [*args, "--scheduler", "tcp://127.0.0.1:9", "--scheduler-timeout", "1"])
    assert result.exit_code == 1 and "no Dask scheduler answers at tcp://127.0.0.1:9" in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("once", [True, False], ids=["dies-once", "dies-twice"])
def test_dask_job_whose_worker_dies_is_retried_once_elsewhere(tmp_path, monkeypatch, process_cluster, once):
    if once:  # report_kill_worker.ipynb kills only its first worker
        (tmp_path / "reports").mkdir()
        (tmp_path / "reports" / "kill-once").write_text("")
    result = fixture_report(
        tmp_path / "reports", monkeypatch, {"indicator": KILL}, scheduler=process_cluster.scheduler_address
    )
    q = tmp_path / "reports" / "2026Q4"
    assert result.folder == q and (q / "briefs" / "ha-nam.html").exists()
    if once:
        assert not result.failures and (q / "analyst" / "ha-nam" / "life_expectancy.html").exists()
    else:
        assert [r.job.html for r in result.failures] == ["analyst/ha-nam/life_expectancy.html"]
        assert "worker crashed" in result.failures[0].error and "KilledWorker" in result.failures[0].error
        assert "worker crashed" in (q / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("once", [True, False], ids=["dies-once", "dies-twice"])
def test_pool_job_whose_worker_dies_runs_again_in_a_fresh_pool(tmp_path, monkeypatch, once):
    if once:  # report_kill_worker.ipynb kills only its first worker
        (tmp_path / "reports").mkdir()
        (tmp_path / "reports" / "kill-once").write_text("")
    result = fixture_report(tmp_path / "reports", monkeypatch, {"indicator": KILL})
    q = tmp_path / "reports" / "2026Q4"
    assert result.folder == q and (q / "index.html").exists()
    m = _manifest(q)
    assert m["settings"]["executor"]["executor"] == "process-pool" and m["settings"]["executor"]["pools"] >= 2
    if once:
        assert not result.failures and (q / "analyst" / "ha-nam" / "life_expectancy.html").exists()
    else:  # the notebooks beside it ran again and were published; only the killer is listed
        assert [r.job.html for r in result.failures] == ["analyst/ha-nam/life_expectancy.html"]
        assert (
            "worker crashed" in result.failures[0].error and "BrokenProcessPool" in result.failures[0].error
        )
        assert (q / "briefs" / "ha-nam.html").exists() and "Bảng điểm quốc gia" in (
            q / "index.html"
        ).read_text()


def test_local_scheduler_starts_and_stops_a_local_cluster(tmp_path, monkeypatch):
    result = fixture_report(tmp_path, monkeypatch, scheduler="local")
    assert not result.failures
    info = _manifest(result.folder)["settings"]["executor"]
    assert info["executor"] == "dask" and info["scheduler"].startswith("local (tcp://")
    assert 1 <= len(info["workers"]) <= 2


def test_make_executor():
    assert isinstance(executors.make_executor(None, 3), executors.ProcessPool)
    assert executors.make_executor("", None).info()["executor"] == "process-pool"
    dask_ex = executors.make_executor("tcp://h:8786", 2)
    assert isinstance(dask_ex, executors.DaskCluster) and dask_ex.info()["scheduler"] == "tcp://h:8786"


def test_report_help_documents_all_scope_and_scheduler():
    out = CliRunner().invoke(cli, ["report", "--help"]).output
    for option in ("--all", "--scope [old|merged|both]", "--scheduler", "FORECAST_SCHEDULER"):
        assert option in out, option
    assert "Example" in out and "forecast report --quarter 2026Q4 --all --scheduler tcp://" in out
