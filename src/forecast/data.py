"""Observed-data import: reading files, the tidy format, and validation.

:func:`parse_file` reads a CSV or Excel file (UTF-8 with or without BOM, UTF-16, Windows-1258 or
1252), picks the format (tidy here; GSO PX-Web and World Bank WDI in :mod:`forecast.fetch`), turns
it into one *raw* frame (one row per value cell, with its ``line`` and ``column``) and
:func:`validate` splits that into rows to store and rows to quarantine, each with a reason.
Nothing here touches the store: see :mod:`forecast.store`.

Quarantined: unknown province (closest name suggested), unknown indicator, non-numeric value,
a year that is not one calendar year or is out of range, a value outside the indicator's bounds,
a unit that disagrees with the indicator's, a truncated line, and one source giving two values
for the same geo, indicator and year in one file. Empty cells and ".." / "-" are skipped as
missing; an exact repeat is a duplicate.

Indicator codes are catalogue codes (``data/indicators.csv``), auxiliary series listed in
``data/series.csv`` (``population_avg``, ``tfr``, ``*_count`` …) or a variant of either marked by
a suffix of :data:`forecast.indicators.VARIANT_SUFFIXES` (``imr_gso``, ``beds_per_10k_dohs``).
Any other code is unknown and its rows are quarantined.

Geo era: a plain name ("Lào Cai") is the province as it was until 30 June 2025. With
``geo_era="2025"`` it means the merged province ("Lào Cai (mới)") and a province that was absorbed
("Yên Bái") is refused; ``"auto"`` (default) applies the 2025 meaning to years from 2025 on
(keeping absorbed names as they are); ``"old"`` never does.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import config, geo, indicators
from .errors import DataFileError, ForecastError

SERIES_CSV = config.DATA_DIR / "series.csv"
RAW_COLUMNS = ["geo", "indicator", "year", "value", "unit", "source", "note", "line", "column",
               "factor", "decimal"]
ROW_COLUMNS = ["geo", "indicator", "year", "value", "unit", "source", "note", "line"]
QUARANTINE_COLUMNS = ["file", "line", "column", "value", "reason"]
MISSING = {"", "..", "...", "-", "–", "—", "na", "n/a", "nan", "null", "none"}
FORMATS = ("auto", "tidy", "gso", "wdi")
GEO_ERAS = ("auto", "2025", "old")
_UNIT_ALIASES = {
    "%": "percent", "pct": "percent", "percent_of_current_health_expenditure": "percent",
    "‰": "per_1000", "per_mille": "per_1000", "per_1000_live_births": "per_1000",
    "per_1000_population": "per_1000", "per_10000": "per_10k", "per_10000_population": "per_10k",
    "per_10000_inhabitants": "per_10k", "per_100000": "per_100k", "thous_pers": "thousand_persons",
    "thousand_persons": "thousand_persons", "person": "persons", "pers": "persons", "bed": "beds",
}
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


@dataclass(frozen=True)
class ImportOptions:
    """How to read a file: ``format`` (auto|tidy|gso|wdi), the ``indicator`` of a GSO table,
    ``select`` (the dimension to keep, default the total), ``geo_era`` and a default ``source``."""

    format: str = "auto"
    indicator: str | None = None
    select: str | None = None
    geo_era: str = "auto"
    source: str | None = None


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


class _Reject(Exception):
    def __init__(self, column: str, value: object, reason: str) -> None:
        super().__init__(reason)
        self.column, self.value = column, value


# --- values ----------------------------------------------------------------------------------

def parse_number(text: object, decimal: str = ".") -> float:
    """Return ``text`` as a float, ignoring footnote marks, spaces and thousands separators.

    ``decimal`` is the file's decimal mark; ``"1,234.5"``, ``"1.234,5"`` and ``"12,5"`` all work.

    Raises
    ------
    ValueError
        If the text is not a finite number.
    """
    s = re.sub(r"[\s\u00a0\u202f']|\(\*+\)|\*+$", "", str(text))
    if "," in s and "." in s:
        s = s.replace("," if s.rfind(".") > s.rfind(",") else ".", "").replace(",", ".")
    elif "," in s:
        thousands = decimal == "." and re.fullmatch(r"-?\d{1,3}(,\d{3})+", s)
        s = s.replace(",", "") if thousands else s.replace(",", ".")
    elif decimal == "," and re.fullmatch(r"-?\d{1,3}(\.\d{3})+", s):
        s = s.replace(".", "")
    if not _NUMBER.fullmatch(s):
        raise ValueError(f"not a number: {text!r}")
    value = float(s)
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {text!r}")
    return value


def unit_key(unit: object) -> str:
    """Return a canonical unit code: ``"per 1,000 live births"`` -> ``"per_1000"``."""
    s = str(unit or "").strip().lower()
    if s in _UNIT_ALIASES:
        return _UNIT_ALIASES[s]
    s = re.sub(r"(?<=\d)[,.\s](?=\d{3})", "", s)
    s = re.sub(r"[^a-z0-9%‰]+", "_", s).strip("_")
    return _UNIT_ALIASES.get(s, s)


# --- indicators --------------------------------------------------------------------------------

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
    cat, aux = indicators.catalogue(), auxiliary_series()
    if code in cat.index:
        r = cat.loc[code]
        return {"units": (r["unit"],), "lower": r["lower"], "upper": r["upper"], "kind": "rate",
                "base": code, "definition": ""}
    if code in aux.index:
        r = aux.loc[code]
        return {"units": tuple(r["units"].split(";")), "lower": r["lower"], "upper": r["upper"],
                "kind": r["kind"], "base": r["base_indicator"] or code,
                "definition": r["definition"] if r["base_indicator"] else ""}
    for suffix, meaning in indicators.VARIANT_SUFFIXES.items():
        parent = series_info(code[: -len(suffix)]) if code.endswith(suffix) else None
        if parent:
            return {**parent, "definition": "; ".join(filter(None, [parent["definition"], meaning]))}
    return None


# --- reading files -----------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.count(b"\x00") > len(data) // 4:
        return data.decode("utf-16-le" if data[1:2] == b"\x00" else "utf-16-be")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Windows-1258 spells Vietnamese with combining tones; NFC composes them back.
        return unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))


def read_rows(path: str | Path) -> tuple[list[tuple[int, list[str]]], str, str]:
    """Return ``([(line, cells)], delimiter, sha256)`` of a CSV or Excel file.

    Raises
    ------
    DataFileError
        If the file is missing, empty, binary or cannot be parsed at all.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise DataFileError(f"{path}: cannot read the file ({e.strerror}); check the path") from e
    digest = hashlib.sha256(data).hexdigest()
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return _excel_rows(path, data), ",", digest
    try:
        text = _decode(data)
    except UnicodeDecodeError as e:
        raise DataFileError(f"{path}: not a text file ({e}); export it as CSV (UTF-8)") from e
    if not text.strip() or "\x00" in text:
        raise DataFileError(f"{path}: the file is empty or binary; export it again as CSV")
    first = next((ln for ln in text.splitlines() if ln.count(",") + ln.count(";") + ln.count("\t")), "")
    delim = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    try:
        rows = [(reader.line_num, [c.strip() for c in cells]) for cells in reader]
    except csv.Error as e:
        raise DataFileError(f"{path}: cannot parse the CSV ({e}); the file may be truncated") from e
    return rows, delim, digest


def _excel_rows(path: Path, data: bytes) -> list[tuple[int, list[str]]]:
    try:
        df = pd.read_excel(io.BytesIO(data), header=None, dtype=str)
    except Exception as e:  # openpyxl raises many types on a broken zip
        raise DataFileError(f"{path}: cannot open the workbook ({e}); save it again as .xlsx") from e
    df = df.fillna("")
    return [(i + 1, [str(c).strip() for c in row]) for i, row in enumerate(df.itertuples(index=False))]


def detect_format(path: str | Path, rows: list[tuple[int, list[str]]]) -> str:
    """Return ``tidy``, ``gso`` or ``wdi`` from the file name and its first rows."""
    head = [c.lower() for _, cells in rows[:6] for c in cells]
    if Path(path).name.startswith("API_") or "world development indicators" in head:
        return "wdi"
    for _, cells in rows[:3]:
        if {"geo", "indicator", "year", "value"} <= {c.lower() for c in cells}:
            return "tidy"
    return "gso"


def read_tidy(rows: list, name: str, opts: ImportOptions, decimal: str = ".") -> pd.DataFrame:
    """Return the raw frame of a tidy file (geo, indicator, year, value[, unit, source, note])."""
    need = {"geo", "indicator", "year", "value"}
    start = next((i for i, (_, c) in enumerate(rows[:3]) if need <= {x.lower() for x in c}), 0)
    header = [h.lower() for h in rows[start][1]]
    if need - set(header):
        raise DataFileError(f"{name}: the header lacks {sorted(need - set(header))}; a tidy file "
                            "has columns geo, indicator, year, value[, unit, source, note] "
                            "(or use --format gso/wdi)")
    out, default_source = [], opts.source or f"file {name}"
    for line, cells in rows[start + 1:]:
        if not any(cells):
            continue
        r = dict(zip(header, cells))
        note = "; ".join(filter(None, [r.get("note", ""), r.get("url", "")]))
        if len(cells) != len(header):
            note = f"__fields:{len(cells)}/{len(header)}"
        out.append([r.get("geo", ""), r.get("indicator", ""), r.get("year", ""), r.get("value", ""),
                    r.get("unit", ""), r.get("source", "") or default_source, note, line, "value",
                    1.0, decimal])
    return pd.DataFrame(out, columns=RAW_COLUMNS)


# --- validation --------------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def _resolve(name: str) -> str:
    try:
        return geo.resolve_geo(name)
    except ForecastError:
        try:  # Vietnamese yearbooks name regions without "Vùng" ("Đồng bằng sông Hồng")
            return geo.resolve_geo(f"Vùng {name}")
        except ForecastError:
            pass
        raise


@lru_cache(maxsize=1)
def _reference() -> pd.DataFrame:
    return geo.provinces().set_index("name")


def _geo(name: str, year: int, era: str) -> str:
    try:
        found = _resolve(name)
    except ForecastError as e:
        raise _Reject("geo", name, str(e)) from None
    if era == "old" or (era == "auto" and year < 2025) or found.endswith("(mới)"):
        return found
    row = _reference().loc[found]
    new = row["province_2025"]
    if not row["era"].endswith("2025") or not new:
        return found  # unchanged by the 2025 merger
    if new == f"{found} (mới)":
        return new
    if era == "2025":
        raise _Reject("geo", name, f"{found} was merged into {new} on 2025-07-01; write {new!r} "
                                   "or import with --geo-era old")
    return found


def _year(text: str) -> int:
    t = str(text).strip()
    if not re.fullmatch(r"\d{4}(\.0)?", t):
        raise _Reject("year", text, f"year {text!r} is not a single calendar year; write one year "
                                    "such as 2016 (averages over several years are not imported)")
    year, last = int(float(t)), dt.date.today().year
    if not 1950 <= year <= last:
        raise _Reject("year", text, f"year {year} is out of range 1950-{last}; fix the year")
    return year


def _check_row(r: dict, era: str) -> dict:
    if r["note"].startswith("__fields:"):
        n, m = r["note"][9:].split("/")
        raise _Reject("", "", f"the line has {n} fields but the header has {m}; the line is "
                              "truncated or badly quoted")
    code = str(r["indicator"]).strip()
    info = series_info(code)
    if info is None:
        raise _Reject("indicator", code, f"unknown indicator {code!r}: {_suggest_code(code)}")
    year = _year(r["year"])
    place = _geo(str(r["geo"]).strip(), year, era)
    try:
        value = parse_number(r["value"], r["decimal"]) * r["factor"]
    except ValueError:
        raise _Reject(r["column"], r["value"], f"value {r['value']!r} is not a number; write it "
                                               "like 12.5 ('..' or empty for missing)") from None
    unit = unit_key(r["unit"]) if str(r["unit"]).strip() else info["units"][0]
    if unit not in info["units"]:
        raise _Reject("unit", r["unit"], f"unit {r['unit']!r} disagrees with the unit "
                                         f"{info['units'][0]!r} of {code}; convert the value to "
                                         f"{info['units'][0]} and write that unit")
    if not info["lower"] <= value <= info["upper"]:
        raise _Reject(r["column"], r["value"], f"value {value:g} is outside the bounds "
                      f"[{info['lower']:g}, {info['upper']:g}] of {code} ({info['units'][0]}); "
                      "check the unit and the decimal mark")
    return {"geo": place, "indicator": code, "year": year, "value": value, "unit": unit,
            "source": str(r["source"]).strip(), "note": r["note"], "line": r["line"]}


def _suggest_code(code: str) -> str:
    import difflib

    known = list(indicators.catalogue().index) + list(auxiliary_series().index)
    close = difflib.get_close_matches(code, known, n=1)
    return (f"did you mean {close[0]!r}?" if close else
            "add it to data/series.csv or use a code of data/indicators.csv")


def validate(raw: pd.DataFrame, file: str,
             geo_era: str = "auto") -> tuple[pd.DataFrame, pd.DataFrame, int, int]:
    """Split a raw frame into rows to store and rows to quarantine.

    Parameters
    ----------
    raw
        A frame from one of the readers (``RAW_COLUMNS``).
    file
        The file name written in the quarantine rows.
    geo_era
        ``auto``, ``2025`` or ``old`` (see the module docstring).

    Returns
    -------
    tuple
        ``(rows, quarantine, missing, duplicate)``: the good rows (``ROW_COLUMNS``), the
        quarantined ones (``QUARANTINE_COLUMNS``), the number of empty cells skipped and the
        number of exact repeats within the file.
    """
    good, bad, missing = [], [], 0
    for r in raw.to_dict("records"):
        if str(r["value"]).strip().lower() in MISSING and not r["note"].startswith("__fields:"):
            missing += 1
            continue
        try:
            good.append(_check_row(r, geo_era))
        except _Reject as e:
            bad.append({"file": file, "line": r["line"], "column": e.column, "value": str(e.value),
                        "reason": str(e)})
    rows = pd.DataFrame(good, columns=ROW_COLUMNS)
    rows, conflicts, duplicate = _conflicts(rows, file)
    quarantine = pd.DataFrame(bad + conflicts, columns=QUARANTINE_COLUMNS)
    return rows, quarantine, missing, duplicate


def _conflicts(rows: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[dict], int]:
    # Two outlets may disagree (they keep their own source); one source may not disagree with itself.
    key = ["geo", "indicator", "year", "source"]
    exact = rows.duplicated(key + ["value"])
    rows, duplicate = rows[~exact], int(exact.sum())
    clash = rows.duplicated(key, keep=False)
    bad = []
    for _, grp in rows[clash].groupby(key, sort=False):
        seen = ", ".join(f"{v:g} (line {ln})" for v, ln in zip(grp["value"], grp["line"]))
        for r in grp.itertuples():
            bad.append({"file": file, "line": r.line, "column": "value", "value": f"{r.value:g}",
                        "reason": f"{r.geo} {r.indicator} {r.year} appears with different values "
                                  f"in this file: {seen}; keep one row or give each its source"})
    return rows[~clash].reset_index(drop=True), bad, duplicate


def parse_file(path: str | Path, options: ImportOptions = ImportOptions()) -> Parsed:
    """Read and validate one file; nothing is stored.

    Raises
    ------
    DataFileError
        If the file cannot be read at all, is a target file, or its format cannot be understood.
    """
    path = Path(path)
    if path.parent.name == "targets" or "targets" in path.stem.lower():
        raise DataFileError(f"{path}: holds plan targets, not observations; load targets with "
                            "`forecast targets --file`, never `forecast data import`")
    if options.format not in FORMATS or options.geo_era not in GEO_ERAS:
        raise DataFileError(f"format {options.format!r} / geo era {options.geo_era!r}: use one of "
                            f"{', '.join(FORMATS)} / {', '.join(GEO_ERAS)}")
    rows, delim, digest = read_rows(path)
    fmt = detect_format(path, rows) if options.format == "auto" else options.format
    from .fetch import read_gso, read_wdi  # the publishers' formats

    decimal = "," if delim == ";" else "."
    if fmt == "tidy":
        raw = read_tidy(rows, path.name, options, decimal)
    elif fmt == "wdi":
        raw = read_wdi(rows, path.name, options)
    else:
        raw = read_gso(rows, path.name, options, decimal)
    good, quarantine, missing, duplicate = validate(raw, path.name, options.geo_era)
    return Parsed(str(path), digest, fmt, good, quarantine, len(raw), missing, duplicate)
