"""GSO/NSO PX-Web tables: provinces in rows, years (and other dimensions) in columns.

GSO PX-Web tables have provinces in rows (Vietnamese or English names, region and "WHOLE
COUNTRY" rows), years in columns, footnote marks ("Prel. 2016", "2012(**)"), ".." or "-" for
missing, thousands separators, a quoted title line, ``;`` or ``,`` as delimiter (``;`` files use
the decimal comma) and sometimes several dimensions in one header ("Total 1995", "Male 1995"):
the total is kept unless ``select`` names another. The indicator comes from ``indicator`` or the
title (:data:`GSO_TITLES`), the unit from the title's parenthesis.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pandas as pd

from forecast.data import validate
from forecast.data.raw import RAW_COLUMNS, ImportOptions
from forecast.errors import DataFileError
from forecast.registry import geo, indicators

# GSO table titles -> indicator (first match wins; lower-case ASCII patterns).
GSO_TITLES = [
    (r"infant mortality|ty suat chet cua tre em duoi 1", "imr"),
    (r"under.?five mortality|duoi 5 tuoi", "u5mr"),
    (r"life expectancy|tuoi tho", "life_expectancy"),
    (r"average population|dan so trung binh", "population_avg"),
    (r"total fertility|tong ty suat sinh", "tfr"),
    (r"sex ratio at birth", "srb"),
    (r"sex ratio", "sex_ratio_population"),
    (r"population growth", "pop_growth"),
    (r"crude birth", "crude_birth_rate"),
    (r"crude death", "crude_death_rate"),
    (r"patient beds under provincial", "beds_dohs_count"),
    (r"immuni[sz]ed fully|tiem chung day du", "full_immunization_u1"),
]

_MARKERS = re.compile(r"\(\*+\)|\*+|\b(prel\.?|preliminary|so bo|sơ bộ)", re.IGNORECASE)


def indicator_from_title(title: str) -> str | None:
    """Return the indicator a GSO table title names ("Infant mortality rate by province" -> imr)."""
    text = unicodedata.normalize("NFKD", title.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return next((code for pattern, code in GSO_TITLES if re.search(pattern, plain)), None)


def _split_header(cell: str) -> tuple[int | None, str, bool]:
    match = re.search(r"(?<!\d)(19|20)\d{2}(?!\d)", cell)
    if not match:
        return None, cell, False
    rest = cell[: match.start()] + " " + cell[match.end() :]
    prelim = bool(re.search(r"prel|sơ bộ|so bo", rest, re.IGNORECASE))
    label = re.sub(r"\s+", " ", _MARKERS.sub(" ", rest)).strip(" .()")
    return int(match.group()), label, prelim


def read_gso(rows: list, name: str, opts: ImportOptions, decimal: str = ".") -> pd.DataFrame:
    """Return the raw frame of a GSO PX-Web table (provinces in rows, years in columns)."""
    hidx = next(
        (i for i, (_, c) in enumerate(rows) if sum(_split_header(x)[0] is not None for x in c[1:]) >= 1), None
    )
    if hidx is None:
        raise DataFileError(
            f"{name}: no header row with years found; a GSO table has provinces "
            "in rows and years in columns (or use --format tidy)"
        )
    title = next((" ".join(c) for _, c in rows[:hidx] if any(c)), "").strip().strip('"')
    indicator = opts.indicator or indicator_from_title(title)
    if not indicator:
        raise DataFileError(
            f"{name}: cannot tell the indicator from the title {title!r}; pass --indicator CODE"
        )
    columns = _gso_columns(rows[hidx][1], name, opts.select)
    unit = next(
        (
            validate.unit_key(u)
            for u in re.findall(r"\(([^)]*)\)", title)
            if validate.unit_key(u) in _known_units()
        ),
        "",
    )
    source = opts.source or f"GSO PX-Web: {title or name}; {name}"
    out = []
    for line, cells in rows[hidx + 1 :]:
        place = re.sub(r"\(\*+\)|\*+", "", cells[0] if cells else "").strip()
        values = [(j, cells[j]) for j in columns if j < len(cells)]
        if not place or all(v.lower() in validate.MISSING for _, v in values):
            continue  # blank or footnote line
        for j, v in values:
            year, _, prelim = columns[j]
            out.append(
                [
                    place,
                    indicator,
                    str(year),
                    v,
                    unit,
                    source,
                    "preliminary" if prelim else "",
                    line,
                    rows[hidx][1][j],
                    1.0,
                    decimal,
                ]
            )
    return pd.DataFrame(out, columns=RAW_COLUMNS)


def _gso_columns(header: list[str], name: str, select: str | None) -> dict[int, tuple]:
    cols = {j: _split_header(h) for j, h in enumerate(header) if j and _split_header(h)[0]}
    labels = {lab for _, lab, _ in cols.values()}
    if len(labels) == 1 and not select:
        return cols
    wanted = {geo.normalize_name(select)} if select else {"total", "tongso", "", "canuoc"}
    keep = {j: c for j, c in cols.items() if geo.normalize_name(c[1]) in wanted}
    if not keep:
        raise DataFileError(
            f"{name}: no column matches {select or 'Total'!r}; the table holds "
            f"{sorted(labels)}: pass --select with one of them"
        )
    return keep


@lru_cache(maxsize=1)
def _known_units() -> frozenset:
    aux = {u for us in indicators.auxiliary_series()["units"] for u in us.split(";")}
    return frozenset(set(indicators.catalogue()["unit"]) | aux)
