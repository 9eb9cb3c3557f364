"""Forecast engine: the panel limit bounds fans without narrowing short horizons; pruned ensembles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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


def _staff(shared_data, last: int) -> pd.DataFrame:
    """GSO DOH staff per 10,000 of every province up to ``last`` (``vn_provinces.csv``)."""
    obs = pd.read_csv(shared_data / "vn_provinces.csv")
    codes = [f"{s}_per_10k_dohs" for s in ("beds", "doctors", "nurses", "pharmacists")]
    return obs[obs["indicator"].isin(codes) & (obs["year"] <= last)]


def _medians(obs: pd.DataFrame, year: int, **settings) -> pd.DataFrame:
    out = forecast_panel(obs, years=[year], settings=EngineSettings(**settings))
    return out.set_index(["indicator", "geo"])["q50"]


def test_pharmacists_follow_the_shift_common_to_the_provinces_not_a_flat_line(shared_data):
    """Pharmacists per 10,000 grew 25.8 / 23.8 / 35.2 %/yr in Hà Nam / Lâm Đồng / Lào Cai to 2016, and
    after every origin since 2006 most provinces rose, whatever their own trend; the ensemble's
    members for them are level models, so without the intercept correction the median is flat."""
    obs = _staff(shared_data, 2016)
    cal = learn_calibration(build_panels(obs), ["ensemble"], EngineSettings())
    assert cal.drifts["pharmacists_per_10k_dohs"] > 0
    after, flat = _medians(obs, 2025), _medians(obs, 2025, intercept_correction=False)
    last = obs[obs["year"] == 2016].set_index(["indicator", "geo"])["value"]
    for province in ("Hà Nam", "Lâm Đồng", "Lào Cai"):
        key = ("pharmacists_per_10k_dohs", province)
        assert flat[key] == pytest.approx(last[key], rel=0.05)  # the level members: flat
        assert after[key] > 1.4 * last[key]  # the common shift carried, for five years at most
    assert (
        after[("pharmacists_per_10k_dohs", "Hà Nam")]
        == _medians(obs, 2030)[("pharmacists_per_10k_dohs", "Hà Nam")]
    )


def test_the_intercept_correction_leaves_ensembles_that_carry_a_trend_alone(shared_data):
    """Fitted on data to 2011, nurses' errors were one-signed as well, but their ensemble carries
    a trend (pooled, panel, damped Holt) and their growth then reversed: their medians are unchanged,
    while the level-only pharmacists' rise (bench_attain.py: pharmacists' ECE 0.163 to 0.060)."""
    obs = _staff(shared_data, 2011)
    after, flat = _medians(obs, 2014), _medians(obs, 2014, intercept_correction=False)
    for code in ("beds_per_10k_dohs", "doctors_per_10k_dohs", "nurses_per_10k_dohs"):
        assert np.allclose(after[code], flat[code])
    ph = "pharmacists_per_10k_dohs"
    assert (after[ph] >= flat[ph] - 1e-12).all() and (after[ph] > flat[ph]).mean() > 0.8
