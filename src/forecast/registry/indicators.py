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
}

# Catalogue indicators that public statistics measure through another catalogue indicator:
# ``target code -> (stand-in code, what the stand-in measures)``. Vietnamese plans state EPI
# coverage ("tỷ lệ tiêm chủng mở rộng") as a share of children; the GSO publishes it as the share
# of children under 1 fully immunised with every EPI vaccine.
STAND_INS = {
    "epi_coverage": ("full_immunization_u1", "children under 1 fully immunised with every EPI "
                     "vaccine (GSO), the published measure of EPI coverage; the plan's basket of "
                     "vaccines may be wider"),
}


@lru_cache(maxsize=1)
def catalogue() -> pd.DataFrame:
    """Return the indicator catalogue indexed by ``code``."""
    df = pd.read_csv(config.INDICATORS_CSV, keep_default_na=False,
                     na_values={"lower": [""], "upper": [""]}, dtype={"lower": float, "upper": float})
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
