"""The leaders' page: the first page of every brief, what a Chairman reads and nothing more.

:func:`leaders_html` says, on one printed page, how many targets the province's own data
answers and how they stand; the targets at risk (verdict tier only: the province's own data) each
with what it would take in one line; the indicative rows in one line; and "Số liệu cần Sở Y tế cung
cấp": the series whose absence keeps a target indicative or unanswered
(:func:`forecast.assess.needs.data_needs`), with the years to fill and a link to the workbook
pre-filled with exactly those rows (the report puts it beside the brief and fills the link,
``report.publish.attachments``). Takes frames, returns HTML; reads nothing.
"""

from __future__ import annotations

import html

import pandas as pd

from forecast.assess import needs
from forecast.report.pages.headline import GROUPS, headline_counts
from forecast.report.pages.html import (
    Html,
    basis_tag,
    forecast_text,
    is_missing,
    keep_together,
    p_text,
    passed_unobserved,
    rows_table,
    target_text,
    verdict_text,
)
from forecast.report.pages.text import (
    check_lang,
    fmt_percent,
    fmt_rate_unit,
    indicator_name,
    t,
    target_digits,
)

__all__ = ["TEMPLATE_LINK", "at_risk", "leaders_html", "needs_items", "takes_line"]

#: The placeholder the report turns into the link to the pre-filled workbook (its text stays).
TEMPLATE_LINK = "data-template-link"


def _esc(x: object) -> str:
    return html.escape(str(x))


def _tier(a: pd.DataFrame) -> pd.Series:
    return a["tier"].fillna("").astype(str) if "tier" in a.columns else pd.Series("", index=a.index)


def at_risk(assessments: pd.DataFrame) -> pd.DataFrame:
    """The targets at risk on the province's own data: an at-risk verdict of the verdict tier."""
    a = assessments
    if a.empty or "verdict" not in a.columns:
        return a.iloc[0:0]
    return a[a["verdict"].isin(GROUPS["at_risk"]) & (_tier(a) != "indicative")]


def takes_line(r: dict, lang: str = "vi") -> str:
    """What it would take, in one line: ``cần giảm 9,8%/năm (quan sát: giảm 1,9%/năm)``.

    A passed deadline says what happened instead (:func:`~forecast.report.pages.html.verdict_text`),
    or, not yet observed, that the year's figure is needed to conclude.
    """
    if is_missing(r.get("rate_required")):
        if passed_unobserved(r):  # nothing left to change by then: the year's figure settles it
            return t("leaders_takes_passed", lang, year=int(r["year"]))
        return verdict_text(r, lang)
    req = float(r["rate_required"])
    unit, rate_unit = str(r.get("unit") or ""), str(r.get("rate_unit") or "pct")
    text = t(
        "leaders_takes",
        lang,
        verb=t("verb_fall" if req < 0 else "verb_rise", lang),
        rate=fmt_rate_unit(abs(req), rate_unit, lang, unit=unit),
    )
    if not is_missing(r.get("rate_observed")):
        obs = float(r["rate_observed"])
        seen = t("verb_falling" if obs < 0 else "verb_rising", lang)
        text += t(
            "leaders_takes_seen",
            lang,
            verb=seen,
            rate=fmt_rate_unit(abs(obs), rate_unit, lang, unit=unit),
        )
    return text


def _name(r: dict, lang: str, province: str) -> str:
    own = f"{r['province']}: " if r.get("province") and r.get("province") != province else ""
    return own + indicator_name(str(r["indicator"]), lang) + basis_tag(r, lang)


def _risk_table(rows: pd.DataFrame, lang: str, province: str) -> str:
    keys = ("col_indicator", "col_target", "col_year", "col_forecast", "col_p_attain", "leaders_col_takes")
    body = []
    for r in rows.to_dict("records"):
        d = target_digits(r.get("value"), r.get("value_high"))
        cells = [
            _esc(_name(r, lang, province)),
            _esc(keep_together(target_text(r, lang))),
            str(int(r["year"])),
            _esc(keep_together(forecast_text(r, str(r.get("unit") or ""), lang, d))),
            _esc(p_text(r, lang)),
            _esc(takes_line(r, lang)),
        ]
        body.append((f' class="at-risk" data-indicator="{_esc(r["indicator"])}"', cells))
    return rows_table("leaders-risks", [t(k, lang) for k in keys], body)


def _indicative_line(a: pd.DataFrame, lang: str, province: str) -> str:
    """The indicative rows in one line, by indicator: ``Tỷ lệ bao phủ BHYT: 2025 7%, 2030 30%``."""
    rows = a[(_tier(a) == "indicative") & ~a["verdict"].isin(("no_data", "insufficient_data"))]
    if rows.empty:
        return ""
    items = []
    for _, group in rows.groupby(["province", "indicator"], sort=False):
        first = group.iloc[0].to_dict()
        years = ", ".join(
            f"{int(r['year'])} {fmt_percent(r.get('p_attain'), lang)}" for r in group.to_dict("records")
        )
        items.append(f"{_name(first, lang, province)}: {years}")
    return t("leaders_indicative", lang, items="; ".join(items))


def needs_items(need: pd.DataFrame, lang: str = "vi", province: str = "") -> list[str]:
    """One line per series to supply: ``Tuổi thọ trung bình: 2020–2025 (mục tiêu 2025, 2030)``."""
    check_lang(lang)
    out = []
    for r in need.to_dict("records"):
        lo, hi = int(r["year_from"]), int(r["year_to"])
        years = str(lo) if lo == hi else f"{lo}–{hi}"
        who = f"{r['province']}: " if province and r["province"] != province else ""
        out.append(
            t(
                "leaders_need_item",
                lang,
                name=who + indicator_name(str(r["indicator"]), lang),
                years=years,
                targets=r["target_years"],
            )
        )
    return out


def leaders_html(
    assessments: pd.DataFrame, observations: pd.DataFrame, province: str, report_year: int, lang: str = "vi"
) -> Html:
    """Return the leaders' page (see the module docstring) as one ``<section class="leaders">``."""
    check_lang(lang)
    a = assessments
    parts = [f"<h2>{_esc(t('leaders', lang))}</h2>"]
    if a.empty:
        return Html(
            '<section class="leaders">' + "".join(parts) + f"<p>{_esc(t('leaders_none', lang))}</p></section>"
        )
    c = headline_counts(a)
    assessed = c["n"] - c["unassessed"]
    counts = dict(
        n=assessed, k=c["met"], p=c["possible"], m=c["at_risk"], i=c["indicative"], j=c["unassessed"]
    )
    # none assessed on own data: one sentence saying so, not "0 …: 0 likely, 0 possible, 0 at risk"
    parts.append(
        f'<p class="leaders-counts">{_esc(t("leaders_counts" if assessed else "leaders_counts_none", lang, **counts))}</p>'
    )
    risks = at_risk(a)
    parts.append(f"<h3>{_esc(t('leaders_risks', lang))}</h3>")
    parts.append(
        _risk_table(risks, lang, province) if len(risks) else f"<p>{_esc(t('leaders_no_risk', lang))}</p>"
    )
    line = _indicative_line(a, lang, province)
    if line:
        parts.append(f'<p class="leaders-indicative">{_esc(line)}</p>')
    need = needs.data_needs(a, observations, report_year)
    if len(need):
        parts.append(f"<h3>{_esc(t('leaders_needs', lang))}</h3>")
        parts.append(f"<p>{_esc(t('leaders_needs_note', lang))}</p>")
        parts.append(
            '<ul class="leaders-needs">'
            + "".join(f"<li>{_esc(x)}</li>" for x in needs_items(need, lang, province))
            + "</ul>"
        )
        link = f'<span class="{TEMPLATE_LINK}">{_esc(t("leaders_template_link", lang))}</span>'
        parts.append(f'<p class="data-template">{_esc(t("leaders_template", lang))} {link}</p>')
    return Html('<section class="leaders">' + "".join(parts) + "</section>")
