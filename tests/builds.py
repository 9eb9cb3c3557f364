"""What several test files share and is slow to make: made once per session across pytest-xdist workers.

A whole default run or real report takes a minute. Made by each worker that needs it, it took a
minute of every worker; made under a lock by the first to ask, the other sat idle on the lock. So
when the whole suite runs on several workers, the controller also starts this module as a
background builder (``tests/conftest.py``, :func:`main`), at a lower priority, on the CPU the
workers leave idle (their subprocesses, browsers and waits): whichever of it or a worker comes
first makes a build, the others read it. It starts no notebook kernel (:data:`BACKGROUND`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: The shared builds the background builder makes: the bundled store first (the others start from a
#: copy of it, :func:`_bundled_into`), then the default run, which most tests need. Not the real
#: report: the builder starts no notebook kernels beside the workers' own (three runs of notebooks at
#: once on two cores); the first worker to need it makes it.
BACKGROUND = ("bundled-store", "default-run")
#: The real report the print and map tests read: an old province with a plan (Hà Nam), one whose
#: plan sets few targets (Bắc Giang) and a merged province (Ninh Bình (mới), the 34-province map).
REAL_PROVINCES = ["Hà Nam", "Bắc Giang", "Ninh Bình (mới)"]


def _default_run(folder: Path) -> tuple:
    """The default run of 2026Q4 (every province; national targets for the default provinces
    without a plan) and the observations a brief reads (merged provinces rebuilt)."""
    from forecast import pipeline
    from forecast.data import merged
    from forecast.data import store as store_db

    store = _bundled_into(folder)
    run = pipeline.prepare_run("2026Q4", store, national_for=pipeline.default_provinces())
    return run, merged.with_merged(store_db.analysis_series(store))


def _real_report(folder: Path) -> Any:
    """The real notebooks on the bundled data for :data:`REAL_PROVINCES` (a ``ReportResult``)."""
    from forecast import pipeline

    store = _bundled_into(folder)
    result = pipeline.run_report(
        "2026Q4", provinces=REAL_PROVINCES, out=folder / "reports", store=store, jobs=2
    )
    assert not result.failures, [(r.job.html, r.error) for r in result.failures]
    return result


def _bundled_store(folder: Path) -> dict:
    """The bundled public statistics in a fresh store, no run."""
    from forecast.data import store as store_db

    return store_db.ensure_default_data(folder / "store.duckdb")


def _bundled_into(folder: Path) -> Path:
    """A copy of the bundled-store build in ``folder`` (the builds share ``folder.parent``): the
    bundled statistics are imported once per session, not once per build."""
    source, _ = build_at(folder.parent, "bundled-store")
    return _copy_store(source / "store.duckdb", folder)


def _copy_store(store: Path, folder: Path) -> Path:
    """Copy ``store`` into ``folder`` with the files beside it that belong to it (the run's page
    frames ``<store>.runs/``, the quarantine); return the copy's path."""
    for path in store.parent.glob(f"{store.name}*"):
        (shutil.copytree if path.is_dir() else shutil.copy2)(path, folder / path.name)
    return folder / store.name


BUILDS: dict[str, Callable[[Path], Any]] = {
    "default-run": _default_run,
    "real-report": _real_report,
    "bundled-store": _bundled_store,
}


def shared_root(tmp_path_factory) -> Path:
    """The folder every worker of the session sees: the controller's base temp."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_at(root: Path, name: str) -> tuple[Path, Any]:
    """Build ``name`` (:data:`BUILDS`) into ``root`` once, under a lock; ``(folder, value)``."""
    folder, done = root / f"built-{name}", root / f"built-{name}.pickle"
    with (root / f"built-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                with contextlib.suppress(FileNotFoundError):
                    shutil.rmtree(folder)  # a build that failed part way
                folder.mkdir()
                value = BUILDS[name](folder)
                part = done.with_suffix(".part")
                part.write_bytes(pickle.dumps(value))
                part.rename(done)
            return folder, pickle.loads(done.read_bytes())
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def built_once(tmp_path_factory, name: str) -> tuple[Path, Any]:
    """Build ``name`` once per test session, whatever the number of workers; ``(folder, value)``.

    Callers copy a store before they open it (:func:`store_copy_of`): DuckDB lets one process
    write a file, and a test's reads may not be read-only.
    """
    return build_at(shared_root(tmp_path_factory), name)


def store_copy_of(store: Path, tmp_path_factory) -> Path:
    """A copy of ``store`` of this worker's own, with the files beside it that belong to it (the
    run's page frames ``<store>.runs/``, the quarantine) (see :func:`built_once`)."""
    return _copy_store(store, tmp_path_factory.mktemp("store"))


def bundled_store_copy(tmp_path_factory) -> Path:
    """A store of the bundled public statistics and no run, of this worker's own."""
    folder, _ = built_once(tmp_path_factory, "bundled-store")
    return store_copy_of(folder / "store.duckdb", tmp_path_factory)


def main(argv: list[str]) -> int:
    """``python tests/builds.py ROOT NAME...``: make the builds in ``ROOT`` (the background builder)."""
    os.nice(10)  # the workers' tests first: this takes the CPU they leave
    root = Path(argv[0])
    for name in argv[1:]:
        build_at(root, name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
