"""Time the import of every observation file in the shared data folder into a fresh store.

Run: ``python benchmarks/bench_import.py`` (prints seconds and counts; the budget is 10 s), then
the large-file figures of :mod:`bench_import_large` (1M rows: peak memory; 100k bad rows: time).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from forecast import config
from forecast.data import store


def main() -> None:
    """Import ``config.SHARED_DATA_DIR/*.csv`` and ``gso_pxweb/*.csv`` (never ``targets/``), and the
    bundled default (``store.ensure_default_data``) alone, and print the figures."""
    shared = Path(config.SHARED_DATA_DIR)
    files = sorted(shared.glob("*.csv")) + sorted((shared / "gso_pxweb").glob("*.csv"))
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        default = store.ensure_default_data(Path(tmp) / "default.duckdb")
        bundled = time.perf_counter() - start
        path = Path(tmp) / "bench.duckdb"
        start = time.perf_counter()
        summary = store.import_files(files, path)
        first = time.perf_counter() - start
        start = time.perf_counter()
        again = store.import_files(files, path)
        second = time.perf_counter() - start
        start = time.perf_counter()
        picked = store.analysis_series(path)
        analysis = time.perf_counter() - start
    print(summary.to_string(index=False))
    print(
        f"\nfresh import of {len(files)} files: {first:.2f} s "
        f"({summary['imported'].sum()} imported, {summary['duplicate'].sum()} duplicate, "
        f"{summary['quarantined'].sum()} quarantined)"
    )
    print(
        f"bundled default ({', '.join(default['files'])}): {bundled:.2f} s "
        f"({default['imported']} imported, {default['quarantined']} quarantined)"
    )
    print(f"re-import (all duplicates): {second:.2f} s ({again['imported'].sum()} imported)")
    print(f"analysis_series: {analysis:.2f} s ({len(picked)} rows)")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_import_large

    bench_import_large.main()


if __name__ == "__main__":
    main()
