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

#: The real report the print and map tests read: an old province with a plan (Hà Nam), one whose
#: plan sets few targets (Bắc Giang) and a merged province (Ninh Bình (mới), the 34-province map).
REAL_PROVINCES = ["Hà Nam", "Bắc Giang", "Ninh Bình (mới)"]


@pytest.fixture(scope="session")
def real_report(tmp_path_factory):
    """The real notebooks on the bundled data for :data:`REAL_PROVINCES`, once per session
    (whatever the number of workers): ``(result, run, store)``, the store a copy of this worker's."""
    from builds import built_once, store_copy_of
    from forecast import config, pipeline
    from forecast.assess import runs

    if not (config.SHARED_DATA_DIR / "vn_provinces.csv").exists():
        pytest.skip(f"no shared data at {config.SHARED_DATA_DIR}")

    def build(folder: Path):
        result = pipeline.run_report(
            "2026Q4", provinces=REAL_PROVINCES, out=folder / "reports", store=folder / "store.duckdb", jobs=2
        )
        assert not result.failures, [(r.job.html, r.error) for r in result.failures]
        return result

    folder, result = built_once(tmp_path_factory, "real-report", build)
    store = store_copy_of(folder / "store.duckdb", tmp_path_factory)
    return result, runs.load_run(store), store
