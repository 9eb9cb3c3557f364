"""One notebook of a report run: execute it with papermill in a worker process, render its pages.

Everything here runs inside a worker of :func:`forecast.pipeline.run_report`'s process pool, so it
takes and returns only picklable values and never raises for a notebook's own failure: the failed
notebook is saved under ``failed/`` and the :class:`JobResult` says what went wrong.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import copy
import ctypes
import functools
import gc
import json
import os
import re
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from markupsafe import Markup, escape

from forecast.assess import slices
from forecast.log import logger
from forecast.registry import issuers
from forecast.report.pages import text
from forecast.report.publish import kernels, render
from forecast.report.publish.jobs import MANIFEST, Job, JobResult
from forecast.report.publish.kernels import kernel_manager_class

if TYPE_CHECKING:
    import nbformat

#: Seconds one cell may run before the notebook is failed (a hung cell must not hang the run).
CELL_TIMEOUT = 900
# The kernel's start-up warnings (e.g. "running over TCP without encryption") would garble the
# CLI's progress bar; a notebook's own errors reach us through papermill.
KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL"]
#: Times a job runs again when its kernel did not start (a loaded machine, two kernels racing for
#: a port): not the notebook's fault. A notebook's own error is never retried.
KERNEL_RETRIES = 2
#: Seconds to wait before starting the kernel again (the load that delayed it may pass).
KERNEL_RETRY_PAUSE = 1.0
# How jupyter_client's ``KernelClient.wait_for_ready`` (called by nbclient's
# ``start_new_kernel_client`` within papermill's ``start_timeout``, 60 s) says the kernel never
# answered: a plain RuntimeError. nbclient's DeadKernelError (a subclass) is raised when a kernel
# dies *while running a cell*, which may be the notebook's doing, so it is not retried.
_STARTUP_FAILURES = (
    "Kernel didn't respond in",  # "... in 60 seconds": the start-up timeout
    "Kernel didn't respond to heartbeats",
    "Kernel died before replying to kernel_info",
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_T = TypeVar("_T")


def footer(
    common: dict[str, str], params: dict, lang: str, page: str = "index.html"
) -> list[tuple[str, str]]:
    """Return the labelled footer rows in words: issuer, issue date, quarter, data sources, run, details.

    ``params`` (the page's parameters), the source files and the package versions are in the
    manifest, not on the page: a reader sees no file name, JSON or code, only a link to the
    manifest worded in the page's language. ``page`` is the page's path in the quarter's folder
    (``briefs/ha-nam.html``): the link is relative to it, so it still works when the quarter is
    copied or archived whole.
    """
    lang = lang if lang in text.LANGS else "en"
    labels = text.labels("footer", lang)
    rows = {k: v for k, v in common.items() if k in ("quarter", "sources", "run")}
    if "quarter" in rows:  # "quý 4/2026", never "2026Q4", in a Vietnamese page
        rows["quarter"] = text.quarter_label(rows["quarter"], lang)
    if common.get("issued"):
        rows["issued"] = issued_text(common["issued"], lang)
    if params.get("province"):
        rows["unit"] = issuer_text(params["province"], lang)
    rows["details"] = _manifest_link(labels, page)
    order = ("unit", "issued", "quarter", "sources", "run", "details")
    return [(labels[k], rows[k]) for k in order if k in rows]


def _manifest_link(labels: dict[str, str], page: str) -> Markup:
    """``… được ghi trong <a href="../manifest.json">tệp mô tả của quý</a>`` (escaped but for the link)."""
    href = "../" * (len(Path(page).parts) - 1) + MANIFEST  # up from the page's folder to the quarter's
    link = Markup('<a href="{}">{}</a>').format(href, labels["manifest"])
    return Markup(escape(labels["details_text"])).format(manifest=link)


def issuer_text(province: str, lang: str) -> str:
    """``Sở Y tế tỉnh Hà Nam · Liên hệ: …`` (:mod:`forecast.registry.issuers`; a placeholder if unset)."""
    who = issuers.issuer(province)
    words = text.labels("print", lang)
    return f"{who.unit} · " + words["contact"].format(contact=who.contact or words["contact_missing"])


def issued_text(day: str, lang: str) -> str:
    """The issue date as the catalogue's ``print.date_format`` writes it (``03/12/2026``)."""
    return text.fmt_date(day, lang, text.labels("print", lang)["date_format"])


def print_marks(common: dict[str, str], title: str, lang: str, province: str = "") -> render.PrintMarks:
    """The margins of every printed page: issuer and contact, issue date, page title and run, page numbers."""
    lang = lang if lang in text.LANGS else "en"
    words = text.labels("print", lang)
    issued = issued_text(common["issued"], lang) if common.get("issued") else ""
    return render.PrintMarks(
        top_left=issuer_text(province, lang) if province else title,
        top_right=words["issued"].format(date=issued) if issued else "",
        bottom_left=f"{title} · " + words["run"].format(run=common.get("run", "")),
        page_label=words["page"],
    )


def worker_init() -> None:
    """Prepare a worker: one BLAS thread per kernel, imports and exporters built once.

    The worker also ends with its parent (:func:`die_with_parent`): a killed ``forecast report``
    leaves no worker, kernel or resource tracker behind.
    """
    die_with_parent()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    import papermill  # noqa: F401 - imported once per worker, not per notebook

    render.exporter(True), render.exporter(False)
    kernels.warm_kernel(KERNEL_ARGS)  # one kernel for the worker's notebooks, started at the first
    gc.freeze()  # what is imported lives as long as the worker: no collection walks it again


#: Seconds between two looks of a worker's watchdog at its parent.
WATCH_SECONDS = 1.0
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Make this worker end (with its notebook kernels) when its parent process dies or is stopped.

    Three ways, so that no orphan is left: SIGTERM ends the worker and its kernels at once; on
    Linux the kernel sends SIGTERM when the parent dies (``prctl(PR_SET_PDEATHSIG)``, even after
    ``kill -9``); a watchdog thread checks the parent every :data:`WATCH_SECONDS` elsewhere.
    """
    parent = os.getppid()
    signal.signal(signal.SIGTERM, _end_worker)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before prctl took effect
        _end_worker(signal.SIGTERM, None)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_SECONDS)
        _end_worker(signal.SIGTERM, None)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _end_worker(signum: int, _frame: Any) -> None:
    """End this worker's kernels (their own sessions: a signal to us misses them), then itself."""
    for pid in _children(os.getpid()):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    os._exit(128 + signum)


def _children(pid: int) -> list[int]:
    """Return the processes whose parent is ``pid`` (Linux ``/proc``; none elsewhere)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def describe(error: BaseException) -> str:
    """Return a one-line account of a notebook failure (``ValueError: ... (cell 3)``)."""
    ename = getattr(error, "ename", None)
    if ename:
        cell = getattr(error, "exec_count", None)
        where = f" (cell {cell})" if cell else ""
        text = f"{ename}: {getattr(error, 'evalue', '')}{where}"
    else:
        text = f"{type(error).__name__}: {error}"
    return _ANSI.sub("", text).strip()


def private_store(params: dict, folder: Path) -> dict:
    """Return ``params`` with ``store`` pointing to this worker's own copy of the store file.

    DuckDB lets one process at a time open a file for writing, so kernels running side by side
    each read a copy, made once: the original is the run's snapshot (:mod:`forecast.report.publish.quarter`),
    which never changes, so every page of a run reads the same data. The original is never opened here.
    """
    src = Path(params.get("store") or "")
    if not src.is_file():
        return params
    dst = folder / f"store-{os.getpid()}{src.suffix}"
    if not dst.exists():
        for suffix in ("", ".wal"):  # an un-checkpointed write-ahead log belongs to the data
            if Path(f"{src}{suffix}").exists():
                shutil.copy2(f"{src}{suffix}", f"{dst}{suffix}")
        slices.link_frames(src, dst)  # the runs' page frames, read in place
    return {**params, "store": str(dst)}


def parameters_source(params: dict) -> str:
    """The injected-parameters cell as a reader should see it: names as written, the real store.

    Papermill escapes non-ASCII text (``"H\\xe0 Nam"``) and the kernel was given a private copy
    of the store; the published cell shows what to pass to rerun the page instead.
    """
    lines = ["# Parameters"]
    for k, v in params.items():
        literal = json.dumps(v, ensure_ascii=False) if isinstance(v, str) else repr(v)
        lines.append(f"{k} = {literal}")
    return "\n".join(lines) + "\n"


def _shown_parameters(nb: nbformat.NotebookNode, params: dict) -> nbformat.NotebookNode:
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = parameters_source(params)
    return nb


def _reading(job: Job) -> dict:
    """The parameters the kernel gets: ``job.parameters`` with ``store`` set to what it reads."""
    return {**job.parameters, "store": job.reads} if job.reads else job.parameters


def kernel_start_failed(error: BaseException) -> bool:
    """Whether ``error`` says the notebook's kernel never started (retried), not that a cell failed."""
    return type(error) is RuntimeError and str(error).startswith(_STARTUP_FAILURES)


def _execute(pm: Any, job: Job, work: Path, retries: list[str]) -> nbformat.NotebookNode:
    """Run papermill; run it again (up to :data:`KERNEL_RETRIES` times) if the kernel did not start.

    Each start-up failure retried is appended to ``retries`` (the job's result and the manifest
    list them), also when the last attempt fails too. Every attempt has an event loop of its own
    (:func:`in_own_loop`) and a kernel manager that stops a kernel it could not finish starting
    (:func:`kernel_manager_class`), so a failed attempt leaves nothing to the next one.
    """
    while True:
        try:
            if kernels.enabled():
                return _shown_parameters(_warm(job, work), job.parameters)
            nb = in_own_loop(
                functools.partial(
                    pm.execute_notebook,
                    job.notebook,
                    str(work),
                    kernel_name="python3",
                    parameters=private_store(_reading(job), work.parent),
                    progress_bar=False,
                    log_output=False,
                    request_save_on_cell_execute=False,  # nothing to flush: saves ~0.1 s
                    execution_timeout=CELL_TIMEOUT,
                    extra_arguments=KERNEL_ARGS,
                    shutdown_kernel="immediate",
                    kernel_manager_class=kernel_manager_class(),
                )
            )
            return _shown_parameters(nb, job.parameters)
        except RuntimeError as e:
            if not kernel_start_failed(e) or len(retries) >= KERNEL_RETRIES:
                raise
            retries.append(describe(e))
            logger.warning(
                "%s: the kernel did not start (%s); running it again (%d of %d)",
                job.name,
                e,
                len(retries),
                KERNEL_RETRIES,
            )
            time.sleep(KERNEL_RETRY_PAUSE)


def _warm(job: Job, work: Path) -> nbformat.NotebookNode:
    """Execute ``job`` in this worker's warm kernel (:mod:`forecast.report.publish.kernels`).

    A cell's error leaves the notebook as executed up to it in ``work``, as papermill does.
    """
    from papermill.exceptions import PapermillExecutionError

    warm = kernels.warm_kernel(KERNEL_ARGS)
    try:
        return warm.execute(
            job.notebook, private_store(_reading(job), work.parent), execution_timeout=CELL_TIMEOUT
        )
    except PapermillExecutionError:
        import nbformat

        nbformat.write(warm.last, str(work))
        raise


def in_own_loop(run: Callable[[], _T]) -> _T:
    """Call ``run`` (one papermill run) in a fresh context with an event loop of its own, closed after.

    nbclient and jupyter_client drive every kernel step through ``jupyter_core.utils.run_sync``,
    which keeps the event loop it made in a *context variable*. A thread given a copy of another
    thread's context (Dask's in-process workers run each task in a copy of the context that started
    the cluster) would then share that thread's loop: with two jobs at once the second gets
    ``RuntimeError: This event loop is already running`` before nbclient's
    ``async_start_new_kernel`` coroutine was awaited. Here each run starts from an empty context,
    so ``run_sync`` makes a new loop, and that loop is closed (its tasks cancelled, as
    :func:`asyncio.run` does) when the run ends: nothing is left to the worker's next job.
    """
    return contextvars.Context().run(_run_in_new_loop, run)


def _run_in_new_loop(run: Callable[[], _T]) -> _T:
    from jupyter_core.utils import ensure_event_loop

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:  # called from async code: run_sync runs each step on a loop thread of its own
        return run()
    loop = ensure_event_loop()  # a new loop: this context is empty and no loop runs here
    try:
        return run()
    finally:
        _close_loop(loop)


def _close_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what is left on ``loop`` and close it, as :func:`asyncio.run` does on its way out."""
    try:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:  # gather() of nothing would look for the thread's current loop
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def execute_job(job: Job, root: str, common: dict[str, str], lang: str) -> JobResult:
    """Execute ``job``'s notebook with papermill and write its page(s) under ``root``.

    Parameters
    ----------
    job
        The notebook, its parameters and target page.
    root
        The run's (temporary) quarter folder; paths in ``job`` are relative to it.
    common
        Footer values shared by every page (quarter, data vintage, run id, versions).
    lang
        Language of the footer labels and of the page's ``lang`` attribute.
    """
    import papermill as pm

    start = time.perf_counter()
    base = Path(root)
    work = base / "_work" / f"{job.name}.ipynb"  # the folders exist: layout.temp_dir made them
    retries: list[str] = []
    try:
        nb = _execute(pm, job, work, retries)
        cells = sum(c.get("metadata", {}).get("papermill", {}).get("duration") or 0 for c in nb.cells)
        rendering = time.perf_counter()
        body = _render(job, nb, base, common, lang)
        rendering = time.perf_counter() - rendering
    except Exception as e:  # noqa: BLE001 - a failing notebook is reported, never fatal to the run
        failed = _save_failure(job, work, base, common, lang)
        return JobResult(job, False, time.perf_counter() - start, describe(e), failed, kernel_retries=retries)
    work.unlink(missing_ok=True)
    return JobResult(
        job,
        True,
        time.perf_counter() - start,
        body=body,
        cell_seconds=cells,
        render_seconds=rendering,
        kernel_retries=retries,
    )


def _render(job: Job, nb: nbformat.NotebookNode, base: Path, common: dict[str, str], lang: str) -> str:
    """Write the job's pages; return the policy body of the overview (the index wraps it)."""
    src_dir = Path(job.notebook).parent
    shown = render.one_language(nb, lang)  # a bilingual analyst note shows the page's language only
    policy = job.kind in ("brief", "overview")
    body = render.render_body(shown, policy=policy, base_dir=src_dir)
    if job.kind == "overview":
        return body
    kind = "brief" if policy else "analyst"
    marks = print_marks(common, job.title, lang, job.parameters.get("province", ""))
    render.write_page(
        base / job.html,
        render.render_page(
            body,
            title=job.title,
            lang=lang,
            footer=footer(common, job.parameters, lang, job.html),
            code=not policy,
            kind=kind,
            marks=marks,
        ),
    )
    if job.analyst_html:
        code = render.render_body(shown, policy=False, base_dir=src_dir)
        render.write_page(
            base / job.analyst_html,
            render.render_page(
                code,
                title=job.title,
                lang=lang,
                footer=footer(common, job.parameters, lang, job.analyst_html),
                code=True,
                kind="analyst",
                marks=marks,
            ),
        )
    analyst = job.analyst_html or (None if policy else job.html)
    if analyst:
        rerunnable(nb, (base / analyst).with_suffix(".ipynb"))
    return ""


def rerunnable(nb: nbformat.NotebookNode, path: Path) -> Path:
    """Save ``nb`` without outputs beside its analyst page: its parameters cell reruns the page.

    The injected parameters name the real store, the run and names as written
    (:func:`parameters_source`), so ``papermill path out.ipynb`` (or opening it in JupyterLab)
    gives the published numbers again.
    """
    import nbformat

    clean = copy.deepcopy(nb)
    for cell in clean.cells:
        if cell.get("cell_type") == "code":
            cell.outputs, cell.execution_count = [], None
        cell.get("metadata", {}).pop("papermill", None)
        cell.get("metadata", {}).pop("execution", None)
    clean.metadata.pop("papermill", None)
    nbformat.write(clean, str(path))
    return path


def _save_failure(job: Job, work: Path, base: Path, common: dict[str, str], lang: str) -> str | None:
    """Keep the failed notebook (as executed up to its error) and an HTML view of it."""
    if not work.exists():  # papermill failed before it could write anything
        return None
    import nbformat

    target = base / "failed" / f"{job.name}.ipynb"
    os.replace(work, target)
    rows = footer(common, job.parameters, lang, target.with_suffix(".html").relative_to(base).as_posix())
    try:
        nb = nbformat.read(target, as_version=4)
        body = render.render_body(nb, policy=False, base_dir=Path(job.notebook).parent)
        render.write_page(
            target.with_suffix(".html"),
            render.render_page(
                body, title=f"✗ {job.title}", lang=lang, footer=rows, code=True, kind="analyst"
            ),
        )
    except Exception as e:  # noqa: BLE001 - the .ipynb is kept even if it cannot be rendered
        logger.warning("could not render the failed notebook %s: %s", target.name, e)
    return target.relative_to(base).as_posix()
