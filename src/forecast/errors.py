"""One hierarchy for every error the workbench raises on purpose.

Messages name the bad value and the fix; only :mod:`forecast.cli` turns them into exit codes.
"""

from __future__ import annotations


class ForecastError(Exception):
    """Base class of every error the workbench raises on purpose."""


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
