"""The brief section "Mục tiêu khả thi cho 2030": values reached with probability 50/80/90 %.

Renders :func:`forecast.assess.suggest.suggest_targets` output: one row per indicator with a
series, each value with the annual rate it implies, the national target beside them.
"""

from __future__ import annotations

import html

import pandas as pd

from forecast.report.pages.html import Html, basis_tag, is_missing, national_target_text
from forecast.report.pages.text import check_lang, fmt_rate_unit, fmt_value, indicator_name, t

__all__ = ["suggestions_html"]


def _esc(x: object) -> str:
    return html.escape(str(x))


def _cell(r: dict, p: int, lang: str) -> str:
    value = fmt_value(r[f"p{p}"], str(r["unit"]), lang)
    rate = r.get(f"rate_p{p}")
    if is_missing(rate):
        return value
    unit_of_rate = str(r.get("rate_unit") or "pct")  # as in the scorecard: pp for coverage
    return f"{value} ({fmt_rate_unit(rate, unit_of_rate, lang, signed=True, unit=str(r['unit']))})"


def suggestions_html(frame: pd.DataFrame, year: int, lang: str = "vi") -> Html:
    """Return the heading and table of the feasible targets for ``year`` (a note when empty).

    A ``name`` column, where given, names the rows (as the scorecard does: ``views.scorecard_names``).
    """
    check_lang(lang)
    heading = f"<h2>{_esc(t('suggest_heading', lang, year=year))}</h2>"
    if frame.empty:
        return Html(heading + f"<p>{_esc(t('suggest_none', lang))}</p>")
    keys = ("col_indicator", "col_latest", "col_p50", "col_p80", "col_p90", "col_national_target")
    head = "".join(f"<th>{_esc(t(k, lang))}</th>" for k in keys)
    body = []
    for r in frame.to_dict("records"):
        latest = f"{fmt_value(r['latest_value'], str(r['unit']), lang)} ({int(r['latest_year'])})"
        cells = [
            r["name"]
            if isinstance(r.get("name"), str)
            else indicator_name(r["indicator"], lang) + basis_tag(r, lang),
            latest,
            _cell(r, 50, lang),
            _cell(r, 80, lang),
            _cell(r, 90, lang),
            national_target_text(r, lang),
        ]
        body.append(
            f'<tr class="suggestion" data-indicator="{_esc(r["indicator"])}">'
            + "".join(f"<td>{_esc(c)}</td>" for c in cells)
            + "</tr>"
        )
    note = f"<p>{_esc(t('suggest_note', lang, year=year))}</p>"
    table = f'<table class="suggestions"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    return Html(heading + note + table)
