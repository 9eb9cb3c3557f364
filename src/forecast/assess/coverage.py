"""What the store covers: series per geo and indicator, and the outcome targets it cannot answer.

Behind ``forecast data status``. A target counts as covered by the same rule as the assessment
(:func:`forecast.assess.matching.choose`): its province's own series of the indicator (a variant
included) covers it; its GSO region's series answers it only as a *regional proxy*, the nation's
only as *national* context; data of the province an old province was merged into on 1 July 2025
("Lào Cai (mới)") never do.
"""

from __future__ import annotations

import os

import pandas as pd

from forecast.assess import matching
from forecast.data.store import load_observations
from forecast.errors import DataFileError
from forecast.log import logger
from forecast.registry import geo, indicators
from forecast.registry.crosswalk import load_crosswalk
from forecast.registry.targets import load_targets, select_targets

MISSING_COLUMNS = ["province", "indicator", "coverage", "targets", "years", "note"]


def coverage(obs: pd.DataFrame) -> pd.DataFrame:
    """Return the coverage of an observations frame: one row per geo and indicator.

    Columns: geo, era (from data/provinces.csv), indicator, base_indicator, first_year,
    last_year, points (distinct years) and sources (short publisher names).
    """
    short = obs["source"].str.split(";").str[0].str.replace(r"\s*\[preliminary\]", "", regex=True)
    grouped = obs.assign(_src=short).groupby(["geo", "indicator", "base_indicator"])
    out = grouped.agg(
        first_year=("year", "min"),
        last_year=("year", "max"),
        points=("year", "nunique"),
        sources=("_src", lambda s: "; ".join(dict.fromkeys(s))),
    ).reset_index()
    eras = geo.provinces().set_index("name")["era"]
    out.insert(1, "era", out["geo"].map(eras).fillna("").astype("str"))
    return out


def targets_without_data(obs: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Return the outcome targets that no series of their own province answers.

    Parameters
    ----------
    obs
        Observations frame (:func:`forecast.data.store.load_observations`) holding at least the
        provinces' and their regions' series.
    targets
        The registry; only ``kind == "outcome"`` rows are checked.

    Returns
    -------
    pandas.DataFrame
        One row per province, indicator and ``coverage``: ``"none"`` (no series at all;
        merged-province data only, if any), ``"regional proxy"`` or ``"national"``;
        ``targets`` and ``years`` count and list the targets, ``note`` names the region of a
        proxy or the merged province whose data went unused.
    """
    groups = dict(list(obs.groupby(["geo", "base_indicator"], sort=False)))
    outcome = targets[targets["kind"] == "outcome"]
    rows = []
    for t in outcome.to_dict("records"):
        choice = matching.choose(t, groups)
        if choice.series and choice.basis == "own":
            continue  # the province's own series
        rows.append(
            {
                "province": t["province"],
                "indicator": t["indicator"],
                "coverage": _COVERAGE.get(choice.basis, "none"),
                "year": t["year"],
                "note": _note(choice),
            }
        )
    found = pd.DataFrame(rows, columns=["province", "indicator", "coverage", "year", "note"])
    out = found.groupby(["province", "indicator", "coverage", "note"], as_index=False).agg(
        targets=("year", "size"), years=("year", lambda y: ", ".join(map(str, sorted(set(y)))))
    )
    return out.reindex(columns=MISSING_COLUMNS)


REPORT_COLUMNS = ["province", "scope", "data", "plan"]


def report_provinces(obs: pd.DataFrame, targets: pd.DataFrame, scope: str = "both") -> pd.DataFrame:
    """Return the provinces of ``scope`` that have data or a plan: what ``forecast report --all`` covers.

    Parameters
    ----------
    obs
        Observations (:func:`forecast.data.store.analysis_series`); only column ``geo`` is read.
    targets
        The target registry; a province with a row in it has a plan.
    scope
        ``old``, ``merged`` or ``both`` (:func:`forecast.registry.geo.provinces_in_scope`).

    Returns
    -------
    pandas.DataFrame
        One row per province, in the reference's order: ``scope`` (``old``, ``merged``, or
        ``both`` for the 11 provinces the 2025 merger left unchanged), ``data`` (``own``;
        ``parts`` for a merged province whose series can be rebuilt from the provinces it was
        made of; ``""``) and ``plan`` (bool). Provinces with neither data nor a plan are left out.
    """
    old, merged = set(geo.provinces_in_scope("old")), set(geo.provinces_in_scope("merged"))
    have = set(obs["geo"]) if "geo" in obs.columns else set()
    cw = load_crosswalk()
    parts = cw[cw["old_geo"].isin(have)].groupby("new_geo").size()
    planned = set(targets["province"]) if "province" in targets.columns else set()
    rows = [
        {
            "province": name,
            "scope": "both" if name in old and name in merged else ("old" if name in old else "merged"),
            "data": "own" if name in have else ("parts" if name in parts.index else ""),
            "plan": name in planned,
        }
        for name in geo.provinces_in_scope(scope)
    ]
    out = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    return out[(out["data"] != "") | out["plan"]].reset_index(drop=True)


_COVERAGE = {"regional": "regional proxy", "national": "national"}


def _note(choice: matching.Choice) -> str:
    unused = choice.successor and choice.successor_year is not None
    parts = [f"series of {choice.geo}" if choice.proxy else ""]
    parts.append(f"data of {choice.successor} not used (a larger territory)" if unused else "")
    return "; ".join(p for p in parts if p)


def status(
    path: str | os.PathLike | None = None,
    geo_name: str | None = None,
    indicator: str | None = None,
    targets_path: str | os.PathLike | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Return the store's coverage and the registry's outcome targets without a provincial series.

    Parameters
    ----------
    path
        The store (default per :func:`forecast.config.store_path`).
    geo_name, indicator
        Optional filters; ``indicator`` also matches the variants of a catalogue code.
    targets_path
        The registry (default ``data/targets.csv``).

    Returns
    -------
    tuple
        ``(coverage, missing)`` (see :func:`targets_without_data`); ``missing`` is ``None`` when
        there is no registry to check.
    """

    obs = load_observations(
        path, must_exist=True
    )  # every geo: a province's target may borrow its region's series
    if indicator:  # with the indicator that stands in for it (EPI coverage: full immunisation)
        codes = [indicator, indicators.STAND_INS.get(indicator, ("",))[0]]
        obs = obs[obs["indicator"].isin(codes) | obs["base_indicator"].isin(codes)]
    shown = obs[obs["geo"] == geo.resolve_geo(geo_name)] if geo_name else obs
    try:
        registry = select_targets(load_targets(targets_path), province=geo_name, indicator=indicator)
    except DataFileError as e:
        logger.warning("no target registry to check (%s)", e)
        return coverage(shown), None
    return coverage(shown), targets_without_data(obs, registry)
