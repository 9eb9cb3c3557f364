"""Observed-data import: reading files and the tidy format.

:func:`parse_file` reads a CSV or Excel file (UTF-8 with or without BOM, UTF-16, Windows-1258 or
1252), picks the format (tidy here; GSO PX-Web and World Bank WDI in :mod:`forecast.fetch`), turns
it into one *raw* frame (one row per value cell, with its ``line`` and ``column``) and
:func:`forecast.validate.validate` splits that into rows to store and rows to quarantine, each
with a reason (the rules, the accepted indicator codes and the geo era are described there).
Nothing here touches the store: see :mod:`forecast.store`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import unicodedata
from pathlib import Path

import pandas as pd

from forecast.data import pxweb, wdi
from forecast.data.raw import FORMATS, GEO_ERAS, RAW_COLUMNS, ImportOptions, Parsed
from forecast.data.validate import validate
from forecast.errors import DataFileError


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
        raise DataFileError(
            f"{name}: the header lacks {sorted(need - set(header))}; a tidy file "
            "has columns geo, indicator, year, value[, unit, source, note] "
            "(or use --format gso/wdi)"
        )
    out, default_source = [], opts.source or f"file {name}"
    for line, cells in rows[start + 1 :]:
        if not any(cells):
            continue
        r = dict(zip(header, cells))
        note = "; ".join(filter(None, [r.get("note", ""), r.get("url", "")]))
        if len(cells) != len(header):
            note = f"__fields:{len(cells)}/{len(header)}"
        out.append(
            [
                r.get("geo", ""),
                r.get("indicator", ""),
                r.get("year", ""),
                r.get("value", ""),
                r.get("unit", ""),
                r.get("source", "") or default_source,
                note,
                line,
                "value",
                1.0,
                decimal,
            ]
        )
    return pd.DataFrame(out, columns=RAW_COLUMNS)


def parse_file(path: str | os.PathLike, options: ImportOptions = ImportOptions()) -> Parsed:
    """Read and validate one file; nothing is stored.

    Raises
    ------
    DataFileError
        If the file cannot be read at all, is a target file, or its format cannot be understood.
    """
    path = Path(path)
    if path.parent.name == "targets" or "targets" in path.stem.lower():
        raise DataFileError(
            f"{path}: holds plan targets, not observations; load targets with "
            "`forecast targets --file`, never `forecast data import`"
        )
    if options.format not in FORMATS or options.geo_era not in GEO_ERAS:
        raise DataFileError(
            f"format {options.format!r} / geo era {options.geo_era!r}: use one of "
            f"{', '.join(FORMATS)} / {', '.join(GEO_ERAS)}"
        )
    rows, delim, digest = read_rows(path)
    fmt = detect_format(path, rows) if options.format == "auto" else options.format

    decimal = "," if delim == ";" else "."
    if fmt == "tidy":
        raw = read_tidy(rows, path.name, options, decimal)
    elif fmt == "wdi":
        raw = wdi.read_wdi(rows, path.name, options)
    else:
        raw = pxweb.read_gso(rows, path.name, options, decimal)
    good, quarantine, missing, duplicate = validate(raw, path.name, options.geo_era)
    return Parsed(str(path), digest, fmt, good, quarantine, len(raw), missing, duplicate)
