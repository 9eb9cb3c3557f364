"""Scales on which the models fit: logit for bounded percentages, log for rates, identity otherwise.

Every model fits on the indicator's transformed scale and its forecasts are mapped back with
:meth:`Transform.inverse`, so that a coverage never exceeds 100% and a mortality rate is never
negative (FPP3 §5.1 "Transformations"; §13.3 "Ensuring forecasts stay within limits").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from forecast.errors import ModelError
from forecast.log import logger
from forecast.registry.indicators import VARIANT_SUFFIXES, catalogue, series_info

KINDS = ("identity", "log", "logit")


@dataclass(frozen=True)
class Transform:
    """A monotone map between an indicator's natural scale and the scale the models fit on.

    Parameters
    ----------
    kind : {"identity", "log", "logit"}
        ``log`` maps ``y - lower``; ``logit`` maps ``(y - lower) / (upper - lower)``.
    lower, upper : float
        Bounds from the catalogue (ignored by ``identity``).
    eps : float
        Share of the range kept between a value and a bound (logit), so 0% and 100% stay finite.
    log_eps : float
        The same for ``log`` (smaller: a rate of 0.5 per 1000 is a real value, not a bound).
    """

    kind: str = "identity"
    lower: float = 0.0
    upper: float = 1.0
    eps: float = 1e-3
    log_eps: float = 1e-5

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ModelError(f"transform {self.kind!r} is not one of {KINDS}: fix the catalogue")
        if self.kind != "identity" and not self.upper > self.lower:
            raise ModelError(
                f"transform bounds ({self.lower}, {self.upper}) are not increasing: "
                "fix lower/upper in data/indicators.csv"
            )

    @property
    def width(self) -> float:
        """Width of the admissible range on the natural scale."""
        return self.upper - self.lower

    def forward(self, y: np.ndarray) -> np.ndarray:
        """Map natural values to the model scale (values at a bound are pulled in by ``eps``)."""
        y = np.asarray(y, dtype=float)
        if self.kind == "identity":
            return y.copy()
        p = (y - self.lower) / self.width
        if self.kind == "log":
            return np.log(np.clip(p, self.log_eps, 1.0))
        p = np.clip(p, self.eps, 1 - self.eps)
        return np.log(p) - np.log1p(-p)

    def inverse(self, z: np.ndarray) -> np.ndarray:
        """Map model-scale values back to the natural scale, inside ``[lower, upper]``."""
        z = np.asarray(z, dtype=float)
        if self.kind == "identity":
            return z.copy()
        if self.kind == "log":
            p = np.minimum(np.exp(np.minimum(z, 0.0)), 1.0)
        else:
            p = 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))
        return self.lower + self.width * p

    def at_bound(self, y: float) -> bool:
        """Whether ``y`` sits at (within ``eps`` of) a bound the transform cannot leave."""
        if self.kind == "identity":
            return False
        p = (y - self.lower) / self.width
        if self.kind == "log":
            return bool(p <= self.log_eps)
        return bool(p <= self.eps or p >= 1 - self.eps)


# Suffixes of a subgroup of an indicator (stunting_u5_rural_gso): it shares the indicator's scale.
GROUP_SUFFIXES = ("_rural", "_urban", "_male", "_female")


def for_indicator(code: str) -> Transform:
    """Return the transform of an indicator code, a variant code or an auxiliary code.

    Looked up in order: the catalogue (``data/indicators.csv``); a variant or subgroup of a
    catalogue indicator, its suffixes (:data:`forecast.registry.indicators.VARIANT_SUFFIXES`,
    :data:`GROUP_SUFFIXES`) stripped (``imr_gso``, ``stunting_u5_rural_gso`` → ``stunting_u5``);
    the auxiliary series of ``data/series.csv`` and their variants
    (:func:`forecast.registry.indicators.series_info`): percentages within 0–100 on the logit scale, other
    non-negative bounded series (rates, counts) on the log scale, both with the series' bounds
    (FPP3 §13.3). Anything else — unknown codes, or series with signed bounds such as
    ``pop_growth`` — is forecast on the identity scale, with a logged warning.
    """
    tr, note = _lookup(str(code))
    if note:
        logger.warning(
            "indicator %r is not in the catalogue: forecasting it on the identity scale without bounds (%s)",
            code,
            note,
        )
    return tr


def _stems(code: str):
    """The code, then the codes left by stripping variant and subgroup suffixes (longest first)."""
    yield code
    for suffix in (*VARIANT_SUFFIXES, *GROUP_SUFFIXES):
        if code.endswith(suffix) and len(code) > len(suffix):
            yield from _stems(code[: -len(suffix)])


@lru_cache(maxsize=512)
def _lookup(code: str) -> tuple[Transform, str]:
    """The transform of ``code`` and, for the identity fallback, why (empty otherwise)."""
    cat = catalogue()
    base = next((c for c in _stems(code) if c in cat.index), None)
    if base is not None:
        row = cat.loc[base]
        return Transform(str(row["transform"]), float(row["lower"]), float(row["upper"])), ""
    info = next(filter(None, (series_info(c) for c in _stems(code))), None)
    if info is None:
        return Transform("identity"), "add it to data/indicators.csv to set them"
    lo, hi = float(info["lower"]), float(info["upper"])
    if not (np.isfinite(lo) and np.isfinite(hi) and 0 <= lo < hi):
        return Transform("identity"), f"its data/series.csv range {lo:g} to {hi:g} is signed"
    kind = "logit" if "percent" in info["units"] and hi <= 100 else "log"
    # counts have loose ceilings (1e7): keep the log floor at 0.01 units, not a share of the range
    return Transform(kind, lo, hi, log_eps=min(1e-5, 1e-2 / (hi - lo))), ""


def series_status(values: np.ndarray, transform: Transform, min_points: int = 3) -> tuple[str, str]:
    """Classify a series before fitting: ``ok``, ``too_short``, ``constant`` or ``at_bound``.

    Parameters
    ----------
    values : array of float
        Observed values in time order (natural scale, NaN ignored).
    transform : Transform
        The indicator's transform, whose bounds define ``at_bound``.
    min_points : int
        Fewest observations a trend model is fitted to.

    Returns
    -------
    (status, reason)
        ``reason`` is empty when the status is ``ok``.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) < min_points:
        return (
            "too_short",
            f"{len(v)} observation(s), fewer than {min_points}: flat forecast at the last value",
        )
    if transform.at_bound(v[-1]):
        return "at_bound", f"last value {v[-1]:g} sits at a bound of the indicator: flat forecast"
    if np.ptp(v) == 0:
        return "constant", f"all {len(v)} values equal {v[0]:g}: flat forecast"
    return "ok", ""
