"""The embedded store: a DuckDB file holding every observation ever imported, and the imports.

Tables: ``observations`` (geo, indicator, year, value, unit, source, note, import_id, line,
quality: the flags of :mod:`forecast.data.quality`, added to older stores on first write) and
``imports`` (one row per file imported). The engine adds ``runs``, ``forecasts`` and
``assessments`` through :func:`connect`. Every import is one transaction: a failure leaves the
store as it was. A row equal to a stored one (same geo, indicator, year, source and value) is
skipped as a duplicate, so re-importing a file adds nothing; a different value from the same
source (a revision) is kept beside the old one. Rows that fail validation go to the
``quarantine`` table in the same transaction as the good rows (so they are never lost), and are
then exported to ``<store>.quarantine.csv`` (appended, with file, line, column, value and reason);
rows whose export failed are exported by the next import.

Reads (:func:`load_observations`, :func:`analysis_series`, :func:`data_fingerprint`) open the
file read-only, so report notebooks running side by side share it. :func:`analysis_series` keeps
one row per geo, indicator and year by the source-priority rule of :mod:`forecast.data.priority`;
coverage and the targets without data (``forecast data status``) are in :mod:`forecast.assess.coverage`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import pandas as pd

from forecast import config
from forecast.data import readers, validate
from forecast.data.jumps import detect_jumps, drop_jumps
from forecast.data.priority import drop_breaks, pick_sources
from forecast.data.quality import quality_column
from forecast.data.raw import ImportOptions, Parsed
from forecast.errors import (
    DataFileError,
    ForecastError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    io_error,
)
from forecast.log import logger
from forecast.outputs import safe_cells
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
    "quality",
]
DEFAULT_FILES = (
    "vn_provinces.csv",
    "vn_national.csv",
    "vn_published_facts.csv",
    "vn_observed_2017plus.csv",
    "vn_national_more.csv",  # national BHYT, stunting, all-sector staff, HALE, obesity, UHC index, MMR
    "vn_papi_health.csv",  # PAPI public-health score by province: context, never a verdict
    "gso_pxweb/Percentage of household having hygienic water by region.csv",  # regions only
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS imports (
    import_id INTEGER PRIMARY KEY, file VARCHAR, fingerprint VARCHAR, format VARCHAR,
    imported_at TIMESTAMP DEFAULT current_timestamp, rows_read INTEGER, rows_imported INTEGER,
    rows_duplicate INTEGER, rows_missing INTEGER, rows_quarantined INTEGER);
CREATE TABLE IF NOT EXISTS observations (
    geo VARCHAR NOT NULL, indicator VARCHAR NOT NULL, year INTEGER NOT NULL,
    value DOUBLE NOT NULL, unit VARCHAR, source VARCHAR NOT NULL, note VARCHAR,
    import_id INTEGER NOT NULL, line INTEGER, quality VARCHAR);
ALTER TABLE observations ADD COLUMN IF NOT EXISTS quality VARCHAR;
CREATE TABLE IF NOT EXISTS quarantine (
    import_id INTEGER NOT NULL, file VARCHAR, line INTEGER, "column" VARCHAR, value VARCHAR,
    reason VARCHAR, quarantined_at VARCHAR, exported BOOLEAN DEFAULT false);
CREATE TABLE IF NOT EXISTS schema_version (
    generator VARCHAR NOT NULL, version INTEGER NOT NULL, written_at TIMESTAMP, note VARCHAR);
"""
#: The schema this code writes, recorded in the table ``schema_version`` when a store is created.
#: Version 1 is the schema of the stores made before the table existed (recognised by their tables).
SCHEMA_VERSION = 2
GENERATOR = "forecast-workbench"
#: Column types of the tables every store has; ``observations.quality`` and ``quarantine`` came
#: later and may be absent from a version-1 store (added when it is upgraded).
TABLES = {
    "imports": dict.fromkeys(["import_id", "rows_read", "rows_imported", "rows_duplicate"], "INTEGER")
    | dict.fromkeys(["rows_missing", "rows_quarantined"], "INTEGER")
    | dict.fromkeys(["file", "fingerprint", "format"], "VARCHAR")
    | {"imported_at": "TIMESTAMP"},
    "observations": dict.fromkeys(["geo", "indicator", "unit", "source", "note", "quality"], "VARCHAR")
    | dict.fromkeys(["year", "import_id", "line"], "INTEGER")
    | {"value": "DOUBLE"},
    "quarantine": dict.fromkeys(["import_id", "line"], "INTEGER")
    | dict.fromkeys(["file", "column", "value", "reason", "quarantined_at"], "VARCHAR")
    | {"exported": "BOOLEAN"},
    "schema_version": {"generator": "VARCHAR", "version": "INTEGER"},
}
_LATER = {("observations", "quality"), ("quarantine", None), ("schema_version", None)}
_LOCK_TRIES = 20


@contextlib.contextmanager
def connect(
    path: str | os.PathLike | None = None, read_only: bool = False, must_exist: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to the store, creating a new store (file and schema) on first use.

    Every store is checked before anything is read or written (:func:`check_schema`): a file
    that is not a workbench store, or whose schema is damaged or unknown, is refused and never
    written. A store made before stores recorded their schema version, intact, is upgraded in
    place on its first read-write use.

    ``read_only=True`` lets several processes (report notebooks) read one store at once; it
    falls back to a read-write connection when this process already holds one. A brief lock held
    by a writer is waited for. ``must_exist=True`` never creates a store: a missing file is an
    error (``data status --store typo.duckdb``).

    Raises
    ------
    StoreError
        If the file cannot be opened: :class:`~forecast.errors.StoreLockedError` (kept locked by
        another program), :class:`~forecast.errors.StoreCorruptError` (truncated, damaged, not a
        DuckDB file, not a workbench store, an unknown schema), :class:`~forecast.errors.DiskFullError`
        or :class:`~forecast.errors.ReadOnlyError` (a write failed), or missing with ``must_exist``.
    """
    file = config.store_path(path)
    _check_path(file)
    if must_exist and not file.is_file():
        raise StoreError(
            f"the store {file} does not exist; check the --store path (or FORECAST_STORE), "
            "or create it with `forecast data import`"
        )
    if not file.exists():
        _create(file)
    con = _open(file, read_only=True) if read_only else None
    opened = con or _open(file, read_only=False)
    assert opened is not None  # _open raises when it cannot open
    try:
        if check_schema(opened, file) < SCHEMA_VERSION and con is None:
            _upgrade(opened, file)
        yield opened
    except duckdb.Error as e:  # damage found while reading, a full disk while writing
        raise store_error(e, file, "using the store") from e
    finally:
        with contextlib.suppress(duckdb.Error):  # closing a damaged or full store may fail too
            opened.close()


def check_store(path: str | os.PathLike | None = None) -> Path:
    """Check (creating a new store if there is none) that ``path`` is a sound workbench store.

    Raises as :func:`connect` does; returns the store file.
    """
    with connect(path):
        return config.store_path(path)


def _check_path(file: Path) -> None:
    """Refuse a store path DuckDB cannot take: bytes that are not UTF-8 (it fails deep inside)."""
    try:
        str(file).encode("utf-8")
    except UnicodeEncodeError:
        raise StoreError(
            f"the store path {os.fsencode(file).decode('utf-8', 'backslashreplace')} is not valid UTF-8 "
            "(DuckDB cannot open it); rename the folder or file, or pass another path with --store"
        ) from None


def _create(file: Path) -> None:
    """Create a new store at ``file``: schema and version written in a sibling, then linked into place.

    A store is never half-created (an empty DuckDB file would not be recognised as a store), and
    a file that appeared meanwhile (another process creating the same store) is kept.
    """
    tmp = file.with_name(f".{file.name}.new-{os.getpid()}")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(tmp))
        try:
            con.execute(_SCHEMA).fetchall()
            _stamp(con, "created")
        finally:
            con.close()
        try:
            os.link(tmp, file)
        except FileExistsError:
            pass  # made by another process just now: checked as any store when opened
        except OSError:  # no hard links on this file system
            if not file.exists():
                os.replace(tmp, file)
    except duckdb.Error as e:
        raise store_error(e, file, "creating the store") from e
    except OSError as e:
        raise io_error(e, file.parent, "creating the store") or StoreError(
            f"cannot create the store {file} ({e}); pass a writable path with --store"
        ) from e
    finally:
        for stale in (tmp, Path(f"{tmp}.wal")):
            with contextlib.suppress(OSError):
                stale.unlink()


def _stamp(con: duckdb.DuckDBPyConnection, note: str) -> None:
    con.execute(
        "INSERT INTO schema_version VALUES (?, ?, current_timestamp, ?)", [GENERATOR, SCHEMA_VERSION, note]
    ).fetchall()


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """``{table: {column: type}}`` of the store's own tables."""
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main'"
    ).fetchall()
    out: dict[str, dict[str, str]] = {}
    for table, column, kind in rows:
        out.setdefault(table, {})[column] = kind
    return out


def check_schema(con: duckdb.DuckDBPyConnection, file: Path) -> int:
    """Return the schema version of the open store, after checking it is a sound workbench store.

    A store without the ``schema_version`` table is version 1 when its tables are the
    workbench's (:data:`TABLES`); anything else is refused.

    Raises
    ------
    StoreCorruptError
        If the file is not a workbench store, a table or column is missing or of another type,
        or its schema version is unknown (one line naming the file and what to do).
    """
    found = _columns(con)
    if not set(found) & {"imports", "observations", "schema_version"}:
        raise StoreCorruptError(
            f"{file} is a DuckDB database but not a workbench store (no imports or observations "
            "table); it was left as it is: pass your store with --store, or a new file name to create one"
        )
    version = _version(con, file) if "schema_version" in found else 1
    for table, columns in TABLES.items():
        have = found.get(table)
        if have is None:
            if version == 1 and (table, None) in _LATER:
                continue
            raise _damaged(file, f"its {table} table is missing")
        for column, kind in columns.items():
            if column not in have and version == 1 and (table, column) in _LATER:
                continue
            if have.get(column) != kind:
                what = f"is {have[column]}, not {kind}" if column in have else "is missing"
                raise _damaged(file, f"column {table}.{column} {what}")
    return version


def _version(con: duckdb.DuckDBPyConnection, file: Path) -> int:
    try:
        rows = con.execute("SELECT generator, version FROM schema_version").fetchall()
    except duckdb.Error as e:
        raise _damaged(file, f"its schema_version table cannot be read ({str(e).splitlines()[0]})") from e
    if not rows or any(g != GENERATOR for g, _ in rows):
        raise _damaged(file, "its schema_version table does not name this workbench")
    version = max(int(v) for _, v in rows)
    if version > SCHEMA_VERSION:
        raise StoreCorruptError(
            f"the store {file} has schema version {version}, newer than this workbench's "
            f"{SCHEMA_VERSION}; it was left as it is: upgrade the workbench (pip install -U) to use it"
        )
    return version


def _damaged(file: Path, what: str) -> StoreCorruptError:
    return StoreCorruptError(
        f"the store {file} is damaged or not a workbench store ({what}); it was left as it is: "
        "restore it from a backup, or pass a new file with --store and re-import the data"
    )


def _upgrade(con: duckdb.DuckDBPyConnection, file: Path) -> None:
    """Bring a version-1 store (checked intact) to :data:`SCHEMA_VERSION` in one transaction."""
    con.execute("BEGIN TRANSACTION").fetchall()
    try:
        con.execute(_SCHEMA).fetchall()
        _stamp(con, "upgraded from version 1")
        con.execute("COMMIT").fetchall()
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK").fetchall()
        raise
    logger.info("upgraded the store %s to schema version %d", file, SCHEMA_VERSION)


_LOCKED = ("could not set lock", "conflicting lock")
_CORRUPT = ("corrupt", "not a valid duckdb", "could not read enough bytes", "checksum", "serializ")


def is_locked(error: BaseException) -> bool:
    """Return whether a DuckDB error means another process holds the file's lock.

    Matched on DuckDB's own words: "block" (as in "checksum ... in block") also contains "lock".
    """
    return any(t in str(error).lower() for t in _LOCKED)


def store_error(error: BaseException, file: Path, doing: str) -> ForecastError:
    """Return the typed error for a DuckDB or OS error met while ``doing`` something with ``file``."""
    text = str(error).split("\n")[0]
    if is_locked(error):
        return StoreLockedError(
            f"the store {file} is locked by another program ({text}); close the other program "
            "(another `forecast` or a notebook) or pass another file with --store"
        )
    if any(t in text.lower() for t in _CORRUPT):
        return StoreCorruptError(
            f"the store {file} is damaged or not a DuckDB file ({text}); restore it from a backup, "
            "or move it away and re-import the data into a new store (`forecast data import`)"
        )
    typed = io_error(error, file, doing)
    if typed is not None:
        return typed
    return StoreError(f"cannot use the store {file} ({text}); check the file or pass another with --store")


def _open(file: Path, read_only: bool) -> duckdb.DuckDBPyConnection | None:
    for attempt in range(_LOCK_TRIES):
        try:
            return duckdb.connect(str(file), read_only=read_only)
        except duckdb.Error as e:
            if not is_locked(e) or attempt == _LOCK_TRIES - 1:
                if read_only and not is_locked(e) and "different configuration" in str(e):
                    return None  # this process already holds a read-write connection
                raise store_error(e, file, "opening the store") from e
            time.sleep(0.1 * (attempt + 1))
        except OSError as e:
            raise io_error(e, file.parent, "opening the store") or StoreError(
                f"cannot open the store {file} ({e}); pass a readable path with --store"
            ) from e
    return None


def quarantine_path(path: str | os.PathLike | None = None) -> Path:
    """Return the quarantine CSV beside the store: ``<store>.quarantine.csv``."""
    file = config.store_path(path)
    return file.with_name(file.name + ".quarantine.csv")


def store_files(path: str | os.PathLike | None = None) -> list[Path]:
    """Return the files of a store that no command output may replace: it, its WAL, its quarantine CSV."""
    file = config.store_path(path)
    return [file, file.with_name(file.name + ".wal"), quarantine_path(file)]


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
        parsed = _against_stored(con, parsed)
        imported = _insert(con, parsed, config.store_path(path))
        _export_quarantine(con, path)
    quarantined = len(parsed.quarantine)
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


def _against_stored(con: duckdb.DuckDBPyConnection, parsed: Parsed) -> Parsed:
    """Quarantine rows implausibly far from their series as stored (:func:`validate.implausible`)."""
    if not len(parsed.rows):
        return parsed
    con.register("keys", parsed.rows[["geo", "indicator"]].drop_duplicates())
    stored = con.execute(
        "SELECT o.geo, o.indicator, o.year, o.value FROM observations o JOIN keys k USING (geo, indicator)"
    ).df()
    con.unregister("keys")
    if not len(stored):
        return parsed
    rows, jumps = validate.implausible(parsed.rows, Path(parsed.file).name, stored)
    if not jumps:
        return parsed
    bad = pd.concat(
        [parsed.quarantine, pd.DataFrame(jumps, columns=parsed.quarantine.columns)], ignore_index=True
    )
    return dataclasses.replace(parsed, rows=rows, quarantine=bad)


_KINDS = [
    ("unknown province", "unknown province"),
    ("merged into", "province merged in 2025"),
    ("unknown indicator", "unknown indicator"),
    ("not a number", "non-numeric value"),
    ("single calendar year", "not a single year"),
    ("out of range", "year out of range"),
    ("outside the bounds", "value out of bounds"),
    ("is implausible", "implausible value"),
    ("not plausible", "implausible value"),
    ("disagrees with the unit", "unit mismatch"),
    ("different values", "conflicting duplicate"),
    ("may be truncated", "truncated file"),
    ("fields but the header", "truncated line"),
]


def reason_kind(reason: str) -> str:
    """Return the short category of a quarantine reason ("unit mismatch", "unknown province" …)."""
    return next((kind for text, kind in _KINDS if text in reason), "other")


def _insert(con: duckdb.DuckDBPyConnection, parsed: Parsed, file: Path) -> int:
    con.execute("BEGIN TRANSACTION").fetchall()
    try:
        import_id = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchall()[0][0]
        before = con.execute("SELECT count(*) FROM observations").fetchall()[0][0]
        incoming = parsed.rows.drop_duplicates(["geo", "indicator", "year", "source", "value"])
        con.register("incoming", incoming)
        con.execute(
            """
            INSERT INTO observations
                (geo, indicator, year, value, unit, source, note, import_id, line, quality)
            SELECT i.geo, i.indicator, i.year, i.value, i.unit, i.source, i.note, ?, i.line, i.quality
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
        _record_quarantine(con, parsed.quarantine, import_id)
        con.execute("COMMIT").fetchall()
    except BaseException as e:
        with contextlib.suppress(duckdb.Error):  # closing without COMMIT rolls back anyway
            con.execute("ROLLBACK").fetchall()  # may fail itself (full disk): the first error counts
        if isinstance(e, duckdb.Error):
            typed = store_error(e, file, f"importing {parsed.file}")
            raise type(typed)(
                f"import of {parsed.file} failed and was rolled back; the store is unchanged: {typed}"
            ) from e
        raise
    return int(imported)


def _record_quarantine(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame, import_id: int) -> None:
    """Store the quarantined rows not already recorded (a re-import adds none twice)."""
    if not len(rows):
        return
    stamp = pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds")
    bad = rows.assign(line=pd.to_numeric(rows["line"], errors="coerce").astype("Int64"), stamp=stamp)
    con.register("bad", bad.astype({"file": str, "column": str, "value": str, "reason": str}))
    con.execute(
        """
        INSERT INTO quarantine (import_id, file, line, "column", value, reason, quarantined_at)
        SELECT ?, b.file, b.line, b."column", b.value, b.reason, b.stamp FROM bad b
        WHERE NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.file = b.file
            AND q.line IS NOT DISTINCT FROM b.line AND q."column" = b."column"
            AND q.value = b.value AND q.reason = b.reason)""",
        [import_id],
    ).fetchall()
    con.unregister("bad")


def _export_quarantine(con: duckdb.DuckDBPyConnection, path: str | os.PathLike | None) -> None:
    """Append the stored quarantine rows not yet exported to ``<store>.quarantine.csv``.

    A failed export (read-only folder, full disk) is a warning: the rows stay in the store's
    ``quarantine`` table and the next import exports them.
    """
    todo = con.execute(
        'SELECT file, line, "column", value, reason, quarantined_at, rowid FROM quarantine '
        "WHERE NOT exported ORDER BY rowid"
    ).df()
    if not len(todo):
        return
    file = quarantine_path(path)
    if not _ours(file):
        logger.warning(
            "%s is not a quarantine file of this workbench (its first line differs) and is left as "
            "it is; %d quarantined rows stay recorded in the store: move the file away and import again",
            file,
            len(todo),
        )
        return
    try:
        safe_cells(todo.drop(columns="rowid")).to_csv(  # no cell of an imported file runs as a formula
            file, mode="a", header=not file.exists(), index=False, encoding="utf-8"
        )
    except OSError as e:
        logger.warning(
            "%d quarantined rows are recorded in the store but could not be written to %s (%s); "
            "make the folder writable: the next import writes them",
            len(todo),
            file,
            e.strerror or e,
        )
        return
    con.execute(f"UPDATE quarantine SET exported = true WHERE rowid <= {int(todo['rowid'].max())}").fetchall()
    logger.warning("%d rows quarantined in %s", len(todo), file)


_QUARANTINE_HEADER = "file,line,column,value,reason,quarantined_at"


def _ours(file: Path) -> bool:
    """Whether the quarantine CSV is absent or one this workbench wrote (its header line)."""
    try:
        with file.open(encoding="utf-8", errors="replace") as f:
            return f.readline().strip() in ("", _QUARANTINE_HEADER)  # empty: nothing to lose
    except FileNotFoundError:
        return True
    except OSError:
        return False


def load_quarantine(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Return every quarantined row recorded in the store (file, line, column, value, reason …)."""
    with connect(path, read_only=True, must_exist=True) as con:
        return con.execute(
            'SELECT import_id, file, line, "column", value, reason, quarantined_at, exported '
            "FROM quarantine ORDER BY rowid"
        ).df()


def load_observations(
    path: str | os.PathLike | None = None,
    geo: str | None = None,
    indicator: str | None = None,
    *,
    must_exist: bool = False,
) -> pd.DataFrame:
    """Return every stored observation (all sources), optionally for one geo and/or indicator.

    Columns: geo, indicator, year, value, unit, source, import_id, base_indicator, definition,
    note (see docs/contracts.md). ``geo`` may be any spelling ("Ha Nam", "VN"). With
    ``must_exist`` a missing store is an error instead of a new empty store.
    """
    sql, args = "SELECT * FROM observations WHERE true", list[str]()
    if geo:
        sql, args = sql + " AND geo = ?", args + [_geo_name(geo)]
    if indicator:
        sql, args = sql + " AND indicator = ?", args + [indicator]
    with connect(path, read_only=True, must_exist=must_exist) as con:
        df = con.execute(sql + " ORDER BY geo, indicator, year, source", args).df()
    links = {
        c: indicators.series_info(c) or {"base": c, "definition": "not in the catalogue"}
        for c in df["indicator"].unique()
    }
    df["base_indicator"] = df["indicator"].map(lambda c: links[c]["base"]).astype("str")
    df["definition"] = df["indicator"].map(lambda c: links[c]["definition"]).astype("str")
    df = df.astype({"year": "int64", "import_id": "int64"})
    df["note"] = df["note"].fillna("")
    if "quality" not in df.columns:  # a store opened read-only before its migration
        df["quality"] = None
    unflagged = df["quality"].isna()  # rows stored before the quality column existed
    df["quality"] = df["quality"].astype(object)
    df.loc[unflagged, "quality"] = quality_column(df.loc[unflagged, "note"], df.loc[unflagged, "source"])
    df["quality"] = df["quality"].astype("str")
    return df[OBS_COLUMNS].reset_index(drop=True)


def _geo_name(name: str) -> str:
    return geo.resolve_geo(name)


def analysis_series(
    path: str | os.PathLike | None = None, geo: str | None = None, indicator: str | None = None
) -> pd.DataFrame:
    """Return one row per (geo, indicator, year), chosen by the source-priority rule.

    The rule is :func:`forecast.data.priority.pick_sources` (better ``quality`` first); rows
    flagged ``suspect`` are left out, and so are the years of a known series break
    (:func:`forecast.data.priority.drop_breaks`) and of a break found in the data
    (:func:`forecast.data.jumps.detect_jumps`, which compares every geo, whatever ``geo`` asks
    for). The columns are those of :func:`load_observations`.
    """
    out, _ = _analysis(_picked(path, indicator))
    if indicator:
        out = out[out["indicator"] == indicator]
    return out[out["geo"] == _geo_name(geo)].reset_index(drop=True) if geo else out.reset_index(drop=True)


def analysis_with_breaks(path: str | os.PathLike | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(analysis_series(path), series_breaks(path))`` from one read of the store.

    A run computes both once (:func:`forecast.pipeline.prepare_run`) and saves them with its
    frames, so no report page reads the store again.
    """
    out, found = _analysis(_picked(path, None))
    return out.reset_index(drop=True), found


def _analysis(picked: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The priority-picked rows without known and found breaks, and the breaks found."""
    found = detect_jumps(picked)
    if found.size:
        logger.info("left %d observations of breaks found in the data out of the analysis", len(found))
    return drop_jumps(drop_breaks(picked), found), found


def _picked(path: str | os.PathLike | None, indicator: str | None) -> pd.DataFrame:
    # Every geo, and the national *_gso series beside the provincial one: breaks are found across them.
    base = indicator[:-4] if indicator and indicator.endswith("_gso") else indicator
    family = [base, f"{base}_gso"] if base else [None]
    obs = pd.concat([load_observations(path, None, code) for code in family], ignore_index=True)
    picked = pick_sources(obs)
    return picked[~picked["quality"].str.contains("suspect")].reset_index(drop=True)


def analysis_parts(path: str | os.PathLike | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(picked, found)``: the whole store after the priority rule (suspect rows out) and the
    breaks found in it, from which :func:`analysis_series` is made (one read for ``data show``)."""
    picked = _picked(path, None)
    return picked, detect_jumps(picked)


def series_breaks(path: str | os.PathLike | None = None, indicator: str | None = None) -> pd.DataFrame:
    """Return the breaks found in the stored data (:func:`forecast.data.jumps.detect_jumps`)."""
    return detect_jumps(_picked(path, indicator))


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


def snapshot(path: str | os.PathLike | None, dest: str | os.PathLike) -> dict:
    """Copy the store into the new file ``dest`` as one consistent snapshot; return what it holds.

    The copy is made by DuckDB inside one read transaction (``COPY FROM DATABASE``), so an
    import committed meanwhile is either wholly in it or not at all; a report then reads only
    the snapshot (:mod:`forecast.report.publish.quarter`).

    Returns
    -------
    dict
        ``{"source": store file, "file": dest, "data_fingerprint": ..., "taken": ISO time}``.
    """
    src, target = config.store_path(path), Path(dest)
    with connect(src, read_only=True, must_exist=True):
        pass  # a workbench store, sound: checked before it is copied
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in (target, Path(f"{target}.wal")):
        stale.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(target))
        try:
            con.execute(f"ATTACH '{_sql_text(src)}' AS forecast_source (READ_ONLY)").fetchall()
            con.execute(f"COPY FROM DATABASE forecast_source TO {_sql_name(con)}").fetchall()
            con.execute("DETACH forecast_source").fetchall()
            con.execute("CHECKPOINT").fetchall()
        finally:
            con.close()
    except duckdb.Error as e:
        raise store_error(e, src if "forecast_source" in str(e) else target, "taking a snapshot") from e
    taken = pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds")
    return {
        "source": str(src),
        "file": str(target),
        "data_fingerprint": data_fingerprint(target),
        "taken": taken,
    }


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")


def _sql_name(con: duckdb.DuckDBPyConnection) -> str:
    name = con.execute("SELECT current_database()").fetchall()[0][0]
    return '"' + str(name).replace('"', '""') + '"'


def data_vintage(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The latest observed year per imported file (``source`` = file name, ``latest_year``), newest first.

    A readable data vintage for report footers; an empty frame when there is no store.
    """
    empty = pd.DataFrame(columns=["source", "latest_year"])
    if not config.store_path(path).exists():
        return empty
    with connect(path, read_only=True) as con:
        df = con.execute(
            "SELECT i.file AS source, max(o.year) AS latest_year FROM observations o "
            "JOIN imports i USING (import_id) GROUP BY i.file ORDER BY latest_year DESC, source"
        ).df()
    df["source"] = [Path(str(f)).name for f in df["source"]]
    return df.reindex(columns=empty.columns)


def source_vintage(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The latest observed year and row count per ``source`` text (``source``, ``year``, ``rows``).

    :func:`forecast.data.provenance.publisher_vintage` names the publishers from it; an empty
    frame when there is no store.
    """
    empty = pd.DataFrame(columns=["source", "year", "rows"])
    if not config.store_path(path).exists():
        return empty
    with connect(path, read_only=True) as con:
        if con is None:
            return empty
        df = con.execute(
            "SELECT source, max(year) AS year, count(*) AS rows FROM observations GROUP BY source"
        ).df()
    return df.reindex(columns=empty.columns)
