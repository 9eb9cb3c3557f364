"""National targets a province is measured against (never observations).

``<shared data>/targets/vn_published_targets.csv`` holds targets published for the whole country
(Prime Minister Decision 546/QĐ-TTg of 2022 on BHYT coverage 2022-2025, the National Nutrition
Strategy 2021-2030 on stunting, the health-network master plan 2021-2030 and Resolution 20-NQ/TW
on doctors and beds) and a few provincial ones. :func:`load_national_targets` keeps one national
target per indicator and year (or every one, ``every=True``, each named by its act: :data:`ACTS`);
:func:`national_target_for` picks the one beside a plan's target: of the target's own year only
(a 2030 row never shows a 2025 national target), the act the province's plan implements first
(:data:`PLAN_IMPLEMENTS`: Hà Nam's and Lâm Đồng's plans implement Resolution 20-NQ/TW), then the
legal act. :func:`national_plan` measures a province without a plan of its own against the national
targets, or against its own published target where it has one (Đồng Nai's 96 % BHYT for 2025).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from forecast import config
from forecast.log import logger
from forecast.registry import indicators
from forecast.registry.targets import COLUMNS as REGISTRY_COLUMNS

__all__ = [
    "ACTS",
    "COLUMNS",
    "PLAN_ID",
    "PLAN_IMPLEMENTS",
    "act_of",
    "load_national_targets",
    "national_plan",
    "national_target_for",
    "published_targets",
]

COLUMNS = ["indicator", "year", "value", "unit", "source", "note", "act"]
#: The national acts (and other outlets) a published target comes from, named by the words of its
#: source and note (first match): Prime Minister Decision 546/QĐ-TTg (2022, BHYT coverage by year
#: and province), the health-network master plan 2021-2030, Resolution 20-NQ/TW (2017), the
#: National Nutrition Strategy 2021-2030, National Assembly Resolution 103/2023 with Government
#: Resolution 01/NQ-CP (the 2024 plan), the Government's socio-economic plans, targets the Prime
#: Minister assigned; anything else is a newspaper's figure (``press``). ``province_published`` is a
#: province's own published target.
ACTS = {
    "decision_546": ("546",),
    "master_plan": ("master plan",),
    "resolution_20": ("resolution 20",),
    "nutrition_strategy": ("nutrition strategy",),
    "na_resolution_103": ("resolution 103",),
    "government_plan": ("socio-economic plan", "government plan"),
    "pm_target": ("pm-assigned", "pm target"),
    "press": ("",),
}
#: The national act each seed plan says it implements (its preamble): Hà Nam's 907/KH-UBND
#: implements Government Resolution 139/NQ-CP on Resolution 20-NQ/TW, Lâm Đồng's 50-KH/TU
#: Resolution 20-NQ/TW itself; its targets are compared with that act's first.
PLAN_IMPLEMENTS = {"hanam-907-2018": "resolution_20", "lamdong-50kh-2018": "resolution_20"}
NATIONAL = ("VN", "Việt Nam")
# Source words ranked first when a year has several national targets: the legal act beats a
# newspaper's figure, the master plan beats the older Resolution 20 (its note says superseded).
_PREFERRED = ("decision 546", "master plan", "nutrition strategy", "national nutrition")
_SUPERSEDED = ("superseded", "later raised", "older")


def default_path() -> Path:
    """The published targets file beside the repository (``SHARED_DATA_DIR/targets``)."""
    return config.SHARED_DATA_DIR / "targets" / "vn_published_targets.csv"


def act_of(source: str, note: str = "") -> str:
    """The :data:`ACTS` code of a published target, from the words of its source, else its note
    (a note may name the act that superseded it: "superseded by master plan 15")."""
    for text in (source.lower(), note.lower()):
        code = next(code for code, words in ACTS.items() if any(w in text for w in words))
        if code != "press":
            return code
    return "press"


def _published(path: str | os.PathLike | None) -> pd.DataFrame:
    """Every published target with a single year (columns ``geo`` + :data:`COLUMNS`), ranked."""
    p = Path(path) if path else default_path()
    if not p.exists():
        logger.warning("no national targets file %s: national targets are not shown", p)
        return pd.DataFrame(columns=["geo", *COLUMNS])
    raw = pd.read_csv(p, dtype={"year": str}, keep_default_na=False)
    rows = raw[raw["year"].str.fullmatch(r"\d{4}")].copy()
    rows["year"] = rows["year"].astype(int)
    rows["value"] = pd.to_numeric(rows["value"], errors="coerce")
    rows["act"] = [act_of(s, n) for s, n in zip(rows["source"], rows["note"], strict=True)]
    text = (rows["source"] + " " + rows["note"]).str.lower()
    rows["_rank"] = text.map(
        lambda s: (any(w in s for w in _SUPERSEDED), not any(w in s for w in _PREFERRED))
    )
    rows = rows.dropna(subset=["value"]).sort_values(["indicator", "year", "_rank"], kind="stable")
    return rows.reindex(columns=["geo", *COLUMNS]).reset_index(drop=True)


def load_national_targets(path: str | os.PathLike | None = None, *, every: bool = False) -> pd.DataFrame:
    """Return the national targets (columns :data:`COLUMNS`): one per indicator and year, or
    ``every`` one (ranked, the preferred first) so that a plan's own act can be picked.

    Where a year has several national rows, the one from a legal act (Decision 546, the master
    plan, the nutrition strategy) ranks first, and rows whose note says they were superseded
    last. A missing file gives an empty frame (logged), so a run without the shared data still works.
    """
    rows = _published(path)
    rows = rows[rows["geo"].isin(NATIONAL)]
    if not every:
        rows = rows.drop_duplicates(["indicator", "year"])
    return rows.reindex(columns=COLUMNS).reset_index(drop=True)


def published_targets(province: str, path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The targets ``province`` itself published (Đồng Nai's 96 % BHYT for 2025), act ``province_published``."""
    rows = _published(path)
    return rows[rows["geo"] == province].assign(act="province_published").reindex(columns=COLUMNS)


def national_target_for(national: pd.DataFrame, indicator: str, year: int, plan_id: str = "") -> dict:
    """Return the national target of ``indicator`` for ``year`` itself, the act ``plan_id``
    implements first (:data:`PLAN_IMPLEMENTS`), else the first ranked.

    Keys ``national_target``, ``national_target_year``, ``national_target_source`` and
    ``national_target_act`` (:data:`ACTS`); empty values when the country has no published target
    of the indicator for that year (a 2030 target is never compared with a 2025 one).
    """
    none = {
        "national_target": float("nan"),
        "national_target_year": pd.NA,
        "national_target_source": "",
        "national_target_act": "",
    }
    if national is None or national.empty:
        return none
    rows = national[(national["indicator"] == indicator) & (national["year"] == int(year))]
    if rows.empty:
        return none
    acts = rows["act"] if "act" in rows.columns else pd.Series("", index=rows.index)
    implemented = rows[acts == PLAN_IMPLEMENTS.get(plan_id, "-")]
    best = (implemented if len(implemented) else rows).iloc[0]
    return {
        "national_target": float(best["value"]),
        "national_target_year": int(best["year"]),
        "national_target_source": str(best["source"]),
        "national_target_act": str(best.get("act") or act_of(str(best["source"]), str(best.get("note", "")))),
    }


def national_plan(
    provinces: list[str], national: pd.DataFrame | None = None, since: int = 2025
) -> pd.DataFrame:
    """Registry rows measuring ``provinces`` against the national targets from ``since`` on.

    For a province without a plan of its own: one outcome target per national target (plan id
    ``national-targets``), the comparator from the indicator's direction (``>=`` where higher is
    better), the source quoted; where the province published a target of its own for an indicator
    and year (:func:`published_targets`: Đồng Nai's 96 % BHYT coverage for 2025) that one is used
    instead of the national one. Columns of :data:`forecast.registry.targets` registry frames.
    """
    national = load_national_targets() if national is None else national
    frames = []
    for p in provinces:
        own = published_targets(p)
        own = own[own["year"] >= since]
        keys = set(zip(own["indicator"], own["year"], strict=True))
        theirs = national[national["year"] >= since]
        theirs = theirs[
            [(i, y) not in keys for i, y in zip(theirs["indicator"], theirs["year"], strict=True)]
        ]
        frames.append(_plan_rows(p, pd.concat([own.assign(_own=True), theirs.assign(_own=False)])))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PLAN_COLUMNS)


def _plan_rows(province: str, rows: pd.DataFrame) -> pd.DataFrame:
    """Registry rows of one province from published targets (``_own``: the province's own)."""
    cat = indicators.catalogue()
    out = [
        {
            "plan_id": PLAN_ID,
            "province": province,
            "indicator": r["indicator"],
            "year": int(r["year"]),
            "comparator": ">=" if cat.loc[r["indicator"], "direction"] == "higher" else "<=",
            "value": float(r["value"]),
            "value_high": float("nan"),
            "unit": r["unit"],
            "kind": "outcome",
            "quote": str(r["source"]),
            "note": (
                f"the province's published target ({r['source']}); it has no plan in the registry"
                if r["_own"]
                else f"national target ({r['source']}); the province has no plan in the registry"
            ),
            "caveat_vi": "",
        }
        for r in rows.to_dict("records")
        if r["indicator"] in cat.index
    ]
    return pd.DataFrame(out, columns=PLAN_COLUMNS)


PLAN_ID = "national-targets"
#: The registry's columns (:data:`forecast.registry.targets.COLUMNS`) and the caveat a page shows.
PLAN_COLUMNS = [*REGISTRY_COLUMNS, "caveat_vi"]
