"""Nowcasting a province from the longer national series (used by the ``pooled`` model).

GSO provincial series stop in 2016 while national series run later. Between a province's last
year and the national series' last year, the province is assumed to keep its gap to the nation
on the transformed scale, i.e. to follow the observed national change (a ratio-to-aggregate
nowcast, as in UN IGME / UN Population Division sub-national projections); after the national
series ends, the pooled damped trend continues.
"""

from __future__ import annotations

import numpy as np

from forecast.engine.components import Components, ends
from forecast.engine.panels import Panel
from forecast.registry.indicators import base_indicator

NATIONAL_GEOS = frozenset(
    {"VN", "VNM", "Việt Nam", "Viet Nam", "Vietnam", "WHOLE COUNTRY", "Cả nước", "Toàn quốc"}
)


def national_paths(panels: list[Panel]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per base indicator, the national series (years, transformed values) that ends latest."""
    best: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for p in panels:
        base, _ = base_indicator(p.indicator)
        for i, geo in enumerate(p.geos):
            if geo not in NATIONAL_GEOS:
                continue
            ok = np.isfinite(p.Z[i])
            if ok.sum() >= 2 and (base not in best or p.t[ok][-1] > best[base][0][-1]):
                best[base] = (p.t[ok], running_median(p.Z[i][ok]))
    return best


def running_median(z: np.ndarray) -> np.ndarray:
    """Tukey's running median of three, ends kept (Tukey 1977, *Exploratory Data Analysis*, ch. 7).

    A one-year spike of the national series (life expectancy 2020: 75.4 between 74.2 and 74.1)
    is not a change a province's nowcast should copy; a steady trend passes unchanged.
    """
    z = np.asarray(z, dtype=float)
    if len(z) < 3:
        return z.copy()
    mid = np.median(np.vstack([z[:-2], z[1:-1], z[2:]]), axis=0)
    return np.r_[z[0], mid, z[-1]]


def anchored(panel: Panel, path, ii: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Rows ``ii`` nowcast along the national series: fitted, sub-national, ending inside its range."""
    if path is None:
        return np.zeros(len(ii), dtype=bool)
    _, _, _, t1 = ends(panel.Z, panel.t)
    tn, last = path[0], t1[ii]
    return ok[ii] & (last < tn[-1]) & (last >= tn[0]) & ~np.isin(panel.geos[ii], list(NATIONAL_GEOS))


def nowcast_mean(
    comp: Components, panel: Panel, path, ii: np.ndarray, yy: np.ndarray, ok: np.ndarray
) -> np.ndarray:
    """Forecast rows ``(ii, yy)``: national change up to its last year, then the damped trend.

    The province keeps its gap to the nation on the transformed scale up to the national
    series' last year (its smoothed path, :func:`running_median`), then its member's own damped
    trend continues. Rows of national series, of series not fitted (``ok`` false), or whose last
    year is not inside the national series' range keep the plain forecast from their own last year.
    """
    _, _, _, t1 = ends(panel.Z, panel.t)
    plain = comp.at(ii, yy - t1[ii])
    use = anchored(panel, path, ii, ok)
    if not use.any():
        return plain
    tn, zn = path
    last = t1[ii]
    stop = np.minimum(yy, tn[-1])
    shift = np.interp(stop, tn, zn) - np.interp(last, tn, zn)
    after = np.maximum(yy - tn[-1], 0)
    moved = comp.level[ii] + shift + Components(comp.level[ii] * 0, comp.slope[ii], comp.phi[ii]).mean(after)
    return np.where(use, moved, plain)
