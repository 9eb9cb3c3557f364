"""What one province's brief shows; the notebooks' one entry point to the presentation layer.

:func:`province_view` selects a province's rows from a run, the observations and the registry;
:func:`fan_panels`, :func:`series_view` and :func:`series_panels` cut them into the inputs of
:mod:`forecast.report.pages.plots`, and :func:`scorecard_section` assembles the scorecard. The HTML fragments
(:mod:`forecast.report.pages.html`) and the sentences (:mod:`forecast.report.pages.sentences`) are re-exported, so a
notebook writes ``brief.<name>`` for every word it shows: policy briefs are rendered without input
cells, so every visible word of a brief comes from these functions. Nothing here fits a model or
reads the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pandas as pd

from forecast.assess import carry, matching, suggest, used
from forecast.data import provenance
from forecast.engine.backtest import COMPARE_HORIZON
from forecast.errors import UnknownGeoError
from forecast.registry import geo, indicators
from forecast.registry.national_targets import PLAN_ID
from forecast.report.pages.headline import headline_html, no_data_items, predecessors, supply_items
from forecast.report.pages.html import (
    Html,
    annex_html,
    badge_html,
    basis_tag,
    changes_html,
    figure_html,
    forecast_text,
    heading_html,
    indicator_title_html,
    list_html,
    list_section,
    milestones_html,
    other_targets_html,
    overview_title_html,
    paragraph_html,
    run_info_html,
    scorecard_frame,
    scorecard_html,
    table_html,
    target_text,
    title_html,
)
from forecast.report.pages.leaders import leaders_html
from forecast.report.pages.sentences import ANOMALY, caveats, explanations, what_it_takes
from forecast.report.pages.suggestions import suggestions_html
from forecast.report.pages.text import (
    definition_text,
    fmt_number,
    fmt_rate,
    fmt_rate_unit,
    fmt_value,
    indicator_name,
    model_label,
    series_tag,
    series_title,
    t,
    target_digits,
    unit_label,
)

__all__ = [
    "ANALYST_ONLY_TAG",
    "ANOMALY",
    "annex_html",
    "data_table",
    "data_html",
    "models_html",
    "scores_html",
    "scenarios_html",
    "windows_html",
    "model_label",
    "basis_tag",
    "scorecard_names",
    "FanPanel",
    "Html",
    "ProvinceView",
    "badge_html",
    "caveats",
    "changes_html",
    "DeepDive",
    "deep_dive_view",
    "fan_panels",
    "forecast_text",
    "model_table",
    "figure_html",
    "heading_html",
    "headline_html",
    "headline_section",
    "leaders_section",
    "peers_section",
    "verdict_map_html",
    "indicator_title_html",
    "list_html",
    "list_section",
    "milestones_html",
    "other_targets_html",
    "overview_title_html",
    "paragraph_html",
    "province_view",
    "run_info_html",
    "run_note_html",
    "scorecard_frame",
    "scorecard_html",
    "scorecard_section",
    "scenario_frame",
    "series_panels",
    "series_view",
    "suggestions_section",
    "t",
    "target_text",
    "title_html",
    "what_it_takes",
]

#: Cell tag of notebook cells that the report renderer drops from policy briefs.
ANALYST_ONLY_TAG = "analyst-only"


@dataclass(frozen=True)
class ProvinceView:
    """What one province's brief shows: its outcome assessments, plan, observations and forecasts."""

    province: str
    run: Any = None
    assessments: pd.DataFrame = field(default_factory=pd.DataFrame)
    plan: pd.DataFrame = field(default_factory=pd.DataFrame)
    observations: pd.DataFrame = field(default_factory=pd.DataFrame)
    forecasts: pd.DataFrame = field(default_factory=pd.DataFrame)


def province_view(
    run: Any, observations: pd.DataFrame, plan: pd.DataFrame | None, province: str
) -> ProvinceView:
    """Select one province's rows from a run (``runs.Run``), the observations and the registry."""
    name = geo.resolve_geo(province)
    names = [name, *predecessors(name)]  # a merged 2025 province shows its old provinces' plans
    plan = pd.DataFrame(columns=["province", "kind"]) if plan is None else plan
    a = run.assessments if run is not None else pd.DataFrame(columns=["province", "geo", "kind"])
    a = a[a["province"].isin(names)]
    a = a[a["kind"] == "outcome"] if "kind" in a.columns else a
    geos = set(a["geo"]) | set(a["province"]) | {name, *borrowed_geos(name)}  # + own anchor points
    fc = run.forecasts if run is not None else pd.DataFrame(columns=["geo"])
    return ProvinceView(
        name,
        run,
        a.reset_index(drop=True),
        plan[plan["province"].isin(names)].reset_index(drop=True),
        observations[observations["geo"].isin(geos)],
        fc[fc["geo"].isin(geos)],
    )


def run_note_html(view: ProvinceView, lang: str = "vi") -> Html:
    """The brief's run note: the run, its quarter and how recent the province's own data are.

    A province the run assessed no target of its own for (no plan in the run) is dated by its
    own observed catalogue series, which the page shows (suggestions): never "no data of the
    province's own" while its own figures are on the page.
    """
    obs = view.observations
    codes = obs["base_indicator"] if "base_indicator" in obs.columns else obs["indicator"]
    own = obs[(obs["geo"] == view.province) & codes.isin(indicators.catalogue().index)]
    return run_info_html(view.run, lang, view.assessments, own)


class FanPanel(NamedTuple):
    """One fan chart: the first four fields are what :func:`forecast.report.pages.plots.fan_chart` takes.

    ``observations`` and ``forecasts`` are the series as the scorecard's assessment used it (a
    borrowed series shifted by the province's gap: shifted and widened), ``anchors`` the own
    points the shift was measured at, ``context`` the borrowed series before the shift (both
    empty when unshifted) and ``caption`` the sentence shown under the chart ("" when none).
    """

    title: str
    observations: pd.DataFrame
    forecasts: pd.DataFrame
    targets: pd.DataFrame
    anchors: pd.DataFrame = pd.DataFrame()
    context: pd.DataFrame = pd.DataFrame()
    caption: str = ""


def fan_panels(view: ProvinceView, lang: str = "vi") -> list[FanPanel]:
    """Return one :class:`FanPanel` for each assessed series with data (a shifted series per province)."""
    out = []
    a = view.assessments
    a = a[a["series"].fillna("") != ""] if "series" in a.columns else a.iloc[0:0]
    shifted = a["gap"].notna() if "gap" in a.columns else pd.Series(False, index=a.index)
    key = a["province"].where(shifted, "") if "province" in a.columns else pd.Series("", index=a.index)
    for (g, _series, _), rows in a.groupby([a["geo"], a["series"], key], sort=True):
        row = rows.iloc[0].to_dict()
        used_series = used.used_series(row, view.observations, view.forecasts)
        if used_series.observations.empty:
            continue
        title = panel_title(row, view.province, lang)
        caption = (
            t("fan_shift_caption", lang, geo=g, anchor=used_series.anchors["geo"].iloc[0])
            if used_series.shifted
            else ""
        )
        out.append(
            FanPanel(
                title,
                used_series.observations,
                used_series.forecasts,
                rows,
                used_series.anchors,
                used_series.context,
                caption,
            )
        )
    return out


def panel_title(row: dict, province: str, lang: str = "vi") -> str:
    """A fan chart's title: the indicator's name as the scorecard writes it, the series' qualifier
    (variant, stand-in) and the geo of a borrowed series; never a code."""
    tag = series_tag(str(row["indicator"]), str(row["series"]), lang)
    title = indicator_name(str(row["indicator"]), lang) + (f" ({tag})" if tag else "") + basis_tag(row, lang)
    return title if row["geo"] == province else f"{title} — {row['geo']}"


def series_view(view: ProvinceView, indicator: str) -> tuple[str, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return ``(series, observations, forecasts, target rows)`` of one indicator of a province.

    The series is the one the assessments used (a variant such as ``beds_per_10k_dohs`` where
    the catalogue series is missing), else the indicator itself.
    """
    rows = (
        view.assessments[view.assessments["indicator"] == indicator]
        if len(view.assessments)
        else pd.DataFrame(columns=["indicator", "series", "geo", "year", "value", "rate_required"])
    )
    if predecessors(view.province) and "province" in rows.columns:  # a merged province's own series
        rows = rows[rows["province"] == view.province]
    used = [s for s in rows.get("series", pd.Series(dtype=str)).fillna("") if s]
    series = used[0] if used else _own_series(view, indicator)
    g = rows["geo"].iloc[0] if len(rows) else view.province
    obs = view.observations[(view.observations["geo"] == g) & (view.observations["indicator"] == series)]
    fc = (
        view.forecasts[(view.forecasts["geo"] == g) & (view.forecasts["indicator"] == series)]
        if len(view.forecasts)
        else view.forecasts
    )
    return series, obs.sort_values("year"), fc, rows


def _own_series(view: ProvinceView, indicator: str) -> str:
    """The province's series of ``indicator`` with the most years (a variant if need be)."""
    obs = view.observations
    if obs.empty or "base_indicator" not in obs.columns:
        return indicator
    mine = obs[(obs["geo"] == view.province) & (obs["base_indicator"] == indicator)]
    if mine.empty:
        return indicator
    return str(mine.groupby("indicator")["year"].nunique().sort_values(kind="stable").index[-1])


def series_panels(
    observations: pd.DataFrame, forecasts: pd.DataFrame, geo_name: str, lang: str = "vi"
) -> list[tuple[str, pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    """Return ``(title, observations, forecasts, targets)`` for every forecast catalogue series of
    ``geo_name`` (no targets): the first four fields of a :class:`FanPanel`."""
    fc = forecasts[forecasts["geo"] == geo_name]
    out = []
    for series in sorted(set(fc["indicator"]) & set(indicators.catalogue().index)):
        obs = observations[(observations["geo"] == geo_name) & (observations["indicator"] == series)]
        if len(obs):
            out.append(
                (
                    series_title(series, lang),
                    obs,
                    fc[fc["indicator"] == series],
                    pd.DataFrame(columns=["year", "value"]),
                )
            )
    return out


#: A scorecard of at most this many rows leaves most of the first printed page empty: the annex
#: (targets without data, other targets, charts) then follows on that page instead of a new one.
SHORT_SCORECARD = 6


def scorecard_section(view: ProvinceView, lang: str = "vi") -> Html:
    """Return the scorecard with its heading, then the other targets; or the milestones message.

    The printed brief's annex begins after the scorecard (:func:`~forecast.report.pages.html.annex_html`)
    on a new page, with the explanations of the rows marked "xem giải thích", unless the scorecard is short (:data:`SHORT_SCORECARD`): the first page is then
    filled by what follows.
    """
    others = view.plan[view.plan["kind"] != "outcome"] if "kind" in view.plan.columns else view.plan
    if view.assessments.empty:
        if view.plan.empty:
            return paragraph_html(t("no_targets", lang, province=view.province))
        return milestones_html(others, view.province, lang)
    a = view.assessments
    missing = no_data_items(a, lang)
    supply = supply_items(a, view.province, lang)
    scored = a[a["verdict"] != "no_data"] if "verdict" in a.columns else a
    why = explanations(scored, lang)
    return Html(
        heading_html("scorecard", lang)
        + _scorecards(view, lang)
        # the annex opens with the explanations the scorecard's "xem giải thích" points to: printed,
        # the leaders' page and the scorecard come first (two pages), the sentences after
        + (annex_html() if len(scored) > SHORT_SCORECARD else "")
        + heading_html("why_heading", lang, 3, when=bool(why))
        + list_html(why, "explanations")
        + heading_html("no_data_group", lang, 3, when=bool(missing))
        + list_html(missing, "no-data")
        + heading_html("supply_heading", lang, 3, when=bool(supply))
        + list_html(supply, "supply")
        + heading_html("other_targets", lang, 3, when=len(others) > 0)
        + other_targets_html(others, lang)
    )


@dataclass(frozen=True)
class DeepDive:
    """One indicator of one province: the series the assessments used, its data and targets."""

    indicator: str
    series: str
    geo: str
    observations: pd.DataFrame
    targets: pd.DataFrame
    origin: int | None = None  # of the stored back-test: the last observed year − COMPARE_HORIZON
    anchors: pd.DataFrame = field(default_factory=pd.DataFrame)  # own points a carried row rests on

    def as_assessed(self, model_forecasts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The observations and every model's forecast as the scorecard's row used them.

        For a row whose own points are carried forward by another series (column ``gap``,
        :func:`forecast.assess.carry.carry_forward`) every model of the carrier is carried from
        the same points, so the ensemble's row is the scorecard's forecast to the digit; other
        rows are returned unchanged.
        """
        if self.anchors.empty or model_forecasts.empty:
            return self.observations, model_forecasts
        frames = []
        for name, fc in model_forecasts.groupby("model", sort=False):
            _, carried, _ = carry.carry_forward(
                self.anchors, self.observations, fc.sort_values("year"), self.indicator
            )
            if carried is not None:
                frames.append(carried.assign(model=name))
        return self.anchors, pd.concat(frames, ignore_index=True) if frames else model_forecasts.iloc[0:0]


def deep_dive_view(view: ProvinceView, indicator: str) -> DeepDive:
    """Resolve ``indicator`` (code in any case, or catalogue name) and select its series.

    Raises
    ------
    UnknownIndicatorError
        If ``indicator`` names no catalogue or store series (one line, with the closest code).
    """
    code = indicators.resolve_indicator(indicator)
    series, obs, _, rows = series_view(view, code)
    where = str(rows["geo"].iloc[0]) if len(rows) else view.province
    origin = int(obs["year"].max()) - COMPARE_HORIZON if len(obs) else None
    anchors = pd.DataFrame()
    if len(rows) and "gap" in rows.columns and rows["gap"].notna().any():
        row = rows[rows["gap"].notna()].iloc[0].to_dict()
        anchors = used.used_series(row, view.observations, view.forecasts).anchors
    return DeepDive(code, series, where, obs, rows, origin, anchors)


def model_table(model_forecasts: pd.DataFrame, targets: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Every model's forecast in each target year, written as the scorecard writes it."""
    years = sorted(set(targets["year"].astype(int))) if len(targets) else []
    unit = str(targets["unit"].iloc[0]) if len(targets) and "unit" in targets.columns else ""
    fc = model_forecasts[model_forecasts["year"].isin(years)]
    if fc.empty:
        return pd.DataFrame()
    d = target_digits(*targets["value"]) if "value" in targets.columns else 1  # the scorecard's precision
    text = fc.assign(forecast=[forecast_text(r, unit, lang, d) for r in fc.to_dict("records")])
    return text.pivot(index="model", columns="year", values="forecast")


def _scorecards(view: ProvinceView, lang: str) -> str:
    """One scorecard of the targets with data, or one per plan (a merged province's old ones)."""
    a = view.assessments
    a = a[a["verdict"] != "no_data"] if "verdict" in a.columns else a
    plans = list(dict.fromkeys(a["plan_id"])) if "plan_id" in a.columns else []
    if len(plans) <= 1:
        return scorecard_html(a, lang)
    out = ""
    for plan_id in plans:
        rows = a[a["plan_id"] == plan_id]
        key = "national_plan" if plan_id == PLAN_ID else "plan_of"
        out += heading_html(key, lang, 3, province=rows["province"].iloc[0]) + scorecard_html(rows, lang)
    return out


def borrowed_geos(province: str) -> list[str]:
    """The geos whose series a province may borrow: its GSO region (if any) and the nation."""
    try:
        region = geo.region_of(province)
    except UnknownGeoError:
        region = None
    return [g for g in (region, matching.NATIONAL_GEO) if g]


def suggestions_section(view: ProvinceView, year: int = 2030, lang: str = "vi") -> Html:
    """Return the section "Mục tiêu khả thi cho <year>" (:func:`forecast.assess.suggest.suggest_targets`)."""
    planned = suggest.planned_indicators(view.plan)  # the plan's and the national plans' indicators
    frame = suggest.suggest_targets(view.forecasts, view.observations, view.province, year, planned=planned)
    return suggestions_html(frame.assign(name=scorecard_names(frame, view.assessments, lang)), year, lang)


DATA_COLUMNS = ["geo", "indicator", "year", "value", "unit", "source", "definition"]


def data_table(observations: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The deep dive's data: one row per observation, each definition in ``lang`` (:func:`definition_text`)."""
    table = observations[[c for c in DATA_COLUMNS if c in observations.columns]].copy()
    if "definition" in table.columns and "indicator" in table.columns:
        # written from the series' definition code (never by reading the stored sentence back)
        codes = [matching.definition_code(str(s)) for s in table["indicator"]]
        table["definition"] = [
            definition_text(c, lang) if c else ("" if lang == "vi" else d)
            for c, d in zip(codes, table["definition"])
        ]
    return table


def scorecard_names(frame: pd.DataFrame, assessments: pd.DataFrame, lang: str = "vi") -> list[str]:
    """Name each row of ``frame`` (``indicator``, ``geo``, ``series``, ``basis``) as the scorecard does.

    A series that answers a scorecard target of another indicator (the full-immunisation series
    standing in for EPI coverage) is named as that target, so one series has one name in a brief.
    """
    a = assessments[assessments["verdict"] != "no_data"] if "verdict" in assessments.columns else assessments
    by_series: dict[tuple, dict] = {}
    if {"geo", "series", "indicator"} <= set(a.columns):
        for r in a.to_dict("records"):
            key = (r["geo"], r["series"])
            if key not in by_series or r["indicator"] == indicators.base_indicator(str(r["series"]))[0]:
                by_series[key] = r
    out = []
    for r in frame.to_dict("records"):
        target = by_series.get((r.get("geo"), r.get("series")), r)
        out.append(indicator_name(target["indicator"], lang) + basis_tag(target, lang))
    return out


def peers_section(view: ProvinceView, observations: pd.DataFrame, lang: str = "vi") -> Html:
    """Return "Vị trí so với các tỉnh": the ranks table and a map of the series most provinces report.

    ``observations`` are every province's analysis series (with the merged provinces rebuilt, for
    a merged province's brief); the map has the 63 provinces, or the 34 for a merged province.
    """
    from forecast.assess import peers
    from forecast.registry import boundaries
    from forecast.report.pages import maps

    scope = boundaries.map_scope(view.province)
    ranks = peers.peer_ranks(observations, scope)
    mine = peers.province_ranks(ranks, view.province)
    out = heading_html("peers", lang) + maps.peers_html(mine, geo.region_of(view.province), lang)
    first = list(dict.fromkeys(view.assessments.get("indicator", pd.Series(dtype=str))))
    row = maps.map_series(mine, first)
    if row is None:
        return Html(out)
    values = peers.map_values(ranks, str(row["series"]), int(row["year"]))
    fig = maps.choropleth(
        values,
        scope,
        lang=lang,
        title=t("map_value_title", lang, name=series_title(str(row["series"]), lang), year=int(row["year"])),
        label=unit_label(str(row["unit"]), lang).strip(),
        highlight=view.province,
        direction=str(row["direction"]),
    )
    img = figure_html(fig, alt=t("peers", lang))
    return Html(out + img.replace('class="figure"', f'class="figure map" data-map="{scope}"', 1))


def verdict_map_html(assessments: pd.DataFrame, lang: str = "vi") -> Html:
    """The index's map of the verdicts (:func:`forecast.report.pages.maps.verdict_maps`) as an image."""
    from forecast.report.pages import maps

    fig = maps.verdict_maps(assessments, lang)
    img = figure_html(fig, alt=t("map_verdicts", lang))
    return Html(img.replace('class="figure"', 'class="figure map" data-map="old merged"', 1))


def leaders_section(view: ProvinceView, quarter: str, lang: str = "vi") -> Html:
    """Return the leaders' page, the brief's first (:func:`forecast.report.pages.leaders.leaders_html`)."""
    as_of = str(getattr(view.run, "as_of", "") or quarter)
    return leaders_html(view.assessments, view.observations, view.province, int(as_of[:4]), lang)


def headline_section(view: ProvinceView, quarter: str, lang: str = "vi") -> Html:
    """Return the brief's first screen (:func:`forecast.report.pages.headline.headline_html`)."""
    as_of = str(getattr(view.run, "as_of", "") or quarter)
    return headline_html(view.assessments, view.province, int(as_of[:4]), lang)


def scenario_frame(table: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Scenario rows (:func:`forecast.assess.scenarios.scenario_table`) written for readers."""
    rows = []
    for r in table.to_dict("records"):
        unit = str(r.get("unit") or "")
        rate = fmt_rate(r.get("rate"), lang)
        label = t(f"scenario_{r['scenario']}", lang, rate=rate)
        rows.append(
            {
                t("col_year", lang): int(r["year"]),
                t("col_scenario", lang): label,
                t("col_rate", lang): "–" if r["scenario"] == "reference" else rate,
                t("col_value", lang): fmt_value(r.get("scenario_value"), unit, lang),
                t("col_meets", lang): t(r["meets"], lang) if r.get("meets") else "–",
            }
        )
    return pd.DataFrame(rows)


# --- the deep dive's tables, written for readers (words as headers, no row index, no code) -------


def _columns(frame: pd.DataFrame, codes: list[str], lang: str) -> pd.DataFrame:
    """``frame``'s columns ``codes`` (those present), headed by their words (messages ``col.<code>``)."""
    kept = [c for c in codes if c in frame.columns]
    return frame[kept].rename(columns={c: t(f"col.{c}", lang) for c in kept})


def models_html(model_forecasts: pd.DataFrame, targets: pd.DataFrame, lang: str = "vi") -> Html:
    """Every model's forecast in each target year (:func:`model_table`), models named in words."""
    table = model_table(model_forecasts, targets, lang)
    if table.empty:
        return Html("")
    table = table.reset_index()
    table["model"] = [model_label(m, lang) for m in table["model"]]
    return table_html(table.rename(columns={"model": t("col.model", lang)}).rename(columns=str))


SCORE_CODES = [
    "model",
    "origin",
    "n_series",
    "n",
    "mase",
    "smape",
    "bias",
    "coverage80",
    "coverage95",
    "pinball",
]
_SCORE_DIGITS = {"mase": 2, "smape": 1, "bias": 2, "pinball": 3}


def scores_html(scores: pd.DataFrame, lang: str = "vi") -> Html:
    """Back-test scores (a series' own, ``PageFrames.detail``, or the run's ``backtest_scores``) for readers.

    Models in words, coverage as a percentage, errors rounded; best models (lowest MASE) first.
    """
    if scores.empty:
        return Html("")
    s = scores.copy()
    if "mase" in s:
        s = s.sort_values("mase", kind="stable")
    for col, digits in _SCORE_DIGITS.items():
        if col in s:
            s[col] = [fmt_number(v, lang, digits) for v in s[col]]
    for col in ("coverage80", "coverage95"):
        if col in s:
            s[col] = [fmt_number(float(v) * 100, lang, 0) + "%" if pd.notna(v) else "–" for v in s[col]]
    for col in ("origin", "n_series", "n"):  # whole numbers; a year never grouped ("2011", not "2.011")
        if col in s:
            s[col] = [
                str(int(v)) if col == "origin" and pd.notna(v) else fmt_number(v, lang, 0) for v in s[col]
            ]
    if "model" in s:
        s["model"] = [model_label(m, lang) for m in s["model"]]
    return table_html(_columns(s, SCORE_CODES, lang))


def windows_html(rates: pd.DataFrame, lang: str = "vi") -> Html:
    """The observed rate of change by window length (:func:`forecast.assess.assessment.rate_windows`)."""
    if rates.empty:
        return Html("")
    r = rates.copy()
    for col in ("rate", "rate_required"):
        if col in r:
            r[col] = [fmt_rate_unit(v, "pct", lang) for v in r[col]]
    return table_html(_columns(r, ["window", "first_year", "points", "rate", "rate_required"], lang))


def scenarios_html(table: pd.DataFrame, lang: str = "vi") -> Html:
    """The scenario table (:func:`scenario_frame`) without row index."""
    return table_html(scenario_frame(table, lang))


def data_html(observations: pd.DataFrame, lang: str = "vi") -> Html:
    """The deep dive's data for readers: series named, values with their unit, the publisher in words.

    The definition column is shown only where a series' definition differs from its indicator's.
    """
    table = data_table(observations, lang)
    if table.empty:
        return Html("")
    unit = table["unit"] if "unit" in table else pd.Series("", index=table.index)
    table["value"] = [fmt_value(v, str(u or ""), lang, 2) for v, u in zip(table["value"], unit)]
    if "indicator" in table:
        table["series"] = [series_title(str(c), lang) for c in table["indicator"]]
    if "source" in table:
        table["source"] = [t(f"publisher.{provenance.publisher(x)}", lang) for x in table["source"]]
    codes = ["geo", "series", "year", "value", "source"]
    if "definition" in table and table["definition"].fillna("").astype(str).str.strip().any():
        codes.append("definition")
    return table_html(_columns(table, codes, lang))
