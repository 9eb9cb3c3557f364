"""Scale of the quarterly report: process pool vs a Dask LocalCluster, from one province to ``--all``.

Run: ``python benchmarks/bench_scale.py [--jobs 2] [--quarter 2026Q4]``. In one run, for each
executor (the spawn process pool; a LocalCluster of ``--jobs`` worker processes, started once
here and used through ``--scheduler``-style address), it times the report of one province, the
5-province default and ``--all`` (every province with data or a plan, old and merged), then:

* per-notebook overhead: a notebook's wall time minus the time in its own cells (kernel start,
  parameters, rendering, writing), median, against papermill executing an empty notebook on the
  same workers in the same run (goal: <= 1.5x);
* throughput: wall seconds x workers / notebooks;
* growth: the least-squares line wall = a + b x notebooks over the three runs (b: seconds per
  notebook; a: fixed cost of a run: forecasting, pool or connection start-up, index, publish).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from common import empty_notebook, empty_pool, overheads
from forecast import pipeline
from forecast.data.store import ensure_default_data

SIZES = {"one": ["Hà Nam"], "default": None, "all": "both"}


def _empty_in_dask(out: str) -> float:
    from forecast.report.publish.executors import _prepare_dask_worker

    _prepare_dask_worker()
    return empty_notebook(out)


def empty_dask(n: int, jobs: int, folder: Path, address: str) -> list[float]:
    """Per-notebook seconds of ``n`` empty notebooks on the cluster's (warmed) workers."""
    from distributed import Client

    with Client(address, set_as_default=False) as client:
        warm = [str(folder / f"dwarm{i}.ipynb") for i in range(jobs)]
        client.gather(client.map(_empty_in_dask, warm, pure=False))
        return client.gather(client.map(_empty_in_dask, [str(folder / f"d{i}.ipynb") for i in range(n)]))


def one_run(size: str, scheduler: str | None, jobs: int, quarter: str, tmp: Path) -> dict:
    """Time one report of ``size`` with the executor ``scheduler``; return its figures."""
    chosen = SIZES[size]
    start = time.perf_counter()
    res = pipeline.run_report(
        quarter,
        provinces=chosen if isinstance(chosen, list) else None,
        scope=chosen if isinstance(chosen, str) else None,
        scheduler=scheduler,
        jobs=jobs,
        out=tmp / f"reports-{size}-{'dask' if scheduler else 'pool'}",
        store=tmp / "store.duckdb",
    )
    wall = time.perf_counter() - start
    over = overheads(res.results)
    return {
        "size": size,
        "wall": wall,
        "n": len(res.results),
        "failed": len(res.failures),
        "overhead": statistics.median(over) if over else float("nan"),
        "cells": sum(r.cell_seconds for r in res.results if r.ok),
    }


def report(name: str, runs: list[dict], empty: list[float], jobs: int, extra: str = "") -> None:
    """Print one executor's figures."""
    e = statistics.median(empty)
    print(f"{name}{extra}:")
    for r in runs:
        print(
            f"  {r['size']:>7}: {r['n']:4d} notebooks ({r['failed']} failed) in {r['wall']:6.1f} s wall; "
            f"per notebook: overhead {r['overhead']:.2f} s = {r['overhead'] / e:.2f}x the empty "
            f"notebook (goal <= 1.5x), throughput {r['wall'] * jobs / r['n']:.2f} worker-s"
        )
    print(f"  empty notebook on the same workers: median {e:.2f} s ({len(empty)} runs)")
    n = np.array([r["n"] for r in runs], dtype=float)
    if len(set(n)) < 2:
        return
    slope, intercept = np.polyfit(n, np.array([r["wall"] for r in runs]), 1)
    print(
        f"  growth: wall = {intercept:.1f} s + {slope:.2f} s x notebooks "
        f"(fit over {len(runs)} runs; {slope * jobs:.2f} worker-s per notebook; "
        f"2,000 notebooks ~ {(intercept + slope * 2000) / 60:.0f} min on {jobs} workers)"
    )


def main() -> None:
    """Run both executors at three sizes, the empty notebooks, and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--quarter", default="2026Q4")
    ap.add_argument("--sizes", default=",".join(SIZES), help="comma-separated: one, default, all")
    args = ap.parse_args()
    sizes = [s for s in args.sizes.split(",") if s in SIZES]
    import dask
    from distributed import LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ensure_default_data(tmp / "store.duckdb")
        t0 = time.perf_counter()
        with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
            cluster = LocalCluster(
                n_workers=args.jobs, threads_per_worker=1, processes=True, dashboard_address=":0"
            )
        started = time.perf_counter() - t0
        with cluster:
            runs: dict[str, list[dict]] = {"pool": [], "dask": []}
            for size in sizes:  # interleaved, so that a change in the machine's load hits both
                runs["pool"].append(one_run(size, None, args.jobs, args.quarter, tmp))
                runs["dask"].append(one_run(size, cluster.scheduler_address, args.jobs, args.quarter, tmp))
            n_empty = max(4, 4 * args.jobs)
            empties = {
                "pool": empty_pool(n_empty, args.jobs, tmp),
                "dask": empty_dask(n_empty, args.jobs, tmp, cluster.scheduler_address),
            }
    print(f"quarterly report {args.quarter} on {args.jobs} workers ({os.cpu_count()} cores):")
    report("process pool (spawn)", runs["pool"], empties["pool"], args.jobs)
    report(
        "Dask LocalCluster", runs["dask"], empties["dask"], args.jobs, f" (started once in {started:.1f} s)"
    )


if __name__ == "__main__":
    main()
