"""The series an assessment row was answered with, as the assessment used it.

A row whose own points are carried forward by another series (column ``gap``,
:func:`forecast.assess.carry.carry_forward`) is assessed on those points and on the carried,
widened forecast; a chart beside the scorecard must draw those, not the carrier as published.
:func:`used_series` rebuilds them from an assessment row, the observations and the forecasts, with
the own points the level was anchored on and the carrier as context. Nothing here fits a model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from forecast.assess import assessment, carry, matching


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=["geo", "indicator", "year", "value"])


@dataclass(frozen=True)
class UsedSeries:
    """What an assessment row was answered with.

    ``observations`` and ``forecasts`` (one model) are the series as assessed (the own points and
    the carried forecast when the row's ``gap`` is set); ``anchors`` are the province's (or
    region's) own points the level was anchored on and ``context`` the carrier as published (both
    empty when nothing is carried).
    """

    observations: pd.DataFrame = field(default_factory=_empty)
    forecasts: pd.DataFrame = field(default_factory=pd.DataFrame)
    anchors: pd.DataFrame = field(default_factory=_empty)
    context: pd.DataFrame = field(default_factory=_empty)

    @property
    def shifted(self) -> bool:
        """Whether the series was shifted by a gap."""
        return not self.anchors.empty


def _one_model(fc: pd.DataFrame, model: str) -> pd.DataFrame:
    if fc.empty or "model" not in fc.columns:
        return fc
    chosen = model if (fc["model"] == model).any() else sorted(fc["model"].unique())[0]
    return fc[fc["model"] == chosen].sort_values("year")


def used_series(
    row: Mapping, observations: pd.DataFrame, forecasts: pd.DataFrame, model: str = "ensemble"
) -> UsedSeries:
    """Return the observations and forecast an assessment row was assessed on.

    Parameters
    ----------
    row
        One row of the assessments frame (``province``, ``indicator``, ``geo``, ``series``, ``gap``).
    observations
        Observations holding the row's series and, for a shifted one, the province's own points.
    forecasts
        Forecasts frame; model ``model`` where present, else the first by name (as
        :func:`forecast.assess.assessment.assess_targets` picks it).
    model
        The model the assessment read.

    Returns
    -------
    UsedSeries
        Empty frames when the row has no series.
    """
    series, geo_name = str(row.get("series") or ""), str(row.get("geo") or "")
    if not series or observations.empty:
        return UsedSeries()
    obs = observations.dropna(subset=["value"])
    mine = obs[(obs["geo"] == geo_name) & (obs["indicator"] == series)].sort_values("year")
    fc = (
        forecasts[(forecasts["geo"] == geo_name) & (forecasts["indicator"] == series)]
        if len(forecasts)
        else forecasts
    )
    fc = _one_model(fc, model)
    gap = row.get("gap")
    if gap is None or pd.isna(gap) or not math.isfinite(float(gap)):
        return UsedSeries(mine, fc)
    anchors = _anchors(row, obs)
    if anchors.empty:
        return UsedSeries(mine, fc)
    points, carried, _ = carry.carry_forward(anchors, mine, fc, str(row["indicator"]))
    return UsedSeries(points, carried if carried is not None else fc.iloc[0:0], points, mine)


def _anchors(row: Mapping, obs: pd.DataFrame) -> pd.DataFrame:
    """The short own series the matching stage anchored the borrowed series on (empty: none)."""
    obs = assessment._with_definitions(obs).sort_values(["geo", "indicator", "year"])
    groups = dict(list(obs.groupby(["geo", "base_indicator"], sort=False)))
    choice = matching.choose(dict(row), groups)
    if not choice.anchor:
        return _empty()
    own = groups.get((choice.anchor_geo or str(row["province"]), choice.anchor_base))
    return _empty() if own is None else carry.own_points(own[own["indicator"] == choice.anchor])
