"""Who issues a province's brief: the unit and its contact, printed on every page of the PDF.

``data/issuers.csv`` (columns ``province, unit, contact``; any spelling of the province) names them.
A province not listed gets the default unit, ``Sở Y tế tỉnh <tên>`` (``thành phố`` for a centrally
run city), and no contact: the page then prints a bracketed placeholder in its language (a reader
cannot mistake it for a real address) until the province's line is added.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from forecast import config
from forecast.errors import UnknownGeoError, ValidationError
from forecast.registry import geo

__all__ = ["ISSUERS_CSV", "Issuer", "default_unit", "issuer"]

ISSUERS_CSV = config.DATA_DIR / "issuers.csv"
_MERGED = " (mới)"


@dataclass(frozen=True)
class Issuer:
    """The issuing ``unit`` of a brief and its ``contact`` ("" when not configured yet)."""

    unit: str
    contact: str = ""


@lru_cache(maxsize=4)
def _table(path: str) -> dict[str, Issuer]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"province", "unit", "contact"} - set(frame.columns)
    if missing:
        raise ValidationError(
            f"missing column {sorted(missing)[0]!r}; the header is province,unit,contact", file=path, line=1
        )
    out = {}
    for line, r in enumerate(frame.itertuples(index=False), start=2):
        try:
            name = geo.resolve_geo(r.province)
        except UnknownGeoError as e:  # re-raised with the file and line
            raise ValidationError(str(e), file=path, line=line, column="province", value=r.province) from None
        out[name] = Issuer(r.unit.strip() or default_unit(name), r.contact.strip())
    return out


def default_unit(province: str) -> str:
    """``Sở Y tế tỉnh Hà Nam``; ``Sở Y tế thành phố Hà Nội``; a merged province without ``(mới)``."""
    base = province.removesuffix(_MERGED)
    kind = "thành phố" if geo.geo_type(base) == "city" or geo.geo_type(province) == "city" else "tỉnh"
    return f"Sở Y tế {kind} {base}"


def issuer(province: str, path: str | None = None) -> Issuer:
    """Return the issuer of ``province``'s brief (:data:`ISSUERS_CSV`, else the default).

    Raises
    ------
    ValidationError
        If the file names a province the reference does not know (file, line and the closest name).
    """
    name = geo.resolve_geo(province)
    table = _table(str(path or ISSUERS_CSV))
    return table.get(name) or Issuer(default_unit(name))
