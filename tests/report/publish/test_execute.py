"""One notebook job: a kernel that does not start is run again; a notebook's own error is not.

Every attempt has its own event loop and leaves no kernel behind, whatever the thread or context
it runs in (Dask's in-process workers run jobs in copies of another thread's context).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import threading
from collections.abc import Generator
from pathlib import Path
from typing import Any

import papermill
import pytest
from jupyter_client.manager import KernelManager
from jupyter_core.utils import ensure_event_loop
from nbclient.exceptions import DeadKernelError
from test_quarter import NB, fixture_report

from forecast.report.publish import execute
from forecast.report.publish import quarter as report
from forecast.report.publish.execute import execute_job
from forecast.report.publish.jobs import Job, JobResult

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
    monkeypatch.setattr(report, "make_executor", lambda scheduler, jobs, *timeout: InProcess())
    result = fixture_report(tmp_path, monkeypatch)
    assert not result.failures
    m = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert len(m["kernel_retries"]) == 1  # only the first job's kernel failed to start
    (entry,) = m["kernel_retries"]
    assert entry["ok"] and entry["retries"] == [f"RuntimeError: {STARTUP_TIMEOUT}"]
    assert entry["page"] in {n["page"] for n in m["notebooks"]}


def _in_thread(fn: Any) -> Any:
    """Call ``fn`` in a thread of its own (its event loop state stays there); return its result."""
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - re-raised in the calling thread
            out["error"] = e

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


def test_job_in_a_copy_of_a_busy_context_runs_on_a_loop_of_its_own(tmp_path):
    # As in a Dask in-process worker: the job runs in a copy of a context whose jupyter_core loop
    # (kept in a context variable) is running a job in another thread. The old code reused that
    # loop: "This event loop is already running", async_start_new_kernel never awaited.
    root = str(_root(tmp_path))

    def scenario() -> JobResult:
        busy = ensure_event_loop()  # jupyter_core's loop of this thread and context
        ctx = contextvars.copy_context()
        try:
            job = busy.run_in_executor(None, ctx.run, execute_job, _job(), root, {}, "en")
            return busy.run_until_complete(job)  # the loop runs while the job runs
        finally:
            busy.close()

    result = _in_thread(scenario)
    assert result.ok, result.error
    assert result.kernel_retries == [] and (tmp_path / "briefs" / "x.html").exists()


def test_each_attempt_has_a_new_loop_closed_after_it():
    seen: list[asyncio.AbstractEventLoop] = []

    def attempt() -> None:
        seen.append(ensure_event_loop())  # what nbclient's run_sync gets
        asyncio.get_event_loop_policy().get_event_loop().create_task(asyncio.sleep(60))  # left over

    def two_attempts() -> None:
        outer = ensure_event_loop()
        execute.in_own_loop(attempt)
        execute.in_own_loop(attempt)
        assert seen[0] is not seen[1] and outer not in seen
        assert all(loop.is_closed() for loop in seen)  # the left-over task was cancelled first
        assert ensure_event_loop() is outer and not outer.is_closed()  # the caller's context kept
        outer.close()

    _in_thread(two_attempts)


def test_kernel_that_fails_while_starting_is_stopped(monkeypatch):
    launched: dict[str, Any] = {}

    async def dies_after_launch(self: KernelManager, **kw: Any) -> None:
        launched["pid"] = self.provisioner.pid
        launched["connection_file"] = self.connection_file
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(KernelManager, "_async_post_start_kernel", dies_after_launch)
    km = execute.kernel_manager_class()(kernel_name="python3")

    def start() -> None:
        ensure_event_loop().run_until_complete(km.start_kernel())  # as nbclient's run_sync does

    with pytest.raises(RuntimeError, match="Kernel died before replying"):
        _in_thread(lambda: execute.in_own_loop(start))
    assert launched["pid"] and not km.has_kernel
    with pytest.raises(ProcessLookupError):
        os.kill(launched["pid"], 0)  # killed and reaped: not a zombie either
    assert not Path(launched["connection_file"]).exists()
