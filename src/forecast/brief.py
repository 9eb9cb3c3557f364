"""The presentation layer of the notebooks: scorecards, sentences and caveats, in Vietnamese or English.

Everything here takes frames (assessments, targets) and returns strings, lists or :class:`Html`
objects; nothing fits a model or reads the store. Policy briefs are rendered without input cells,
so every visible word of a brief comes from these functions.
"""
from __future__ import annotations

import base64
import html
import io
import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import geo, indicators, series_choice
from .labels import (BADGE_COLOURS, BADGE_TEXT, category_label, check_lang, definition_text,
                     fmt_number, fmt_percent, fmt_value, indicator_name, quarter_label, t,
                     unit_label)


if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Cell tag of notebook cells that the report renderer drops from policy briefs.
ANALYST_ONLY_TAG = "analyst-only"
#: Registry notes shown as caveats: the source's own anomalies, not the registry's reading notes.
ANOMALY = re.compile(r"(?i)\bsource (anomal|typo)|\btypo\b|bất thường|viết nhầm")
_COMPARATORS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}


class Html(str):
    """A string of HTML that Jupyter displays as HTML (``display(Html("<b>x</b>"))``)."""

    def _repr_html_(self) -> str:
        return str(self)


def _esc(x: object) -> str:
    return html.escape(str(x))


def _missing(x: object) -> bool:
    try:
        return x is None or bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def title_html(province: str, quarter: str, lang: str = "vi") -> Html:
    """Return the brief's title, e.g. ``Bản tin chính sách: Hà Nam — quý 4/2026``."""
    text = t("brief_title", lang, province=province, quarter=quarter_label(quarter, lang))
    return Html(f'<h1 class="brief-title">{_esc(text)}</h1>')


def overview_title_html(quarter: str, lang: str = "vi") -> Html:
    """Return the overview's title, e.g. ``Tổng quan các mục tiêu y tế — quý 4/2026``."""
    text = t("overview_title", lang, quarter=quarter_label(quarter, lang))
    return Html(f'<h1 class="overview-title">{_esc(text)}</h1>')


def indicator_title_html(province: str, indicator: str, quarter: str, lang: str = "vi") -> Html:
    """Return a deep dive's title: the indicator's name, the province and the quarter."""
    text = t("indicator_title", lang, indicator=indicator_name(indicator, lang), province=province,
             quarter=quarter_label(quarter, lang))
    return Html(f'<h1 class="indicator-title">{_esc(text)}</h1>')


def heading_html(key: str, lang: str = "vi", level: int = 2, when: bool = True,
                 **fields: object) -> Html:
    """Return the label ``key`` as an HTML heading of ``level`` (empty when ``when`` is False)."""
    return Html(f"<h{level}>{_esc(t(key, lang, **fields))}</h{level}>" if when else "")


def paragraph_html(text: str) -> Html:
    """Return ``text`` as an HTML paragraph (escaped)."""
    return Html(f"<p>{_esc(text)}</p>")


def list_html(items: list[str], css_class: str = "") -> Html:
    """Return ``items`` as an HTML bullet list (empty string when there are none)."""
    if not items:
        return Html("")
    cls = f' class="{css_class}"' if css_class else ""
    return Html(f"<ul{cls}>" + "".join(f"<li>{_esc(i)}</li>" for i in items) + "</ul>")


def badge_html(category: str, lang: str = "vi") -> str:
    """Return a coloured badge ``<span class="badge badge-<category>">`` for a category."""
    bg, fg = BADGE_COLOURS.get(category, "#9e9e9e"), BADGE_TEXT.get(category, "#000000")
    return (f'<span class="badge badge-{_esc(category)}" style="background:{bg};color:{fg};'
            f'padding:1px 6px;border-radius:4px;white-space:nowrap">'
            f"{_esc(category_label(category, lang))}</span>")


def target_text(row: dict | pd.Series, lang: str = "vi") -> str:
    """Return a target as written for readers: ``≤ 12,0‰`` or ``75,0–76,0 năm``."""
    if _missing(row.get("value")):
        return "–"
    unit = str(row.get("unit") or "")
    if not _missing(row.get("value_high")):
        low = fmt_value(row["value"], unit, lang).removesuffix(unit_label(unit, lang))
        return f"{low}–{fmt_value(row['value_high'], unit, lang)}"
    cmp = _COMPARATORS.get(str(row.get("comparator") or ""), "")
    return f"{cmp} {fmt_value(row['value'], unit, lang)}".strip()


def _rate(x: object, lang: str) -> str:
    return "–" if _missing(x) else ("+" if float(x) > 0 else "") + fmt_number(x, lang) + "%"


def _data_first(assessments: pd.DataFrame) -> pd.DataFrame:
    """The same rows, those without data (no_data) moved to the end, order otherwise kept."""
    if "category" not in assessments.columns:
        return assessments
    return assessments.sort_values("category", key=lambda c: c.eq("no_data"), kind="stable")


def scorecard_frame(assessments: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Return one display row per assessment: indicator, target, year, latest, forecast, P, category.

    Values are formatted for ``lang``; ``category`` keeps the code so callers can colour it.
    Targets without data come last; the order is otherwise the registry's.
    """
    check_lang(lang)
    rows = []
    for r in _data_first(assessments).to_dict("records"):
        unit = str(r.get("unit") or "")
        latest = ("–" if _missing(r.get("latest_value")) else
                  f"{fmt_value(r['latest_value'], unit, lang)} ({r['latest_year']})")
        fc = ("–" if _missing(r.get("q50")) else
              f"{fmt_value(r['q50'], unit, lang)} ({fmt_number(r.get('q10'), lang)}–"
              f"{fmt_number(r.get('q90'), lang)})")
        proxy = f" ({t('proxy_tag', lang)})" if r.get("basis") == "proxy" else ""
        rows.append({"indicator": r["indicator"], "name": indicator_name(r["indicator"], lang) + proxy,
                     "target": target_text(r, lang), "year": int(r["year"]), "latest": latest,
                     "forecast": fc, "p_attain": fmt_percent(r.get("p_attain"), lang),
                     "rates": f"{_rate(r.get('rate_observed'), lang)} → "
                              f"{_rate(r.get('rate_required'), lang)}",
                     "category": str(r.get("category") or "no_data")})
    return pd.DataFrame(rows, columns=["indicator", "name", "target", "year", "latest", "forecast",
                                       "p_attain", "rates", "category"])


_SCORECARD_COLUMNS = ("col_indicator", "col_target", "col_year", "col_latest", "col_forecast",
                      "col_p_attain", "col_category", "col_rates")


def scorecard_html(assessments: pd.DataFrame, lang: str = "vi") -> Html:
    """Return the scorecard: a ``<table class="scorecard">`` with one ``<tbody>`` row per target.

    Each row carries ``class="target cat-<category>"`` and ``data-category``/``data-indicator``.
    """
    frame = scorecard_frame(assessments, lang)
    head = "".join(f"<th>{_esc(t(k, lang))}</th>" for k in _SCORECARD_COLUMNS)
    body = []
    for r in frame.to_dict("records"):
        cells = [_esc(r["name"]), _esc(r["target"]), str(r["year"]), _esc(r["latest"]),
                 _esc(r["forecast"]), _esc(r["p_attain"]), badge_html(r["category"], lang),
                 _esc(r["rates"])]
        body.append(f'<tr class="target cat-{_esc(r["category"])}" data-category="{_esc(r["category"])}"'
                    f' data-indicator="{_esc(r["indicator"])}">'
                    + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return Html(f'<table class="scorecard"><thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(body)}</tbody></table>')


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
    head = "".join(f"<th>{_esc(t(k, lang))}</th>" for k in keys)
    body = []
    for r in rows.sort_values(["kind", "year"]).to_dict("records"):
        cells = [t(f"kind_{r['kind']}", lang), indicator_name(r["indicator"], lang), r["year"],
                 target_text(r, lang), r.get("quote", "")]
        body.append(f'<tr class="target kind-{_esc(r["kind"])}">'
                    + "".join(f"<td>{_esc(c)}</td>" for c in cells) + "</tr>")
    return Html(f'<table class="targets-other"><thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(body)}</tbody></table>')


def milestones_html(targets: pd.DataFrame, province: str, lang: str = "vi") -> Html:
    """Return the message for a plan with no forecastable outcome target, then its milestones."""
    message = paragraph_html(t("no_outcome", lang, province=province))
    return Html(message + heading_html("milestones", lang, 3) + other_targets_html(targets, lang))


def _lower_first(name: str) -> str:
    # Keep acronyms ("BHYT coverage") and proper nouns that start with two capitals.
    return name if len(name) > 1 and name[1].isupper() else name[:1].lower() + name[1:]


_VERBS = {"vi": ("tăng", "giảm"), "en": ("rise", "fall")}
_VERBS_ING = {"vi": ("tăng", "giảm"), "en": ("rising", "falling")}


def _takes_sentence(r: dict, lang: str) -> str:
    name = _lower_first(indicator_name(r["indicator"], lang))
    req, obs, year = float(r["rate_required"]), r.get("rate_observed"), int(r["year"])
    target = target_text(r, lang)
    verb = _VERBS[lang][req < 0]
    if lang == "vi":
        text = f"Để đạt mục tiêu năm {year} ({target}), {name} phải {verb} {fmt_number(abs(req), lang)}%/năm"
    else:
        text = (f"To reach the {year} target ({target}), the {name} must {verb} "
                f"{fmt_number(abs(req), lang)}% a year")
    if not _missing(obs):
        obs = float(obs)
        same = (obs < 0) == (req < 0)
        size = fmt_number(abs(obs), lang)
        if lang == "vi":
            text += (f", so với mức {size}%/năm đã quan sát" if same else
                     f", trong khi số liệu quan sát đang {_VERBS_ING[lang][obs < 0]} {size}%/năm")
        else:
            text += (f", against {size}% a year observed" if same else
                     f", whereas it has been {_VERBS_ING[lang][obs < 0]} {size}% a year")
    return text + "."


def _pace_sentence(r: dict, lang: str) -> str:
    name = indicator_name(r["indicator"], lang)
    exp = r.get("expected_year")
    if _missing(exp):
        return (f"Với xu hướng hiện tại, {_lower_first(name)} chưa đạt mục tiêu trước năm 2035."
                if lang == "vi" else f"At the current trend, the {_lower_first(name)} target "
                                     "would not be reached by 2035.")
    return (f"Với xu hướng hiện tại, {_lower_first(name)} đạt mục tiêu vào khoảng năm {int(exp)}."
            if lang == "vi" else f"At the current trend, the {_lower_first(name)} target would be "
                                 f"reached around {int(exp)}.")


def what_it_takes(assessments: pd.DataFrame, lang: str = "vi") -> list[str]:
    """Return one plain sentence per target still to reach: the pace required against the pace seen.

    Achieved targets get a one-line confirmation; targets without data are left to
    :func:`caveats`.
    """
    check_lang(lang)
    out = []
    for r in assessments.to_dict("records"):
        cat = r.get("category")
        if cat == "achieved":
            name = indicator_name(r["indicator"], lang)
            out.append(f"{name}: đã đạt mục tiêu năm {int(r['year'])}." if lang == "vi"
                       else f"{name}: the {int(r['year'])} target is already met.")
        elif cat not in ("no_data", "insufficient_data") and not _missing(r.get("rate_required")):
            sentence = _takes_sentence(r, lang)
            if cat != "on_track" and "expected_year" in r:
                sentence += " " + _pace_sentence(r, lang)
            out.append(sentence)
    return out


def caveats(targets: pd.DataFrame, assessments: pd.DataFrame, lang: str = "vi") -> list[str]:
    """Return the data caveats of a brief, one sentence each.

    Covers series whose definition differs from the target's (e.g. beds without central
    hospitals), the last year of data per series, the registry notes that flag an anomaly of the
    source (:data:`ANOMALY`, e.g. a rate written in % that is really ‰), targets with no data and
    series that could not be forecast. Regional proxies and data of a merged 2025 province that
    were left unused are named (:func:`_proxy_caveats`).
    """
    check_lang(lang)
    vi = lang == "vi"
    out = []
    a = assessments
    differ = a.assign(definition=_own_definitions(a))
    differ = differ[differ["definition"] != ""]
    for definition, rows in differ.groupby("definition", sort=False):
        names = "; ".join(dict.fromkeys(indicator_name(c, lang) for c in rows["indicator"]))
        out.append(f"{names}: " + ("số liệu " if vi else "the series is ")
                   + definition_text(definition, lang) + ".")
    out += _proxy_caveats(a, lang)
    seen = a.dropna(subset=["latest_year"]).drop_duplicates(["indicator", "series"]) \
        if "latest_year" in a else a.iloc[0:0]
    if len(seen):
        parts = [f"{indicator_name(r['indicator'], lang)} ({int(r['latest_year'])})"
                 for r in seen.to_dict("records")]
        out.append(("Năm có số liệu mới nhất: " if vi else "Last year with data: ") + "; ".join(parts) + ".")
    out += _anomalies(targets, lang)
    missing = a[a["category"] == "no_data"] if "category" in a else a.iloc[0:0]
    if len(missing):
        names = sorted({indicator_name(c, lang) for c in missing["indicator"]})
        out.append(("Chưa có số liệu cho: " if vi else "No data for: ") + "; ".join(names) + ".")
    short = a[a["category"] == "insufficient_data"] if "category" in a else a.iloc[0:0]
    for r in short.to_dict("records"):
        reason = str(r.get("reason") or "").strip()
        out.append(f"{indicator_name(r['indicator'], lang)}: "
                   + ("không đủ số liệu để dự báo" if vi else "too little data to forecast")
                   + (f" ({reason})." if reason else "."))
    return list(dict.fromkeys(out))


def _own_definitions(a: pd.DataFrame) -> pd.Series:
    """The definitions, a proxy's reduced to its series' own (the proxy has its own caveat)."""
    definition = a.get("definition", pd.Series("", index=a.index)).fillna("").astype(str)
    if "basis" not in a.columns or "series" not in a.columns:
        return definition
    variant = a["series"].fillna("").map(lambda s: indicators.base_indicator(s)[1] if s else "")
    return definition.where(a["basis"] != "proxy", variant)


def _proxy_caveats(a: pd.DataFrame, lang: str) -> list[str]:
    """One caveat per region lending its series, one per merged province whose data went unused."""
    out = []
    proxies = a[a["basis"] == "proxy"] if "basis" in a.columns else a.iloc[0:0]
    for region, rows in proxies.groupby("geo", sort=False):
        names = "; ".join(dict.fromkeys(indicator_name(c, lang) for c in rows["indicator"]))
        out.append(t("proxy_caveat", lang, names=names, region=region))
    successors = a.get("reason", pd.Series("", index=a.index)).map(series_choice.merged_successor)
    for successor, rows in a[successors.notna()].groupby(successors.dropna(), sort=False):
        names = "; ".join(dict.fromkeys(indicator_name(c, lang) for c in rows["indicator"]))
        out.append(t("merged_caveat", lang, names=names, successor=successor))
    return out


def _anomaly_text(note: str) -> str:
    """The note from the start of the sentence that flags an anomaly, clipped to ~320 characters."""
    m = ANOMALY.search(note)
    if not m:
        return ""
    # A sentence ends at a full stop (not an ellipsis) followed by a capital, quote or bracket.
    ends = [b.end() for b in re.finditer(r"(?<!\.)\.\s+(?=[A-Z\"'(])", note) if b.end() <= m.start()]
    text = note[ends[-1] if ends else 0:].strip()
    return text if len(text) <= 320 else text[:319].rsplit(" ", 1)[0] + " …"


def _anomalies(targets: pd.DataFrame, lang: str) -> list[str]:
    """One caveat per distinct source anomaly in the registry notes, naming the targets it affects."""
    if "note" not in targets.columns:
        return []
    found: dict[str, list[str]] = {}
    for r in targets.to_dict("records"):
        text = _anomaly_text(str(r.get("note") or ""))
        if text:
            found.setdefault(text, []).append(f"{indicator_name(r['indicator'], lang)} ({r['year']})")
    return [f"{'; '.join(dict.fromkeys(names))}: {text}" for text, names in found.items()]


def run_info_html(run: object | None, lang: str = "vi") -> Html:
    """Return a one-line note naming the run and its as-of quarter (or that there is no run)."""
    if run is None:
        return paragraph_html(t("no_run", lang))
    text = t("run_info", lang, run_id=getattr(run, "run_id", ""),
             as_of=quarter_label(getattr(run, "as_of", ""), lang))
    return Html(f'<p class="run-info">{_esc(text)}</p>')


def figure_html(fig: Figure, dpi: int = 90, close: bool = True, alt: str | None = None,
                tight: bool = False) -> Html:
    """Return ``fig`` as an inline PNG ``<img>`` (independent of the notebook's backend).

    ``alt`` defaults to the first axes' title. :mod:`forecast.plots` figures use constrained
    layout, so ``tight`` (a second layout pass, a third slower) is only for other figures.
    """
    if alt is None:
        alt = fig.axes[0].get_title() if fig.axes else ""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight" if tight else None)
    if close and "matplotlib.pyplot" in sys.modules:  # only pyplot keeps figures alive
        sys.modules["matplotlib.pyplot"].close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return Html(f'<img class="figure" alt="{_esc(alt)}" src="data:image/png;base64,{data}"/>')


@dataclass(frozen=True)
class ProvinceView:
    """What one province's brief shows: its outcome assessments, plan, observations and forecasts."""

    province: str
    run: Any = None
    assessments: pd.DataFrame = field(default_factory=pd.DataFrame)
    plan: pd.DataFrame = field(default_factory=pd.DataFrame)
    observations: pd.DataFrame = field(default_factory=pd.DataFrame)
    forecasts: pd.DataFrame = field(default_factory=pd.DataFrame)


def province_view(run: Any, observations: pd.DataFrame, plan: pd.DataFrame | None,
                  province: str) -> ProvinceView:
    """Select one province's rows from a run (``runs.Run``), the observations and the registry."""
    name = geo.resolve_geo(province)
    plan = pd.DataFrame(columns=["province", "kind"]) if plan is None else plan
    a = run.assessments if run is not None else pd.DataFrame(columns=["province", "geo", "kind"])
    a = a[a["province"] == name]
    a = a[a["kind"] == "outcome"] if "kind" in a.columns else a
    geos = set(a["geo"]) | {name}
    fc = run.forecasts if run is not None else pd.DataFrame(columns=["geo"])
    return ProvinceView(name, run, a.reset_index(drop=True),
                        plan[plan["province"] == name].reset_index(drop=True),
                        observations[observations["geo"].isin(geos)], fc[fc["geo"].isin(geos)])


FanPanel = tuple[str, pd.DataFrame, pd.DataFrame, pd.DataFrame]  # title, observations, forecasts, targets


def fan_panels(view: ProvinceView, lang: str = "vi") -> list[FanPanel]:
    """Return ``(title, observations, forecasts, targets)`` for each assessed series with data."""
    out = []
    a = view.assessments
    a = a[a["series"].fillna("") != ""] if "series" in a.columns else a.iloc[0:0]
    for (g, series), rows in a.groupby(["geo", "series"], sort=True):
        obs = view.observations[(view.observations["geo"] == g) & (view.observations["indicator"] == series)]
        if obs.empty:
            continue
        fc = view.forecasts[(view.forecasts["geo"] == g) & (view.forecasts["indicator"] == series)]
        title = indicator_name(series, lang) + ("" if series == rows["indicator"].iloc[0] else f" ({series})")
        title += "" if g == view.province else f" — {g}"  # a regional proxy
        out.append((title, obs, fc, rows))
    return out


def series_view(view: ProvinceView, indicator: str) -> tuple[str, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return ``(series, observations, forecasts, target rows)`` of one indicator of a province.

    The series is the one the assessments used (a variant such as ``beds_per_10k_dohs`` where
    the catalogue series is missing), else the indicator itself.
    """
    rows = view.assessments[view.assessments["indicator"] == indicator] if len(view.assessments) \
        else pd.DataFrame(columns=["indicator", "series", "geo", "year", "value", "rate_required"])
    used = [s for s in rows.get("series", pd.Series(dtype=str)).fillna("") if s]
    series = used[0] if used else indicator
    g = rows["geo"].iloc[0] if len(rows) else view.province
    obs = view.observations[(view.observations["geo"] == g) & (view.observations["indicator"] == series)]
    fc = view.forecasts[(view.forecasts["geo"] == g) & (view.forecasts["indicator"] == series)] \
        if len(view.forecasts) else view.forecasts
    return series, obs.sort_values("year"), fc, rows


def series_panels(observations: pd.DataFrame, forecasts: pd.DataFrame, geo_name: str,
                  lang: str = "vi") -> list[FanPanel]:
    """Return fan-chart inputs for every forecast catalogue series of ``geo_name`` (no targets)."""
    fc = forecasts[forecasts["geo"] == geo_name]
    out = []
    for series in sorted(set(fc["indicator"]) & set(indicators.catalogue().index)):
        obs = observations[(observations["geo"] == geo_name) & (observations["indicator"] == series)]
        if len(obs):
            out.append((indicator_name(series, lang) + f" ({series})", obs,
                        fc[fc["indicator"] == series], pd.DataFrame(columns=["year", "value"])))
    return out


def scorecard_section(view: ProvinceView, lang: str = "vi") -> Html:
    """Return the scorecard with its heading, then the other targets; or the milestones message."""
    others = view.plan[view.plan["kind"] != "outcome"] if "kind" in view.plan.columns else view.plan
    if view.assessments.empty:
        if view.plan.empty:
            return paragraph_html(t("no_targets", lang, province=view.province))
        return milestones_html(others, view.province, lang)
    return Html(heading_html("scorecard", lang) + scorecard_html(view.assessments, lang)
                + heading_html("other_targets", lang, 3, when=len(others) > 0)
                + other_targets_html(others, lang))


def list_section(key: str, items: list[str], lang: str = "vi") -> Html:
    """Return a heading and a bullet list, or nothing when ``items`` is empty."""
    return Html(heading_html(key, lang, when=bool(items)) + list_html(items))


def changes_html(changes: pd.DataFrame | None, lang: str = "vi", previous_run_id: str = "") -> Html:
    """Return the targets that moved category since the previous run, with the reason.

    ``changes`` is :func:`forecast.runs.compare_runs` output, or None for a first run.
    """
    if changes is None:
        return paragraph_html(t("first_run", lang))
    if changes.empty:
        return paragraph_html(t("no_changes", lang, run_id=previous_run_id))
    keys = ("col_province", "col_indicator", "col_year", "col_before", "col_after", "col_reason")
    head = "".join(f"<th>{_esc(t(k, lang))}</th>" for k in keys)
    body = []
    for r in changes.to_dict("records"):
        reason = f"reason_{r['reason']}"
        cells = [_esc(r["province"]), _esc(indicator_name(r["indicator"], lang)), _esc(r["year"]),
                 badge_html(str(r["category_old"] or "no_data"), lang),
                 badge_html(str(r["category_new"] or "no_data"), lang),
                 _esc(t(reason, lang) if reason in _REASONS else r["reason"])]
        body.append('<tr class="change">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return Html(f'<table class="changes"><thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(body)}</tbody></table>')


_REASONS = {"reason_new data", "reason_revised forecast", "reason_new target", "reason_target dropped"}


def rate_windows(observations: pd.DataFrame, windows: range = range(2, 11),
                 rate_required: float = float("nan")) -> pd.DataFrame:
    """Return the observed annual % change (log-linear AARR slope) over each window before the latest year.

    Mirrors the observed rate of :mod:`forecast.assess` so an analyst can see how much it depends
    on the window; columns ``window, first_year, points, rate, rate_required``.
    """
    obs = observations.dropna(subset=["value"]).sort_values("year")
    years, values = obs["year"].to_numpy(float), obs["value"].to_numpy(float)
    rows = []
    for w in windows:
        keep = years >= years[-1] - w if len(years) else years.astype(bool)
        if keep.sum() < 2 or (values[keep] <= 0).any():
            continue
        slope = np.polyfit(years[keep], np.log(values[keep]), 1)[0]
        rows.append({"window": w, "first_year": int(years[keep][0]), "points": int(keep.sum()),
                     "rate": float(np.expm1(slope) * 100), "rate_required": rate_required})
    return pd.DataFrame(rows, columns=["window", "first_year", "points", "rate", "rate_required"])
