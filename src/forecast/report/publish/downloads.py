"""The numbers behind a brief as files: scorecards and chart series to CSV and Excel.

Pure: frames in, frames (or files) out. :func:`scorecard_table` and :func:`series_table` keep the
codes of ``docs/contracts.md`` and the run's unrounded numbers; :func:`for_readers` writes such a
table as the brief's readers get it: headers in the page's language (messages ``col.<code>``),
codes in words (verdict, pace, indicator, model, publisher), numbers rounded to the precision
the brief shows them with, and a sheet "Giải thích cột" saying what each column holds
(``col_help.<code>``, with the column's code for analysts). CSV files are UTF-8 with a byte order
mark, so Excel shows Vietnamese diacritics; in the Excel file numbers are numbers with a number
format (a probability as a percentage), so Excel in any regional setting reads them as numbers.

CSV separators: the CSV stays machine-readable in every language (RFC 4180: ``,`` between
columns, ``.`` before decimals), for R, Stata and Python. A semicolon and decimal-comma CSV for
Vietnamese Excel was not chosen: Vietnamese offices run Excel with either regional setting
(vi-VN: ``;`` and ``,``; en-US: ``,`` and ``.``), so any one CSV opens as one column or as text in
half of them, and Excel's ``sep=;`` hint makes it ignore the UTF-8 mark (broken diacritics). The
Excel file is the reader's file: it opens with numbers as numbers under any setting. The pages
label the CSV as for software, the index says so (``downloads.csv_note``), and so does the last
row of the sheet "Giải thích cột".
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from forecast.data import provenance
from forecast.outputs import safe_cells, safe_sheet, write_output
from forecast.report.pages.html import basis_tag, target_text
from forecast.report.pages.text import (
    category_label,
    has_text,
    indicator_name,
    pace_label,
    series_title,
    t,
    target_digits,
    unit_label,
)

__all__ = [
    "READER_SCORECARD",
    "READER_SERIES",
    "SCORECARD_COLUMNS",
    "SERIES_COLUMNS",
    "dictionary",
    "for_readers",
    "scorecard_table",
    "series_table",
    "write_table",
]

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
    # only the downloaded columns: concatenating the targets' sixty columns took 0.25 s a brief
    parts = [p.sort_values("year")[[c for c in SERIES_COLUMNS if c in p]] for p in (o, f, g) if len(p)]
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


#: A scorecard as its readers download it: the columns, in order (their words are ``col.<code>``).
READER_SCORECARD = (
    "province",
    "plan_id",
    "indicator",
    "series",
    "year",
    "target",
    "unit",
    "latest_year",
    "latest_value",
    "q10",
    "q50",
    "q90",
    "p_attain",
    "verdict",
    "pace",
    "rate_observed",
    "rate_required",
    "rate_unit",
    "run_id",
)
#: Chart series as their readers download them.
READER_SERIES = ("chart", "geo", "kind", "year", "value", "unit", "q10", "q50", "q90", "model", "source")
#: Columns written as percentages (a probability 0–1) and as whole numbers (years, counts).
PERCENT_COLUMNS = ("p_attain",)
WHOLE_COLUMNS = ("year", "latest_year")


def _num(x: object, digits: int) -> float | None:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if pd.isna(v) else round(v, digits)


def _words(code: str, value: object, lang: str) -> object:
    """A code written as words (``very_unlikely`` -> ``Rất khó đạt``); other values unchanged."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    if code == "verdict":
        return category_label(str(value), lang)
    if code == "pace":
        return pace_label(str(value), lang)
    if code == "kind":
        key = f"series_kind.{value}"
        return t(key, lang) if has_text(key) else value
    if code == "model":
        key = f"model.{value}"
        return t(key, lang) if has_text(key) else value
    if code == "source":
        return t(f"publisher.{provenance.publisher(value)}", lang)
    if code == "rate_unit":
        key = f"rate_unit_name.{value}"
        return t(key, lang) if has_text(key) else value
    return value


def _scorecard_row(r: dict, lang: str) -> dict:
    d = target_digits(r.get("value"), r.get("value_high"))
    unit = str(r.get("unit") or "")
    row = {c: r.get(c) for c in READER_SCORECARD}
    row["indicator"] = indicator_name(str(r.get("indicator", "")), lang)
    series = r.get("series")
    row["series"] = series_title(str(series), lang) + basis_tag(r, lang) if series else None
    row["target"] = target_text(r, lang)
    row["unit"] = unit_label(unit, lang).strip() or None
    for c in ("latest_value", "q10", "q50", "q90"):
        row[c] = _num(r.get(c), d)
    row["p_attain"] = _num(r.get("p_attain"), 2)
    for c in ("rate_observed", "rate_required"):
        row[c] = _num(r.get(c), 2)
    for c in ("verdict", "pace", "rate_unit"):
        row[c] = _words(c, r.get(c), lang)
    return row


def _series_row(r: dict, lang: str) -> dict:
    row = {c: r.get(c) for c in READER_SERIES}
    for c in ("value", "q10", "q50", "q90"):
        row[c] = _num(r.get(c), 3)
    row["unit"] = unit_label(str(r.get("unit") or ""), lang).strip() or None
    for c in ("kind", "model", "source"):
        row[c] = _words(c, r.get(c), lang)
    return row


def for_readers(table: pd.DataFrame, lang: str = "vi", kind: str = "scorecard") -> pd.DataFrame:
    """``table`` (:func:`scorecard_table` or :func:`series_table`) as its readers download it.

    Columns :data:`READER_SCORECARD` (or :data:`READER_SERIES`) headed by their words in ``lang``;
    codes written in words; numbers rounded as the brief shows them; missing values empty.
    """
    columns, make = (READER_SERIES, _series_row) if kind == "series" else (READER_SCORECARD, _scorecard_row)
    rows = [make(r, lang) for r in table.to_dict("records")]
    out = pd.DataFrame(rows, columns=list(columns))
    out = out[[c for c in columns if c in table.columns or c in ("target", "series") or out[c].notna().any()]]
    for c in WHOLE_COLUMNS:
        if c in out:
            out[c] = pd.to_numeric(out[c], errors="coerce").astype("Int64")
    return out.rename(columns={c: t(f"col.{c}", lang) for c in out.columns})


def dictionary(columns: Sequence[str], lang: str = "vi") -> pd.DataFrame:
    """The sheet "Giải thích cột": each column's header, its code and what it holds, in ``lang``."""
    codes = {t(f"col.{c}", lang): c for c in (*READER_SCORECARD, *READER_SERIES)}
    rows = []
    for header in columns:
        code = codes.get(header, header)
        rows.append([header, code, t(f"col_help.{code}", lang) if has_text(f"col_help.{code}") else ""])
    rows.append([t("downloads.csv_format", lang), "", t("downloads.csv_note", lang)])  # the CSV twin
    return pd.DataFrame(rows, columns=[t("col.column", lang), t("col.code", lang), t("col.meaning", lang)])


def write_table(
    frame: pd.DataFrame, stem: str | Path, sheet: str = "data", lang: str | None = None
) -> list[Path]:
    """Write ``frame`` to ``<stem>.csv`` (UTF-8 with BOM) and ``<stem>.xlsx``; return both paths.

    The Excel sheet ``sheet`` has a bold, frozen header row; missing values are empty cells;
    numbers stay numbers, with a number format (percentages for :data:`PERCENT_COLUMNS`). With
    ``lang`` the workbook also has the sheet "Giải thích cột" (:func:`dictionary`). Both files
    follow the output rule and hold no live formula (:mod:`forecast.outputs`).
    """
    csv, xlsx = Path(f"{stem}.csv"), Path(f"{stem}.xlsx")
    write_output(csv, lambda tmp: safe_cells(frame).to_csv(tmp, index=False, encoding="utf-8-sig"))
    write_output(xlsx, lambda tmp: _write_xlsx(frame, tmp, sheet[:31], lang))
    return [csv, xlsx]


def _write_xlsx(frame: pd.DataFrame, path: Path, sheet: str, lang: str | None) -> None:
    clean = frame.astype(object).where(frame.notna(), None)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        clean.to_excel(writer, sheet_name=sheet, index=False, freeze_panes=(1, 0))
        ws = writer.sheets[sheet]
        safe_sheet(ws)  # text such as "=HYPERLINK(...)" stays text
        percent = {t(f"col.{c}", lang) for c in PERCENT_COLUMNS} if lang else set(PERCENT_COLUMNS)
        for col in ws.iter_cols(min_row=1):
            header = str(col[0].value or "")
            width = max(len(header), 8)
            ws.column_dimensions[col[0].column_letter].width = min(width + 2, 40)
            for cell in col[1:]:
                if isinstance(cell.value, float):
                    cell.number_format = "0%" if header in percent else "#,##0.0##"
                elif isinstance(cell.value, int):
                    cell.number_format = "0"
        if lang:
            guide = dictionary(list(frame.columns), lang)
            name = t("dictionary_sheet", lang)[:31]
            guide.to_excel(writer, sheet_name=name, index=False, freeze_panes=(1, 0))
            safe_sheet(writer.sheets[name])
            for letter, width in zip("ABC", (30, 18, 90)):
                writer.sheets[name].column_dimensions[letter].width = width
