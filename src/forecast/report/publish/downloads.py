"""The numbers behind a brief as files: scorecards and chart series to CSV and Excel.

Pure: frames in, frames (or files) out. Column headers are the codes of ``docs/contracts.md``
(``indicator``, ``p_attain``, ``verdict`` ...); two label columns (``indicator_name``,
``verdict_label``) carry the words of the brief in its language. CSV files are UTF-8 with a byte
order mark, so Excel shows Vietnamese diacritics; numbers are written unrounded, as in the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from forecast.outputs import safe_cells, safe_sheet, write_output
from forecast.report.pages.text import category_label, indicator_name

__all__ = ["SCORECARD_COLUMNS", "SERIES_COLUMNS", "scorecard_table", "series_table", "write_table"]

#: Leading columns of a scorecard download (any other assessment column follows, in run order).
SCORECARD_COLUMNS = (
    "province",
    "plan_id",
    "indicator",
    "indicator_name",
    "series",
    "geo",
    "basis",
    "year",
    "comparator",
    "value",
    "value_high",
    "unit",
    "latest_year",
    "latest_value",
    "data_age",
    "timing",
    "q025",
    "q10",
    "q50",
    "q90",
    "q975",
    "p_attain",
    "verdict",
    "verdict_label",
    "pace",
    "rate_observed",
    "rate_required",
)
#: Columns of a chart-series download: one row per observed point, forecast year or target.
SERIES_COLUMNS = (
    "chart",
    "geo",
    "series",
    "kind",
    "year",
    "value",
    "value_high",
    "comparator",
    "unit",
    "source",
    "model",
    "q025",
    "q10",
    "q50",
    "q90",
    "q975",
)


def scorecard_table(assessments: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Return assessment rows as downloaded: scorecard order (targets without data last), labels added.

    Every value is the run's own (no rounding); ``indicator_name`` and ``verdict_label`` are the
    brief's words in ``lang``.
    """
    a = assessments.copy()
    if "verdict" in a:
        a = a.sort_values("verdict", key=lambda c: c.eq("no_data"), kind="stable")
        a["verdict_label"] = [category_label(str(v or "no_data"), lang) for v in a["verdict"]]
    if "indicator" in a:
        a["indicator_name"] = [indicator_name(str(i), lang) for i in a["indicator"]]
    first = [c for c in SCORECARD_COLUMNS if c in a.columns]
    return a[first + [c for c in a.columns if c not in first]].reset_index(drop=True)


def _pick_model(fc: pd.DataFrame) -> pd.DataFrame:
    """The forecast a fan chart draws: ``ensemble`` when present, else the first model by name."""
    if fc.empty or "model" not in fc.columns:
        return fc
    models = sorted(fc["model"].dropna().unique())
    chosen = "ensemble" if "ensemble" in models else (models[0] if models else None)
    return fc[fc["model"] == chosen]


def _panel_rows(title: str, obs: pd.DataFrame, fc: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    o = obs.rename(columns={"indicator": "series"}).assign(kind="observed")
    f = _pick_model(fc).rename(columns={"indicator": "series"}).assign(kind="forecast")
    g = targets.assign(kind="target")
    if "series" not in g and "indicator" in g:
        g = g.rename(columns={"indicator": "series"})
    parts = [p.sort_values("year") for p in (o, f, g) if len(p)]
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["year"])
    return rows.assign(chart=title)


def series_table(panels: Sequence[tuple[Any, ...]]) -> pd.DataFrame:
    """Return the series behind fan charts as one long table (:data:`SERIES_COLUMNS`).

    ``panels`` are ``(title, observations, forecasts, targets)`` as
    :func:`forecast.report.pages.views.fan_panels` gives them; ``kind`` is ``observed``, ``forecast``
    (quantiles ``q025`` … ``q975`` of the model the chart draws) or ``target``.
    """
    frames = [_panel_rows(*p[:4]) for p in panels]  # a FanPanel's title, observations, forecasts, targets
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return rows.reindex(columns=list(SERIES_COLUMNS))


def write_table(frame: pd.DataFrame, stem: str | Path, sheet: str = "data") -> list[Path]:
    """Write ``frame`` to ``<stem>.csv`` (UTF-8 with BOM) and ``<stem>.xlsx``; return both paths.

    The Excel sheet ``sheet`` has a bold, frozen header row; missing values are empty cells.
    Both follow the output rule and hold no live formula (:mod:`forecast.outputs`).
    """
    csv, xlsx = Path(f"{stem}.csv"), Path(f"{stem}.xlsx")
    write_output(csv, lambda tmp: safe_cells(frame).to_csv(tmp, index=False, encoding="utf-8-sig"))
    write_output(xlsx, lambda tmp: _write_xlsx(frame, tmp, sheet[:31]))
    return [csv, xlsx]


def _write_xlsx(frame: pd.DataFrame, path: Path, sheet: str) -> None:
    clean = frame.astype(object).where(frame.notna(), None)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        clean.to_excel(writer, sheet_name=sheet, index=False, freeze_panes=(1, 0))
        ws = writer.sheets[sheet]
        safe_sheet(ws)  # text such as "=HYPERLINK(...)" stays text
        for col in ws.iter_cols(min_row=1, max_row=1):
            width = max(len(str(col[0].value or "")), 8)
            ws.column_dimensions[col[0].column_letter].width = min(width + 2, 40)
