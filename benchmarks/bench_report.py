"""Time the full default quarterly report and the per-notebook overhead of the report pool.

Run: ``python benchmarks/bench_report.py [--jobs N] [--quarter 2026Q4]``. Prints the wall time of
the default run (goal: under 3 minutes on 2 cores) and compares each notebook's overhead (its wall
time minus the time in its own cells: kernel start, parameters, rendering, writing) with papermill
executing an empty notebook in the same kind of pool (goal: under 1.5x).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from common import empty_pool, overheads
from forecast import pipeline
from forecast.report.publish.pdf import page_count


def main() -> None:
    """Run the default quarterly report into a temporary folder and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--quarter", default="2026Q4")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        res = pipeline.run_report(
            args.quarter, jobs=args.jobs, out=tmp / "reports", store=tmp / "store.duckdb"
        )
        wall = time.perf_counter() - start
        ok = [r for r in res.results if r.ok]
        overhead = overheads(res.results)
        empty = empty_pool(max(4, 2 * args.jobs), args.jobs, tmp)
        sizes = {p.relative_to(res.folder).as_posix(): p.stat().st_size for p in res.folder.rglob("*.html")}
        downloads = json.loads((res.folder / "manifest.json").read_text(encoding="utf-8"))["downloads"]
        pdfs = {p.stem: (page_count(p), p.stat().st_size) for p in sorted(res.folder.glob("briefs/*.pdf"))}
    briefs = [s for k, s in sizes.items() if k.startswith("briefs/")]
    analyst = [s for k, s in sizes.items() if k.startswith("analyst/")]
    print(
        f"default run {args.quarter}: {wall:.1f} s wall on {args.jobs} workers "
        f"({len(res.results)} notebooks, {len(res.failures)} failed; goal < 180 s)"
    )
    print(
        f"  notebooks: {sum(r.seconds for r in ok):.1f} s in total, of which "
        f"{sum(r.cell_seconds for r in ok):.1f} s in their own cells"
    )
    print(f"  per-notebook overhead: median {statistics.median(overhead):.2f} s, max {max(overhead):.2f} s")
    print(f"  empty notebook, same pool: median {statistics.median(empty):.2f} s")
    print(
        f"  ratio overhead / empty: {statistics.median(overhead) / statistics.median(empty):.2f}x "
        f"(goal < 1.5x)"
    )
    print(
        f"  HTML: brief median {statistics.median(briefs) / 1e3:.0f} KB, analyst median "
        f"{statistics.median(analyst) / 1e3:.0f} KB, index {sizes['index.html'] / 1e3:.0f} KB, "
        f"total {sum(sizes.values()) / 1e6:.1f} MB in {len(sizes)} files"
    )
    print(
        f"  PDFs and downloads: {downloads['seconds']:.1f} s; PDF pages (KB): "
        + ", ".join(f"{k} {n} ({b / 1e3:.0f})" for k, (n, b) in pdfs.items())
        + (f"; missing: {len(downloads['pdf_missing'])}" if downloads["pdf_missing"] else "")
    )
    for r in res.failures:
        print(f"  FAILED {r.job.html}: {r.error}")


if __name__ == "__main__":
    main()
