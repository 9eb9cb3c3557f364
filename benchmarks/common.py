"""What the benchmarks share: the real series they score, where they save, the empty-notebook yardstick.

* :func:`load_series` and :func:`save_scores` serve the accuracy benchmarks (``bench_engine.py``,
  ``bench_inner.py``): the tidy observations of some indicators in a file of ``../shared/data``
  (GSO regions left out) and the CSV of their scores under ``benchmarks/results/`` (git-ignored).
* :func:`empty_notebook`, :func:`empty_pool` and :func:`overheads` serve the report benchmarks
  (``bench_report.py``, ``bench_scale.py``): a notebook's overhead (its wall time minus the time in
  its own cells) is compared with papermill executing :data:`EMPTY` on the same kind of workers.

Imported as ``common`` by the scripts in this folder (``python benchmarks/bench_x.py`` puts the
folder first on ``sys.path``; spawned pool and Dask workers inherit it).
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from forecast import config
from forecast.report.publish.execute import KERNEL_ARGS, worker_init

EMPTY = Path(__file__).resolve().parents[1] / "tests" / "notebooks" / "report_empty.ipynb"
RESULTS = config.PROJ_ROOT / "benchmarks" / "results"


def quiet() -> None:
    """Keep the library's progress messages out of the printed tables (errors still show)."""
    logging.getLogger("forecast").setLevel(logging.ERROR)


def load_series(file: str, codes: list[str]) -> pd.DataFrame:
    """Rows of ``codes`` in ``file`` (relative to ``config.SHARED_DATA_DIR``), GSO regions left out."""
    df = pd.read_csv(config.SHARED_DATA_DIR / file)
    keep = df["indicator"].isin(codes) & ~df["geo"].astype(str).str.startswith("Vùng")
    return df[keep].reset_index(drop=True)


def save_scores(scores: pd.DataFrame, stem: str) -> Path:
    """Write ``scores`` to ``benchmarks/results/<stem>_scores.csv``; return the path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{stem}_scores.csv"
    scores.to_csv(path, index=False)
    return path


def empty_notebook(out: str) -> float:
    """Execute the empty notebook as a report worker would; return seconds.

    In a report pool's worker (:func:`worker_init`) that is its warm kernel
    (:mod:`forecast.report.publish.kernels`); elsewhere (a Dask worker) papermill with a new kernel.
    """
    import papermill as pm

    from forecast.report.publish import execute, kernels

    start = time.perf_counter()
    if kernels.enabled():
        kernels.warm_kernel().execute(EMPTY, {"x": 2}, execution_timeout=execute.CELL_TIMEOUT)
        return time.perf_counter() - start
    pm.execute_notebook(
        str(EMPTY),
        out,
        parameters={"x": 2},
        kernel_name="python3",
        progress_bar=False,
        log_output=False,
        request_save_on_cell_execute=False,
        extra_arguments=KERNEL_ARGS,
    )
    return time.perf_counter() - start


def empty_pool(n: int, jobs: int, folder: Path) -> list[float]:
    """Per-notebook seconds of ``n`` empty notebooks in a spawn pool of ``jobs`` warmed workers."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=worker_init) as pool:
        list(pool.map(empty_notebook, [str(folder / f"warm{i}.ipynb") for i in range(jobs)]))
        return list(pool.map(empty_notebook, [str(folder / f"e{i}.ipynb") for i in range(n)]))


def overheads(results: list[Any]) -> list[float]:
    """Each notebook's overhead (wall seconds minus seconds in its own cells), of those that ran."""
    return [r.seconds - r.cell_seconds for r in results if r.ok]
