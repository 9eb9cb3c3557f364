"""Models: one interface, trends recovered on seeded synthetic series, bounds and statuses."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from forecast.config import QUANTILE_COLUMNS
from forecast.engine import methods
from forecast.engine.models import MODELS, EngineSettings, forecast_panel, get_model
from forecast.errors import ModelError

YEARS = np.arange(2000, 2016)
TRUE_RATE = -0.04  # ln(imr) falls 4% a year


def _imr(rng, geo="A", level=30.0, noise=0.01, years=YEARS) -> pd.DataFrame:
    z = np.log(level) + TRUE_RATE * (years - years[0]) + rng.normal(0, noise, len(years))
    return pd.DataFrame({"geo": geo, "indicator": "imr", "year": years, "value": np.exp(z)})


def _panel(rng, n=8, **kw) -> pd.DataFrame:
    return pd.concat([_imr(rng, geo=f"P{i}", level=20 + 3 * i, **kw) for i in range(n)], ignore_index=True)


def test_every_model_has_the_interface(rng):
    series = _imr(rng)
    for name, cls in MODELS.items():
        if name == "ets":
            continue  # slow reference, tested on its own below
        model = cls().fit(series)
        assert model.name == name
        out = model.predict([2016, 2017, 2018])
        assert list(out.columns[:11]) == ["year", "mean", *QUANTILE_COLUMNS]
        assert out["year"].tolist() == [2016, 2017, 2018]
        q = out[list(QUANTILE_COLUMNS)].to_numpy()
        assert np.all(np.diff(q, axis=1) >= -1e-9), name
        assert out.notna().all().all() and (out["status"] == "ok").all()


@pytest.mark.parametrize("name", ["drift", "aarr", "trend", "wtrend", "dholt", "ets"])
def test_trend_models_recover_the_slope(rng, name):
    Z = np.log(_imr(rng)["value"].to_numpy())[None, :]
    comp = methods.KERNELS[name](Z, YEARS.astype(float))
    assert comp.slope[0] == pytest.approx(TRUE_RATE, abs=0.006)
    if name in ("drift", "aarr", "trend", "wtrend"):
        assert comp.phi[0] == 1.0


def test_naive_theta_and_pooled(rng):
    obs = _panel(rng)
    Z = np.log(obs.pivot(index="geo", columns="year", values="value").to_numpy())
    t = YEARS.astype(float)
    np.testing.assert_allclose(methods.naive(Z, t).level, Z[:, -1])
    assert np.all(methods.ses(Z, t).slope == 0)
    assert methods.theta(Z, t).slope == pytest.approx(np.full(8, TRUE_RATE / 2), abs=0.004)
    pooled = methods.pooled(Z, t)
    assert pooled.slope == pytest.approx(np.full(8, TRUE_RATE), abs=0.004)
    np.testing.assert_allclose(pooled.level, Z[:, -1])


def test_ensemble_forecast_follows_the_trend(rng):
    obs = _panel(rng)
    out = forecast_panel(obs, horizon=3)
    got = out[out["year"] == 2018].set_index("geo")["mean"]
    last = obs[obs["year"] == 2015].set_index("geo")["value"]
    ratio = (got / last).to_numpy()
    assert np.all(ratio < 1) and np.all(ratio > np.exp(3 * TRUE_RATE) * 0.97)


def test_forecast_panel_years_and_columns(rng):
    obs = _panel(rng, n=3)
    out = forecast_panel(obs, years=range(2010, 2021), models=["naive", "ensemble"])
    assert list(out.columns) == [
        "geo",
        "indicator",
        "model",
        "year",
        "mean",
        *QUANTILE_COLUMNS,
        "status",
        "reason",
    ]
    assert sorted(out["year"].unique()) == list(range(2016, 2021))
    assert len(out) == 3 * 2 * 5


def test_bounds_respected(rng):
    years = np.arange(2005, 2016)
    cov = 100 / (1 + np.exp(-(0.5 * (years - 2005) + rng.normal(0, 0.1, len(years)))))
    falling = 40 * np.exp(-0.35 * (years - 2005))
    obs = pd.concat(
        [
            pd.DataFrame({"geo": "A", "indicator": "bhyt_coverage", "year": years, "value": cov}),
            pd.DataFrame({"geo": "A", "indicator": "u5mr", "year": years, "value": falling}),
        ]
    )
    out = forecast_panel(obs, horizon=20, models=list(MODELS.keys() - {"ets"}))
    q = out[["mean", *QUANTILE_COLUMNS]].to_numpy()
    cov_rows = out["indicator"] == "bhyt_coverage"
    assert np.all(q[cov_rows] <= 100) and np.all(q >= 0)


def test_short_constant_and_at_bound_series_get_a_status():
    obs = pd.DataFrame(
        {
            "geo": ["short"] * 2 + ["flat"] * 4 + ["full"] * 4,
            "indicator": ["full_immunization_u1"] * 10,
            "year": [2014, 2015, 2012, 2013, 2014, 2015, 2012, 2013, 2014, 2015],
            "value": [90.0, 91.0, 95.0, 95.0, 95.0, 95.0, 97.0, 99.0, 100.0, 100.0],
        }
    )
    out = forecast_panel(obs, horizon=3, models=["ensemble", "trend"])
    status = out.groupby("geo")["status"].first()
    assert status.to_dict() == {"flat": "constant", "full": "at_bound", "short": "too_short"}
    assert out[["mean", *QUANTILE_COLUMNS]].notna().all().all()
    assert (out["reason"] != "").all()
    flat = out[out["geo"].isin(["flat", "full"])]
    np.testing.assert_allclose(flat["mean"], np.where(flat["geo"] == "flat", 95.0, 100.0), rtol=1e-6)


def test_settings_to_dict_is_json_and_members_checked():
    json.dumps(EngineSettings().to_dict())
    with pytest.raises(ModelError, match="'arima'"):
        EngineSettings(members=("naive", "arima"))
    with pytest.raises(ModelError, match="'prophet'"):
        get_model("prophet")


def test_fit_needs_year_value_and_an_indicator():
    with pytest.raises(ModelError, match="'value'"):
        MODELS["naive"]().fit(pd.DataFrame({"year": [2000]}))
    with pytest.raises(ModelError, match="indicator"):
        MODELS["naive"]().fit(pd.DataFrame({"year": [2000], "value": [1.0]}))
    with pytest.raises(ModelError, match="geo"):
        MODELS["naive"]().fit(
            pd.DataFrame({"geo": ["A", "B"], "indicator": "imr", "year": [2000, 2000], "value": [1.0, 2.0]})
        )
    series = pd.DataFrame({"year": [2000, 2001, 2002, 2003], "value": [1.0, 2.0, 2.5, 3.5]})
    series.attrs["indicator"] = "imr"
    assert len(MODELS["drift"]().fit(series).predict([2004])) == 1


def test_pooled_nowcasts_a_province_from_the_longer_national_series(rng):
    years = np.arange(2005, 2021)
    nat = pd.DataFrame(
        {"geo": "VN", "indicator": "imr", "year": years, "value": 20 * np.exp(-0.05 * (years - 2005))}
    )
    prov = _imr(rng, geo="Hà Nam", level=30, years=np.arange(2005, 2017))
    out = forecast_panel(pd.concat([nat, prov]), years=[2020, 2021], models=["pooled"])
    got = out.set_index(["geo", "year"])["mean"]
    last = prov["value"].iloc[-1]
    assert got[("Hà Nam", 2020)] == pytest.approx(last * np.exp(-0.05 * 4), rel=1e-6)
    assert got[("Hà Nam", 2021)] < got[("Hà Nam", 2020)]


def test_a_national_spike_is_not_copied_into_a_province_nowcast():
    from forecast.engine.nowcast import running_median

    z = np.array([74.0, 74.1, 74.2, 75.4, 74.1, 74.5, 74.6])
    np.testing.assert_allclose(running_median(z), [74.0, 74.1, 74.2, 74.2, 74.5, 74.5, 74.6])


def test_no_member_starts_behind_a_steady_run():
    from forecast.engine.forecast import steady_direction

    Z = np.array([[1.0, 2.0, 3.0, 4.0, 5.0], [5.0, 4.0, 3.0, 2.0, 1.0], [1.0, 2.0, 1.0, 2.0, 1.0]])
    np.testing.assert_array_equal(steady_direction(Z, 4), [1, -1, 0])
    np.testing.assert_array_equal(steady_direction(Z, 0), [0, 0, 0])
