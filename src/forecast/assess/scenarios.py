"""What-if paths beside the forecast: a steady rate of change from the latest nowcast.

Four scenarios, each a path per (geo, series) from an anchor — the value in the run's quarter
(``as_of`` year): the observation if there is one, else the forecast median (the nowcast) —
growing at a constant annual rate, the way UNICEF's AARR projections extend a trend
(UNICEF/WHO, *Technical Note: how to calculate AARR*, 2007):

==============  =======================================================================
``reference``   the forecast itself (ensemble median), no constant rate
``rate``        ``r`` %/yr given by the user (``rate=-3`` for a 3 %/yr decline)
``national``    the national series' observed rate over its last ``RATE_WINDOW`` years
``best_decile`` the best decile of provinces' observed rates (90th percentile where higher
                is better, 10th where lower is better)
==============  =======================================================================

Pure functions: frames in, frame out; nothing is fitted (rates are log-linear least squares
slopes of the observations, as :func:`forecast.assess.assessment.rate_windows`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from forecast.assess.assessment import RATE_WINDOW, satisfies
from forecast.errors import ValidationError
from forecast.registry import geo, indicators

SCENARIOS = ("reference", "rate", "national", "best_decile")
#: A ``rate=R`` scenario is allowed within the panel's observed rates, and always within ±10 %/yr.
MIN_SPAN = 10
PATH_COLUMNS = ["geo", "indicator", "year", "scenario", "rate", "value"]
#: What tells a target apart (with its value, ``target``): the keys a saved scenario is found by.
TARGET_KEYS = ["plan_id", "province", "indicator", "year", "comparator"]
TARGET_COLUMNS = [*TARGET_KEYS, "target", "scenario", "rate", "scenario_value", "meets"]

__all__ = [
    "SCENARIOS",
    "check_rates",
    "observed_rates",
    "parse_scenario",
    "scenario_paths",
    "scenario_table",
    "scenario_targets",
]


def parse_scenario(text: str) -> tuple[str, float | None]:
    """Return ``(name, rate)`` from ``"national"`` or ``"rate=-2.5"`` (rate in %/yr).

    Raises
    ------
    ValidationError
        For an unknown name, or ``rate`` without a number.
    """
    name, _, value = str(text).strip().partition("=")
    name = name.strip().lower().replace("-", "_")
    if name not in SCENARIOS:
        raise ValidationError(
            f"scenario {text!r} unknown: choose from {', '.join(SCENARIOS)} (e.g. rate=-2.5)"
        )
    if name != "rate":
        return name, None
    try:
        rate = float(value)
    except ValueError:
        raise ValidationError(f"scenario {text!r} needs a rate in %/yr, e.g. rate=-2.5") from None
    if not math.isfinite(rate) or rate <= -100:
        raise ValidationError(
            f"scenario {text!r}: the rate must be a finite number of %/yr above -100, e.g. rate=-2.5"
        )
    return name, rate


def check_rates(names: list[str], observations: pd.DataFrame) -> None:
    """Refuse a ``rate=R`` scenario outside the observed annual rates of the panel (:func:`observed_rates`).

    A rate no series has ever shown (``rate=1e308``) makes no what-if, only overflow. The range is
    never narrower than ±:data:`MIN_SPAN` %/yr (a small panel still allows an ordinary what-if).

    Raises
    ------
    ValidationError
        Naming the scenario and the observed range (rounded outwards to whole %/yr).
    """
    wanted = [(n, parse_scenario(n)[1]) for n in names if parse_scenario(n)[0] == "rate"]
    if not wanted:
        return
    seen = observed_rates(observations)["rate"]
    if seen.empty:
        raise ValidationError(
            "no series has two positive observations: a rate=R scenario has nothing to follow"
        )
    low, high = min(math.floor(seen.min()), -MIN_SPAN), max(math.ceil(seen.max()), MIN_SPAN)
    for text, rate in wanted:
        if not low <= float(rate) <= high:  # type: ignore[arg-type]
            raise ValidationError(
                f"scenario {text!r} is outside the annual rates observed in the data ({low} to {high} %/yr): "
                "choose a rate within them, e.g. rate=-3"
            )


def observed_rates(observations: pd.DataFrame, window: int = RATE_WINDOW) -> pd.DataFrame:
    """Each series' observed annual rate (%/yr): log-linear slope over its last ``window`` years.

    Returns ``geo, indicator, rate``; series with fewer than two positive values are left out.
    """
    obs = observations.dropna(subset=["value"])
    obs = obs[obs["value"] > 0]
    last = obs.groupby(["geo", "indicator"])["year"].transform("max")
    obs = obs[obs["year"] >= last - window]
    g = obs.assign(x=obs["year"].astype(float), y=np.log(obs["value"].astype(float)))
    g = g.assign(xy=g["x"] * g["y"], xx=g["x"] ** 2).groupby(["geo", "indicator"])
    s = g[["x", "y", "xy", "xx"]].mean().join(g.size().rename("n"))
    var = s["xx"] - s["x"] ** 2
    slope = (s["xy"] - s["x"] * s["y"]) / var.where(var > 0)
    rates = (np.expm1(slope) * 100).where(s["n"] >= 2).rename("rate")
    return rates.dropna().reset_index()


def _anchors(observations: pd.DataFrame, reference: pd.DataFrame, as_of_year: int) -> pd.DataFrame:
    """Per series: the anchor year and value (an observation in the as-of year or later, else the nowcast)."""
    obs = observations.dropna(subset=["value"])
    last = obs.sort_values("year").groupby(["geo", "indicator"]).tail(1)
    seen = last[last["year"] >= as_of_year][["geo", "indicator", "year", "value"]]
    now = reference[reference["year"] == as_of_year][["geo", "indicator", "year", "value"]]
    now = now.merge(seen[["geo", "indicator"]], how="left", indicator=True)
    now = now[now["_merge"] == "left_only"].drop(columns="_merge")
    return pd.concat([seen, now], ignore_index=True).rename(columns={"year": "year0", "value": "value0"})


def _scenario_rates(
    observations: pd.DataFrame, keys: pd.DataFrame, name: str, rate: float | None
) -> pd.Series:
    """The constant rate (%/yr) of each series of ``keys`` under scenario ``name``."""
    if name == "rate":
        return pd.Series(float(rate if rate is not None else math.nan), index=keys.index)
    rates = observed_rates(observations)
    base = rates["indicator"].map(lambda c: indicators.base_indicator(c)[0])
    if name == "national":
        nat = rates[rates["geo"] == geo.resolve_geo("VN")]
        by_code = nat.set_index("indicator")["rate"]
        by_base = nat.assign(base=base[nat.index]).groupby("base")["rate"].first()
        wanted = keys["indicator"].map(lambda c: indicators.base_indicator(c)[0])
        return keys["indicator"].map(by_code).fillna(wanted.map(by_base))
    kinds = {g: geo.geo_type(g) for g in rates["geo"].unique()}
    provinces = rates[rates["geo"].map(kinds).isin(["province", "city"])]
    cat = indicators.catalogue()
    best = {}
    for code, r in provinces.groupby("indicator")["rate"]:
        lower = cat["direction"].get(indicators.base_indicator(code)[0]) == "lower"
        best[code] = float(r.quantile(0.1 if lower else 0.9))
    return keys["indicator"].map(best)


def scenario_paths(
    observations: pd.DataFrame,
    forecasts: pd.DataFrame,
    name: str,
    rate: float | None = None,
    *,
    as_of_year: int,
) -> pd.DataFrame:
    """Return the path of every forecast series under scenario ``name`` (see the module table).

    Parameters
    ----------
    observations
        Tidy observations ``geo, indicator, year, value`` (every geo: the national and provincial
        rates come from them).
    forecasts
        A run's forecasts (``model == "ensemble"`` rows are used; their median is the reference).
    name, rate
        A name from :data:`SCENARIOS` and, for ``rate``, the annual rate in %.
    as_of_year
        The year of the run's quarter: the anchor of the constant-rate paths.

    Returns
    -------
    DataFrame
        ``geo, indicator, year, scenario, rate, value`` from the anchor year to the forecast's last
        year; values are kept within the series' bounds (a coverage stops at 100 %).
    """
    name, rate = parse_scenario(name if name != "rate" or rate is None else f"rate={rate}")
    fc = forecasts[forecasts["model"] == "ensemble"] if "model" in forecasts else forecasts
    reference = fc[["geo", "indicator", "year", "q50"]].rename(columns={"q50": "value"})
    if name == "reference":
        return reference.assign(scenario=name, rate=math.nan)[PATH_COLUMNS].reset_index(drop=True)
    anchors = _anchors(observations, reference, int(as_of_year))
    anchors["rate"] = _scenario_rates(observations, anchors, name, rate).to_numpy()
    end = int(reference["year"].max()) if len(reference) else int(as_of_year)
    rows = anchors.merge(pd.DataFrame({"year": range(int(as_of_year), end + 1)}), how="cross")
    rows = rows[rows["year"] >= rows["year0"]]
    value = rows["value0"] * (1 + rows["rate"] / 100) ** (rows["year"] - rows["year0"])
    info = {c: indicators.series_info(c) or {} for c in rows["indicator"].unique()}
    bounds = rows["indicator"].map({c: i.get("upper", math.inf) for c, i in info.items()})
    floors = rows["indicator"].map({c: i.get("lower", -math.inf) for c, i in info.items()})
    rows = rows.assign(value=value.clip(lower=floors, upper=bounds), scenario=name)
    return rows[PATH_COLUMNS].sort_values(["geo", "indicator", "year"]).reset_index(drop=True)


def scenario_targets(assessments: pd.DataFrame, paths: pd.DataFrame) -> pd.DataFrame:
    """Each assessed target's value under a scenario in its target year, and whether it is met.

    Returns ``plan_id, province, indicator, year, comparator, target, scenario, rate,
    scenario_value, meets`` (``meets`` is empty where the scenario has no value).
    """
    a = assessments[assessments["series"].fillna("") != ""]
    a = a.rename(columns={"value": "target"})[[*TARGET_KEYS, "target"]]
    keys = assessments.loc[a.index, ["geo", "series"]].rename(columns={"series": "series_code"})
    a = a.join(keys)
    p = paths.rename(columns={"indicator": "series_code", "value": "scenario_value"})
    rates = p.drop_duplicates(["geo", "series_code"])[["geo", "series_code", "rate"]]
    out = a.merge(rates, on=["geo", "series_code"], how="left")
    out = out.merge(
        p[["geo", "series_code", "year", "scenario_value"]], on=["geo", "series_code", "year"], how="left"
    )
    out["scenario"] = str(paths["scenario"].iloc[0]) if len(paths) else ""
    out["meets"] = [
        "" if pd.isna(v) else ("yes" if satisfies(v, c, t) else "no")
        for v, c, t in zip(out["scenario_value"], out["comparator"], out["target"], strict=True)
    ]
    return out.reindex(columns=TARGET_COLUMNS)


def _of_targets(
    observations: pd.DataFrame, forecasts: pd.DataFrame, assessments: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows a target's scenarios read: its series' forecasts, and the observations of every geo
    for the indicators sharing its series' base indicator (the national and best-decile paces).

    A path depends on nothing else, so the table is the same; a deep dive's scenarios no longer
    walk every series of the run and the store (0.38 s → 0.29 s a deep dive, loaded machine).
    """
    series = set(assessments["series"].dropna()) - {""} if "series" in assessments else set()
    if not series:
        return observations, forecasts
    bases = {indicators.base_indicator(c)[0] for c in series}
    codes = [c for c in observations["indicator"].unique() if indicators.base_indicator(c)[0] in bases]
    geos = set(assessments["geo"].dropna()) if "geo" in assessments else set(forecasts["geo"])
    fc = forecasts[forecasts["indicator"].isin(series) & forecasts["geo"].isin(geos)]
    return observations[observations["indicator"].isin(codes)], fc


def scenario_table(
    observations: pd.DataFrame,
    forecasts: pd.DataFrame,
    assessments: pd.DataFrame,
    names: list[str],
    *,
    as_of_year: int,
) -> pd.DataFrame:
    """Every target under each scenario of ``names``: :func:`scenario_targets` of each, stacked.

    Parameters
    ----------
    observations
        Every geo's observations (the national and best-decile paces need them).
    forecasts
        The run's forecasts (the ``reference`` scenario and the nowcast a steady rate starts from).
    assessments
        The targets to evaluate (a run's assessments).
    names
        Scenarios: ``"reference"``, ``"rate=-3"`` (−3 %/yr), ``"national"``, ``"best_decile"``.
    as_of_year
        The report's year: paths start from the nowcast of that year.

    Returns
    -------
    pandas.DataFrame
        One row per target and scenario: the value reached in the target year and whether it meets it.

    Examples
    --------
    >>> import forecast
    >>> run = forecast.load_run(province="Lâm Đồng")  # doctest: +SKIP
    >>> forecast.scenario_table(forecast.load_observations(), run.forecasts, run.assessments,  # doctest: +SKIP
    ...                         ["reference", "rate=-3", "national"], as_of_year=2026)

    A ``rate=R`` outside the observed rates of ``observations`` is refused (:func:`check_rates`).
    """
    check_rates(names, observations)
    observations, forecasts = _of_targets(observations, forecasts, assessments)
    frames = [  # named even when none of the targets' series has a forecast (an empty path)
        scenario_targets(
            assessments, scenario_paths(observations, forecasts, n, as_of_year=as_of_year)
        ).assign(scenario=parse_scenario(n)[0])
        for n in names
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=TARGET_COLUMNS)
