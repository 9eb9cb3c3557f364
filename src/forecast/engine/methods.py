"""Vectorised point forecasts: every model fits all series of a panel matrix at once.

A panel is a matrix ``Z`` (series × years) on the transformed scale, NaN where unobserved, and the
vector ``t`` of its years. Each kernel returns :class:`Components` — a level at the series' last
observed year, a slope per year and a damping factor — so that the forecast ``h`` years after the
last observation is ``level + slope * (phi + phi**2 + … + phi**h)`` (FPP3 §8.2, damped trend form).
Closed forms cost well under a millisecond for a thousand series.
"""

from __future__ import annotations

import numpy as np

from forecast.engine.components import Components, ends, wls
from forecast.engine.panel_model import panel as _panel_fit


def naive(Z: np.ndarray, t: np.ndarray, **_kw) -> Components:
    """Random walk: the last observation carried forward (FPP3 §5.2 "Naïve method")."""
    _, _, z1, _ = ends(Z, t)
    return Components(z1, np.zeros_like(z1), np.ones_like(z1))


def drift(Z: np.ndarray, t: np.ndarray, **_kw) -> Components:
    """Random walk with drift: the average yearly change between first and last value (FPP3 §5.2)."""
    z0, t0, z1, t1 = ends(Z, t)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(t1 > t0, (z1 - z0) / (t1 - t0), 0.0)
    return Components(z1, slope, np.ones_like(z1))


def aarr(Z: np.ndarray, t: np.ndarray, window: int = 10, **_kw) -> Components:
    """UNICEF average annual rate of reduction, projected from the latest value.

    Fits ``ln y = a + b t`` over the last ``window`` years (UNICEF Technical Note 185, "Measuring
    progress: the AARR"; AARR = 100·(1 − e^b)) and applies the rate to the last observed value.
    On log-scale indicators this is exactly TN185; on logit-scale ones it is its bounded analogue.
    """
    _, _, z1, t1 = ends(Z, t)
    W = (t[None, :] > (t1[:, None] - window)).astype(float)
    _, slope, _ = wls(Z, t, W)
    return Components(z1, slope, np.ones_like(z1))


def trend(Z: np.ndarray, t: np.ndarray, **_kw) -> Components:
    """Linear trend fitted by least squares on the transformed scale (FPP3 §7.1, §7.7)."""
    level, slope, _ = wls(Z, t, np.ones_like(Z))
    return Components(level, slope, np.ones_like(level))


def wtrend(Z: np.ndarray, t: np.ndarray, decay: float = 0.8, **_kw) -> Components:
    """Time-weighted trend: least squares with weights ``decay**(last year − t)``.

    The weighting that ESCAP's SDG progress assessment uses for its anticipated-progress
    projection (UN ESCAP, "Asia and the Pacific SDG Progress Report", methodological annex).
    """
    _, _, _, t1 = ends(Z, t)
    W = decay ** np.clip(t1[:, None] - t[None, :], 0, None)
    level, slope, _ = wls(Z, t, W)
    return Components(level, slope, np.ones_like(level))


def _ses_grid(Z, t, alphas, betas, phis, b0):
    """Run damped Holt over a parameter grid; return level, trend and SSE, each (n, grid)."""
    A, B, P = (g.ravel()[None, :] for g in np.meshgrid(alphas, betas, phis, indexing="ij"))
    n = len(Z)
    lev = np.full((n, A.shape[1]), np.nan)
    tr = np.repeat(b0[:, None], A.shape[1], axis=1)
    tstate = np.full(n, np.nan)
    sse = np.zeros_like(lev)
    for j in range(Z.shape[1]):
        y, obs = Z[:, j], np.isfinite(Z[:, j])
        new = obs & np.isnan(tstate)
        lev[new] = y[new, None]
        upd = obs & ~new
        if upd.any():
            k = (t[j] - tstate[upd])[:, None]
            with np.errstate(divide="ignore", invalid="ignore"):
                damp = np.where(np.abs(1 - P) < 1e-9, k, P * (1 - P**k) / (1 - P))
            pred = lev[upd] + tr[upd] * damp
            e = y[upd, None] - pred
            sse[upd] += e**2
            lev[upd] = pred + A * e
            tr[upd] = P**k * tr[upd] + A * B * e
        tstate[obs] = t[j]
    return lev, tr, sse, P


def dholt(Z: np.ndarray, t: np.ndarray, **_kw) -> Components:
    """Damped-trend exponential smoothing, parameters chosen per series from a grid by SSE.

    Additive damped trend (Gardner & McKenzie 1985; FPP3 §8.2), the ETS(A,Ad,N) point forecast,
    fitted in vectorised numpy over a grid of (alpha, beta*, phi) instead of statsmodels'
    optimiser so a thousand series fit in milliseconds. Gaps are bridged by multi-step updates.
    """
    _, _, _, t1 = ends(Z, t)
    b0 = drift(Z, t).slope
    lev, tr, sse, P = _ses_grid(
        Z, t, np.array([0.3, 0.5, 0.7, 0.9, 1.0]), np.array([0.05, 0.2, 0.5]), np.array([0.8, 0.9, 0.98]), b0
    )
    best = np.nanargmin(np.where(np.isfinite(sse), sse, np.inf), axis=1)
    rows = np.arange(len(Z))
    return Components(lev[rows, best], tr[rows, best], P[0, best])


def theta(Z: np.ndarray, t: np.ndarray, **_kw) -> Components:
    """Theta method: simple exponential smoothing plus half the linear-trend slope.

    Assimakopoulos & Nikolopoulos (2000), "The theta model", IJF 16:521-530; Hyndman & Billah
    (2003), IJF 19:287-290, show it is SES with drift equal to half the least-squares slope.
    The SES weight is chosen per series by in-sample SSE from a grid.
    """
    _, slope, _ = wls(Z, t, np.ones_like(Z))
    lev, _, sse, _ = _ses_grid(
        Z, t, np.array([0.2, 0.4, 0.6, 0.8, 1.0]), np.array([0.0]), np.array([1.0]), np.zeros(len(Z))
    )
    best = np.argmin(np.where(np.isfinite(sse), sse, np.inf), axis=1)
    rows = np.arange(len(Z))
    return Components(lev[rows, best], slope / 2, np.ones(len(Z)))


def ses(Z: np.ndarray, t: np.ndarray, **_kw) -> Components:
    """Simple exponential smoothing: a flat forecast at a smoothed level (FPP3 §8.1).

    The smoothing weight is chosen per series by in-sample SSE from a grid; with weight 1 it is
    the naive forecast, with smaller weights it averages out year-to-year noise.
    """
    lev, _, sse, _ = _ses_grid(
        Z, t, np.array([0.2, 0.4, 0.6, 0.8, 1.0]), np.array([0.0]), np.array([1.0]), np.zeros(len(Z))
    )
    best = np.argmin(np.where(np.isfinite(sse), sse, np.inf), axis=1)
    level = lev[np.arange(len(Z)), best]
    return Components(level, np.zeros(len(Z)), np.ones(len(Z)))


def pooled(Z: np.ndarray, t: np.ndarray, window: int = 10, damping: float = 0.9, **_kw) -> Components:
    """Empirical-Bayes slopes shrunk toward the panel's pooled slope, damped, from the last value.

    Each row's least-squares slope ``b_i`` (variance ``v_i = s_i²/Sxx_i``) is shrunk toward the
    precision-weighted mean slope ``mu`` by ``B_i = v_i / (v_i + tau²)``, with the between-series
    variance ``tau²`` from the method of moments (Morris 1983, "Parametric empirical Bayes
    inference", JASA 78:47-55; the James-Stein estimator). The forecast starts from the last
    observed value with a damped trend (FPP3 §8.2).
    """
    _, _, z1, t1 = ends(Z, t)
    W = (t[None, :] > (t1[:, None] - window)).astype(float)
    _, b, var = wls(Z, t, W)
    ok = np.isfinite(Z) & (W > 0)
    dt = np.where(ok, t[None, :] - np.nanmean(np.where(ok, t, np.nan), axis=1)[:, None], 0.0)
    sxx = (dt**2).sum(axis=1)
    good = np.isfinite(b) & (sxx > 0) & (ok.sum(axis=1) >= 3)
    v = np.where(good, var / np.where(sxx > 0, sxx, 1.0), np.inf)
    if good.sum() >= 3:
        v_med = np.median(v[good])
        v = np.where(good, np.maximum(v, 0.1 * v_med), v)  # two-point noise floors
        tau2 = max(np.var(b[good]) - np.mean(v[good]), 0.0)
        wts = 1.0 / (v[good] + tau2)
        mu = np.sum(wts * b[good]) / wts.sum()
        with np.errstate(invalid="ignore"):  # rows with v = inf are not ``good``: they get mu
            shrink = v / (v + tau2) if tau2 > 0 else np.ones_like(v)
        slope = np.where(good, (1 - shrink) * b + shrink * mu, mu)
    else:
        slope = np.where(np.isfinite(b), b, 0.0)
    return Components(z1, slope, np.full(len(Z), damping))


def panel(Z: np.ndarray, t: np.ndarray, **kwargs) -> Components:
    """Panel local level: smoothing, trend shrinkage and damping chosen on the whole panel.

    See :func:`forecast.engine.panel_model.panel`.
    """
    return _panel_fit(Z, t, **kwargs)


KERNELS = {
    "naive": naive,
    "drift": drift,
    "aarr": aarr,
    "trend": trend,
    "wtrend": wtrend,
    "dholt": dholt,
    "theta": theta,
    "ses": ses,
    "pooled": pooled,
    "panel": panel,
}


def ets(Z: np.ndarray, t: np.ndarray, **_kw) -> Components:
    """Damped-trend ETS(A,Ad,N) fitted by statsmodels' ``ETSModel`` (maximum likelihood).

    The reference implementation (statsmodels ``tsa.exponential_smoothing.ets.ETSModel`` with
    ``trend="add", damped_trend=True``; FPP3 §8.2, §8.5). About 50-100 ms per series, so it is
    not an ensemble member by default; gaps are filled by linear interpolation first. Series it
    cannot fit (fewer than 5 points, optimiser failure) fall back to :func:`dholt`.
    """
    import warnings

    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    out = dholt(Z, t)
    level, slope, phi = out.level.copy(), out.slope.copy(), out.phi.copy()
    for i, row in enumerate(Z):
        ok = np.isfinite(row)
        if ok.sum() < 5:
            continue
        grid = np.arange(t[ok][0], t[ok][-1] + 1)
        y = np.interp(grid, t[ok], row[ok])
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = ETSModel(y, error="add", trend="add", damped_trend=True).fit(disp=False)
            f1, f2 = res.forecast(2)
            p = float(res.params[-1]) if np.ndim(res.params) else 0.98
            p = float(dict(zip(res.param_names, res.params)).get("damping_trend", p))
        except Exception:  # noqa: BLE001 - optimiser failures fall back to the grid fit
            continue
        b = (f2 - f1) / p**2
        level[i], slope[i], phi[i] = f1 - p * b, b, p
    return Components(level, slope, phi)


KERNELS["ets"] = ets
