"""Ensemble weights learned from rolling-origin back-test errors (FPP3 §13.4, forecast combinations).

:func:`ensemble_weights` (inverse MASE, the default) and :func:`stacked_weights` (constrained least
squares) both blend an indicator's own weights with the all-indicator ones by credibility, because
short panels have few back-test windows of their own. The interval calibration that carries these
weights is :mod:`forecast.engine.calibrate`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def ensemble_weights(
    errors: pd.DataFrame, members: list[str], *, top: int = 3, power: float = 1.0, n0: float = 30.0
) -> tuple[dict, dict]:
    """Inverse-MASE weights of the ensemble members, per indicator, from rolling-origin errors.

    Each member's mean absolute scaled error per indicator is blended with its all-indicator
    value (weight ``n / (n + n0)``); the ``top`` best members get weights proportional to
    ``MASE ** -power`` (forecast combination by inverse error, Bates & Granger 1969; FPP3 §13.4).

    Returns
    -------
    (weights, pooled_weights)
        ``{indicator: {model: weight}}`` and the all-indicator ``{model: weight}``.
    """
    e = errors[errors["model"].isin(members)].assign(abs_err=lambda d: d["err"].abs())
    if e.empty:
        return {}, {m: 1.0 / len(members) for m in members}
    pooled = e.groupby("model")["abs_err"].mean()
    per = e.groupby(["indicator", "model"])["abs_err"].agg(["mean", "size"])

    def pick(mase: pd.Series) -> dict:
        best = mase.sort_values().iloc[:top].clip(lower=1e-6)
        w = best**-power
        return (w / w.sum()).round(6).to_dict()

    weights = {}
    for ind, sub in per.groupby(level=0):
        sub = sub.droplevel(0)
        blend = (sub["size"] * sub["mean"] + n0 * pooled[sub.index]) / (sub["size"] + n0)
        weights[ind] = pick(blend)
    return weights, pick(pooled)


def _simplex_ls(E: np.ndarray) -> np.ndarray:
    """Weights ``w >= 0``, ``sum(w) = 1`` minimising ``||E w||²`` (NNLS with a heavy sum row)."""
    from scipy.optimize import nnls

    lam = 1e3 * np.sqrt(len(E)) * (np.abs(E).mean() + 1e-9)
    A = np.vstack([E, np.full((1, E.shape[1]), lam)])
    w, _ = nnls(A, np.r_[np.zeros(len(E)), lam], maxiter=50 * E.shape[1])
    return w / w.sum() if w.sum() > 0 else np.full(E.shape[1], 1.0 / E.shape[1])


def stacked_weights(
    wide: pd.DataFrame, members: list[str], *, n0: float = 30.0, clip: float = 10.0
) -> tuple[dict, dict]:
    """Combination weights fitted to rolling-origin errors: constrained least squares (stacking).

    Minimises the mean squared scaled error of the combination over the back-test windows with
    non-negative weights summing to one (Breiman 1996, "Stacked regressions"; Timmermann 2006,
    "Forecast combinations", §3), so members whose errors offset each other (e.g. naive and a
    trend) are combined. Errors are clipped at ``±clip`` scales against outliers; an
    indicator's weights are blended with the all-indicator weights, weight ``n / (n + n0)``.

    Parameters
    ----------
    wide : DataFrame
        ``indicator`` plus one column of scaled errors per member, rows aligned across members.
    """
    E = wide[members].to_numpy(float)
    keep = np.isfinite(E).all(axis=1)
    E, inds = np.clip(E[keep], -clip, clip), wide["indicator"].to_numpy()[keep]
    if not len(E):
        return {}, {m: 1.0 / len(members) for m in members}
    pooled = _simplex_ls(E)

    def as_dict(w):
        return {m: round(float(x), 6) for m, x in zip(members, w) if x > 1e-3}

    weights = {}
    for ind in np.unique(inds):
        sub = E[inds == ind]
        n = len(sub)
        weights[str(ind)] = as_dict((n * _simplex_ls(sub) + n0 * pooled) / (n + n0))
    return weights, as_dict(pooled)


def selected_weights(
    errors: pd.DataFrame,
    members: list[str],
    *,
    top: int,
    powers: tuple[float, ...],
    n0: float = 30.0,
) -> tuple[dict, dict, dict]:
    """Inverse-MASE weights whose power is chosen per indicator on a split of the rolling origins.

    For every candidate power, :func:`ensemble_weights` is fitted on the errors of the earlier
    half of the rolling origins and the combination is scored (mean absolute scaled error) on
    the later half; each indicator keeps the power that scored lowest (ties: the smaller power,
    the flatter combination) and its weights are refitted on all origins. This is the
    combination-weight selection by an inner validation split of FPP3 §5.10 / §13.4: a power
    near 1 averages the members, a high power selects the best one, as suits indicators where
    one member is consistently best (damped trend on smooth modelled series such as stunting).

    Returns
    -------
    (weights, pooled_weights, powers)
        As :func:`ensemble_weights`, plus ``{indicator: chosen power}``.
    """
    e = errors[errors["model"].isin(members)]
    origins = np.sort(e["origin"].unique()) if "origin" in e and len(e) else np.array([])
    fits = {p: ensemble_weights(e, members, top=top, power=p, n0=n0) for p in powers}
    if len(origins) < 2:
        w, pooled = fits[powers[0]]
        return w, pooled, {i: powers[0] for i in w}
    cut = origins[len(origins) // 2]
    early, late = e[e["origin"] < cut], e[e["origin"] >= cut]
    wide = late.pivot_table(index=["indicator", "series", "origin", "h"], columns="model", values="err")
    loss: dict[str, list[float]] = {}
    for p in powers:
        w_early, pooled_early = ensemble_weights(early, members, top=top, power=p, n0=n0)
        for ind, sub in wide.groupby(level=0):
            wts = w_early.get(ind) or pooled_early
            comb = sum(wt * sub[m] for m, wt in wts.items() if m in sub)
            loss.setdefault(ind, []).append(float(np.nanmean(np.abs(comb))))
    chosen = {ind: powers[int(np.argmin(v))] for ind, v in loss.items()}
    weights = {ind: fits[chosen.get(ind, powers[0])][0][ind] for ind in fits[powers[0]][0]}
    return weights, fits[powers[0]][1], chosen
