"""The source-priority rule: which of several values of one geo, indicator and year is analysed.

The store keeps every value of every source (:mod:`forecast.data.store`); when several rows share a
geo, indicator and year, :func:`pick_sources` keeps one, chosen by, in order,

1. quality: a row with a worse quality flag loses (:func:`forecast.data.quality.quality_rank`:
   suspect < low confidence < preliminary / mid-year < transcribed < final);
2. series consistency: the source covering the most years of that geo-indicator series wins,
   so a series is not stitched from outlets with different methods;
3. agreement: the value reported by the most sources wins;
4. recency: the latest import wins (a revised file supersedes the earlier one);
5. the source name, alphabetically, so that the choice is deterministic.

Known breaks in a series (``data/breaks.csv``: a publisher's footnote says a year is measured
differently, e.g. GSO's 2012 pharmaceutical staff include the private sector) are left out of the
analysis by :func:`drop_breaks`; the store keeps those rows, and :func:`break_notes` words the
caveat a brief shows for the series it used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from fnmatch import fnmatchcase
from functools import lru_cache

import pandas as pd

from forecast import config
from forecast.data.quality import quality_column, quality_rank
from forecast.log import logger


def pick_sources(obs: pd.DataFrame) -> pd.DataFrame:
    """Apply the source-priority rule to an observations frame (a new frame is returned)."""
    key = ["geo", "indicator", "year"]
    family = _per_unique(obs["source"], lambda s: re.sub(r"\s*\[preliminary\]", "", s))
    quality = obs["quality"] if "quality" in obs.columns else quality_column(obs["note"], obs["source"])
    ranked = obs.assign(
        _provisional=_per_unique(quality.fillna(""), quality_rank),
        _coverage=obs.assign(_f=family).groupby(["geo", "indicator", "_f"])["year"].transform("nunique"),
        _agree=obs.groupby(key + ["value"])["source"].transform("nunique"),
    )
    ranked = ranked.sort_values(
        key + ["_provisional", "_coverage", "_agree", "import_id", "source"],
        ascending=[True, True, True, True, False, False, False, True],
    )
    out = ranked.drop_duplicates(key, keep="first")
    return out[obs.columns].reset_index(drop=True)


def _per_unique(values: pd.Series, func: Callable[[str], object]) -> pd.Series:
    # Sources repeat thousands of times: apply regexes once per distinct string.
    uniques = values.unique()
    return values.map(dict(zip(uniques, map(func, uniques))))


@lru_cache(maxsize=1)
def breaks() -> pd.DataFrame:
    """The known series breaks: ``indicator`` (a pattern such as ``pharmacists_*dohs*``), ``geo``
    (empty: every geo), ``first_year``, ``last_year``, ``reason`` and ``reason_vi``."""
    df = pd.read_csv(config.BREAKS_CSV, dtype=str, keep_default_na=False, encoding="utf-8")
    return df.astype({"first_year": "int64", "last_year": "int64"})


def _matches(obs: pd.DataFrame, brk: dict) -> pd.Series:
    codes = obs["indicator"].unique()
    hit = {c for c in codes if fnmatchcase(c, brk["indicator"])}
    mask = obs["indicator"].isin(hit) & obs["year"].between(brk["first_year"], brk["last_year"])
    return mask & (obs["geo"] == brk["geo"]) if brk["geo"] else mask


def drop_breaks(obs: pd.DataFrame) -> pd.DataFrame:
    """Return the observations without the years of a known break (a new frame)."""
    drop = pd.Series(False, index=obs.index)
    for brk in breaks().to_dict("records"):
        drop |= _matches(obs, brk)
    if drop.any():
        logger.info(
            "left %d observations of known series breaks out of the analysis (data/breaks.csv)",
            int(drop.sum()),
        )
    return obs[~drop].reset_index(drop=True)


def break_notes(
    series: Iterable[tuple[str, str]], lang: str = "vi", found: pd.DataFrame | None = None
) -> list[str]:
    """The caveats of the breaks that touch the given ``(geo, indicator)`` series, one per break.

    ``found`` (from :func:`forecast.data.store.series_breaks`) adds the breaks found in the data.
    """
    listed = list(series)
    pairs = pd.DataFrame(listed, columns=["geo", "indicator"])
    out = _found_notes(pairs, found, lang) if found is not None and len(found) else []
    for brk in breaks().to_dict("records"):
        # _matches at the break's own first year, written for a few pairs (a brief asks per series)
        hit = any(fnmatchcase(c, brk["indicator"]) and (not brk["geo"] or g == brk["geo"]) for g, c in listed)
        if hit:
            years = (
                str(brk["first_year"])
                if brk["first_year"] == brk["last_year"]
                else f"{brk['first_year']}–{brk['last_year']}"
            )
            text = brk["reason_vi"] if lang == "vi" and brk["reason_vi"] else brk["reason"]
            out.append(
                text
                + (
                    f" (năm {years} không dùng để dự báo)."
                    if lang == "vi"
                    else f" ({years} left out of the forecasts)."
                )
            )
    return out


def _found_notes(pairs: pd.DataFrame, found: pd.DataFrame, lang: str) -> list[str]:
    hit = found.merge(pairs, on=["geo", "indicator"])
    if hit.empty:
        return []
    hit = drop_breaks(hit)  # a known break says it better
    column = "reason_vi" if lang == "vi" else "reason"
    return list(dict.fromkeys(hit[column] + "."))
