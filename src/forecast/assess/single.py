"""Forecast one province's series of an indicator, never alone: pooled with the indicator's panel.

The engine's default models learn across the provinces of an indicator (ensemble weights, shrunk
slopes, calibrated intervals), so one series forecast on its own has nothing to learn from and
comes out flat. :func:`forecast_series` therefore answers from the stored run (its forecast was
made on the whole panel: the numbers of the briefs), or, for a series the caller changed or one
no run holds, forecasts it inside the panel of its indicator read from the store.
"""

from __future__ import annotations

import os

import pandas as pd

from forecast.assess.runs import HORIZON_END, load_run
from forecast.data.observations import load_observations
from forecast.engine.forecast import EngineSettings, forecast_panel
from forecast.errors import MissingDataError
from forecast.log import logger
from forecast.registry import geo, indicators

__all__ = ["forecast_series"]


def forecast_series(
    province: str,
    indicator: str,
    *,
    series: pd.DataFrame | None = None,
    panel: pd.DataFrame | None = None,
    run_id: str | None = None,
    store: str | os.PathLike | None = None,
    settings: EngineSettings | None = None,
) -> pd.DataFrame:
    """Forecast ``province``'s series of ``indicator``, pooled with the other provinces' series.

    Without ``series`` or ``panel`` the forecast is the stored run's (``run_id``, else the latest
    run covering the province): made on the whole panel, it is the brief's to the digit. With
    ``series`` (the province's observations, e.g. with a new year added) or ``panel`` (the series
    to pool with), or when no run holds the series, it is forecast now inside the indicator's
    panel (every geo's series from the store unless ``panel`` is given); nothing is saved.

    Parameters
    ----------
    province
        The province (region, ``"VN"``) in any spelling.
    indicator
        Catalogue code, name or common word (``"imr"``, ``"IMR"``, ``"stunting"``).
    series
        The province's own observations (``year, value``) to forecast instead of the stored ones.
    panel
        The observations to pool with (``geo, indicator, year, value``); default the store's.
    run_id, store
        The stored run to read and the store file (defaults: the latest run, the default store).
    settings
        Engine settings of a forecast made now (default :class:`~forecast.engine.forecast.EngineSettings`).

    Returns
    -------
    pandas.DataFrame
        ``geo, indicator, model, year, mean, q025 … q975, status, reason`` of the one series.

    Examples
    --------
    >>> import forecast
    >>> fc = forecast.forecast_series("Lâm Đồng", "IMR")  # the stored run's forecast
    >>> fc.loc[fc["year"] == 2025, ["q10", "q50", "q90"]]  # doctest: +SKIP
    >>> mine = forecast.load_observations("Lâm Đồng", "imr")[["year", "value"]]
    >>> what_if = forecast.forecast_series("Lâm Đồng", "imr", series=mine[mine["year"] < 2016])  # doctest: +SKIP
    """
    name, code = geo.resolve_geo(province), indicators.resolve_indicator(indicator)
    if series is None and panel is None:
        stored = _stored(name, code, run_id, store)
        if stored is not None:
            return stored
    pool = load_observations(indicator=code, store=store) if panel is None else panel
    chosen = _series_code(pool[pool["geo"] == name], code)
    pool = pool[pool["indicator"] == chosen]
    if series is not None:
        own = series.assign(geo=name, indicator=chosen)[["geo", "indicator", "year", "value"]]
        pool = pd.concat([pool[pool["geo"] != name], own], ignore_index=True)
    if not (pool["geo"] == name).any():
        raise MissingDataError(
            f"no observations of {code} for {name}: pass series= (columns year, value) or see "
            f"forecast.load_observations({name!r}) for the series it has"
        )
    logger.info("forecasting %s of %s within a panel of %d geos", chosen, name, pool["geo"].nunique())
    years = range(int(pool["year"].min()) + 1, HORIZON_END + 1)
    fc = forecast_panel(pool, years=years, settings=settings)
    return fc[fc["geo"] == name].reset_index(drop=True)


def _series_code(own: pd.DataFrame, code: str) -> str:
    """The store series answering ``code`` for a geo: the code itself, else its first variant."""
    codes = sorted(set(own["indicator"])) if "indicator" in own else []
    return code if code in codes or not codes else codes[0]


def _stored(name: str, code: str, run_id: str | None, store) -> pd.DataFrame | None:
    """The stored run's forecast of the geo's series of ``code`` (the one its targets used), or None."""
    try:
        run = load_run(store, run_id, name)
    except MissingDataError:
        if run_id:
            raise
        return None
    fc = run.forecasts
    mine = fc[(fc["geo"] == name) & fc["indicator"].map(lambda c: indicators.base_indicator(c)[0] == code)]
    if mine.empty:
        return None
    a = run.assessments
    used = a.loc[(a["geo"] == name) & (a["indicator"] == code), "series"].dropna() if len(a) else []
    chosen = next((s for s in used if s in set(mine["indicator"])), _series_code(mine, code))
    logger.info("the forecast of %s for %s is run %s's", chosen, name, run.run_id)
    return mine[mine["indicator"] == chosen].drop(columns="run_id", errors="ignore").reset_index(drop=True)
