"""Series breaks found in the data: one-year jumps that revert the next year.

A publisher sometimes counts one year differently without a footnote saying so for every series
(GSO's 2012 staff under provincial departments of health include the private sector: national DOH
doctors 50,400 -> 57,523 -> 52,575, nurses 74,362 -> 86,572 -> 84,533). :func:`detect_jumps` finds
such years in every series: the value of year *t* stands off the mean of *t-1* and *t+1* (in
logs) by much more than the series usually does, and many places show it the same year. The
idea is the additive-outlier test of Chen & Liu (1993, "Joint estimation of model parameters and
outlier effects in time series", JASA 88:284-297) reduced to its simplest robust form. The years found
are left out of the analysis like the known breaks of ``data/breaks.csv`` and named by
:func:`jump_notes`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_JUMP = 0.04
NOISE_FACTOR = 2.5
MIN_SHARE = 0.3
JUMP_COLUMNS = ["geo", "indicator", "year", "value", "reason", "reason_vi"]


def spikes(obs: pd.DataFrame) -> pd.DataFrame:
    """Return ``obs`` (positive values, sorted) with ``spike``: +1 / -1 for a one-year jump that
    reverts (an additive outlier: the log value off the mean of its two neighbours by at least
    :data:`MIN_JUMP` and :data:`NOISE_FACTOR` times the series' median such distance, and more
    off than either neighbour), else 0."""
    df = obs[["geo", "indicator", "year", "value"]].sort_values(["geo", "indicator", "year"])
    df = df[df["value"] > 0].copy()
    keys = [df["geo"], df["indicator"]]
    logv = np.log(df["value"])
    g = logv.groupby(keys)
    e = logv - (g.shift(1) + g.shift(-1)) / 2
    years = df["year"].groupby(keys)
    adjacent = (df["year"] - years.shift(1) == 1) & (years.shift(-1) - df["year"] == 1)
    size = e.abs().where(adjacent)
    noise = size.groupby(keys).transform("median")
    near = size.fillna(0).groupby(keys)
    local = (size >= near.shift(1).fillna(0)) & (size >= near.shift(-1).fillna(0))
    hit = adjacent & local & (size >= np.maximum(MIN_JUMP, NOISE_FACTOR * noise))
    df["spike"] = np.sign(e).where(hit.fillna(False), 0).astype(int)
    df["adjacent"] = adjacent
    return df


def detect_jumps(obs: pd.DataFrame) -> pd.DataFrame:
    """Return the observations of the years measured differently (:data:`JUMP_COLUMNS`).

    A year is a break of an indicator (national ``*_gso`` series counted with the provincial
    one) when at least :data:`MIN_SHARE` of the geos observed around it show a spike in the same
    direction (and at least three). Every geo's value of that year is then returned: the
    definition changed for all. A spike in a single series is not enough: real one-year events
    revert too (the 2013 vaccine-safety scare, a COVID year).
    """
    df = spikes(obs)
    df["family"] = df["indicator"].str.replace(r"_gso$", "", regex=True)
    grid = df[df["adjacent"]].groupby(["family", "year"])
    count = pd.DataFrame({"n": grid.size(), "up": grid["spike"].apply(lambda s: (s > 0).sum()),
                          "down": grid["spike"].apply(lambda s: (s < 0).sum())})  # fmt: skip
    count["hits"] = count[["up", "down"]].max(axis=1)
    found = count[(count["hits"] >= 3) & (count["hits"] >= MIN_SHARE * count["n"])]
    out = df.merge(found.reset_index(), on=["family", "year"])
    out["reason"] = [
        f"{y}: the series jumps and returns the next year in {h} of {n} places, so {y} "
        "was counted differently (left out)"
        for y, h, n in zip(out["year"], out["hits"], out["n"])
    ]
    out["reason_vi"] = [
        f"năm {y}: số liệu tăng/giảm đột ngột rồi trở lại vào năm sau ở {h}/{n} địa phương, "
        f"nên năm {y} được tính theo cách khác (không dùng)"
        for y, h, n in zip(out["year"], out["hits"], out["n"])
    ]
    return out[JUMP_COLUMNS].sort_values(["geo", "indicator", "year"]).reset_index(drop=True)


def drop_jumps(obs: pd.DataFrame, jumps: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the observations without the years of :func:`detect_jumps` (a new frame)."""
    jumps = detect_jumps(obs) if jumps is None else jumps
    key = ["geo", "indicator", "year"]
    keep = ~obs.set_index(key).index.isin(jumps.set_index(key).index)
    return obs[keep].reset_index(drop=True)


def jump_notes(jumps: pd.DataFrame, geo: str, indicator: str, lang: str = "vi") -> list[str]:
    """The caveats of the jumps of one series, one sentence each."""
    rows = jumps[(jumps["geo"] == geo) & (jumps["indicator"] == indicator)]
    col, tail = (
        ("reason_vi", " (không dùng để dự báo).")
        if lang == "vi"
        else ("reason", " (left out of the forecasts).")
    )
    return [f"{text}{tail}" for text in rows[col]]
