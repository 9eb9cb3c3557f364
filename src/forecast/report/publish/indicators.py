"""The quarter's indicator pages, in every language, and the links from the other pages to them.

Layout added to ``reports/<quarter>/`` (:data:`forecast.report.pages.metadata.PAGE_FOLDER`)::

    indicators/<lang>/index.html     the list of indicators (name, unit, latest year, targets)
    indicators/<lang>/<code>.html    one indicator: definition, unit, sources and tables, the data
                                     held, the latest release, the method, its targets

Written in the parent process from the in-memory run and the store (as the downloads are), with
no notebook: the facts are computed once (:func:`forecast.report.pages.metadata.indicator_facts`)
and written in each language of the catalogues. The briefs, deep dives and the index name an
indicator with an anchor that has no ``href`` (:func:`forecast.report.pages.html.indicator_link`);
:func:`link_pages` points each at ``indicators/<lang>/<code>.html`` relative to its page, in the
page's own language, once the pages exist.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from forecast.errors import ForecastError
from forecast.log import logger
from forecast.report.pages import metadata
from forecast.report.pages.text import LANGS, indicator_name, t
from forecast.report.publish import render

__all__ = [
    "IndicatorPages",
    "indicators_index_html",
    "link_indicators",
    "link_pages",
    "write_indicator_pages",
]

FOLDER = metadata.PAGE_FOLDER
_ANCHOR = re.compile(r'<a class="indicator-link" data-indicator="([^"]+)"')


@dataclass
class IndicatorPages:
    """What :func:`write_indicator_pages` wrote: the indicators and every page (relative paths)."""

    codes: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)

    def manifest(self) -> dict:
        """The manifest's ``indicator_pages`` entry."""
        return {"indicators": self.codes, "languages": list(LANGS), "pages": len(self.pages)}


def _stored(store: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every stored row and the breaks found in them; empty frames without a store."""
    from forecast.data import store as store_db

    empty = pd.DataFrame(columns=["geo", "indicator", "year", "value", "source"])
    if not store or not Path(store).is_file():
        return empty, pd.DataFrame()
    try:
        return store_db.load_observations(store, must_exist=True), store_db.series_breaks(store)
    except ForecastError as e:
        logger.warning("indicator pages are written without the store's data: %s", e)
        return empty, pd.DataFrame()


def write_indicator_pages(
    folder: Path,
    run: Any,
    *,
    store: str,
    footers: dict[str, list[tuple[str, str]]],
    briefs: dict[str, str] | None = None,
) -> IndicatorPages:
    """Write every indicator page and the list, in every language, under ``folder/indicators/``.

    Parameters
    ----------
    folder
        The quarter's (work) folder.
    run
        The in-memory run (its assessments, forecasts and recorded ensemble weights).
    store
        The store the run was made from (what it holds, by series).
    footers
        The footer rows of a page in each language (:func:`forecast.report.publish.execute.footer`).
    briefs
        ``{province: page}`` of the published briefs, relative to ``folder`` (the targets link to them).
    """
    from forecast.registry.targets import load_targets

    stored, found = _stored(store)
    facts = metadata.indicator_facts(stored, run, load_targets(), found)
    out = IndicatorPages(codes=facts.codes)
    linked = {p: f"../../{h}" for p, h in (briefs or {}).items()}
    for lang in LANGS:
        (folder / FOLDER / lang).mkdir(parents=True, exist_ok=True)
        others = {k: f"../{k}/index.html" for k in LANGS if k != lang}
        body = metadata.indicator_list_html(facts, lang, others=others, home="../../index.html")
        out.pages.append(_write(folder, lang, "index", body, t("indicator_page.list_title", lang), footers))
        for code in facts.codes:
            others = {k: f"../{k}/{code}.html" for k in LANGS if k != lang}
            body = metadata.indicator_page_html(
                facts, code, lang, others=others, briefs=linked, up="index.html", home="../../index.html"
            )
            title = t("indicator_page.title", lang, name=indicator_name(code, lang))
            out.pages.append(_write(folder, lang, code, body, title, footers))
    logger.info("%d indicator pages in %d languages", len(facts.codes), len(LANGS))
    return out


def _write(
    folder: Path, lang: str, name: str, body: str, title: str, footers: dict[str, list[tuple[str, str]]]
) -> str:
    path = folder / FOLDER / lang / f"{name}.html"
    rows = footers.get(lang) or next(iter(footers.values()), [])
    render.write_page(path, render.render_page(body, title=title, lang=lang, footer=rows, kind="indicator"))
    return path.relative_to(folder).as_posix()


def link_indicators(page: str, depth: int, lang: str, codes: set[str]) -> str:
    """``page`` with every indicator anchor of ``codes`` pointing at its page in ``lang``.

    ``depth`` is how many folders below the quarter the page lies (``briefs/x.html``: 1).
    """
    up = "../" * depth

    def href(m: re.Match) -> str:
        code = m.group(1)
        if code not in codes:
            return m.group(0)
        target = html.escape(f"{up}{FOLDER}/{lang}/{code}.html")
        return f'{m.group(0)} href="{target}"'

    return _ANCHOR.sub(href, page)


def link_pages(folder: Path, lang: str, codes: list[str]) -> int:
    """Point the indicator anchors of every page of ``folder`` (but the indicator pages) at their pages.

    Returns the number of pages changed.
    """
    changed = 0
    for page in sorted(folder.rglob("*.html")):
        rel = page.relative_to(folder)
        if rel.parts[0] in (FOLDER, "failed", "_work", "archive"):
            continue
        text = page.read_text(encoding="utf-8")
        linked = link_indicators(text, len(rel.parts) - 1, lang, set(codes))
        if linked != text:
            page.write_text(linked, encoding="utf-8")
            changed += 1
    return changed


def indicators_index_html(lang: str) -> str:
    """The index's section that links to the list of indicator pages."""
    href = html.escape(f"{FOLDER}/{lang}/index.html")
    return (
        f'<h2 id="indicators">{html.escape(t("index.indicators", lang))}</h2>\n'
        f'<p><a href="{href}">{html.escape(t("index.indicators_link", lang))}</a></p>'
    )
