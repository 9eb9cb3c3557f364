"""GSO/NSO PX-Web tables: provinces in rows, years (and other dimensions) in columns.

What the statistics office's PX-Web exports ("semicolon delimited with heading") look like, and
what this reader takes care of: a quoted title line (sometimes absent: the file name then names
the table), a blank line, a header whose cells fold several dimensions into one
(``"2002 Doctor"``, ``"Crude birth rate Prel. 2016"``, ``"Pre. 2016"``), unquoted dot-decimal
values (older exports: quoted comma-decimal ones), ``..`` for missing, ``" WHOLE COUNTRY"`` with a
leading space (-> Việt Nam, code VN), region rows among the province rows, extra label columns
(``"Items";"Health establishments"`` in a national table, which then lands on VN), doubled quotes
(``""Ha Noi""``) and R re-exports (``X2002``, ``Pre..2014``, ``red_river_delta``, ``NA``).

Every dimension becomes its own indicator by :func:`dimension_code`: a table-specific name
(:data:`TABLE_DIMENSIONS`), else a label that is itself a known title (``"Crude birth rate"``),
else the table's own indicator for its total. ``select`` keeps one dimension only; with
``indicator`` given, the total (or the ``select``-ed dimension) is stored under that code.
Years marked "Prel."/"Pre." are stored with the source suffix ``[preliminary]`` and the note
``preliminary`` (the quality flag of :mod:`forecast.data.quality`). The JSON-stat answer of the
PX-Web API (versions 1 and 2) is read by :func:`read_jsonstat`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from forecast.data import validate
from forecast.data.raw import PROBLEM, RAW_COLUMNS, ImportOptions
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
    (r"natural increase|tang tu nhien", "natural_increase_rate"),
    (r"crude birth", "crude_birth_rate"),
    (r"crude death", "crude_death_rate"),
    (r"patient beds under provincial", "beds_dohs_count"),
    (r"immuni[sz]ed fully|tiem chung day du", "full_immunization_u1"),
    (r"hygienic water", "households_hygienic_water"),
]

# Tables whose column/row dimensions name several series: title pattern -> [(label pattern,
# code, unit)] (first match wins; labels lower-case ASCII; unit "" = the title's or the code's).
TABLE_DIMENSIONS: list[tuple[str, list[tuple[str, str, str]]]] = [
    (
        r"medical staff under provincial",
        [
            (r"^doctor", "doctors_dohs_count", "persons"),
            (r"^physician", "assistant_physicians_dohs_count", "persons"),
            (r"^nurse", "nurses_dohs_count", "persons"),
            (r"^midwi", "midwives_dohs_count", "persons"),
        ],
    ),
    (
        r"pharmaceutical staffs? under provincial",
        [
            (r"high degree", "pharmacists_dohs_count", "persons"),
            (r"middle degree", "pharmacists_middle_dohs_count", "persons"),
            (r"assistant pharmacist", "assistant_pharmacists_dohs_count", "persons"),
        ],
    ),
    (
        r"health establishments under provincial",
        [
            (r"^total", "establishments_dohs_count", "count"),
            (r"^hospital", "hospitals_dohs_count", "count"),
            (r"polyclinic", "polyclinics_dohs_count", "count"),
            (r"sanatorium", "sanatoria_dohs_count", "count"),
            (r"medical service unit", "medical_service_units_dohs_count", "count"),
        ],
    ),
    (
        r"patient beds under provincial",
        [
            (r"^total", "beds_dohs_count", "beds"),
            (r"^hospital", "beds_hospital_dohs_count", "beds"),
            (r"polyclinic", "beds_polyclinic_dohs_count", "beds"),
            (r"sanatorium", "beds_sanatorium_dohs_count", "beds"),
            (r"medical service unit", "beds_medical_service_dohs_count", "beds"),
        ],
    ),
    (
        r"\bhiv\b",
        [
            (r"hiv infected people new", "hiv_new_cases_count", "persons"),
            (r"aids patients new", "aids_new_cases_count", "persons"),
            (r"hiv infected people alive", "hiv_living_count", "persons"),
            (r"aids patients alive", "aids_living_count", "persons"),
            (r"aids deaths", "aids_deaths_count", "persons"),
        ],
    ),
    (
        r"^number of patient beds",
        [
            (r"^number.*bed per 10000", "beds_per_10k_gso", "per_10k"),
            (r"^number.*total", "beds_thousand_gso", "thousand_beds"),
            (r"^number.*sanatorium", "beds_sanatorium_thousand_gso", "thousand_beds"),
            (r"^number.*hospital", "beds_hospital_thousand_gso", "thousand_beds"),
            (r"^number.*polyclinic", "beds_polyclinic_thousand_gso", "thousand_beds"),
            (r"^number.*communes", "beds_commune_thousand_gso", "thousand_beds"),
            (r"^number.*offices", "beds_office_thousand_gso", "thousand_beds"),
            (r"^number.*others", "beds_other_thousand_gso", "thousand_beds"),
            (r"^index.*bed per 10000", "beds_per_10k_index_gso", "index_prev_year_100"),
            (r"^index.*total", "beds_index_gso", "index_prev_year_100"),
            (r"^index.*sanatorium", "beds_sanatorium_index_gso", "index_prev_year_100"),
            (r"^index.*hospital", "beds_hospital_index_gso", "index_prev_year_100"),
            (r"^index.*polyclinic", "beds_polyclinic_index_gso", "index_prev_year_100"),
            (r"^index.*communes", "beds_commune_index_gso", "index_prev_year_100"),
            (r"^index.*offices", "beds_office_index_gso", "index_prev_year_100"),
            (r"^index.*others", "beds_other_index_gso", "index_prev_year_100"),
        ],
    ),
]

TOTAL_LABELS = {"", "total", "tongso", "tong", "canuoc"}
_GEO_HEADER = re.compile(r"(?i)citi|provin|region|residence|tinh|dia phuong|vung")
_PRELIM = re.compile(r"(?i)\bprel?\b\.*|preliminary|sơ bộ|so bo")
_MARKS = re.compile(r"\(\*+\)|\*+")
_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")


@dataclass(frozen=True)
class Cell:
    """One value cell of a table: where it is, the dimensions that name it, and its text."""

    line: int
    place: str
    year: int
    prelim: bool
    label: str
    column: str
    value: str
    problem: str = ""  # a reason that refuses the cell whatever its value (a truncated file)


def plain(text: str) -> str:
    """Lower-case ASCII of ``text`` (diacritics dropped, Đ -> d)."""
    t = unicodedata.normalize("NFKD", str(text).replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in t if not unicodedata.combining(c)).lower()


def indicator_from_title(title: str) -> str | None:
    """Return the indicator a GSO table title names ("Infant mortality rate by province" -> imr)."""
    text = plain(title)
    return next((code for pattern, code in GSO_TITLES if re.search(pattern, text)), None)


def dimension_code(title: str, label: str) -> tuple[str | None, str]:
    """Return ``(code, unit)`` of the series a dimension label names in a table.

    The naming rule: a table-specific name (:data:`TABLE_DIMENSIONS`), else a label that is a
    known title ("Crude birth rate" -> crude_birth_rate), else, for a total (or a table with one
    dimension), the table's own indicator; ``None`` when the label names nothing known.
    """
    text, lab = plain(title), plain(label).strip()
    for pattern, dims in TABLE_DIMENSIONS:
        if re.search(pattern, text):
            return next(((c, u) for p, c, u in dims if re.search(p, lab)), (None, ""))
    own = indicator_from_title(lab) if lab else None
    if own:
        return own, ""
    if geo.normalize_name(lab) in TOTAL_LABELS:
        return indicator_from_title(title), ""
    return None, ""


def split_header(cell: str) -> tuple[int | None, str, bool]:
    """Return ``(year, other dimensions, preliminary)`` of a header cell ("Prel. 2016 Nurse")."""
    cell = cell.replace(".", ". ") if re.match(r"^X\d{4}$|^Pre\.\.", cell) else cell
    cell = re.sub(r"^X(?=\d{4}$)", "", cell)
    match = _YEAR.search(cell)
    if not match:
        return None, cell, False
    rest = cell[: match.start()] + " " + cell[match.end() :]
    prelim = bool(_PRELIM.search(rest))
    label = re.sub(r"\s+", " ", _MARKS.sub(" ", _PRELIM.sub(" ", rest))).strip(" .()")
    return int(match.group()), label, prelim


def header_years(cells: list[str]) -> dict[int, tuple[int, str, bool]]:
    """Return ``{column: (year, other dimensions, preliminary)}`` of the header cells naming a year."""
    split = {j: split_header(c) for j, c in enumerate(cells)}
    return {j: (year, label, prelim) for j, (year, label, prelim) in split.items() if year}


def _label(*parts: str) -> str:
    """The dimensions naming a cell, as one label ("2002 Doctor" + "" -> "2002 Doctor")."""
    return " ".join(filter(None, parts))


def _clean_place(text: str) -> str:
    place = _MARKS.sub("", text).strip().strip('"').strip()
    if " " not in place and re.search(r"[_.]", place):  # R re-export: red_river_delta
        place = re.sub(r"[_.]+", " ", place).strip()
    return place


def _unquote(cells: list[str]) -> list[str]:
    return [re.sub(r'^"+|"+$', "", c.strip()).strip() for c in cells]


def table_cells(rows: list, name: str, complete: bool = True) -> tuple[str, list[Cell]]:
    """Return ``(title, cells)`` of a PX-Web CSV table given as ``[(line, cells)]``.

    ``complete=False`` says the file ends without a line break. The cells of a row that shows the
    file was cut (:func:`truncated_rows`) carry the reason in ``problem``: they are quarantined,
    never stored and never counted as missing.

    Raises
    ------
    DataFileError
        If no header row with years is found.
    """
    rows = [(ln, _unquote(c)) for ln, c in rows]
    hidx = next((i for i, (_, c) in enumerate(rows) if any(j > 0 for j in header_years(c))), None)
    if hidx is None:
        raise DataFileError(
            f"{name}: no header row with years found; a GSO table has provinces "
            "in rows and years in columns (or use --format tidy)"
        )
    title = " ".join(" ".join(c) for _, c in rows[:hidx] if any(c)).strip()
    header = rows[hidx][1]
    years = header_years(header)
    first = min(years)
    geo_col = next((j for j in range(first) if _GEO_HEADER.search(plain(header[j]))), None)
    data = []
    for line, cells in rows[hidx + 1 :]:
        if not any(cells) or cells == header:
            continue  # blank line, or a repeated header (R re-exports)
        place = _clean_place(cells[geo_col]) if geo_col is not None and geo_col < len(cells) else "VN"
        if not place or all(cells[j].lower() in validate.MISSING for j in years if j < len(cells)):
            continue  # footnote line, or a row with no value at all
        data.append((line, place, cells))
    last = rows[-1][0] if data and data[-1][0] == rows[-1][0] else None  # the file's last line holds data
    problems = truncated_rows(data, header, years, last, complete)
    out = []
    for line, place, cells in data:
        labels = [cells[j] for j in range(min(first, len(cells))) if j != geo_col]
        for j, (year, label, prelim) in years.items():
            text = cells[j] if j < len(cells) else ""
            out.append(
                Cell(
                    line, place, year, prelim, _label(*labels, label), header[j], text, problems.get(line, "")
                )
            )
    return title, out


_TRUNCATED = "the file may be truncated; download or export the table again"


def truncated_rows(
    data: list[tuple[int, str, list[str]]],
    header: list[str],
    years: dict[int, tuple[int, str, bool]],
    last: int | None,
    complete: bool,
) -> dict[int, str]:
    """Return ``{line: reason}`` of the data rows that show the file was cut.

    A row shorter than the header (a cut mid-line: its missing cells are not "missing"); the
    file's last line when the file ends without a line break; and the last line when its last
    value has fewer decimals than the other values of its column, which all have the same number
    (``861.83`` cut to ``86``; a cut integer is left to the plausibility rule of
    :func:`forecast.data.validate.implausible`).
    """
    out = {
        line: f"the line has {len(cells)} fields but the header has {len(header)}: {_TRUNCATED}"
        for line, _, cells in data
        if len(cells) < len(header)
    }
    if last is None or last in out:
        return out
    cells = data[-1][2]
    if not complete:
        out[last] = f"the file ends inside this line (no final line break): {_TRUNCATED}"
        return out
    filled = [j for j in years if j < len(cells) and cells[j].lower() not in validate.MISSING]
    if filled:
        j = filled[-1]
        others = {
            _decimals(c[j])
            for ln, _, c in data
            if ln != last and j < len(c) and c[j].lower() not in validate.MISSING
        }
        if len(others) == 1 and _decimals(cells[j]) < others.pop():
            out[last] = (
                f"its last value {cells[j]!r} has fewer decimals than every other value of column "
                f"{header[j]!r}: {_TRUNCATED}"
            )
    return out


def _decimals(text: str) -> int:
    """Digits after the decimal mark of a number as written ("861.83" -> 2, "86" -> 0)."""
    number = re.sub(r"[^0-9.,]", "", text)
    mark = max(number.rfind("."), number.rfind(","))
    return len(number) - mark - 1 if mark >= 0 else 0


def read_gso(
    rows: list, name: str, opts: ImportOptions, decimal: str | None = None, complete: bool = True
) -> pd.DataFrame:
    """Return the raw frame of a GSO PX-Web CSV table (provinces in rows, years in columns).

    ``complete=False``: the file ends without a line break (see :func:`table_cells`).
    """
    title, cells = table_cells(rows, name, complete)
    dec = "," if _comma_decimal(cells) else "."  # the delimiter does not tell (";" with dot decimals)
    return cells_to_raw(title or Path(name).stem, cells, name, opts, dec)


def _comma_decimal(cells: list[Cell]) -> bool:
    sample = [c.value for c in cells[:500] if c.value.lower() not in validate.MISSING]
    return any("," in v for v in sample) and not any(re.fullmatch(r"-?\d+\.\d+", v) for v in sample)


def _selected(cells: list[Cell], select: str | None, name: str) -> list[Cell]:
    if not select:
        return cells
    want = geo.normalize_name(select)
    keep = [
        c for c in cells if want in {geo.normalize_name(c.label), *map(geo.normalize_name, c.label.split())}
    ]
    keep = keep or [c for c in cells if want and want in geo.normalize_name(c.label)]
    if not keep:
        labels = sorted({c.label for c in cells})
        raise DataFileError(
            f"{name}: no column matches {select!r}; the table holds {labels}: pass --select with one of them"
        )
    return keep


def _codes(title: str, cells: list[Cell], name: str, opts: ImportOptions) -> dict[str, tuple[str, str]]:
    labels = sorted({c.label for c in cells})
    if opts.indicator:
        if len(labels) == 1 or opts.select:
            return {lab: (opts.indicator, "") for lab in labels}
        totals = [lab for lab in labels if geo.normalize_name(lab) in TOTAL_LABELS]
        if not totals:
            raise DataFileError(
                f"{name}: the table holds {labels}: pass --select with one of them "
                "(or leave out --indicator to import every dimension)"
            )
        return {lab: (opts.indicator, "") for lab in totals}
    codes = {lab: dimension_code(title, lab) for lab in labels}
    if len(labels) == 1 and codes[labels[0]][0] is None:
        codes[labels[0]] = (indicator_from_title(title), "")
    if not any(code for code, _ in codes.values()):
        raise DataFileError(
            f"{name}: cannot tell the indicator from the title {title!r}; pass --indicator CODE"
        )
    return {lab: (code or _fallback_code(title, lab), unit) for lab, (code, unit) in codes.items()}


def _fallback_code(title: str, label: str) -> str:
    # Unknown dimension: a code that names table and label, quarantined as unknown by validation.
    base = indicator_from_title(title) or "table"
    return f"{base}_{re.sub(r'[^a-z0-9]+', '_', plain(label)).strip('_')}"


def cells_to_raw(
    title: str, cells: list[Cell], name: str, opts: ImportOptions, decimal: str = "."
) -> pd.DataFrame:
    """Return the raw frame (:data:`RAW_COLUMNS`) of a table's cells, one indicator per dimension."""
    cells = _selected(cells, opts.select, name)
    codes = _codes(title, cells, name, opts)
    unit = _title_unit(title)
    source = opts.source or f"GSO PX-Web: {title or name}; {name}"
    out = [
        [
            c.place,
            codes[c.label][0],
            str(c.year),
            c.value,
            codes[c.label][1] or unit,
            f"{source} [preliminary]" if c.prelim else source,
            "preliminary" if c.prelim else "",
            c.line,
            c.column,
            1.0,
            decimal,
            c.problem,
        ]
        for c in cells
        if c.label in codes
    ]
    return pd.DataFrame(out, columns=[*RAW_COLUMNS, PROBLEM])


def _title_unit(title: str) -> str:
    units = [validate.unit_key(u) for u in re.findall(r"\(([^)]*)\)", title)]
    return next((u for u in units if u in _known_units()), "")


@lru_cache(maxsize=1)
def _known_units() -> frozenset:
    aux = {u for us in indicators.auxiliary_series()["units"] for u in us.split(";")}
    return frozenset(set(indicators.catalogue()["unit"]) | aux)


# --- JSON-stat (PX-Web API "json-stat" and "json-stat2") ----------------------------------------


def read_jsonstat(data: object, name: str, opts: ImportOptions) -> pd.DataFrame:
    """Return the raw frame of a PX-Web API JSON-stat answer (version 1 or 2).

    Raises
    ------
    DataFileError
        If the document is not a JSON-stat dataset or its values do not fill its dimensions.
    """
    ds = data.get("dataset", data) if isinstance(data, dict) else None
    if isinstance(ds, dict) and "dimension" in ds and "id" not in ds and "id" in ds["dimension"]:
        ds = {**ds, "id": ds["dimension"]["id"], "size": ds["dimension"]["size"],
              "role": ds["dimension"].get("role", {})}  # fmt: skip
    if not isinstance(ds, dict) or not {"id", "dimension", "value"} <= set(ds):
        raise DataFileError(f"{name}: not a JSON-stat dataset (no id/dimension/value); save the table as CSV")
    try:
        cells = _jsonstat_cells(ds)
    except (KeyError, TypeError, ValueError, IndexError) as e:
        raise DataFileError(f"{name}: a broken JSON-stat dataset ({e}); download the table again") from e
    return cells_to_raw(str(ds.get("label", name)), cells, name, opts, ".")


def _categories(dim: dict) -> list[str]:
    cat = dim["category"]
    index = cat.get("index") or {k: i for i, k in enumerate(cat["label"])}
    keys = sorted(index, key=lambda k: index[k]) if isinstance(index, dict) else list(index)
    labels = cat.get("label", {})
    return [str(labels.get(k, k)) for k in keys]


def _jsonstat_cells(ds: dict) -> list[Cell]:
    ids, role = list(ds["id"]), ds.get("role", {}) or {}
    cats = [_categories(ds["dimension"][d]) for d in ids]
    time = next(iter(role.get("time", [])), None) or next(
        d for d in ids if re.search(r"(?i)year|time|nam", d)
    )
    place = next(iter(role.get("geo", [])), None) or next(
        (d for d in ids if d != time and _GEO_HEADER.search(plain(ds["dimension"][d].get("label", d)))), None
    )
    values = ds["value"]
    total = 1
    for c in cats:
        total *= len(c)
    if isinstance(values, list) and len(values) != total:
        raise ValueError(f"{len(values)} values for {total} cells")
    out = []
    for flat in range(total):
        pos, rest = {}, flat
        for d, c in zip(reversed(ids), reversed(cats)):
            pos[d], rest = c[rest % len(c)], rest // len(c)
        v = values[flat] if isinstance(values, list) else values.get(str(flat))
        year, label, prelim = split_header(pos[time])
        if year is None:
            continue
        dims = " ".join(pos[d] for d in ids if d not in (time, place))
        text = ".." if v is None else str(v)
        out.append(
            Cell(
                flat + 1,
                pos[place] if place else "VN",
                year,
                prelim,
                _label(dims, label),
                pos[time],
                text,
            )
        )
    return out
