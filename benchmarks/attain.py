"""What ``bench_attain.py`` scores P(attain) with: pseudo-targets, the rules users know, the scores.

Pseudo-targets (issue #19, item 9) are set from the training years only: from each series' latest
observation up to the origin, a target at every scored year asks for ``k`` times the series' own
recent pace (:func:`recent_pace`, the observed rate the assessment reports: a log-linear slope for
relative rates, a linear one in percentage points for coverages), ``k`` in :data:`MULTIPLES`
(0 to 3), always in the indicator's desirable direction. A target is met when the value observed
in its year satisfies it.

The rules users know give a class (attain or not), scored by accuracy and by the Brier score of
their 0/1 answer:

* :func:`aarr_on_track` — UNICEF / WHO: on track when the current average annual rate of reduction
  (AARR) is at least the rate required to reach the target by its year, or the target is already met;
* :func:`statcan_on_track` — Statistics Canada / Open SDG: the ratio R of the observed compound
  growth since the base year to the growth required from the base year; on track at R >= 95 %;
* :func:`escap_on_track` — UN ESCAP's anticipated progress: the target is met by the value a
  time-weighted regression anticipates in the target year.

Scores (:func:`scores`): Brier score (Brier 1950), log loss, accuracy at P = 0.5, and the expected
calibration error over ten equal-width bins of P (Naeini, Cooper & Hauskrecht 2015, AAAI; Guo et
al. 2017, ICML), with the calibration table by decile behind it (:func:`calibration`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.engine.transforms import for_indicator
from forecast.registry import indicators

RATE_WINDOW = 5  # years up to the latest observation behind the recent pace (as the assessment)
MULTIPLES = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)  # targets need k times the recent pace
BINS = 10  # equal-width bins of P for the calibration table and the ECE
P_FLOOR = 0.01  # the P function's own floor (forecast.assess.assessment.P_TAIL): log loss clip
ESCAP_DECAY = 0.8  # weight ratio between consecutive years in ESCAP's time-weighted regression
ESCAP_FIRST_YEAR = 2000  # ESCAP's anticipated progress uses the data since 2000
# Desirable direction of the scored series that are not catalogue indicators (data/series.csv).
DIRECTIONS = {
    "nurses_midwives_per_10k": 1,
    "dpt3_coverage": 1,
    "measles_coverage": 1,
    "overweight_u5": -1,
}


def direction(code: str) -> int:
    """+1 when higher values are better, -1 when lower are (catalogue, else :data:`DIRECTIONS`)."""
    if code in DIRECTIONS:
        return DIRECTIONS[code]
    base = indicators.base_indicator(code)[0]
    return 1 if indicators.catalogue().loc[base, "direction"] == "higher" else -1


def pace_unit(code: str) -> str:
    """``"pp"`` for a coverage (a logit-scale percentage where higher is better), else ``"pct"``.

    As :func:`forecast.assess.assessment.rate_unit`: coverages progress in percentage points a
    year (UNICEF, WHO), rates, densities and prevalences by a relative rate.
    """
    return "pp" if for_indicator(code).kind == "logit" and direction(code) > 0 else "pct"


def _scale(values: np.ndarray, unit: str) -> np.ndarray:
    """Values on the scale their pace is linear on: log for relative rates, natural for pp."""
    v = np.asarray(values, dtype=float)
    return np.log(v) if unit == "pct" else v


def _unscale(z: np.ndarray, unit: str) -> np.ndarray:
    return np.exp(z) if unit == "pct" else z


def recent_window(years: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The observations of the last :data:`RATE_WINDOW` years up to the latest (at least two)."""
    keep = years > years[-1] - RATE_WINDOW
    if keep.sum() < 2:
        keep[-2:] = True
    return years[keep], values[keep]


def recent_pace(years: np.ndarray, values: np.ndarray, unit: str) -> float:
    """Least-squares slope a year over :func:`recent_window`, on the log scale (``pct``) or natural.

    This is the assessment's observed rate (``rate_observed``) before it is turned into a percent:
    UNICEF's log-linear AARR fit (UNICEF 2007, "Technical note: how to calculate average annual rate
    of reduction (AARR) of underweight prevalence") for relative rates, a linear slope in percentage
    points for coverages. NaN with fewer than two points or a non-positive value on the log scale.
    """
    y, v = recent_window(np.asarray(years, float), np.asarray(values, float))
    if len(y) < 2 or (unit == "pct" and (v <= 0).any()):
        return np.nan
    return float(np.polyfit(y, _scale(v, unit), 1)[0])


def pseudo_targets(obs: pd.DataFrame, origin: int, last: int) -> pd.DataFrame:
    """Targets set from the years up to ``origin``, one per series, scored year and multiple ``k``.

    For a series whose latest observation up to the origin is ``y1`` in ``t1`` with recent pace
    ``b`` (:func:`recent_pace`) and desirable direction ``d``, the target for year ``T`` is
    ``y1 * exp(d k |b| (T - t1))`` (relative rates) or ``y1 + d k |b| (T - t1)`` (coverages), with
    comparator ``>=`` (``d = +1``) or ``<=``; targets outside the indicator's open bounds are left
    out. ``met`` says whether the value observed in ``T`` satisfies it.

    Returns
    -------
    DataFrame
        ``geo, indicator, year, k, comparator, target, latest_year, latest_value, pace, unit,
        horizon, actual, met``.
    """
    past = obs[obs["year"] <= origin].sort_values("year")
    future = obs[(obs["year"] > origin) & (obs["year"] <= last)]
    actual = future.groupby(["geo", "indicator", "year"])["value"].mean()
    frames = []
    for (geo, ind), s in past.groupby(["geo", "indicator"], sort=True):
        if (geo, ind) not in actual.index.droplevel(2):
            continue
        s = s.groupby("year")["value"].mean()
        unit, d = pace_unit(ind), direction(ind)
        b = recent_pace(s.index.to_numpy(float), s.to_numpy(float), unit)
        if not np.isfinite(b):
            continue
        t1, y1 = int(s.index[-1]), float(s.iloc[-1])
        act = actual.loc[(geo, ind)]
        T = np.repeat(act.index.to_numpy(int), len(MULTIPLES))
        k = np.tile(np.asarray(MULTIPLES), len(act))
        target = _unscale(_scale(y1, unit) + d * k * abs(b) * (T - t1), unit)
        frames.append(
            pd.DataFrame(
                {
                    "geo": geo,
                    "indicator": ind,
                    "year": T,
                    "k": k,
                    "comparator": ">=" if d > 0 else "<=",
                    "target": target,
                    "latest_year": t1,
                    "latest_value": y1,
                    "pace": b,
                    "unit": unit,
                    "horizon": T - t1,
                    "actual": np.repeat(act.to_numpy(float), len(MULTIPLES)),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    bounds = {i: for_indicator(i) for i in out["indicator"].unique()}
    lo = out["indicator"].map(lambda i: bounds[i].lower)
    hi = out["indicator"].map(lambda i: bounds[i].upper)
    kind = out["indicator"].map(lambda i: bounds[i].kind)
    inside = (kind == "identity") | ((out["target"] > lo) & (out["target"] < hi))
    out = out[inside].reset_index(drop=True)
    up = out["comparator"] == ">="
    out["met"] = np.where(up, out["actual"] >= out["target"], out["actual"] <= out["target"])
    return out


# --- the rules users know ---------------------------------------------------------------------


def _met(values: np.ndarray, targets: np.ndarray, d: int) -> np.ndarray:
    return values >= targets if d > 0 else values <= targets


def aarr_on_track(
    years: np.ndarray, values: np.ndarray, targets: np.ndarray, target_years: np.ndarray, d: int
) -> np.ndarray:
    """UNICEF / WHO on-track rule: current AARR >= required AARR, or the target already met.

    The current average annual rate of reduction is ``AARR = -100 (e^b - 1)`` with ``b`` the
    least-squares slope of ``ln(value)`` on the year over the recent years (UNICEF 2007, "Technical
    note: how to calculate average annual rate of reduction (AARR) of underweight prevalence"; the
    WHO-UNICEF TEAM, "Methodology for monitoring progress towards the global nutrition targets for
    2025", WHO/NMH/NHD/17.9, 2017, recommends recent data); the required AARR takes the latest
    value to the target by its year, ``-100 ((target / latest)^(1 / years) - 1)``. A country is on
    course when its current AARR is at least the required one (Global Nutrition Report 2018,
    Appendix 1; the same comparison of current and required AARR as UNICEF's child-mortality and
    nutrition progress reports). For indicators where higher is better the rates of increase are
    compared (the GNR's AARI for breastfeeding). Returns the predicted class (True: attain).
    """
    y, v = recent_window(np.asarray(years, float), np.asarray(values, float))
    targets, target_years = np.asarray(targets, float), np.asarray(target_years, float)
    latest = v[-1]
    current = d * np.polyfit(y, np.log(v), 1)[0]  # log-rate in the desirable direction
    with np.errstate(divide="ignore", invalid="ignore"):
        required = d * np.log(targets / latest) / (target_years - y[-1])
    return _met(np.full(len(targets), latest), targets, d) | (current >= required)


def statcan_on_track(
    years: np.ndarray, values: np.ndarray, targets: np.ndarray, target_years: np.ndarray, d: int
) -> np.ndarray:
    """Statistics Canada / Open SDG progress ratio: achieved, or R >= 95 % (on track).

    ``CAGR_i = (y_i / y_0)^(1 / (t_i - t_0)) - 1`` is the observed compound annual growth from the
    base year ``t_0`` to the latest year ``t_i``; ``CAGR_T = (y_T / y_0)^(1 / (t_T - t_0)) - 1``
    the growth required from the base year to the target ``y_T`` by its year; ``R = d CAGR_i /
    |CAGR_T|`` with ``d`` the desirable direction. R >= 95 % is *on track*, 60-95 % *acceleration
    needed*, 0-60 % *limited progress*, below 0 *deterioration*; a target already met is *achieved*
    (open-sdg/open-sdg ``docs/progress-methodology.md``, "Indicators with quantitative targets").
    The base year is the first of the recent years (:func:`recent_window`): a plan's base. Only
    *achieved* and *on track* predict attainment.
    """
    y, v = recent_window(np.asarray(years, float), np.asarray(values, float))
    targets, target_years = np.asarray(targets, float), np.asarray(target_years, float)
    t0, y0, ti, yi = y[0], v[0], y[-1], v[-1]
    observed = (yi / y0) ** (1 / (ti - t0)) - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        required = (targets / y0) ** (1 / (target_years - t0)) - 1
        ratio = np.where(required == 0, np.sign(d * observed) * np.inf, d * observed / np.abs(required))
    return _met(np.full(len(targets), yi), targets, d) | (ratio >= 0.95)


def escap_on_track(
    years: np.ndarray,
    values: np.ndarray,
    targets: np.ndarray,
    target_years: np.ndarray,
    d: int,
    unit: str = "pct",
) -> np.ndarray:
    """UN ESCAP anticipated progress: the value a time-weighted regression anticipates meets the target.

    ESCAP's Asia-Pacific SDG progress assessment (data.unescap.org, "Progress assessment
    methodology"; applied by all five UN regional commissions, e.g. UNECE's technical notes,
    2022-2026) anticipates each indicator's value in the target year from the data since 2000 by a
    time-weighted linear regression that "gives more importance to more recent data" (ESCAP
    Statistics Division working paper SD/WP/04, 2017, "Weighted extrapolation method for measuring
    SDGs"), and compares it with the target. The notes we could read state that principle, not the
    weights: here they are geometric, ``ESCAP_DECAY ** (latest year - t)`` (the engine's ``wtrend``),
    and the regression is on ``ln(value)`` (a growth rate) for relative rates, on the value for
    coverages. Returns True where the anticipated value meets the target.
    """
    years, values = np.asarray(years, float), np.asarray(values, float)
    keep = years >= min(ESCAP_FIRST_YEAR, years[-2])  # at least two points
    t, z = years[keep], _scale(values[keep], unit)
    w = ESCAP_DECAY ** (t[-1] - t)
    slope, intercept = np.polyfit(t, z, 1, w=np.sqrt(w))  # polyfit weighs residuals, not squares
    anticipated = _unscale(intercept + slope * np.asarray(target_years, float), unit)
    return _met(anticipated, np.asarray(targets, float), d)


RULES = {"UNICEF AARR": aarr_on_track, "StatCan ratio": statcan_on_track, "ESCAP wreg": escap_on_track}


def rule_answers(obs: pd.DataFrame, targets: pd.DataFrame, origin: int) -> pd.DataFrame:
    """Each rule's class for every pseudo-target: ``model``, ``p`` (0 or 1) beside the target's keys."""
    past = obs[obs["year"] <= origin].sort_values("year")
    groups = {k: s.groupby("year")["value"].mean() for k, s in past.groupby(["geo", "indicator"])}
    frames = []
    for (geo, ind), t in targets.groupby(["geo", "indicator"], sort=False):
        s = groups[(geo, ind)]
        yrs, vals, d = s.index.to_numpy(float), s.to_numpy(float), direction(ind)
        args = (yrs, vals, t["target"].to_numpy(float), t["year"].to_numpy(float), d)
        for name, rule in RULES.items():
            hit = rule(*args, unit=t["unit"].iloc[0]) if rule is escap_on_track else rule(*args)
            frames.append(t[["geo", "indicator", "year", "k"]].assign(model=name, p=hit.astype(float)))
    return pd.concat(frames, ignore_index=True)


# --- scores -----------------------------------------------------------------------------------


def brier(p: np.ndarray, y: np.ndarray) -> float:
    """Mean squared difference between the probability and the outcome (0/1): Brier (1950)."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    return float(np.mean((p - y) ** 2))


def log_loss(p: np.ndarray, y: np.ndarray, floor: float = P_FLOOR) -> float:
    """Mean negative log-likelihood of the outcomes, P clipped to [floor, 1 - floor]."""
    p, y = np.clip(np.asarray(p, float), floor, 1 - floor), np.asarray(y, float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log1p(-p)))


def accuracy(p: np.ndarray, y: np.ndarray) -> float:
    """Share of outcomes on the side of 0.5 that P is on (P = 0.5 counts as 'attain')."""
    return float(np.mean((np.asarray(p, float) >= 0.5) == np.asarray(y, bool)))


def calibration(p: np.ndarray, y: np.ndarray, bins: int = BINS) -> pd.DataFrame:
    """Calibration table: per equal-width bin of P, ``n``, mean P said and share met.

    Bin ``i`` holds ``i/bins <= P < (i+1)/bins`` (the last bin includes 1). Empty bins are kept
    with ``n = 0``.
    """
    p, y = np.asarray(p, float), np.asarray(y, float)
    idx = np.clip((p * bins).astype(int), 0, bins - 1)
    n = np.bincount(idx, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        said = np.bincount(idx, weights=p, minlength=bins) / n
        met = np.bincount(idx, weights=y, minlength=bins) / n
    lo = np.arange(bins) / bins
    return pd.DataFrame({"lo": lo, "hi": lo + 1 / bins, "n": n, "said": said, "met": met})


def ece(p: np.ndarray, y: np.ndarray, bins: int = BINS) -> float:
    """Expected calibration error: the n-weighted mean |share met - mean P| over the bins."""
    cal = calibration(p, y, bins)
    full = cal[cal["n"] > 0]
    return float((full["n"] * (full["met"] - full["said"]).abs()).sum() / full["n"].sum())


def murphy(p: np.ndarray, y: np.ndarray, bins: int = BINS) -> tuple[float, float, float]:
    """Reliability, resolution and uncertainty of the Brier score over the bins of P (Murphy 1973).

    ``Brier ~ reliability - resolution + uncertainty`` (exact up to the spread of P within a bin):
    reliability is what recalibration could remove, resolution what sharper, better forecasts add.
    """
    cal = calibration(p, y, bins)
    full = cal[cal["n"] > 0]
    w, base = full["n"] / full["n"].sum(), float(np.mean(y))
    rel = float((w * (full["said"] - full["met"]) ** 2).sum())
    res = float((w * (full["met"] - base) ** 2).sum())
    return rel, res, base * (1 - base)


def scores(answers: pd.DataFrame, keys: tuple[str, ...] = ("model", "indicator")) -> pd.DataFrame:
    """Per ``keys`` group (and ``(all)`` indicators per model): n, met, mean P, Brier, log loss, accuracy,
    ECE and the Brier score's reliability and resolution (:func:`murphy`).

    ``answers`` has ``model, indicator, p, met`` and ``kind`` (``"p"`` for a probability, ``"class"``
    for a rule's 0/1 answer: its log loss and ECE are NaN, a class is not a probability).
    """

    def one(g: pd.DataFrame) -> pd.Series:
        p, y = g["p"].to_numpy(float), g["met"].to_numpy(float)
        prob = (g["kind"] == "p").all()
        rel, res, _ = murphy(p, y) if prob else (np.nan, np.nan, np.nan)
        return pd.Series(
            {
                "n": len(g),
                "met": y.mean(),
                "mean_p": p.mean(),
                "brier": brier(p, y),
                "log_loss": log_loss(p, y) if prob else np.nan,
                "accuracy": accuracy(p, y),
                "ece": ece(p, y) if prob else np.nan,
                "reliability": rel,
                "resolution": res,
            }
        )

    keys = list(keys)
    per = answers.groupby(keys, sort=False).apply(one, include_groups=False).reset_index()
    every = answers.assign(indicator="(all)").groupby(keys, sort=False).apply(one, include_groups=False)
    return pd.concat([per, every.reset_index()], ignore_index=True)


def _logit(p: np.ndarray, floor: float = P_FLOOR) -> np.ndarray:
    p = np.clip(np.asarray(p, float), floor, 1 - floor)
    return np.log(p / (1 - p))


def fit_platt(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Intercept ``a`` and slope ``b`` of the logistic recalibration ``logit P' = a + b logit P``.

    Platt scaling (Platt 1999, "Probabilistic outputs for support vector machines") on the logit of
    P, as the recalibration of probability forecasts in Gneiting & Raftery (2007, JASA 102:359) and
    Zadrozny & Elkan (2002, KDD); fitted by maximum likelihood (Newton's method on the log loss).
    ``(0, 1)`` leaves P unchanged: a positive ``a`` says targets are met more often than P says.
    """
    x, y = _logit(p), np.asarray(y, float)
    X = np.column_stack([np.ones_like(x), x])
    w = np.array([0.0, 1.0])
    for _ in range(50):  # Newton-Raphson (iteratively reweighted least squares)
        q = 1 / (1 + np.exp(-X @ w))
        step = np.linalg.solve((X * (q * (1 - q))[:, None]).T @ X, X.T @ (y - q))
        w = w + step
        if np.abs(step).max() < 1e-10:
            break
    return float(w[0]), float(w[1])


def platt(p: np.ndarray, a: float, b: float) -> np.ndarray:
    """P recalibrated by :func:`fit_platt`'s ``(a, b)``."""
    return 1 / (1 + np.exp(-(a + b * _logit(p))))
