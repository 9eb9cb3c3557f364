"""Forecast engine: the panel limit bounds fans without narrowing short horizons; pruned ensembles."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.engine.forecast import EngineSettings, forecast_panel, learn_calibration
from forecast.engine.panels import build_panels


def _walks(rng, indicator="beds_per_10k", n=40, years=range(2000, 2016), sd=0.05) -> pd.DataFrame:
    years = np.asarray(years)
    z = np.log(20) + np.cumsum(rng.normal(0.02, sd, (n, len(years))), axis=1)
    return pd.DataFrame(
        {
            "geo": np.repeat([f"P{i}" for i in range(n)], len(years)),
            "indicator": indicator,
            "year": np.tile(years, n),
            "value": np.exp(z).ravel(),
        }
    )


def _width(out: pd.DataFrame) -> pd.Series:
    e = out[out["model"] == "ensemble"]
    return (np.log(e["q90"]) - np.log(e["q10"])).groupby(e["year"]).median()


def test_the_plateau_limit_keeps_short_horizons_calibrated_and_bounds_long_ones(rng):
    obs = _walks(rng)
    years = [2016, 2017, 2040]
    free = _width(forecast_panel(obs, years=years, settings=EngineSettings(clip_to_panel=False)))
    bound = _width(forecast_panel(obs, years=years))
    by_h = _width(forecast_panel(obs, years=years, settings=EngineSettings(clip_plateau=False)))
    assert bound[2016] == free[2016]  # one year ahead: the calibrated width, not narrowed
    assert bound[2016] >= by_h[2016]
    assert bound[2040] < free[2040]  # 24 years ahead: no wider than any change the panel has seen


def test_the_ensemble_keeps_the_three_best_members_per_indicator(rng):
    obs = pd.concat([_walks(rng), _walks(rng, indicator="doctors_per_10k", sd=0.1)], ignore_index=True)
    cal = learn_calibration(build_panels(obs), ["ensemble"], EngineSettings())
    for weights in cal.weights.values():
        assert 1 <= len(weights) <= 3
        assert abs(sum(weights.values()) - 1) < 1e-5


def test_calibrated_settings_forecast_the_same_numbers_and_give_their_weights(rng):
    from forecast.engine.forecast import calibrated, weights_table

    obs = pd.concat([_walks(rng), _walks(rng, indicator="doctors_per_10k", sd=0.1)], ignore_index=True)
    fitted = calibrated(obs)
    assert fitted.calibration is not None and calibrated(obs, fitted) is fitted  # learned once
    years = [2016, 2020]
    pd.testing.assert_frame_equal(
        forecast_panel(obs, years=years), forecast_panel(obs, years=years, settings=fitted)
    )
    table = weights_table(fitted.calibration, ["beds_per_10k", "doctors_per_10k", "nurses_per_10k"])
    own = table[table["indicator"] != "nurses_per_10k"]
    assert not own["pooled"].any() and (own.groupby("indicator")["weight"].sum().sub(1).abs() < 1e-6).all()
    for code in ("beds_per_10k", "doctors_per_10k"):
        got = dict(
            zip(own.loc[own["indicator"] == code, "model"], own.loc[own["indicator"] == code, "weight"])
        )
        assert got == {m: w for m, w in fitted.calibration.weights[code].items() if w > 0}
    # a series without back-test errors of its own gets the all-indicator weights, marked pooled
    assert table.loc[table["indicator"] == "nurses_per_10k", "pooled"].all()
