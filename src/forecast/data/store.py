"""The embedded store: a DuckDB file holding every observation ever imported, and the imports.

Tables: ``observations`` (geo, indicator, year, value, unit, source, note, import_id, line) and
``imports`` (one row per file imported). The engine adds ``runs``, ``forecasts`` and
``assessments`` through :func:`connect`. Every import is one transaction: a failure leaves the
store as it was. A row equal to a stored one (same geo, indicator, year, source and value) is
skipped as a duplicate, so re-importing a file adds nothing; a different value from the same
source (a revision) is kept beside the old one. Rows that fail validation go to
``<store>.quarantine.csv`` (appended, with file, line, column, value and reason).

Reads (:func:`load_observations`, :func:`analysis_series`, :func:`data_fingerprint`) open the
file read-only, so report notebooks running side by side share it. :func:`analysis_series` keeps
one row per geo, indicator and year by the source-priority rule of :mod:`forecast.sources`;
coverage and the targets without data (``forecast data status``) are in :mod:`forecast.assess.coverage`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import pandas as pd

from forecast import config
from forecast.data import readers
from forecast.data.priority import drop_breaks, pick_sources
from forecast.data.raw import ImportOptions, Parsed
from forecast.errors import DataFileError, StoreError
from forecast.log import logger
from forecast.registry import geo, indicators

OBS_COLUMNS = [
    "geo",
    "indicator",
    "year",
    "value",
    "unit",
    "source",
    "import_id",
    "base_indicator",
    "definition",
    "note",
]
DEFAULT_FILES = ("vn_provinces.csv", "vn_national.csv", "vn_published_facts.csv")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS imports (
    import_id INTEGER PRIMARY KEY, file VARCHAR, fingerprint VARCHAR, format VARCHAR,
    imported_at TIMESTAMP DEFAULT current_timestamp, rows_read INTEGER, rows_imported INTEGER,
    rows_duplicate INTEGER, rows_missing INTEGER, rows_quarantined INTEGER);
CREATE TABLE IF NOT EXISTS observations (
    geo VARCHAR NOT NULL, indicator VARCHAR NOT NULL, year INTEGER NOT NULL,
    value DOUBLE NOT NULL, unit VARCHAR, source VARCHAR NOT NULL, note VARCHAR,
    import_id INTEGER NOT NULL, line INTEGER);
"""
_LOCK_TRIES = 20


@contextlib.contextmanager
def connect(
    path: str | os.PathLike | None = None, read_only: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to the store, creating the file and the schema on first use.

    ``read_only=True`` lets several processes (report notebooks) read one store at once; it
    falls back to a read-write connection when the store has no schema yet or this process
    already holds one. A brief lock held by a writer is waited for.

    Raises
    ------
    StoreError
        If the file cannot be opened (kept locked by another process, not a DuckDB file).
    """
    file = config.store_path(path)
    con = _open(file, read_only=True) if read_only and file.exists() else None
    if (
        con is not None
        and not con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'observations'"
        ).fetchall()[0][0]
    ):
        con.close()
        con = None
    opened = con or _open(file, read_only=False)
    assert opened is not None  # _open raises when it cannot open
    try:
        yield opened
    finally:
        opened.close()


def _open(file: Path, read_only: bool) -> duckdb.DuckDBPyConnection | None:
    for attempt in range(_LOCK_TRIES):
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            con = duckdb.connect(str(file), read_only=read_only)
            if not read_only:
                con.execute(_SCHEMA).fetchall()
            return con
        except duckdb.Error as e:
            if read_only and "lock" not in str(e).lower():
                return None  # e.g. this process already holds a read-write connection
            if "lock" not in str(e).lower() or attempt == _LOCK_TRIES - 1:
                raise StoreError(
                    f"cannot open the store {file} ({e}); close other programs "
                    "using it or pass another file with --store"
                ) from e
            time.sleep(0.1 * (attempt + 1))
        except OSError as e:
            raise StoreError(
                f"cannot create the store {file} ({e}); pass a writable path with --store"
            ) from e
    return None


def quarantine_path(path: str | os.PathLike | None = None) -> Path:
    """Return the quarantine CSV beside the store: ``<store>.quarantine.csv``."""
    file = config.store_path(path)
    return file.with_name(file.name + ".quarantine.csv")


def import_files(
    files: Sequence[str | os.PathLike],
    path: str | os.PathLike | None = None,
    options: ImportOptions = ImportOptions(),
) -> pd.DataFrame:
    """Import observation files, one transaction per file.

    Every file is read and validated before anything is written, so an unreadable file
    stops the whole import with the store untouched.

    Returns
    -------
    pandas.DataFrame
        One row per file: file, format, read, imported, duplicate, missing, quarantined, reasons.

    Raises
    ------
    DataFileError
        If a file cannot be read at all (missing, truncated, wrong format).
    """
    parsed = [readers.parse_file(f, options) for f in files]
    return pd.DataFrame([_write(p, path) for p in parsed])


def _write(parsed: Parsed, path: str | os.PathLike | None) -> dict:
    with connect(path) as con:
        seen = con.execute(
            "SELECT count(*) FROM imports WHERE fingerprint = ?", [parsed.fingerprint]
        ).fetchall()[0][0]
        imported = _insert(con, parsed)
    quarantined = len(parsed.quarantine)
    if quarantined and not seen:  # a re-import does not repeat the same quarantine rows
        _append_quarantine(parsed.quarantine, path)
    reasons = parsed.quarantine["reason"].map(reason_kind)
    summary = {
        "file": Path(parsed.file).name,
        "format": parsed.format,
        "read": parsed.read,
        "imported": imported,
        "duplicate": parsed.duplicate + len(parsed.rows) - imported,
        "missing": parsed.missing,
        "quarantined": quarantined,
        "reasons": "; ".join(f"{k}: {v}" for k, v in reasons.value_counts().items()),
    }
    logger.info(
        "imported %(file)s: %(imported)d rows, %(duplicate)d duplicates, %(quarantined)d quarantined", summary
    )
    return summary


_KINDS = [
    ("unknown province", "unknown province"),
    ("merged into", "province merged in 2025"),
    ("unknown indicator", "unknown indicator"),
    ("not a number", "non-numeric value"),
    ("single calendar year", "not a single year"),
    ("out of range", "year out of range"),
    ("outside the bounds", "value out of bounds"),
    ("disagrees with the unit", "unit mismatch"),
    ("different values", "conflicting duplicate"),
    ("fields but the header", "truncated line"),
]


def reason_kind(reason: str) -> str:
    """Return the short category of a quarantine reason ("unit mismatch", "unknown province" …)."""
    return next((kind for text, kind in _KINDS if text in reason), "other")


def _insert(con: duckdb.DuckDBPyConnection, parsed: Parsed) -> int:
    con.execute("BEGIN TRANSACTION").fetchall()
    try:
        import_id = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchall()[0][0]
        before = con.execute("SELECT count(*) FROM observations").fetchall()[0][0]
        incoming = parsed.rows.drop_duplicates(["geo", "indicator", "year", "source", "value"])
        con.register("incoming", incoming)
        con.execute(
            """
            INSERT INTO observations
            SELECT i.geo, i.indicator, i.year, i.value, i.unit, i.source, i.note, ?, i.line
            FROM incoming i WHERE NOT EXISTS (
                SELECT 1 FROM observations o WHERE o.geo = i.geo AND o.indicator = i.indicator
                AND o.year = i.year AND o.source = i.source AND o.value = i.value)""",
            [import_id],
        ).fetchall()
        con.unregister("incoming")
        imported = con.execute("SELECT count(*) FROM observations").fetchall()[0][0] - before
        con.execute(
            "INSERT INTO imports (import_id, file, fingerprint, format, rows_read, "
            "rows_imported, rows_duplicate, rows_missing, rows_quarantined) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                import_id,
                parsed.file,
                parsed.fingerprint,
                parsed.format,
                parsed.read,
                imported,
                parsed.duplicate + len(parsed.rows) - imported,
                parsed.missing,
                len(parsed.quarantine),
            ],
        ).fetchall()
        con.execute("COMMIT").fetchall()
    except BaseException as e:
        with contextlib.suppress(duckdb.Error):  # closing without COMMIT rolls back anyway
            con.execute("ROLLBACK").fetchall()
        if isinstance(e, duckdb.Error):
            raise StoreError(
                f"import of {parsed.file} failed and was rolled back ({e}); the store is unchanged"
            ) from e
        raise
    return int(imported)


def _append_quarantine(rows: pd.DataFrame, path: str | os.PathLike | None) -> None:
    file = quarantine_path(path)
    rows = rows.assign(quarantined_at=pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"))
    rows.to_csv(file, mode="a", header=not file.exists(), index=False, encoding="utf-8")
    logger.warning("%d rows quarantined in %s", len(rows), file)


def load_observations(
    path: str | os.PathLike | None = None, geo: str | None = None, indicator: str | None = None
) -> pd.DataFrame:
    """Return every stored observation (all sources), optionally for one geo and/or indicator.

    Columns: geo, indicator, year, value, unit, source, import_id, base_indicator, definition,
    note (see docs/contracts.md). ``geo`` may be any spelling ("Ha Nam", "VN").
    """
    sql, args = "SELECT * FROM observations WHERE true", list[str]()
    if geo:
        sql, args = sql + " AND geo = ?", args + [_geo_name(geo)]
    if indicator:
        sql, args = sql + " AND indicator = ?", args + [indicator]
    with connect(path, read_only=True) as con:
        df = con.execute(sql + " ORDER BY geo, indicator, year, source", args).df()
    links = {
        c: indicators.series_info(c) or {"base": c, "definition": "not in the catalogue"}
        for c in df["indicator"].unique()
    }
    df["base_indicator"] = df["indicator"].map(lambda c: links[c]["base"]).astype("str")
    df["definition"] = df["indicator"].map(lambda c: links[c]["definition"]).astype("str")
    df = df.astype({"year": "int64", "import_id": "int64"})
    df["note"] = df["note"].fillna("")
    return df[OBS_COLUMNS].reset_index(drop=True)


def _geo_name(name: str) -> str:
    return geo.resolve_geo(name)


def analysis_series(
    path: str | os.PathLike | None = None, geo: str | None = None, indicator: str | None = None
) -> pd.DataFrame:
    """Return one row per (geo, indicator, year), chosen by the source-priority rule.

    The rule is :func:`forecast.sources.pick_sources`; years of a known series break are left out
    (:func:`forecast.sources.drop_breaks`). The columns are those of :func:`load_observations`.
    """
    return drop_breaks(pick_sources(load_observations(path, geo, indicator)))


def data_fingerprint(path: str | os.PathLike | None = None) -> str:
    """Return a SHA-256 of the observations' content (not of import ids or times).

    Re-importing the same files leaves it unchanged; any new or revised value changes it.
    """
    with connect(path, read_only=True) as con:
        rows = con.execute(
            "SELECT geo, indicator, year, value, unit, source FROM observations ORDER BY ALL"
        ).fetchall()
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr(row).encode("utf-8"))
    return digest.hexdigest()


def ensure_default_data(path: str | os.PathLike | None = None) -> dict:
    """Import the bundled public statistics (``config.SHARED_DATA_DIR``) into an empty store.

    Returns
    -------
    dict
        ``{"imported": n, "duplicate": n, "quarantined": n, "files": [...]}``; all zero (and
        ``"files": []``) when the store already holds observations.

    Raises
    ------
    DataFileError
        If the store is empty and the shared files are missing.
    """
    with connect(path) as con:
        held = con.execute("SELECT count(*) FROM observations").fetchall()[0][0]
    if held:
        return {"imported": 0, "duplicate": 0, "quarantined": 0, "files": []}
    files = [config.SHARED_DATA_DIR / name for name in DEFAULT_FILES]
    absent = [str(f) for f in files if not f.exists()]
    if absent:
        raise DataFileError(
            f"default data missing: {absent}; set FORECAST_SHARED_DATA to the "
            "folder holding the public statistics"
        )
    summary = import_files(files, path)
    result = {k: int(summary[k].sum()) for k in ("imported", "duplicate", "quarantined")}
    logger.info(
        "store was empty: imported the default public data from %s (%d rows)",
        config.SHARED_DATA_DIR,
        result["imported"],
    )
    return {**result, "files": [f.name for f in files]}


def data_vintage(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The latest observed year per imported file (``source`` = file name, ``latest_year``), newest first.

    A readable data vintage for report footers; an empty frame when there is no store.
    """
    empty = pd.DataFrame(columns=["source", "latest_year"])
    if not config.store_path(path).exists():
        return empty
    with connect(path, read_only=True) as con:
        if con is None:
            return empty
        df = con.execute(
            "SELECT i.file AS source, max(o.year) AS latest_year FROM observations o "
            "JOIN imports i USING (import_id) GROUP BY i.file ORDER BY latest_year DESC, source"
        ).df()
    df["source"] = [Path(str(f)).name for f in df["source"]]
    return df.reindex(columns=empty.columns)
