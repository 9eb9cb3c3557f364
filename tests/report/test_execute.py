"""One notebook job: a kernel that does not start is run again; a notebook's own error is not."""

from __future__ import annotations

import json
from collections.abc import Generator
from pathlib import Path
from typing import Any

import papermill
import pytest
from nbclient.exceptions import DeadKernelError
from test_quarter import NB, fixture_report

from forecast.report import execute
from forecast.report import quarter as report
from forecast.report.execute import Job, JobResult, execute_job

STARTUP_TIMEOUT = "Kernel didn't respond in 60 seconds"  # jupyter_client's wait_for_ready


class FlakyKernel:
    """papermill.execute_notebook whose kernel fails to start the first ``failures`` times."""

    def __init__(self, failures: int = 1) -> None:
        self.real = papermill.execute_notebook
        self.failures = failures
        self.calls: list[str] = []

    def __call__(self, notebook: str, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(notebook)
        if len(self.calls) <= self.failures:
            raise RuntimeError(STARTUP_TIMEOUT)
        return self.real(notebook, *args, **kwargs)


@pytest.fixture
def flaky_kernel(monkeypatch) -> FlakyKernel:
    fake = FlakyKernel()
    monkeypatch.setattr(papermill, "execute_notebook", fake)
    monkeypatch.setattr(execute, "KERNEL_RETRY_PAUSE", 0.0)
    return fake


def _root(tmp_path: Path) -> Path:
    for sub in ("_work", "failed", "briefs"):
        (tmp_path / sub).mkdir()
    return tmp_path


def _job(notebook: str = "good.ipynb") -> Job:
    return Job("brief", str(NB / notebook), {"msg": "hi", "repeat": 1}, "briefs/x.html", "X")


def test_startup_failures_are_recognised_and_cell_errors_are_not():
    assert execute.kernel_start_failed(RuntimeError(STARTUP_TIMEOUT))
    assert execute.kernel_start_failed(RuntimeError("Kernel died before replying to kernel_info"))
    assert not execute.kernel_start_failed(DeadKernelError("Kernel died"))  # while a cell ran
    assert not execute.kernel_start_failed(RuntimeError("the notebook's own error"))
    assert not execute.kernel_start_failed(ValueError(STARTUP_TIMEOUT))


def test_kernel_that_did_not_start_is_run_again_and_the_retry_recorded(tmp_path, flaky_kernel, caplog):
    result = execute_job(_job(), str(_root(tmp_path)), {}, "en")
    assert result.ok, result.error
    assert len(flaky_kernel.calls) == 2
    assert result.kernel_retries == [f"RuntimeError: {STARTUP_TIMEOUT}"]
    assert (tmp_path / "briefs" / "x.html").exists()
    assert "the kernel did not start" in caplog.text and "running it again (1 of 2)" in caplog.text


def test_kernel_that_never_starts_fails_after_the_retries(tmp_path, flaky_kernel):
    flaky_kernel.failures = 99
    result = execute_job(_job(), str(_root(tmp_path)), {}, "en")
    assert not result.ok
    assert len(flaky_kernel.calls) == execute.KERNEL_RETRIES + 1
    assert len(result.kernel_retries) == execute.KERNEL_RETRIES
    assert result.error == f"RuntimeError: {STARTUP_TIMEOUT}"


def test_notebooks_own_error_is_not_retried(tmp_path, monkeypatch):
    real = papermill.execute_notebook
    calls: list[str] = []

    def counting(notebook: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(notebook)
        return real(notebook, *args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", counting)
    result = execute_job(_job("broken.ipynb"), str(_root(tmp_path)), {}, "en")
    assert not result.ok and len(calls) == 1 and result.kernel_retries == []
    assert result.failed == "failed/briefs--x.ipynb"


class InProcess:
    """An executor that runs each job in this process (so a monkeypatched papermill applies)."""

    def run(self, todo: list[Job], root: str, footer: dict[str, str], lang: str) -> Generator[JobResult]:
        for job in todo:
            yield execute_job(job, root, footer, lang)

    def info(self) -> dict[str, Any]:
        return {"executor": "in-process"}


def test_manifest_lists_the_kernel_retries(tmp_path, monkeypatch, flaky_kernel):
    monkeypatch.setattr(report, "make_executor", lambda scheduler, jobs: InProcess())
    result = fixture_report(tmp_path, monkeypatch)
    assert not result.failures
    m = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert len(m["kernel_retries"]) == 1  # only the first job's kernel failed to start
    (entry,) = m["kernel_retries"]
    assert entry["ok"] and entry["retries"] == [f"RuntimeError: {STARTUP_TIMEOUT}"]
    assert entry["page"] in {n["page"] for n in m["notebooks"]}
