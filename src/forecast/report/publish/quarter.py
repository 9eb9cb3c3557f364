"""The quarterly run: forecast once, execute every notebook in worker processes, publish one folder.

Layout of ``reports/<quarter>/`` (written to a hidden sibling, moved into place only when complete)::

    index.html                         national scorecard, links to every page, failures
    briefs/<province-slug>.html        policy brief (no code)
    briefs/<province-slug>.pdf, .scorecard.csv/.xlsx, .series.csv/.xlsx   its print and downloads
    assessments.csv, assessments.xlsx  the quarter's whole assessment table (report.attachments)
    analyst/<province-slug>/brief.html analyst version of the brief (with code)
    analyst/<province-slug>/<indicator>.html   deep dive (with code)
    analyst/<province-slug>/*.ipynb    each analyst page's notebook without outputs: rerun it with
                                       papermill or JupyterLab (its parameters name the real store)
    failed/<name>.ipynb, .html         a failed notebook as executed up to its error
    manifest.json                      parameters, data vintage, versions, durations, failures
    archive/<run_id>/                  earlier publications of the quarter (``--replace``)

A published quarter never changes silently: publishing over it is refused unless ``replace``,
which keeps the previous publication under ``archive/<run_id>/``.

A notebook that fails does not stop the others; the run still publishes, lists the failure and
:class:`ReportResult` carries it (the CLI turns it into a non-zero exit).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from forecast import config
from forecast.assess import slices
from forecast.data import provenance
from forecast.data import store as store_db
from forecast.errors import DiskFullError, ReportError
from forecast.log import Stopwatch, logger
from forecast.report.pages.text import LANGS, t
from forecast.report.publish import attachments, indicators
from forecast.report.publish.execute import footer
from forecast.report.publish.executors import Executor, make_executor, worker_count
from forecast.report.publish.folder import (
    check_replaceable,
    make_folders,
    publish,
    remove_made,
    remove_stale,
    temp_dir,
    write_index,
    write_manifest,
)
from forecast.report.publish.jobs import MANIFEST, Job, JobResult, notebook_paths, plan_jobs
from forecast.report.publish.scheduler import TIMEOUT as SCHEDULER_TIMEOUT

__all__ = ["publish_report", "check_replace", "published_run", "ReportResult"]

ARCHIVE = "archive"


@dataclass(frozen=True)
class ReportResult:
    """What a report run published: the quarter ``folder``, its ``index`` page, one result per notebook."""

    folder: Path
    index: Path
    results: list[JobResult]

    @property
    def failures(self) -> list[JobResult]:
        """The notebooks that failed (listed in the index and the manifest)."""
        return [r for r in self.results if not r.ok]


def _vintage(run: Any, store: str) -> str:
    """The data vintage readers can read: the latest year of each source file (the fingerprint if none)."""
    files = store_db.data_vintage(store) if store else None
    if files is None or files.empty:
        a = run.assessments
        years = a["latest_year"].dropna() if "latest_year" in a else a.iloc[0:0]
        return f"{str(run.data_fingerprint)[:12]} · {int(years.max()) if len(years) else '-'}"
    return "; ".join(f"{r.source} {int(r.latest_year)}" for r in files.itertuples())


def _sources(store: str, lang: str) -> str:
    """The publishers of the store's data in words, each with its latest year (``Tổng cục Thống kê (đến năm 2016)``)."""
    vintage = provenance.publisher_vintage(store_db.source_vintage(store) if store else pd.DataFrame())
    return "; ".join(
        t("footer.source_item", lang, publisher=t(f"publisher.{r.publisher}", lang), year=int(r.latest_year))
        for r in vintage.itertuples()
    )


def _footer(run: Any, quarter: str, store: str = "", lang: str = "vi") -> dict[str, str]:
    """Return the provenance of every page: worded (``sources``) and for the manifest (``data``, ``versions``).

    A page's footer shows the quarter, the publishers in words and the run id
    (:func:`forecast.report.publish.execute.footer`); file names, parameters and package versions
    are in the manifest.
    """
    from importlib.metadata import PackageNotFoundError, version

    def v(pkg: str) -> str:
        try:
            return version(pkg)
        except PackageNotFoundError:
            return "-"

    vintage = _vintage(run, store)
    versions = ", ".join(
        f"{p} {v(p)}" for p in ("forecast-workbench", "pandas", "statsmodels", "papermill", "nbconvert")
    )
    lang = lang if lang in LANGS else "en"
    sources = _sources(store, lang) or t("footer.no_sources", lang)
    return {
        "quarter": quarter,
        "data": vintage,
        "sources": sources,
        "run": str(run.run_id),
        "versions": versions,
        "issued": time.strftime("%Y-%m-%d"),  # the day the quarter is published: printed on every page
    }


def publish_report(
    run: Any,
    provinces: list[str],
    *,
    quarter: str,
    jobs: int | None = None,
    scheduler: str | None = None,
    scheduler_timeout: float = SCHEDULER_TIMEOUT,
    out: str | os.PathLike | None = None,
    store: str = "",
    lang: str = "vi",
    notebooks: dict[str, Path] | None = None,
    progress: Any = None,
    started: float | None = None,
    replace: bool = False,
) -> ReportResult:
    """Execute every notebook of ``run`` and publish them as HTML under ``out/<quarter>/``.

    Parameters
    ----------
    run
        The in-memory run (:func:`forecast.pipeline.prepare_run`), already saved in ``store``.
    provinces
        Provinces to report, as named in the registry.
    quarter
        Reporting quarter, e.g. ``2026Q4``.
    jobs
        Worker processes (of the pool, or of a LocalCluster); default one per core.
    scheduler
        None: a pool of local worker processes; ``local``: a Dask LocalCluster; ``tcp://HOST:8786``:
        an existing Dask cluster (:func:`forecast.report.publish.executors.make_executor`). The manifest's
        ``settings.executor`` records which, and the workers.
    scheduler_timeout
        Seconds an existing scheduler has to answer (:mod:`forecast.report.publish.scheduler`).
    out
        Reports folder; default ``reports/``. Other quarters in it are never touched.
    store
        Store file the notebooks read the run from.
    lang
        Language of the briefs (``vi`` or ``en``).
    notebooks
        The notebooks ``brief``, ``indicator``, ``overview`` (:func:`notebook_paths`).
    progress
        A tqdm-like bar (``reset``, ``update``, ``set_postfix_str``) owned by the caller.
    started
        When the run began (``time.time()``), for the manifest's durations.
    replace
        Publish over an already published quarter, keeping it under ``archive/<run_id>/``;
        without it a published quarter is left byte-identical and :class:`ReportError` raised.

    Returns
    -------
    ReportResult
        ``folder`` and ``index`` of the published quarter, ``results``; ``failures`` lists the
        notebooks that failed (the folder is published anyway).

    Notes
    -----
    Workers are *spawned* (the parent holds DuckDB and BLAS threads that a fork would copy), so a
    script that calls this must do so under ``if __name__ == "__main__":``; the CLI and Jupyter do.
    An interruption (exception, Ctrl-C) deletes the work folder and leaves ``out`` as it was.
    """
    started = started or time.time()
    check_replace(Path(out or config.REPORTS_DIR).resolve(), quarter, replace)
    if scheduler in (None, "", "local"):
        jobs = worker_count(jobs)  # never more notebook kernels at once than cores
    nbs = notebooks or notebook_paths(None)
    settings = {
        "provinces": provinces,
        "jobs": jobs or os.cpu_count(),
        "lang": lang,
        "store": store,
        "notebooks": {k: str(v) for k, v in nbs.items()},
        "forecast_seconds": round(time.time() - started, 2),
        "replace": replace,
    }
    todo = plan_jobs(run, provinces, quarter=quarter, lang=lang, store=store, notebooks=nbs)
    final, index, results = _publish_quarter(
        Path(out or config.REPORTS_DIR).resolve(),
        quarter,
        run,
        todo,
        settings,
        progress,
        started,
        executor=make_executor(scheduler, jobs, scheduler_timeout),
    )
    logger.info("published %s (%d notebooks, %d failed)", final, len(results), sum(not r.ok for r in results))
    return ReportResult(folder=final, index=final / index.name, results=results)


def published_run(root: str | os.PathLike, quarter: str) -> str | None:
    """The run id published as ``root/<quarter>`` (from its manifest); None if nothing is published.

    A quarter folder without a readable manifest gives ``"unknown"``.
    """
    folder = Path(root) / quarter
    if not folder.exists():
        return None
    try:
        return str(json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["run_id"])
    except (OSError, ValueError, KeyError):
        return "unknown"


def check_replace(root: str | os.PathLike, quarter: str, replace: bool) -> None:
    """Refuse to publish over a published quarter unless ``replace`` (call before any work).

    Raises
    ------
    ReportError
        If ``root/<quarter>`` is published and ``replace`` is False; the message names the run.
    """
    check_replaceable(Path(root) / quarter)  # a user's folder is refused as such, even with replace
    done = published_run(root, quarter)
    if done is not None and not replace:
        raise ReportError(
            f"{Path(root) / quarter} is already published (run {done}) and may have been sent: "
            f"pass --replace to publish anew (the old one is kept under {quarter}/{ARCHIVE}/{done}/)"
        )


def _archive(final: Path, tmp: Path) -> None:
    """Copy the published ``final`` and its archive into ``tmp/archive/`` (before ``tmp`` replaces it)."""
    done = published_run(final.parent, final.name)
    if done is None:
        return
    (tmp / ARCHIVE).mkdir(exist_ok=True)
    for old in sorted((final / ARCHIVE).glob("*")) if (final / ARCHIVE).is_dir() else []:
        shutil.copytree(old, tmp / ARCHIVE / old.name, dirs_exist_ok=True)
    shutil.copytree(final, tmp / ARCHIVE / done, ignore=shutil.ignore_patterns(ARCHIVE), dirs_exist_ok=True)
    logger.info("the publication of run %s is kept under %s/%s/%s", done, final, ARCHIVE, done)


def _publish_quarter(
    root: Path,
    quarter: str,
    run: Any,
    todo: list[Job],
    settings: dict,
    progress: Any,
    started: float,
    *,
    executor: Executor,
) -> tuple[Path, Path, list[JobResult]]:
    """Execute the jobs in a work folder under ``root``, then publish it as ``root/<quarter>``.

    Returns the published folder, the index page (in the work folder) and the job results. On
    any interruption (an error, Ctrl-C, SIGTERM) the work folder is deleted, and so are the
    folders this run made to hold it (``--out a/b/c`` where ``a`` did not exist): ``root`` is
    left as it was.
    """
    made = make_folders(root)
    clock = Stopwatch()
    try:
        check_replaceable(root / quarter)  # refuse a user's folder before any work, not after it
        remove_stale(root, quarter)
        tmp = temp_dir(root, quarter)
    except BaseException:
        remove_made(made)
        raise
    try:
        common, lang = _footer(run, quarter, settings.get("store", ""), settings["lang"]), settings["lang"]
        todo = _read_snapshot(run, todo, tmp, settings)
        clock.lap("snapshot")
        results = _execute_all(todo, tmp, common, lang, executor, progress)
        clock.lap("notebooks")
        settings = {**settings, "executor": executor.info()}
        files = attachments.attach(
            tmp, run, results, store=settings["store"], lang=lang, jobs=settings["jobs"]
        )
        clock.lap("attachments")
        pages = _indicator_pages(tmp, run, results, settings["store"], quarter)
        more = files.index_html(lang) + (indicators.indicators_index_html(lang) if pages.pages else "")
        index = write_index(tmp, results, common, lang=lang, quarter=quarter, extra=more)
        indicators.link_pages(tmp, lang, pages.codes)  # the briefs' and the index's anchors
        clock.lap("publish")
        extra = {
            "downloads": files.manifest(),
            "indicator_pages": pages.manifest(),
            "kernel_retries": kernel_retries(results),
            "stages": stage_table(run, results, clock.seconds, files.pdf_seconds),
        }
        write_manifest(tmp, run, results, settings, common, started, extra=extra)
        final = _destination(root, quarter, results)
        if final.name == quarter:
            check_replace(root, quarter, settings.get("replace", False))
            _archive(final, tmp)
        return publish(tmp, final), index, results
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        remove_made(made)
        raise


def _indicator_pages(
    tmp: Path, run: Any, results: list[JobResult], store: str, quarter: str
) -> indicators.IndicatorPages:
    """Write the indicator pages in every language (:mod:`forecast.report.publish.indicators`).

    A failure is logged and the quarter publishes without them (as without a PDF).
    """
    briefs = {r.job.parameters["province"]: r.job.html for r in results if r.ok and r.job.kind == "brief"}
    footers = {  # every indicator page sits beside its language's list
        lang: footer(_footer(run, quarter, store, lang), {}, lang, f"{indicators.FOLDER}/{lang}/index.html")
        for lang in LANGS
    }
    try:
        return indicators.write_indicator_pages(tmp, run, store=store, footers=footers, briefs=briefs)
    except Exception as e:  # noqa: BLE001 - the briefs publish without their indicator pages
        logger.warning("the indicator pages could not be written: %r", e)
        shutil.rmtree(tmp / indicators.FOLDER, ignore_errors=True)  # no half-written set of pages
        return indicators.IndicatorPages()


#: The stages of a report run in the manifest's ``stages``, in the order they run.
STAGES = (
    *("import", "forecast", "assess", "backtest", "save"),  # the run (pipeline.prepare_run)
    *("snapshot", "notebooks", "render", "pdf", "attachments", "publish"),
)


def stage_table(
    run: Any, results: list[JobResult], publishing: dict[str, float], pdf_seconds: float
) -> dict[str, Any]:
    """The manifest's ``stages``: wall seconds of each stage, and where the notebooks' time went.

    ``import`` … ``save`` are the run's own (the ``stages`` of :class:`forecast.assess.runs.Run`; absent when
    a stored run is republished); ``notebooks`` is the wall time of executing and rendering every
    notebook in the workers, of which ``render`` is the workers' summed HTML time (``cells`` their
    cells' time, the rest is overhead); ``pdf`` is the printing, which runs beside ``attachments``'
    tables; ``publish`` is the index and the move into place, up to the manifest.
    """
    seconds = {**getattr(run, "stages", {}), **publishing}
    seconds["render"] = sum(r.render_seconds for r in results)
    seconds["pdf"] = pdf_seconds
    table = {k: round(seconds[k], 2) for k in STAGES if k in seconds}
    done = [r for r in results if r.ok]
    cells = sum(r.cell_seconds for r in done)
    table["per_notebook"] = {
        "count": len(results),
        "worker_seconds": round(sum(r.seconds for r in results), 2),
        "cell_seconds": round(cells, 2),
        "overhead_seconds": round(
            sum(r.seconds - r.cell_seconds - r.render_seconds for r in done) / max(len(done), 1), 3
        ),
    }
    return table


def _read_snapshot(run: Any, todo: list[Job], tmp: Path, settings: dict) -> list[Job]:
    """Snapshot the store once into the work folder and have every job read it.

    The jobs' ``parameters`` keep the store the user gave (the published pages and the manifest
    show it, so a page can be rerun); only :attr:`~forecast.report.publish.execute.Job.reads` names the snapshot.

    Every page then reads the same data, whatever is imported meanwhile; the snapshot is recorded
    in the manifest (``settings["snapshot"]``, with its data fingerprint). A store changed since
    the run was forecast (an import in between) is logged as a warning and shows in the manifest
    as a snapshot fingerprint different from ``data_fingerprint``.
    """
    from forecast.data.store import snapshot

    store = settings.get("store")
    if not store or not Path(store).is_file():
        return todo
    _check_space(tmp, Path(store).stat().st_size * (int(settings["jobs"] or 1) + 1) + PAGE_BYTES * len(todo))
    snap = snapshot(store, tmp / "_work" / "snapshot" / Path(store).name)
    slices.link_frames(store, snap["file"], run.run_id)  # the pages read the run's frames
    settings["snapshot"] = {k: v for k, v in snap.items() if k != "file"}
    if str(run.data_fingerprint) != snap["data_fingerprint"]:
        logger.warning(
            "the store %s changed after the forecasts were made (an import ran meanwhile): every "
            "page reads the snapshot taken at %s; run the report again for one data version",
            store,
            snap["taken"],
        )
    return [replace(j, reads=snap["file"]) if "store" in j.parameters else j for j in todo]


#: Room one page and its analyst version take, for the free-space check before a run.
PAGE_BYTES = 2_000_000


def _check_space(folder: Path, need: int) -> None:
    """Raise :class:`~forecast.errors.DiskFullError` when ``folder``'s disk has less than ``need`` free.

    The snapshot, each worker's copy of it and the pages are written there; failing before the
    notebooks run is better than failing them all with a full disk.
    """
    free = shutil.disk_usage(folder).free
    if free < need:
        raise DiskFullError(
            f"the disk holding {folder.parent} has {free / 1e6:.1f} MB free but the report needs about "
            f"{need / 1e6:.0f} MB; free some space or pass --out on another disk (nothing was changed)"
        )


def _destination(root: Path, quarter: str, results: list[JobResult]) -> Path:
    """Return ``root/<quarter>``, or ``root/<quarter>-failed`` when every notebook failed.

    A run in which nothing worked must not replace a good earlier report of the same quarter.
    """
    final = root / quarter
    if results and not any(r.ok for r in results) and final.exists():
        logger.warning("every notebook failed: %s is kept, the failed run goes to %s-failed", final, quarter)
        return root / f"{quarter}-failed"
    return final


def _execute_all(
    todo: list[Job], tmp: Path, footer: dict[str, str], lang: str, executor: Executor, progress: Any
) -> list[JobResult]:
    """Execute every job with ``executor``; never stop at a failure. Results come in ``todo``'s order."""
    if progress is not None:
        progress.reset(total=len(todo))
    results: list[JobResult] = []
    # closing: an interruption stops the executor (it waits for running notebooks) before the
    # caller deletes the work folder.
    with closing(executor.run(todo, str(tmp), footer, lang)) as stream:
        for result in stream:
            results.append(result)
            _tick(progress, results, len(todo))
    order = {j.html: i for i, j in enumerate(todo)}
    return sorted(results, key=lambda r: order[r.job.html])


def kernel_retries(results: list[JobResult]) -> list[dict[str, Any]]:
    """The manifest's ``kernel_retries``: each job whose kernel had to be started again, and why."""
    return [
        {"notebook": r.job.notebook, "page": r.job.html, "ok": r.ok, "retries": r.kernel_retries}
        for r in results
        if r.kernel_retries
    ]


def _tick(progress: Any, results: list[JobResult], total: int) -> None:
    failed = sum(not r.ok for r in results)
    if not results[-1].ok:
        logger.warning("%s failed: %s", results[-1].job.html, results[-1].error)
    if progress is not None:
        progress.set_postfix_str(f"failed {failed}, remaining {total - len(results)}", refresh=False)
        progress.update(1)
