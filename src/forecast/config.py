"""Paths anchored at the project root, and the store location.

The store defaults to ``data/workbench.duckdb``; ``FORECAST_STORE`` or ``--store`` override it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from forecast.errors import ValidationError

PROJ_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJ_ROOT / "data"
REPORTS_DIR = PROJ_ROOT / "reports"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
# The public statistics bundled for the default run live beside the repository, never inside it.
SHARED_DATA_DIR = Path(os.environ.get("FORECAST_SHARED_DATA", PROJ_ROOT.parent / "shared" / "data"))

INDICATORS_CSV = DATA_DIR / "indicators.csv"
PROVINCES_CSV = DATA_DIR / "provinces.csv"
CROSSWALK_CSV = DATA_DIR / "crosswalk_2025.csv"
TARGETS_CSV = DATA_DIR / "targets.csv"
BREAKS_CSV = DATA_DIR / "breaks.csv"

QUANTILES = (0.025, 0.05, 0.10, 0.25, 0.5, 0.75, 0.90, 0.95, 0.975)
QUANTILE_COLUMNS = ("q025", "q05", "q10", "q25", "q50", "q75", "q90", "q95", "q975")


def store_path(path: str | os.PathLike | None = None) -> Path:
    """Return the store file: the argument, else ``$FORECAST_STORE``, else ``data/workbench.duckdb``."""
    if path:
        return Path(path)
    env = os.environ.get("FORECAST_STORE")
    return Path(env) if env else DATA_DIR / "workbench.duckdb"


HORIZON_END = 2035  # last year forecast; a later attainment is reported as "not by 2035"
_QUARTER = re.compile(r"\A(\d{4})Q([1-4])\Z")


def parse_quarter(quarter: object) -> str:
    """Return ``quarter`` if it is written like ``2026Q4``, else raise :class:`ValidationError`.

    The one parser of quarters for every command and notebook: four digits, ``Q``, 1-4, nothing
    else (no year alone, no trailing newline).
    """
    text = str(quarter)
    if not _QUARTER.match(text):
        raise ValidationError(f"quarter {text!r} is not like 2026Q4; write the year, 'Q' and 1-4")
    return text


def quarter_year(quarter: str) -> int:
    """Return the year of a quarter written like ``2026Q4``."""
    return int(parse_quarter(quarter)[:4])
