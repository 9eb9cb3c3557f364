"""Run every benchmark (or those named) and print their figures: ``python -m benchmarks [import engine attain pool report scale] [--option ...]``.

Each benchmark runs in its own process, so one's imports and threads do not colour another's timing.
Those that fit the peers (:data:`PEERS`: statsforecast, scikit-learn) run in this interpreter, the
bench venv's (``make bench``: ``.venv-bench``, where statsforecast holds pandas below 3); the others run
in ``$FORECAST_PYTHON`` when it is set (``make bench`` sets it to ``.venv``'s), so that the report's and
the import's timings are taken on the pandas the workbench's users have.
Options (words starting with ``-``) go to every benchmark named, e.g. ``python -m benchmarks report
--skip-all`` (``make bench BENCH_ARGS="report --skip-all"``): the quarterly report without ``--all``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ("import", "engine", "attain", "pool", "report", "scale")
#: The benchmarks that fit the statsforecast peers or the pooled model (the ``bench`` extra).
PEERS = ("engine", "attain", "pool")


def interpreter(name: str) -> str:
    """The Python that runs benchmark ``name``: this one for :data:`PEERS`, else ``$FORECAST_PYTHON``."""
    return sys.executable if name in PEERS else os.environ.get("FORECAST_PYTHON") or sys.executable


def main(argv: list[str]) -> int:
    options = [a for a in argv if a.startswith("-")]
    names = [a for a in argv if not a.startswith("-")] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    for name in names:
        print(f"\n=== benchmarks/bench_{name}.py ===", flush=True)
        code = subprocess.run([interpreter(name), str(HERE / f"bench_{name}.py"), *options]).returncode
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
