"""Panels per indicator and rolling-origin (time-series cross-validation) errors.

A :class:`Panel` holds one indicator's series as a matrix (geo × year) on both scales.
:func:`rolling_errors` re-fits every model at each origin inside the data, using only the years up
to that origin, and scores the forecasts of the following years (FPP3 §5.10), oriented along each
series' trend direction at the origin (:func:`trend_sign`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from forecast.engine.components import ends, wls
from forecast.engine.methods import KERNELS
from forecast.engine.transforms import Transform, for_indicator
from forecast.errors import ValidationError

REQUIRED = ("geo", "indicator", "year", "value")


@dataclass(frozen=True)
class Panel:
    """One indicator's series: ``Y`` (natural) and ``Z`` (transformed), geo × year matrices."""

    indicator: str
    geos: np.ndarray
    t: np.ndarray
    Y: np.ndarray
    Z: np.ndarray
    transform: Transform


def build_panels(obs: pd.DataFrame) -> list[Panel]:
    """Split a tidy frame into one :class:`Panel` per indicator code.

    Raises
    ------
    ValidationError
        If a required column is missing or a year or value is not numeric.
    """
    missing = [c for c in REQUIRED if c not in obs.columns]
    if missing:
        raise ValidationError(
            f"missing column(s) {missing}: the frame needs {list(REQUIRED)}", column=missing[0]
        )
    df = obs[list(REQUIRED)].copy()
    for col in ("year", "value"):
        num = pd.to_numeric(df[col], errors="coerce")
        bad = df[col].notna() & num.isna()
        if bad.any():
            raise ValidationError(
                f"non-numeric {col} {df.loc[bad, col].iloc[0]!r}: write numbers "
                "only (missing values as empty cells)",
                column=col,
            )
        df[col] = num
    df = df.dropna(subset=["year", "value"])
    df["geo"], df["indicator"] = df["geo"].astype(str), df["indicator"].astype(str)
    panels = []
    for code, sub in df.groupby("indicator", sort=True):
        wide = sub.pivot_table(index="geo", columns="year", values="value", aggfunc="mean")
        tr = for_indicator(code)
        Y = wide.to_numpy(dtype=float)
        Z = np.where(np.isfinite(Y), tr.forward(np.nan_to_num(Y, nan=tr.lower + tr.width / 2)), np.nan)
        panels.append(
            Panel(code, wide.index.to_numpy(dtype=object), wide.columns.to_numpy(dtype=float), Y, Z, tr)
        )
    return panels


def status_ok(panel: Panel, Y: np.ndarray, min_points: int = 3) -> np.ndarray:
    """Rows of ``Y`` that can be fitted: enough points, not constant, last value off the bounds."""
    n = np.isfinite(Y).sum(axis=1)
    with np.errstate(invalid="ignore"):
        _, _, y1, _ = ends(Y, panel.t)
        spread = np.nanmax(np.where(n[:, None] > 0, Y, 0.0), axis=1) - np.nanmin(
            np.where(n[:, None] > 0, Y, 0.0), axis=1
        )
    at_bound = np.array([panel.transform.at_bound(v) if np.isfinite(v) else True for v in y1])
    return (n >= min_points) & (spread > 0) & ~at_bound


def scale(
    Z: np.ndarray,
    t: np.ndarray,
    shrink: float = 2.0,
    fallback: float | np.ndarray | None = None,
    window: int | None = None,
) -> np.ndarray:
    """Mean absolute yearly change of each row, shrunk toward the panel's median.

    The MASE scale (Hyndman & Koehler 2006) with gaps divided by their length; with ``m``
    changes a row's scale becomes ``(m·s + shrink·median) / (m + shrink)`` because two or three
    changes are a noisy estimate. A panel without any change uses ``fallback`` as its median.
    With ``window``, only the changes of the last ``window`` years count (current volatility).
    """
    T = Z.shape[1]
    ok = np.isfinite(Z)
    idx = np.where(ok, np.arange(T), -1)
    last = np.maximum.accumulate(idx, axis=1)
    prev = np.concatenate([np.full((len(Z), 1), -1), last[:, :-1]], axis=1)
    has = ok & (prev >= 0)
    if window:
        has &= t[None, :] > (ends(Z, t)[3][:, None] - window)
    rows = np.arange(len(Z))[:, None]
    pz = Z[rows, np.maximum(prev, 0)]
    pt = t[np.maximum(prev, 0)]
    d = np.where(has, np.abs(Z - pz) / np.where(has, t[None, :] - pt, 1.0), 0.0)
    m = has.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(m > 0, d.sum(axis=1) / np.maximum(m, 1), np.nan)
    good = (m > 0) & (s > 0)
    if good.any():
        med = np.median(s[good])
    else:
        med = fallback if fallback is not None else 1e-3
    s = np.where(m > 0, (m * np.nan_to_num(s) + shrink * med) / (m + shrink), med)
    return np.maximum(s, 1e-9)


def fallback_scales(panels: list[Panel], shrink: float = 2.0, window: int | None = None) -> dict[str, float]:
    """Median yearly change per transform kind, for panels with no change of their own.

    On the log and logit scales a change is relative, so e.g. under-5 mortality with one
    observation per province borrows the typical change of the other log-scale indicators.
    """
    meds: dict[str, list[float]] = {}
    for p in panels:
        s = scale(p.Z, p.t, shrink, fallback=np.nan, window=window)
        if np.isfinite(s).any():
            meds.setdefault(p.transform.kind, []).append(float(np.nanmedian(s)))
    return {k: float(np.median(v)) for k, v in meds.items()}


def panel_fallback(panel: Panel, kinds: dict[str, float]) -> float | np.ndarray:
    """The fallback scale of a panel: its kind's median, or 5% of each last value (identity)."""
    if panel.transform.kind != "identity" and panel.transform.kind in kinds:
        return kinds[panel.transform.kind]
    _, _, z1, _ = ends(panel.Z, panel.t)
    return np.maximum(0.05 * np.abs(np.nan_to_num(z1)), 1e-6)


def trend_sign(Z: np.ndarray, t: np.ndarray, window: int = 5) -> np.ndarray:
    """Direction of each row's recent trend: the sign of its slope, ``+1`` if flat.

    The slope is the least-squares slope over the row's last ``window`` years on the transformed
    scale (as the AARR, :func:`forecast.engine.methods.aarr`); rows with one point or a zero slope get
    ``+1``. Errors are oriented by this sign before they are pooled (:mod:`forecast.engine.calibrate`).
    A slope shrunk toward the panel's (:func:`forecast.engine.methods.pooled`) did no better on inner
    back-tests, so the plain slope is used.
    """
    _, _, _, t1 = ends(Z, t)
    _, slope, _ = wls(Z, t, (t[None, :] > (t1[:, None] - window)).astype(float))
    return np.where(np.nan_to_num(slope) < 0, -1.0, 1.0)


def _origins(t: np.ndarray, settings) -> np.ndarray:
    """Years used as rolling origins: enough history before, at least one year after."""
    cand = t[(t >= t[0] + settings.min_points - 1) & (t < t[-1])]
    return cand[-settings.max_origins :]


def rolling_errors(panel: Panel, models: list[str], settings) -> pd.DataFrame:
    """Scaled errors of each model from every rolling origin inside the panel.

    Returns
    -------
    DataFrame
        One row per (series, origin, target year) with ``indicator, h, series, origin, sign`` (``h`` =
        years after the series' last observation at that origin, ``series`` its row in the panel,
        ``sign`` the orientation below) and one column per model holding
        sign · (actual − forecast) / scale on the transformed scale, ``sign`` the series' trend
        direction at the origin (:func:`trend_sign`; ``+1`` if ``settings.orient_window`` is 0).
    """
    rows = []
    for o in _origins(panel.t, settings):
        past = panel.t <= o
        Zo = np.where(past[None, :], panel.Z, np.nan)
        ok = status_ok(panel, np.where(past[None, :], panel.Y, np.nan), settings.min_points)
        fut = np.nonzero(~past & (panel.t <= o + settings.max_horizon))[0]
        if not ok.any() or not len(fut):
            continue
        Zk = Zo[ok]
        _, _, _, t1 = ends(Zk, panel.t)
        A = panel.Z[ok][:, fut]
        seen = np.isfinite(A)
        H = panel.t[fut][None, :] - t1[:, None]
        s = scale(Zk, panel.t, settings.scale_shrink, window=settings.scale_window)
        sign = trend_sign(Zk, panel.t, settings.orient_window) if settings.orient_window else np.ones(len(Zk))
        s = s * sign  # dividing by sign · scale orients the error (sign = ±1)
        row = {
            "indicator": panel.indicator,
            "h": H[seen].astype(int),
            "series": np.nonzero(ok)[0].repeat(seen.sum(axis=1)),
            "origin": np.full(int(seen.sum()), int(o)),
            "sign": sign.repeat(seen.sum(axis=1)),
        }
        for m in models:
            F = KERNELS[m](Zk, panel.t, **settings.kernel_args()).mean(H)
            row[m] = ((A - F) / s[:, None])[seen]
        rows.append(pd.DataFrame(row))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def recency_weights(origin: np.ndarray, decay: float) -> np.ndarray:
    """Weight ``decay ** age`` of each back-test error, ``age`` its origin's years before the latest.

    ``origin`` is the ``origin`` column of :func:`rolling_errors`.
    Recent errors are taken to represent today's forecasts better than old ones, as in
    exponentially weighted quantile estimation (Taylor 2008, J. Forecasting 27:1-23) and
    exponentially weighted empirical residual intervals (FPP3 §5.5); ``decay = 1`` weighs all
    origins equally.
    """
    origin = np.asarray(origin, dtype=np.int64)
    if decay >= 1 or not len(origin):
        return np.ones(len(origin))
    return float(decay) ** (origin.max() - origin).astype(float)


def weighted_quantiles(x: np.ndarray, w: np.ndarray, probs) -> np.ndarray:
    """Weighted empirical quantiles of ``x`` at ``probs``, linear between order statistics.

    Order statistic ``k`` (weights ``w`` sorted with ``x``) sits at plotting position
    ``(S_k - w_k/2 - w_1/2) / (W - w_1/2 - w_n/2)``, ``S_k`` the cumulative weight and ``W``
    the total, and quantiles interpolate linearly between positions. With equal weights the
    positions are ``(k - 1)/(n - 1)``: Hyndman & Fan's (1996) definition 7, pandas' and NumPy's
    default, so ``w = 1`` reproduces the unweighted quantiles.
    """
    order = np.argsort(x, kind="stable")
    x, w = np.asarray(x, dtype=float)[order], np.asarray(w, dtype=float)[order]
    if len(x) == 1:
        return np.full(len(probs), x[0])
    pos = np.cumsum(w) - w / 2 - w[0] / 2
    return np.interp(probs, pos / pos[-1], x)


def weighted_cells(errors: pd.DataFrame, keys: list[str], probs) -> tuple[pd.DataFrame, pd.Series]:
    """Weighted quantiles of ``err`` (weights ``w``) per ``keys``, and effective counts.

    The count of a cell is Kish's effective sample size ``(Σw)² / Σw²`` (Kish 1965, *Survey
    Sampling*), so down-weighted errors also count less toward credibility; it equals the
    number of errors when the weights are equal.
    """
    err, w = errors["err"].to_numpy(float), errors["w"].to_numpy(float)
    idx = errors.groupby(keys, sort=True).indices
    names = list(idx)
    q = np.array([weighted_quantiles(err[i], w[i], probs) for i in idx.values()])
    n = np.array([w[i].sum() ** 2 / (w[i] ** 2).sum() for i in idx.values()])
    index = pd.MultiIndex.from_tuples(names, names=keys)
    return pd.DataFrame(q, index=index, columns=list(probs)), pd.Series(n, index=index)


def _level_shift_free(M: np.ndarray, t: np.ndarray, jump: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative one-year changes of each row on a dense year grid, level shifts removed.

    Inner gaps are filled by linear interpolation; a one-year change further than ``jump``
    robust standard deviations (IQR / 1.349 of the changes around each row's median change) from
    its row's median change is taken as a level shift (a series break such as Hà Nam's 2010
    pharmacists) and replaced by that median; a fast but steady trend is not a shift.
    Returns the cumulative changes (NaN outside each row's observed span) and the grid years.
    """
    years = np.arange(int(t.min()), int(t.max()) + 1)
    dense = np.full((len(M), len(years)), np.nan)
    for i, row in enumerate(M):
        ok = np.isfinite(row)
        if ok.sum():
            tt = t[ok].astype(int)
            span = (years >= tt[0]) & (years <= tt[-1])
            dense[i, span] = np.interp(years[span], tt, row[ok])
    D = np.diff(dense, axis=1)
    if np.isfinite(D).any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            med = np.nanmedian(D, axis=1, keepdims=True)  # each row's own typical change
        dev = D - med
        finite = dev[np.isfinite(dev)]
        sd = (np.quantile(finite, 0.75) - np.quantile(finite, 0.25)) / 1.349
        D = np.where(np.isfinite(D) & (np.abs(dev) > jump * max(sd, 1e-12)), med, D)
    C = np.concatenate([np.zeros((len(M), 1)), np.cumsum(np.nan_to_num(D), axis=1)], axis=1)
    return np.where(np.isfinite(dense), C, np.nan), years


def _change_persistence(M: np.ndarray, t: np.ndarray) -> float:
    """Pooled lag-1 autocorrelation of the observed one-year changes (each row's mean removed).

    Only changes between observed consecutive years count: interpolated gaps would look persistent.
    """
    years = np.arange(int(t.min()), int(t.max()) + 1)
    dense = np.full((len(M), len(years)), np.nan)
    dense[:, np.searchsorted(years, t.astype(int))] = M
    D = np.diff(dense, axis=1)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        D = D - np.nanmean(D, axis=1, keepdims=True)
    a, b = D[:, 1:].ravel(), D[:, :-1].ravel()
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3 or a[ok].std() == 0 or b[ok].std() == 0:
        return 0.0
    return float(np.corrcoef(a[ok], b[ok])[0, 1])


def change_limits(
    M: np.ndarray,
    t: np.ndarray,
    horizon: int,
    probs,
    min_pairs: int = 5,
    walk: bool = True,
    plateau: bool = False,
) -> np.ndarray | None:
    """Half-widths of the panel's h-year changes, the widest a forecast interval may be.

    For every horizon ``h`` the changes ``m(t + h) - m(t)`` over all series and years of an
    indicator (rows of ``M``: transformed values, or natural values for a percentage) form its
    unconditional ("climatological") distribution of change; a forecast that knows a series'
    past should be no less sharp than that (the climatological reference of probabilistic
    forecast evaluation: Gneiting, Balabdaoui & Raftery 2007, JRSS B 69:243-268). Level shifts
    are removed first (:func:`_level_shift_free`), so one series break does not set the width of
    a whole indicator; the limit is the wider of the empirical half-width (level ``p`` to
    ``1 - p``) and the Gaussian quantile of the robust spread IQR / 1.349. The
    limit never shrinks with the horizon and is held beyond the longest horizon observed. Where
    the one-year changes revert (pooled lag-1 autocorrelation below -0.1: noise around a level,
    as in the provincial staff densities) it also grows no faster than a random walk of the
    one-year spread, ``sqrt(h)`` up to the panel's span: provinces that drift apart for years
    widen the panel's h-year changes beyond what one series' forecast should carry; persistent
    changes (smooth modelled country series) do outgrow a random walk, so they are not capped
    so. The -0.1 was set on the development data (country dev half, provincial fit years).
    Applied to percentages on
    their natural scale, it keeps a coverage near 100% from fanning out to the other bound.
    With ``plateau`` every horizon gets the limit of the panel's whole span (the widest, held
    beyond it): a plausibility bound on any interval of the indicator rather than a narrowing of
    the short horizons, whose calibrated widths are learned from back-test errors.

    Returns
    -------
    ndarray of shape (horizon, len(probs)) or None
        Signed limits (negative below the median, positive above; zero at it); None when the
        panel has fewer than ``min_pairs`` one-year changes.
    """
    probs = np.asarray(probs, dtype=float)
    C, years = _level_shift_free(M, t)
    if plateau:
        full = change_limits(M, t, max(horizon, len(years)), probs, min_pairs, walk)
        return None if full is None else np.repeat(full[-1:], horizon, axis=0)
    out = np.full((horizon, len(probs)), np.nan)
    gauss = out.copy()
    z = np.array([NormalDist().inv_cdf(p) for p in probs])
    for h in range(1, min(horizon, len(years) - 1) + 1):
        d = (C[:, h:] - C[:, :-h]).ravel()
        d = d[np.isfinite(d)]
        if len(d) >= min_pairs:
            q, (q25, q75) = np.quantile(d, probs), np.quantile(d, [0.25, 0.75])
            gauss[h - 1] = z * (q75 - q25) / 1.349  # Gaussian quantiles of the robust spread
            half = (q - q[::-1]) / 2  # empirical: heavy tails kept
            out[h - 1] = np.where(probs < 0.5, np.minimum(gauss[h - 1], half), np.maximum(gauss[h - 1], half))
    if not np.isfinite(out[0]).all():
        return None
    span = np.minimum(np.arange(1, horizon + 1), max(len(years) - 1, 1))
    for h in range(1, horizon):  # carry forward, never narrower than a shorter horizon
        out[h] = np.where(np.isfinite(out[h]), out[h], out[h - 1])
        out[h] = np.where(probs < 0.5, np.minimum(out[h], out[h - 1]), np.maximum(out[h], out[h - 1]))
    if not walk or _change_persistence(M, t) > -0.1:  # persistent changes outgrow a random walk
        return out
    rw = gauss[0][None, :] * np.sqrt(span)[:, None]  # the robust (Gaussian) one-year spread
    return np.where(probs < 0.5, np.maximum(out, rw), np.minimum(out, rw))
