"""The indicator catalogue (``data/indicators.csv``): codes, names, units, direction, bounds, transform.

Variant series in the shared data (``imr_gso``, ``beds_per_10k_dohs`` …) are linked to their
catalogue indicator by :func:`base_indicator`, with the definition that distinguishes them.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from forecast import config
from forecast.errors import UnknownIndicatorError

# Suffixes that mark a variant definition of a catalogue indicator, and what they mean.
VARIANT_SUFFIXES = {
    "_dohs_gso": "national total of facilities under provincial departments of health (GSO)",
    "_dohs": "under provincial departments of health only, excluding central (Ministry of Health) "
    "hospitals, other ministries and private facilities",
    "_gso": "GSO national series",
    "_survey": "survey point estimates",
    "_moh": "health-sector reporting (Ministry of Health / provincial health department), the count "
    "provincial plans usually use",
}

# Catalogue indicators that public statistics measure through another indicator:
# ``target code -> (stand-in code, what the stand-in measures)``. Vietnamese plans state EPI
# coverage ("tỷ lệ tiêm chủng mở rộng") as a share of children; the GSO publishes it as the share
# of children under 1 fully immunised with every EPI vaccine.
STAND_INS = {
    "epi_coverage": (
        "full_immunization_u1",
        "children under 1 fully immunised with every EPI "
        "vaccine (GSO), the published measure of EPI coverage; the plan's basket of "
        "vaccines may be wider",
    ),
    "rural_clean_water": (
        "households_hygienic_water",
        "households using hygienic water ('nước hợp vệ sinh'), all households, urban and rural "
        "(GSO living-standards survey, by region); the plan counts rural households using clean "
        "water ('nước sạch'), a stricter standard, so the stand-in overstates the plan's measure",
    ),
}

# Codes that arrive in another unit than the catalogue's: ``code -> (catalogue code, factor per
# unit)``. GSO publishes the natural increase rate per 1,000 population; plans state it in percent.
CONVERSIONS = {
    "natural_increase_rate": ("natural_pop_growth", {"per_1000": 0.1, "": 0.1, "percent": 1.0}),
}

# Catalogue indicators computed from another series of the same geo: ``code -> (source series,
# how, what the derived series is)``. ``"decline"`` is the fall from the previous year (previous
# minus this year's value), given only for consecutive years of one source. Plans state the crude
# birth rate's progress as an average yearly fall in per-mille points ("giảm 0,3‰/năm").
DERIVED = {
    "cbr_decline": (
        "crude_birth_rate",
        "decline",
        "yearly fall of the GSO crude birth rate (previous year minus this year, per-mille points)",
    ),
}


@lru_cache(maxsize=1)
def catalogue() -> pd.DataFrame:
    """Return the indicator catalogue (``data/indicators.csv``) indexed by ``code``.

    Columns: ``code, name_vi, name_en, unit, direction, lower, upper, transform, forecast,
    definition`` (an empty bound is infinite).

    Examples
    --------
    >>> import forecast
    >>> forecast.catalogue().loc["imr", "name_en"]
    'Infant mortality rate'
    """
    df = pd.read_csv(
        config.INDICATORS_CSV,
        keep_default_na=False,
        na_values={"lower": [""], "upper": [""]},
        dtype={"lower": float, "upper": float},
    )
    # An empty bound means unbounded (counts and budgets have no natural ceiling).
    df["lower"] = df["lower"].fillna(-float("inf"))
    df["upper"] = df["upper"].fillna(float("inf"))
    return df.set_index("code", drop=False)


def indicator(code: str) -> pd.Series:
    """Return the catalogue row for ``code``.

    Raises
    ------
    UnknownIndicatorError
        If ``code`` is not in the catalogue; the message suggests the closest code.
    """
    cat = catalogue()
    if code in cat.index:
        return cat.loc[code]
    import difflib

    close = difflib.get_close_matches(str(code), list(cat.index), n=1)
    fix = f"did you mean {close[0]!r}?" if close else "see data/indicators.csv for the codes"
    raise UnknownIndicatorError(f"unknown indicator {code!r}: {fix}")


def resolve_indicator(text: str) -> str:
    """Return the catalogue or store code named by ``text``: a code in any case, or a name.

    ``"IMR"``, ``"imr"`` and ``"Infant mortality rate"`` (English or Vietnamese catalogue name,
    any case) all give ``"imr"``; a store code such as ``imr_gso`` is returned as is. Failing
    those, the words of ``text`` (any case, with or without diacritics) pick the one indicator
    whose code or name holds them all: ``"stunting"`` and ``"thấp còi"`` give ``"stunting_u5"``.

    Parameters
    ----------
    text
        A code (``"IMR"``), a catalogue name in English or Vietnamese, or its words.

    Returns
    -------
    str
        The catalogue code, or the store code given.

    Raises
    ------
    UnknownIndicatorError
        If nothing matches (the message suggests the closest code), or the words name several
        indicators (the message lists them).

    Examples
    --------
    >>> resolve_indicator("stunting")
    'stunting_u5'
    """
    key = " ".join(str(text).split()).casefold()
    cat, aux = catalogue(), auxiliary_series()
    for codes in (cat.index, aux.index):
        found = [c for c in codes if str(c).casefold() == key]
        if found:
            return str(found[0])
    for column in ("name_en", "name_vi"):
        found = cat.index[cat[column].str.casefold() == key]
        if len(found):
            return str(found[0])
    if series_info(key):
        return key
    found = _by_words(key)
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(f"{c!r} ({cat.loc[c, 'name_en']})" for c in found[:6])
        raise UnknownIndicatorError(f"indicator {text!r} names several: {names}; pass one of these codes")
    indicator(key)  # raises with the closest code
    return key


#: Short names people use for a catalogue indicator that neither its code nor its names contain.
ALIASES = {"le": "life_expectancy", "bhyt": "bhyt_coverage", "beds": "beds_per_10k", "sex ratio": "srb"}


def _fold(text: str) -> str:
    """Lower case without Vietnamese diacritics ("Thấp còi" -> "thap coi"), words split on _ and -."""
    import unicodedata

    bare = unicodedata.normalize("NFKD", str(text).replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in bare if not unicodedata.combining(ch)).casefold()
    return " ".join(bare.replace("_", " ").replace("-", " ").replace("(", " ").replace(")", " ").split())


def _by_words(key: str) -> list[str]:
    """Catalogue codes whose code or name (English or Vietnamese) holds every word of ``key``.

    Forecast indicators first: "stunting" is ``stunting_u5``, "thấp còi" too, "infant mortality"
    is ``imr``; a word shared by several ("mortality") returns them all, for the caller to list.
    """
    folded = _fold(key)
    if folded in ALIASES:
        return [ALIASES[folded]]
    words = set(folded.split())
    if not words:
        return []
    cat = catalogue()
    hits = [
        str(code)
        for code, en, vi in zip(cat.index, cat["name_en"], cat["name_vi"], strict=True)
        if words <= set(_fold(f"{code} {en} {vi}").split())
    ]
    forecast = [c for c in hits if cat.loc[c, "forecast"] == "yes"]
    return forecast or hits


def base_indicator(code: str) -> tuple[str, str]:
    """Return ``(catalogue_code, definition)`` for a code or a variant such as ``beds_per_10k_dohs``.

    The definition is empty for a catalogue code itself; an unknown code returns itself with
    ``"not in the catalogue"``.
    """
    if code in catalogue().index:
        return code, ""
    for suffix, meaning in VARIANT_SUFFIXES.items():
        if code.endswith(suffix) and code[: -len(suffix)] in catalogue().index:
            return code[: -len(suffix)], meaning
    return code, "not in the catalogue"


SERIES_CSV = config.DATA_DIR / "series.csv"


# --- store codes --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def auxiliary_series() -> pd.DataFrame:
    """Return ``data/series.csv``: auxiliary series (not in the catalogue), indexed by ``code``."""
    df = pd.read_csv(SERIES_CSV, keep_default_na=False, dtype={"lower": float, "upper": float})
    return df.set_index("code", drop=False)


@lru_cache(maxsize=512)
def series_info(code: str) -> dict | None:
    """Return units, bounds, kind, base indicator and definition of a store code, or ``None``.

    Catalogue codes first, then ``data/series.csv``, then a variant suffix of either.
    """
    cat, aux = catalogue(), auxiliary_series()
    if code in cat.index:
        r = cat.loc[code]
        return {
            "units": (r["unit"],),
            "lower": r["lower"],
            "upper": r["upper"],
            "kind": "rate",
            "base": code,
            "definition": "",
        }
    if code in aux.index:
        r = aux.loc[code]
        return {
            "units": tuple(r["units"].split(";")),
            "lower": r["lower"],
            "upper": r["upper"],
            "kind": r["kind"],
            "base": r["base_indicator"] or code,
            "definition": r["definition"] if r["base_indicator"] else "",
        }
    for suffix, meaning in VARIANT_SUFFIXES.items():
        parent = series_info(code[: -len(suffix)]) if code.endswith(suffix) else None
        if parent:
            return {**parent, "definition": "; ".join(filter(None, [parent["definition"], meaning]))}
    return None
