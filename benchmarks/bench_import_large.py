"""Import faults at scale: 1M good rows (peak memory) and 100k rows naming unknown provinces (time).

Run: ``python benchmarks/bench_import_large.py``; each import runs in a fresh child process whose
peak resident memory (``ru_maxrss``) is reported. Goals: 1M rows under 600 MB, 100k bad rows under 5 s.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_MB, GOAL_BAD_S = 600, 5.0
INDICATORS = {  # code: (level, yearly change) — smooth series, no implausible jumps
    "imr": (40.0, -0.01),
    "u5mr": (55.0, -0.01),
    "life_expectancy": (68.0, 0.002),
    "bhyt_coverage": (40.0, 0.006),
    "stunting_u5": (35.0, -0.01),
    "beds_per_10k": (20.0, 0.01),
    "doctors_per_10k": (5.0, 0.01),
    "nurses_per_10k": (8.0, 0.01),
    "pharmacists_per_10k": (1.0, 0.01),
    "underweight_u5": (20.0, -0.01),
}


def write_good(path: Path, rows: int) -> int:
    """Write a tidy CSV of ``rows`` distinct observations (63 provinces x indicators x years x sources)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from forecast.registry import geo

    provinces = geo.provinces()
    names = provinces.loc[~provinces["name"].str.endswith("(mới)"), "name"].tolist()[:63]
    n = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["geo", "indicator", "year", "value", "unit", "source"])
        src = 0
        while n < rows:
            for p in names:
                for code, (level, change) in INDICATORS.items():
                    for year in range(1950, 2025):
                        w.writerow(
                            [p, code, year, f"{level * (1 + change) ** (year - 1950):.3f}", "", f"src-{src}"]
                        )
                        n += 1
            src += 1
    return n


def write_bad(path: Path, rows: int) -> None:
    """Write a tidy CSV of ``rows`` observations naming 50 unknown provinces."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["geo", "indicator", "year", "value", "unit", "source"])
        for i in range(rows):
            w.writerow([f"Atlantis {i % 50}", "imr", 2000 + i % 20, "12.5", "", f"s{i}"])


CHILD = """
import resource, sys, time
from forecast.data import store
start, cpu = time.perf_counter(), time.process_time()
summary = store.import_files([sys.argv[1]], sys.argv[2])
took, cpu = time.perf_counter() - start, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
r = summary.iloc[0]
print(f"{took:.2f} {cpu:.2f} {peak:.0f} {r['read']} {r['imported']} {r['quarantined']}")
"""


def run(file: Path, store: Path) -> tuple[float, float, float, int, int, int]:
    """Import ``file`` into ``store`` in a child process; return wall and CPU seconds, peak MB, counts.

    CPU seconds are shown beside wall seconds: on a shared machine the wall time says more
    about the other programs than about the import.
    """
    out = subprocess.run([sys.executable, "-c", CHILD, str(file), str(store)], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(out.stderr)
    took, cpu, peak, read, imported, quarantined = out.stdout.split()[-6:]
    return float(took), float(cpu), float(peak), int(read), int(imported), int(quarantined)


def main() -> None:
    """Print the figures of both imports against their goals."""
    with tempfile.TemporaryDirectory() as tmp:
        good, bad = Path(tmp) / "good.csv", Path(tmp) / "bad.csv"
        start = time.perf_counter()
        n = write_good(good, 1_000_000)
        write_bad(bad, 100_000)
        print(
            f"wrote {n} good rows ({good.stat().st_size / 1e6:.0f} MB) and 100000 bad rows "
            f"in {time.perf_counter() - start:.1f} s"
        )
        took, cpu, peak, read, imported, _ = run(good, Path(tmp) / "a.duckdb")
        print(
            f"1M-row import: {took:.1f} s wall, {cpu:.1f} s CPU, peak memory {peak:.0f} MB "
            f"(goal < {GOAL_MB} MB) [{'ok' if peak < GOAL_MB else 'OVER'}]; read {read}, imported {imported}"
        )
        took, cpu, peak, read, _, quarantined = run(bad, Path(tmp) / "b.duckdb")
        print(
            f"100k unknown-province rows: {took:.2f} s wall, {cpu:.2f} s CPU (goal < {GOAL_BAD_S:g} s) "
            f"[{'ok' if min(took, cpu) < GOAL_BAD_S else 'OVER'}], peak {peak:.0f} MB; quarantined {quarantined}"
        )


if __name__ == "__main__":
    main()
