"""One hierarchy for every error the workbench raises on purpose.

Messages name the bad value and the fix; only :mod:`forecast.cli` turns them into exit codes.
"""

from __future__ import annotations


class ForecastError(Exception):
    """Base class of every error the workbench raises on purpose.

    ``exit_code`` is the CLI's exit status for it (1 unless a subclass says otherwise).
    """

    exit_code = 1

    def _render_traceback_(self) -> list[str]:
        """IPython shows this instead of the traceback: one line, the error's name and message.

        The message already names the bad value and the fix; the frames of the library are of no
        help to the reader of a notebook. Any other exception keeps its full traceback.
        """
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


class ValidationError(ForecastError):
    """Raised when a file's content breaks a rule (names file, line, column, value and the fix)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        where = ":".join(str(p) for p in (file, line) if p is not None)
        col = f" column {column!r}" if column else ""
        super().__init__(f"{where}{col}: {message}" if where or col else message)
        self.file, self.line, self.column, self.value = file, line, column, value


class UnknownGeoError(ForecastError):
    """Raised when a province or region name matches nothing in the reference."""


class UnknownIndicatorError(ForecastError):
    """Raised when an indicator code is not in the catalogue."""


class DataFileError(ForecastError):
    """Raised when an input file cannot be read at all (missing, truncated, wrong format)."""


class StoreError(ForecastError):
    """Raised when the embedded store cannot be opened or written."""


class MissingDataError(ForecastError):
    """Raised when a computation needs data the store does not hold (e.g. population for a year)."""


class ModelError(ForecastError):
    """Raised when a model is asked for something it cannot do (unknown name, bad quantile)."""


class ReportError(ForecastError):
    """Raised when a report run cannot start or one of its notebooks failed."""


class StoreLockedError(StoreError):
    """Raised when another program keeps the store locked for longer than the wait."""

    exit_code = 3


class StoreCorruptError(StoreError):
    """Raised when the store file is truncated, damaged or not a DuckDB file at all."""

    exit_code = 4


class DiskFullError(ForecastError):
    """Raised when a write fails because the disk (or the user's quota) is full."""

    exit_code = 5


class ReadOnlyError(ForecastError):
    """Raised when a write fails because a folder or file is read-only (or not ours to write)."""

    exit_code = 6


#: ``errno`` values of a full disk or quota, and of a read-only or forbidden place.
_FULL = (28, 122)  # ENOSPC, EDQUOT
_READ_ONLY = (30, 13, 1)  # EROFS, EACCES, EPERM
_FULL_TEXT = ("no space left", "disk full", "quota exceeded")
_READ_ONLY_TEXT = ("read-only file system", "permission denied", "operation not permitted")


def io_error(error: BaseException, path: object, doing: str) -> ForecastError | None:
    """Return the typed error for an ``OSError`` or I/O message (disk full, read-only), else ``None``.

    Parameters
    ----------
    error
        The exception raised by the operating system or by a library that wraps it (DuckDB).
    path
        The file or folder that was being written; named in the message.
    doing
        What was being done, e.g. ``"writing the store"``; the message says nothing was changed.
    """
    code = getattr(error, "errno", None)
    text = str(error).lower()
    if code in _FULL or any(t in text for t in _FULL_TEXT):
        return DiskFullError(
            f"the disk holding {path} is full while {doing}; free some space (or pass a folder "
            "on another disk) and run again"
        )
    if code in _READ_ONLY or any(t in text for t in _READ_ONLY_TEXT):
        return ReadOnlyError(
            f"{path} is read-only or not writable while {doing}; make it writable "
            "(chmod u+w, remount read-write) or pass a writable path"
        )
    return None


class PanelWarning(UserWarning):
    """Warned when a pooled model is asked to forecast a panel of one series (it needs the others)."""
