"""The first screen of a brief: how many targets will be met, the three headline indicators, freshness.

:func:`headline_counts` counts a province's outcome targets by verdict group, :func:`headline_html`
renders the counts sentence, one table row per target of the mission's headline indicators
(life expectancy, BHYT coverage, under-5 stunting; the national target beside each) and how old
each series is (latest year and the years of nowcast between it and the report). Merged 2025
provinces say which old provinces they were made of, old provinces which new one they belong to.
"""

from __future__ import annotations

import html

import pandas as pd

from forecast.registry import crosswalk, geo
from forecast.registry.national_targets import PLAN_ID
from forecast.report.pages.html import (
    Html,
    badge_html,
    basis_tag,
    is_missing,
    keep_together,
    keep_value_together,
    national_target_text,
    p_text,
    rows_table,
    series_label,
    target_text,
    verdict_text,
)
from forecast.report.pages.text import check_lang, indicator_name, t

__all__ = ["HEADLINE", "GROUPS", "headline_counts", "headline_html", "predecessors", "successor"]

#: The mission's three headline indicators, in the order a brief shows them.
HEADLINE = ("life_expectancy", "bhyt_coverage", "stunting_u5")
#: Verdicts counted together in the headline sentence.
GROUPS = {
    "met": ("achieved", "likely"),
    "possible": ("possible",),
    "at_risk": ("unlikely", "very_unlikely", "missed"),
    "unassessed": ("no_data", "insufficient_data"),
}


def headline_counts(assessments: pd.DataFrame) -> dict[str, int]:
    """Return ``n`` (outcome targets with a verdict), the count of each of :data:`GROUPS` among
    them, and ``indicative``: the rows without the province's own data (column ``tier``), which
    are left out of the tallies (their probability is not a verdict on the province)."""
    a = assessments
    tier = a["tier"].fillna("").astype(str) if "tier" in a.columns else pd.Series("", index=a.index)
    indicative = tier == "indicative"
    verdicts = a.loc[~indicative, "verdict"] if "verdict" in a.columns else pd.Series(dtype=str)
    out = {"n": int(len(verdicts)), "indicative": int(indicative.sum())}
    out.update({k: int(verdicts.isin(v).sum()) for k, v in GROUPS.items()})
    return out


def successor(province: str) -> str:
    """The merged 2025 province an old province belongs to ("" if it was not merged)."""
    p = geo.provinces()
    after = p.loc[p["name"] == province, "province_2025"]
    name = str(after.iloc[0]) if len(after) else ""
    return name if name and name != province else ""


def predecessors(province: str) -> list[str]:
    """The old provinces a merged 2025 province was made of (empty for any other geo)."""
    cw = crosswalk.load_crosswalk()
    return list(dict.fromkeys(cw.loc[cw["new_geo"] == province, "old_geo"]))


def _esc(x: object) -> str:
    return html.escape(str(x))


def _counts_text(a: pd.DataFrame, lang: str) -> str:
    c = headline_counts(a)
    if c["unassessed"] == c["n"]:  # not "0/9 … likely, 0 possible, 0 at risk, 9 not assessable"
        text = t("headline_counts_none", lang)
        if c["unassessed"]:
            text += " " + t("headline_unassessed", lang, j=c["unassessed"])
    else:
        text = t(
            "headline_counts", lang, k=c["met"], n=c["n"], p=c["possible"], m=c["at_risk"], j=c["unassessed"]
        )
    if c["indicative"]:
        text += " " + t("headline_indicative", lang, i=c["indicative"])
    return text


def _national_text(a: pd.DataFrame, province: str, lang: str) -> str:
    """Say that the province is scored on the national targets (no plan of its own in the registry)."""
    if "plan_id" not in a.columns or not (a["plan_id"] == PLAN_ID).any():
        return ""
    mine = a[a["plan_id"] == PLAN_ID]
    names = dict.fromkeys(mine["province"]) if "province" in mine.columns else [province]
    return t("headline_national_plan", lang, province=", ".join(names))


def _headline_rows(a: pd.DataFrame, lang: str) -> str:
    rows: list[tuple[str, list[str]]] = []
    for code in HEADLINE:
        mine = a[a["indicator"] == code] if "indicator" in a.columns else a.iloc[0:0]
        if mine.empty:
            cells = [_esc(indicator_name(code, lang)), _esc(t("no_plan_target", lang)), "", "", "", ""]
            rows.append(("", cells))
        for r in mine.to_dict("records"):
            province = f"{r['province']}: " if r.get("_show_province") else ""
            cells = [
                _esc(province + indicator_name(code, lang) + basis_tag(r, lang)),
                _esc(keep_together(target_text(r, lang))),
                str(int(r["year"])),
                badge_html(
                    str(r.get("verdict") or "no_data"),
                    lang,
                    verdict_text(r, lang),
                    str(r.get("tier") or "") == "indicative",
                ),
                _esc(p_text(r, lang)),
                _esc(keep_value_together(national_target_text(r, lang))),
            ]
            rows.append((f' class="headline-target" data-indicator="{_esc(code)}"', cells))
    keys = ("col_indicator", "col_target", "col_year", "col_category", "col_p_attain", "col_national_target")
    return rows_table("headline", [t(k, lang) for k in keys], rows)


def freshness_items(a: pd.DataFrame, report_year: int, lang: str = "vi") -> list[str]:
    """One sentence per series: its latest year and the years of nowcast up to the report's year."""
    check_lang(lang)
    out = []
    seen = a.dropna(subset=["latest_year"]) if "latest_year" in a.columns else a.iloc[0:0]
    keys = [c for c in ("indicator", "series", "geo") if c in seen.columns]  # a geo's series each
    groups = list(seen.groupby(keys, sort=False))
    twice = pd.Series([k[0] for k, _ in groups]).duplicated(keep=False).tolist()
    for (_key, rows), dup in zip(groups, twice, strict=True):
        year = int(rows["latest_year"].max())
        name = series_label(rows.iloc[0].to_dict(), lang, name_geo=dup)
        age = max(report_year - year, 0)
        out.append(t("freshness_item", lang, name=name, year=year, age=age, report_year=report_year))
    return out


def _merger_text(province: str, a: pd.DataFrame, lang: str) -> str:
    parts = predecessors(province)
    if parts:
        old = a[a["province"] != province] if "province" in a.columns else a.iloc[0:0]
        plans = ", ".join(dict.fromkeys(old["province"])) if len(old) else "–"
        return t("predecessors_note", lang, province=province, parts=", ".join(parts), plans=plans)
    after = successor(province)
    return t("successor_note", lang, province=province, successor=after) if after else ""


def headline_html(assessments: pd.DataFrame, province: str, report_year: int, lang: str = "vi") -> Html:
    """Return the brief's first screen (see the module docstring) as one ``<section>``.

    ``assessments`` are the province's outcome rows (for a merged province those of the old
    provinces in it, each shown with its province's name).
    """
    check_lang(lang)
    a = assessments.copy()
    if len(a) and "province" in a.columns:
        a["_show_province"] = a["province"] != province
    merger = _merger_text(province, a, lang)
    national = _national_text(a, province, lang)
    fresh = freshness_items(a, report_year, lang)
    parts = [
        f"<h2>{_esc(t('headline', lang))}</h2>",
        f'<p class="merger">{_esc(merger)}</p>' if merger else "",
        f'<p class="national-plan">{_esc(national)}</p>' if national else "",
        f'<p class="headline-counts">{_esc(_counts_text(a, lang))}</p>' if len(a) else "",
        f"<h3>{_esc(t('headline_indicators', lang))}</h3>",
        _headline_rows(a, lang),
        f"<h3>{_esc(t('freshness', lang))}</h3>" if fresh else "",
        "<ul>" + "".join(f"<li>{_esc(x)}</li>" for x in fresh) + "</ul>" if fresh else "",
    ]
    return Html('<section class="headline">' + "".join(parts) + "</section>")


def no_data_items(assessments: pd.DataFrame, lang: str = "vi") -> list[str]:
    """One sentence per indicator with no series at all, with its target years (grouped at the end)."""
    check_lang(lang)
    a = assessments
    rows = a[a["verdict"] == "no_data"] if "verdict" in a.columns else a.iloc[0:0]
    out = []
    for code, group in rows.groupby("indicator", sort=False):
        years = ", ".join(str(int(y)) for y in sorted(set(group["year"])) if not is_missing(y))
        out.append(t("no_data_item", lang, name=indicator_name(str(code), lang), years=years))
    return out


def supply_items(assessments: pd.DataFrame, province: str, lang: str = "vi") -> list[str]:
    """What the province should supply to turn its indicative and no-data rows into verdicts.

    One sentence per indicator without an own observation (column ``tier`` indicative, or no
    data), naming the target years and what would do: one recent year of the province's own
    figure, of the plan's definition, entered in the province's Excel template.
    """
    check_lang(lang)
    a = assessments
    if "verdict" not in a.columns:
        return []
    tier = a["tier"].fillna("").astype(str) if "tier" in a.columns else pd.Series("", index=a.index)
    rows = a[(tier == "indicative") | (a["verdict"] == "no_data")]
    out = []
    for code, group in rows.groupby("indicator", sort=False):
        years = ", ".join(str(int(y)) for y in sorted(set(group["year"])) if not is_missing(y))
        out.append(
            t("supply_item", lang, name=indicator_name(str(code), lang), years=years, province=province)
        )
    return out
