"""What several test files share and is slow to make: made once per session across pytest-xdist workers."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any


def built_once(tmp_path_factory, name: str, build: Callable[[Path], Any]) -> tuple[Path, Any]:
    """``build(folder)`` once per test session, whatever the number of pytest-xdist workers.

    The first worker to ask builds into a folder of the session's base temp (shared by the
    workers) under a lock and pickles what ``build`` returns; the others wait on the lock and read
    it. A whole default run or real report takes a minute: built on each worker it took a minute
    of every worker. Returns ``(folder, value)``; callers copy a store before they open it (DuckDB
    lets one process write a file, and a test's reads may not be read-only).
    """
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder, done = root / f"built-{name}", root / f"built-{name}.pickle"
    with (root / f"built-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                with contextlib.suppress(FileNotFoundError):
                    shutil.rmtree(folder)  # a build that failed part way
                folder.mkdir()
                value = build(folder)
                part = done.with_suffix(".part")
                part.write_bytes(pickle.dumps(value))
                part.rename(done)
            return folder, pickle.loads(done.read_bytes())
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def store_copy_of(store: Path, tmp_path_factory) -> Path:
    """A copy of ``store`` of this worker's own, with the files beside it that belong to it (the
    run's page frames ``<store>.runs/``, the quarantine) (see :func:`built_once`)."""
    folder = tmp_path_factory.mktemp("store")
    for path in store.parent.glob(f"{store.name}*"):
        copy = shutil.copytree if path.is_dir() else shutil.copy2
        copy(path, folder / path.name)
    return folder / store.name


def bundled_store_copy(tmp_path_factory) -> Path:
    """A store of the bundled public statistics and no run, of this worker's own (imported once
    per session: ``forecast.data.store.ensure_default_data``)."""
    from forecast.data import store as store_db

    folder, _ = built_once(
        tmp_path_factory, "bundled-store", lambda f: store_db.ensure_default_data(f / "store.duckdb")
    )
    return store_copy_of(folder / "store.duckdb", tmp_path_factory)
