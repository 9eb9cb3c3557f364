"""Run every benchmark (or those named) and print their figures: ``python -m benchmarks [import engine attain pool report scale] [--option ...]``.

Each benchmark runs in its own process, so one's imports and threads do not colour another's timing.
Options (words starting with ``-``) go to every benchmark named, e.g. ``python -m benchmarks report
--skip-all`` (``make bench BENCH_ARGS="report --skip-all"``): the quarterly report without ``--all``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ("import", "engine", "attain", "pool", "report", "scale")


def main(argv: list[str]) -> int:
    options = [a for a in argv if a.startswith("-")]
    names = [a for a in argv if not a.startswith("-")] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    for name in names:
        print(f"\n=== benchmarks/bench_{name}.py ===", flush=True)
        code = subprocess.run([sys.executable, str(HERE / f"bench_{name}.py"), *options]).returncode
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
