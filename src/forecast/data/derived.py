"""Series the catalogue derives from another series of the same geo (:data:`forecast.registry.indicators.DERIVED`).

:func:`with_derived` appends, e.g., ``cbr_decline`` (the yearly fall of the crude birth rate,
per-mille points) computed from each geo's ``crude_birth_rate``: previous year's value minus
this year's, for consecutive years only, and only where both years come from the same outlet
(a difference across a change of source would measure the change of source). Each derived row
names the rows it came from in ``source``; nothing is stored.
"""

from __future__ import annotations

import pandas as pd

from forecast.log import logger
from forecast.registry import indicators

__all__ = ["DERIVED_SOURCE", "derive", "with_derived"]

DERIVED_SOURCE = "derived"  # start of a derived row's source


def derive(obs: pd.DataFrame, code: str) -> pd.DataFrame:
    """Return the derived series ``code`` (columns of ``obs``) for every geo holding its source series."""
    source, how, meaning = indicators.DERIVED[code]
    if how != "decline":
        raise ValueError(f"unknown derivation {how!r} for {code}: use 'decline'")
    rows = obs[obs["indicator"] == source].sort_values(["geo", "year"])
    if rows.empty:
        return obs.iloc[0:0]
    prev = rows.groupby("geo")[["year", "value", "source"]].shift(1)
    keep = (rows["year"] - prev["year"] == 1) & (_outlet(rows["source"]) == _outlet(prev["source"]))
    out = rows[keep].assign(
        indicator=code,
        base_indicator=code,
        definition="",
        value=(prev["value"] - rows["value"])[keep],
        unit=indicators.indicator(code)["unit"],
        source=DERIVED_SOURCE + f" ({meaning}) from " + rows.loc[keep, "source"].astype(str),
    )
    return out.reindex(columns=obs.columns).reset_index(drop=True)


def _outlet(source: pd.Series) -> pd.Series:
    """The outlet a source string starts with (``GSO yearbook``, ``GSO PX-Web export``)."""
    return source.astype(str).str.split(";").str[0].str.split("(", regex=False).str[0].str.strip()


def with_derived(obs: pd.DataFrame) -> pd.DataFrame:
    """Return ``obs`` with the derived series appended where the store holds none of its own."""
    held = set(obs["indicator"])
    frames = [derive(obs, code) for code in indicators.DERIVED if code not in held]
    frames = [f for f in frames if len(f)]
    if not frames:
        return obs
    out = pd.concat(frames, ignore_index=True)
    logger.info(
        "derived %d series (%s)",
        out.groupby(["geo", "indicator"]).ngroups,
        ", ".join(out["indicator"].unique()),
    )
    return pd.concat([obs, out], ignore_index=True)
