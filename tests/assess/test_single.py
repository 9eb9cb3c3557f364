"""One series is never forecast alone: the stored run's forecast, or pooled with its indicator's panel."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import forecast
from builds import bundled_store_copy
from forecast.assess import runs
from forecast.errors import PanelWarning

PROVINCE = "Lâm Đồng"


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> dict:
    """A store of the bundled public data, and the IMR panel read from it."""
    from forecast import config

    if not (config.SHARED_DATA_DIR / "vn_provinces.csv").exists():
        pytest.skip(f"no shared data at {config.SHARED_DATA_DIR}")
    store = bundled_store_copy(tmp_path_factory)
    return {"store": store, "panel": forecast.load_observations(indicator="imr", store=store)}


def _medians(fc: pd.DataFrame) -> pd.Series:
    return fc.set_index("year")["q50"]


def test_a_lone_series_warns_that_a_pooled_model_needs_a_panel(bundled):
    panel = bundled["panel"]
    alone = panel[(panel["geo"] == PROVINCE) & (panel["indicator"] == "imr")]
    with pytest.warns(PanelWarning, match=r"load_observations\(indicator='imr'\)"):
        forecast.forecast_panel(alone, years=range(2017, 2027))


def test_a_whole_panel_forecasts_without_a_warning(bundled):
    panel = bundled["panel"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", PanelWarning)
        forecast.forecast_panel(panel[panel["indicator"] == "imr"], years=range(2017, 2020))


def test_forecast_series_without_a_run_pools_with_the_panel(bundled):
    """Lâm Đồng's IMR falls 16.0 -> ... as inside the 71-geo panel, never a flat 16.0."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", PanelWarning)
        fc = forecast.forecast_series("lam dong", "IMR", store=bundled["store"])
    assert set(fc["geo"]) == {PROVINCE} and set(fc["indicator"]) == {"imr"}
    q50 = _medians(fc)
    assert q50[2026] < q50[2017] < 16.0  # the province's IMR keeps falling (16.0 in 2016)
    assert q50.diff().dropna().le(0).all()


def test_forecast_series_is_the_stored_runs(bundled, tmp_path):
    """With a stored run covering the province, its forecast to the digit (no refit)."""
    panel = bundled["panel"]
    fc = forecast.forecast_panel(panel[panel["indicator"] == "imr"], years=range(2017, 2036))
    stored = fc.assign(mean=fc["mean"] + 1.0)  # a run's numbers, told apart from a refit
    run = runs.Run("2026Q4-test", "2026Q4", pd.Timestamp.now(tz="UTC"), "x", {}, stored.assign(run_id="r"))
    runs.save_run(str(bundled["store"]), run)
    got = forecast.forecast_series(PROVINCE, "imr", store=bundled["store"])
    want = stored[stored["geo"] == PROVINCE].reset_index(drop=True)
    pd.testing.assert_frame_equal(got[want.columns], want, check_dtype=False)


def test_forecast_series_of_an_edited_series_pools_it(bundled):
    """A series the caller passes replaces the stored one inside the panel."""
    own = bundled["panel"]
    own = own[(own["geo"] == PROVINCE) & (own["indicator"] == "imr")][["year", "value"]]
    lower = own.assign(value=own["value"] - 4.0)
    fc = forecast.forecast_series(PROVINCE, "imr", series=lower, store=bundled["store"])
    assert _medians(fc)[2017] < 13.0


def test_forecast_series_names_a_missing_series(bundled):
    with pytest.raises(forecast.ForecastError, match="pass series="):
        forecast.forecast_series("Hà Giang", "imr", store=bundled["store"], panel=bundled["panel"].iloc[:0])
