"""Where a province stands among its peers: each provincial series ranked in the region and the country.

Compute first, draw later: :func:`peer_ranks` ranks every province of a map scope (the 63 provinces
before the 2025 merger, or the 34 after) on every catalogue series it reports, year by year;
:func:`province_ranks` takes one province's latest year of each series. The brief's table and
the choropleths of :mod:`forecast.report.pages.maps` draw these frames; nothing here draws.

Rank 1 is the best value in the indicator's desirable direction (the catalogue's ``direction``:
the highest life expectancy, the lowest infant mortality); ties share the better rank
(``method="min"``). Only provinces with a value in the same year are compared, and ``n_region``
/ ``n_national`` say how many there were.
"""

from __future__ import annotations

import pandas as pd

from forecast.registry import geo, indicators

__all__ = ["PEER_COLUMNS", "map_values", "peer_ranks", "province_ranks"]

PEER_COLUMNS = [
    "geo",
    "indicator",
    "series",
    "year",
    "value",
    "unit",
    "direction",
    "region",
    "rank_region",
    "n_region",
    "rank_national",
    "n_national",
]


def _rankable(series: pd.Series) -> pd.DataFrame:
    """Base indicator and direction of each series code whose indicator is in the catalogue and ranked."""
    cat = indicators.catalogue()
    codes = pd.Series(series.unique(), dtype=str)
    base = codes.map(lambda c: indicators.base_indicator(c)[0])
    direction = base.map(lambda b: str(cat.loc[b, "direction"]) if b in cat.index else "")
    out = pd.DataFrame({"series": codes, "indicator": base, "direction": direction})
    return out[out["direction"].isin(["higher", "lower"])]


def peer_ranks(observations: pd.DataFrame, scope: str = "old") -> pd.DataFrame:
    """Rank the provinces of ``scope`` on every catalogue series, in every year (:data:`PEER_COLUMNS`).

    Parameters
    ----------
    observations
        Analysis series (``geo, indicator, year, value``, optional ``unit``), for a merged scope
        with the merged provinces' rebuilt series (:func:`forecast.data.merged.with_merged`).
    scope
        ``old`` (the 63 provinces until 30 June 2025) or ``merged`` (the 34 since).

    Returns
    -------
    pandas.DataFrame
        One row per province, series and year; ``indicator`` is the catalogue code the series
        measures (``beds_per_10k`` for ``beds_per_10k_dohs``). ``rank_region`` is NaN for a
        province without a GSO region (a merged province spanning two).
    """
    places = geo.provinces_in_scope(scope)
    obs = observations[observations["geo"].isin(places)].dropna(subset=["value"])
    kinds = _rankable(obs["indicator"])
    obs = obs.rename(columns={"indicator": "series"}).merge(kinds, on="series")
    if obs.empty:
        return pd.DataFrame(columns=PEER_COLUMNS)
    regions = {p: geo.region_of(p) for p in places}
    obs = obs.assign(
        region=obs["geo"].map(regions),
        unit=obs["unit"] if "unit" in obs.columns else "",
        _score=obs["value"].where(obs["direction"] == "lower", -obs["value"]),  # smaller is better
    )
    national = obs.groupby(["series", "year"])["_score"]
    regional = obs.groupby(["series", "year", "region"])["_score"]  # NaN regions stay unranked
    obs["rank_national"] = national.rank(method="min")
    obs["n_national"] = national.transform("size")
    obs["rank_region"] = regional.rank(method="min")
    obs["n_region"] = regional.transform("size")
    out = obs[PEER_COLUMNS].sort_values(["series", "year", "rank_national", "geo"], kind="stable")
    return out.astype(
        {"n_national": "Int64", "n_region": "Int64", "rank_national": "Int64", "rank_region": "Int64"}
    )


def province_ranks(ranks: pd.DataFrame, province: str) -> pd.DataFrame:
    """The rows of ``province`` at its latest year of each series (catalogue order, then series)."""
    mine = ranks[ranks["geo"] == province]
    latest = mine.sort_values("year").drop_duplicates("series", keep="last")
    order = {c: i for i, c in enumerate(indicators.catalogue().index)}
    return latest.sort_values(
        ["indicator", "series"], key=lambda c: c.map(order) if c.name == "indicator" else c
    ).reset_index(drop=True)


def map_values(ranks: pd.DataFrame, series: str, year: int) -> pd.DataFrame:
    """``geo, value, rank_national, n_national`` of every province reporting ``series`` in ``year``."""
    rows = ranks[(ranks["series"] == series) & (ranks["year"] == year)]
    return rows[["geo", "value", "rank_national", "n_national"]].reset_index(drop=True)
