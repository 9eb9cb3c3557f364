"""The province's own level carried forward by another series: a gap model.

Where a province has only one or two published points of an indicator (Lào Cai's life expectancy
69.0 in 2017 and 69.1 in 2018), those points are its data: the anchor. A longer series (its
region's, the nation's, or its own series of another definition) only carries that level forward:
the province keeps its gap to the carrier as measured at its **last** own point, and the gap is
allowed to drift as a random walk from there, so the interval widens with the years since the
province's last point (UN IGME's and the JME's country models pool the same way: the country's
own data fix the level, the pooled trend the change).

On the indicator's model scale (:func:`forecast.engine.transforms.for_indicator`: logit for a
share, log for a rate, identity for years) the forecast at a year ``Y`` after the last own year
``L`` is

    z(Y) = z_own(L) + z_carrier(Y) - z_carrier(L)

with the carrier's observation where it has one (no forecast spread) and its forecast quantiles
after its last observation; the drift adds ``GAP_DRIFT[kind] ** 2 * (Y - L)`` in quadrature to
each quantile's spread, so even a target year the carrier has observed gets an interval wider
than zero. Nothing is fitted here.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

from forecast import config
from forecast.engine import transforms

__all__ = ["GAP_DRIFT", "carry_forward", "own_points"]

#: Drift of a province's gap to the series carrying it, per sqrt(year), on the model scale.
#: log/logit: the root-mean-square change of the gap between a province's and the national (GSO)
#: infant mortality on the log scale, 2005-2016, all 63 provinces, 0.24 over 8 years (0.08 per
#: sqrt year). identity (years of life expectancy): the root-mean-square change of the gap between
#: a province's published life expectancy and its region's, 55 pairs of years of 28 provinces in
#: ``vn_observed_2017plus.csv``, 0.33 years per sqrt year (0.21 over three years or more).
GAP_DRIFT = {"log": 0.08, "logit": 0.08, "identity": 0.3}
_Q = np.asarray(config.QUANTILES)
_Z = np.array([NormalDist().inv_cdf(q) if q != 0.5 else 0.0 for q in config.QUANTILES])


def own_points(anchor: pd.DataFrame) -> pd.DataFrame:
    """The anchor's points that may carry a level: sorted, without low-confidence points."""
    rows = anchor.dropna(subset=["value"]).sort_values("year")
    if "quality" in rows.columns:
        rows = rows[~rows["quality"].fillna("").astype(str).str.contains("low_confidence")]
    return rows


def _reference(obs: pd.DataFrame, fc: pd.DataFrame | None, tr: transforms.Transform) -> pd.DataFrame:
    """The carrier on the model scale by year: observed (no spread), then its forecast quantiles."""
    seen = obs.dropna(subset=["value"]).sort_values("year")
    years = np.arange(int(seen["year"].min()), config.HORIZON_END + 1)
    z_obs = tr.forward(seen["value"].to_numpy(float))
    last = int(seen["year"].max())
    inside = years <= last
    z = np.full((len(years), len(_Q)), np.nan)
    z[inside] = np.interp(years[inside], seen["year"].to_numpy(float), z_obs)[:, None]
    if fc is not None and len(fc):
        f = fc[fc["year"] > last].set_index("year").reindex(years[~inside])
        z[~inside] = tr.forward(f[list(config.QUANTILE_COLUMNS)].to_numpy(float))
    return pd.DataFrame(z, index=years, columns=list(config.QUANTILE_COLUMNS))


def carry_forward(
    anchor: pd.DataFrame, obs: pd.DataFrame, fc: pd.DataFrame | None, indicator: str
) -> tuple[pd.DataFrame, pd.DataFrame | None, float]:
    """Carry the last of the ``anchor`` points forward along the carrier ``obs``/``fc``.

    Parameters
    ----------
    anchor
        The province's own points (``year``, ``value``; ``quality`` optional).
    obs, fc
        The carrier's observations and forecast (one model; ``fc`` may be None).
    indicator
        The target's indicator (its model scale).

    Returns
    -------
    tuple
        The own points (the observations a row is assessed on), a forecast frame for every year
        after the last own point to :data:`forecast.config.HORIZON_END` (columns of ``fc``:
        ``mean`` and the quantiles, ``status`` ok, ``reason`` empty) and the gap at the last
        own point in natural units (own minus carrier). Where the carrier does not reach the
        last own year, nothing is carried: ``(points, None, nan)``.
    """
    tr = transforms.for_indicator(indicator)
    points = own_points(anchor)
    if points.empty or obs.dropna(subset=["value"]).empty:
        return points, None, math.nan
    ref = _reference(obs, fc, tr)
    last_year, last_value = int(points["year"].iloc[-1]), float(points["value"].iloc[-1])
    if last_year not in ref.index or not np.isfinite(ref.loc[last_year, "q50"]):
        return points, None, math.nan
    at_last = float(ref.loc[last_year, "q50"])
    z_own = float(tr.forward(np.asarray(last_value, dtype=float)))
    later = ref[ref.index > last_year].dropna()
    if later.empty:
        return points, None, math.nan
    mid = later["q50"].to_numpy(float) - at_last + z_own
    spread = (later.to_numpy(float) - later[["q50"]].to_numpy(float)) / np.where(_Z == 0, 1.0, _Z)
    h = later.index.to_numpy(float) - last_year
    drift = GAP_DRIFT.get(tr.kind, GAP_DRIFT["log"]) ** 2 * h
    z = mid[:, None] + _Z[None, :] * np.sqrt(spread**2 + drift[:, None])
    values = tr.inverse(z)
    out = pd.DataFrame(values, columns=list(config.QUANTILE_COLUMNS))
    out.insert(0, "year", later.index.astype(int))
    out["mean"] = out["q50"]
    out["status"], out["reason"] = "ok", ""
    if fc is not None and len(fc):
        for c in ("geo", "indicator", "model"):
            if c in fc.columns:
                out[c] = fc[c].iloc[0]
    gap = last_value - float(tr.inverse(np.asarray(at_last)))
    return points, out, gap
