"""Shared fixtures: paths, a seeded RNG, and the shared public data beside the repository."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from builds import built_once, bundled_store_copy, store_copy_of
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
    """The default run of 2026Q4 on the bundled data, made once per test session.

    Returns ``(run, observations, store)``: the in-memory run (every province, national targets
    for the default provinces without a plan, as ``forecast report`` makes it), the observations a
    brief reads (merged provinces rebuilt) and the store path. Tests must not write to the store.
    """
    if not (config.SHARED_DATA_DIR / "vn_provinces.csv").exists():
        pytest.skip(f"no shared data at {config.SHARED_DATA_DIR}")
    from forecast import pipeline
    from forecast.data import merged
    from forecast.data import store as store_db

    def build(folder: Path) -> tuple:
        store = folder / "store.duckdb"
        run = pipeline.prepare_run("2026Q4", store, national_for=pipeline.default_provinces())
        return run, merged.with_merged(store_db.analysis_series(store))

    folder, (run, observations) = built_once(tmp_path_factory, "default-run", build)
    return run, observations, store_copy_of(folder / "store.duckdb", tmp_path_factory)
