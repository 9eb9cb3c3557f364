"""The package logger: the library logs, only the CLI talks to the user."""

import logging

logger = logging.getLogger("forecast")


class Stopwatch:
    """Seconds per stage of a job: :meth:`lap` closes the stage that ran since the last lap.

    ``Stopwatch().lap("import")`` after the import, ``.lap("forecast")`` after the forecasts, ...;
    :attr:`seconds` maps each stage to its wall seconds (a stage lapped twice adds up).
    """

    def __init__(self) -> None:
        import time

        self._clock = time.perf_counter
        self._last = self._clock()
        self.seconds: dict[str, float] = {}

    def lap(self, stage: str) -> float:
        """Close ``stage`` now; return its seconds."""
        now = self._clock()
        took, self._last = now - self._last, now
        self.seconds[stage] = round(self.seconds.get(stage, 0.0) + took, 3)
        return took
