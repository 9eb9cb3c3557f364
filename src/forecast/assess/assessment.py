"""Will each plan target be reached? One tidy row per registry outcome target.

The headline is one ``verdict`` per target, read off the probability of attainment P (the share
of the forecast distribution at the target year that meets the target) with published cut-offs
(:data:`VERDICT_CUTS`: *likely* P >= 80 %, *possible* 50-80 %, *unlikely* 20-50 %, *very
unlikely* < 20 %), so it is monotone in P by construction. *achieved* is given only when an
observation at or after the target year meets the target, *missed* when one does not. A target
with no series is *no_data*; one whose series is too short to forecast is *insufficient_data*
(no P is given). ``timing`` says whether the target year is observed, nowcast (passed, not yet
observed: the deadline has passed and P is the probability it was met) or forecast; ``basis``
says whose series answers it (``own``, ``regional``, ``national``) and ``data_age`` how many
years lie between its latest observation and the report's year.

The pace column explains the verdict and is never a second one. Pace categories follow Statistics Canada's progress measure for its Sustainable Development Goals data
hub, as adopted by Open SDG ("Progress Measurement Methodology", open-sdg/open-sdg
``docs/progress-methodology.md``): the ratio R of the observed to the required annual growth rate
gives *on track* (R >= 95 %), *acceleration needed* (60 % <= R < 95 %), *limited progress*
(0 <= R < 60 %) or *deterioration* (R < 0); a target whose latest observation already meets it is
*achieved*. The probability of attainment comes from the forecast quantiles at the target year.
The series answering a target follows one basis ladder, the province's own data first
(:mod:`forecast.assess.matching`): where the province has one or two published points, they are
the anchor and a longer series only carries the last one forward (basis *own*, a gap model whose
interval widens with the years since that point: :mod:`forecast.assess.carry`; column ``gap``);
without any own point the region's series (basis *regional*) or the nation's (basis *national*)
answers, and the row is *indicative* only (column ``tier``). Each row also carries the national target of the same
indicator (``national_target*``, :mod:`forecast.registry.national_targets`) and the merged 2025
province of its province (``successor``; ``successor_data_year``: its data left unused).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from forecast import config
from forecast.assess import carry, matching, reasons
from forecast.engine import transforms
from forecast.log import logger
from forecast.registry import indicators
from forecast.registry import national_targets as national_registry
from forecast.registry.targets import COLUMNS as TARGET_COLUMNS

VERDICTS = (
    "achieved",
    "likely",
    "possible",
    "unlikely",
    "very_unlikely",
    "missed",
    "insufficient_data",
    "no_data",
)
# Cut-offs on P(attain), highest first: a verdict is the first whose cut-off P reaches.
VERDICT_CUTS = ((0.8, "likely"), (0.5, "possible"), (0.2, "unlikely"), (0.0, "very_unlikely"))
PACES = ("on_track", "acceleration_needed", "limited_progress", "deterioration")
TIMINGS = ("observed", "nowcast", "forecast")
BASES = ("own", "regional", "national")
HORIZON_END = config.HORIZON_END
RATE_WINDOW = 5  # years before the latest observation used for the observed rate
DEFINITION_FACTOR = 2.0  # a rate target this far from the series' level suggests another count
PLAN_DEFINITION = "_moh"  # variant of the plans' own (health-sector) count, used when imported
P_TAIL = 0.01  # P(attain) reported when the target lies beyond the 2.5 % / 97.5 % quantiles
THRESHOLDS = ((0.95, "on_track"), (0.60, "acceleration_needed"), (0.0, "limited_progress"))
# a target's registry columns but its words (quote and note stay in the registry)
REGISTRY_COLUMNS = [c for c in TARGET_COLUMNS if c not in ("quote", "note")]
FORECAST_COLUMNS = ["mean", "q025", "q10", "q50", "q90", "q975"]
COLUMNS = REGISTRY_COLUMNS + [
    "geo",
    "series",
    "definition",
    "definition_code",
    "borrowed",
    "anchor_geo",
    "latest_year",
    "latest_value",
    *FORECAST_COLUMNS,
    "p_attain",
    "rate_observed",
    "rate_required",
    "rate_unit",
    "rate_from_year",
    "rate_points",
    "required_from_year",
    "required_from_value",
    "ratio",
    "verdict",
    "pace",
    "expected_year",
    "timing",
    "deadline_passed",
    "observed_year",
    "observed_value",
    "basis",
    "tier",
    "data_age",
    "gap",
    "definition_gap",
    "national_target",
    "national_target_year",
    "national_target_source",
    "national_target_act",
    "national_target_definition",
    "successor",
    "successor_data_year",
    *reasons.COLUMNS,
    "status",
    "reason",
    "run_id",
]


def satisfies(value: float, comparator: str, target: float) -> bool:
    """Return whether ``value`` meets ``comparator target`` (False for a missing value)."""
    if value is None or pd.isna(value):
        return False
    return {">=": value >= target, "<=": value <= target, ">": value > target, "<": value < target}[
        comparator
    ]


def attainment_probability(
    quantiles: Sequence[float], comparator: str, target: float, transform: transforms.Transform | None = None
) -> float:
    """Return the share of a predictive distribution that satisfies ``comparator target``.

    The CDF is interpolated linearly between the quantiles ``config.QUANTILES`` on the
    indicator's transformed scale (:func:`forecast.engine.transforms.for_indicator`: logit, log or
    identity), so the distribution keeps its skew near a bound. Beyond the extreme quantiles
    the grid cannot tell 1 % from 0.1 %, so the CDF there is set to ``P_TAIL`` / ``1 - P_TAIL``:
    probabilities lie in [0.01, 0.99]. Returns NaN when a quantile is missing.
    """
    transform = transform or transforms.Transform("identity")
    q = transform.forward(np.asarray(quantiles, dtype=float))
    if len(q) != len(config.QUANTILES) or not np.isfinite(q).all():
        return math.nan
    q = np.maximum.accumulate(q)  # guard against crossed quantiles
    t = float(transform.forward(np.asarray(target, dtype=float)))
    if q[0] == q[-1]:  # a point mass (flat forecast): the target is met or not
        return 1 - P_TAIL if satisfies(float(quantiles[4]), comparator, target) else P_TAIL
    if t < q[0]:
        cdf = P_TAIL
    elif t > q[-1]:
        cdf = 1 - P_TAIL
    else:
        cdf = float(np.interp(t, q, config.QUANTILES))
    p = cdf if comparator in ("<", "<=") else 1 - cdf
    return float(np.clip(p, P_TAIL, 1 - P_TAIL))


def rate_unit(indicator: str) -> str:
    """How an indicator's annual rate is measured: ``"pct"``, ``"pp"`` or ``"abs"``.

    ``"pp"`` (percentage points a year) for a coverage indicator, a percentage bounded by 0 and
    100 where higher is better (BHYT, immunisation): its progress is measured in percentage points
    a year, as UNICEF and WHO report coverage trends. Mortality rates, densities per 10,000 and
    prevalences that should fall (stunting, as the WHA nutrition targets' average annual rate of
    reduction) use relative rates, ``"pct"``. An indicator that can be negative (natural population
    growth, the yearly fall of the birth rate: catalogue ``lower`` < 0) has no meaningful relative
    rate near zero: its rate is the change in its own unit a year, ``"pp"`` for a percentage and
    ``"abs"`` otherwise.
    """
    cat = indicators.catalogue()
    code = indicators.base_indicator(str(indicator))[0]
    if code not in cat.index:
        return "pct"
    row = cat.loc[code]
    if float(row["lower"]) < 0:
        return "pp" if row["unit"] == "percent" else "abs"
    bounded = float(row["lower"]) == 0 and float(row["upper"]) == 100
    return "pp" if row["unit"] == "percent" and bounded and row["direction"] == "higher" else "pct"


def annual_rate(start: float, end: float, years: float, unit: str = "pct") -> float:
    """Return the annual rate that takes ``start`` to ``end`` in ``years`` years (NaN if none).

    ``"pct"``: the compound rate ``100 * ((end / start) ** (1 / years) - 1)`` (UNICEF's AARR with
    the sign kept); where a value is zero or negative, linear change in percent of ``|start|``.
    ``"pp"`` and ``"abs"``: the linear change ``(end - start) / years`` in the indicator's unit.
    """
    if years <= 0 or not (np.isfinite(start) and np.isfinite(end)):
        return math.nan
    if unit in ("pp", "abs"):
        return (end - start) / years
    if start > 0 and end > 0:
        with np.errstate(over="ignore"):  # guard: a near-zero start must not give inf
            rate = ((end / start) ** (1 / years) - 1) * 100
        return rate if math.isfinite(rate) else math.nan
    return (end - start) / years / abs(start) * 100 if start else math.nan


def _rates(
    years: np.ndarray,
    values: np.ndarray,
    target: float,
    target_year: int,
    *,
    unit: str = "pct",
    base: tuple[float, float] | None = None,
) -> dict:
    """Return the observed and required annual rates and the facts behind them.

    Observed: the least-squares slope over the observations of the last ``RATE_WINDOW`` years up
    to the latest one (``rate_from_year`` … latest, ``rate_points`` values; at least the last
    two). With ``unit == "pct"`` it is log-linear, ``100 * (exp(b) - 1)`` — UNICEF's average
    annual rate of reduction with the sign kept (UNICEF Technical Note 185, 2007), more robust to
    one noisy year than a two-point CAGR; with ``"pp"`` (``"abs"``) it is the linear slope in
    percentage points (the indicator's unit) a year. Required: from ``base`` = (year, value) — the
    latest nowcast at the report's year when the data stop earlier, else the latest observation —
    to the target by its year (:func:`annual_rate`); NaN when the target year is not after the
    base year (the deadline has passed). Where a value is zero or negative pct falls back to
    linear change in percent of the latest value.
    """
    keep = years > years[-1] - RATE_WINDOW
    if keep.sum() < 2:
        keep[-2:] = True
    y, v = years[keep], values[keep]
    base_year, base_value = base if base is not None else (float(years[-1]), float(values[-1]))
    left = target_year - base_year
    out = {
        "rate_unit": unit,
        "rate_from_year": int(y[0]),
        "rate_points": int(len(y)),
        "required_from_year": int(base_year),
        "required_from_value": float(base_value),
        "rate_observed": math.nan,
        "rate_required": math.nan,
    }
    if len(y) < 2:
        return out
    if unit in ("pp", "abs"):
        out["rate_observed"] = float(np.polyfit(y, v, 1)[0])
    elif (v > 0).all():
        out["rate_observed"] = float(math.expm1(np.polyfit(y, np.log(v), 1)[0]) * 100)
    elif v[-1] != 0:
        out["rate_observed"] = float(np.polyfit(y, v, 1)[0] / abs(v[-1]) * 100)
    out["rate_required"] = annual_rate(float(base_value), float(target), left, unit)
    return out


def rate_windows(
    observations: pd.DataFrame, windows: range = range(2, 11), rate_required: float = math.nan
) -> pd.DataFrame:
    """Return the observed rate of :func:`_rates` over each window before the latest year.

    Columns ``window, first_year, points, rate, rate_required``; a window needs 2+ values, all > 0.
    """
    obs = observations.dropna(subset=["value"]).sort_values("year")
    years, values = obs["year"].to_numpy(float), obs["value"].to_numpy(float)
    rows = []
    for w in windows if len(years) else ():
        keep = years > years[-1] - w
        if keep.sum() >= 2 and (values[keep] > 0).all():
            slope = np.polyfit(years[keep], np.log(values[keep]), 1)[0]
            rows.append(
                {
                    "window": w,
                    "first_year": int(years[keep][0]),
                    "points": int(keep.sum()),
                    "rate": math.expm1(slope) * 100,
                    "rate_required": rate_required,
                }
            )
    return pd.DataFrame(rows, columns=["window", "first_year", "points", "rate", "rate_required"])


def progress_category(ratio: float) -> str:
    """Return the Statistics Canada / Open SDG pace of an observed/required rate ratio ("" if unknown)."""
    if ratio is None or pd.isna(ratio):
        return ""
    for threshold, category in THRESHOLDS:
        if ratio >= threshold:
            return category
    return "deterioration"


def verdict_from_p(p: float) -> str:
    """Return the verdict of a probability of attainment (:data:`VERDICT_CUTS`); NaN is insufficient."""
    if p is None or pd.isna(p):
        return "insufficient_data"
    return next(v for cut, v in VERDICT_CUTS if p >= cut)


def _forecast_rows(fc: pd.DataFrame | None, model: str) -> pd.DataFrame | None:
    if fc is None or fc.empty or "model" not in fc.columns:
        return fc
    chosen = model if (fc["model"] == model).any() else sorted(fc["model"].unique())[0]
    return fc[fc["model"] == chosen].sort_values("year")


def _expected_year(
    obs: pd.DataFrame, fc: pd.DataFrame | None, cmp: str, target: float, achieved: bool
) -> object:
    """First year of the trailing run of observations meeting the target, else of the q50 path."""
    if achieved:
        met = [satisfies(v, cmp, target) for v in obs["value"]]
        first = len(met)
        while first > 0 and met[first - 1]:
            first -= 1
        return int(obs["year"].iloc[min(first, len(met) - 1)])
    if fc is None or fc.empty:
        return pd.NA
    path = fc[(fc["year"] > obs["year"].iloc[-1]) & (fc["year"] <= HORIZON_END)]
    hits = path[[satisfies(v, cmp, target) for v in path["q50"]]]
    return int(hits["year"].iloc[0]) if len(hits) else pd.NA


def _at_target_year(
    t: dict, obs: pd.DataFrame, fc: pd.DataFrame | None, as_of_year: int, transform: transforms.Transform
) -> dict:
    """Basis, forecast quantiles and P(attain) at the target year.

    A target year with an observation at or after it is ``observed``: the value is the
    observation of that year, else the first one after it (never a value interpolated or
    extrapolated to a year without data, such as a target year before the series starts).
    """
    year, cmp, target = int(t["year"]), t["comparator"], float(t["value"])
    years, values = obs["year"].to_numpy(), obs["value"].to_numpy(float)
    out: dict = {}
    if year <= years[-1]:
        first = int(np.argmax(years >= year))  # the observation of the year, else the first after it
        v = float(values[first])
        out.update(
            dict.fromkeys(FORECAST_COLUMNS, v),
            timing="observed",
            p_attain=float(satisfies(v, cmp, target)),
            observed_year=int(years[first]),
            observed_value=v,
        )
        if years[first] != year:
            out["note"] = f"no observation in {year}: the first one after it ({int(years[first])}) is used"
        return out
    out["timing"] = "nowcast" if year <= as_of_year else "forecast"
    row = None if fc is None else fc[fc["year"] == year]
    if row is None or row.empty or pd.isna(row["q50"].iloc[0]):
        out["note"] = f"no forecast for {year}"
        return out
    r = row.iloc[0]
    out.update({c: float(r[c]) for c in FORECAST_COLUMNS})
    out["p_attain"] = attainment_probability([r[c] for c in config.QUANTILE_COLUMNS], cmp, target, transform)
    return out


def _nowcast_base(obs: pd.DataFrame, fc: pd.DataFrame | None, as_of_year: int) -> tuple[float, float]:
    """(year, value) a required rate starts from: the median nowcast at the report's year, when
    the observations stop before it and a forecast exists, else the latest observation."""
    latest = (float(obs["year"].iloc[-1]), float(obs["value"].iloc[-1]))
    if fc is None or fc.empty or latest[0] >= as_of_year:
        return latest
    row = fc[fc["year"] == as_of_year]
    if row.empty or pd.isna(row["q50"].iloc[0]) or str(fc["status"].iloc[0]) == "too_short":
        return latest
    return float(as_of_year), float(row["q50"].iloc[0])


def _assess_one(t: dict, obs: pd.DataFrame, fc: pd.DataFrame | None, as_of_year: int) -> dict:
    cmp, target, year = t["comparator"], float(t["value"]), int(t["year"])
    status = "" if fc is None or fc.empty else str(fc["status"].iloc[0])
    reasons = [] if fc is None or fc.empty else [str(fc["reason"].iloc[0])]
    if fc is None or fc.empty:
        reasons.append("no forecast for this series")
    latest_year, latest = int(obs["year"].iloc[-1]), float(obs["value"].iloc[-1])
    at = _at_target_year(t, obs, fc, as_of_year, transforms.for_indicator(t["indicator"]))
    reasons.append(at.pop("note", ""))
    rates = _rates(
        obs["year"].to_numpy(),
        obs["value"].to_numpy(float),
        target,
        year,
        unit=rate_unit(t["indicator"]),
        base=_nowcast_base(obs, fc, as_of_year),
    )
    observed, required = rates["rate_observed"], rates["rate_required"]
    ratio = observed / required if required and np.isfinite(required) else math.nan
    met_in_year = at["timing"] == "observed" and at["p_attain"] == 1.0
    # Achieved only on an observation at or after the target year: a value that meets the
    # target early can still slip back (Hà Nam beds 2016 met the 2025 target, trend falling).
    achieved = met_in_year or (satisfies(latest, cmp, target) and latest_year >= year)
    pace = progress_category(ratio)
    if np.isfinite(required) and satisfies(rates["required_from_value"], cmp, target):
        pace = "on_track"  # the nowcast already meets the target: keeping the course suffices
    if achieved:
        verdict = "achieved"
        # the observation of the target year (else the first after it) when it meets the target,
        # else the latest one, which met it later
        when = (at["mean"], at["observed_year"]) if met_in_year else (latest, latest_year)
        at.update(p_attain=1.0, observed_value=when[0], observed_year=when[1])  # P agrees with the verdict
        reasons.append(f"observed {when[0]:g} in {when[1]} meets the target")
    elif at["timing"] == "observed":  # the year has passed without attainment
        toward = math.copysign(1.0, target - latest) * (observed if np.isfinite(observed) else 0)
        verdict, pace = "missed", "deterioration" if toward < 0 else "limited_progress"
        reasons.append(f"target year {year} passed without attainment")
    elif status == "too_short":
        verdict = "insufficient_data"
        at["p_attain"] = math.nan  # nothing honest can be said: no probability is printed
    else:
        verdict = verdict_from_p(at.get("p_attain", math.nan))
        if at["timing"] == "nowcast":
            reasons.append(f"deadline {year} passed, not yet observed: P is the probability that it was met")
    return {
        **at,
        **rates,
        "latest_year": latest_year,
        "latest_value": latest,
        "ratio": ratio,
        "verdict": verdict,
        "pace": pace,
        "expected_year": (
            year
            if achieved and not satisfies(latest, cmp, target)
            else _expected_year(obs, fc, cmp, target, satisfies(latest, cmp, target))
        ),
        "deadline_passed": year < as_of_year,
        "data_age": as_of_year - latest_year,
        "status": status,
        "reason": "; ".join(r for r in reasons if r),
    }


def _with_definitions(obs: pd.DataFrame) -> pd.DataFrame:
    obs = obs.dropna(subset=["value"])
    if "base_indicator" in obs.columns and "definition" in obs.columns:
        return obs
    pairs = {c: indicators.base_indicator(c) for c in obs["indicator"].unique()}
    return obs.assign(
        base_indicator=obs["indicator"].map(lambda c: pairs[c][0]),
        definition=obs["indicator"].map(lambda c: pairs[c][1]),
    )


def assess_targets(
    targets: pd.DataFrame,
    observations: pd.DataFrame,
    forecasts: pd.DataFrame,
    as_of: str,
    *,
    model: str = "ensemble",
    national: pd.DataFrame | None = None,
    panel: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Assess every outcome target of the registry against its series and forecast.

    Parameters
    ----------
    targets
        The registry (:func:`forecast.registry.targets.load_targets`); only ``kind == "outcome"`` rows
        are assessed. A range target (``value_high`` set) is assessed on ``value``.
    observations
        Observations frame (docs/contracts.md); the series of a target is the province's series
        whose ``base_indicator`` is the target's indicator — the catalogue code first, then the
        variant the target's note describes (a note on central hospitals picks ``*_dohs``), then
        the variant with the latest data. A province without one borrows its GSO region's
        series as a proxy (``basis == "regional"``); national series are never used for a province
        (:mod:`forecast.assess.matching`). ``definition`` says how the series differs.
    forecasts
        Forecasts frame; model ``model`` where present, else the first model by name.
    as_of
        The quarter of the assessment (``2026Q4``): target years up to its year with no
        observation are *nowcasts*, later ones *forecasts*.
    national
        National targets (:func:`forecast.registry.national_targets.load_national_targets`,
        loaded when None) shown beside each plan's target.
    panel
        The forecasts of every geo (default ``forecasts``): the intervals a row's is compared
        with (:mod:`forecast.assess.reasons`), so that its reason codes never depend on which
        provinces a run was asked for.

    Returns
    -------
    pandas.DataFrame
        The assessments frame of docs/contracts.md, one row per outcome target, ``run_id``
        empty; ``geo`` is the geo of the series used (the region for a proxy) and ``reason``
        says why a target has no data or borrows a regional series. Rates are annual % changes
        on the natural scale (see :func:`_rates`).

    Examples
    --------
    >>> import forecast
    >>> run = forecast.load_run()  # doctest: +SKIP
    >>> forecast.assess_targets(forecast.load_targets(), forecast.load_observations(),  # doctest: +SKIP
    ...                         run.forecasts, run.as_of)
    """
    as_of_year = config.quarter_year(as_of)
    obs = _with_definitions(observations).sort_values(["geo", "indicator", "year"])
    obs_groups = dict(list(obs.groupby(["geo", "base_indicator"], sort=False)))
    fc_groups = dict(list(forecasts.groupby(["geo", "indicator"], sort=False))) if len(forecasts) else {}
    national = national_registry.load_national_targets(every=True) if national is None else national
    rows = [
        _with_national(
            _assess_target(t, obs_groups, fc_groups, as_of_year, model),
            national_registry.national_target_for(
                national, t["indicator"], int(t["year"]), str(t["plan_id"])
            ),
        )
        for t in targets[targets["kind"] == "outcome"].to_dict("records")
    ]
    ctx = reasons.context(obs, forecasts if panel is None else panel)
    rows = [r | reasons.explain(r, ctx, annual_rate) for r in rows]
    logger.info("assessed %d outcome targets as of %s", len(rows), as_of)
    return _frame(rows)


def _with_national(row: dict, national: dict) -> dict:
    """The row with its national target; ``national_target_definition`` says ``other`` when the
    row's series is of another definition than the national target's (the catalogue's: national
    doctors and beds targets count every facility, a ``*_dohs`` series the DOH ones only)."""
    other = bool(row.get("definition_code")) and not pd.isna(national["national_target"])
    return {**row, **national, "national_target_definition": "other" if other else ""}


def _assess_target(t: dict, obs_groups: dict, fc_groups: dict, as_of_year: int, model: str) -> dict:
    base = {c: t.get(c) for c in REGISTRY_COLUMNS}
    choice = matching.choose(t, obs_groups)
    merged = {"successor": choice.successor, "successor_data_year": choice.successor_year}
    if not choice.series:
        timing = "nowcast" if int(t["year"]) <= as_of_year else "forecast"
        return {
            **base,
            **merged,
            "geo": choice.geo,
            "series": "",
            "definition": "",
            "definition_code": "",
            "borrowed": "",
            "anchor_geo": "",
            "verdict": "no_data",
            "pace": "",
            "timing": timing,
            "deadline_passed": int(t["year"]) < as_of_year,
            "basis": "",
            "status": "",
            "reason": choice.note,
        }
    rows = obs_groups[(choice.geo, choice.base)]
    obs = rows[rows["indicator"] == choice.series]
    fc = _forecast_rows(fc_groups.get((choice.geo, choice.series)), model)
    official = choice.basis == "own" and choice.series == t["indicator"] and not choice.anchor
    level_gap = definition_gap(t, obs) if official else math.nan
    plan_series = f"{t['indicator']}{PLAN_DEFINITION}"
    if np.isfinite(level_gap) and plan_series in set(rows["indicator"]) and choice.series != plan_series:
        obs = rows[rows["indicator"] == plan_series]  # the plan's own definition, imported
        fc = _forecast_rows(fc_groups.get((choice.geo, plan_series)), model)
        meaning = indicators.VARIANT_SUFFIXES[PLAN_DEFINITION]
        choice = replace(choice, series=plan_series, definition=meaning, definition_code=PLAN_DEFINITION)
        level_gap = math.nan
    gap = math.nan
    if choice.anchor:
        own = obs_groups[(choice.anchor_geo, choice.anchor_base)]
        points, carried, gap = carry.carry_forward(
            own[own["indicator"] == choice.anchor], obs, fc, t["indicator"]
        )
        obs, fc = points, carried
    out = _assess_one(t, obs, fc, as_of_year)
    reason = "; ".join(r for r in (choice.note, out["reason"]) if r)
    return {
        **base,
        **out,
        **merged,
        "geo": choice.geo,
        "series": choice.series,
        "definition": choice.definition,
        "definition_code": choice.definition_code,
        "borrowed": choice.borrowed,
        "anchor_geo": choice.anchor_geo,
        "reason": reason,
        "basis": choice.basis,
        "tier": choice.tier,
        "gap": gap,
        "definition_gap": level_gap,
    }


def definition_gap(t: dict, obs: pd.DataFrame) -> float:
    """Return target / latest level where a plan's rate target sits far from the series (else NaN).

    For rates on a ratio scale (log-transformed: per 1,000, per 10,000 ...) a target below half
    or above twice the official series' latest level (Hà Nam IMR 5.0‰ against GSO's 11.8‰ in
    2016) is more likely a different count (health-sector reporting) than a plan to halve the
    rate: the ratio is returned so that the brief can say so beside the verdict.
    """
    if transforms.for_indicator(str(t["indicator"])).kind != "log" or obs.empty:
        return math.nan
    latest = float(obs["value"].iloc[-1])
    ratio = float(t["value"]) / latest if latest > 0 else math.nan
    return ratio if np.isfinite(ratio) and not 1 / DEFINITION_FACTOR < ratio < DEFINITION_FACTOR else math.nan


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows).reindex(columns=COLUMNS)
    floats = [
        "value",
        "value_high",
        "latest_value",
        *FORECAST_COLUMNS,
        "p_attain",
        "rate_observed",
        "rate_required",
        "required_from_value",
        "observed_value",
        "ratio",
        "gap",
        "definition_gap",
        "national_target",
        "forecast_rate",
        "panel_rate",
        "panel_trend",
        "shift_rate",
        "width_ratio",
    ]
    text = [
        "plan_id",
        "province",
        "indicator",
        "comparator",
        "unit",
        "kind",
        "geo",
        "series",
        "definition",
        "definition_code",
        "borrowed",
        "anchor_geo",
        "verdict",
        "pace",
        "rate_unit",
        "timing",
        "basis",
        "tier",
        "national_target_source",
        "national_target_act",
        "national_target_definition",
        "successor",
        "reason_codes",
        "carrier_geo",
        "carrier_series",
        "carrier_definition",
        "status",
        "reason",
        "run_id",
    ]
    df[text] = df[text].astype(object).fillna("").astype(str)
    return df.astype(
        {
            **dict.fromkeys(floats, "float64"),
            "year": "int64",
            "latest_year": "Int64",
            "expected_year": "Int64",
            "data_age": "Int64",
            "rate_from_year": "Int64",
            "rate_points": "Int64",
            "required_from_year": "Int64",
            "national_target_year": "Int64",
            "successor_data_year": "Int64",
            "observed_year": "Int64",
            "deadline_passed": "boolean",
            "carrier_from_year": "Int64",
            "carrier_until_year": "Int64",
            "shift_until_year": "Int64",
            "panel_points": "Int64",
        }
    )


# The assessment table `forecast run --out FILE.csv` writes: one row per outcome target.
EXPORT_COLUMNS = [
    "province",
    "indicator",
    "year",
    "comparator",
    "value",
    "unit",
    "latest_year",
    "latest_value",
    "q025",
    "q10",
    "q50",
    "q90",
    "q975",
    "p_attain",
    "verdict",
    "pace",
    "rate_observed",
    "rate_required",
    "rate_unit",
    "basis",
    "timing",
    "reason",
]


def write_new_csv(table: pd.DataFrame, path, *, force: bool = False) -> int:
    """Write ``table`` to a new CSV file (the output rule of :mod:`forecast.outputs`); return its rows.

    Text cells a spreadsheet would run as formulas are quoted (:func:`forecast.outputs.safe_cells`).

    Raises
    ------
    OutputError
        If ``path`` already exists and not ``force`` (the workbench never overwrites a file it
        did not create), or is a folder or a database.
    """
    from forecast.outputs import safe_cells, write_output

    write_output(path, lambda tmp: safe_cells(table).to_csv(tmp, index=False), force=force)
    return len(table)


def export_assessments(assessments: pd.DataFrame, path, *, force: bool = False) -> int:
    """Write the assessment table (:data:`EXPORT_COLUMNS`) to a new CSV file (:func:`write_new_csv`)."""
    return write_new_csv(assessments.reindex(columns=EXPORT_COLUMNS), path, force=force)
