"""National targets a province is measured against (never observations).

``<shared data>/targets/vn_published_targets.csv`` holds targets published for the whole country
(Prime Minister Decision 546/QĐ-TTg of 2022 on BHYT coverage 2022-2025, the National Nutrition
Strategy 2021-2030 on stunting, the health-network master plan 2021-2030 and Resolution 20-NQ/TW
on doctors and beds) and a few provincial ones. :func:`load_national_targets` keeps one national
target per indicator and year; :func:`national_target_for` picks the one beside a plan's target.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from forecast import config
from forecast.log import logger
from forecast.registry import indicators

__all__ = ["COLUMNS", "PLAN_ID", "load_national_targets", "national_plan", "national_target_for"]

COLUMNS = ["indicator", "year", "value", "unit", "source", "note"]
NATIONAL = ("VN", "Việt Nam")
# Source words ranked first when a year has several national targets: the legal act beats a
# newspaper's figure, the master plan beats the older Resolution 20 (its note says superseded).
_PREFERRED = ("decision 546", "master plan", "nutrition strategy", "national nutrition")
_SUPERSEDED = ("superseded", "later raised", "older")


def default_path() -> Path:
    """The published targets file beside the repository (``SHARED_DATA_DIR/targets``)."""
    return config.SHARED_DATA_DIR / "targets" / "vn_published_targets.csv"


def load_national_targets(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Return one national target per indicator and year (columns :data:`COLUMNS`).

    Where a year has several national rows, the one from a legal act (Decision 546, the master
    plan, the nutrition strategy) wins, and rows whose note says they were superseded lose. A
    missing file gives an empty frame (logged), so a run without the shared data still works.
    """
    p = Path(path) if path else default_path()
    if not p.exists():
        logger.warning("no national targets file %s: national targets are not shown", p)
        return pd.DataFrame(columns=COLUMNS)
    raw = pd.read_csv(p, dtype={"year": str}, keep_default_na=False)
    rows = raw[raw["geo"].isin(NATIONAL) & raw["year"].str.fullmatch(r"\d{4}")].copy()
    rows["year"] = rows["year"].astype(int)
    rows["value"] = pd.to_numeric(rows["value"], errors="coerce")
    text = (rows["source"] + " " + rows["note"]).str.lower()
    rows["_rank"] = text.map(
        lambda s: (any(w in s for w in _SUPERSEDED), not any(w in s for w in _PREFERRED))
    )
    rows = rows.dropna(subset=["value"]).sort_values(["indicator", "year", "_rank"], kind="stable")
    out = rows.drop_duplicates(["indicator", "year"]).reindex(columns=COLUMNS)
    return out.reset_index(drop=True)


def national_target_for(national: pd.DataFrame, indicator: str, year: int) -> dict:
    """Return the national target of ``indicator`` closest to ``year`` (the later one on a tie).

    Keys ``national_target``, ``national_target_year``, ``national_target_source``; empty values
    when the country has no published target of the indicator.
    """
    rows = national[national["indicator"] == indicator] if len(national) else national
    if rows is None or rows.empty:
        return {"national_target": float("nan"), "national_target_year": pd.NA, "national_target_source": ""}
    distance = (rows["year"] - int(year)).abs() * 2 - (rows["year"] > int(year))
    best = rows.loc[distance.idxmin()]
    return {
        "national_target": float(best["value"]),
        "national_target_year": int(best["year"]),
        "national_target_source": str(best["source"]),
    }


def national_plan(
    provinces: list[str], national: pd.DataFrame | None = None, since: int = 2025
) -> pd.DataFrame:
    """Registry rows measuring ``provinces`` against the national targets from ``since`` on.

    For a province without a plan of its own: one outcome target per national target (plan id
    ``national-targets``), the comparator from the indicator's direction (``>=`` where higher is
    better), the source quoted. Columns of :data:`forecast.registry.targets` registry frames.
    """
    national = load_national_targets() if national is None else national
    rows = national[national["year"] >= since]
    cat = indicators.catalogue()
    out = [
        {
            "plan_id": PLAN_ID,
            "province": p,
            "indicator": r["indicator"],
            "year": int(r["year"]),
            "comparator": ">=" if cat.loc[r["indicator"], "direction"] == "higher" else "<=",
            "value": float(r["value"]),
            "value_high": float("nan"),
            "unit": r["unit"],
            "kind": "outcome",
            "quote": str(r["source"]),
            "note": f"national target ({r['source']}); the province has no plan in the registry",
            "caveat_vi": "",
        }
        for p in provinces
        for r in rows.to_dict("records")
        if r["indicator"] in cat.index
    ]
    return pd.DataFrame(out, columns=PLAN_COLUMNS)


PLAN_ID = "national-targets"
PLAN_COLUMNS = [
    "plan_id",
    "province",
    "indicator",
    "year",
    "comparator",
    "value",
    "value_high",
    "unit",
    "kind",
    "quote",
    "note",
    "caveat_vi",
]
