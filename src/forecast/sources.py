"""The source-priority rule: which of several values of one geo, indicator and year is analysed.

The store keeps every value of every source (:mod:`forecast.store`); when several rows share a
geo, indicator and year, :func:`pick_sources` keeps one, chosen by, in order,

1. final over provisional: rows flagged preliminary, mid-year or "as of" lose;
2. series consistency: the source covering the most years of that geo-indicator series wins,
   so a series is not stitched from outlets with different methods;
3. agreement: the value reported by the most sources wins;
4. recency: the latest import wins (a revised file supersedes the earlier one);
5. the source name, alphabetically, so that the choice is deterministic.
"""
from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

_PROVISIONAL = r"(?i)prelim|mid-year|\bas of (?!end)|sơ bộ"


def pick_sources(obs: pd.DataFrame) -> pd.DataFrame:
    """Apply the source-priority rule to an observations frame (a new frame is returned)."""
    key = ["geo", "indicator", "year"]
    family = _per_unique(obs["source"], lambda s: re.sub(r"\s*\[preliminary\]", "", s))
    ranked = obs.assign(
        _provisional=_per_unique(obs["source"] + " " + obs["note"],
                                 lambda s: bool(re.search(_PROVISIONAL, s))),
        _coverage=obs.assign(_f=family).groupby(["geo", "indicator", "_f"])["year"].transform("nunique"),
        _agree=obs.groupby(key + ["value"])["source"].transform("nunique"))
    ranked = ranked.sort_values(key + ["_provisional", "_coverage", "_agree", "import_id", "source"],
                                ascending=[True, True, True, True, False, False, False, True])
    out = ranked.drop_duplicates(key, keep="first")
    return out[obs.columns].reset_index(drop=True)


def _per_unique(values: pd.Series, func: Callable[[str], object]) -> pd.Series:
    # Sources repeat thousands of times: apply regexes once per distinct string.
    uniques = values.unique()
    return values.map(dict(zip(uniques, map(func, uniques))))
