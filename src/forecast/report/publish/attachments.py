"""Files beside a quarter's briefs: a PDF of each, its scorecard and chart series as CSV and Excel.

Runs in the parent process once the notebooks are rendered (:func:`attach`), from the in-memory
run, so the downloads hold exactly the run's numbers. Layout added to ``reports/<quarter>/``::

    briefs/<slug>.pdf                      the brief printed by headless Chromium (A4, annex after)
    briefs/<slug>.scorecard.csv/.xlsx      the brief's scorecard (assessment rows, codes as headers)
    briefs/<slug>.series.csv/.xlsx         the series behind its fan charts
    assessments.csv/.xlsx                  the quarter's whole assessment table

Each brief gets a row of links under its title, the index a "downloads" section; a PDF that
could not be made (no Chromium) is said so in the index and the manifest, the rest publishes.
"""

from __future__ import annotations

import html
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from forecast.errors import ForecastError
from forecast.log import logger
from forecast.report.pages import text, views
from forecast.report.pages.leaders import TEMPLATE_LINK
from forecast.report.pages.text import labels
from forecast.report.publish import downloads, pdf
from forecast.report.publish.jobs import JobResult

__all__ = ["Attachments", "attach"]


@dataclass
class Attachments:
    """What :func:`attach` wrote: files per brief page, the quarter's files, PDF errors."""

    files: dict[str, list[str]] = field(default_factory=dict)
    quarter_files: list[str] = field(default_factory=list)
    pdf_errors: dict[str, str] = field(default_factory=dict)
    provinces: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    pdf_seconds: float = 0.0  # printing, beside the tables (within ``seconds``)

    def manifest(self) -> dict:
        """Return the manifest's ``downloads`` entry (relative paths, PDF errors by file)."""
        return {
            "quarter": self.quarter_files,
            "briefs": self.files,
            "pdf_missing": self.pdf_errors,
            "seconds": round(self.seconds, 2),
        }

    def index_html(self, lang: str) -> str:
        """Return the index's downloads section: the quarter's table, then each brief's files."""
        t = labels("downloads", lang)
        items = [f"<li>{html.escape(t['quarter'])}: {_links(self.quarter_files, '', t)}</li>"]
        for page, files in self.files.items():
            items.append(f"<li>{html.escape(self.provinces[page])}: {_links(files, '', t)}</li>")
        note = ""
        if self.pdf_errors:
            missing = pdf.CHROMIUM_MISSING in self.pdf_errors.values()
            why = t["no_chromium"] if missing else t["pdf_failed"]
            note = f'<p class="pdf-missing">{html.escape(t["no_pdf"].format(n=len(self.pdf_errors), why=why))}</p>'
        csv = f'<p class="downloads-note">{html.escape(t["csv_note"])}</p>'
        return f'<h2 id="downloads">{html.escape(t["download"])}</h2>\n<ul class="downloads">{"".join(items)}</ul>{csv}{note}'


def _label(path: str, t: dict[str, str]) -> str:
    """The link text of a download: ``PDF để in``, ``bảng theo dõi (Excel)``, ``CSV`` (quarter)."""
    ext = path.rsplit(".", 1)[-1]
    fmt = {"csv": t["csv"], "xlsx": "Excel"}.get(ext, "")  # the CSV is for software (downloads.py)
    if ext == "pdf":
        return t["pdf"]
    if Path(path).name.startswith("assessments."):
        return fmt
    if TEMPLATE_SUFFIX in path:
        return t["template"]
    return f"{t['series' if '.series.' in path else 'scorecard']} ({fmt})"


def _links(files: list[str], base: str, t: dict[str, str]) -> str:
    """Links to ``files`` (relative to the quarter) from a page in folder ``base`` (``""``: the index)."""
    out = []
    for f in sorted(files, key=lambda f: (f.rsplit(".", 1)[0], f.endswith(".csv"))):  # Excel before CSV
        href = f.removeprefix(f"{base}/") if base else f
        save = "" if f.endswith(".pdf") else " download"  # tables are saved, the PDF may open in place
        out.append(f'<a href="{html.escape(href)}"{save}>{html.escape(_label(f, t))}</a>')
    return " · ".join(out)


def _observations(store: str) -> pd.DataFrame:
    """The store's analysis series (the charts' observed points); empty when there is no store."""
    from forecast.data import store as store_db

    if not store or not Path(store).is_file():
        return pd.DataFrame(columns=["geo", "indicator", "year", "value"])
    try:
        return store_db.analysis_series(store)
    except ForecastError as e:
        logger.warning("chart series are written without observations: %s", e)
        return pd.DataFrame(columns=["geo", "indicator", "year", "value"])


def _brief_files(folder: Path, run: Any, province: str, stem: str, obs: pd.DataFrame, lang: str) -> list[str]:
    """Write one brief's scorecard and chart series (those it shows); return paths relative to ``folder``."""
    view = views.province_view(run, obs, None, province)
    written = []
    if len(view.assessments):
        table = downloads.for_readers(downloads.scorecard_table(view.assessments, lang), lang)
        written += downloads.write_table(
            table, folder / f"{stem}.scorecard", text.t("sheet.scorecard", lang), lang
        )
    charted = "series" in view.assessments.columns and "geo" in view.forecasts.columns
    panels = views.fan_panels(view, lang) if charted else []
    if panels:
        table = downloads.for_readers(downloads.series_table(panels), lang, "series")
        written += downloads.write_table(table, folder / f"{stem}.series", text.t("sheet.series", lang), lang)
    written += _data_template(folder / f"{stem}{TEMPLATE_SUFFIX}", run, view, obs)
    return [p.relative_to(folder).as_posix() for p in written]


#: The workbook pre-filled with the data a brief asks for (its leaders' page links to it).
TEMPLATE_SUFFIX = ".data-template.xlsx"


def _data_template(path: Path, run: Any, view: views.ProvinceView, obs: pd.DataFrame) -> list[Path]:
    """Write the province's workbook with exactly the indicators and years its brief asks for."""
    from forecast.assess.needs import data_needs
    from forecast.data.template import write_template

    year = int(str(getattr(run, "as_of", "") or "0")[:4] or 0)
    need = data_needs(view.assessments, obs, year) if year else pd.DataFrame()
    if need.empty:
        return []
    return [write_template(view.province, path, needs=need)]


def _link_template(page: Path, href: str) -> None:
    """Turn the leaders' page's placeholder (:data:`forecast.report.pages.leaders.TEMPLATE_LINK`) into a link."""
    text = page.read_text(encoding="utf-8")
    marker = f'<span class="{TEMPLATE_LINK}">'
    if marker not in text:
        return
    start = text.index(marker)
    end = text.index("</span>", start)
    link = f'<a class="{TEMPLATE_LINK}" href="{html.escape(href)}" download>{text[start + len(marker) : end]}</a>'
    page.write_text(text[:start] + link + text[end + len("</span>") :], encoding="utf-8")


def _nav(page: Path, files: list[str], lang: str) -> None:
    """Put a row of download links under the page's title (``<h1>``), or at the top of ``<main>``."""
    t = labels("downloads", lang)
    base = page.parent.name
    nav = f'<nav class="downloads">{html.escape(t["download"])}: {_links(files, base, t)}</nav>'
    content = page.read_text(encoding="utf-8")
    anchor = "</h1>" if "</h1>" in content else "<main>"
    page.write_text(content.replace(anchor, anchor + nav, 1), encoding="utf-8")


def attach(
    folder: Path, run: Any, results: list[JobResult], *, store: str = "", lang: str = "vi", jobs: int = 1
) -> Attachments:
    """Write every brief's PDF and downloads and the quarter's assessment table under ``folder``.

    Parameters
    ----------
    folder
        The quarter's (work) folder, where the brief pages already are.
    run
        The in-memory run the briefs were made from.
    results
        The notebook results; briefs that failed get nothing.
    store
        Store file the observations of the charts are read from.
    lang, jobs
        Language of labels and links; PDFs printed at the same time.
    """
    start = time.perf_counter()
    briefs = [r.job for r in results if r.ok and r.job.kind == "brief"]
    pages = [(folder / j.html, folder / j.html.replace(".html", ".pdf")) for j in briefs]
    printer = ThreadPoolExecutor(1)  # Chromium prints while the tables are written
    try:
        printing = printer.submit(_timed, pdf.print_pdfs, pages, jobs=jobs)
        out = Attachments(quarter_files=_quarter_files(folder, run, lang))
        obs = _observations(store)
        for j in briefs:
            out.provinces[j.html] = j.parameters["province"]
            try:
                out.files[j.html] = _brief_files(
                    folder, run, j.parameters["province"], j.html.removesuffix(".html"), obs, lang
                )
            except Exception as e:  # noqa: BLE001 - a brief without downloads still publishes
                logger.warning("no downloads for %s: %r", j.html, e)
                out.files[j.html] = []
        errors, out.pdf_seconds = printing.result()
    except BaseException:
        pdf.cancel()  # Ctrl-C reaches the parent only: stop the printers before the folder goes
        raise
    finally:
        printer.shutdown(wait=True)
    out.pdf_errors = {p.relative_to(folder).as_posix(): e for p, e in errors.items()}
    for j, (page, made) in zip(briefs, pages, strict=True):
        if made.is_file():
            out.files[j.html].insert(0, made.relative_to(folder).as_posix())
        if out.files[j.html]:
            _nav(page, out.files[j.html], lang)
        template = next((f for f in out.files[j.html] if f.endswith(TEMPLATE_SUFFIX)), "")
        if template:
            _link_template(page, Path(template).name)
            if j.analyst_html and (folder / j.analyst_html).is_file():
                _link_template(folder / j.analyst_html, f"../../{template}")
    out.seconds = time.perf_counter() - start
    pdfs = sum(f.endswith(".pdf") for files in out.files.values() for f in files)
    tables = len(out.quarter_files) + sum(len(f) for f in out.files.values()) - pdfs
    logger.info("%d PDFs and %d tables in %.1f s", pdfs, tables, out.seconds)
    return out


def _timed(fn: Any, *args: Any, **kw: Any) -> tuple[Any, float]:
    """``fn(*args, **kw)`` and its wall seconds."""
    start = time.perf_counter()
    return fn(*args, **kw), time.perf_counter() - start


def _quarter_files(folder: Path, run: Any, lang: str) -> list[str]:
    a, run_id = run.assessments, str(getattr(run, "run_id", "") or "")
    if run_id:  # the in-memory run's rows carry no run_id (only the stored ones do)
        own = a["run_id"].fillna("").astype(str) if "run_id" in a.columns else pd.Series("", index=a.index)
        a = a.assign(run_id=own.where(own != "", run_id))
    table = downloads.scorecard_table(a, lang)
    table = table.sort_values(["province"], kind="stable") if "province" in table else table
    readers = downloads.for_readers(table, lang)
    return [
        p.relative_to(folder).as_posix()
        for p in downloads.write_table(
            readers, folder / "assessments", text.t("sheet.assessments", lang), lang
        )
    ]
