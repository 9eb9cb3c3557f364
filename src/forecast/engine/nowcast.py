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
                best[base] = (p.t[ok], p.Z[i][ok])
    return best


def nowcast_mean(
    comp: Components, panel: Panel, path, ii: np.ndarray, yy: np.ndarray, ok: np.ndarray
) -> np.ndarray:
    """Forecast rows ``(ii, yy)``: national change up to its last year, then the damped trend.

    Rows of national series, of series not fitted (``ok`` false), or whose last year is not
    inside the national series' range keep the plain forecast from their own last year.
    """
    _, _, _, t1 = ends(panel.Z, panel.t)
    plain = comp.at(ii, yy - t1[ii])
    if path is None:
        return plain
    tn, zn = path
    last = t1[ii]
    use = ok[ii] & (last < tn[-1]) & (last >= tn[0]) & ~np.isin(panel.geos[ii], list(NATIONAL_GEOS))
    if not use.any():
        return plain
    stop = np.minimum(yy, tn[-1])
    shift = np.interp(stop, tn, zn) - np.interp(last, tn, zn)
    after = np.maximum(yy - tn[-1], 0)
    moved = comp.level[ii] + shift + Components(comp.level[ii] * 0, comp.slope[ii], comp.phi[ii]).mean(after)
    return np.where(use, moved, plain)
