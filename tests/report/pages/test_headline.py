"""The brief's first screen, labels of borrowed series in both languages, the merged-province brief."""

from __future__ import annotations

import re
from html import escape
from types import SimpleNamespace

import pandas as pd
import pytest
from test_views import make_assessments, make_observations, make_targets

from forecast.registry import national_targets
from forecast.report.pages import headline, suggestions, text, views

NATIONAL = {"national_target": 17.0, "national_target_year": 2025, "national_target_source": "NNS"}


def _national_stunting(a: pd.DataFrame) -> pd.DataFrame:
    """The stunting target assessed on the nation's series, shifted by no gap."""
    a = a.copy()
    i = a.index[a["indicator"] == "stunting_u5"][0]
    a.loc[i, ["geo", "series", "basis", "verdict", "p_attain", "latest_year", "latest_value"]] = [
        "Việt Nam",
        "stunting_u5",
        "national",
        "possible",
        0.6,
        2022,
        18.9,
    ]
    for k, v in NATIONAL.items():
        a.loc[i, k] = v
    return a


def test_counts_group_the_verdicts():
    c = headline.headline_counts(make_assessments())
    assert c == {"n": 4, "met": 1, "possible": 0, "at_risk": 2, "unassessed": 1, "indicative": 0}
    # indicative rows (no own data) are left out of the tallies
    c = headline.headline_counts(make_assessments().assign(tier=["verdict", "indicative", "verdict", ""]))
    assert c["n"] == 3 and c["indicative"] == 1


@pytest.mark.parametrize(
    "lang,counts,tag,fresh",
    [
        (
            "vi",
            "1/4 mục tiêu có số liệu của tỉnh nhiều khả năng đạt",
            "số liệu toàn quốc",
            "4 năm ước tính hiện thời",
        ),
        (
            "en",
            "1 of 4 targets with the province&#x27;s own data likely met",
            "national series",
            "4 year(s) of nowcast",
        ),
    ],
)
def test_headline_opens_with_counts_headline_indicators_and_freshness(lang, counts, tag, fresh):
    a = _national_stunting(make_assessments())
    html = headline.headline_html(a, "Hà Nam", 2026, lang)
    assert counts in html and tag in html and fresh in html
    rows = re.findall(r'<tr class="headline-target" data-indicator="(\w+)"', html)
    assert rows == ["life_expectancy", "stunting_u5"]  # BHYT has no target: said in its own row
    assert text.t("no_plan_target", lang) in html
    assert "17,0% (2025)" in html if lang == "vi" else "17.0% (2025)" in html
    assert escape(text.t("successor_note", lang, province="Hà Nam", successor="Ninh Bình (mới)")) in html


@pytest.mark.parametrize("lang", text.LANGS)
def test_a_national_figure_never_reads_as_the_provinces_own(lang):
    a = _national_stunting(make_assessments())
    frame = views.scorecard_frame(a, lang)
    name = frame.loc[frame["indicator"] == "stunting_u5", "name"].iloc[0]
    assert name.endswith(f"({text.t('national_tag', lang)})")
    assert frame.loc[frame["indicator"] == "stunting_u5", "national_target"].iloc[0].startswith("17")
    caveats = "\n".join(views.caveats(make_targets(), a, lang))
    assert text.t("national_caveat", lang, names=text.indicator_name("stunting_u5", lang)) in caveats
    shifted = a.assign(gap=[float("nan")] * 3 + [-3.0])
    frame = views.scorecard_frame(shifted, lang)
    assert text.t("national_gap_tag", lang) in frame.loc[frame["indicator"] == "stunting_u5", "name"].iloc[0]
    assert "−3,00 điểm phần trăm" in "\n".join(views.caveats(make_targets(), shifted, "vi"))


def test_no_data_targets_are_grouped_after_the_scorecard():
    view = views.ProvinceView("Hà Nam", None, make_assessments(), make_targets())
    html = views.scorecard_section(view, "vi")
    assert html.count('<tr class="target cat-') == 3  # the no-data target is not in the table
    assert html.index(text.t("no_data_group", "vi")) > html.index("</table>")
    assert "Tỷ lệ suy dinh dưỡng thể thấp còi ở trẻ em dưới 5 tuổi (2025)" in html


def test_merged_province_brief_shows_the_old_plan_within_it():
    a = make_assessments()
    national = national_targets.national_plan(["Ninh Bình (mới)"]).head(1)
    extra = national[
        ["plan_id", "province", "indicator", "year", "comparator", "value", "unit", "kind"]
    ].assign(geo="Ninh Bình (mới)", series="beds_per_10k_dohs", verdict="likely", p_attain=0.9, basis="own")
    run = SimpleNamespace(
        assessments=pd.concat([a, extra], ignore_index=True),
        forecasts=pd.DataFrame(columns=["geo"]),
        as_of="2026Q4",
    )
    view = views.province_view(run, make_observations(), make_targets(), "Ninh Bình (mới)")
    assert set(view.assessments["province"]) == {"Hà Nam", "Ninh Bình (mới)"}
    first = views.headline_section(view, "2026Q4", "vi")
    assert "hợp nhất Ninh Bình, Hà Nam, Nam Định" in first and "(Hà Nam)" in first
    card = views.scorecard_section(view, "vi")
    assert text.t("plan_of", "vi", province="Hà Nam") in card and text.t("national_plan", "vi") in card
    old = views.province_view(run, make_observations(), make_targets(), "Hà Nam")
    assert "Ninh Bình (mới)" in views.headline_section(old, "2026Q4", "en")


@pytest.mark.parametrize("lang", text.LANGS)
def test_suggestions_table(lang):
    frame = pd.DataFrame(
        [
            dict(
                indicator="imr",
                p50=10.0,
                p80=11.0,
                p90=12.0,
                rate_p50=-2.0,
                rate_p80=-1.0,
                rate_p90=-0.5,
                unit="per_1000",
                latest_year=2016,
                latest_value=12.6,
                basis="own",
                national_target=float("nan"),
                national_target_year=pd.NA,
            )
        ]
    )
    html = suggestions.suggestions_html(frame, 2030, lang)
    assert text.t("suggest_heading", lang, year=2030) in html and html.count('<tr class="suggestion"') == 1
    assert ("10,0‰" if lang == "vi" else "10.0‰") in html
    assert text.t("suggest_none", lang) in suggestions.suggestions_html(frame.iloc[0:0], 2030, lang)


@pytest.mark.parametrize("lang,tag", [("vi", "định nghĩa có thể khác"), ("en", "definition may differ")])
def test_definition_gap_is_said_beside_the_verdict(lang, tag):
    a = make_assessments().assign(definition_gap=[0.4, float("nan"), float("nan"), float("nan")])
    html = views.scorecard_html(a, lang)
    first = re.search(r'<tr class="target cat-very_unlikely.*?</tr>', html, re.S).group(0)
    assert tag in first and html.count(tag) == 1
    notes = "\n".join(views.caveats(make_targets(), a, lang))
    assert ("0,40 lần" if lang == "vi" else "0.40 times") in notes


@pytest.mark.parametrize(
    "lang,labels",
    [
        (
            "vi",
            {
                ("own", False): "",
                ("regional", False): " (ước lượng theo vùng)",
                ("national", False): " (số liệu toàn quốc)",
                ("regional", True): " (số liệu vùng, hiệu chỉnh theo chênh lệch của tỉnh)",
                ("national", True): " (số liệu toàn quốc, hiệu chỉnh theo chênh lệch của tỉnh)",
            },
        ),
        (
            "en",
            {
                ("own", False): "",
                ("regional", False): " (regional proxy)",
                ("national", False): " (national series)",
                ("regional", True): " (regional series, adjusted to the province's gap)",
                ("national", True): " (national series, adjusted to the province's gap)",
            },
        ),
    ],
)
def test_the_basis_is_labelled_in_both_languages(lang, labels):
    from forecast.report.pages.html import basis_tag

    for (basis, shifted), label in labels.items():
        assert basis_tag({"basis": basis, "gap": 1.5 if shifted else float("nan")}, lang) == label
