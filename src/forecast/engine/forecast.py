"""The forecasting engine: panels per indicator, rolling-origin errors, calibrated forecasts.

:func:`forecast_panel` fits every series of a tidy frame at once. For each indicator it builds a
panel matrix on the transformed scale (:mod:`forecast.engine.transforms`), back-tests every model from
rolling origins inside the data (FPP3 §5.10, time-series cross-validation), learns the ensemble
weights and the interval quantiles from those errors (:mod:`forecast.engine.calibrate`), then forecasts.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from forecast.config import QUANTILES
from forecast.engine.calibrate import Calibration, common_drift, fit_calibration
from forecast.engine.combine import ensemble_weights, selected_weights, stacked_weights
from forecast.engine.components import Components, ends
from forecast.engine.methods import KERNELS
from forecast.engine.nowcast import anchored, national_paths, nowcast_mean
from forecast.engine.panels import (
    Panel,
    build_panels,
    change_limits,
    fallback_scales,
    panel_fallback,
    recency_weights,
    rolling_errors,
    scale,
    status_ok,
    trend_sign,
)
from forecast.engine.transforms import series_status
from forecast.errors import ModelError, PanelWarning
from forecast.registry import geo
from forecast.registry.indicators import base_indicator

ENSEMBLE = "ensemble"
MODEL_NAMES = tuple(KERNELS) + (ENSEMBLE,)
#: Models that learn across the panel of an indicator (shrunk slopes, tuned smoothing, ensemble
#: weights); with one series they have nothing to learn from.
POOLED_MODELS = ("pooled", "panel", ENSEMBLE)


@dataclass(frozen=True)
class EngineSettings:
    """Configuration of a forecasting run (store it with the run via :meth:`to_dict`).

    Parameters
    ----------
    members : tuple of str
        Models combined by the ensemble: level and damped-trend methods by default (undamped
        trends forecast worst on public health panels, issue #4) plus ``panel``, whose
        hyper-parameters are chosen on the panel (:mod:`forecast.engine.panel_model`); ``ets`` is slow.
    weighting : {"stack", "inverse_mase"}
        How the ensemble weights are learned from the back-test errors: constrained least
        squares (:func:`forecast.engine.combine.stacked_weights`) or inverse MASE of the ``top`` best.
    top : int or None
        With ``inverse_mase``, the ensemble keeps the ``top`` members with the lowest back-test
        MASE per indicator; None keeps them all. 3 (the default) lowered the MASE on both inner
        protocols of ``benchmarks/bench_engine.py`` (country fit <= 2005 scored 2006-2012:
        2.172 to 2.052; provincial fit <= 2008 scored 2009-2011: 2.391 to 2.300): flat and
        level-only members (naive, SES) no longer dilute the damped trend on smooth series.
    weight_power : float
        Weights are proportional to ``MASE ** -weight_power`` (2: inverse squared error, in the
        spirit of Bates & Granger's inverse-variance weights); used when ``weight_powers`` is empty.
    weight_powers : tuple of float
        Candidate powers; each indicator keeps the one whose combination, weighted on the earlier
        half of the rolling origins, scored best on the later half
        (:func:`forecast.engine.combine.selected_weights`). Empty: ``weight_power`` for all.
    aarr_window : int
        Years of the UNICEF AARR log-linear fit (and of the pooled slope).
    wtrend_decay : float
        Weight ratio between consecutive years in the time-weighted trend.
    damping : float
        Damping factor of the pooled model's trend.
    max_horizon : int
        Horizons back-tested and calibrated explicitly; longer ones use the growth rule.
    max_origins : int
        Most recent rolling origins used per indicator.
    min_errors, credibility : int, float
        Calibration fallback and blending constants (see :func:`forecast.engine.calibrate.fit_calibration`).
    orient_window : int
        Years of the trend whose sign orients a series' errors before they are pooled
        (:func:`forecast.engine.panels.trend_sign`); 0 pools raw errors. With a centred pool, 5 years
        had a lower pinball loss on inner back-tests (origins 2002-2008) than 10 years; raw
        errors (0) scored lower still on average (-1%) but let the rising majority of a panel
        push a falling series' median up (``tests/test_calibrate.py``), so 5 is kept.
    center_pool : bool
        Centre the all-indicator error quantiles on their median (borrow only their spread, not
        the pooled bias). On inner back-tests it lowered the mean pinball loss of every model
        (all models 0.648 to 0.635, ensemble 0.623 to 0.622): see ``bench_engine.py --inner``.
    center_tables : bool
        Centre each indicator's error quantiles on their median as well (learn only the spread;
        the median is the model's point forecast): see :func:`forecast.engine.calibrate.fit_calibration`.
    clip_to_panel : bool
        No interval wider than the indicator's panel-wide spread of h-year changes
        (:func:`forecast.engine.panels.change_limits`).
    clip_walk : bool
        For panels whose one-year changes revert, the limit also grows no faster than a random walk.
    clip_walk_percent : bool
        Apply that random-walk cap to percentages too (their limits are in percentage points,
        which the 0-100 range already bounds). Off: on the inner country protocol (fit <= 2005,
        scored 2006-2012) the 80% / 95% coverage rose from 0.728 / 0.863 to 0.777 / 0.923 and
        the interval score fell from 12.00 to 11.54 (DTP3, measles and out-of-pocket share).
    clip_plateau : bool
        The limit is a plausibility bound, the same at every horizon: the panel's spread of
        changes over its whole span (random-walk capped as above), not the spread at the
        forecast's own horizon. Short-horizon intervals then keep their calibrated (learned)
        width, and only what fans out beyond any change the panel has seen is cut. On the inner
        protocols it raised the 80% / 95% coverage from 0.625 / 0.782 to 0.707 / 0.858 (country)
        and 0.589 / 0.740 to 0.711 / 0.874 (provincial) and lowered the interval score.
    steady_run : int
        Changes in a row in one direction after which no member starts behind the last value
        (:func:`steady_direction`); 0 turns the rule off.
    intercept_correction : bool
        Add to the ensemble's median the shift common to an indicator's rising and falling
        series that its recent back-test errors agree on (:func:`forecast.engine.calibrate.common_drift`,
        Clements & Hendry's intercept correction), where every weighted member forecasts flat
        (:func:`_trendless`). On ``benchmarks/bench_attain.py`` it lowered the provincial Brier
        score of P(attain) from 0.1518 to 0.1428 and its calibration error from 0.039 to 0.021
        (pharmacists per 10,000: 0.163 to 0.060); the country protocol moved by 0.0001.
    recency_decay : float
        Errors from a rolling origin ``a`` years before the latest weigh ``recency_decay ** a`` in
        the interval quantiles (:func:`forecast.engine.panels.recency_weights`); 1 weighs all origins
        equally (the default). On the inner back-tests (``bench_engine.py --inner``) every decay
        raised the mean pinball loss (0.9: 0.6346 to 0.6353; 0.7: to 0.6485), so none is applied.
    scale_shrink : float
        Pseudo-count of yearly changes by which a series' error scale shrinks to its indicator's median.
    scale_window : int or None
        Years of yearly changes behind a series' error scale (None: all).
    min_points : int
        Fewest observations for a series to be fitted (else status ``too_short``).
    seed : int
        Kept for reproducible extensions; the current models are deterministic.
    calibration : Calibration or None
        A fitted calibration to reuse instead of learning one from the data.

    Examples
    --------
    >>> import forecast
    >>> fc = forecast.forecast_panel(forecast.load_observations(indicator="imr"),  # doctest: +SKIP
    ...                              settings=forecast.EngineSettings(top=None))
    """

    members: tuple[str, ...] = ("naive", "ses", "theta", "dholt", "pooled", "panel")
    weighting: str = "inverse_mase"
    top: int | None = 3
    weight_power: float = 2.0
    weight_powers: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 16.0)
    aarr_window: int = 10
    wtrend_decay: float = 0.8
    damping: float = 0.9
    max_horizon: int = 10
    max_origins: int = 15
    min_errors: int = 20
    credibility: float = 30.0
    orient_window: int = 5
    center_pool: bool = True
    center_tables: bool = True
    clip_to_panel: bool = True
    clip_walk: bool = True
    clip_plateau: bool = True
    clip_walk_percent: bool = False
    steady_run: int = 4
    intercept_correction: bool = True
    recency_decay: float = 1.0
    scale_shrink: float = 2.0
    scale_window: int | None = None
    min_points: int = 3
    seed: int = 0
    calibration: Calibration | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.weighting not in ("stack", "inverse_mase"):
            raise ModelError(f"weighting {self.weighting!r} unknown: use 'stack' or 'inverse_mase'")
        if not 0 < self.recency_decay <= 1:
            raise ModelError(
                f"recency_decay {self.recency_decay} must be in (0, 1]: 1 weighs all rolling origins equally"
            )
        bad = [m for m in self.members if m not in KERNELS]
        if bad:
            raise ModelError(f"ensemble member(s) {bad} unknown: choose from {sorted(KERNELS)}")

    def to_dict(self) -> dict:
        """Return the settings as a JSON-friendly dict (the calibration as a digest)."""
        d = asdict(self) | {"members": list(self.members)}
        d["calibration"] = self.calibration.summary() if self.calibration else "learned from the data"
        return d

    def kernel_args(self) -> dict:
        """Keyword arguments passed to every kernel."""
        return {
            "window": self.aarr_window,
            "decay": self.wtrend_decay,
            "damping": self.damping,
            "horizon": self.max_horizon,
            "min_points": self.min_points,
        }


def check_models(models: Sequence[str]) -> list[str]:
    """Validate model names; raise :class:`ModelError` naming the bad one and the choices."""
    models = [str(m).strip() for m in models if str(m).strip()]
    bad = [m for m in models if m not in MODEL_NAMES]
    if bad or not models:
        raise ModelError(f"unknown model(s) {bad or models!r}: choose from {', '.join(MODEL_NAMES)}")
    return list(dict.fromkeys(models))


def learn_calibration(panels: list[Panel], models: Sequence[str], settings: EngineSettings) -> Calibration:
    """Back-test ``models`` and the ensemble members from rolling origins; fit the calibration."""
    base = [m for m in dict.fromkeys(list(settings.members) + list(models)) if m != ENSEMBLE]
    frames = [rolling_errors(p, base, settings) for p in panels]
    frames = [f for f in frames if len(f)]
    if not frames:  # no back-test window: equal weights, Gaussian default intervals
        return Calibration(pooled_weights={m: 1.0 / len(settings.members) for m in settings.members})
    wide = pd.concat(frames, ignore_index=True)
    long = wide.melt(
        id_vars=["indicator", "h", "series", "origin"], value_vars=base, var_name="model", value_name="err"
    )
    if settings.weighting == "stack":
        weights, pooled_w = stacked_weights(wide, list(settings.members), n0=settings.credibility)
    elif settings.weight_powers:
        weights, pooled_w, _ = selected_weights(
            long,
            list(settings.members),
            top=settings.top or len(settings.members),
            powers=settings.weight_powers,
            n0=settings.credibility,
        )
    else:
        weights, pooled_w = ensemble_weights(
            long,
            list(settings.members),
            top=settings.top or len(settings.members),
            power=settings.weight_power,
            n0=settings.credibility,
        )
    ens = np.zeros(len(wide))
    for ind, idx in wide.groupby("indicator").indices.items():
        for m, w in (weights.get(ind) or pooled_w).items():
            ens[idx] += w * wide[m].to_numpy()[idx]
    long = pd.concat([long, wide[["indicator", "h", "series", "origin"]].assign(model=ENSEMBLE, err=ens)])
    if settings.recency_decay < 1:  # weighted quantiles: recent origins count more
        long["w"] = recency_weights(long["origin"].to_numpy(), settings.recency_decay)
    raw = wide[["indicator", "h", "origin", "sign"]].assign(err=ens * wide["sign"].to_numpy())  # un-oriented
    drifts = common_drift(raw, max_horizon=settings.max_horizon) if settings.intercept_correction else {}
    cal = fit_calibration(
        long,
        weights,
        pooled_w,
        max_horizon=settings.max_horizon,
        min_errors=settings.min_errors,
        n0=settings.credibility,
        center_pool=settings.center_pool,
        orient_window=settings.orient_window,
        center_tables=settings.center_tables,
    )
    return replace(cal, drifts=drifts)


def calibrated(
    obs: pd.DataFrame, settings: EngineSettings | None = None, models: Sequence[str] = (ENSEMBLE,)
) -> EngineSettings:
    """``settings`` with the calibration :func:`forecast_panel` would learn from ``obs`` for ``models``.

    Forecasting ``obs`` with the returned settings gives the same numbers as with ``settings``,
    and the calibration's ensemble weights can be recorded with the run (:func:`weights_table`).
    """
    settings = settings or EngineSettings()
    if settings.calibration is not None:
        return settings
    cal = learn_calibration(build_panels(obs), check_models(models), settings)
    return replace(settings, calibration=cal)


def weights_table(cal: Calibration, indicators: Sequence[str]) -> pd.DataFrame:
    """The ensemble members and weights used for each of ``indicators`` (store codes).

    Columns ``indicator, model, weight, pooled``: ``pooled`` is True where the indicator had too
    few back-test errors of its own and the all-indicator weights were used. Members of weight
    0 are left out; rows are sorted by indicator, then weight (largest first).
    """
    rows = []
    for code in dict.fromkeys(indicators):
        own = cal.weights.get(code)
        for model, weight in (own or cal.pooled_weights).items():
            if weight > 0:
                rows.append({"indicator": code, "model": model, "weight": float(weight), "pooled": not own})
    out = pd.DataFrame(rows, columns=["indicator", "model", "weight", "pooled"])
    return out.sort_values(["indicator", "weight"], ascending=[True, False], ignore_index=True)


def _targets(t1: np.ndarray, years: Sequence[int] | None, horizon: int | None):
    """Pairs (series index, forecast year) after each series' last year."""
    if years is not None:
        yrs = np.asarray(sorted(set(int(y) for y in years)), dtype=float)
        ii, yy = np.nonzero(yrs[None, :] > t1[:, None])
        return ii, yrs[yy]
    H = int(horizon or 10)
    ii = np.repeat(np.arange(len(t1)), H)
    return ii, np.tile(np.arange(1, H + 1), len(t1)) + t1[ii]


def _forecast_one(
    panel: Panel,
    models: list[str],
    cal: Calibration,
    settings: EngineSettings,
    years,
    horizon,
    kinds: dict,
    path=None,
) -> pd.DataFrame:
    """Forecast every series of one panel with every model, on the transformed scale and back."""
    ok = status_ok(panel, panel.Y, settings.min_points)
    _, _, z1, t1 = ends(panel.Z, panel.t)
    keep = np.isfinite(t1)
    ii, yy = _targets(t1, years, horizon)
    ii, yy = ii[keep[ii]], yy[keep[ii]]
    h = (yy - t1[ii]).astype(int)
    s = scale(panel.Z, panel.t, settings.scale_shrink, panel_fallback(panel, kinds), settings.scale_window)[
        ii
    ]
    sign = (
        trend_sign(panel.Z, panel.t, cal.orient_window)[ii] if cal.orient_window else np.ones(len(ii))
    )  # map the oriented quantiles back as they were learned
    comps = _components(panel, models, ok, settings, cal)
    natural = panel.transform.kind == "logit"  # percentages: limits in percentage points
    limits = (
        change_limits(
            panel.Y if natural else panel.Z,
            panel.t,
            int(h.max(initial=1)),
            QUANTILES,
            walk=settings.clip_walk and (settings.clip_walk_percent or not natural),
            plateau=settings.clip_plateau,
        )
        if settings.clip_to_panel
        else None
    )
    status = np.array(["ok"] * len(panel.geos), dtype=object)
    reason = np.array([""] * len(panel.geos), dtype=object)
    for i in np.nonzero(~ok & keep)[0]:
        status[i], reason[i] = series_status(panel.Y[i], panel.transform, settings.min_points)
    _, _, y1, _ = ends(panel.Y, panel.t)
    flat = np.isin(status[ii], ["constant", "at_bound"])
    means = {}
    for m in comps:  # every member follows the national series first (UN IGME-style gap to the nation)
        means[m] = nowcast_mean(comps[m], panel, path, ii, yy, ok)
    moved = anchored(panel, path, ii, ok)
    if moved.any():
        note = f"until {int(path[0][-1])} follows the national series' change (its gap to the nation kept)"
        own_slope = observed_slope(panel.Z, panel.t)
    frames = []
    for m in models:
        zm = means[m] if m in means else _ensemble_mean(means, cal, panel.indicator)
        if m == ENSEMBLE and settings.intercept_correction:  # a shift its flat members cannot carry
            carry = ok[ii] & ~moved & _trendless(comps, cal, panel.indicator)[ii]
            zm = zm + carry * s * cal.drift(panel.indicator, h)
        q_ok = cal.quantiles(panel.indicator, m, h, sign)
        q_flat = cal.quantiles(panel.indicator, "naive", h, sign)
        q = np.where(ok[ii][:, None], q_ok, q_flat)
        vals = _clip(panel, zm, s[:, None] * q, limits, h)
        if moved.any():  # where the own trend and the national pace disagree, cover both
            # the own trend continued over the years the national pace replaced it, at most as many
            # years as it was measured over (OWN_TREND_YEARS); only for a geo that existed through
            # them (Hà Tây, merged into Hà Nội in 2008, is a panel member no target reads)
            span = np.minimum(np.minimum(h, np.maximum(path[0][-1] - t1[ii], 0)), OWN_TREND_YEARS)
            lived = moved & (era_end(panel.geos)[ii] >= path[0][-1])
            vals = _cover_both(panel, vals, lived, zm, z1[ii] + own_slope[ii] * span, z1[ii])
        vals[flat] = y1[ii][flat, None]  # constant or at a bound: flat at the observed value
        frame = pd.DataFrame(vals, columns=["mean", *_QCOLS])
        frame.insert(0, "year", yy.astype(int))
        frame.insert(0, "model", m)
        frame.insert(0, "indicator", panel.indicator)
        frame.insert(0, "geo", panel.geos[ii])
        frame["status"], frame["reason"] = status[ii], reason[ii]
        if moved.any():
            frame.loc[moved, "reason"] = note
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


OWN_TREND_YEARS = 5  # the window of the observed trend, and the most years it is continued
COVER_WIDEN = 3.0  # an interval covering the own trend grows to at most 3 times its half-width


def era_end(geos: np.ndarray) -> np.ndarray:
    """The last year each geo existed (``data/provinces.csv`` column ``era``; open-ended or
    unknown: far in the future)."""
    table = geo.provinces()
    ends = dict(zip(table["name"], table["era"].astype(str).str.partition("-")[2], strict=True))
    return np.array([float(ends[g]) if str(ends.get(g, "")).isdigit() else 9999.0 for g in geos])


def observed_slope(Z: np.ndarray, t: np.ndarray, window: int = OWN_TREND_YEARS) -> np.ndarray:
    """Each row's least-squares slope over its observations of the last ``window`` years (model
    scale; 0 with fewer than two): the observed trend, as the assessment's ``rate_observed``."""
    out = np.zeros(len(Z))
    for i, row in enumerate(Z):
        ok = np.isfinite(row)
        if ok.sum() < 2:
            continue
        years = t[ok]
        keep = years > years[-1] - window
        if keep.sum() < 2:
            keep[-2:] = True
        out[i] = np.polyfit(years[keep], row[ok][keep], 1)[0]
    return out


def _cover_both(
    panel: Panel, vals: np.ndarray, moved: np.ndarray, zm: np.ndarray, zp: np.ndarray, z1: np.ndarray
) -> np.ndarray:
    """Quantiles whose 80 % interval covers the own trend's path where it and the national pace disagree.

    A province nowcast along the national series (:func:`forecast.engine.nowcast.nowcast_mean`)
    may be carried one way while its own observed trend (:func:`observed_slope`) points the other
    (Hà Nam's DOH beds fell 0.64 % a year to 2016; the national all-facility series rose after
    it). The median keeps the national pace; where the own trend's path ``zp`` lies outside the
    80 % interval, the quantiles on that side (q025 … q10 or q90 … q975) are moved out by the
    distance on the model scale, at most :data:`COVER_WIDEN` times the calibrated half-width on
    that side (a steep own trend of a few noisy years does not blow the interval up). Rows that
    agree are unchanged.
    """
    disagree = moved & (np.sign(zm - z1) * np.sign(zp - z1) < 0)
    if not disagree.any():
        return vals
    z = panel.transform.forward(vals[disagree, 1:])
    p = zp[disagree]
    levels = np.asarray(QUANTILES)
    i10, i90 = int(np.argmin(np.abs(levels - 0.1))), int(np.argmin(np.abs(levels - 0.9)))
    mid = z[:, _MID]
    below = np.clip(z[:, i10] - p, 0.0, (COVER_WIDEN - 1) * (mid - z[:, i10]))
    above = np.clip(p - z[:, i90], 0.0, (COVER_WIDEN - 1) * (z[:, i90] - mid))
    z[:, : i10 + 1] -= below[:, None]
    z[:, i90:] += above[:, None]
    out = vals.copy()
    out[disagree, 1:] = panel.transform.inverse(z)
    return out


def _clip(panel: Panel, zm: np.ndarray, off: np.ndarray, limits, h: np.ndarray) -> np.ndarray:
    """Natural-scale mean and quantiles, the offsets from the median kept within ``limits``.

    Limits (:func:`forecast.engine.panels.change_limits`) are on the transformed scale, except
    for logit-scale percentages, whose limits are in percentage points on the natural scale.
    """
    if limits is None:
        return panel.transform.inverse(np.column_stack([zm, zm[:, None] + off]))
    lim = limits[np.clip(h, 1, len(limits)) - 1]
    if panel.transform.kind != "logit":
        mid = off[:, [_MID]]  # the limits bound the spread around the median, not the median
        off = mid + np.where(_Q_LOW, np.maximum(off - mid, lim), np.minimum(off - mid, lim))
        return panel.transform.inverse(np.column_stack([zm, zm[:, None] + off]))
    vals = panel.transform.inverse(np.column_stack([zm, zm[:, None] + off]))
    med = vals[:, [1 + _MID]]
    bound = np.clip(med + lim, panel.transform.lower, panel.transform.upper)
    vals[:, 1:] = np.where(_Q_LOW, np.maximum(vals[:, 1:], bound), np.minimum(vals[:, 1:], bound))
    return vals


def _components(panel, models, ok, settings, cal) -> dict:
    """Fit each model on the series with status ok; others get the flat (naive) forecast."""
    flat = KERNELS["naive"](panel.Z, panel.t)
    needed = (set(models) - {ENSEMBLE}) | {"naive"}
    if ENSEMBLE in models:
        needed |= set(cal.ensemble_weights(panel.indicator))
    out = {}
    run = steady_direction(panel.Z, settings.steady_run)
    for m in needed:
        comp = KERNELS[m](panel.Z[ok], panel.t, **settings.kernel_args()) if ok.any() else None
        level, slope, phi = flat.level.copy(), flat.slope.copy(), flat.phi.copy()
        if comp is not None:
            level[ok], slope[ok], phi[ok] = comp.level, comp.slope, comp.phi
        # a smoother never starts behind a steady run: at least the jump-off (last) value
        level = np.where(run > 0, np.maximum(level, flat.level), level)
        level = np.where(run < 0, np.minimum(level, flat.level), level)
        slope = np.where(run * slope < 0, 0.0, slope)  # nor trends against it
        out[m] = Components(level, slope, phi)
    return out


def steady_direction(Z: np.ndarray, k: int) -> np.ndarray:
    """+1 / -1 for rows whose last ``k`` changes all rise / all fall, else 0 (``k = 0``: all 0).

    Smoothers (SES, Theta, damped Holt) put their level behind the last value of a trending
    series; where the series moved the same way ``k`` times in a row that lag is a bias, not
    noise, so the forecast starts no lower (higher) than the jump-off value, as population
    projections start from the observed jump-off year (UN DESA, World Population Prospects
    methodology), and a member's trend fitted over a longer past (Theta's whole-sample slope)
    is not allowed to point against the run (it is set flat).
    """
    if k <= 0:
        return np.zeros(len(Z))
    out = np.zeros(len(Z))
    for i, row in enumerate(Z):
        d = np.diff(row[np.isfinite(row)])[-k:]
        if len(d) == k:
            out[i] = 1.0 if (d > 0).all() else -1.0 if (d < 0).all() else 0.0
    return out


def _trendless(comps: dict, cal: Calibration, indicator: str) -> np.ndarray:
    """Rows whose weighted ensemble members all forecast a flat path (no member carries a slope).

    Only these get the intercept correction (:func:`forecast.engine.calibrate.common_drift`):
    where the back-test weights already chose members that carry a trend, what bias remains in
    their errors is that trend's under-extrapolation, which the weights judged, not a shift the
    members cannot represent; on ``bench_attain.py``'s provincial protocol correcting those too
    raised the nurses' calibration error from 0.034 to 0.126 (their growth to 2011 reversed).
    """
    weights = cal.ensemble_weights(indicator) or {"naive": 1.0}
    n = len(next(iter(comps.values())).level)
    moving = np.zeros(n, dtype=bool)
    for m, w in weights.items():
        if w > 0 and m in comps:
            moving |= np.abs(np.nan_to_num(comps[m].slope * comps[m].phi)) > 0
    return ~moving


def _ensemble_mean(means: dict, cal: Calibration, indicator: str) -> np.ndarray:
    """Weighted combination of the members' forecasts on the transformed scale."""
    weights = cal.ensemble_weights(indicator) or {"naive": 1.0}
    return sum(w * means[m] for m, w in weights.items())


_Q_LOW = np.asarray(QUANTILES) < 0.5
_MID = int(np.argmin(np.abs(np.asarray(QUANTILES) - 0.5)))
_QCOLS = ("q025", "q05", "q10", "q25", "q50", "q75", "q90", "q95", "q975")


def _warn_if_alone(panels: list[Panel], models: Sequence[str]) -> None:
    """Warn when pooled models get nothing but lone series: alone they forecast a flat line.

    A run's national-only indicators sit beside full panels whose errors calibrate them, so only a
    call whose every indicator has one series (a series forecast on its own) is warned.
    """
    pooled = [m for m in models if m in POOLED_MODELS]
    alone = [p.indicator for p in panels if len(p.geos) == 1]
    if pooled and alone and len(alone) == len(panels):
        code = alone[0]
        warnings.warn(
            PanelWarning(
                f"{', '.join(alone)}: one series only, but {', '.join(pooled)} learn across the "
                f"provinces of an indicator (weights, slopes, intervals) and alone forecast a flat "
                f"line; pass the whole panel, e.g. forecast.load_observations(indicator={code!r}), "
                f"or use forecast.forecast_series(province, {code!r}), which pools with the stored run"
            ),
            stacklevel=3,
        )


def forecast_panel(
    obs: pd.DataFrame,
    years: Sequence[int] | None = None,
    horizon: int | None = None,
    models: Sequence[str] = (ENSEMBLE,),
    settings: EngineSettings | None = None,
) -> pd.DataFrame:
    """Forecast every (geo, indicator) series of a tidy frame with calibrated quantiles.

    Parameters
    ----------
    obs : DataFrame
        Tidy observations with columns ``geo, indicator, year, value`` (others ignored).
    years : sequence of int, optional
        Forecast years; each series gets those after its own last observed year.
    horizon : int, optional
        Otherwise, forecast the ``horizon`` years after each series' last year (default 10).
    models : sequence of str
        Names from :data:`forecast.engine.models.MODELS`; ``ensemble`` is the default.
    settings : EngineSettings, optional
        Model and calibration settings; a fitted ``settings.calibration`` is reused as is,
        otherwise one is learned from rolling origins inside ``obs`` (never from later years).

    Returns
    -------
    DataFrame
        ``geo, indicator, model, year, mean, q025 … q975, status, reason`` (docs/contracts.md).

    Warns
    -----
    PanelWarning
        When a pooled model (``ensemble``, ``pooled``, ``panel``) gets an indicator with one
        series: they learn across the panel, so pass every province's series of the indicator.

    Examples
    --------
    >>> import forecast
    >>> panel = forecast.load_observations(indicator="imr")
    >>> fc = forecast.forecast_panel(panel, years=range(2017, 2031))  # doctest: +SKIP
    """
    settings = settings or EngineSettings()
    models = check_models(models)
    panels = build_panels(obs)
    _warn_if_alone(panels, models)
    cal = settings.calibration or learn_calibration(panels, models, settings)
    kinds = fallback_scales(panels, settings.scale_shrink, settings.scale_window)
    paths = national_paths(panels)
    frames = [
        _forecast_one(
            p, models, cal, settings, years, horizon, kinds, paths.get(base_indicator(p.indicator)[0])
        )
        for p in panels
    ]
    cols = ["geo", "indicator", "model", "year", "mean", *_QCOLS, "status", "reason"]
    if not frames:
        return pd.DataFrame(columns=cols)
    return pd.concat(frames, ignore_index=True)[cols]
