"""A panel local-level model: smoothing, trend shrinkage and damping estimated on the whole panel.

Provincial health series are short (5-15 points) and noisy, so a smoothing weight or a trend fitted
per series is mostly noise. Following the "global" forecasting principle (Montero-Manso & Hyndman
2021, "Principles and algorithms for forecasting groups of time series: locality and globality",
IJF 37:1632-1653), :func:`panel` shares three hyper-parameters across all series of one indicator:

* ``alpha``: the weight of the simple exponential smoother that estimates each series' current
  level (the steady-state Kalman gain of Harvey's local level model, i.e. its signal-to-noise ratio,
  estimated on the panel instead of per series; Harvey 1989, §2.3; FPP3 §8.1);
* ``w``: how much of a series' own recent slope it keeps; the rest comes from the panel's median
  slope on the transformed scale (the indicator's common trend, a robust shrinkage target);
* ``phi``: the damping of that trend (FPP3 §8.2); ``phi = 0`` is a flat forecast.

They are chosen from a small grid by rolling-origin forecast errors *inside the data passed in*
(FPP3 §5.10), so in a back-test nothing after the origin is seen, and the choice is reproducible.
"""

from __future__ import annotations

import numpy as np

from forecast.engine.components import Components, ends, wls

ALPHAS = np.array([0.2, 0.4, 0.6, 0.8, 1.0])
SHRINK = np.array([0.0, 0.5, 1.0])
PHIS = np.array([0.0, 0.8, 0.9, 1.0])


def common_slope(Z: np.ndarray, t: np.ndarray, window: int = 10) -> tuple[np.ndarray, float]:
    """Each row's least-squares slope over its last ``window`` years, and their panel median.

    Rows with fewer than two points in the window get the median. The median (rather than a
    mean) keeps one province's hospital opening from setting the indicator's trend.
    """
    _, _, _, t1 = ends(Z, t)
    W = (t[None, :] > (t1[:, None] - window)).astype(float)
    _, b, _ = wls(Z, t, W)
    enough = (np.isfinite(Z) & (W > 0)).sum(axis=1) >= 2
    mu = float(np.median(b[enough])) if enough.any() else 0.0
    return np.where(enough, b, mu), mu


def ses_paths(Z: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """SES levels of ``Z`` and of the time index after each column, for every alpha: (n, T, A).

    The smoother starts at a row's first observation and skips gaps (FPP3 §8.1). Because it is
    linear, smoothing the detrended series ``z - b·t`` gives level ``Lz - b·Lt``; the level with
    drift at the last year ``t1`` is then ``Lz + b·(t1 - Lt)`` (SES with drift, as in the Theta
    method), so one pass serves every slope and every origin.
    """
    n, T = Z.shape
    lz = np.full((n, len(ALPHAS)), np.nan)
    lt = np.full((n, len(ALPHAS)), np.nan)
    Lz, Lt = np.empty((n, T, len(ALPHAS))), np.empty((n, T, len(ALPHAS)))
    for j in range(T):
        obs = np.isfinite(Z[:, j])
        new = obs & np.isnan(lz[:, 0])
        lz[new], lt[new] = Z[new, j, None], t[j]
        upd = obs & ~new
        lz[upd] += ALPHAS * (Z[upd, j, None] - lz[upd])
        lt[upd] += ALPHAS * (t[j] - lt[upd])
        Lz[:, j], Lt[:, j] = lz, lt
    return Lz, Lt


def _grid(
    Z: np.ndarray, t: np.ndarray, window: int, Lz: np.ndarray, Lt: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Levels (n, S, A) and slopes (n, S) for every shrinkage weight in :data:`SHRINK`.

    ``Lz, Lt`` are the (n, A) SES levels of ``Z`` and of time at its last column.
    """
    own, mu = common_slope(Z, t, window)
    slopes = SHRINK[None, :] * own[:, None] + (1 - SHRINK[None, :]) * mu
    _, _, _, t1 = ends(Z, t)
    levels = Lz[:, None, :] + slopes[:, :, None] * (t1[:, None] - Lt)[:, None, :]
    return levels, slopes


def _damped(h: np.ndarray) -> np.ndarray:
    """``phi + phi² + … + phi^h`` for every phi in :data:`PHIS`; shape ``h.shape + (P,)``."""
    h = np.asarray(h, dtype=float)[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(PHIS == 1.0, h, PHIS * (1 - PHIS**h) / (1 - PHIS))


def _mean_abs_change(Z: np.ndarray) -> np.ndarray:
    """Mean absolute change between consecutive observations of each row (NaN if none)."""
    d = np.abs(np.diff(Z, axis=1))
    n = np.isfinite(d).sum(axis=1)
    with np.errstate(invalid="ignore"):
        return np.where(n > 0, np.nansum(d, axis=1) / np.maximum(n, 1), np.nan)


def validation_loss(
    Z: np.ndarray,
    t: np.ndarray,
    *,
    window: int = 10,
    horizon: int = 10,
    min_points: int = 3,
    max_origins: int = 8,
    paths=None,
) -> np.ndarray:
    """Mean absolute scaled rolling-origin error of every grid point, shape (S, A, P).

    At each origin inside ``t`` the grid is fitted on the years up to it and scored on the
    following ``horizon`` years; errors are divided by the series' mean absolute yearly change
    up to the origin (the MASE scale, Hyndman & Koehler 2006), floored at a tenth of the panel's
    median so near-constant series do not dominate. ``paths`` are :func:`ses_paths` of ``Z``.
    """
    loss = np.zeros((len(SHRINK), len(ALPHAS), len(PHIS)))
    count = 0
    origins = t[(t >= t[0] + min_points - 1) & (t < t[-1])][-max_origins:]
    Lz, Lt = paths if paths is not None else ses_paths(Z, t)
    for o in origins:
        past = t <= o
        Zo, to = Z[:, past], t[past]  # fit on the past columns only: the smoother loops over them
        rows = np.isfinite(Zo).sum(axis=1) >= min_points
        fut = np.nonzero(~past & (t <= o + horizon))[0]
        if rows.sum() == 0 or not len(fut):
            continue
        j = int(np.nonzero(past)[0][-1])
        Zo, A, lz, lt = Zo[rows], Z[rows][:, fut], Lz[rows, j], Lt[rows, j]
        s = _mean_abs_change(Zo)
        floor = 0.1 * np.nanmedian(s[s > 0]) if np.any(s > 0) else 1e-6
        s = np.maximum(np.nan_to_num(s, nan=floor), floor)
        _, _, _, t1 = ends(Zo, to)
        H = t[fut][None, :] - t1[:, None]  # (n, F)
        levels, slopes = _grid(Zo, to, window, lz, lt)  # (n, S, A), (n, S)
        damp = _damped(H)  # (n, F, P)
        F = (
            levels[:, None, :, :, None] + slopes[:, None, :, None, None] * damp[:, :, None, None, :]
        )  # (n, F, S, A, P)
        err = np.abs(A[:, :, None, None, None] - F) / s[:, None, None, None, None]
        seen = np.isfinite(A)
        loss += np.where(seen[:, :, None, None, None], err, 0.0).sum(axis=(0, 1))
        count += int(seen.sum())
    return loss / count if count else loss


def select(Z: np.ndarray, t: np.ndarray, **kwargs) -> tuple[int, int, int]:
    """Indices (shrink, alpha, phi) of the grid point with the lowest :func:`validation_loss`.

    Without any back-test window it returns the no-information choice: the naive forecast
    (alpha 1, own slope kept, but no trend: phi 0).
    """
    loss = validation_loss(Z, t, **kwargs)
    if not np.any(loss > 0):
        return len(SHRINK) - 1, len(ALPHAS) - 1, 0
    k, a, p = np.unravel_index(int(np.argmin(loss)), loss.shape)
    return int(k), int(a), int(p)


def panel(
    Z: np.ndarray, t: np.ndarray, window: int = 10, horizon: int = 10, min_points: int = 3, **_
) -> Components:
    """Panel local level with a damped trend shrunk to the panel's median slope.

    The smoothing weight, the shrinkage of each series' slope toward the indicator's median
    slope and the damping are shared by the rows of ``Z`` and chosen by :func:`select` on
    rolling origins inside ``Z`` (see the module docstring for the sources).
    """
    seen = np.isfinite(Z).any(axis=0)  # drop the empty columns of a back-test origin
    if not seen.any():
        return Components(*(np.full(len(Z), v) for v in (np.nan, 0.0, 1.0)))
    Z, t = Z[:, seen], t[seen]
    Lz, Lt = ses_paths(Z, t)
    k, a, p = select(Z, t, window=window, horizon=horizon, min_points=min_points, paths=(Lz, Lt))
    levels, slopes = _grid(Z, t, window, Lz[:, -1], Lt[:, -1])
    phi = np.full(len(Z), PHIS[p])
    slope = slopes[:, k] if PHIS[p] > 0 else np.zeros(len(Z))
    return Components(levels[:, k, a], slope, np.where(phi > 0, phi, 1.0))
