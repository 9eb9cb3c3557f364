"""Where a report's notebooks run: a pool of local worker processes, or a Dask distributed cluster.

Both executors have one small interface, :meth:`Executor.run`: it takes the job list and yields
one :class:`~forecast.report.publish.execute.JobResult` per job as the jobs complete, in any order; a
notebook's failure, a crashed worker and a job lost twice are all results (``ok=False``), never
exceptions. :meth:`Executor.info` says, for the manifest, which executor ran and on which workers.

* :class:`ProcessPool` (default): spawned worker processes on this machine, prepared by
  :func:`~forecast.report.publish.execute.worker_init`; they write the pages into the run's work folder.
  A worker that dies breaks the pool (``BrokenProcessPool``): the jobs it took down run once
  more in a fresh pool (those that were running, each alone), then are listed as failed.
* :class:`DaskCluster` (``--scheduler tcp://HOST:8786``, or ``local`` for a
  :class:`distributed.LocalCluster` on this machine): each job is self-contained. A worker reads
  the notebook and the store (read-only: it executes on its own copy) from paths every worker
  can see, writes the pages into a folder of its own and sends them back with the result; only
  this process writes into the work folder. A job whose worker dies is rescheduled on another
  worker by the scheduler (a :class:`~distributed.LocalCluster` started here allows it once:
  ``distributed.scheduler.allowed-failures = 1``; an existing cluster applies its own setting)
  and a job that raises is retried once (``retries=1``); after that it is listed as failed.

``distributed`` is imported only when a Dask executor runs, so ``import forecast`` stays fast.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from collections.abc import Generator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from pathlib import Path
from typing import Any, Protocol

from forecast.errors import ReportError
from forecast.log import logger
from forecast.report.publish import scheduler as scheduler_check
from forecast.report.publish.execute import execute_job, worker_init
from forecast.report.publish.jobs import Job, JobResult

__all__ = ["DaskCluster", "Executor", "ProcessPool", "make_executor", "run_portable"]


class Executor(Protocol):
    """Runs a report's jobs and yields their results as they complete."""

    def run(
        self, todo: list[Job], root: str, footer: dict[str, str], lang: str
    ) -> Generator[JobResult, None, None]:
        """Execute every job of ``todo`` (pages go under ``root``); yield each job's result once."""
        ...

    def info(self) -> dict[str, Any]:
        """Return the executor's kind, address and workers, for the manifest."""
        ...


def make_executor(
    scheduler: str | None = None, jobs: int | None = None, timeout: float = scheduler_check.TIMEOUT
) -> Executor:
    """Return the executor for ``scheduler``: None -> :class:`ProcessPool`, else :class:`DaskCluster`.

    Parameters
    ----------
    scheduler
        None or ``""`` for the local process pool; ``local`` to start a LocalCluster of ``jobs``
        workers; ``tcp://HOST:8786`` (any Dask address) to use an existing cluster.
    jobs
        Worker processes of the pool or of the LocalCluster; default one per core.
    timeout
        Seconds an existing scheduler has to answer (:func:`~forecast.report.publish.scheduler.check_scheduler`).
    """
    if not scheduler:
        return ProcessPool(jobs)
    return DaskCluster(scheduler, jobs, timeout)


def cores() -> int:
    """The CPU cores this process may use (its affinity where the system tells, else all)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(jobs: int | None) -> int:
    """``jobs`` capped at the cores (:func:`cores`), with a warning; default one per core.

    Every worker runs a notebook kernel (~170 MB and a core): more workers than cores only
    share the cores and multiply the memory (``--jobs 1000`` once started 14 kernels on 2 cores).
    """
    have = cores()
    if jobs is not None and jobs > have:
        logger.warning(
            "--jobs %d is more than the %d cores of this machine: using %d workers", jobs, have, have
        )
        return have
    return jobs or have


def _crashed(job: Job, error: BaseException) -> JobResult:
    return JobResult(job, ok=False, seconds=0.0, error=f"worker crashed: {error!r}")


def _pooled(job: Job, root: str, footer: dict[str, str], lang: str) -> JobResult:
    """Execute ``job`` in a pool worker, leaving a mark that it started (see :class:`ProcessPool`)."""
    (Path(root) / "_work" / f"{job.name}.started").touch()
    return execute_job(job, root, footer, lang)


class ProcessPool:
    """Spawned worker processes on this machine (the parent holds DuckDB and BLAS threads, which a
    fork would copy mid-state), each prepared by :func:`~forecast.report.publish.execute.worker_init`.

    A worker that dies breaks the whole pool: every unfinished job is lost. Those that had not
    started run again in a fresh pool; those that had (the one that killed its worker, and the
    notebooks beside it) are *suspects*: each runs once more alone in a pool of one worker, and
    is listed as failed if its worker dies again.
    """

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = min(jobs or cores(), cores())  # the caller warns (worker_count)
        self.pools = 0

    def info(self) -> dict[str, Any]:
        """Return ``{"executor": "process-pool", "workers": N, "pools": pools started}``."""
        return {"executor": "process-pool", "workers": self.jobs, "pools": self.pools}

    def run(
        self, todo: list[Job], root: str, footer: dict[str, str], lang: str
    ) -> Generator[JobResult, None, None]:
        """Run ``todo``; jobs lost with a broken pool run again (suspects alone), then fail."""
        pending = list(todo)
        while pending:
            suspects: list[Job] = []
            again: list[Job] = []
            with closing(self._round(pending, self.jobs, root, footer, lang)) as results:
                for job, result, error in results:
                    if error is None:
                        yield result
                        continue
                    mark = Path(root) / "_work" / f"{job.name}.started"
                    (suspects if mark.exists() else again).append(job)
                    mark.unlink(missing_ok=True)
            if suspects:
                logger.warning("a worker died: %s run again, each alone", ", ".join(j.html for j in suspects))
            for job in suspects:
                with closing(self._round([job], 1, root, footer, lang)) as alone:
                    for _, result, error in alone:
                        yield _crashed(job, error) if error is not None else result
            pending = again

    def _round(
        self, todo: list[Job], workers: int, root: str, footer: dict[str, str], lang: str
    ) -> Generator[tuple[Job, Any, BaseException | None], None, None]:
        """Yield ``(job, result, None)``, or ``(job, None, error)`` when the pool broke under it."""
        self.pools += 1
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max(1, min(workers, len(todo))), mp_context=ctx, initializer=worker_init
        ) as pool:
            try:
                futures = {pool.submit(_pooled, job, root, footer, lang): job for job in todo}
                for fut in as_completed(futures):
                    job = futures[fut]
                    try:
                        yield job, fut.result(), None
                    except BrokenProcessPool as e:
                        yield job, None, e
                    except Exception as e:  # noqa: BLE001 - any other crash fails its notebook only
                        yield job, _crashed(job, e), None
            except BaseException:
                # Wait for the running notebooks (on Ctrl-C the workers got it too and stop at once):
                # a worker still writing after the caller deleted the work folder would leave debris.
                pool.shutdown(wait=True, cancel_futures=True)
                raise


_READY = False


def _prepare_dask_worker() -> None:
    """Once per Dask worker process: one BLAS thread per kernel, papermill and exporters loaded.

    Not :func:`~forecast.report.publish.execute.worker_init`: a Dask task runs in a worker thread, where
    process-level set-up such as signal handlers does not belong.
    """
    global _READY
    if _READY:
        return
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    import papermill  # noqa: F401 - imported once per worker, not per notebook

    from forecast.report.publish import render

    render.exporter(True), render.exporter(False)
    _READY = True


def run_portable(job: Job, footer: dict[str, str], lang: str) -> tuple[JobResult, dict[str, bytes], str]:
    """Execute ``job`` in a folder of this worker's own; return its result, its files and the worker.

    The files (pages, a failed notebook) come back as ``{path relative to the quarter: bytes}``, so
    a worker needs no write access to the report folder; it reads ``job.notebook`` and the store
    named in ``job.parameters`` (it executes on a private copy of the store, never the original).
    """
    from forecast.report.publish.folder import WORK_FOLDERS

    _prepare_dask_worker()
    try:
        from distributed import get_worker

        worker, space = get_worker().address, get_worker().local_directory
    except (ImportError, ValueError):  # called outside a Dask worker
        worker, space = f"pid {os.getpid()}", None
    # In the worker's own directory, which Dask purges if the worker dies mid-job.
    with tempfile.TemporaryDirectory(prefix="forecast-job-", dir=space) as tmp:
        for sub in WORK_FOLDERS:
            (Path(tmp) / sub).mkdir()
        result = execute_job(job, tmp, footer, lang)
        files = {
            p.relative_to(tmp).as_posix(): p.read_bytes()
            for p in Path(tmp).rglob("*")
            if p.is_file() and p.relative_to(tmp).parts[0] != "_work"
        }
    return result, files, worker


class DaskCluster:
    """The notebook jobs on a Dask distributed cluster (``local``: a LocalCluster started here)."""

    def __init__(
        self, address: str, jobs: int | None = None, timeout: float = scheduler_check.TIMEOUT
    ) -> None:
        self.address = address
        self.jobs = min(jobs or cores(), cores())  # of a LocalCluster; the caller warns (worker_count)
        self.timeout = timeout  # seconds an existing scheduler has to answer
        self.workers: dict[str, int] = {}  # worker address -> notebooks it ran

    def info(self) -> dict[str, Any]:
        """Return ``{"executor": "dask", "scheduler": address, "workers": {worker: notebooks}}``."""
        return {"executor": "dask", "scheduler": self.address, "workers": dict(sorted(self.workers.items()))}

    def _client(self) -> Any:
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError as e:
            raise ReportError(
                f"--scheduler {self.address} needs Dask distributed ({e}); `pip install distributed`"
            ) from e
        if self.address != "local":
            scheduler_check.check_scheduler(self.address, self.timeout)  # one line, never a hang
            try:
                return Client(self.address, timeout=f"{self.timeout}s", set_as_default=False)
            except OSError as e:
                raise ReportError(
                    f"no Dask scheduler answers at {self.address} ({e}); start one with "
                    "`dask scheduler` or use --scheduler local"
                ) from e
        with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
            cluster = LocalCluster(
                n_workers=self.jobs, threads_per_worker=1, processes=True, dashboard_address=":0"
            )
        self.address = f"local ({cluster.scheduler_address})"
        return Client(cluster, set_as_default=False)

    def run(
        self, todo: list[Job], root: str, footer: dict[str, str], lang: str
    ) -> Generator[JobResult, None, None]:
        """Submit every job (``retries=1``), write each finished job's files under ``root``, yield."""
        from distributed import as_completed as dask_completed

        client = self._client()
        cluster = client.cluster
        try:
            token = f"{os.getpid()}-{time.time_ns()}"
            live, jobs = {}, {}  # key -> future not yet collected, key -> job
            for job in todo:
                key = f"notebook-{job.name}-{token}"
                live[key] = client.submit(run_portable, job, footer, lang, key=key, retries=1, pure=False)
                jobs[key] = job
            try:
                for fut in dask_completed(list(live.values()), loop=client.loop):
                    yield self._collect(fut, jobs[fut.key], Path(root))
                    live.pop(fut.key).release()  # a collected page no longer waits on a worker
            except BaseException:
                client.cancel(list(live.values()))
                raise
        finally:
            client.close()
            if cluster is not None and self.address.startswith("local"):
                cluster.close()

    def _collect(self, fut: Any, job: Job, root: Path) -> JobResult:
        try:
            result, files, worker = fut.result()
        except Exception as e:  # noqa: BLE001 - KilledWorker or a lost job fails its notebook only
            return _crashed(job, e)
        for rel, data in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        self.workers[worker] = self.workers.get(worker, 0) + 1
        return result
