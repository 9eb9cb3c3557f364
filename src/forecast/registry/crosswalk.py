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

import numpy as np
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
        :func:`forecast.data.store.analysis_series`), holding ``indicator`` and, for rates,
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
    # one table (year x geo) of every province at once, the merged provinces' parts read from it
    wide = series.pivot_table(index="year", columns="geo", values="value", aggfunc="first")
    pop = _population(obs) if not is_count(indicator) else None
    unit = series["unit"].iloc[0] if len(series) else ""
    frames = [
        _rebuild_one(wide, pop, indicator, unit, new, list(parts["old_geo"]))
        for new, parts in cw.groupby("new_geo", sort=False)
    ]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=["geo", "indicator", "year", "value", "unit", "source"])
    return pd.concat(frames, ignore_index=True)


def _rebuild_one(
    wide: pd.DataFrame,
    pop: tuple[pd.DataFrame, pd.DataFrame] | None,
    indicator: str,
    unit: str,
    new: str,
    parts: list[str],
) -> pd.DataFrame:
    held = wide.reindex(columns=parts).dropna(how="all")  # the years some part has a value
    complete = held.dropna()
    if len(complete) < len(held):
        logger.info(
            "%s %s: %d year(s) skipped, not every part has a value", new, indicator, len(held) - len(complete)
        )
    if pop is None:
        values, how = complete.sum(axis=1), "sum"
    else:
        weights = _weights(pop, complete, indicator, new)
        values, how = (complete * weights).sum(axis=1) / weights.sum(axis=1), "population-weighted mean"
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


def _population(obs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every geo's ``population_avg`` as a year x geo table, and which (year, geo) cells it holds."""
    pop = obs[obs["indicator"] == POPULATION].set_index(["geo", "year"])["value"]
    pop = pop[~pop.index.duplicated()]
    if pop.empty:
        return pd.DataFrame(dtype=float), pd.DataFrame(dtype=bool)
    held = pd.Series(True, index=pop.index).unstack("geo", fill_value=False)
    return pop.unstack("geo"), held


def _weights(
    pop: tuple[pd.DataFrame, pd.DataFrame], complete: pd.DataFrame, indicator: str, new: str
) -> pd.DataFrame:
    """The parts' population in each cell of ``complete``; the first one missing is an error."""
    table, held = pop
    values = table.reindex(index=complete.index, columns=complete.columns)
    missing = ~held.reindex(index=complete.index, columns=complete.columns, fill_value=False).to_numpy(bool)
    if missing.any():
        row, col = np.argwhere(missing)[0]  # year by year, then the parts in order
        raise MissingDataError(
            f"population_avg of {complete.columns[col]} in {complete.index[row]} is missing, needed to "
            f"rebuild {indicator} for {new}; import it first (e.g. forecast data import vn_provinces.csv)"
        )
    return values.astype(float)
