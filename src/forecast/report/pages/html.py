"""HTML fragments of the notebooks: titles, headings, the scorecard, target tables, figures.

Everything here takes frames (assessments, targets, run comparisons) and returns :class:`Html`
strings in Vietnamese or English; nothing fits a model or reads the store. The sentences of a
brief are in :mod:`forecast.report.pages.sentences`, the per-province selection in :mod:`forecast.report.pages.views`.
"""

from __future__ import annotations

import base64
import html
import io
import re
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from forecast.registry.targets import target_direction
from forecast.report.pages.text import (
    BADGE_COLOURS,
    BADGE_TEXT,
    category_label,
    check_lang,
    fmt_number,
    fmt_percent,
    fmt_rate_unit,
    fmt_value,
    has_text,
    indicator_name,
    quarter_label,
    t,
    target_digits,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_COMPARATORS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}


class Html(str):
    """A string of HTML that Jupyter displays as HTML (``display(Html("<b>x</b>"))``)."""

    def _repr_html_(self) -> str:
        return str(self)


def _esc(x: object) -> str:
    return html.escape(str(x))


_BREAKABLE = re.compile(r" (?![(→])")
_WORD_SLASH = re.compile(r"(?<=[^\W\d_])/(?=\d)")  # "bé trai/100": a unit's own fraction bar


def keep_together(text: str) -> str:
    """``text`` with its spaces made non-breaking except before ``(`` and ``→``.

    A value and its unit ("75,9 năm", "+0,67 điểm %", "33,0/10.000 dân") and short phrases ("quá
    hạn") then never wrap apart in a narrow printed column; a line may still break before the
    year in brackets or before the arrow of "observed → required", and after the slash of a unit
    that is a ratio of words ("118,5 bé trai/ 100 bé gái": whole, it held three columns of Lào
    Cai's scorecard at 170 px).
    """
    return _WORD_SLASH.sub("/\u200b", _BREAKABLE.sub("\u00a0", str(text)))


def _cell(x: object) -> str:
    """A number cell: escaped, kept together (:func:`keep_together`)."""
    return _esc(keep_together(str(x)))


def rows_table(
    css_class: str, headings: Iterable[object], rows: Iterable[tuple[str, Iterable[object]]]
) -> str:
    """``<table class="…">`` under ``headings`` (words, escaped here): one ``<tr{attrs}>`` per row.

    A row is ``(attrs, cells)``: ``attrs`` the row's attributes with a leading space (``""`` for
    none), ``cells`` HTML already escaped by the caller, which knows which cells hold markup.
    """
    head = "".join(f"<th>{_esc(h)}</th>" for h in headings)
    body = "".join(
        f"<tr{attrs}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>" for attrs, cells in rows
    )
    return f'<table class="{_esc(css_class)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def keep_value_together(text: str) -> str:
    """A value and its source in brackets (``35,0/10.000 dân (Quy hoạch mạng lưới y tế, 2030)``):
    the value kept together (:func:`keep_together`), the source free to wrap. Kept whole, a long
    act's name held the national-target column at 236 px and the scorecard behind a sideways
    scroll at 1280 px (the headline's national targets are written the same way)."""
    value, bracket, source = str(text).partition(" (")
    return keep_together(value) + bracket + source


def is_missing(x: object) -> bool:
    """Return whether ``x`` is None or NaN (False for any other value, even a list)."""
    try:
        return x is None or bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def indicator_link(code: str, text: str, lang: str = "vi") -> str:
    """An anchor naming indicator ``code`` (escaped ``text``) that the publisher points at its page.

    The anchor names the indicator only (``data-indicator``): the report run gives it the
    ``href`` of ``indicators/<lang>/<code>.html`` relative to the page
    (:func:`forecast.report.publish.indicators.link_indicators`). Without a published quarter (a
    notebook in JupyterLab) it has no ``href`` and reads as text.
    """
    title = t("indicator_page.link_title", lang)
    return f'<a class="indicator-link" data-indicator="{_esc(code)}" title="{_esc(title)}">{_esc(text)}</a>'


def _linked_name(r: dict, lang: str) -> str:
    """The scorecard's indicator cell: the indicator's name linked to its page, then its basis tag."""
    name, plain = str(r["name"]), indicator_name(r["indicator"], lang)
    if not name.startswith(plain):
        return _esc(name)
    return indicator_link(r["indicator"], plain, lang) + _esc(name[len(plain) :])


#: The scorecard's columns on screen, the one statement of them: numbers (target … P(attain), the
#: rates) on the right; the indicator's name keeps its width (in a 60rem page it wrapped a word a
#: line), P and the verdict theirs (in a narrow output they shrank to their longest word: Hà Nam's
#: "ước tính 6% là đã đạt (tham khảo)" on six lines), long verdicts wrap. The published stylesheet
#: (``report/publish/templates/style.css``, marker ``@scorecard-columns``) and :data:`LAB_STYLE`
#: both write them; print has its own, in millimetres.
SCORECARD_COLUMNS_CSS = (
    ("td:nth-child(n+2):nth-child(-n+6)", "text-align: right;"),
    ("td:nth-child(8)", "text-align: right;"),
    (".badge", "white-space: normal !important; display: inline-block;"),
    ("td:first-child", "min-width: 11rem;"),
    ("td:nth-child(6)", "min-width: 6rem;"),
    ("td:nth-child(7)", "min-width: 9rem;"),
    ("td:nth-child(9)", "width: 8rem;"),
)


def scorecard_columns_css(scope: str = "") -> str:
    """:data:`SCORECARD_COLUMNS_CSS` as CSS rules, each selector under ``scope`` (``".jp-… "``)."""
    return "\n".join(
        f"{scope}.scorecard {selector} {{ {rules} }}" for selector, rules in SCORECARD_COLUMNS_CSS
    )


#: Our tables in JupyterLab as on the published page: JupyterLab right-aligns every cell of an HTML
#: output (``.jp-RenderedHTMLCommon td``), so indicator names and verdicts ran ragged at the right;
#: the scorecard takes the page's columns (:data:`SCORECARD_COLUMNS_CSS`) and, wider than a notebook
#: beside the file browser (~1,000 px), scrolls sideways inside its output. Scoped to JupyterLab's
#: output class: inert on the published page. Each page's title carries it (a notebook's first output).
LAB_STYLE = (
    "<style>.jp-RenderedHTMLCommon :is(table.scorecard, table.headline, table.leaders-risks,"
    " table.targets-other, table.suggestions, table.peers, table.changes, table.data) :is(th, td)"
    " { text-align: left; vertical-align: top; }\n"
    ".jp-RenderedHTMLCommon table.scorecard { display: block; max-width: 100%; overflow-x: auto; }\n"
    + scorecard_columns_css(".jp-RenderedHTMLCommon ")
    + "</style>"
)


def title_html(province: str, quarter: str, lang: str = "vi") -> Html:
    """Return the brief's title, e.g. ``Bản tin chính sách: Hà Nam — quý 4/2026`` (and :data:`LAB_STYLE`)."""
    text = t("brief_title", lang, province=province, quarter=quarter_label(quarter, lang))
    return Html(f'{LAB_STYLE}<h1 class="brief-title">{_esc(text)}</h1>')


def overview_title_html(quarter: str, lang: str = "vi") -> Html:
    """Return the overview's title, e.g. ``Tổng quan các mục tiêu y tế — quý 4/2026`` (and :data:`LAB_STYLE`)."""
    text = t("overview_title", lang, quarter=quarter_label(quarter, lang))
    return Html(f'{LAB_STYLE}<h1 class="overview-title">{_esc(text)}</h1>')


def indicator_title_html(province: str, indicator: str, quarter: str, lang: str = "vi") -> Html:
    """Return a deep dive's title: the indicator's name, the province and the quarter."""
    text = t(
        "indicator_title",
        lang,
        indicator=indicator_name(indicator, lang),
        province=province,
        quarter=quarter_label(quarter, lang),
    )
    return Html(f'{LAB_STYLE}<h1 class="indicator-title">{_esc(text)}</h1>')


def heading_html(key: str, lang: str = "vi", level: int = 2, when: bool = True, **fields: object) -> Html:
    """Return the label ``key`` as an HTML heading of ``level`` (empty when ``when`` is False)."""
    return Html(f"<h{level}>{_esc(t(key, lang, **fields))}</h{level}>" if when else "")


#: Where a printed brief's annex begins: the print stylesheet starts a new page here (``style.css``).
ANNEX_MARKER = '<div class="annex-start"></div>'


def annex_html() -> Html:
    """Return the marker after which a printed brief is its annex (:data:`ANNEX_MARKER`).

    The headline and scorecard come before it (at most two printed pages); the targets without
    data or not forecast, the fan charts, what it takes and the caveats after it.
    """
    return Html(ANNEX_MARKER)


def paragraph_html(text: str) -> Html:
    """Return ``text`` as an HTML paragraph (escaped)."""
    return Html(f"<p>{_esc(text)}</p>")


def list_html(items: list[str], css_class: str = "") -> Html:
    """Return ``items`` as an HTML bullet list (empty string when there are none)."""
    if not items:
        return Html("")
    cls = f' class="{css_class}"' if css_class else ""
    return Html(f"<ul{cls}>" + "".join(f"<li>{_esc(i)}</li>" for i in items) + "</ul>")


def badge_html(category: str, lang: str = "vi", text: str | None = None, indicative: bool = False) -> str:
    """Return a coloured badge ``<span class="badge badge-<category>">`` for a category.

    ``text`` replaces the category's label (``Đạt: 99,0% (2018)``); an ``indicative`` row's badge
    is grey and says so (``Tham khảo · Khó đạt``): it is not a verdict.
    """
    bg, fg = BADGE_COLOURS.get(category, "#9e9e9e"), BADGE_TEXT.get(category, "#000000")
    label = text if text is not None else category_label(category, lang)
    if indicative:
        bg, fg, label = "#eeeeee", "#616161", t("indicative_badge", lang, label=label)
    return (
        f'<span class="badge badge-{_esc(category)}" style="background:{bg};color:{fg};'
        f'padding:1px 6px;border-radius:4px;white-space:nowrap">'
        f"{_esc(label)}</span>"
    )


def target_text(row: dict | pd.Series, lang: str = "vi") -> str:
    """Return a target as written for readers: ``≤ 12,0‰`` or ``≥ 25,0/10.000 dân (phấn đấu 27,0)``.

    A range "đạt 25 - 27" is a floor at its low end; its high end is the plan's aspiration
    (:func:`forecast.registry.targets.target_meaning`), written after it.
    """
    if is_missing(row.get("value")):
        return "–"
    unit = str(row.get("unit") or "")
    d = target_digits(row.get("value"), row.get("value_high"))
    cmp = _COMPARATORS.get(str(row.get("comparator") or ""), "")
    text = f"{cmp} {fmt_value(row['value'], unit, lang, d)}".strip()
    if not is_missing(row.get("value_high")):
        text += " " + t("aspiration", lang, high=fmt_number(row["value_high"], lang, d))
    return text


def forecast_text(row: dict | pd.Series, unit: str, lang: str = "vi", digits: int = 1) -> str:
    """Return a forecast as the scorecard writes it: median (80 % prediction interval)."""
    if is_missing(row.get("q50")):
        return "–"
    return (
        f"{fmt_value(row['q50'], unit, lang, digits)} ({fmt_number(row.get('q10'), lang, digits)}–"
        f"{fmt_number(row.get('q90'), lang, digits)})"
    )


def _required(r: dict, lang: str) -> str:
    """The required rate; past its deadline (the report's year is after the target's) no rate is;
    a target the nowcast already meets needs no move (never a rate away from the target)."""
    passed = is_missing(r.get("rate_required")) and not is_missing(r.get("required_from_year"))
    if passed and int(r["required_from_year"]) >= int(r["year"]):
        return t("deadline_passed", lang)
    if not is_missing(r.get("rate_required")) and moves_away(r, float(r["rate_required"])):
        return t("already_met", lang)
    return _rate(r.get("rate_required"), lang, r.get("rate_unit"), r.get("unit"))


def moves_away(r: dict, rate: float) -> bool:
    """Whether an annual change ``rate`` leads away from the target's side (a floor's value, a
    range's low end included, needs no fall; a ceiling no rise): the target is already met."""
    cmp = str(r.get("comparator") or "")
    if cmp not in (">=", ">", "<=", "<"):
        return False
    return rate * target_direction(cmp) <= 0


def _rate(x: object, lang: str, rate_unit: object = "pct", unit: object = "") -> str:
    return fmt_rate_unit(x, str(rate_unit or "pct"), lang, signed=True, short=True, unit=str(unit or ""))


def _data_first(assessments: pd.DataFrame) -> pd.DataFrame:
    """The same rows, those without data (no_data) moved to the end, order otherwise kept."""
    if "verdict" not in assessments.columns:
        return assessments
    return assessments.sort_values("verdict", key=lambda c: c.eq("no_data"), kind="stable")


def scorecard_frame(assessments: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Return one display row per assessment: indicator, target, year, latest, forecast, P, category.

    Values are formatted for ``lang``; ``category`` keeps the code so callers can colour it.
    Targets without data come last; the order is otherwise the registry's.
    """
    check_lang(lang)
    rows = []
    for r in _data_first(assessments).to_dict("records"):
        unit = str(r.get("unit") or "")
        d = target_digits(r.get("value"), r.get("value_high"))  # the target's precision
        latest = (
            "–"
            if is_missing(r.get("latest_value"))
            else f"{fmt_value(r['latest_value'], unit, lang, d)} ({r['latest_year']})"
        )
        fc = forecast_text(r, unit, lang, d)
        proxy = basis_tag(r, lang)
        indicative = str(r.get("tier") or "") == "indicative"
        rows.append(
            {
                "indicator": r["indicator"],
                "name": indicator_name(r["indicator"], lang) + proxy,
                "target": target_text(r, lang),
                "year": int(r["year"]),
                "latest": latest,
                "forecast": fc,
                "p_attain": p_text(r, lang),
                "rates": f"{_rate(r.get('rate_observed'), lang, r.get('rate_unit'), r.get('unit'))} → "
                f"{_required(r, lang)}",
                "category": str(r.get("verdict") or "no_data"),
                "verdict_text": verdict_text(r, lang),
                "tier": "indicative" if indicative else "verdict",
                "why": bool(set(str(r.get("reason_codes") or "").split(";")) & EXPLAINED),
                "national_target": national_target_text(r, lang),
                "definition_gap": r.get("definition_gap", float("nan")),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "indicator",
            "name",
            "target",
            "year",
            "latest",
            "forecast",
            "p_attain",
            "rates",
            "category",
            "national_target",
            "definition_gap",
            "verdict_text",
            "tier",
            "why",
        ],
    )


#: Reason codes a scorecard row points to the explanations for (``sentences.explanations``).
EXPLAINED = {
    "counter_trend",
    "borrowed_pace",
    "pace_disagrees",
    "stand_in",
    "no_own_data",
    "national_comparator",
    "held_shift",
    "wide_interval",
    "narrow_interval",
}


def passed_unobserved(r: dict) -> bool:
    """A target year before the report's with no observation at or after it (a nowcast)."""
    passed = r.get("deadline_passed")
    return str(r.get("timing") or "") == "nowcast" and not is_missing(passed) and bool(passed)


def verdict_text(r: dict, lang: str = "vi") -> str:
    """The verdict as a reader needs it: ``Đạt: 99,0% (2018)`` on an observation, ``Chưa có số
    liệu năm 2025`` for a passed deadline not yet observed, else the verdict's label."""
    verdict = str(r.get("verdict") or "no_data")
    unit = str(r.get("unit") or "")
    if verdict in ("achieved", "missed") and not is_missing(r.get("observed_year")):
        d = target_digits(r.get("value"), r.get("value_high"))
        return t(
            f"verdict_{verdict}_at",
            lang,
            value=fmt_value(r.get("observed_value"), unit, lang, d),
            year=int(r["observed_year"]),  # type: ignore[arg-type]
        )
    if passed_unobserved(r) and verdict not in ("no_data", "insufficient_data"):
        return t("verdict_not_yet_observed", lang, year=int(r["year"]))
    return category_label(verdict, lang)


def p_text(r: dict, lang: str = "vi") -> str:
    """P(attain) as the scorecard writes it: for a passed deadline not yet observed, the
    probability that it was met; for an indicative row, with its basis (it is not a verdict)."""
    p = fmt_percent(r.get("p_attain"), lang)
    if p == "–":
        return p
    if passed_unobserved(r):
        p = t("p_was_met", lang, p=p)
    if str(r.get("tier") or "") == "indicative":
        p = t("p_indicative", lang, p=p)
    return p


def definition_gap_tag(row: dict, lang: str = "vi") -> str:
    """Return the note beside a verdict whose target sits far from the series' level (else "")."""
    if is_missing(row.get("definition_gap")):
        return ""
    return f' <small class="definition-gap">{_esc(t("definition_gap_tag", lang))}</small>'


def basis_tag(row: dict, lang: str = "vi") -> str:
    """Return the label after a borrowed series' indicator name (empty for the province's own).

    The province's own points carried forward by another series (basis ``own``, a ``gap``) say
    what carries them (the region's, the nation's trend, or its series of another definition).
    """
    basis = row.get("basis")
    if basis == "own" and not is_missing(row.get("gap")):
        borrowed = str(row.get("borrowed") or "")
        kind = (
            "own_other_definition"
            if borrowed == "own_other_definition"
            else "regional"
            if borrowed.startswith("regional")
            else "national"
        )
        return f" ({t('carried_tag', lang, carrier=t(f'carrier_{kind}', lang))})"
    if basis not in ("regional", "national"):
        return ""
    shifted = not is_missing(row.get("gap"))
    key = f"{basis}_gap_tag" if shifted else ("proxy_tag" if basis == "regional" else "national_tag")
    anchor = row.get("anchor_geo")
    if (
        shifted
        and basis == "national"
        and not is_missing(anchor)
        and anchor
        and anchor != row.get("province")
    ):
        key = "national_region_gap_tag"  # shifted to the region's short series, not the province's
    return f" ({t(key, lang)})"


def series_label(row: dict, lang: str = "vi", *, name_geo: bool = False) -> str:
    """The indicator's name with its basis tag; ``name_geo`` adds the province's own geo too.

    A merged province reads one indicator on several geos (an old province's, the new one's):
    ``name_geo`` tells them apart (``Số bác sĩ trên 10.000 dân, Hà Nam``).
    """
    name = indicator_name(row["indicator"], lang) + basis_tag(row, lang)
    own = row.get("basis") not in ("regional", "national")
    return f"{name}, {row['geo']}" if name_geo and own and not is_missing(row.get("geo")) else name


def national_target_text(row: dict, lang: str = "vi") -> str:
    """Return the national target beside a plan's, with its act and year: ``10,0 (NQ 20, 2025)``;
    marked when the row's series is of another definition (``khác định nghĩa``), or an en dash."""
    value = row.get("national_target")
    if is_missing(value):
        return "–"
    year = row.get("national_target_year")
    act = str(row.get("national_target_act") or "")
    parts = [t(f"act_short.{act}", lang)] if act and has_text(f"act_short.{act}") else []
    if not is_missing(year):
        parts.append(str(int(year)))  # type: ignore[arg-type]
    d = target_digits(value, row.get("value"), row.get("value_high"))  # as precise as the plan's target
    text = fmt_value(value, str(row.get("unit") or ""), lang, d) + (f" ({', '.join(parts)})" if parts else "")
    if str(row.get("national_target_definition") or "") == "other":
        text += " " + t("national_other_definition", lang)
    return text


_SCORECARD_COLUMNS = (
    "col_indicator",
    "col_target",
    "col_year",
    "col_latest",
    "col_forecast",
    "col_p_attain",
    "col_category",
    "col_rates",
    "col_national_target",
)


def scorecard_html(assessments: pd.DataFrame, lang: str = "vi") -> Html:
    """Return the scorecard: a ``<table class="scorecard">`` with one ``<tbody>`` row per target.

    Each row carries ``class="target cat-<category>"`` and ``data-category``/``data-indicator``.
    """
    frame = scorecard_frame(assessments, lang)
    body = []
    for r in frame.to_dict("records"):
        indicative = r["tier"] == "indicative"
        grey = ' style="color:#757575"' if indicative else ""
        cells = [
            _linked_name(r, lang),
            _cell(r["target"]),
            str(r["year"]),
            _cell(r["latest"]),
            _cell(r["forecast"]),
            f"<span{grey}>{_esc(r['p_attain'])}</span>",
            badge_html(r["category"], lang, r["verdict_text"], indicative)
            + definition_gap_tag(r, lang)
            + (f' <small class="why">{_esc(t("why_tag", lang))}</small>' if r["why"] else ""),
            _cell(r["rates"]),
            _esc(keep_value_together(r["national_target"])),
        ]
        attrs = (
            f' class="target cat-{_esc(r["category"])} tier-{_esc(r["tier"])}"'
            f' data-category="{_esc(r["category"])}" data-tier="{_esc(r["tier"])}"'
            f' data-indicator="{_esc(r["indicator"])}"'
        )
        body.append((attrs, cells))
    return Html(rows_table("scorecard", [t(k, lang) for k in _SCORECARD_COLUMNS], body))


def other_targets_html(targets: pd.DataFrame, lang: str = "vi") -> Html:
    """Return the targets that are not forecast (milestones, activities, aims) as a table.

    The table has class ``targets-other`` (not ``scorecard``), one row per target, with the
    plan's own wording in the last column.
    """
    check_lang(lang)
    rows = targets[targets["kind"] != "outcome"] if "kind" in targets.columns else targets
    if rows.empty:
        return Html("")
    keys = ("col_kind", "col_indicator", "col_year", "col_target", "col_quote")
    body = []
    for r in rows.sort_values(["kind", "year"]).to_dict("records"):
        cells = [
            t(f"kind_{r['kind']}", lang),
            indicator_name(r["indicator"], lang),
            r["year"],
            target_text(r, lang),
            r.get("quote", ""),
        ]
        body.append((f' class="target kind-{_esc(r["kind"])}"', [_esc(c) for c in cells]))
    return Html(rows_table("targets-other", [t(k, lang) for k in keys], body))


def milestones_html(targets: pd.DataFrame, province: str, lang: str = "vi") -> Html:
    """Return the message for a plan with no forecastable outcome target, then its milestones."""
    message = paragraph_html(t("no_outcome", lang, province=province))
    return Html(message + heading_html("milestones", lang, 3) + other_targets_html(targets, lang))


def data_years(assessments: pd.DataFrame, own: pd.DataFrame | None = None) -> str:
    """The span of the latest years of the province's own data (``2016–2018``), "" without any.

    Read from the latest year of each assessed series of its own; a province without an
    assessed target of its own (no plan in the run) is dated by the latest year of each of its
    own observed series (``own``: ``indicator, year``), which its page shows all the same.
    """
    a = assessments
    years = pd.Series(dtype=int)
    if "latest_year" in a.columns:
        mine = a[a["basis"] == "own"] if "basis" in a.columns else a
        years = mine["latest_year"].dropna().astype(int)
    if years.empty and own is not None and len(own):
        years = own.groupby("indicator")["year"].max().astype(int)
    if years.empty:
        return ""
    lo, hi = int(years.min()), int(years.max())
    return str(lo) if lo == hi else f"{lo}–{hi}"


def run_info_html(
    run: object | None,
    lang: str = "vi",
    assessments: pd.DataFrame | None = None,
    own: pd.DataFrame | None = None,
) -> Html:
    """Return a one-line note naming the run and its quarter (or that there is no run).

    With a province's ``assessments``, the note says how recent the province's own data are
    ("số liệu tỉnh mới nhất: 2016–2018; báo cáo quý 4/2026") instead of implying data up to the
    report's quarter; ``own`` (the province's own observations) dates them when no assessed
    target has a series of its own (:func:`data_years`).
    """
    if run is None:
        return paragraph_html(t("no_run", lang))
    if assessments is not None:
        span = data_years(assessments, own)
        text = t(
            "run_info_data" if span else "run_info_no_data",
            lang,
            run_id=getattr(run, "run_id", ""),
            years=span,
            as_of=quarter_label(getattr(run, "as_of", ""), lang),
        )
        return Html(f'<p class="run-info">{_esc(text)}</p>')
    text = t(
        "run_info",
        lang,
        run_id=getattr(run, "run_id", ""),
        as_of=quarter_label(getattr(run, "as_of", ""), lang),
    )
    return Html(f'<p class="run-info">{_esc(text)}</p>')


#: zlib level 3 instead of Pillow's 6: a chart's PNG written in 0.006 s instead of 0.010, 2 % larger.
PNG_OPTIONS = {"compress_level": 3}


def figure_html(
    fig: Figure,
    dpi: int = 150,
    close: bool = True,
    alt: str | None = None,
    tight: bool = False,
    legend: bool = False,
) -> Html:
    """Return ``fig`` as an inline PNG ``<img>`` (independent of the notebook's backend).

    Charts are drawn at their printed size (:data:`forecast.report.pages.plots.FAN_SIZE`), so
    ``dpi`` sets their sharpness on paper and their width on screen (3.6 in at 150 dpi: 540 px).
    ``legend`` writes the legend of the figure's first axes under the image (:func:`legend_html`),
    for a chart drawn without one (``fan_chart(..., legend=False)``).

    ``alt`` defaults to the first axes' title (centred, left or right). :mod:`forecast.report.pages.plots` figures use constrained
    layout, so ``tight`` (a second layout pass, a third slower) is only for other figures.
    """
    if alt is None:
        # the title wherever it sits (our charts' titles start at the left edge)
        alt = (
            next((a for loc in ("center", "left", "right") if (a := fig.axes[0].get_title(loc))), "")
            if fig.axes
            else ""
        )
    buf = io.BytesIO()
    if tight:
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pil_kwargs=PNG_OPTIONS)
    else:  # the bytes savefig writes, drawn once (savefig adds a layout pass: a tenth of the time)
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        shown = fig.dpi
        fig.dpi = dpi
        try:
            FigureCanvasAgg(fig).print_png(buf, pil_kwargs=PNG_OPTIONS)
        finally:
            fig.dpi = shown
    if close and "matplotlib.pyplot" in sys.modules:  # only pyplot keeps figures alive
        sys.modules["matplotlib.pyplot"].close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    keys = legend_html(fig) if legend else ""
    return Html(f'<img class="figure" alt="{_esc(alt)}" src="data:image/png;base64,{data}"/>{keys}')


#: The mark a legend key shows for a line drawn as markers only (matplotlib's marker code).
_MARKS = {"o": "●", "D": "◆", "*": "★", "s": "■", "^": "▲"}


def _key(handle: object) -> str:
    """A legend key in HTML, drawn as the artist is: a marker, a (dashed) line or a band's colour."""
    from matplotlib.collections import Collection, LineCollection
    from matplotlib.colors import to_hex, to_rgba
    from matplotlib.lines import Line2D

    box = "display:inline-block;width:1.6em;vertical-align:middle;margin-right:0.4em"
    if isinstance(handle, Line2D) and str(handle.get_linestyle()).lower() in ("none", "", " "):
        mark = _MARKS.get(str(handle.get_marker()), "●")
        return f'<span style="color:{to_hex(handle.get_color())};{box};text-align:center">{mark}</span>'
    if isinstance(handle, Line2D):
        dashed = handle.get_linestyle() not in ("-", "solid")
        colour, width = to_hex(handle.get_color()), handle.get_linewidth()
    elif isinstance(handle, LineCollection):  # hlines: a target
        styles: Any = handle.get_linestyle()  # [(offset, dashes)]; no dashes: solid
        dashed = styles[0][1] is not None
        colour = to_hex(tuple(np.asarray(handle.get_color())[0]))
        width = float(np.atleast_1d(handle.get_linewidth())[0])
    elif isinstance(handle, Collection):  # a band: its colour, as transparent as drawn
        r, g, b, a = to_rgba(tuple(np.asarray(handle.get_facecolor())[0]))
        return f'<span style="background-color:rgba({r * 255:.0f},{g * 255:.0f},{b * 255:.0f},{a:.2f});height:0.8em;{box}"></span>'
    else:
        return f'<span style="{box}"></span>'
    line = f"{max(1, round(width * 1.3))}px {'dashed' if dashed else 'solid'} {colour}"
    return f'<span style="border-top:{line};{box}"></span>'


def legend_html(fig: Figure) -> Html:
    """The legend of ``fig``'s first axes as HTML: each entry's key and words, two a row.

    The same entries as :meth:`matplotlib.axes.Axes.legend` would draw (handles with a label),
    written instead of drawn: a page's text, in the page's font, at no drawing cost.
    """
    handles, labels = fig.axes[0].get_legend_handles_labels() if fig.axes else ([], [])
    items = "".join(
        f'<span class="chart-legend-item">{_key(h)}{_esc(label)}</span>' for h, label in zip(handles, labels)
    )
    if not items:
        return Html("")
    rows = (len(handles) + 1) // 2  # two columns filled top to bottom, as matplotlib's ncol=2 does
    return Html(
        '<div class="chart-legend" style="display:grid;grid-auto-flow:column;'
        f'grid-template-rows:repeat({rows},auto);gap:0.1em 1.5em;justify-content:start;padding-left:3em">{items}</div>'
    )


def table_html(frame: pd.DataFrame, css_class: str = "data") -> Html:
    """A table for readers: the frame's columns as headers (already words), no row index, ``–`` for a gap."""
    if frame.empty:
        return Html("")
    rows = [
        ("", ["–" if is_missing(v) or v == "" else _esc(v) for v in values])
        for values in frame.itertuples(index=False)
    ]
    return Html(rows_table(css_class, frame.columns, rows))


def list_section(key: str, items: list[str], lang: str = "vi") -> Html:
    """Return a heading and a bullet list, or nothing when ``items`` is empty."""
    return Html(heading_html(key, lang, when=bool(items)) + list_html(items))


def _verdict_move(r: dict, lang: str) -> str:
    """``badge (P%) → badge (P%)``; a missing side (new or dropped target) shows a dash."""
    sides = []
    for when in ("old", "new"):
        verdict, p = r.get(f"verdict_{when}"), r.get(f"p_attain_{when}")
        if is_missing(verdict) or not str(verdict):
            sides.append("–")
            continue
        share = "" if is_missing(p) else f" {_esc(fmt_percent(p, lang))}"
        sides.append(badge_html(str(verdict), lang) + share)
    return " → ".join(sides)


def changes_html(changes: pd.DataFrame | None, lang: str = "vi", previous_run_id: str = "") -> Html:
    """Return the targets whose verdict or P(attain) moved since the previous run, with the reason.

    ``changes`` is :func:`forecast.assess.runs.compare_runs` output, or None for a first run.
    """
    if changes is None:
        return paragraph_html(t("first_run", lang))
    if changes.empty:
        return paragraph_html(t("no_changes", lang, run_id=previous_run_id))
    keys = ("col_province", "col_indicator", "col_year", "col_change", "col_reason")
    body = []
    for r in changes.to_dict("records"):
        reason = f"reason_{r['reason']}"
        cells = [
            _esc(r["province"]),
            _esc(indicator_name(r["indicator"], lang)),
            _esc(r["year"]),
            _verdict_move(r, lang),
            _esc(t(reason, lang) if reason in _REASONS else "–"),
        ]
        body.append((' class="change"', cells))
    return Html(rows_table("changes", [t(k, lang) for k in keys], body))


_REASONS = {"reason_new data", "reason_revised model", "reason_new target", "reason_target dropped"}
