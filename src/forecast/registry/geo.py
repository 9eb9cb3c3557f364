"""Province reference and name lookup.

The reference (``data/provinces.csv``) holds the 63 provinces as they were until 30 June 2025,
Hà Tây (to 2007), the six socio-economic regions, the country (``VN``) and the 23 merged provinces
of Resolution 202/2025/QH15, named ``"<name> (mới)"`` so that an old and a new province that share a
name never share a series. Column ``region`` names the GSO socio-economic region of each of the
63 provinces and Hà Tây (:func:`region_of`).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache

import pandas as pd

from forecast import config
from forecast.errors import UnknownGeoError, ValidationError

# Administrative prefixes that carry no identity ("Tỉnh Hà Nam" is "Hà Nam").
_PREFIX = re.compile(r"^(tinh|thanh pho|tp|province of|city of)\b\.?\s*")
_SUFFIX = re.compile(r"\s*\b(province|city|tinh)$")


def normalize_name(name: str) -> str:
    """Return a lookup key: lower case, no diacritics, no prefix, no punctuation or spaces.

    Examples
    --------
    >>> normalize_name("TP. Hồ Chí Minh")
    'hochiminh'
    >>> normalize_name("Thua Thien-Hue")
    'thuathienhue'
    """
    s = unicodedata.normalize("NFKD", str(name).replace("Đ", "D").replace("đ", "d"))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower().strip()
    s = re.sub(r"[\u2010-\u2015]", "-", s)
    s = _SUFFIX.sub("", _PREFIX.sub("", s))
    s = re.sub(r"\(moi\)|\(new\)", " moi", s)
    return re.sub(r"[^a-z0-9]", "", s)


_NOT_A_NAME = re.compile(r"[=+@|!<>{}\[\]$^~`\\]")


@lru_cache(maxsize=1)
def provinces() -> pd.DataFrame:
    """Return the province reference as a DataFrame (one row per geo)."""
    return pd.read_csv(config.PROVINCES_CSV, dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for row in provinces().itertuples():
        keys = [row.name, row.name_ascii, row.code] + [a for a in row.aliases.split(";") if a]
        for key in keys:
            index.setdefault(normalize_name(key), row.name)
    return index


def suggest_geo(name: str, n: int = 1) -> list[str]:
    """Return up to ``n`` reference names closest to ``name`` (empty if nothing is close)."""
    key = normalize_name(name)
    keys = difflib.get_close_matches(key, list(_index()), n=n, cutoff=0.6)
    return list(dict.fromkeys(_index()[k] for k in keys))


def resolve_geo(name: str) -> str:
    """Return the canonical geo name for ``name``, ignoring case, diacritics and prefixes.

    Parameters
    ----------
    name
        A province, region or country in any spelling: ``"lam dong"``, ``"Tỉnh Lâm Đồng"``, ``"VN"``.

    Returns
    -------
    str
        The name as ``data/provinces.csv`` writes it.

    Raises
    ------
    UnknownGeoError
        If nothing matches; the message suggests the closest name.

    Examples
    --------
    >>> resolve_geo("tinh lam dong")
    'Lâm Đồng'
    """
    # A name never holds formula or markup characters: "=1+2" must not become code 12 (Lai Châu).
    found = None if _NOT_A_NAME.search(str(name)) else _index().get(normalize_name(name))
    if found:
        return found
    hint = [] if _NOT_A_NAME.search(str(name)) else suggest_geo(name)
    fix = f"did you mean {hint[0]!r}?" if hint else "see data/provinces.csv for the names"
    raise UnknownGeoError(f"unknown province {name!r}: {fix}")


def geo_type(name: str) -> str:
    """Return ``country``, ``region``, ``province`` or ``city`` for a canonical geo name."""
    return _types().get(name, "unknown")


@lru_cache(maxsize=1)
def _types() -> dict[str, str]:
    """Each geo's type by its canonical name (the first row of a name, as the reference lists it).

    A dictionary, not a filter of the reference per call: a deep dive's scenarios ask for the type
    of every geo of an indicator (a seventh of the page's time when each was a frame filter).
    """
    p = provinces()
    types: dict[str, str] = {}
    for name, kind in zip(p["name"], p["type"]):
        types.setdefault(name, kind)
    return types


@lru_cache(maxsize=1)
def _regions() -> dict[str, str]:
    p = provinces()
    if "region" not in p.columns:
        return {}
    regions = {n: r for n, r in zip(p["name"], p["region"]) if r}
    # A merged province of 2025 whose old provinces all lie in one region belongs to it; one
    # spanning two regions (Lâm Đồng (mới): Tây Nguyên and Bình Thuận) has none.
    old = p[p["province_2025"].fillna("") != p["name"]]
    for merged, parts in old.groupby("province_2025"):
        found = {regions.get(n) for n in parts["name"]}
        if merged and merged not in regions and len(found) == 1 and None not in found:
            regions[merged] = found.pop()
    return regions


def region_of(name: str) -> str | None:
    """Return the GSO socio-economic region of a province (``"Vùng Đồng bằng sông Hồng"``).

    Any spelling of the 63 provinces or Hà Tây is accepted. A merged province of 2025 has the
    region of its old provinces when they share one (``"Ninh Bình (mới)"``); one that spans two
    regions, the country and the regions themselves have no region: None.

    Raises
    ------
    UnknownGeoError
        If ``name`` matches no geo of the reference.

    Examples
    --------
    >>> region_of("Ha Nam")
    'Vùng Đồng bằng sông Hồng'
    """
    regions = _regions()
    return regions[name] if name in regions else regions.get(resolve_geo(name))


#: ``--scope`` of ``forecast report --all``: the 63 provinces until 30 June 2025, the 34 from 1 July
#: 2025 (the 23 merged "(mới)" and the 11 left unchanged), or both (86 names, each once).
SCOPES = ("old", "merged", "both")


def provinces_in_scope(scope: str = "both") -> list[str]:
    """Return the provinces (and centrally run cities) of a scope, in the reference's order.

    ``old``: every province whose era (column ``era``, ``"<from>-<to>"``) reaches 2024, i.e. the 63
    of 2008-2025 (Hà Tây, gone in 2008, is not one); ``merged``: those whose era is open-ended,
    i.e. the 34 of Resolution 202/2025/QH15; ``both``: the union.

    Raises
    ------
    ValidationError
        If ``scope`` is not one of :data:`SCOPES`.
    """
    if scope not in SCOPES:
        raise ValidationError(f"unknown scope {scope!r}: choose one of {', '.join(SCOPES)}")
    p = provinces()
    p = p[p["type"].isin(["province", "city"])]
    era = p["era"].str.split("-", n=1, expand=True).reindex(columns=[0, 1]).fillna("")
    start, end = pd.to_numeric(era[0], errors="coerce"), era[1]
    open_ended = end == ""
    old = (start <= 2024) & (open_ended | (pd.to_numeric(end, errors="coerce") >= 2025))
    keep = {"old": old, "merged": open_ended, "both": old | open_ended}[scope]
    return list(p.loc[keep, "name"])
