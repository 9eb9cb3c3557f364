"""The observations an analysis uses, for a province and/or an indicator, merged provinces included.

:func:`load_observations` is the one call a notebook or an economist needs: the store's analysis
series (:func:`forecast.data.store.analysis_series`: one value per geo, indicator and year by the
source-priority rule, breaks left out), with the merged 2025 provinces rebuilt from their old
provinces (:func:`forecast.data.merged.with_merged`) and the derived series appended
(:func:`forecast.data.derived.with_derived`), then the rows asked for. Names are resolved as
everywhere: a province in any spelling, an indicator by code, catalogue name or common word.
"""

from __future__ import annotations

import os

import pandas as pd

from forecast.data import derived, merged
from forecast.data import store as store_db
from forecast.errors import MissingDataError
from forecast.registry import geo, indicators

__all__ = ["load_observations"]


def load_observations(
    province: str | None = None,
    indicator: str | None = None,
    *,
    store: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """Return the observations an analysis uses, optionally of one province and/or one indicator.

    Parameters
    ----------
    province
        A province, region or ``"VN"``, in any spelling (``"lam dong"``, ``"Tỉnh Lâm Đồng"``);
        a merged 2025 province (``"Lâm Đồng (mới)"``) gets its series rebuilt from the old ones.
        Default every geo.
    indicator
        A catalogue code, name or common word (``"imr"``, ``"IMR"``, ``"stunting"``, ``"thấp còi"``):
        its own series and its variants (``imr_gso``, ``beds_per_10k_dohs``). Default every series.
    store
        The store file (default ``data/workbench.duckdb`` or ``FORECAST_STORE``).

    Returns
    -------
    pandas.DataFrame
        ``geo, indicator, year, value, unit, source, ...`` (docs/contracts.md), one row per geo,
        series and year, sorted by them.

    Raises
    ------
    UnknownGeoError, UnknownIndicatorError
        A name that matches nothing (the message suggests the closest one).
    MissingDataError
        The store holds no observations (the message says how to import them).

    Examples
    --------
    >>> import forecast
    >>> imr = forecast.load_observations("Lâm Đồng", "IMR")
    >>> imr[["year", "value"]].tail(1)  # doctest: +SKIP
    """
    name = geo.resolve_geo(province) if province else None
    code = indicators.resolve_indicator(indicator) if indicator else None
    obs = store_db.analysis_series(store)
    if obs.empty:
        raise MissingDataError(
            "the store holds no observations: run `make report` (imports the bundled public data) "
            "or `forecast data import FILE`"
        )
    obs = derived.with_derived(merged.with_merged(obs))
    if name:
        obs = obs[obs["geo"] == name]
    if code:
        obs = obs[(obs["indicator"] == code) | (obs["base_indicator"] == code)]
    return obs.sort_values(["geo", "indicator", "year"]).reset_index(drop=True)
