"""``python -m benchmarks``: which interpreter runs which benchmark (``make bench``)."""

from __future__ import annotations

import sys

from forecast import config

sys.path.insert(0, str(config.PROJ_ROOT))
from benchmarks import __main__ as bench_main  # noqa: E402


def test_the_peers_run_in_the_bench_venv_and_the_report_in_the_users(monkeypatch):
    """statsforecast holds pandas below 3: only the benchmarks that fit it run in its venv."""
    monkeypatch.setenv("FORECAST_PYTHON", "/users/venv/bin/python")
    assert [bench_main.interpreter(n) for n in bench_main.PEERS] == [sys.executable] * 3
    assert bench_main.interpreter("report") == bench_main.interpreter("import") == "/users/venv/bin/python"
    monkeypatch.delenv("FORECAST_PYTHON")
    assert bench_main.interpreter("report") == sys.executable  # run by hand: one interpreter
