"""Ensemble weights: the best members weigh most; stacking combines offsetting errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.engine.combine import ensemble_weights, selected_weights, stacked_weights


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


def _long(ind: str, errs: dict, n_origins: int = 6) -> pd.DataFrame:
    n = len(next(iter(errs.values())))
    keys = {
        "indicator": ind,
        "series": np.arange(n) % 50,
        "origin": 2000 + np.arange(n) % n_origins,
        "h": 1 + np.arange(n) // 50 % 3,
    }
    return pd.concat([pd.DataFrame(keys | {"model": m, "err": e}) for m, e in errs.items()])


def test_selected_weights_average_independent_members_and_pick_a_dominant_one(rng):
    n = 3000
    e1 = rng.normal(0, 1.0, n)
    independent = {"a": e1, "b": rng.normal(0, 1.3, n), "c": rng.normal(0, 1.6, n)}
    nested = {"a": e1, "b": e1 + rng.normal(0, 1.0, n), "c": e1 + rng.normal(0, 1.2, n)}
    errors = pd.concat([_long("avg", independent), _long("pick", nested)], ignore_index=True)
    powers = (1.0, 2.0, 4.0, 8.0, 16.0)
    weights, pooled, chosen = selected_weights(errors, ["a", "b", "c"], top=3, powers=powers)
    assert chosen["avg"] <= 4.0  # averaging independent errors beats picking the best
    assert chosen["pick"] >= 8.0  # the others only add noise to the best member
    assert weights["pick"]["a"] > 0.95
    assert set(weights["avg"]) == {"a", "b", "c"} and weights["avg"]["c"] > 0.1
    for w in (*weights.values(), pooled):
        assert sum(w.values()) == pytest.approx(1, abs=1e-5)


def test_selected_weights_with_one_origin_use_the_first_power(rng):
    errors = _long("x", {"a": rng.normal(0, 1, 300), "b": rng.normal(0, 2, 300)}, n_origins=1)
    weights, _, chosen = selected_weights(errors, ["a", "b"], top=2, powers=(2.0, 8.0))
    assert chosen == {"x": 2.0}
    assert weights == ensemble_weights(errors, ["a", "b"], top=2, power=2.0)[0]
