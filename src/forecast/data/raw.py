"""The raw frame every file reader returns, and the options that say how to read a file.

Readers (:mod:`forecast.data.readers`, :mod:`forecast.data.pxweb`, :mod:`forecast.data.wdi`)
return :data:`RAW_COLUMNS`; :func:`forecast.data.validate.validate` checks them once.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

RAW_COLUMNS = [
    "geo",
    "indicator",
    "year",
    "value",
    "unit",
    "source",
    "note",
    "line",
    "column",
    "factor",
    "decimal",
]
#: An optional raw column: a reason that quarantines the cell whatever its value (a truncated file).
PROBLEM = "problem"
FORMATS = ("auto", "tidy", "gso", "wdi")
GEO_ERAS = ("auto", "2025", "old")


@dataclass(frozen=True)
class ImportOptions:
    """How to read a file: ``format`` (auto|tidy|gso|wdi), the ``indicator`` of a GSO table,
    ``select`` (the dimension to keep, default the total), ``geo_era``, a default ``source`` and
    the ``sheet`` of a workbook to read (default: every sheet)."""

    format: str = "auto"
    indicator: str | None = None
    select: str | None = None
    geo_era: str = "auto"
    source: str | None = None
    sheet: str | None = None


@dataclass(frozen=True)
class Parsed:
    """One file read and validated: rows to store, rows to quarantine and counts."""

    file: str
    fingerprint: str
    format: str
    rows: pd.DataFrame
    quarantine: pd.DataFrame
    read: int
    missing: int
    duplicate: int
