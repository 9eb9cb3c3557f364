"""Calibrated intervals, learned from rolling-origin back-test errors (weights: :mod:`forecast.engine.combine`).

Standard prediction intervals under-cover badly on short health series, so widths are learned
from out-of-sample errors instead (FPP3 §5.5 "empirical" intervals from forecast errors; §5.10
time-series cross-validation). Each error is taken on the transformed scale and divided by the
series' in-sample mean absolute yearly change (the MASE scale, Hyndman & Koehler 2006), so errors
of series of one indicator can be pooled: short series have too few windows of their own.

For an indicator × model × horizon the quantiles of these scaled errors are blended with the
quantiles pooled over all indicators, weight ``n / (n + n0)`` (a credibility weight, Bühlmann
1967); horizons with too few errors (of the indicator, else of the pool) grow from the last
well-populated horizon ``h0`` as ``(h / h0) ** gamma``, ``gamma`` fitted on the pooled spreads
and, for an indicator with two or more well-populated horizons, on its own spreads, blended by
the same credibility weight: a coverage rate near 100% whose errors do not widen with the
horizon is not given the growth of trending series such as beds per 10,000.

Errors are oriented along each series' own direction before they are pooled (a sign
normalisation). A model's errors are biased — naive under-extrapolates a trend — and the sign of
the bias follows the series' direction: a rising series' naive errors are positive, a falling
one's negative. Pooled raw, the rising indicators (life expectancy, beds …) push the quantiles of
a falling one (stunting) up, against its own direction. So each error is multiplied by ``s``, the
sign of its series' recent trend at the origin (:func:`forecast.engine.panels.trend_sign`, ``+1`` when
flat); quantiles are learned on ``s · error`` and mapped back by :func:`orient` (for ``s = -1``
level ``p`` of the error is minus level ``1 - p`` of the oriented error). "Under-extrapolates the
trend" then pools across rising and falling series instead of cancelling or pointing the wrong
way (in the spirit of rule-based forecasting, which conditions on the direction of the recent
trend: Collopy & Armstrong 1992, Management Science 38:1394-1414). With ``center_pool`` the all-indicator pool is
centred on its median per horizon, so only its spread is borrowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from forecast.config import QUANTILES
from forecast.engine.panels import weighted_cells

_Q = np.asarray(QUANTILES)
_MID = int(np.argmin(np.abs(_Q - 0.5)))
if not np.allclose(_Q + _Q[::-1], 1.0):  # orient() flips levels p <-> 1 - p by reversing columns
    raise ValueError(f"QUANTILES {QUANTILES} must be symmetric around 0.5")


def orient(q: np.ndarray, sign: np.ndarray | float) -> np.ndarray:
    """Map quantiles of oriented errors ``s · e`` back to quantiles of the errors ``e``.

    Rows with ``sign >= 0`` are unchanged; rows with ``sign < 0`` become ``-q[:, ::-1]``: the
    level-``p`` quantile of ``e = -e'`` is minus the level-``(1 - p)`` quantile of ``e'``. The
    map is its own inverse, so it also orients quantiles of errors.

    Parameters
    ----------
    q : ndarray, shape (n, 9)
        Quantiles at the levels of :data:`forecast.config.QUANTILES`, ascending per row.
    sign : ndarray of shape (n,) or float
        The orientation ``s`` of each row (see :func:`forecast.engine.panels.trend_sign`).
    """
    q = np.atleast_2d(np.asarray(q, dtype=float))
    neg = np.broadcast_to(np.asarray(sign, dtype=float), (len(q),)) < 0
    return np.where(neg[:, None], -q[:, ::-1], q)


@dataclass(frozen=True)
class Calibration:
    """Learned scaled-error quantiles (per indicator × model × horizon) and ensemble weights.

    Attributes
    ----------
    tables : dict
        ``(indicator, model) -> array (H, 9)``: quantiles of scaled errors for horizons 1..H.
    pooled : dict
        ``model -> array (H, 9)``: the same pooled over all indicators (the fallback).
    counts : dict
        ``(indicator, model) -> array (H,)``: number of errors behind each row of ``tables``.
    weights : dict
        ``indicator -> {model: weight}`` of the ensemble; ``pooled_weights`` is the fallback.
    gamma : float
        Exponent of the horizon-growth rule beyond the learned horizons (pooled tables).
    gammas : dict
        ``(indicator, model) -> exponent`` of an indicator's own growth rule.
    drifts : dict
        ``indicator -> correction per year``: the ensemble's intercept correction in scaled
        (unoriented) error units (:func:`common_drift`); absent: none.
    orient_window : int
        Trend window of the sign that oriented the errors (0: raw errors); a forecast orients
        its quantiles with the same window.
    """

    tables: dict = field(default_factory=dict)
    pooled: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    weights: dict = field(default_factory=dict)
    pooled_weights: dict = field(default_factory=dict)
    gamma: float = 1.0
    orient_window: int = 0
    gammas: dict = field(default_factory=dict)
    drifts: dict = field(default_factory=dict)

    def drift(self, indicator: str, h: np.ndarray) -> np.ndarray:
        """The ensemble's intercept correction (scaled, raw sign) at horizons ``h`` (:func:`common_drift`).

        The yearly correction accumulates over at most :data:`DRIFT_YEARS` years, then is held.
        """
        h = np.maximum(np.asarray(h, dtype=int), 1)
        return self.drifts.get(indicator, 0.0) * np.minimum(h, DRIFT_YEARS).astype(float)

    def quantiles(
        self, indicator: str, model: str, h: np.ndarray, sign: np.ndarray | float = 1.0
    ) -> np.ndarray:
        """Return scaled-error quantiles, shape ``(len(h), 9)``, for horizons ``h`` (≥ 1).

        The tables hold quantiles of oriented errors; ``sign`` (one per row of ``h``, the trend
        sign of the series forecast) maps them back to errors with :func:`orient`.
        """
        h = np.maximum(np.asarray(h, dtype=int), 1)
        table = self.tables.get((indicator, model))
        gamma = self.gammas.get((indicator, model), self.gamma)
        if table is None:
            table, gamma = self.pooled.get(model, self.pooled.get("naive")), self.gamma
        if table is None:
            table = _default_table(1, self.gamma)
        H = len(table)
        rows = table[np.minimum(h, H) - 1]
        growth = np.where(h > H, (h / H) ** gamma, 1.0)[:, None]
        return orient(rows * growth, sign)

    def ensemble_weights(self, indicator: str) -> dict:
        """Return the ensemble's ``{model: weight}`` for an indicator (pooled if not learned)."""
        return self.weights.get(indicator) or self.pooled_weights

    def summary(self) -> dict:
        """A JSON-friendly digest (growth exponent and ensemble weights) to store with a run."""
        return {
            "gamma": self.gamma,
            "weights": self.weights,
            "pooled_weights": self.pooled_weights,
            "n_tables": len(self.tables),
            "orient_window": self.orient_window,
            "gammas": {i: round(g, 3) for (i, m), g in self.gammas.items() if m == "ensemble"},
            "drifts": {i: round(d, 4) for i, d in self.drifts.items()},
        }


def _default_table(H: int, gamma: float) -> np.ndarray:
    """Gaussian fallback: a random walk's error is about 1.25 mean absolute changes per year."""
    h = np.arange(1, H + 1)[:, None]
    z = np.array([NormalDist().inv_cdf(q) for q in _Q])  # stdlib: importing scipy.stats costs ~1.6 s
    return z[None, :] * 1.25 * h**gamma


def _cell_quantiles(errors: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    """Quantiles of ``err`` and counts per ``keys``, weighted by ``w`` if present (one column per level)."""
    if "w" in errors:
        return weighted_cells(errors, keys, list(QUANTILES))
    g = errors.groupby(keys, sort=True)["err"]
    q = g.quantile(list(QUANTILES)).unstack(-1)
    return q, g.size()


def _growth_exponent(pooled_q: pd.DataFrame, pooled_n: pd.Series, min_errors: int) -> float:
    """Fit log(80% width) = a + gamma·log(h) over well-populated pooled cells; clip to [0.5, 1.5]."""
    ok = pooled_n[pooled_n >= min_errors].index
    if len(ok) < 3:
        return 1.0
    q = pooled_q.loc[ok]
    width = (q[0.90] - q[0.10]).to_numpy()
    h = np.asarray([k[1] for k in ok], dtype=float)
    models = [k[0] for k in ok]
    X = pd.get_dummies(pd.Series(models)).to_numpy(float)
    X = np.column_stack([X, np.log(h)])
    good = width > 0
    if good.sum() < 3 or len(set(h[good])) < 2:
        return 1.0
    coef, *_ = np.linalg.lstsq(X[good], np.log(width[good]), rcond=None)
    return float(np.clip(coef[-1], 0.5, 1.5))


def _pooled_tables(pooled_q, pooled_n, models, H, min_errors, gamma) -> dict:
    """Per model, (H, 9) pooled quantiles; rows with too few errors grow from the last good row."""
    out = {}
    for m in models:
        table = np.full((H, len(_Q)), np.nan)
        h0 = 0
        for h in range(1, H + 1):
            if pooled_n.get((m, h), 0) >= min_errors:
                table[h - 1] = np.maximum.accumulate(pooled_q.loc[(m, h)].to_numpy(float))
                h0 = h
            elif h0:
                table[h - 1] = table[h0 - 1] * (h / h0) ** gamma
        if not h0:
            table = _default_table(H, gamma)
        out[m] = table
    return out


def fit_calibration(
    errors: pd.DataFrame,
    weights: dict,
    pooled_weights: dict,
    *,
    max_horizon: int = 10,
    min_errors: int = 20,
    n0: float = 30.0,
    center_pool: bool = False,
    orient_window: int = 0,
    center_tables: bool = False,
) -> Calibration:
    """Learn interval quantiles from rolling-origin errors.

    Parameters
    ----------
    errors : DataFrame
        Columns ``indicator, model, h, err`` — ``err`` is (actual − forecast) on the transformed
        scale divided by the series' in-sample mean absolute yearly change, multiplied by the
        series' trend sign at the origin (oriented errors, see the module docstring); an optional
        ``w`` weighs them (recency, :func:`forecast.engine.panels.recency_weights`; counts become effective).
    weights, pooled_weights : dict
        Ensemble weights to carry in the calibration (see :mod:`forecast.engine.combine`).
    max_horizon : int
        Horizons learned explicitly; beyond, the growth rule applies.
    min_errors : int
        Fewest pooled errors for a horizon to be learned rather than grown.
    n0 : float
        Credibility constant: an indicator's own quantiles get weight ``n / (n + n0)``.
    center_pool : bool
        Centre the pooled quantiles on their median per horizon: only the pool's spread is
        borrowed, the bias comes from the indicator's own errors.
    orient_window : int
        The window of the trend sign that oriented ``err`` (0 if not oriented), kept with the
        calibration so that forecasts map its quantiles back the same way.
    center_tables : bool
        Centre every indicator's quantiles on their median too, so the forecast median is the
        model's point forecast and only the spread is learned. The oriented median error of an
        indicator whose trend once reversed (pharmacists, falling 2002-2007 and rising after)
        otherwise turns every rising series' median down.
    """
    errors = errors[(errors["h"] >= 1) & (errors["h"] <= max_horizon) & np.isfinite(errors["err"])]
    models = sorted(errors["model"].unique())
    if errors.empty:
        return Calibration(weights=weights, pooled_weights=pooled_weights, orient_window=orient_window)
    pooled_q, pooled_n = _cell_quantiles(errors, ["model", "h"])
    gamma = _growth_exponent(pooled_q, pooled_n, min_errors)
    pooled = _pooled_tables(pooled_q, pooled_n, models, max_horizon, min_errors, gamma)
    if center_pool:
        pooled = {m: t - t[:, [_MID]] for m, t in pooled.items()}
    cell_q, cell_n = _cell_quantiles(errors, ["indicator", "model", "h"])
    tables, counts, gammas = {}, {}, {}
    for (ind, m), sub in cell_q.groupby(level=[0, 1]):
        n = np.zeros(max_horizon)
        own = np.zeros((max_horizon, len(_Q)))
        for (_, _, h), row in sub.iterrows():
            n[h - 1] = cell_n[(ind, m, h)]
            own[h - 1] = np.maximum.accumulate(row.to_numpy(float))
        w = (n / (n + n0))[:, None]
        table = w * own + (1 - w) * pooled[m]
        learned = np.nonzero(n >= min_errors)[0]
        g = _own_growth(own, n, learned, gamma, n0)
        if len(learned):  # beyond its last well-populated horizon, an indicator grows its own
            h0 = learned[-1] + 1
            h = np.arange(h0 + 1, max_horizon + 1)
            table[h0:] = table[h0 - 1] * ((h / h0) ** g)[:, None]
        if center_tables:  # borrow only the spread: the median is the model's own forecast
            table = table - table[:, [_MID]]
        tables[(ind, m)], counts[(ind, m)], gammas[(ind, m)] = table, n, g
    return Calibration(tables, pooled, counts, weights, pooled_weights, gamma, orient_window, gammas)


def _own_growth(own: np.ndarray, n: np.ndarray, learned: np.ndarray, gamma: float, n0: float) -> float:
    """Growth exponent of one indicator's widths: its own fit blended with the pooled ``gamma``.

    The own exponent is the least-squares slope of log(80% width) on log(h) over the learned
    horizons (weights ``n``), clipped to [0, 1.5]; it gets the credibility weight ``N / (N + n0)``,
    ``N`` the errors behind those horizons. With fewer than two learned horizons: ``gamma``.
    """
    width = own[learned, _Q.searchsorted(0.9)] - own[learned, _Q.searchsorted(0.1)]
    good = width > 0
    if good.sum() < 2:
        return gamma
    wt = n[learned][good]
    # np.polyfit weighs residuals by w, so sqrt(n) weighs squared residuals by n
    slope = np.polyfit(np.log(learned[good] + 1.0), np.log(width[good]), 1, w=np.sqrt(wt))[0]
    total = float(wt.sum())
    return float((total * np.clip(slope, 0.0, 1.5) + n0 * gamma) / (total + n0))


DRIFT_ORIGINS = 5  # the latest rolling origins whose common error must agree in sign
DRIFT_ALPHA = 0.05  # two-sided sign test of the cells' agreement with the common error
DRIFT_YEARS = 5  # a correction per year grows over at most this many years, then is held


def common_drift(
    errors: pd.DataFrame, *, origins: int = DRIFT_ORIGINS, max_horizon: int = 10
) -> dict[str, float]:
    """Intercept corrections: a yearly shift common to an indicator's rising and falling series.

    ``errors`` holds ``indicator, origin, h, sign, err`` with ``err`` the ensemble's raw (not
    oriented) scaled error, actual − forecast, and ``sign`` the series' own trend direction at
    the origin. At each of the ``origins`` latest rolling origins the median error per year of
    horizon (``err / h``) is taken over all series, and separately over the rising and the
    falling ones. The correction is the median over those origins of the all-series medians,
    kept only where the group medians (two per origin) agree with its sign beyond chance: a
    two-sided sign test at :data:`DRIFT_ALPHA` (nine of ten cells). Then the series moved together
    whatever their own trend: a shift common to the panel, which orienting the errors by each
    series' direction (for the intervals, :func:`orient`) cancels. A bias that rising and
    falling series do not share (a trend under-extrapolated where it rose) is no common shift
    and stays the members' job. Without orientation (``sign`` all +1) there are five cells and
    the test never passes.

    This is the intercept correction of Clements & Hendry (1996, "Intercept corrections and
    structural change", J. Applied Econometrics 11:475-494; *Forecasting Economic Time Series*,
    1998, ch. 8): recent forecast errors are added to a forecast to carry a location shift the
    model cannot see. GSO pharmacists per 10,000 rose in about three provinces of four after
    every origin 2006-2014, whatever their own five-year trend, while their ensemble is level
    models only (naive, SES, the flat panel model).

    Returns
    -------
    dict
        ``indicator -> correction per year`` (scaled units) where there is one.
    """
    e = errors[(errors["h"] >= 1) & (errors["h"] <= max_horizon) & np.isfinite(errors["err"])]
    e = e.assign(rate=e["err"] / e["h"], up=e["sign"] >= 0)
    out: dict[str, float] = {}
    for ind, sub in e.groupby("indicator"):
        last = np.sort(sub["origin"].unique())[-origins:]
        if len(last) < origins:
            continue
        sub = sub[sub["origin"].isin(last)]
        cells = sub.groupby(["origin", "up"])["rate"].median().to_numpy()
        every = float(np.median(sub.groupby("origin")["rate"].median()))
        agree = int((np.sign(cells) == np.sign(every)).sum())
        if every != 0 and binomtest(agree, len(cells), 0.5).pvalue <= DRIFT_ALPHA:
            out[str(ind)] = every
    return out
