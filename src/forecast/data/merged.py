"""Series of the merged 2025 provinces, rebuilt from the old provinces they were made of.

:func:`with_merged` appends to an analysis-series frame (:func:`forecast.data.store.analysis_series`)
the series of every merged province ``"<name> (mới)"`` rebuilt by
:func:`forecast.registry.crosswalk.rebuild` (counts summed, rates population-weighted), for each
provincial indicator and each year in which every old province has a value. A year the merged
province has observed itself (e.g. Lào Cai (mới)'s BHYT coverage 2025) keeps the observation.
"""

from __future__ import annotations

import pandas as pd

from forecast.errors import MissingDataError
from forecast.log import logger
from forecast.registry import crosswalk, geo, indicators

__all__ = ["MERGED_SOURCE", "rebuild_merged", "with_merged"]

MERGED_SOURCE = "crosswalk 2025"  # start of a rebuilt row's source


def rebuild_merged(obs: pd.DataFrame, cw: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the rebuilt series of the merged provinces (columns of ``obs``), one per indicator.

    Indicators a rebuild cannot weight (a part's population missing in a year) are skipped and
    logged, never averaged unweighted.
    """
    cw = crosswalk.load_crosswalk() if cw is None else cw
    parts = set(cw["old_geo"])
    provincial = obs[obs["geo"].isin(parts)]
    frames = []
    for code in sorted(set(provincial["indicator"])):
        try:
            frames.append(crosswalk.rebuild(provincial, code, cw))
        except MissingDataError as e:
            logger.info("not rebuilt for the merged provinces: %s", e)
    frames = [f for f in frames if len(f)]
    if not frames:
        return obs.iloc[0:0]
    out = pd.concat(frames, ignore_index=True)
    pairs = {c: indicators.base_indicator(c) for c in out["indicator"].unique()}
    out["base_indicator"] = out["indicator"].map(lambda c: pairs[c][0])
    out["definition"] = out["indicator"].map(lambda c: pairs[c][1])
    out["import_id"] = "crosswalk"
    return out.reindex(columns=obs.columns)


def with_merged(obs: pd.DataFrame) -> pd.DataFrame:
    """Return ``obs`` with the rebuilt series of the merged provinces appended (observed years win)."""
    rebuilt = rebuild_merged(obs)
    if rebuilt.empty:
        return obs
    key = ["geo", "indicator", "year"]
    seen = pd.MultiIndex.from_frame(obs[key])
    fresh = rebuilt[~pd.MultiIndex.from_frame(rebuilt[key]).isin(seen)]
    logger.info(
        "rebuilt %d series of %d merged provinces",
        fresh.groupby(["geo", "indicator"]).ngroups,
        fresh["geo"].nunique(),
    )
    return pd.concat([obs, fresh], ignore_index=True)


def is_merged(name: str) -> bool:
    """Return whether ``name`` is a merged 2025 province (``"… (mới)"``)."""
    return geo.geo_type(name) in ("province", "city") and name.endswith("(mới)")
