"""The forecast function every method returns, and the matrix helpers they share.

A panel is a matrix ``Z`` (series × years) on the transformed scale, NaN where unobserved, and the
vector ``t`` of its years. :class:`Components` holds a level at each series' last observed year,
a slope per year and a damping factor: the forecast ``h`` years after the last observation is
``level + slope * (phi + phi**2 + … + phi**h)`` (FPP3 §8.2, damped trend form).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Components:
    """Level, slope and damping of each series' forecast function (arrays of one row per series)."""

    level: np.ndarray
    slope: np.ndarray
    phi: np.ndarray

    def mean(self, h: np.ndarray) -> np.ndarray:
        """Forecast ``h`` years (array broadcastable against the series axis) after the last value."""
        h = np.asarray(h, dtype=float)
        phi = self.phi if h.ndim < 2 else self.phi[:, None]
        slope = self.slope if h.ndim < 2 else self.slope[:, None]
        level = self.level if h.ndim < 2 else self.level[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            damped = np.where(np.abs(1 - phi) < 1e-9, h, phi * (1 - phi**h) / (1 - phi))
        return level + slope * damped

    def at(self, idx: np.ndarray, h: np.ndarray) -> np.ndarray:
        """Forecast of series ``idx[k]`` at ``h[k]`` years after its last value (paired arrays)."""
        return Components(self.level[idx], self.slope[idx], self.phi[idx]).mean(h)


def ends(Z: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return first value, first year, last value and last year of each row (NaN if empty)."""
    ok = np.isfinite(Z)
    rows = np.arange(len(Z))
    i0 = ok.argmax(axis=1)
    i1 = Z.shape[1] - 1 - ok[:, ::-1].argmax(axis=1)
    empty = ~ok.any(axis=1)
    z0, z1 = Z[rows, i0], Z[rows, i1]
    t0, t1 = t[i0].astype(float), t[i1].astype(float)
    t0[empty] = t1[empty] = np.nan
    return z0, t0, z1, t1


def wls(Z: np.ndarray, t: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted least-squares line per row: (intercept at the row's last year, slope, residual var)."""
    ok = np.isfinite(Z)
    W = np.where(ok, W, 0.0)
    Zf = np.where(ok, Z, 0.0)
    sw = W.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        tbar = (W * t).sum(axis=1) / sw
        zbar = (W * Zf).sum(axis=1) / sw
        dt = t - tbar[:, None]
        sxx = (W * dt**2).sum(axis=1)
        slope = np.where(sxx > 0, (W * dt * (Zf - zbar[:, None])).sum(axis=1) / sxx, 0.0)
        resid = np.where(ok, Zf - zbar[:, None] - slope[:, None] * dt, 0.0)
        n = ok.sum(axis=1)
        var = (W * resid**2).sum(axis=1) / sw * n / np.maximum(n - 2, 1)
    _, _, _, t1 = ends(Z, t)
    return zbar + slope * (t1 - tbar), slope, var
