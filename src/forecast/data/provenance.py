"""Who published a stored row, and from which table: columns read from the rows' ``source`` text.

A row's ``source`` names its publisher first (``GSO yearbook; choisy/gso@…/Number of patient beds
under provincial departments of health by province.csv``, ``World Bank WDI SP.DYN.LE00.IN
(updated 2025-06-05); …``). Reports name publishers in words, never file names: the
``publisher`` column is a code (``gso``, ``world_bank``, ``who_unicef``, ``un``, ``published``)
whose words are the messages ``publisher.<code>`` of the catalogues, and ``table`` the
publisher's own table name or series code where the source gives one.
"""

from __future__ import annotations

import re

import pandas as pd

#: Publisher codes by the start of a row's ``source`` (first match wins); anything else is a
#: figure published in a document or the press (``published``).
PUBLISHERS = (
    ("gso", re.compile(r"^(DERIVED:\s*)?(GSO|NSO|Tổng cục Thống kê|Cục Thống kê)\b", re.I)),
    ("world_bank", re.compile(r"^World Bank\b", re.I)),
    ("who_unicef", re.compile(r"^(WUENIC|WHO|UNICEF)\b", re.I)),
    ("un", re.compile(r"^(UN|UNDP|UNFPA|UN IGME)\b")),
)
_GSO_TABLE = re.compile(r"gso_\d+/[^/]+/([^/;!]+?)(?:\.csv|\.xlsx?|;|\[|$)")
_WDI_CODE = re.compile(r"^World Bank WDI ([A-Z0-9.]+)")
_PXWEB = re.compile(r"^GSO PX-Web(?: export)?[ :(]+([^);]+?)(?:\.csv)?(?:\)|;|$)")


def publisher(source: object) -> str:
    """The publisher code of a ``source`` text (``published`` when none matches)."""
    text = str(source or "").strip()
    for code, pattern in PUBLISHERS:
        if pattern.search(text):
            return code
    return "published"


def table(source: object) -> str:
    """The publisher's table or series named in a ``source`` text (``""`` when it names none)."""
    text = str(source or "").strip()
    for pattern in (_WDI_CODE, _PXWEB):
        found = pattern.search(text)
        if found:
            return found.group(1).strip()
    if publisher(text) == "gso":
        found = _GSO_TABLE.search(text)
        if found:
            return found.group(1).strip()
    return ""


def with_provenance(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with ``publisher`` and ``table`` columns read from their ``source`` column."""
    sources = rows["source"] if "source" in rows else pd.Series("", index=rows.index)
    unique = pd.Series(sources.astype(str).unique())
    pub = dict(zip(unique, unique.map(publisher)))
    tab = dict(zip(unique, unique.map(table)))
    text = sources.astype(str)
    return rows.assign(publisher=text.map(pub), table=text.map(tab))


def publisher_vintage(rows: pd.DataFrame) -> pd.DataFrame:
    """The latest year of each publisher's rows (``publisher``, ``latest_year``, ``rows``), most rows first.

    ``rows`` has ``source`` and ``year``, and a ``rows`` count when each row stands for several
    (:func:`forecast.data.store.source_vintage`).
    """
    if rows.empty:
        return pd.DataFrame(columns=["publisher", "latest_year", "rows"])
    tagged = with_provenance(rows)
    tagged = tagged.assign(
        year=pd.to_numeric(tagged["year"], errors="coerce"), rows=tagged["rows"] if "rows" in tagged else 1
    )
    out = tagged.groupby("publisher").agg(latest_year=("year", "max"), rows=("rows", "sum")).reset_index()
    return out.sort_values(["rows", "publisher"], ascending=[False, True], ignore_index=True)
