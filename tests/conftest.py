"""Shared fixtures: paths, a seeded RNG, and the shared public data beside the repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from builds import BACKGROUND, built_once, bundled_store_copy, store_copy_of
from forecast import config

TESTS = Path(__file__).resolve().parent


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20251125)


@pytest.fixture
def shared_data() -> Path:
    """The public statistics in ../shared/data (skip if the checkout has none beside it)."""
    if not (config.SHARED_DATA_DIR / "vn_provinces.csv").exists():
        pytest.skip(f"no shared data at {config.SHARED_DATA_DIR}")
    return config.SHARED_DATA_DIR


@pytest.fixture
def store_file(tmp_path, monkeypatch) -> Path:
    """A fresh store path in tmp_path, also exported as FORECAST_STORE."""
    path = tmp_path / "store.duckdb"
    monkeypatch.setenv("FORECAST_STORE", str(path))
    return path


@pytest.fixture(autouse=True)
def close_figs():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def bundled_store(tmp_path_factory) -> Path:
    """A fresh store holding the bundled public statistics and no run (:func:`builds.bundled_store_copy`)."""
    if not (config.SHARED_DATA_DIR / "vn_provinces.csv").exists():
        pytest.skip(f"no shared data at {config.SHARED_DATA_DIR}")
    return bundled_store_copy(tmp_path_factory)


@pytest.fixture(scope="session")
def default_run(tmp_path_factory):
    """The default run of 2026Q4 on the bundled data, made once per test session (:mod:`builds`).

    Returns ``(run, observations, store)``: the in-memory run (every province, national targets
    for the default provinces without a plan, as ``forecast report`` makes it), the observations a
    brief reads (merged provinces rebuilt) and the path of this worker's copy of its store.
    """
    if not (config.SHARED_DATA_DIR / "vn_provinces.csv").exists():
        pytest.skip(f"no shared data at {config.SHARED_DATA_DIR}")
    folder, (run, observations) = built_once(tmp_path_factory, "default-run")
    return run, observations, store_copy_of(folder / "store.duckdb", tmp_path_factory)


def _whole_suite_on_workers(config: pytest.Config) -> bool:
    """Whether this is the controller of several xdist workers running the whole suite (no path
    named on the command line: a run of a few files never pays for builds it does not use)."""
    if os.environ.get("PYTEST_XDIST_WORKER") or not getattr(config.option, "numprocesses", None):
        return False
    raw = [a for a in config.invocation_params.args if not str(a).startswith("-")]
    return not any((config.invocation_params.dir / str(a)).exists() for a in raw)


def pytest_sessionstart(session: pytest.Session) -> None:
    """The controller starts the background builder of the shared builds (:mod:`builds`)."""
    cfg = session.config
    if not _whole_suite_on_workers(cfg) or not (config.SHARED_DATA_DIR / "vn_provinces.csv").exists():
        return
    root = cfg._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]  # pytest's own
    with (root / "builds.log").open("w") as log:  # the child keeps its own handle
        cfg._background_builder = subprocess.Popen(  # type: ignore[attr-defined]
            [sys.executable, str(TESTS / "builds.py"), str(root), *BACKGROUND], stdout=log, stderr=log
        )


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The background builder never outlives the session (a build still running is not needed)."""
    builder = getattr(session.config, "_background_builder", None)
    if builder is not None and builder.poll() is None:
        builder.kill()
    if builder is not None:
        builder.wait()


#: The files whose tests take longest (seconds on 2 cores, ``--durations=0``, December 2026), run
#: first: ``--dist loadfile`` hands files to the two workers in collection order, and with these
#: last one worker finished a minute after the other (289 s against 360 s of 650 s).
HEAVY_FIRST = (
    "report/publish/test_quarter.py",  # 137 s
    "test_faults.py",  # 117 s
    "report/publish/test_executors.py",  # 67 s
    "test_pipeline.py",  # 38 s
    "report/test_jupyterlab.py",  # 37 s
    "report/test_notebooks.py",  # 35 s
    "assess/test_slices.py",  # 33 s
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put the heaviest files first (:data:`HEAVY_FIRST`); within a file, the tests keep their order."""
    rank = {name: i for i, name in enumerate(HEAVY_FIRST)}

    def key(item: pytest.Item) -> int:
        path = Path(str(item.fspath)).relative_to(TESTS).as_posix()
        return rank.get(path, len(rank))

    items.sort(key=key)  # stable: every other file stays in collection order
