"""Indicator pages: what an indicator means, which data the store holds for it, how it is forecast.

Every catalogue indicator used by a target gets a page in every language, as the metadata pages of
the Open SDG platforms: definition, unit, source agency and table, what the store holds (years and
geos of each series: the indicator itself, its variant definitions, the series standing in for
it), the latest release (latest year and the source that gave it), and the method (the ensemble's
members and weights for each series, the scale, the intervals, the rules of the assessment).

:func:`indicator_facts` computes every fact once, as frames (:class:`IndicatorFacts`), from the
store's rows and the run; :func:`indicator_page_html` and :func:`indicator_list_html` write them in a
language. Nothing here reads the store or writes a file: :mod:`forecast.report.publish.indicators`
does both. Briefs link to the pages through :func:`indicator_link` anchors, which name the
indicator only (``data-indicator``); the publisher gives them their ``href``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pandas as pd
from babel import Locale

from forecast.assess import matching
from forecast.assess.assessment import VERDICT_CUTS
from forecast.data import provenance
from forecast.data.priority import break_notes
from forecast.registry import geo, indicators
from forecast.report.pages.html import (
    Html,
    badge_html,
    basis_tag,
    indicator_link,
    is_missing,
    rows_table,
    target_text,
    verdict_text,
)
from forecast.report.pages.text import (
    category_label,
    check_lang,
    definition_text,
    fmt_number,
    fmt_percent,
    has_text,
    indicator_definition,
    indicator_name,
    model_label,
    series_title,
    t,
)

__all__ = [
    "IndicatorFacts",
    "indicator_facts",
    "indicator_link",
    "indicator_list_html",
    "indicator_page_html",
    "series_holdings",
    "target_indicators",
    "PAGE_FOLDER",
]

#: Folder of the indicator pages in a quarter: ``indicators/<lang>/<code>.html`` and ``index.html``.
PAGE_FOLDER = "indicators"

#: Roles of a series on an indicator's page, in display order.
ROLES = ("own", "variant", "stand_in", "source")

SERIES_COLUMNS = [
    "indicator",
    "series",
    "role",
    "first_year",
    "last_year",
    "n_years",
    "n_provinces",
    "n_regions",
    "national",
    "rows",
    "latest_year",
    "latest_geos",
    "latest_publisher",
    "latest_table",
]
HOLDING_COLUMNS = [c for c in SERIES_COLUMNS if c not in ("indicator", "role")]
SOURCE_COLUMNS = ["series", "publisher", "table", "rows", "first_year", "last_year"]


@dataclass(frozen=True)
class IndicatorFacts:
    """Every fact of the indicator pages, as frames (one computation, any number of languages).

    Attributes
    ----------
    indicators
        One row per indicator used by a target: ``indicator, unit, direction, transform, targets``.
    series
        One row per (indicator, store series): :data:`SERIES_COLUMNS` (``role``: own, variant,
        stand_in, source; years, geos by level, the latest year, its publisher and table).
    sources
        One row per (series, publisher, table): :data:`SOURCE_COLUMNS`, most rows first.
    weights
        The ensemble's members per series: ``indicator`` (store code), ``model``, ``weight``, ``pooled``.
    status
        Forecast status per series: ``indicator`` (store code), ``status``, ``n`` (geos).
    targets
        The run's outcome assessments of these indicators (one row per target).
    found_breaks
        Breaks found in the data (:func:`forecast.data.store.series_breaks`); the known breaks
        (``data/breaks.csv``) are matched when a page is written.
    pairs
        The ``(geo, indicator)`` store series of the indicators' series (breaks touch some geos only).
    """

    indicators: pd.DataFrame
    series: pd.DataFrame
    sources: pd.DataFrame
    weights: pd.DataFrame
    status: pd.DataFrame
    targets: pd.DataFrame
    found_breaks: pd.DataFrame
    pairs: pd.DataFrame

    @property
    def codes(self) -> list[str]:
        """The indicators that get a page, in catalogue order."""
        return list(self.indicators["indicator"])


def target_indicators(registry: pd.DataFrame, assessments: pd.DataFrame) -> list[str]:
    """Catalogue indicators of the registry's outcome targets and of the run's assessments, in catalogue order."""
    outcome = registry[registry["kind"] == "outcome"] if "kind" in registry else registry
    used = set(outcome["indicator"]) | set(assessments.get("indicator", pd.Series(dtype=str)))
    return [c for c in indicators.catalogue().index if c in used]


def _levels(names: pd.Series) -> pd.Series:
    """``province`` (provinces and cities), ``region``, ``country`` or ``unknown`` for each geo name."""
    ref = geo.provinces()
    kinds = dict(zip(ref["name"], ref["type"].replace({"city": "province"})))
    return names.map(kinds).fillna("unknown")


def series_holdings(stored: pd.DataFrame) -> pd.DataFrame:
    """What the store holds for each series: years, geos by level, the latest year and its source.

    Parameters
    ----------
    stored
        Every stored row (:func:`forecast.data.store.load_observations`: ``geo, indicator, year,
        source``; all sources, before the priority rule).

    Returns
    -------
    DataFrame
        One row per store code (``series``): :data:`HOLDING_COLUMNS`. ``latest_publisher`` and
        ``latest_table`` name the source of most rows in the latest year
        (:mod:`forecast.data.provenance`), ``latest_geos`` how many geos that year has.
    """
    if stored.empty:
        return pd.DataFrame(columns=HOLDING_COLUMNS)
    obs = provenance.with_provenance(stored).assign(level=_levels(stored["geo"]))
    g = obs.groupby("indicator")
    geos = obs.drop_duplicates(["indicator", "geo"]).groupby(["indicator", "level"]).size().unstack()
    geos = geos.reindex(columns=["province", "region", "country"]).fillna(0).astype(int)
    out = pd.DataFrame(
        {
            "first_year": g["year"].min(),
            "last_year": g["year"].max(),
            "n_years": g["year"].nunique(),
            "n_provinces": geos["province"],
            "n_regions": geos["region"],
            "national": geos["country"] > 0,
            "rows": g.size(),
        }
    )
    latest = obs[obs["year"] == obs["indicator"].map(out["last_year"])]
    out["latest_year"] = out["last_year"]
    out["latest_geos"] = latest.groupby("indicator")["geo"].nunique()
    top = latest.groupby(["indicator", "publisher", "table"]).size().rename("n").reset_index()
    top = top.sort_values(["indicator", "n", "publisher"], ascending=[True, False, True])
    top = top.drop_duplicates("indicator").set_index("indicator")
    out["latest_publisher"], out["latest_table"] = top["publisher"], top["table"]
    return out.rename_axis("series").reset_index()[HOLDING_COLUMNS]


def series_sources(stored: pd.DataFrame) -> pd.DataFrame:
    """Publishers and tables of each series (:data:`SOURCE_COLUMNS`), most rows first."""
    if stored.empty:
        return pd.DataFrame(columns=SOURCE_COLUMNS)
    obs = provenance.with_provenance(stored).rename(columns={"indicator": "series"})
    g = obs.groupby(["series", "publisher", "table"])
    out = pd.DataFrame({"rows": g.size(), "first_year": g["year"].min(), "last_year": g["year"].max()})
    out = out.reset_index().sort_values(["series", "rows", "publisher"], ascending=[True, False, True])
    return out.reset_index(drop=True)[SOURCE_COLUMNS]


def _role(code: str, series: str) -> str | None:
    """How ``series`` measures indicator ``code``: itself, a variant, a stand-in, a source it is derived from."""
    base = indicators.base_indicator(series)[0]
    info = indicators.series_info(series) or {}
    family = info.get("base", base)
    if series == code:
        return "own"
    if code in (base, family):
        return "variant"
    stand_in = indicators.STAND_INS.get(code, ("", ""))[0]
    if stand_in and stand_in in (base, family):
        return "stand_in"
    if series == indicators.DERIVED.get(code, ("",))[0]:
        return "source"
    return None


def indicator_series(codes: list[str], holdings: pd.DataFrame, assessments: pd.DataFrame) -> pd.DataFrame:
    """The store series of each indicator (:data:`SERIES_COLUMNS`): its own, variants, stand-ins, sources.

    A series an assessment used for the indicator is listed even when no rule above names it.
    """
    used = assessments[["indicator", "series"]].dropna() if "series" in assessments else pd.DataFrame()
    used = {(r.indicator, r.series) for r in used.itertuples() if r.series}
    rows, records = [], holdings.to_dict("records")
    for code in codes:
        for r in records:
            role = _role(code, r["series"]) or ("variant" if (code, r["series"]) in used else None)
            if role:
                rows.append({"indicator": code, "role": role, **r})
    out = pd.DataFrame(rows, columns=SERIES_COLUMNS)
    order = out["role"].map({r: i for i, r in enumerate(ROLES)})
    return (
        out.assign(_o=order)
        .sort_values(["indicator", "_o", "rows"], ascending=[True, True, False])
        .drop(columns="_o")
    )


def run_weights(settings: dict) -> pd.DataFrame:
    """The ensemble's members and weights the run recorded (``settings["ensemble_weights"]``)."""
    rows = (settings or {}).get("ensemble_weights") or []
    return pd.DataFrame(rows, columns=["indicator", "model", "weight", "pooled"])


def forecast_status(forecasts: pd.DataFrame) -> pd.DataFrame:
    """How many geos of each series the ensemble forecast, per status (``indicator, status, n``)."""
    cols = ["indicator", "status", "n"]
    if forecasts.empty or "status" not in forecasts:
        return pd.DataFrame(columns=cols)
    fc = forecasts[forecasts["model"] == "ensemble"] if "model" in forecasts else forecasts
    per_geo = fc.drop_duplicates(["geo", "indicator"])
    return per_geo.groupby(["indicator", "status"]).size().rename("n").reset_index()[cols]


def indicator_facts(
    stored: pd.DataFrame,
    run: object,
    registry: pd.DataFrame,
    found_breaks: pd.DataFrame | None = None,
) -> IndicatorFacts:
    """Compute every fact of the indicator pages (:class:`IndicatorFacts`).

    Parameters
    ----------
    stored
        Every stored row (:func:`forecast.data.store.load_observations`).
    run
        The run (``assessments``, ``forecasts``, ``settings`` with the recorded ensemble weights).
    registry
        The target registry (:func:`forecast.registry.targets.load_targets`): its outcome
        targets' indicators get a page even where the run assessed none.
    found_breaks
        Breaks found in the data (:func:`forecast.data.store.series_breaks`).
    """
    a = getattr(run, "assessments", pd.DataFrame())
    codes = target_indicators(registry, a)
    cat = indicators.catalogue().loc[codes]
    outcome = a[a["kind"] == "outcome"] if "kind" in a else a
    mine = outcome[outcome["indicator"].isin(codes)] if "indicator" in outcome else outcome
    counts = mine["indicator"].value_counts() if len(mine) else pd.Series(dtype=int)
    table = pd.DataFrame(
        {
            "indicator": codes,
            "unit": cat["unit"].to_list(),
            "direction": cat["direction"].to_list(),
            "transform": cat["transform"].to_list(),
            "targets": [int(counts.get(c, 0)) for c in codes],
        }
    )
    series = indicator_series(codes, series_holdings(stored), a)
    return IndicatorFacts(
        indicators=table,
        series=series.reset_index(drop=True),
        sources=series_sources(stored[stored["indicator"].isin(set(series["series"]))]),
        weights=run_weights(getattr(run, "settings", {}) or {}),
        status=forecast_status(getattr(run, "forecasts", pd.DataFrame())),
        targets=mine.reset_index(drop=True),
        found_breaks=found_breaks if found_breaks is not None else pd.DataFrame(),
        pairs=stored.loc[stored["indicator"].isin(set(series["series"])), ["geo", "indicator"]]
        .drop_duplicates()
        .reset_index(drop=True),
    )


# --- the pages, in a language --------------------------------------------------------------------


def _esc(x: object) -> str:
    return html.escape(str(x))


def language_name(lang: str, shown_in: str) -> str:
    """The name of language ``lang`` written in ``shown_in`` (Babel's CLDR data: ``en`` in ``vi`` is ``Tiếng Anh``)."""
    name = Locale.parse(lang).get_display_name(shown_in) or lang
    return name[:1].upper() + name[1:]


def series_name(series: str, code: str, lang: str = "vi") -> str:
    """A store series named in words on indicator ``code``'s page, never by its code.

    A series without a name of its own (an auxiliary series, the crude birth rate behind its
    yearly fall) is named by the indicator it measures or feeds, with its role in words
    (``Tỷ lệ bao phủ bảo hiểm y tế (định nghĩa khác)``), so two series never share a name.
    """
    title = series_title(series, lang)
    if title != series:
        return title
    info = indicators.series_info(series) or {}
    base = str(info.get("base") or code)
    name = indicator_name(base if base in indicators.catalogue().index else code, lang)
    role = _role(code, series) or "variant"
    return f"{name} ({t(f'indicator_page.role_{role}', lang)})"


def _geos_text(r: dict, lang: str) -> str:
    parts = []
    if r["n_provinces"]:
        parts.append(t("indicator_page.provinces", lang, n=int(r["n_provinces"])))
    if r["n_regions"]:
        parts.append(t("indicator_page.regions", lang, n=int(r["n_regions"])))
    if r["national"]:
        parts.append(t("indicator_page.national", lang))
    return ", ".join(parts) or "–"


def table_title_key(table: str) -> str:
    """The catalogue id of a publisher's table title: ``table_title.infant_mortality_rate_by_province``."""
    return "table_title." + re.sub(r"[^a-z0-9]+", "_", table.lower()).strip("_")


def _cite(table: str, lang: str) -> str:
    """A publisher's table under its title in the page's language, its published title on hover.

    GSO's tables come from its English edition: a Vietnamese page names them in Vietnamese
    (``table_title.*`` in the catalogues) and keeps the English title, the one to search the
    publisher's site with, in the ``title`` attribute. A table the catalogues do not know (a code
    such as ``SP.DYN.IMRT.IN``, a newly imported table) keeps its own title, marked English.
    """
    key = table_title_key(table)
    if lang != "en" and has_text(key):
        original = t("indicator_page.table_original", lang, title=table)
        return f'<cite title="{_esc(original)}">{_esc(t(key, lang))}</cite>'
    marked = ' lang="en"' if table.isascii() and lang != "en" else ""
    return f"<cite{marked}>{_esc(table)}</cite>"


def _source_html(publisher: str, table: str, lang: str) -> str:
    """``Tổng cục Thống kê (<cite>table</cite>)``: the table keeps its publisher's own (English) title."""
    words = _esc(t(f"publisher.{publisher}", lang))
    return f"{words} ({_cite(table, lang)})" if table else words


def _span(first: int, last: int, lang: str) -> str:
    return str(first) if first == last else t("indicator_page.span", lang, first=first, last=last)


def _publishers(sources: pd.DataFrame, lang: str) -> list[str]:
    """One line per publisher of a series (most rows first): each of its tables with its years.

    ``Tổng cục Thống kê (<cite>Life expectancy at birth by region</cite>: 2005–2016; 2021–2024)``:
    rows naming no table give their years alone.
    """
    out = []
    for publisher, rows in sources.groupby("publisher", sort=False):
        parts = []
        for table, part in rows.groupby("table", sort=False):
            years = _esc(_span(int(part["first_year"].min()), int(part["last_year"].max()), lang))
            parts.append(f"{_cite(str(table), lang)}: {years}" if table else years)
        out.append(f"{_esc(t(f'publisher.{publisher}', lang))} ({'; '.join(parts)})")
    return out


def _series_cell(r: dict, code: str, lang: str) -> str:
    name = series_name(r["series"], code, lang)
    role = t(f"indicator_page.role_{r['role']}", lang)
    if name.endswith(f"({role})"):  # named by its role already
        name = name[: -len(role) - 2].rstrip()
    note = definition_text(matching.definition_code(r["series"], code), lang) if r["role"] != "own" else ""
    note_html = f'<br><small class="definition">{_esc(note)}</small>' if note else ""
    return f'{_esc(name)} <small class="role">({_esc(role)})</small>{note_html}'


def holdings_html(facts: IndicatorFacts, code: str, lang: str = "vi") -> Html:
    """The table of an indicator's series: name, publishers and tables, years, geos, latest year."""
    mine = facts.series[facts.series["indicator"] == code]
    if mine.empty:
        return Html(f'<p class="no-data">{_esc(t("indicator_page.no_series", lang))}</p>')
    heads = ("col_series", "col_sources", "col_years", "col_geos", "col_latest")
    rows = []
    for r in mine.to_dict("records"):
        sources = "<br>".join(_publishers(facts.sources[facts.sources["series"] == r["series"]], lang))
        years = t("indicator_page.years", lang, first=r["first_year"], last=r["last_year"], n=r["n_years"])
        latest = f"{r['latest_year']}: {_source_html(r['latest_publisher'], r['latest_table'], lang)}"
        cells = (_series_cell(r, code, lang), sources, _esc(years), _esc(_geos_text(r, lang)), latest)
        rows.append((f' data-series="{_esc(r["series"])}"', cells))
    return Html(rows_table("data holdings", [t(f"indicator_page.{h}", lang) for h in heads], rows))


def latest_html(facts: IndicatorFacts, code: str, lang: str = "vi") -> Html:
    """The latest release: the latest year in the store, the source that gave it, and for which series."""
    mine = facts.series[facts.series["indicator"] == code]
    if mine.empty:
        return Html(f'<p class="latest">{_esc(t("indicator_page.no_latest", lang))}</p>')
    order = mine.assign(_own=mine["role"] != "own").sort_values(
        ["latest_year", "_own"], ascending=[False, True]
    )
    r = order.iloc[0].to_dict()
    text = t(
        "indicator_page.latest_text",
        lang,
        year=int(r["latest_year"]),
        source="{source}",
        geos=t("indicator_page.latest_geos", lang, n=int(r["latest_geos"])),
        series=series_name(r["series"], code, lang),
    )
    before, after = (_esc(part) for part in text.split("{source}", 1))
    return Html(
        f'<p class="latest">{before}{_source_html(r["latest_publisher"], r["latest_table"], lang)}{after}</p>'
    )


def _members(weights: pd.DataFrame, lang: str) -> str:
    return ", ".join(
        t("indicator_page.member", lang, model=model_label(w.model, lang), weight=fmt_percent(w.weight, lang))
        for w in weights.itertuples()
    )


def _status_text(status: pd.DataFrame, lang: str) -> str:
    """``trong lượt chạy này, dự báo cho 4 địa bàn; 2 địa bàn (ít hơn 3 quan sát: …)`` from status counts."""
    parts: list[str] = []
    for s in status.itertuples():
        if s.status == "ok":
            parts.insert(0, t("indicator_page.forecast_geos", lang, n=int(s.n)))
        else:
            key = f"status_{s.status}"
            reason = t(key, lang) if has_text(key) else t("indicator_page.status_other", lang)
            parts.append(t("indicator_page.status_item", lang, n=int(s.n), reason=reason))
    return "; ".join(parts)


def series_methods(facts: IndicatorFacts, code: str, lang: str = "vi") -> list[str]:
    """One sentence per series of the indicator: the ensemble's members and weights, and the geos forecast."""
    out = []
    for series in facts.series.loc[facts.series["indicator"] == code, "series"]:
        name = series_name(series, code, lang)
        w = facts.weights[facts.weights["indicator"] == series]
        st = facts.status[facts.status["indicator"] == series]
        if w.empty and st.empty:
            out.append(t("indicator_page.not_forecast", lang, series=name))
            continue
        key = "ensemble_pooled" if len(w) and bool(w["pooled"].iloc[0]) else "ensemble"
        text = t(f"indicator_page.{key}", lang, series=name, members=_members(w, lang)) if len(w) else name
        status = _status_text(st, lang)
        out.append(f"{text} {status[:1].upper()}{status[1:]}." if status else text)
    return out


def _lower(label: str) -> str:
    """A label inside a sentence: its first letter lower case (``Khó đạt`` -> ``khó đạt``)."""
    return label[:1].lower() + label[1:]


def _cuts(lang: str) -> str:
    parts = []
    for p, verdict in VERDICT_CUTS:
        if p > 0:
            parts.append(
                t(
                    "indicator_page.cut",
                    lang,
                    label=_lower(category_label(verdict, lang)),
                    p=fmt_percent(p, lang),
                )
            )
        else:
            low = fmt_percent(min(c for c, _ in VERDICT_CUTS if c > 0), lang)
            parts.append(
                t("indicator_page.cut_below", lang, label=_lower(category_label(verdict, lang)), p=low)
            )
    return "; ".join(parts)


def _basis_text(targets: pd.DataFrame, lang: str) -> str:
    counts = targets["basis"].fillna("").replace("", "none").value_counts() if "basis" in targets else {}
    items = [
        t(f"indicator_page.basis_{b}", lang, n=int(counts[b]))
        for b in ("own", "regional", "national", "none")
        if b in counts
    ]
    return t("indicator_page.basis", lang, items=", ".join(items)) if items else ""


def method_items(
    facts: IndicatorFacts, code: str, lang: str = "vi", found: pd.DataFrame | None = None
) -> list[str]:
    """The method in words: scale, each series' models and weights, intervals, verdicts, basis, breaks."""
    row = facts.indicators.set_index("indicator").loc[code]
    transform = str(row["transform"]) if row["transform"] in ("logit", "log", "identity") else "none"
    items = [t(f"indicator_page.scale_{transform}", lang)]
    if transform == "none":
        return items
    methods = series_methods(facts, code, lang)
    if methods:
        items += [t("indicator_page.weights", lang), *methods]
    items.append(t("indicator_page.intervals", lang))
    items.append(t("indicator_page.verdicts", lang, cuts=_cuts(lang)))
    mine = facts.targets[facts.targets["indicator"] == code]
    basis = _basis_text(mine, lang)
    if basis:
        items.append(basis)
    stand_in = indicators.STAND_INS.get(code, ("", ""))[0]
    if stand_in:
        items.append(t("indicator_page.stand_in", lang, definition=definition_text(stand_in, lang)))
    return items


def breaks_items(facts: IndicatorFacts, code: str, lang: str = "vi") -> list[str]:
    """The series breaks (known and found in the data) that touch the indicator's series, one sentence each."""
    series = set(facts.series.loc[facts.series["indicator"] == code, "series"])
    pairs = facts.pairs[facts.pairs["indicator"].isin(series)]
    if pairs.empty:
        return []
    found = facts.found_breaks if len(facts.found_breaks) else None
    return break_notes(pairs.itertuples(index=False, name=None), lang, found)


def targets_html(
    facts: IndicatorFacts, code: str, lang: str = "vi", briefs: dict[str, str] | None = None
) -> Html:
    """The run's targets on the indicator: province (linked to its brief), year, target, verdict, series used."""
    mine = facts.targets[facts.targets["indicator"] == code]
    if mine.empty:
        return Html(f"<p>{_esc(t('indicator_page.no_targets', lang))}</p>")
    heads = [t("col.province", lang), t("col.year", lang), t("col.target", lang), t("col.verdict", lang)]
    heads.append(t("indicator_page.col_series_used", lang))
    rows = []
    for r in mine.sort_values(["province", "year"], kind="stable").to_dict("records"):
        href = (briefs or {}).get(str(r["province"]))
        province = f'<a href="{_esc(href)}">{_esc(r["province"])}</a>' if href else _esc(r["province"])
        series = r.get("series")
        used = (
            "–"
            if is_missing(series) or not series
            else _esc(series_name(str(series), code, lang) + basis_tag(r, lang))
        )
        # as the brief's scorecard: what happened for a passed deadline, grey "Tham khảo" when indicative
        indicative = str(r.get("tier") or "") == "indicative"
        verdict = badge_html(str(r.get("verdict") or "no_data"), lang, verdict_text(r, lang), indicative)
        cells = (province, str(int(r["year"])), _esc(target_text(r, lang)), verdict, used)
        rows.append(("", cells))
    return Html(rows_table("data targets", heads, rows))


def _facts_list(code: str, row: pd.Series, lang: str) -> str:
    unit_key, direction_key = f"unit_name.{row['unit']}", f"direction.{row['direction']}"
    unit = t(unit_key, lang) if has_text(unit_key) else str(row["unit"])
    items = [(t("indicator_page.unit", lang), unit)]
    if has_text(direction_key) and row["transform"] != "none":
        items.append((t("indicator_page.direction", lang), t(direction_key, lang)))
    return '<dl class="facts">' + "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in items) + "</dl>"


def _section(key: str, body: str, lang: str) -> str:
    return f'<section class="{_esc(key)}"><h2>{_esc(t(f"indicator_page.{key}", lang))}</h2>{body}</section>'


def _items(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{_esc(i)}</li>" for i in items) + "</ul>" if items else ""


def indicator_page_html(
    facts: IndicatorFacts,
    code: str,
    lang: str = "vi",
    *,
    others: dict[str, str] | None = None,
    briefs: dict[str, str] | None = None,
    up: str = "",
    home: str = "",
) -> Html:
    """The body of indicator ``code``'s page in ``lang``.

    Parameters
    ----------
    facts
        :func:`indicator_facts`.
    others
        ``{lang: href}`` of the same page in the other languages (a line of links under the title).
    briefs
        ``{province: href}`` of the published briefs (the targets table links to them).
    up
        href of the list of indicators (a link back), if any.
    home
        href of the quarter's index page, if any.
    """
    check_lang(lang)
    row = facts.indicators.set_index("indicator").loc[code]
    nav = [
        f'<a href="{_esc(h)}" hreflang="{_esc(k)}" lang="{_esc(k)}">{_esc(language_name(k, k))}</a>'
        for k, h in (others or {}).items()
    ]
    if up:
        nav.insert(0, f'<a href="{_esc(up)}">{_esc(t("indicator_page.back", lang))}</a>')
    if home:
        nav.insert(0, f'<a href="{_esc(home)}">{_esc(t("indicator_page.home", lang))}</a>')
    parts = [
        f'<h1 data-indicator="{_esc(code)}">{_esc(indicator_name(code, lang))}</h1>',
        f'<nav class="languages">{" · ".join(nav)}</nav>' if nav else "",
        _section(
            "definition",
            f"<p>{_esc(indicator_definition(code, lang))}</p>" + _facts_list(code, row, lang),
            lang,
        ),
        _section("latest", latest_html(facts, code, lang), lang),
        _section(
            "holdings",
            f"<p>{_esc(t('indicator_page.holdings_intro', lang))}</p>" + holdings_html(facts, code, lang),
            lang,
        ),
        _section("method", _items(method_items(facts, code, lang)), lang),
    ]
    breaks = breaks_items(facts, code, lang)
    if breaks:
        parts.append(_section("breaks", _items(breaks), lang))
    parts.append(_section("targets", targets_html(facts, code, lang, briefs), lang))
    return Html("\n".join(p for p in parts if p))


def indicator_list_html(
    facts: IndicatorFacts, lang: str = "vi", *, others: dict[str, str] | None = None, home: str = ""
) -> Html:
    """The list of indicator pages (``<code>.html`` beside it): name, unit, latest year and its publisher, targets.

    ``others``: ``{lang: href}`` of the list in the other languages; ``home``: href of the quarter's index.
    """
    check_lang(lang)
    heads = ("col_indicator", "col_unit", "col_latest", "col_targets")
    rows = []
    for r in facts.indicators.to_dict("records"):
        code = r["indicator"]
        mine = facts.series[facts.series["indicator"] == code]
        top = mine.sort_values("latest_year", ascending=False).head(1).to_dict("records")
        latest = (
            f"{top[0]['latest_year']}: {_source_html(top[0]['latest_publisher'], '', lang)}" if top else "–"
        )
        unit_key = f"unit_name.{r['unit']}"
        unit = t(unit_key, lang) if has_text(unit_key) else str(r["unit"])
        name = f'<a href="{_esc(code)}.html">{_esc(indicator_name(code, lang))}</a>'
        cells = (name, _esc(unit), latest, fmt_number(r["targets"], lang, 0))
        rows.append((f' data-indicator="{_esc(code)}"', cells))
    nav = [
        f'<a href="{_esc(h)}" hreflang="{_esc(k)}" lang="{_esc(k)}">{_esc(language_name(k, k))}</a>'
        for k, h in (others or {}).items()
    ]
    if home:
        nav.insert(0, f'<a href="{_esc(home)}">{_esc(t("indicator_page.home", lang))}</a>')
    return Html(
        f"<h1>{_esc(t('indicator_page.list_title', lang))}</h1>"
        + (f'<nav class="languages">{" · ".join(nav)}</nav>' if nav else "")
        + f"<p>{_esc(t('indicator_page.list_intro', lang))}</p>"
        + rows_table("data indicators", [t(f"indicator_page.{h}", lang) for h in heads], rows)
    )
