"""The data a province must supply: the series whose absence keeps a target indicative or unanswered.

:func:`data_needs` reads a province's assessments: a row on a borrowed or other-definition series
(``tier`` indicative), without any series (``no_data``) or with too short a series
(``insufficient_data``) needs the province's own figures of the plan's indicator. For each such
(province, indicator) it names the years to fill: from the year after the province's last own
observation (or the :data:`RECENT_YEARS` years before the report when it has none, or only of
another definition) to the year before the report. The leaders' summary of the brief lists them and
``forecast data template --needed`` writes exactly these rows into the province's workbook.
"""

from __future__ import annotations

import pandas as pd

from forecast.registry import indicators

__all__ = ["NEED_COLUMNS", "RECENT_YEARS", "data_needs", "unanswered"]

#: Years asked for when the province has no own series of the plan's indicator: enough for a trend.
RECENT_YEARS = 6
NEED_COLUMNS = ["province", "indicator", "year_from", "year_to", "target_years", "why"]
_UNANSWERED = ("no_data", "insufficient_data")


def unanswered(assessments: pd.DataFrame) -> pd.Series:
    """Which rows need the province's own data: indicative tier, no data or too short a series."""
    a = assessments
    if a.empty or "verdict" not in a.columns:
        return pd.Series(False, index=a.index)
    tier = a["tier"].fillna("").astype(str) if "tier" in a.columns else _tier(a)
    return (tier == "indicative") | a["verdict"].isin(_UNANSWERED)


def _tier(a: pd.DataFrame) -> pd.Series:
    """The tier of assessments made before the column existed: own basis and definition, else indicative."""
    own = a["basis"].eq("own") if "basis" in a.columns else pd.Series(False, index=a.index)
    series = a["series"].fillna("").astype(str) if "series" in a.columns else pd.Series("", index=a.index)
    same = [indicators.base_indicator(s)[0] == i if s else False for s, i in zip(series, a["indicator"])]
    return pd.Series(["verdict" if o and s else "indicative" for o, s in zip(own, same)], index=a.index)


def _last_own_years(observations: pd.DataFrame) -> dict[tuple[str, str], int]:
    """The last year of each (geo, catalogue indicator) among the observations of its own definition."""
    if observations.empty:
        return {}
    obs = observations.dropna(subset=["value"])
    codes = obs["indicator"].astype(str)  # each code resolved once, not once per row (0.13 s a brief)
    base = codes.map({c: indicators.base_indicator(c)[0] for c in codes.unique()})
    return {(str(g), str(i)): int(y) for (g, i), y in obs.groupby([obs["geo"], base])["year"].max().items()}


def data_needs(assessments: pd.DataFrame, observations: pd.DataFrame, report_year: int) -> pd.DataFrame:
    """Return one row per (province, indicator) whose own data is missing (:data:`NEED_COLUMNS`).

    Parameters
    ----------
    assessments
        A province's outcome assessments (for a merged province, its old provinces' rows).
    observations
        The analysis series (their ``geo`` and ``indicator``: the last own year of each).
    report_year
        The report's year: the years to fill end the year before it.

    Returns
    -------
    pandas.DataFrame
        ``year_from``–``year_to`` the years to fill, ``target_years`` the targets they answer
        (``"2025, 2030"``), ``why`` the worst reason among them: ``no_data``, ``insufficient_data``
        or ``indicative``. In the order of the assessments.
    """
    a = assessments[unanswered(assessments)]
    if a.empty:
        return pd.DataFrame(columns=NEED_COLUMNS)
    last = _last_own_years(observations)
    why = a["verdict"].where(a["verdict"].isin(_UNANSWERED), "indicative")
    rows = []
    for (province, code), group in a.assign(_why=why).groupby(["province", "indicator"], sort=False):
        own = last.get((str(province), str(code)))
        indicative = (group["_why"] == "indicative").all()
        start = own + 1 if own and not indicative else report_year - RECENT_YEARS
        start = min(start, report_year - 1)
        reasons = set(group["_why"])
        rows.append(
            {
                "province": province,
                "indicator": code,
                "year_from": start,
                "year_to": report_year - 1,
                "target_years": ", ".join(
                    str(int(y)) for y in sorted(set(group.get("year", pd.Series(dtype=int))))
                ),
                "why": next(r for r in (*_UNANSWERED, "indicative") if r in reasons),
            }
        )
    return pd.DataFrame(rows, columns=NEED_COLUMNS)
