"""What the store holds for one place: every observation, and whether the analysis uses it.

:func:`show_observations` backs ``forecast data show``: the stored rows of a geo (optionally one
indicator, with its variants) with source, definition and quality, and ``used`` / ``why`` saying
whether :func:`forecast.data.store.analysis_series` keeps the row and, if not, why (another
source preferred, a suspect value, a known break, a break found in the data). The store is opened
read-only and never created.
"""

from __future__ import annotations

import os

import pandas as pd

from forecast import config
from forecast.data import store
from forecast.data.jumps import drop_jumps
from forecast.data.priority import drop_breaks
from forecast.errors import StoreError

_NOT_SHOWN = ("import_id", "base_indicator", "note")  # bookkeeping, or said by ``definition``
#: The store's columns (:data:`forecast.data.store.OBS_COLUMNS`) but :data:`_NOT_SHOWN`, then ``used``, ``why``.
SHOW_COLUMNS = [c for c in store.OBS_COLUMNS if c not in _NOT_SHOWN] + ["used", "why"]
_KEY = ["geo", "indicator", "year", "source", "value"]


def show_observations(
    path: str | os.PathLike | None = None, geo: str | None = None, indicator: str | None = None
) -> pd.DataFrame:
    """Return the stored observations of ``geo`` (and ``indicator`` and its variants) with ``used``/``why``.

    Raises
    ------
    StoreError
        If the store does not exist (it is never created here).
    """
    file = config.store_path(path)
    if not file.exists():
        raise StoreError(f"no store at {file}; import data first (`forecast data import`) or pass --store")
    obs = store.load_observations(path, geo)
    if indicator:
        obs = obs[(obs["indicator"] == indicator) | (obs["base_indicator"] == indicator)]
    picked, found = store.analysis_parts(path)
    used = drop_jumps(drop_breaks(picked), found)
    out = obs.merge(used[_KEY].assign(used=True), on=_KEY, how="left")
    out["used"] = out["used"].eq(True)
    out["why"] = _why(out, found)
    return out[SHOW_COLUMNS].sort_values(["indicator", "year", "source"]).reset_index(drop=True)


def _why(rows: pd.DataFrame, found: pd.DataFrame) -> pd.Series:
    why = pd.Series("", index=rows.index, dtype=object)
    unused = ~rows["used"]
    why[unused] = "another source is preferred for this year"
    key = ["geo", "indicator", "year"]
    kept = drop_breaks(rows[key + ["value"]]).assign(_kept=True)
    known = rows[key].merge(kept[key + ["_kept"]].drop_duplicates(key), on=key, how="left")["_kept"].isna()
    why[unused & known.to_numpy()] = "a known series break (data/breaks.csv)"
    if len(found):
        reasons = rows[key].merge(found[key + ["reason"]].drop_duplicates(key), on=key, how="left")["reason"]
        hit = unused & reasons.notna().to_numpy()
        why[hit] = reasons[hit.to_numpy()].to_numpy()
    why[unused & rows["quality"].str.contains("suspect")] = "flagged suspect by its source"
    return why
