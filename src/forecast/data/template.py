"""An Excel workbook for a provincial health department to send its own figures.

:func:`write_template` lists every indicator the province's plan targets (the registry), with its
Vietnamese name, definition, unit, the plan's own wording and one blank row per year since the
last stored observation, on the sheet :data:`DATA_SHEET`; the sheet :data:`HELP_SHEET` explains
(Vietnamese first, then English) how to fill it. The data sheet is a tidy table (its second row
holds the column codes ``geo, indicator, year, value, unit, source, note``), so ``forecast data
import hanam.xlsx`` reads it back through the one validation of :mod:`forecast.data.validate`:
a bad cell is quarantined with the sheet, row and column, the good cells are imported.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd

from forecast import config
from forecast.errors import DataFileError
from forecast.outputs import check_outputs, safe_sheet, write_output
from forecast.registry import geo, indicators, targets

DATA_SHEET = "Số liệu"
HELP_SHEET = "Hướng dẫn"
COLUMNS = [
    ("geo", "Tỉnh / Province"),
    ("indicator", "Mã chỉ tiêu / Code"),
    ("year", "Năm / Year"),
    ("value", "Giá trị (điền vào đây) / Value (fill in)"),
    ("unit", "Đơn vị / Unit"),
    ("source", "Nguồn (niên giám, báo cáo…) / Source"),
    ("note", "Ghi chú / Note"),
    ("name_vi", "Tên chỉ tiêu"),
    ("definition", "Định nghĩa"),  # the catalogue's Vietnamese definition (a DOH fills the sheet)
    ("plan", "Chỉ tiêu trong kế hoạch / The plan's target"),
    ("last_stored", "Năm có số liệu gần nhất / Last year stored"),
]
HELP_VI = [
    "HƯỚNG DẪN ĐIỀN SỐ LIỆU",
    f"1. Mở trang '{DATA_SHEET}'. Mỗi dòng là một chỉ tiêu trong một năm mà kho dữ liệu chưa có.",
    "2. Điền giá trị vào cột 'Giá trị', đúng đơn vị ghi ở cột 'Đơn vị' (ví dụ 75,4 hoặc 75.4).",
    "3. Ghi nguồn ở cột 'Nguồn' (ví dụ: Niên giám thống kê tỉnh 2023, báo cáo Sở Y tế).",
    "4. Để trống ô nếu không có số liệu; không xóa hoặc sửa các cột Tỉnh, Mã chỉ tiêu, Năm.",
    "5. Số sơ bộ, ước tính giữa năm: ghi 'sơ bộ' hoặc 'giữa năm' ở cột 'Ghi chú'.",
    "6. Gửi lại tệp; nhập bằng lệnh: forecast data import <tệp>.xlsx",
    "Ô sai (không phải số, ngoài giới hạn) được đưa vào danh sách cách ly kèm trang, dòng và cột; các ô đúng vẫn được nhập.",
]
HELP_EN = [
    "HOW TO FILL IN THIS WORKBOOK",
    f"1. Open the sheet '{DATA_SHEET}'. Each row is one indicator in one year the store does not hold yet.",
    "2. Write the value in the 'Value' column, in the unit of the 'Unit' column.",
    "3. Name the source (provincial statistical yearbook, health-department report).",
    "4. Leave a cell empty when there is no figure; do not change the province, code or year columns.",
    "5. Preliminary or mid-year figures: write 'preliminary' or 'mid-year' in the note.",
    "6. Import the returned file with: forecast data import <file>.xlsx",
    "A bad cell (not a number, out of bounds) is quarantined with its sheet, row and column; the good cells import.",
]


def template_rows(
    province: str,
    store: str | os.PathLike | None = None,
    targets_path: str | os.PathLike | None = None,
    needs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the rows of the data sheet: one per targeted indicator and year to fill (``COLUMNS``).

    With ``needs`` (``province, indicator, year_from, year_to``: :func:`forecast.assess.needs.data_needs`)
    exactly those provinces, indicators and years, and nothing else.
    """
    if needs is not None:
        return _needed_rows(needs, store, targets_path)
    name = geo.resolve_geo(province)
    plan = targets.select_targets(targets.load_targets(targets_path), province=name)
    plan = plan[(plan["kind"] != "qualitative") & (plan["indicator"] != "aim")]
    if plan.empty:
        raise DataFileError(f"no quantified target for {name} in the registry; check the province name")
    last = _last_years(name, store)
    this_year = dt.date.today().year
    out = []
    for code, rows in plan.groupby("indicator", sort=False):
        stored = last.get(str(code))
        start = stored + 1 if stored else this_year - 6
        wording = "; ".join(dict.fromkeys(str(q) for q in rows["quote"].fillna("") if q))
        out += _blank_rows(name, str(code), range(start, this_year), wording, stored)
    return pd.DataFrame(out, columns=[c for c, _ in COLUMNS])


def _needed_rows(
    needs: pd.DataFrame, store: str | os.PathLike | None, targets_path: str | os.PathLike | None
) -> pd.DataFrame:
    """The data sheet's rows for the years of ``needs``, each with its plan's wording."""
    plan = targets.load_targets(targets_path)
    out = []
    last: dict[str, dict[str, int]] = {}  # the store read once per province, not once per row of needs
    for need in needs.to_dict("records"):
        name, code = geo.resolve_geo(str(need["province"])), str(need["indicator"])
        if name not in last:
            last[name] = _last_years(name, store)
        mine = plan[(plan["province"] == name) & (plan["indicator"] == code)]
        wording = "; ".join(dict.fromkeys(str(q) for q in mine["quote"].fillna("") if q))
        years = range(int(need["year_from"]), int(need["year_to"]) + 1)
        out += _blank_rows(name, code, years, wording, last[name].get(code))
    return pd.DataFrame(out, columns=[c for c, _ in COLUMNS])


def _blank_rows(name: str, code: str, years: range, wording: str, stored: int | None) -> list[list[object]]:
    """One empty row of the data sheet per year of ``years`` for ``code`` in ``name`` (columns :data:`COLUMNS`)."""
    info = indicators.indicator(code)
    return [
        [
            name,
            code,
            year,
            None,
            info["unit"],
            "",
            "",
            info["name_vi"],
            info["definition_vi"],
            wording,
            stored,
        ]
        for year in years
    ]


def _last_years(name: str, store: str | os.PathLike | None) -> dict[str, int]:
    if not config.store_path(store).exists():  # never create a store to write a template
        return {}
    from forecast.data.store import load_observations

    obs = load_observations(store, geo=name)
    return {str(k): int(v) for k, v in obs.groupby("base_indicator")["year"].max().items()}


def write_template(
    province: str,
    out: str | os.PathLike,
    store: str | os.PathLike | None = None,
    targets_path: str | os.PathLike | None = None,
    needs: pd.DataFrame | None = None,
    *,
    force: bool = False,
) -> Path:
    """Write the workbook for ``province`` to ``out`` by the output rule of :mod:`forecast.outputs`.

    An existing file is never overwritten unless ``force`` (never a database, whatever ``force``).

    ``needs`` limits it to the indicators and years a brief asks for (:func:`template_rows`).

    Raises
    ------
    OutputError
        If ``out`` exists (without ``force``), is a folder or a database.
    DataFileError
        If the province has no quantified target.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    path = Path(out)
    check_outputs({"--out": path}, force=force)
    rows = template_rows(province, store, targets_path, needs)
    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    sheet.append([label for _, label in COLUMNS])
    sheet.append([code for code, _ in COLUMNS])
    for r in rows.itertuples(index=False):
        sheet.append([None if pd.isna(v) else v for v in r])
    for cell in sheet[1] + sheet[2]:
        cell.font = Font(bold=True)
    for (cell,) in sheet.iter_rows(min_row=3, min_col=4, max_col=4):
        cell.fill = PatternFill("solid", fgColor="FFF2CC")
    for col, width in zip("ABCDEFGHIJK", (16, 22, 8, 18, 10, 30, 20, 40, 50, 50, 12)):
        sheet.column_dimensions[col].width = width
    sheet.freeze_panes = "A3"
    help_sheet = book.create_sheet(HELP_SHEET, 0)
    for line in [*HELP_VI, "", *HELP_EN]:
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 120
    safe_sheet(sheet)
    return write_output(path, book.save, force=force)
