"""The quarterly run: forecast once, execute every notebook in worker processes, publish one folder.

Layout of ``reports/<quarter>/`` (written to a hidden sibling, moved into place only when complete)::

    index.html                         national scorecard, links to every page, failures
    briefs/<province-slug>.html        policy brief (no code)
    analyst/<province-slug>/brief.html analyst version of the brief (with code)
    analyst/<province-slug>/<indicator>.html   deep dive (with code)
    failed/<name>.ipynb, .html         a failed notebook as executed up to its error
    manifest.json                      parameters, data vintage, versions, durations, failures

A notebook that fails does not stop the others; the run still publishes, lists the failure and
:class:`ReportResult` carries it (the CLI turns it into a non-zero exit).
"""
from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import config, geo
from .errors import ReportError
from .jobs import Job, JobResult, execute_job, worker_init
from .layout import publish, remove_stale, slugify, temp_dir, write_index, write_manifest
from .log import logger

NOTEBOOKS = {"brief": "province_brief.ipynb", "indicator": "indicator.ipynb",
             "overview": "overview.ipynb"}
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")

__all__ = ["run_report", "plan_jobs", "default_provinces", "prepare_run", "ReportResult"]


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


def check_quarter(quarter: str) -> str:
    """Return ``quarter`` if it reads like ``2026Q4``; raise :class:`ReportError` otherwise."""
    if not _QUARTER.match(str(quarter)):
        raise ReportError(f"quarter {quarter!r} is not like 2026Q4; write the year, 'Q' and 1-4")
    return str(quarter)


def default_provinces() -> list[str]:
    """Return the provinces of the seed plans (those in the target registry), in registry order."""
    from .targets import load_targets

    return list(dict.fromkeys(load_targets()["province"]))


def prepare_run(quarter: str, store: str, provinces: list[str] | None) -> Any:
    """Make sure the store holds data, run the forecasts once and return the loaded run."""
    from . import runs
    from . import store as store_mod

    store_mod.ensure_default_data(store)
    run_id = runs.run_forecasts(quarter, store=store, provinces=provinces)
    return runs.load_run(store=store, run_id=run_id)


def plan_jobs(run: Any, provinces: list[str], *, quarter: str, lang: str, store: str,
              notebooks: dict[str, Path]) -> list[Job]:
    """Return one job per brief, per (province, indicator) deep dive with data, plus the overview.

    Deep dives come from ``run.assessments``: outcome targets whose series has an observation.
    """
    a = run.assessments
    keep = a["province"].isin(provinces) & a["latest_value"].notna() & (a["category"] != "no_data")
    if "kind" in a:
        keep &= a["kind"] == "outcome"
    pairs = a.loc[keep, ["province", "indicator"]].drop_duplicates().itertuples(index=False)
    common = {"quarter": quarter, "run_id": run.run_id, "store": store, "lang": lang}
    jobs = [Job("overview", str(notebooks["overview"]), dict(common), "index.html", quarter)]
    for p in provinces:
        slug = slugify(p)
        jobs.append(Job("brief", str(notebooks["brief"]), {"province": p, **common},
                        f"briefs/{slug}.html", f"{p} · {quarter}",
                        analyst_html=f"analyst/{slug}/brief.html"))
    for p, ind in sorted(pairs):
        jobs.append(Job("indicator", str(notebooks["indicator"]),
                        {"province": p, "indicator": ind, **common},
                        f"analyst/{slugify(p)}/{ind}.html", f"{p} · {ind} · {quarter}"))
    return jobs


def _footer(run: Any, quarter: str) -> dict[str, str]:
    """Return the provenance shown on every page (parameters are added per page)."""
    from importlib.metadata import PackageNotFoundError, version

    def v(pkg: str) -> str:
        try:
            return version(pkg)
        except PackageNotFoundError:
            return "-"

    a = run.assessments
    years = a["latest_year"].dropna() if "latest_year" in a else a.iloc[0:0]
    vintage = f"{str(run.data_fingerprint)[:12]} · {int(years.max()) if len(years) else '-'}"
    versions = ", ".join(f"{p} {v(p)}" for p in ("forecast-workbench", "pandas", "statsmodels",
                                                   "papermill", "nbconvert"))
    return {"quarter": quarter, "data": vintage, "run": str(run.run_id), "versions": versions}


def run_report(quarter: str, *, provinces: list[str] | None = None, jobs: int | None = None,
               out: str | os.PathLike | None = None, store: str | os.PathLike | None = None,
               lang: str = "vi", notebooks: dict[str, str | os.PathLike] | None = None,
               progress: Any = None) -> ReportResult:
    """Run the quarter's forecasts and publish every notebook as HTML under ``out/<quarter>/``.

    Parameters
    ----------
    quarter
        Reporting quarter, e.g. ``2026Q4`` (also the run's ``as_of``).
    provinces
        Provinces to report (any spelling); default: the seed-plan provinces.
    jobs
        Worker processes; default one per core.
    out
        Reports folder; default ``reports/``. Other quarters in it are never touched.
    store
        Store file; default from :func:`forecast.config.store_path`.
    lang
        Language of the briefs (``vi`` or ``en``).
    notebooks
        Override of the notebooks ``brief``, ``indicator``, ``overview`` (tests use fixtures).
    progress
        A tqdm-like bar (``reset``, ``update``, ``set_postfix_str``) owned by the caller.

    Returns
    -------
    ReportResult
        ``folder`` and ``index`` of the published quarter, ``results``; ``failures`` lists the
        notebooks that failed (the folder is published anyway).

    Raises
    ------
    ReportError
        If the quarter is malformed or a notebook file is missing (before anything runs).

    Notes
    -----
    Workers are *spawned* (the parent holds DuckDB and BLAS threads that a fork would copy), so a
    script that calls this must do so under ``if __name__ == "__main__":``; the CLI and Jupyter do.
    An interruption (exception, Ctrl-C) deletes the work folder and leaves ``out`` as it was.
    """
    started = time.time()
    quarter = check_quarter(quarter)
    store = str(Path(config.store_path(store)).resolve())
    nbs = _notebooks(notebooks)
    chosen = [geo.resolve_geo(p) for p in provinces] if provinces else default_provinces()
    run = prepare_run(quarter, store, [*chosen] if provinces else None)
    settings = {"provinces": chosen, "jobs": jobs or os.cpu_count(), "lang": lang, "store": store,
                "notebooks": {k: str(v) for k, v in nbs.items()},
                "forecast_seconds": round(time.time() - started, 2)}
    todo = plan_jobs(run, chosen, quarter=quarter, lang=lang, store=store, notebooks=nbs)
    final, index, results = _publish_quarter(Path(out or config.REPORTS_DIR).resolve(), quarter,
                                             run, todo, settings, progress, started)
    logger.info("published %s (%d notebooks, %d failed)", final, len(results),
                sum(not r.ok for r in results))
    return ReportResult(folder=final, index=final / index.name, results=results)


def _publish_quarter(root: Path, quarter: str, run: Any, todo: list[Job], settings: dict,
                     progress: Any, started: float) -> tuple[Path, Path, list[JobResult]]:
    """Execute the jobs in a work folder under ``root``, then publish it as ``root/<quarter>``.

    Returns the published folder, the index page (in the work folder) and the job results. On
    any interruption the work folder is deleted and ``root`` is left as it was.
    """
    root.mkdir(parents=True, exist_ok=True)
    remove_stale(root, quarter)
    tmp = temp_dir(root, quarter)
    common, lang = _footer(run, quarter), settings["lang"]
    try:
        results = _execute_all(todo, tmp, common, lang, settings["jobs"], progress)
        index = write_index(tmp, results, common, lang=lang, quarter=quarter)
        write_manifest(tmp, run, results, settings, common, started)
        return publish(tmp, _destination(root, quarter, results)), index, results
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _destination(root: Path, quarter: str, results: list[JobResult]) -> Path:
    """Return ``root/<quarter>``, or ``root/<quarter>-failed`` when every notebook failed.

    A run in which nothing worked must not replace a good earlier report of the same quarter.
    """
    final = root / quarter
    if results and not any(r.ok for r in results) and final.exists():
        logger.warning("every notebook failed: %s is kept, the failed run goes to %s-failed",
                       final, quarter)
        return root / f"{quarter}-failed"
    return final


def _notebooks(overrides: dict[str, str | os.PathLike] | None) -> dict[str, Path]:
    """Return the absolute notebook of each kind; raise :class:`ReportError` if one is missing."""
    given = {**{k: config.NOTEBOOKS_DIR / n for k, n in NOTEBOOKS.items()}, **(overrides or {})}
    nbs = {k: Path(v).resolve() for k, v in given.items()}
    missing = [str(p) for p in nbs.values() if not p.exists()]
    if missing:
        raise ReportError(f"notebook {missing[0]} does not exist; restore it from git or pass "
                          "notebooks={'brief': ..., 'indicator': ..., 'overview': ...}")
    return nbs


def _execute_all(todo: list[Job], tmp: Path, footer: dict[str, str], lang: str,
                 jobs: int | None, progress: Any) -> list[JobResult]:
    """Execute every job in a pool of fresh worker processes; never stop at a failure."""
    n = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    if progress is not None:
        progress.reset(total=len(todo))
    results: list[JobResult] = []
    # spawn: the parent holds DuckDB and BLAS threads, which a fork would copy mid-state.
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(n, mp_context=ctx, initializer=worker_init) as pool:
        try:
            futures = {pool.submit(execute_job, job, str(tmp), footer, lang): job for job in todo}
            for fut in as_completed(futures):
                results.append(_result(fut, futures[fut]))
                _tick(progress, results, len(todo))
        except BaseException:
            # Wait for the running notebooks (on Ctrl-C the workers got it too and stop at once):
            # a worker still writing after the caller deleted the work folder would leave debris.
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    order = {j.html: i for i, j in enumerate(todo)}
    return sorted(results, key=lambda r: order[r.job.html])


def _result(fut: Any, job: Job) -> JobResult:
    # A worker that dies (out of memory, segfault) fails its notebook, not the run.
    try:
        return fut.result()
    except Exception as e:  # noqa: BLE001 - any worker crash becomes a listed failure
        return JobResult(job, ok=False, seconds=0.0, error=f"worker crashed: {e!r}")


def _tick(progress: Any, results: list[JobResult], total: int) -> None:
    failed = sum(not r.ok for r in results)
    if not results[-1].ok:
        logger.warning("%s failed: %s", results[-1].job.html, results[-1].error)
    if progress is not None:
        progress.set_postfix_str(f"failed {failed}, remaining {total - len(results)}", refresh=False)
        progress.update(1)
