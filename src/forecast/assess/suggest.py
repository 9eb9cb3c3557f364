"""Targets for the next plan: which value a province reaches by a year with probability 50/80/90 %.

The inverse question of :mod:`forecast.assess.assessment`: instead of "will this target be met?",
"which target would be met with probability p?". For an indicator where higher is better the
value reached with probability ``p`` is the forecast's ``1 - p`` quantile (P(X >= v) = p); where
lower is better it is the ``p`` quantile (P(X <= v) = p). Quantiles between the forecast grid
(``config.QUANTILES``) are interpolated linearly on the indicator's model scale (logit, log or
identity: :func:`forecast.engine.transforms.for_indicator`), the same interpolation as
:func:`forecast.assess.assessment.attainment_probability`, so a suggested value fed back as a
target gets its probability back. The value reached with probability 90 % is the least ambitious
one: below the 50 % value where higher is better, above it where lower is better.

Each indicator's series is chosen as for a plan's target (:func:`forecast.assess.matching.choose`:
own, else regional, else national, shifted by the province's gap where it has a few points), and
its ``basis`` is reported. The annual rate each value implies from the latest observation is
measured as in the scorecard (:func:`forecast.assess.assessment.annual_rate`, column
``rate_unit``): compound % a year (UNICEF's AARR with the sign kept), percentage points a year for
coverage indicators, the change in the indicator's unit for one that can be negative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast import config
from forecast.assess import assessment, carry, matching
from forecast.engine import transforms
from forecast.registry import indicators
from forecast.registry import national_targets as national_registry

__all__ = ["COLUMNS", "PROBABILITIES", "planned_indicators", "plausible", "suggest_targets", "value_reached"]

PROBABILITIES = (0.5, 0.8, 0.9)
COLUMNS = [
    "indicator",
    "p50",
    "p80",
    "p90",
    "rate_p50",
    "rate_p80",
    "rate_p90",
    "rate_unit",
    "unit",
    "direction",
    "year",
    "latest_year",
    "latest_value",
    "geo",
    "series",
    "basis",
    "national_target",
    "national_target_year",
]


def value_reached(quantiles: np.ndarray, p: float, direction: str, transform: transforms.Transform) -> float:
    """Return the value reached with probability ``p`` (``direction`` ``higher`` or ``lower``).

    ``quantiles`` are the forecast's values at ``config.QUANTILES``; the level ``1 - p`` (higher
    is better) or ``p`` (lower is better) is interpolated on the transformed scale.
    """
    z = np.maximum.accumulate(transform.forward(np.asarray(quantiles, dtype=float)))
    level = 1 - p if direction == "higher" else p
    return float(transform.inverse(np.asarray(np.interp(level, config.QUANTILES, z))))


def _one(code: str, province: str, year: int, groups: dict, fc_groups: dict, model: str) -> dict | None:
    choice = matching.choose({"province": province, "indicator": code, "note": ""}, groups)
    if not choice.series or choice.base != code:
        return None  # nothing, or a stand-in (reported under its own indicator)
    rows = groups[(choice.geo, choice.base)]
    obs = rows[rows["indicator"] == choice.series].sort_values("year")
    fc = fc_groups.get((choice.geo, choice.series))
    fc = None if fc is None else fc[fc["model"] == model] if (fc["model"] == model).any() else fc
    if fc is None or fc.empty or fc["status"].iloc[0] == "too_short":
        return None
    if choice.anchor:
        own = groups[(choice.anchor_geo, choice.anchor_base)]
        obs, carried, _ = carry.carry_forward(own[own["indicator"] == choice.anchor], obs, fc, code)
        if carried is None:
            return None
        fc = carried
    at = fc[fc["year"] == year]
    if at.empty:
        return None
    direction = str(indicators.catalogue().loc[code, "direction"])
    q = at.iloc[0][list(config.QUANTILE_COLUMNS)].to_numpy(float)
    tr = transforms.for_indicator(code)
    latest_year, latest = int(obs["year"].iloc[-1]), float(obs["value"].iloc[-1])
    unit_of_rate = assessment.rate_unit(code)  # the scorecard's unit: pp for coverage
    out = {"indicator": code, "year": year, "direction": direction, "geo": choice.geo}
    for p in PROBABILITIES:
        v = value_reached(q, p, direction, tr)
        out[f"p{round(p * 100)}"] = v
        out[f"rate_p{round(p * 100)}"] = assessment.annual_rate(latest, v, year - latest_year, unit_of_rate)
    out["rate_unit"] = unit_of_rate
    unit = str(indicators.catalogue().loc[code, "unit"])
    return {
        **out,
        "unit": unit,
        "latest_year": latest_year,
        "latest_value": latest,
        "series": choice.series,
        "basis": choice.basis,
    }


def suggest_targets(
    forecasts: pd.DataFrame,
    observations: pd.DataFrame,
    province: str,
    year: int = 2030,
    *,
    national: pd.DataFrame | None = None,
    model: str = "ensemble",
    planned: set[str] | None = None,
) -> pd.DataFrame:
    """Return one row per catalogue indicator with a series: the values reached by ``year``.

    Parameters
    ----------
    forecasts
        Forecasts frame (docs/contracts.md) holding the province's series and those it borrows.
    observations
        Observations frame with ``base_indicator`` (the province's, its region's, the nation's).
    province
        Canonical geo name (an old or a merged 2025 province).
    year
        The year of the next plan's targets.
    national
        National targets (default :func:`forecast.registry.national_targets.load_national_targets`).
    planned
        Only these indicators (those the province's plan or the national plans set a target for:
        :func:`planned_indicators`), on the province's own data (basis ``own``), at a pace within
        what provinces have shown (:func:`plausible`); None keeps every indicator with a series.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`: ``p50``, ``p80``, ``p90`` the values reached with probability 50,
        80 and 90 % (indicator's unit), ``rate_p*`` the annual change each implies from the
        latest observation (in ``rate_unit``), the national target of the indicator closest to ``year``.
    """
    national = national_registry.load_national_targets() if national is None else national
    obs = observations.dropna(subset=["value"])
    groups = dict(list(obs.groupby(["geo", "base_indicator"], sort=False)))
    fc_groups = dict(list(forecasts.groupby(["geo", "indicator"], sort=False))) if len(forecasts) else {}
    cat = indicators.catalogue()
    codes = [c for c in cat.index[cat["forecast"] == "yes"] if cat.loc[c, "unit"] != "text"]
    if planned is not None:
        codes = [c for c in codes if c in planned]
    rows = [r for c in codes if (r := _one(c, province, int(year), groups, fc_groups, model))]
    if planned is not None:
        rows = [r for r in rows if r["basis"] == "own" and plausible(r, obs)]
    for r in rows:
        r.update(national_registry.national_target_for(national, r["indicator"], int(year)))
    out = pd.DataFrame(rows, columns=[*COLUMNS, "national_target_source"])
    return out.drop(columns="national_target_source").astype({"national_target_year": "Int64"})


def planned_indicators(plan: pd.DataFrame, national: pd.DataFrame | None = None) -> set[str]:
    """The indicators a province's plan (its outcome rows) or the national plans set a target for."""
    national = national_registry.load_national_targets() if national is None else national
    own = (
        plan.loc[plan["kind"] == "outcome", "indicator"]
        if "kind" in plan.columns
        else plan.get("indicator", [])
    )
    return set(own) | set(national["indicator"] if len(national) else [])


#: Share of the provinces' yearly changes a suggested pace may not exceed (its 95th percentile).
PLAUSIBLE_QUANTILE = 0.95


def plausible(row: dict, observations: pd.DataFrame) -> bool:
    """Whether the pace a suggestion implies (``rate_p50``) lies within what provinces have shown:
    at most the 95th percentile of the absolute yearly changes of the provinces' series of the
    indicator (in the suggestion's rate unit). Without such a panel the suggestion is kept."""
    rate = row.get("rate_p50")
    if rate is None or pd.isna(rate):
        return True
    obs = observations[(observations["base_indicator"] == row["indicator"])]
    obs = obs.loc[obs["geo"].map(matching.is_province).astype(bool)] if len(obs) else obs
    obs = obs.sort_values(["geo", "indicator", "year"])
    changes = []
    for _, s in obs.groupby(["geo", "indicator"]):
        y, v = s["year"].to_numpy(float), s["value"].to_numpy(float)
        step = np.diff(y) == 1
        if row["rate_unit"] == "pct":
            with np.errstate(divide="ignore", invalid="ignore"):
                changes.extend(((v[1:] / v[:-1] - 1) * 100)[step])
        else:
            changes.extend((v[1:] - v[:-1])[step])
    changes = np.abs(np.asarray(changes, dtype=float))
    changes = changes[np.isfinite(changes)]
    if len(changes) < 20:
        return True
    return abs(float(rate)) <= float(np.quantile(changes, PLAUSIBLE_QUANTILE))
