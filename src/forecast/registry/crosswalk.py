"""The 2025 province map (Resolution 202/2025/QH15): rebuild series for the merged provinces.

``data/crosswalk_2025.csv`` lists, for every merged province ``"<name> (mới)"``, the provinces it
was made of. :func:`rebuild` recomputes an indicator for the new provinces from the old ones:

* counts (``*_count``, ``population_avg``) are summed;
* rates, percentages and densities (per 1,000, per 10,000 …) are averaged with the parts'
  average population (``population_avg``) of the same year as weights.

A year is rebuilt only when every part has a value; a missing population for such a year is an
error (:class:`~forecast.errors.MissingDataError`), never silently unweighted.
"""

from __future__ import annotations

import pandas as pd

from forecast import config
from forecast.errors import MissingDataError
from forecast.log import logger
from forecast.registry import indicators

POPULATION = "population_avg"


def load_crosswalk(since: int = 2025) -> pd.DataFrame:
    """Return the crosswalk rows (old_geo, new_geo, valid_from, legal_basis) valid from ``since``."""
    cw = pd.read_csv(config.CROSSWALK_CSV, dtype=str, keep_default_na=False)
    return cw[cw["valid_from"].str[:4].astype(int) >= since].reset_index(drop=True)


def is_count(indicator: str) -> bool:
    """Return True if ``indicator`` is summed over provinces (a count), False if averaged."""
    info = indicators.series_info(indicator)
    return indicator.endswith("_count") or bool(info and info["kind"] == "count")


def rebuild(obs: pd.DataFrame, indicator: str, crosswalk: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rebuild ``indicator`` for the merged provinces from the provinces they were made of.

    Parameters
    ----------
    obs
        Observations with one row per geo, indicator and year (e.g.
        :func:`forecast.store.analysis_series`), holding ``indicator`` and, for rates,
        ``population_avg`` of the parts.
    indicator
        The store code to rebuild, e.g. ``imr`` or ``beds_dohs_count``.
    crosswalk
        Default :func:`load_crosswalk`.

    Returns
    -------
    pandas.DataFrame
        geo (the new province), indicator, year, value, unit, source; one row per new province
        and year in which every part has a value.

    Raises
    ------
    MissingDataError
        If a rate needs the population of a part in a year the observations lack.
    """
    cw = load_crosswalk() if crosswalk is None else crosswalk
    series = obs[obs["indicator"] == indicator]
    pop = obs[obs["indicator"] == POPULATION].set_index(["geo", "year"])["value"]
    pop = pop[~pop.index.duplicated()]
    frames = [
        _rebuild_one(series, pop, indicator, new, list(parts["old_geo"]))
        for new, parts in cw.groupby("new_geo", sort=False)
    ]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=["geo", "indicator", "year", "value", "unit", "source"])
    return pd.concat(frames, ignore_index=True)


def _rebuild_one(
    series: pd.DataFrame, pop: pd.Series, indicator: str, new: str, parts: list[str]
) -> pd.DataFrame:
    wide = series[series["geo"].isin(parts)].pivot_table(
        index="year", columns="geo", values="value", aggfunc="first"
    )
    complete = wide.reindex(columns=parts).dropna()
    if len(complete) < len(wide):
        logger.info(
            "%s %s: %d year(s) skipped, not every part has a value", new, indicator, len(wide) - len(complete)
        )
    if is_count(indicator):
        values, how = complete.sum(axis=1), "sum"
    else:
        weights = _weights(pop, complete, indicator, new)
        values, how = (complete * weights).sum(axis=1) / weights.sum(axis=1), "population-weighted mean"
    unit = series["unit"].iloc[0] if len(series) else ""
    source = f"crosswalk 2025 ({how} of {', '.join(parts)}; Resolution 202/2025/QH15)"
    return pd.DataFrame(
        {
            "geo": new,
            "indicator": indicator,
            "year": values.index.astype("int64"),
            "value": values.to_numpy(dtype=float),
            "unit": unit,
            "source": source,
        }
    )


def _weights(pop: pd.Series, complete: pd.DataFrame, indicator: str, new: str) -> pd.DataFrame:
    weights = complete.copy()
    for year in complete.index:
        for geo in complete.columns:
            if (geo, year) not in pop.index:
                raise MissingDataError(
                    f"population_avg of {geo} in {year} is missing, needed to rebuild {indicator} "
                    f"for {new}; import it first (e.g. forecast data import vn_provinces.csv)"
                )
            weights.loc[year, geo] = pop[(geo, year)]
    return weights
