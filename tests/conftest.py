"""Shared fixtures: paths, a seeded RNG, and the shared public data beside the repository."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

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
