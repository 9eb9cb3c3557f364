"""Why a row says what it says: reason codes and the numbers a brief needs to explain them.

A reader stops trusting a scorecard at the first surprise: a median running against the
province's observed trend, an on-track pace beside a low probability, a stand-in series, an
interval much wider or narrower than the other provinces'. Each such row carries a code in
``reason_codes`` (:data:`REASON_CODES`, joined by ``;``) and the facts to say it in numbers
(house rule: a fact travels as a column, never inside a sentence), worded by
:func:`forecast.report.pages.sentences.explanations`:

``counter_trend``
    the median's annual change to the target year (``forecast_rate``) and the observed one
    (``rate_observed``) point opposite ways, or the median stays flat beside a clear trend; without a borrowed pace, ``panel_trend`` is the
    median observed rate of the provinces' series (the pooled models lean on it);
``borrowed_pace``
    after the province's last year the forecast follows another series' change: the nation's
    (the engine's nowcast, :mod:`forecast.engine.nowcast`) or the series carrying the province's
    own points (:mod:`forecast.assess.carry`), from ``carrier_from_year`` to
    ``carrier_until_year`` (its last observation), ``carrier_geo``/``carrier_series``, and
    ``carrier_definition`` (``other`` when it measures another definition than the row's);
``pace_disagrees``
    the pace (observed vs required rate) says on track but P < 50 %, or limited progress /
    deterioration but P >= 80 %; ``panel_rate`` is the median yearly change of the provinces'
    series of the row's (of every geo's where fewer than three provinces have one) at the row's
    level (``panel_points`` pairs of years): growth slows near a ceiling;
``stand_in`` / ``other_definition``
    the series measures another indicator (a stand-in) or another definition of it;
``carried`` / ``no_own_data``
    the province's own points carried forward by another series; no own point at all (the row
    reads a regional or national series in its stead: ``basis``, ``geo``, ``latest_value``);
``national_comparator``
    the province has no target of its own for the indicator and year: the row is measured
    against the national target (plan :data:`forecast.registry.national_targets.PLAN_ID`, value
    equal to ``national_target``);
``held_shift``
    the median follows the change common to the provinces' back-test errors (the engine's
    intercept correction, :func:`forecast.engine.calibrate.common_drift`) from the province's last
    year until ``shift_until_year`` (:data:`forecast.engine.calibrate.DRIFT_YEARS` later), at
    ``shift_rate`` a year, then holds: the target year is after that, so the median is flat there;
``wide_interval`` / ``narrow_interval``
    the 80 % interval on the model scale is more than :data:`WIDE` times (less than
    :data:`NARROW` of) the median of the same series' intervals across provinces in that year
    (``width_ratio``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.assess import matching
from forecast.engine import transforms
from forecast.engine.calibrate import DRIFT_YEARS
from forecast.engine.nowcast import NATIONAL_GEOS
from forecast.registry import indicators
from forecast.registry import national_targets as national_registry

__all__ = ["COLUMNS", "REASON_CODES", "Context", "context", "explain"]

REASON_CODES = (
    "counter_trend",
    "borrowed_pace",
    "pace_disagrees",
    "stand_in",
    "other_definition",
    "carried",
    "no_own_data",
    "national_comparator",
    "held_shift",
    "wide_interval",
    "narrow_interval",
)
COLUMNS = [
    "reason_codes",
    "forecast_rate",
    "carrier_geo",
    "carrier_series",
    "carrier_from_year",
    "carrier_until_year",
    "carrier_definition",
    "panel_rate",
    "panel_points",
    "panel_trend",
    "shift_until_year",
    "shift_rate",
    "width_ratio",
]
WIDE, NARROW = 2.0, 0.5
#: Smallest annual change that counts as a direction (per rate unit: %/yr, points/yr).
STILL = {"pct": 0.2, "pp": 0.05, "abs": 0.01}
#: Half-width of the band of levels whose yearly changes make ``panel_rate``: relative for pct, in
#: the indicator's unit for pp/abs.
BAND = {"pct": 0.1, "pp": 2.0, "abs": 0.2}
MIN_PAIRS = 5


@dataclass
class Context:
    """The panel the reasons compare a row with: every observation and forecast of the run."""

    observations: pd.DataFrame
    forecasts: pd.DataFrame
    _widths: dict = field(default_factory=dict)
    _national: dict = field(default_factory=dict)


def context(observations: pd.DataFrame, forecasts: pd.DataFrame) -> Context:
    """A :class:`Context` of the whole panel (provinces not requested included, so a row's codes
    never depend on which provinces a run was asked for)."""
    return Context(observations, forecasts)


def _stand_ins() -> set[str]:
    return {alt for alt, _ in indicators.STAND_INS.values()}


def _provinces(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of provinces (not regions nor the nation); an empty frame stays a frame."""
    return frame.loc[frame["geo"].map(matching.is_province).astype(bool)] if len(frame) else frame


def _national_end(ctx: Context, code: str) -> tuple[int, str] | None:
    """The national series of ``code`` the engine's nowcast follows: the one ending latest."""
    if code not in ctx._national:
        obs = ctx.observations
        mine = obs[obs["geo"].isin(NATIONAL_GEOS)]
        mine = mine[
            mine["indicator"].map(lambda c: indicators.base_indicator(str(c))[0] == code).astype(bool)
        ]
        ends = mine.dropna(subset=["value"]).groupby("indicator")["year"].agg(["max", "count"])
        ends = ends[ends["count"] >= 2]
        ctx._national[code] = None if ends.empty else (int(ends["max"].max()), str(ends["max"].idxmax()))
    return ctx._national[code]


def _carrier(r: dict, ctx: Context) -> dict:
    """Where the forecast follows another series after the province's last year (or ``{}``)."""
    code, series, year = str(r["indicator"]), str(r["series"]), int(r["year"])
    latest = r.get("latest_year")
    if latest is None or pd.isna(latest) or year <= int(latest) or r.get("timing") == "observed":
        return {}
    latest = int(latest)
    if r["basis"] == "own" and not pd.isna(r.get("gap")):  # own points carried by another series
        obs = ctx.observations
        seen = obs[(obs["geo"] == r["geo"]) & (obs["indicator"] == series)]["year"]
        until = int(seen.max()) if len(seen) and int(seen.max()) > latest else None
        carrier_geo, carrier = str(r["geo"]), series
    elif r["basis"] == "own" and r.get("status") == "ok" and r["geo"] not in NATIONAL_GEOS:
        end = _national_end(ctx, indicators.base_indicator(series)[0])
        if end is None or end[0] <= latest:
            return {}
        until, carrier_geo, carrier = end[0], matching.NATIONAL_GEO, end[1]
    else:
        return {}
    differs = matching.definition_code(carrier, code) != matching.definition_code(series, code)
    return {
        "carrier_geo": carrier_geo,
        "carrier_series": carrier,
        "carrier_from_year": latest + 1,
        "carrier_until_year": until,
        "carrier_definition": "other" if differs else "",
    }


def _panel_rate(r: dict, ctx: Context, unit: str) -> tuple[float, int]:
    """Median yearly change of the provinces' series of the row's at a level near the row's."""
    level = r.get("required_from_value")
    level = r.get("latest_value") if level is None or pd.isna(level) else level
    if level is None or pd.isna(level):
        return math.nan, 0
    obs = ctx.observations
    same = obs[obs["indicator"] == r["series"]]
    rows = _provinces(same)
    rows = (rows if rows["geo"].nunique() >= 3 else same).sort_values(["geo", "year"])  # else every geo
    pairs = []
    for _, s in rows.groupby("geo"):
        y, v = s["year"].to_numpy(float), s["value"].to_numpy(float)
        step = (np.diff(y) == 1) & np.isfinite(v[1:]) & np.isfinite(v[:-1])
        start = v[:-1][step]
        near = (
            np.abs(start / level - 1) <= BAND[unit] if unit == "pct" else np.abs(start - level) <= BAND[unit]
        )
        change = (v[1:][step] / start - 1) * 100 if unit == "pct" else v[1:][step] - start
        pairs.extend(change[near & (start > 0 if unit == "pct" else True)])
    if len(pairs) < MIN_PAIRS:
        return math.nan, len(pairs)
    return float(np.median(pairs)), len(pairs)


def _panel_trend(r: dict, ctx: Context, unit: str, annual_rate) -> float:
    """Median over the provinces' series of the row's of their observed rate (last five years)."""
    obs = ctx.observations
    rows = _provinces(obs[obs["indicator"] == r["series"]]).dropna(subset=["value"])
    rates = []
    for _, s in rows.sort_values("year").groupby("geo"):
        s = s[s["year"] > s["year"].max() - 5]
        if len(s) >= 2:
            rates.append(
                annual_rate(
                    float(s["value"].iloc[0]),
                    float(s["value"].iloc[-1]),
                    float(s["year"].iloc[-1] - s["year"].iloc[0]),
                    unit,
                )
            )
    rates = [x for x in rates if np.isfinite(x)]
    return float(np.median(rates)) if len(rates) >= MIN_PAIRS else math.nan


def _width_ratio(r: dict, ctx: Context) -> float:
    """The row's 80 % interval on the model scale over the median across provinces' series."""
    if r.get("timing") == "observed" or pd.isna(r.get("q10")) or pd.isna(r.get("q90")):
        return math.nan
    tr = transforms.for_indicator(str(r["indicator"]))
    key = (str(r["series"]), int(r["year"]))
    if key not in ctx._widths:
        fc = ctx.forecasts
        if fc.empty or not {"indicator", "year", "geo", "q10", "q90"} <= set(fc.columns):
            ctx._widths[key] = math.nan
            return math.nan
        same = fc[(fc["indicator"] == key[0]) & (fc["year"] == key[1])]
        if "model" in same.columns:
            same = same[same["model"] == "ensemble"]
        if "status" in same.columns:
            same = same[same["status"] == "ok"]
        same = _provinces(same)
        widths = tr.forward(same["q90"].to_numpy(float)) - tr.forward(same["q10"].to_numpy(float))
        widths = widths[np.isfinite(widths) & (widths > 0)]
        ctx._widths[key] = float(np.median(widths)) if len(widths) >= 5 else math.nan
    typical = ctx._widths[key]
    mine = float(
        tr.forward(np.asarray(r["q90"], dtype=float)) - tr.forward(np.asarray(r["q10"], dtype=float))
    )
    return mine / typical if np.isfinite(typical) and typical > 0 else math.nan


def _held_shift(r: dict, ctx: Context) -> int | None:
    """The last year of the engine's intercept correction where the row's median holds after it.

    The ensemble of a series whose members all forecast flat adds the provinces' common change
    for :data:`~forecast.engine.calibrate.DRIFT_YEARS` years after the province's last one, then
    keeps the level: a median that moves over those years and stays put from their end to the
    target year is that correction held (pharmacists: up from 2016 to 2021, flat to 2030).
    """
    latest = r.get("latest_year")
    if latest is None or pd.isna(latest) or r.get("timing") == "observed" or pd.isna(r.get("q50")):
        return None
    until, year = int(latest) + DRIFT_YEARS, int(r["year"])
    fc = ctx.forecasts
    if year <= until or fc.empty or not {"geo", "indicator", "year", "q50"} <= set(fc.columns):
        return None
    mine = fc[(fc["geo"] == r["geo"]) & (fc["indicator"] == r["series"])]
    if "model" in mine.columns:
        mine = mine[mine["model"] == "ensemble"]
    path = mine.set_index("year")["q50"].astype(float)
    path = path[(path.index > int(latest)) & (path.index <= year)]
    if len(path) != year - int(latest) or not np.isclose(path.loc[year], r["q50"], rtol=1e-9):
        return None  # not the row's path (a carried series, another model's median)
    moving, held = path.loc[:until].to_numpy(), path.loc[until:].to_numpy()
    shifted = not np.allclose(moving, moving[0], rtol=1e-6)
    return until if shifted and np.allclose(held, held[0], rtol=1e-9) else None


def _national_comparator(r: dict) -> bool:
    """Whether the row's target is the national one, standing in for a province without its own
    (a province's own published target, Đồng Nai's 96 % BHYT, is not a stand-in)."""
    if r.get("plan_id") != national_registry.PLAN_ID:
        return False
    national, value = r.get("national_target"), r.get("value")
    if national is None or value is None or pd.isna(national) or pd.isna(value):
        return False
    return math.isclose(float(national), float(value))


def explain(r: dict, ctx: Context, annual_rate) -> dict:
    """The :data:`COLUMNS` of one assessment row (``annual_rate``: the assessment's rate function)."""
    out: dict = dict.fromkeys(COLUMNS, math.nan) | {
        "reason_codes": "",
        "carrier_geo": "",
        "carrier_series": "",
    }
    out["carrier_definition"] = ""
    if not r.get("series"):
        return out
    codes = []
    unit = str(r.get("rate_unit") or "pct")
    latest, year = r.get("latest_year"), int(r["year"])
    if (
        r.get("timing") != "observed"
        and not pd.isna(r.get("q50"))
        and latest is not None
        and not pd.isna(latest)
    ):
        out["forecast_rate"] = annual_rate(
            float(r["latest_value"]), float(r["q50"]), year - int(latest), unit
        )
    still, obs_rate, fc_rate = STILL.get(unit, 0.2), r.get("rate_observed"), out["forecast_rate"]
    if unit == "abs" and not pd.isna(r.get("latest_value")):
        still = STILL["abs"] * max(abs(float(r["latest_value"])), 1.0)
    if (
        obs_rate is not None
        and not pd.isna(obs_rate)
        and np.isfinite(fc_rate)
        and abs(obs_rate) >= still
        and (abs(fc_rate) < still or np.sign(obs_rate) != np.sign(fc_rate))
    ):
        codes.append("counter_trend")  # against the observed trend, or flat beside a clear one
    carrier = _carrier(r, ctx)
    if carrier:
        out.update(carrier)
        codes.append("borrowed_pace")
    elif "counter_trend" in codes:
        out["panel_trend"] = _panel_trend(r, ctx, unit, annual_rate)
    p, pace = r.get("p_attain"), str(r.get("pace") or "")
    if r.get("timing") != "observed" and p is not None and not pd.isna(p) and pace:
        if (pace == "on_track" and p < 0.5) or (pace in ("limited_progress", "deterioration") and p >= 0.8):
            codes.append("pace_disagrees")
            out["panel_rate"], out["panel_points"] = _panel_rate(r, ctx, unit)
    definition = str(r.get("definition_code") or "")
    if definition:
        codes.append("stand_in" if definition in _stand_ins() else "other_definition")
    if r.get("basis") == "own" and not pd.isna(r.get("gap")):
        codes.append("carried")
    if r.get("tier") == "indicative" and r.get("basis") != "own":
        codes.append("no_own_data")
    if _national_comparator(r):
        codes.append("national_comparator")
    until = None if carrier else _held_shift(r, ctx)
    if until is not None:
        codes.append("held_shift")
        out["shift_until_year"] = until
        out["shift_rate"] = annual_rate(
            float(r["latest_value"]), float(r["q50"]), until - int(r["latest_year"]), unit
        )
    ratio = _width_ratio(r, ctx)
    out["width_ratio"] = ratio
    if np.isfinite(ratio) and ratio > WIDE:
        codes.append("wide_interval")
    elif np.isfinite(ratio) and ratio < NARROW:
        codes.append("narrow_interval")
    out["reason_codes"] = ";".join(codes)
    return out
