"""Observed-data import: reading files and the tidy format.

:func:`parse_file` reads a CSV or Excel file (UTF-8 with or without BOM, UTF-16, Windows-1258 or
1252), picks the format (tidy here; GSO PX-Web and World Bank WDI in :mod:`forecast.data.pxweb`), turns
it into one *raw* frame (one row per value cell, with its ``line`` and ``column``) and
:func:`forecast.data.validate.validate` splits that into rows to store and rows to quarantine, each
with a reason (the rules, the accepted indicator codes and the geo era are described there).
Nothing here touches the store: see :mod:`forecast.data.store`.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from forecast.data import pxweb, wdi
from forecast.data.raw import FORMATS, GEO_ERAS, PROBLEM, RAW_COLUMNS, ImportOptions, Parsed
from forecast.data.validate import check_rows, finish, validate
from forecast.errors import DataFileError
from forecast.log import logger


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
    text = text.rstrip("\x00\r\n\t ")  # PX-Web exports may end in a NUL byte
    if not text.strip() or "\x00" in text:
        raise DataFileError(f"{path}: the file is empty or binary; export it again as CSV")
    delim = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    try:
        rows = [(reader.line_num, [c.strip() for c in cells]) for cells in reader]
    except csv.Error as e:
        if not _doubled_quotes(text):
            raise DataFileError(f"{path}: cannot parse the CSV ({e}); the file may be truncated") from e
        rows = [(i, [c.strip() for c in ln.split(delim)]) for i, ln in enumerate(text.splitlines(), 1)]
    return rows, delim, digest


def _delimiter(text: str) -> str:
    # Count delimiters outside quotes: a PX-Web title line ("... by Cities, provincies, Year") has commas.
    lines = [re.sub(r'"[^"]*"', "", ln) for ln in text.splitlines()[:12]]
    return max(",;\t", key=lambda d: max((ln.count(d) for ln in lines), default=0))


def _doubled_quotes(text: str) -> bool:
    # Some re-saved PX-Web exports quote every cell twice (""Ha Noi""); no cell then holds a delimiter.
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return bool(lines) and any(
        ln.lstrip().startswith('""') and not ln.lstrip().startswith('"""') for ln in lines[:3]
    )


def read_sheets(path: str | Path, sheet: str | None = None) -> dict[str, list[tuple[int, list[str]]]]:
    """Return ``{sheet name: [(row, cells)]}`` of every sheet of a workbook (or of ``sheet`` only).

    Raises
    ------
    DataFileError
        If the workbook cannot be opened or has no sheet called ``sheet``.
    """
    path = Path(path)
    try:
        frames = pd.read_excel(path, header=None, dtype=str, sheet_name=None)
    except Exception as e:  # openpyxl raises many types on a broken zip
        raise DataFileError(f"{path}: cannot open the workbook ({e}); save it again as .xlsx") from e
    if sheet is not None and sheet not in frames:
        raise DataFileError(
            f"{path}: no sheet {sheet!r}; the workbook has {list(frames)}: pass --sheet with one"
        )
    return {
        name: [
            (i + 1, [str(c).strip() for c in row])
            for i, row in enumerate(df.fillna("").itertuples(index=False))
        ]
        for name, df in frames.items()
        if sheet is None or name == sheet
    }


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
        place, code = _residence(r.get("geo", ""), r.get("indicator", ""))
        out.append(
            [
                place,
                code,
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


def _residence(place: str, code: str) -> tuple[str, str]:
    # "VN (urban)" is not a geo but a residence breakdown: the series life_expectancy_urban of VN.
    match = re.fullmatch(r"(.+?)\s*\((urban|rural|thành thị|nông thôn)\)", place.strip(), re.IGNORECASE)
    if not match:
        return place, code
    kind = "urban" if match.group(2).lower() in ("urban", "thành thị") else "rural"
    return match.group(1), f"{code}_{kind}"


#: Header cells only a target registry has (``data/targets.csv``).
REGISTRY_COLUMNS = {"plan_id", "comparator"}


def looks_like_registry(rows: list[tuple[int, list[str]]]) -> bool:
    """Return whether one of the first rows is a target registry's header (plan_id, comparator …)."""
    return any(REGISTRY_COLUMNS <= {c.strip().lower() for c in cells} for _, cells in rows[:3])


def _refuse_targets(path: Path) -> None:
    raise DataFileError(
        f"{path}: holds plan targets, not observations; load targets with "
        "`forecast targets --file`, never `forecast data import`"
    )


def parse_file(path: str | os.PathLike, options: ImportOptions = ImportOptions()) -> Parsed:
    """Read and validate one file (every sheet of a workbook, or ``options.sheet``); nothing is stored.

    A workbook's quarantine rows name the sheet in ``file`` (``hanam.xlsx [Số liệu]``); sheets
    that hold no table (instructions) are skipped when every sheet is read.

    Raises
    ------
    DataFileError
        If the file cannot be read at all, is a target file, or its format cannot be understood.
    """
    path = Path(path)
    if path.parent.name == "targets":
        _refuse_targets(path)
    if options.format not in FORMATS or options.geo_era not in GEO_ERAS:
        raise DataFileError(
            f"format {options.format!r} / geo era {options.geo_era!r}: use one of "
            f"{', '.join(FORMATS)} / {', '.join(GEO_ERAS)}"
        )
    if path.suffix.lower() == ".json":
        data, digest = _json(path)
        raw = pxweb.read_jsonstat(data, path.name, options)
        return _parsed(path, digest, "jsonstat", [(raw, path.name)], options)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return _parse_workbook(path, _json(path, parse=False)[1], options)
    streamed = _parse_large_tidy(path, options)
    if streamed is not None:
        return streamed
    rows, delim, digest = read_rows(path)
    if looks_like_registry(rows):
        _refuse_targets(path)
    fmt = detect_format(path, rows) if options.format == "auto" else options.format
    raw = _read(fmt, rows, path.name, options, "," if delim == ";" else ".", ends_with_newline(path))
    return _parsed(path, digest, fmt, [(raw, path.name)], options)


def ends_with_newline(path: Path) -> bool:
    """Whether a text file's last line is complete: it ends with a line break (trailing NULs,
    spaces and tabs aside, as PX-Web exports have them). A file cut short usually does not."""
    try:
        with path.open("rb") as f:
            f.seek(max(0, path.stat().st_size - 64))
            tail = f.read().rstrip(b"\x00 \t")
    except OSError:
        return True  # read_rows has read it: nothing more to say
    return tail.endswith((b"\n", b"\r"))


def _read(
    fmt: str, rows: list, name: str, options: ImportOptions, decimal: str, complete: bool = True
) -> pd.DataFrame:
    if fmt == "tidy":
        return read_tidy(rows, name, options, decimal)
    if fmt == "wdi":
        return wdi.read_wdi(rows, name, options)
    return pxweb.read_gso(rows, name, options, decimal, complete)


def _parse_workbook(path: Path, digest: str, options: ImportOptions) -> Parsed:
    parts, formats, problems = [], set(), []
    hidden, uncached = workbook_notes(path)
    for sheet, rows in read_sheets(path, options.sheet).items():
        label = f"{path.name} [{sheet}]"
        if sheet in hidden:
            logger.warning(
                "%s: sheet %r is hidden and is imported like the others (--sheet reads one)", path, sheet
            )
        fmt = detect_format(path, rows) if options.format == "auto" else options.format
        try:
            raw = _refuse_lines(_read(fmt, rows, label, options, "."), uncached.get(sheet, {}))
            parts.append((raw, label, _letters(rows)))
            formats.add(fmt)
        except DataFileError as e:
            if options.sheet:
                raise
            problems.append(str(e))
    if not parts:
        raise DataFileError(f"{path}: no sheet holds a table ({'; '.join(problems)})")
    return _parsed(path, digest, "+".join(sorted(formats)), parts, options)


def workbook_notes(path: Path) -> tuple[list[str], dict[str, dict[int, str]]]:
    """Return the hidden sheets of a workbook and, per sheet, ``{row: reason}`` of the rows holding a
    formula without a saved value (a workbook written by a program that does not calculate: its
    cells read as empty, and would be counted missing when they are unknown)."""
    from openpyxl import load_workbook

    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return [], {}
    try:
        formulas, values = load_workbook(path, data_only=False), load_workbook(path, data_only=True)
    except Exception:  # noqa: BLE001 - read_sheets names a broken workbook
        return [], {}
    hidden = [ws.title for ws in formulas.worksheets if ws.sheet_state != "visible"]
    uncached: dict[str, dict[int, str]] = {}
    for ws in formulas.worksheets:
        saved = values[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" and saved[cell.coordinate].value is None:
                    uncached.setdefault(ws.title, {}).setdefault(
                        cell.row,
                        f"cell {cell.coordinate} holds a formula ({str(cell.value)[:60]}) with no saved value; "
                        "open the workbook in Excel or LibreOffice, save it and import it again",
                    )
    return hidden, uncached


def _refuse_lines(raw: pd.DataFrame, reasons: dict[int, str]) -> pd.DataFrame:
    """Mark every cell of the given lines (:data:`~forecast.data.raw.PROBLEM`): quarantined, never missing."""
    if not reasons:
        return raw
    mine = raw["line"].map(reasons).fillna("")
    old = raw[PROBLEM] if PROBLEM in raw else ""
    return raw.assign(**{PROBLEM: mine.where(mine != "", old)})


def _letters(rows: list) -> dict[str, str]:
    """Header name -> spreadsheet column letter ("value" -> "D"), from the header row of a sheet."""
    from openpyxl.utils import get_column_letter

    header: list[str] = next((c for _, c in rows[:3] if {"geo", "value"} <= {x.lower() for x in c}), [])
    return {name.lower(): get_column_letter(i + 1) for i, name in enumerate(header) if name}


def _parsed(path: Path, digest: str, fmt: str, parts: list, options: ImportOptions) -> Parsed:
    checked = [validate(raw, label, options.geo_era) for raw, label, *_ in parts]
    for (_, _, *letters), check in zip(parts, checked):
        if letters and len(check[1]):  # a workbook: name the cell's column letter too
            check[1]["column"] = [
                f"{c} ({letters[0][c]})" if c in letters[0] else c for c in check[1]["column"]
            ]
    good = pd.concat([c[0] for c in checked], ignore_index=True)
    quarantine = pd.concat([c[1] for c in checked], ignore_index=True)
    read = sum(len(raw) for raw, *_ in parts)
    missing, duplicate = sum(c[2] for c in checked), sum(c[3] for c in checked)
    return Parsed(str(path), digest, fmt, good, quarantine, read, missing, duplicate)


def _json(path: Path, parse: bool = True) -> tuple[object, str]:
    import json

    try:
        data = path.read_bytes()
        return (json.loads(data.decode("utf-8-sig")) if parse else None), hashlib.sha256(data).hexdigest()
    except OSError as e:
        raise DataFileError(f"{path}: cannot read the file ({e.strerror}); check the path") from e
    except ValueError as e:
        raise DataFileError(f"{path}: not valid JSON ({e}); download the table again") from e


#: A UTF-8 tidy CSV larger than this is read and checked in chunks of :data:`CHUNK_ROWS` lines.
STREAM_BYTES = 8_000_000
CHUNK_ROWS = 50_000
TEXT_COLUMNS = ("geo", "indicator", "unit", "source", "note")


def _parse_large_tidy(path: Path, options: ImportOptions) -> Parsed | None:
    """Read a large UTF-8 tidy CSV chunk by chunk (memory stays flat); ``None`` for any other file."""
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls") or options.format not in ("auto", "tidy"):
        return None
    try:
        if path.stat().st_size <= STREAM_BYTES:
            return None
        digest, utf8 = _digest_utf8(path)
    except OSError:
        return None  # read_rows reports it
    if not utf8:
        return None
    with path.open(encoding="utf-8-sig", newline="") as f:
        first = f.readline()
        delim = max(",;\t", key=first.count)
        f.seek(0)
        reader = csv.reader(f, delimiter=delim, strict=True)
        lines = ((reader.line_num, [c.strip() for c in cells]) for cells in reader)
        head = list(itertools.islice(lines, 3))
        if looks_like_registry(head):
            _refuse_targets(path)
        if detect_format(path, head) != "tidy":
            return None
        return _check_chunks(path, head, lines, options, "," if delim == ";" else ".", digest)


def _check_chunks(
    path: Path, head: list, lines: Iterator, options: ImportOptions, decimal: str, digest: str
) -> Parsed:
    need = {"geo", "indicator", "year", "value"}
    start = next((i for i, (_, c) in enumerate(head) if need <= {x.lower() for x in c}), 0)
    header, pending = head[start], head[start + 1 :]
    parts: list[pd.DataFrame] = []
    bad: list[dict] = []
    missing = read = 0
    try:
        while True:
            chunk = pending + list(itertools.islice(lines, CHUNK_ROWS))
            pending = []
            if not chunk:
                break
            raw = read_tidy([header, *chunk], path.name, options, decimal)
            rows, chunk_bad, chunk_missing = check_rows(raw, path.name, options.geo_era)
            parts.append(rows.astype({c: "category" for c in TEXT_COLUMNS}))  # few distinct values each
            bad, missing, read = bad + chunk_bad, missing + chunk_missing, read + len(raw)
            del raw, rows, chunk
    except csv.Error as e:
        raise DataFileError(f"{path}: cannot parse the CSV ({e}); the file may be truncated") from e
    good, quarantine, missing, duplicate = finish(parts, bad, missing, path.name)
    return Parsed(str(path), digest, "tidy", good, quarantine, read, missing, duplicate)


def _digest_utf8(path: Path) -> tuple[str, bool]:
    """Return the file's SHA-256 and whether all of it is UTF-8, reading 1 MB at a time."""
    digest, decoder, ok = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")(), True
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
            if ok:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    ok = False
    return digest.hexdigest(), ok and not decoder.getstate()[0]
