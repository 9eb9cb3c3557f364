"""The panel local-level model: common trend recovered, noisy series shrunk, no look-ahead."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.engine import panel_model
from forecast.engine.models import MODELS, forecast_panel

YEARS = np.arange(2002, 2017).astype(float)
COMMON = 0.05  # ln(beds per 10k) grows 5% a year in every province


def _trend_panel(rng, n=40, noise=0.03) -> np.ndarray:
    """Provinces with their own levels, one common trend and white noise (log scale)."""
    levels = rng.normal(np.log(20), 0.3, n)
    return levels[:, None] + COMMON * (YEARS - YEARS[0]) + rng.normal(0, noise, (n, len(YEARS)))


def test_recovers_the_common_trend(rng):
    Z = _trend_panel(rng)
    _, mu = panel_model.common_slope(Z, YEARS)
    assert mu == pytest.approx(COMMON, abs=0.005)
    comp = panel_model.panel(Z, YEARS)
    assert comp.slope == pytest.approx(np.full(len(Z), COMMON), abs=0.01)
    assert np.all(comp.phi >= 0.9)  # a real, persistent trend is not damped away


def test_shrinks_a_noisy_series_toward_the_pooled_slope(rng):
    Z = _trend_panel(rng)
    line = Z[0].mean() + COMMON * (YEARS - YEARS.mean())  # province 0's true line, near enough
    Z[0] = line + rng.normal(0, 0.25, len(YEARS))  # a very noisy record around it
    own, _ = panel_model.common_slope(Z, YEARS)
    comp = panel_model.panel(Z, YEARS)
    assert abs(comp.slope[0] - COMMON) < abs(own[0] - COMMON)
    assert abs(comp.slope[0] - COMMON) < 0.01


def test_flat_noise_panel_gets_no_trend(rng):
    Z = np.log(15) + rng.normal(0, 0.05, (30, len(YEARS)))
    comp = panel_model.panel(Z, YEARS)
    h10 = comp.mean(np.full(len(Z), 10.0)) - comp.level
    assert np.all(np.abs(h10) < 0.1)
    # the smoothed level beats the last value as an estimate of the constant mean
    assert np.abs(comp.level - np.log(15)).mean() < np.abs(Z[:, -1] - np.log(15)).mean()


def test_selection_sees_only_the_data_passed_in(rng):
    Z = _trend_panel(rng)
    cut = YEARS <= 2010
    masked = np.where(cut[None, :], Z, np.nan)
    a = panel_model.panel(masked, YEARS)
    b = panel_model.panel(Z[:, cut], YEARS[cut])
    np.testing.assert_allclose(a.level, b.level)
    np.testing.assert_allclose(a.slope, b.slope)
    loss = panel_model.validation_loss(Z, YEARS)
    assert loss.shape == (len(panel_model.SHRINK), len(panel_model.ALPHAS), len(panel_model.PHIS))


def test_panel_through_the_public_interface(rng):
    Z = _trend_panel(rng, n=10)
    obs = pd.DataFrame(
        {
            "geo": np.repeat([f"P{i}" for i in range(10)], len(YEARS)),
            "indicator": "beds_per_10k",
            "year": np.tile(YEARS.astype(int), 10),
            "value": np.exp(Z).ravel(),
        }
    )
    out = forecast_panel(obs, horizon=3, models=["panel", "ensemble"])
    assert set(out["model"]) == {"panel", "ensemble"} and (out["status"] == "ok").all()
    got = out[(out["model"] == "panel") & (out["year"] == 2019)].set_index("geo")["mean"]
    last = obs[obs["year"] == 2016].set_index("geo")["value"]
    assert np.all(got / last > 1.0)
    assert "panel" in MODELS


def test_panel_nowcasts_a_province_from_the_longer_national_series(rng):
    years = np.arange(2005, 2021)
    nat = pd.DataFrame(
        {"geo": "VN", "indicator": "imr", "year": years, "value": 20 * np.exp(-0.05 * (years - 2005))}
    )
    prov = pd.DataFrame(
        {
            "geo": "Hà Nam",
            "indicator": "imr",
            "year": years[:12],
            "value": 30 * np.exp(-0.04 * (years[:12] - 2005) + rng.normal(0, 0.01, 12)),
        }
    )
    out = forecast_panel(pd.concat([nat, prov]), years=[2020], models=["panel"])
    got = out.set_index("geo")["mean"]
    # from the province's 2016 level it follows the national change 2016-2020 (-5% a year)
    assert got["Hà Nam"] == pytest.approx(prov["value"].iloc[-1] * np.exp(-0.2), rel=0.03)
