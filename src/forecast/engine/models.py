"""Forecasting models with one small interface (statsforecast style), and the panel entry point.

Every model has a ``name``, ``fit(series) -> self`` on one tidy series (columns ``year, value``;
the indicator code from an ``indicator`` column, ``series.attrs["indicator"]`` or the
constructor) and ``predict(years) -> DataFrame`` with ``year, mean, q025 … q975, status, reason``.
Models fit on the indicator's transformed scale (:mod:`forecast.engine.transforms`) and their
quantiles come from the rolling-origin calibration (:mod:`forecast.engine.calibrate`).

============  =====================================================================
``naive``     random walk (FPP3 §5.2)
``drift``     random walk with drift (FPP3 §5.2)
``aarr``      UNICEF AARR log-linear trend from the latest value (Technical Note 185)
``trend``     least-squares linear trend (FPP3 §7.7)
``wtrend``    time-weighted trend (ESCAP anticipated progress)
``ses``       simple exponential smoothing, flat at a smoothed level (FPP3 §8.1)
``theta``     Theta method (Hyndman & Billah 2003)
``dholt``     damped-trend exponential smoothing, vectorised grid fit (FPP3 §8.2)
``ets``       damped ETS(A,Ad,N) by statsmodels ``ETSModel`` (slow reference)
``pooled``    empirical-Bayes slopes shrunk across the panel, damped (Morris 1983)
``panel``     local level + damped trend shrunk to the panel median slope, tuned on the panel
``ensemble``  inverse-squared-MASE combination of the members per indicator (default)
============  =====================================================================
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from forecast.config import QUANTILE_COLUMNS
from forecast.engine.forecast import ENSEMBLE, EngineSettings, check_models, forecast_panel
from forecast.engine.methods import KERNELS
from forecast.errors import ModelError

__all__ = ["MODELS", "EngineSettings", "forecast_panel", "Model"]


class Model:
    """Base class: fit one series, predict calibrated quantiles for given years.

    Parameters
    ----------
    indicator : str, optional
        Indicator code if the series carries none (decides the transform and bounds).
    settings : EngineSettings, optional
        Engine settings (a fitted calibration in it is reused).
    """

    name: str = ""

    def __init__(self, indicator: str | None = None, settings: EngineSettings | None = None) -> None:
        self.indicator = indicator
        self.settings = settings or EngineSettings()
        self._obs: pd.DataFrame | None = None

    def fit(self, series: pd.DataFrame) -> Model:
        """Store one geo × indicator series (columns ``year, value``) and return ``self``."""
        missing = [c for c in ("year", "value") if c not in series.columns]
        if missing:
            raise ModelError(f"series lacks column(s) {missing}: pass a frame with 'year' and 'value'")
        for col in ("geo", "indicator"):
            if col in series.columns and series[col].nunique() > 1:
                raise ModelError(
                    f"series mixes {series[col].nunique()} values of {col!r}: fit one "
                    "geo × indicator series, or use forecast_panel for a panel"
                )
        code = (
            series["indicator"].iloc[0]
            if "indicator" in series.columns and len(series)
            else series.attrs.get("indicator", self.indicator)
        )
        if code is None:
            raise ModelError(
                "no indicator code: add an 'indicator' column, set "
                "series.attrs['indicator'] or pass indicator= to the model"
            )
        geo = series["geo"].iloc[0] if "geo" in series.columns and len(series) else "series"
        self._obs = pd.DataFrame(
            {
                "geo": geo,
                "indicator": str(code),
                "year": series["year"].to_numpy(),
                "value": series["value"].to_numpy(),
            }
        )
        return self

    def predict(self, years: Sequence[int]) -> pd.DataFrame:
        """Forecast ``years``: columns ``year, mean, q025 … q975, status, reason``."""
        if self._obs is None:
            raise ModelError(f"model {self.name!r} is not fitted: call fit(series) first")
        out = forecast_panel(self._obs, years=years, models=(self.name,), settings=self.settings)
        return out[["year", "mean", *QUANTILE_COLUMNS, "status", "reason"]].reset_index(drop=True)


def _model_class(name: str) -> type[Model]:
    doc = (
        (KERNELS[name].__doc__ or "").strip().splitlines()[0]
        if name in KERNELS
        else ("Weighted combination of the members (inverse back-test MASE), calibrated quantiles.")
    )
    return type(f"{name.capitalize()}Model", (Model,), {"name": name, "__doc__": doc})


MODELS: dict[str, type[Model]] = {name: _model_class(name) for name in (*KERNELS, ENSEMBLE)}


def get_model(name: str, **kwargs) -> Model:
    """Return an instance of the model called ``name`` (see :data:`MODELS`)."""
    check_models([name])
    return MODELS[name](**kwargs)
