"""Ensemble weights: the best members weigh most; stacking combines offsetting errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.engine.combine import ensemble_weights, stacked_weights


def test_ensemble_weights_keep_the_best(rng):
    err = pd.concat(
        [
            pd.DataFrame({"indicator": "a", "model": m, "h": 1, "err": rng.normal(0, sd, 300)})
            for m, sd in [("naive", 1.0), ("drift", 2.0), ("aarr", 4.0), ("trend", 8.0)]
        ]
    )
    weights, pooled = ensemble_weights(err, ["naive", "drift", "aarr", "trend"], top=2)
    assert set(weights["a"]) == {"naive", "drift"}
    assert sum(weights["a"].values()) == pytest.approx(1)
    assert weights["a"]["naive"] > weights["a"]["drift"]
    assert set(pooled) == {"naive", "drift"}


def test_stacking_combines_members_whose_errors_offset(rng):
    base = rng.normal(0, 1.0, 400)
    wide = pd.DataFrame(
        {"indicator": "a", "under": base + 1.0, "over": -base + 1.0 - 2.0, "noise": rng.normal(0, 3.0, 400)}
    )
    weights, pooled = stacked_weights(wide, ["under", "over", "noise"], n0=0.0)
    assert weights["a"]["under"] == pytest.approx(0.5, abs=0.05)
    assert weights["a"]["over"] == pytest.approx(0.5, abs=0.05)
    assert weights["a"].get("noise", 0.0) < 0.05
    assert sum(pooled.values()) == pytest.approx(1, abs=1e-3)
    assert np.isclose(sum(weights["a"].values()), 1, atol=1e-3)
