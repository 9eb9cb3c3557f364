"""The report tests live in two rooms, as the code does (pages/, publish/), and share builders.

pytest's default import mode puts each test file's own folder on ``sys.path``; the builders of
fixture frames (``test_views``), reports (``test_quarter``) and stores (``test_notebooks``) are
imported across the rooms, so all three folders are put there once, here.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for folder in (HERE, HERE / "pages", HERE / "publish"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


import pytest  # noqa: E402

import builds  # noqa: E402  # tests/builds.py

REAL_PROVINCES = builds.REAL_PROVINCES


@pytest.fixture(scope="session")
def real_report(tmp_path_factory):
    """The real notebooks on the bundled data for :data:`REAL_PROVINCES`, once per session
    (:mod:`builds`): ``(result, run, store)``, the store this worker's copy."""
    from forecast import config
    from forecast.assess import runs

    if not (config.SHARED_DATA_DIR / "vn_provinces.csv").exists():
        pytest.skip(f"no shared data at {config.SHARED_DATA_DIR}")
    folder, result = builds.built_once(tmp_path_factory, "real-report")
    store = builds.store_copy_of(folder / "store.duckdb", tmp_path_factory)
    return result, runs.load_run(store), store
