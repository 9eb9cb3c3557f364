"""Files the workbench writes for the user: one output rule, and cells safe to open in a spreadsheet.

The output rule (:func:`check_outputs`), shared by every command that writes a file (``backtest
--out``, ``run --out`` and ``--scenario-out``, ``data template --out``, the report's downloads):

* never over an existing file unless the user says ``--force`` (and never over a folder);
* never over the store, its write-ahead log or its quarantine file, any other DuckDB database,
  nor over one of the command's inputs, even with ``--force``;
* checked before any work starts, so a refusal costs nothing and changes nothing.

:func:`write_output` then writes through a temporary sibling moved into place only when complete,
so an interrupted or failed write never leaves half a file, and it checks the rule once more.

Spreadsheet safety (:func:`safe_cells`): a text cell starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return is read as a formula by Excel and LibreOffice (OWASP "CSV injection").
Such text gets a leading apostrophe in CSV files; in workbooks it is stored as a string
(:func:`safe_sheet`), never as a formula. Numbers, negative ones included, stay numbers.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from forecast.errors import ForecastError, io_error

__all__ = ["OutputError", "check_outputs", "safe_cells", "safe_sheet", "safe_text", "write_output"]


class OutputError(ForecastError):
    """Raised when a command would write over a file it must not (exit code 1)."""


def _same(a: Path, b: Path) -> bool:
    """Whether two paths name one file (symbolic and hard links included)."""
    with contextlib.suppress(OSError):
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def check_outputs(
    outputs: dict[str, str | os.PathLike | None],
    *,
    force: bool = False,
    keep: Iterable[str | os.PathLike | None] = (),
) -> None:
    """Refuse, before any work, to write any of ``outputs`` where the output rule forbids it.

    Parameters
    ----------
    outputs
        ``{option name: path}`` of the files the command will write, e.g. ``{"--out": "bt.csv"}``;
        a None path (option not given) is skipped.
    force
        Allow writing over an existing plain file (never over ``keep``, never over a folder).
    keep
        Files never written whatever ``force`` says: the store and its companions, the inputs.

    Raises
    ------
    OutputError
        Naming the option, the path and the fix.
    """
    kept = [Path(k) for k in keep if k]
    seen: dict[Path, str] = {}
    for option, raw in outputs.items():
        if not raw:
            continue
        path = Path(raw)
        if any(_same(path, k) for k in kept):
            raise OutputError(
                f"{option} {path} names the store or an input of this command (or their companions), "
                f"never written over, even with --force: pass {option} a new file name"
            )
        twin = next((o for p, o in seen.items() if _same(path, p)), None)
        if twin is not None:
            raise OutputError(f"{option} and {twin} both name {path}: give each its own file")
        seen[path] = option
        if path.is_dir():
            raise OutputError(f"{option} {path} is a folder: pass {option} a file name inside it")
        if path.exists() and not path.is_file():
            raise OutputError(
                f"{option} {path} is not a plain file (a device, pipe or socket) and is never written over: "
                f"pass {option} a new file name"
            )
        if _is_database(path):
            raise OutputError(
                f"{option} {path} is a DuckDB database (a workbench store?) and is never written over, "
                f"even with --force: pass {option} a new file name"
            )
        if (path.exists() or path.is_symlink()) and not force:
            raise OutputError(
                f"{option} {path} already exists and is kept: choose a new file name, "
                "or pass --force to replace it"
            )


def _is_database(path: Path) -> bool:
    """Whether ``path`` is a DuckDB database file (its magic bytes ``DUCK`` at offset 8)."""
    try:
        with path.open("rb") as f:
            return f.read(12)[8:12] == b"DUCK"
    except OSError:
        return False


def write_output(
    path: str | os.PathLike,
    write: Callable[[Path], object],
    *,
    force: bool = False,
    keep: Iterable[str | os.PathLike | None] = (),
) -> Path:
    """Write ``path`` by ``write(temporary path)``, then move it into place; return ``path``.

    The rule of :func:`check_outputs` is checked again (a file may have appeared since). A failed
    write removes its temporary file and leaves ``path`` as it was.

    Raises
    ------
    OutputError
        If the rule forbids writing ``path``.
    ForecastError
        :class:`~forecast.errors.DiskFullError` or :class:`~forecast.errors.ReadOnlyError` when
        the folder cannot be written.
    """
    path = Path(path)
    check_outputs({"output": path}, force=force, keep=keep)
    dest = path.resolve() if force and path.is_symlink() else path  # --force writes through a link
    tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
    made = [p for p in (dest.parent, *dest.parent.parents) if not p.exists()]
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        if force:
            os.replace(tmp, dest)
        else:
            _place(tmp, dest)
    except BaseException as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        for folder in made:  # innermost first; only the folders made here, only while empty
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(e, OSError):
            raise io_error(e, path, f"writing {path.name}") or OutputError(
                f"{path} cannot be written ({e.strerror or e}): choose a writable folder"
            ) from e
        raise
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return path


def _place(tmp: Path, path: Path) -> None:
    """Move ``tmp`` to ``path`` only if nothing is there (a hard link never replaces a file)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise OutputError(
            f"{path} appeared while it was being written and is kept: choose a new file name"
        ) from None
    except OSError:  # a file system without hard links: the check just made is the best we have
        if path.exists():
            raise OutputError(f"{path} already exists and is kept: choose a new file name") from None
        os.replace(tmp, path)


# --- spreadsheet safety --------------------------------------------------------------------------

#: Leading characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def risky(text: object) -> bool:
    """Whether ``text`` is a string a spreadsheet would read as a formula (a plain number is not)."""
    return isinstance(text, str) and text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text)


def safe_text(text: object) -> object:
    """Return ``text`` with a leading apostrophe when a spreadsheet would read it as a formula."""
    return "'" + text if risky(text) else text  # type: ignore[operator]


def safe_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every risky text cell quoted (:func:`safe_text`); numbers untouched.

    For CSV files: the apostrophe shows the text as written and keeps it from being evaluated.
    """
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype == object or isinstance(series.dtype, pd.StringDtype | pd.CategoricalDtype):
            values = series.astype(object)
            if values.map(risky).any():
                out[col] = values.map(safe_text)
    out.columns = [safe_text(c) for c in out.columns]
    return out


def safe_sheet(sheet: object) -> None:
    """Store every cell of an openpyxl worksheet that would be a formula as plain text instead."""
    for row in sheet.iter_rows():  # type: ignore[attr-defined]
        for cell in row:
            if cell.data_type == "f" or risky(cell.value):
                cell.data_type = "s"
