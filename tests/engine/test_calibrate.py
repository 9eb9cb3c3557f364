"""Calibration: learned intervals cover at their nominal rate out of sample; fallbacks and weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.engine.calibrate import Calibration, fit_calibration
from forecast.engine.models import forecast_panel


def _random_walks(rng, n=60, years=range(2000, 2016), sd=0.05) -> pd.DataFrame:
    years = np.asarray(years)
    z = np.log(30) + np.cumsum(rng.normal(-0.02, sd, (n, len(years))), axis=1)
    return pd.DataFrame(
        {
            "geo": np.repeat([f"P{i}" for i in range(n)], len(years)),
            "indicator": "imr",
            "year": np.tile(years, n),
            "value": np.exp(z).ravel(),
        }
    )


def test_intervals_cover_at_nominal_rate_out_of_sample(rng):
    obs = _random_walks(rng, years=range(2000, 2019))
    train, test = obs[obs["year"] <= 2015], obs[obs["year"] > 2015]
    out = forecast_panel(train, years=[2016, 2017, 2018], models=["ensemble", "naive"])
    m = out.merge(test, on=["geo", "indicator", "year"])
    for _, g in m.groupby("model"):
        in80 = ((g["value"] >= g["q10"]) & (g["value"] <= g["q90"])).mean()
        in95 = ((g["value"] >= g["q025"]) & (g["value"] <= g["q975"])).mean()
        assert 0.68 <= in80 <= 0.92 and 0.86 <= in95 <= 1.0


def _errors(rng, indicators=("a", "b"), n=2000):
    rows = []
    for ind in indicators:
        for h in (1, 2, 3):
            rows.append(
                pd.DataFrame({"indicator": ind, "model": "naive", "h": h, "err": rng.normal(0, h, n)})
            )
    return pd.concat(rows, ignore_index=True)


def test_quantiles_learned_grow_and_fall_back(rng):
    cal = fit_calibration(_errors(rng), {}, {"naive": 1.0}, max_horizon=3)
    q1, q3 = cal.quantiles("a", "naive", np.array([1, 3]))
    assert np.all(np.diff(q1) >= 0)
    assert q1[-1] == pytest.approx(1.96, abs=0.3) and q3[-1] == pytest.approx(3 * 1.96, abs=0.8)
    far = cal.quantiles("a", "naive", np.array([6]))[0]
    np.testing.assert_allclose(far, q3 * 2 ** cal.gammas[("a", "naive")])
    assert cal.gammas[("a", "naive")] == pytest.approx(1.0, abs=0.1)  # errors grow as h
    # an indicator never back-tested uses the pooled table
    np.testing.assert_allclose(cal.quantiles("zzz", "naive", np.array([2]))[0], cal.pooled["naive"][1])


def test_an_indicator_whose_errors_do_not_widen_keeps_its_width(rng):
    steady = pd.concat(
        [
            pd.DataFrame({"indicator": "steady", "model": "naive", "h": h, "err": rng.normal(0, 1.0, 2000)})
            for h in (1, 2)
        ]
    )
    cal = fit_calibration(pd.concat([_errors(rng), steady]), {}, {"naive": 1.0}, max_horizon=3)
    assert cal.gammas[("steady", "naive")] < 0.1 < 0.8 < cal.gamma
    q2, q3, q9 = cal.quantiles("steady", "naive", np.array([2, 3, 9]))
    assert q9[-1] < 1.2 * q2[-1] and q3[-1] < 1.1 * q2[-1]  # not the pooled growth of trends
    few = steady[steady["h"] == 1].iloc[:25]  # one learned horizon: the pooled exponent
    cal = fit_calibration(pd.concat([_errors(rng), few]), {}, {"naive": 1.0}, max_horizon=3)
    assert cal.gammas[("steady", "naive")] == cal.gamma


def test_empty_calibration_has_gaussian_default():
    q = Calibration().quantiles("x", "naive", np.array([1, 4]))
    assert q.shape == (2, 9) and q[0, 4] == pytest.approx(0) and q[1, -1] > q[0, -1] > 0


def test_a_fitted_calibration_is_reused(rng):
    from forecast.engine.forecast import EngineSettings, learn_calibration
    from forecast.engine.panels import build_panels

    obs = _random_walks(rng, n=10)
    cal = learn_calibration(build_panels(obs), ["ensemble"], EngineSettings())
    again = forecast_panel(obs, horizon=3, settings=EngineSettings(calibration=cal))
    pd.testing.assert_frame_equal(again, forecast_panel(obs, horizon=3))
    assert EngineSettings(calibration=cal).to_dict()["calibration"]["weights"]
    assert cal.orient_window == EngineSettings().orient_window > 0  # forecasts orient alike


def test_orient_flips_quantile_levels(rng):
    from forecast.config import QUANTILES
    from forecast.engine.calibrate import orient

    e = rng.gamma(2.0, 1.0, 5000) - 0.5  # skewed oriented errors s·e with a positive bias
    q = np.quantile(e, QUANTILES)[None, :]
    np.testing.assert_allclose(orient(q, 1.0), q)
    # a falling series (s = -1) has errors e = -e': level p is minus level 1 - p of e'
    np.testing.assert_allclose(orient(q, -1.0)[0], np.quantile(-e, QUANTILES), atol=1e-12)
    np.testing.assert_allclose(orient(orient(q, -1.0), -1.0), q)
    both = orient(np.vstack([q, q]), np.array([1.0, -1.0]))
    assert np.all(np.diff(both, axis=1) >= 0) and both[1, 4] == pytest.approx(-q[0, 4])


def test_trend_sign_is_the_recent_direction():
    from forecast.engine.panels import trend_sign

    t = np.arange(2000.0, 2016.0)
    fall_then_rise = np.r_[-(t[:10] - 2000), -9 + 0.2 * (t[10:] - 2009)]
    Z = np.vstack(
        [0.1 * (t - 2000), -0.1 * (t - 2000), np.zeros(16), np.r_[np.full(15, np.nan), 1.0], fall_then_rise]
    )
    np.testing.assert_array_equal(trend_sign(Z, t, window=5), [1, -1, 1, 1, 1])
    assert trend_sign(Z, t, window=16)[-1] == -1  # over 16 years the early fall dominates


def _mixed_directions(rng, years=np.arange(2000, 2016)) -> pd.DataFrame:
    """Indicator ``u5mr``: half rising, half falling; ``imr``: many rising series (the pool)."""
    frames = []
    for ind, n, slopes in (("imr", 40, [0.06]), ("u5mr", 8, [0.06, -0.06])):
        for i in range(n):
            b = slopes[i % len(slopes)]
            z = np.log(30) + b * (years - years[0]) + rng.normal(0, 0.01, len(years))
            frames.append(
                pd.DataFrame({"geo": f"{ind}{i}", "indicator": ind, "year": years, "value": np.exp(z)})
            )
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("center", [False, True])
def test_median_follows_each_series_direction(rng, center):
    from forecast.engine.forecast import EngineSettings

    obs = _mixed_directions(rng)
    last = obs[obs["year"] == 2015].set_index("geo")["value"]
    # with the bias of each indicator's errors kept (center_tables=False), it follows the direction
    settings = EngineSettings(center_pool=center, center_tables=False)
    out = forecast_panel(obs, horizon=5, models=["naive"], settings=settings)
    out = out[out["indicator"] == "u5mr"].assign(last=lambda d: d["geo"].map(last))
    falling = out["geo"].str[4:].astype(int) % 2 == 1
    assert np.all(out.loc[falling, "q50"] <= out.loc[falling, "last"])
    assert np.all(out.loc[~falling, "q50"] >= out.loc[~falling, "last"])
    # pooled raw, the rising majority pushes the falling series' median up (the bug fixed)
    raw = forecast_panel(
        obs, horizon=5, models=["naive"], settings=EngineSettings(orient_window=0, center_tables=False)
    )
    raw = raw[raw["indicator"] == "u5mr"].assign(last=lambda d: d["geo"].map(last))
    assert np.any(raw.loc[falling.to_numpy(), "q50"] > raw.loc[falling.to_numpy(), "last"])


def test_weighted_quantiles_reduce_to_the_unweighted_ones(rng):
    from forecast.engine.panels import weighted_quantiles

    x, p = rng.normal(size=41), [0.025, 0.1, 0.5, 0.9, 0.975]
    np.testing.assert_allclose(weighted_quantiles(x, np.ones(41), p), np.quantile(x, p))
    # all the weight on the largest values pulls the quantiles up
    w = np.where(x > 0, 1.0, 1e-6)
    assert weighted_quantiles(x, w, [0.1])[0] > 0 > np.quantile(x, 0.1)


def test_recency_weights_follow_the_origin_age():
    from forecast.engine.panels import recency_weights

    origin = np.array([2010, 2010, 2008, 2005])
    np.testing.assert_allclose(recency_weights(origin, 0.5), [1, 1, 0.25, 0.5**5])
    np.testing.assert_allclose(recency_weights(origin, 1.0), 1.0)


def test_recent_errors_dominate_weighted_calibration(rng):
    err = _errors(rng, indicators=("a",), n=400)
    key = np.where(np.arange(len(err)) % 2 == 0, 2015, 2000)  # half old and wide, half recent
    err = err.assign(err=np.where(key == 2000, 5 * err["err"], err["err"]), origin=key)
    plain = fit_calibration(err, {}, {"naive": 1.0}, max_horizon=3)
    same = fit_calibration(err.assign(w=1.0), {}, {"naive": 1.0}, max_horizon=3)
    np.testing.assert_allclose(same.tables[("a", "naive")], plain.tables[("a", "naive")])
    from forecast.engine.panels import recency_weights

    recent = fit_calibration(err.assign(w=recency_weights(key, 0.7)), {}, {"naive": 1.0}, max_horizon=3)

    def width(cal):
        return cal.tables[("a", "naive")][:, -1] - cal.tables[("a", "naive")][:, 0]

    assert np.all(width(recent) < 0.5 * width(plain))
    # Kish's effective count: the old half (weight 0.7**15) hardly counts
    np.testing.assert_allclose(recent.counts[("a", "naive")], plain.counts[("a", "naive")] / 2, rtol=0.02)


def test_recency_decay_is_a_validated_setting(rng):
    from forecast.engine.forecast import EngineSettings
    from forecast.errors import ModelError

    assert EngineSettings().recency_decay == 1.0  # inner back-tests did not favour a decay
    with pytest.raises(ModelError, match="recency_decay"):
        EngineSettings(recency_decay=0.0)
    obs = _random_walks(rng, n=20)
    out = forecast_panel(obs, horizon=3, settings=EngineSettings(recency_decay=0.8))
    assert np.isfinite(out[["q025", "q975"]].to_numpy()).all()


def test_centred_tables_keep_the_median_at_the_point_forecast(rng):
    from forecast.engine.forecast import EngineSettings

    obs = _mixed_directions(rng)
    out = forecast_panel(obs, horizon=5, models=["naive"], settings=EngineSettings(center_tables=True))
    np.testing.assert_allclose(out["q50"], out["mean"], rtol=1e-9)
