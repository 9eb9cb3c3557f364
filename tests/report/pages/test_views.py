"""Brief helpers and labels: one scorecard row per target, badges, sentences, caveats, both languages.

The hand-made frames below follow docs/contracts.md; test_plots and test_notebooks reuse them.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from forecast.errors import ForecastError
from forecast.registry import indicators
from forecast.report.pages import catalogues, text, views
from forecast.report.pages import html as report_html

PROVINCE = "Hà Nam"


def make_observations() -> pd.DataFrame:
    """Ten years of IMR and DOH beds, four of life expectancy, for Hà Nam."""
    years = np.arange(2007, 2017)
    rows = [
        dict(geo=PROVINCE, indicator="imr", year=y, value=20 * 0.95 ** (y - 2007), unit="per_1000")
        for y in years
    ]
    rows += [
        dict(geo=PROVINCE, indicator="beds_per_10k_dohs", year=y, value=18 + 0.3 * (y - 2007), unit="per_10k")
        for y in years
    ]
    rows += [
        dict(geo=PROVINCE, indicator="life_expectancy", year=y, value=74 + 0.2 * (y - 2013), unit="years")
        for y in range(2013, 2017)
    ]
    df = pd.DataFrame(rows).assign(source="fixture", import_id="fx")
    base = {"beds_per_10k_dohs": "beds_per_10k"}
    df["base_indicator"] = df["indicator"].map(lambda c: base.get(c, c))
    df["definition"] = np.where(
        df["indicator"] == "beds_per_10k_dohs", indicators.VARIANT_SUFFIXES["_dohs"], ""
    )
    return df


def make_forecasts(run_id: str = "r1") -> pd.DataFrame:
    """Forecasts 2017-2030 of two models for the IMR and beds series."""
    rows = []
    for series, start, slope in (("imr", 11.3, -0.4), ("beds_per_10k_dohs", 20.7, 0.3)):
        for model, shift in (("ensemble", 0.0), ("drift", 0.5)):
            for h, year in enumerate(range(2017, 2031), start=1):
                mid = start + slope * h + shift
                sd = 0.3 * np.sqrt(h)
                q = dict(
                    zip(
                        ("q025", "q05", "q10", "q25", "q50", "q75", "q90", "q95", "q975"),
                        mid + sd * np.array([-1.96, -1.64, -1.28, -0.67, 0, 0.67, 1.28, 1.64, 1.96]),
                    )
                )
                rows.append(
                    dict(
                        geo=PROVINCE,
                        indicator=series,
                        model=model,
                        year=year,
                        mean=mid,
                        **q,
                        run_id=run_id,
                        status="ok",
                        reason="",
                    )
                )
    return pd.DataFrame(rows)


def make_targets() -> pd.DataFrame:
    """Registry rows: three outcomes with data, one without, and two milestones."""
    base = dict(plan_id="hanam_2021", province=PROVINCE, value_high=np.nan, quote="", note="")
    rows = [
        dict(
            base,
            indicator="imr",
            year=2030,
            comparator="<=",
            value=5.0,
            unit="per_1000",
            kind="outcome",
            note="Source anomaly: the plan writes 5% for 5‰",
        ),
        dict(
            base,
            indicator="beds_per_10k",
            year=2025,
            comparator=">=",
            value=32.0,
            unit="per_10k",
            kind="outcome",
            note="không tính giường bệnh viện trung ương",
        ),
        dict(
            base,
            indicator="life_expectancy",
            year=2025,
            comparator=">=",
            value=74.5,
            unit="years",
            kind="outcome",
        ),
        dict(
            base,
            indicator="stunting_u5",
            year=2025,
            comparator="<=",
            value=15.0,
            unit="percent",
            kind="outcome",
        ),
        dict(
            base,
            indicator="chs_with_doctor",
            year=2025,
            comparator=">=",
            value=100.0,
            unit="percent",
            kind="milestone",
            quote="100% trạm y tế xã có bác sĩ",
        ),
        dict(
            base,
            indicator="ehr_coverage",
            year=2025,
            comparator=">=",
            value=90.0,
            unit="percent",
            kind="activity",
            quote="90% dân số có hồ sơ sức khỏe điện tử",
        ),
    ]
    return pd.DataFrame(rows)


def make_assessments(run_id: str = "r1") -> pd.DataFrame:
    """Assessments of the four outcome targets (as assess.assess_targets would shape them)."""
    t = make_targets()
    a = t[t["kind"] == "outcome"].drop(columns=["quote", "note"]).reset_index(drop=True)
    extra = pd.DataFrame(
        [
            dict(
                geo=PROVINCE,
                series="imr",
                definition="",
                latest_year=2016,
                latest_value=12.6,
                mean=7.5,
                q025=6.0,
                q10=6.5,
                q50=7.5,
                q90=8.5,
                q975=9.0,
                p_attain=0.02,
                rate_observed=-5.0,
                rate_required=-6.9,
                ratio=0.72,
                verdict="very_unlikely",
                pace="acceleration_needed",
                expected_year=2034,
                timing="forecast",
                basis="own",
                status="ok",
                reason="",
            ),
            dict(
                geo=PROVINCE,
                series="beds_per_10k_dohs",
                definition=indicators.VARIANT_SUFFIXES["_dohs"],
                latest_year=2016,
                latest_value=20.7,
                mean=23.4,
                q025=22.0,
                q10=22.5,
                q50=23.4,
                q90=24.3,
                q975=24.8,
                p_attain=0.01,
                rate_observed=1.5,
                rate_required=4.9,
                ratio=0.3,
                verdict="very_unlikely",
                pace="limited_progress",
                expected_year=pd.NA,
                timing="nowcast",
                basis="own",
                status="ok",
                reason="",
            ),
            dict(
                geo=PROVINCE,
                series="life_expectancy",
                definition="",
                latest_year=2016,
                latest_value=74.6,
                mean=74.6,
                q025=74.6,
                q10=74.6,
                q50=74.6,
                q90=74.6,
                q975=74.6,
                p_attain=0.99,
                rate_observed=0.27,
                rate_required=np.nan,
                ratio=np.nan,
                verdict="achieved",
                pace="",
                expected_year=2016,
                timing="observed",
                basis="own",
                status="ok",
                reason="",
            ),
            dict(
                geo=PROVINCE,
                series="",
                definition="",
                verdict="no_data",
                pace="",
                timing="nowcast",
                basis="",
                status="",
                reason="no observed series for stunting_u5 in Hà Nam",
            ),
        ]
    )
    out = pd.concat([a, extra], axis=1).assign(run_id=run_id)
    return out.astype({"latest_year": "Int64", "expected_year": "Int64"})


def _rows(html: str) -> list[str]:
    body = re.search(r'<table class="scorecard">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return re.findall(r"<tr\b[^>]*>", body)


@pytest.mark.parametrize("lang", text.LANGS)
def test_scorecard_has_one_row_per_target_with_its_badge(lang):
    a = make_assessments()
    html = views.scorecard_html(a, lang)
    rows = _rows(html)
    assert len(rows) == len(a)
    shown = [re.search(r'data-category="(\w+)"', row).group(1) for row in rows]
    assert sorted(shown) == sorted(a["verdict"]) and shown[-1] == "no_data"  # no data last
    for row, cat in zip(rows, shown):
        assert f"cat-{cat}" in row
    for cat in a["verdict"]:
        assert f'class="badge badge-{cat}"' in html
        assert text.category_label(cat, lang) in html


def test_scorecard_formats_numbers_per_language():
    a = make_assessments()
    vi, en = views.scorecard_frame(a, "vi"), views.scorecard_frame(a, "en")
    assert vi.loc[0, "latest"] == "12,6‰ (2016)" and en.loc[0, "latest"] == "12.6‰ (2016)"
    assert vi.loc[0, "target"] == "≤ 5,0‰"
    assert vi.loc[0, "name"] == "Tỷ suất tử vong trẻ em dưới 1 tuổi"
    assert en.loc[0, "name"] == "Infant mortality rate"
    assert vi.loc[0, "p_attain"] == "2%"
    assert vi.loc[3, "forecast"] == "–"


def test_a_value_keeps_its_unit_but_a_ratio_of_words_may_break_after_its_slash():
    keep = report_html.keep_together
    assert keep("45,7/10.000 dân") == "45,7/10.000\u00a0dân"  # a density's unit stays whole
    # Lào Cai's sex ratio at birth: kept whole, "bé trai/100 bé gái" held three columns at 170 px
    assert keep("118,5 bé trai/100 bé gái (107,7–129,2)") == (
        "118,5\u00a0bé\u00a0trai/\u200b100\u00a0bé\u00a0gái (107,7–129,2)"
    )
    assert keep("+0,99 điểm → quá hạn") == "+0,99\u00a0điểm →\u00a0quá\u00a0hạn"


@pytest.mark.parametrize("category", text.CATEGORIES)
def test_every_category_has_both_languages_and_a_colour(category):
    vi, en = text.category_label(category, "vi"), text.category_label(category, "en")
    assert vi and en and vi != category and en != category
    assert re.fullmatch(r"#[0-9a-f]{6}", text.BADGE_COLOURS[category])


def test_categories_match_assess_if_present():
    from forecast.assess import assessment as assess

    assert tuple(assess.VERDICTS) == text.CATEGORIES


def test_every_label_exists_in_both_languages():
    for key in catalogues.messages("en"):
        assert all(catalogues.messages(lang).get(key) for lang in text.LANGS), key


def test_labels_and_numbers():
    assert text.category_label("likely", "vi") == "Nhiều khả năng đạt"
    assert text.category_label("very_unlikely", "en") == "Very unlikely"
    assert text.fmt_number(75.4, "vi") == "75,4"
    assert text.fmt_number(1234.5, "vi") == "1.234,5"
    assert text.fmt_number(1234.5, "en") == "1,234.5"
    assert text.fmt_number(float("nan"), "vi") == "–"
    assert text.quarter_label("2026Q4", "vi") == "quý 4/2026"
    assert text.indicator_name("beds_per_10k_dohs", "en") == "Hospital beds per 10,000 population"
    with pytest.raises(ForecastError, match="fr"):
        text.t("scorecard", "fr")


def test_title_renders_diacritics():
    assert "Bản tin chính sách: Hà Nam — quý 4/2026" in views.title_html(PROVINCE, "2026Q4", "vi")
    assert "Policy brief: Hà Nam — Q4 2026" in views.title_html(PROVINCE, "2026Q4", "en")


def test_what_it_takes_compares_required_with_observed():
    vi = views.what_it_takes(make_assessments(), "vi")
    assert any(
        "tỷ suất tử vong trẻ em dưới 1 tuổi phải giảm 6,9%/năm, so với mức 5,0%/năm quan sát" in s for s in vi
    )
    assert any("đã đạt mục tiêu" in s for s in vi)
    en = views.what_it_takes(make_assessments(), "en")
    assert any("infant mortality rate must fall 6.9% a year, against 5.0% a year observed" in s for s in en)
    assert any("not be reached by 2035" in s for s in en)
    assert len(vi) == 3  # no sentence for the target without data


def test_caveats_name_definitions_last_year_notes_and_missing_data():
    vi = views.caveats(make_targets(), make_assessments(), "vi")
    text = "\n".join(vi)
    assert "không gồm bệnh viện trung ương" in text
    assert "2016" in text
    assert "Source anomaly: the plan writes 5% for 5‰" in text
    assert "không tính giường" not in text  # a reading note, not an anomaly
    assert "Chưa có số liệu cho: Tỷ lệ suy dinh dưỡng thể thấp còi" in text
    en = "\n".join(views.caveats(make_targets(), make_assessments(), "en"))
    assert "excluding central" in en and "No data for: Stunting in children under 5" in en


def test_milestones_for_a_plan_without_outcomes():
    targets = make_targets()
    html = views.milestones_html(targets[targets["kind"] != "outcome"], "Đồng Nai", "vi")
    assert "Đồng Nai" in html and "không có mục tiêu kết quả định lượng" in html
    assert html.count('<tr class="target') == 2
    assert 'class="scorecard"' not in html


def test_figure_html_embeds_a_png():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1))
    fig.subplots().plot([0, 1], [0, 1])
    out = views.figure_html(fig)
    assert out.startswith('<img class="figure" alt="" src="data:image/png;base64,')
    assert out._repr_html_() == str(out)


def test_target_text_for_ranges_counts_and_aims():
    assert (
        views.target_text({"value": 25.0, "value_high": 27.0, "unit": "per_10k", "comparator": ">="}, "vi")
        == "≥ 25,0/10.000 dân (phấn đấu 27,0)"  # a floor; its high end is the plan's aspiration
    )
    assert views.target_text({"value": 99.0, "unit": "count", "comparator": ">="}, "en") == "≥ 99"
    assert views.target_text({"value": float("nan"), "unit": "", "comparator": ""}, "vi") == "–"


def test_what_it_takes_says_when_the_trend_runs_the_wrong_way():
    a = make_assessments().iloc[[1]].assign(rate_observed=-0.8)
    (vi,) = views.what_it_takes(a, "vi")
    assert "phải tăng 4,9%/năm, trong khi số liệu quan sát giảm 0,80%/năm" in vi
    (en,) = views.what_it_takes(a, "en")
    assert "must rise 4.9% a year, whereas it was falling 0.80% a year" in en


def test_what_it_takes_never_says_a_met_target_must_fall():
    a = (
        make_assessments()
        .iloc[[1]]
        .assign(rate_required=-0.04, rate_observed=0.37, required_from_year=2026, required_from_value=33.0)
    )
    (vi,) = views.what_it_takes(a, "vi")
    assert "đã đạt ở mức ước tính năm 2026" in vi and "chỉ cần không giảm quá 0,04%/năm" in vi
    assert "phải giảm" not in vi
    (en,) = views.what_it_takes(a, "en")
    assert "already met by the 2026 estimate" in en and "must fall" not in en


def test_changes_table_and_first_run_message():
    assert "lần chạy đầu tiên" in views.changes_html(None, "vi")
    changes = pd.DataFrame(
        [
            {
                "province": PROVINCE,
                "indicator": "imr",
                "year": 2030,
                "verdict_old": "likely",
                "verdict_new": "possible",
                "reason": "new data",
            }
        ]
    )
    html = views.changes_html(changes, "vi")
    assert html.count('<tr class="change">') == 1 and "số liệu mới" in html
    assert "badge-likely" in html and "badge-possible" in html
    assert "r0" in views.changes_html(changes.iloc[0:0], "en", "r0")


def test_province_view_and_panels_select_one_province():
    from types import SimpleNamespace

    a = make_assessments()
    other = a.assign(province="Lâm Đồng", geo="Lâm Đồng")
    run = SimpleNamespace(
        run_id="r1", as_of="2026Q4", assessments=pd.concat([a, other]), forecasts=make_forecasts()
    )
    view = views.province_view(run, make_observations(), make_targets(), "ha nam")
    assert view.province == PROVINCE and len(view.assessments) == 4 and len(view.plan) == 6
    titles = [p[0] for p in views.fan_panels(view, "en")]
    assert titles == [
        "Hospital beds per 10,000 population (health-department facilities)",
        "Infant mortality rate",
        "Life expectancy at birth",
    ]
    series, obs, fc, rows = views.series_view(view, "beds_per_10k")
    assert series == "beds_per_10k_dohs" and len(obs) == 10 and set(fc["model"]) == {"drift", "ensemble"}
    section = views.scorecard_section(view, "en")
    assert "Target scorecard" in section and "Other targets (not forecast)" in section
    # a short scorecard: the annex follows on the first printed page (it would be mostly empty)
    assert views.annex_html() not in section
    # a longer one: the printed annex begins right after the scorecard, at the one marker emitted
    longer = dataclasses.replace(view, assessments=pd.concat([view.assessments] * 3, ignore_index=True))
    head, annex = views.scorecard_section(longer, "en").split(views.annex_html())
    assert "</table>" in head and "Other targets (not forecast)" in annex and views.annex_html() not in annex


def test_anomalies_are_grouped_and_start_at_their_sentence():
    t = make_targets().iloc[:3].copy()
    t["note"] = [
        "Per 1,000. Source anomaly: lines sum to 526.7, not 529.7.",
        "Budget. Source anomaly: lines sum to 526.7, not 529.7.",
        "Screening for congenital anomalies; 'đạt' read as >=.",
    ]
    caveats = [c for c in views.caveats(t, make_assessments().iloc[0:0], "en") if "anomaly" in c]
    assert caveats == [
        "Infant mortality rate (2030); Hospital beds per 10,000 population (2025): "
        "Source anomaly: lines sum to 526.7, not 529.7."
    ]


def test_anomaly_sentence_survives_an_ellipsis():
    t = make_targets().iloc[:1].assign(note="Obesity, 'không chế ... dưới' (source anomaly: 12 ... 21).")
    (c,) = [c for c in views.caveats(t, make_assessments().iloc[0:0], "en") if "anomaly" in c]
    assert c.endswith(": Obesity, 'không chế ... dưới' (source anomaly: 12 ... 21).")


def test_source_typos_are_not_data_caveats():
    t = (
        make_targets()
        .iloc[:1]
        .assign(
            note="Adult obesity, 'không chế ... dưới' (source typo for 'khống chế').",
            caveat_vi="Lỗi chính tả trong văn bản gốc: “không chế” là “khống chế”.",
        )
    )
    for lang in ("vi", "en"):
        assert not [
            c for c in views.caveats(t, make_assessments().iloc[0:0], lang) if "chính tả" in c or "typo" in c
        ]


def test_vietnamese_briefs_word_anomalies_in_vietnamese():
    t = make_targets().iloc[:2].copy()
    t["note"] = ["Source anomaly: the plan writes '11%'.", "Source anomaly: the plan writes '11%'."]
    t["caveat_vi"] = ["Điểm bất thường của văn bản gốc: kế hoạch ghi “11%”.", ""]
    vi = [c for c in views.caveats(t, make_assessments().iloc[0:0], "vi") if "11%" in c]
    assert vi == [
        "Tỷ suất tử vong trẻ em dưới 1 tuổi (2030): Điểm bất thường của văn bản gốc: kế hoạch ghi “11%”.",
        "Số giường bệnh trên 10.000 dân (2025): (ghi chú tiếng Anh) Source anomaly: the plan writes '11%'.",
    ]
    en = [c for c in views.caveats(t, make_assessments().iloc[0:0], "en") if "11%" in c]
    assert len(en) == 1 and "Điểm" not in en[0]


def test_every_registry_anomaly_has_a_vietnamese_wording():
    from forecast.registry.targets import load_targets
    from forecast.report.pages.sentences import _anomaly_text

    reg = load_targets()
    flagged = reg[reg["note"].map(lambda n: bool(_anomaly_text(n)))]
    assert len(flagged) >= 7 and (flagged["caveat_vi"].str.strip() != "").all()  # typos are not caveats
    lamdong = reg[(reg.plan_id == "lamdong-50kh-2018") & (reg.indicator == "u5mr") & (reg.year == 2025)]
    assert "18,5‰" in lamdong["caveat_vi"].iloc[0]


REGION = "Vùng Đồng bằng sông Hồng"


def make_proxy_assessments() -> pd.DataFrame:
    """The fixture's assessments with life expectancy on the region's series (basis "regional")
    and BHYT coverage without data but with 2025 data of the merged province."""
    a = make_assessments()
    proxy = (
        f"regional series ({REGION}) used as a proxy: GSO yearbook gives life expectancy at "
        "birth only for regions"
    )
    a.loc[2, ["geo", "definition", "basis", "reason"]] = [
        REGION,
        proxy,
        "regional",
        f"no provincial series for life_expectancy in Hà Nam: the series "
        f"of {REGION} is used as a regional proxy",
    ]
    bhyt = a.loc[[3]].assign(
        indicator="bhyt_coverage",
        province="Lào Cai",
        geo="Lào Cai",
        reason="no provincial or regional series for bhyt_coverage in Lào Cai; "
        "Lào Cai (mới) (the province it merged into on 1 July 2025) has "
        "bhyt_coverage for 2025 (latest 88.21 in 2025); not used: it "
        "covers a larger territory than Lào Cai",
        successor="Lào Cai (mới)",
        successor_data_year=2025,
    )
    return pd.concat([a, bhyt], ignore_index=True)


@pytest.mark.parametrize("lang,tag", [("vi", "ước lượng theo vùng"), ("en", "regional proxy")])
def test_scorecard_labels_a_regional_proxy(lang, tag):
    a = make_proxy_assessments()
    frame = views.scorecard_frame(a, lang)
    names = dict(zip(frame["indicator"], frame["name"]))
    assert names["life_expectancy"] == f"{text.indicator_name('life_expectancy', lang)} ({tag})"
    assert tag not in names["imr"]
    assert f"({tag})" in views.scorecard_html(a, lang)


def test_caveats_list_proxies_and_unused_merged_province_data():
    a = make_proxy_assessments()
    vi = views.caveats(make_targets(), a, "vi")
    assert (
        f"Ước lượng theo vùng: Tuổi thọ trung bình — tỉnh không có chuỗi số liệu riêng nên dùng "
        f"số liệu của {REGION}; kết quả phản ánh cả vùng, không riêng tỉnh."
    ) in vi
    assert not any("regional series" in c for c in vi)  # the English definition is not repeated
    assert any(
        c.startswith("Tỷ lệ bao phủ bảo hiểm y tế: số liệu gần đây chỉ có cho Lào Cai (mới)") for c in vi
    )
    en = "\n".join(views.caveats(make_targets(), a, "en"))
    assert (
        f"Regional proxy: Life expectancy at birth — the province has no series of its own, so "
        f"the series of {REGION} is used" in en
    )
    assert (
        "Health-insurance (BHYT) coverage: the only recent data are for Lào Cai (mới) (the "
        "province formed by the merger of 1 July 2025); not used"
    ) in en
    assert "excluding central" in en  # variant definitions are still named


def test_proxy_panel_names_the_region():
    from types import SimpleNamespace

    a = make_proxy_assessments().iloc[:4]
    obs = make_observations().assign(
        geo=lambda d: np.where(d["indicator"] == "life_expectancy", REGION, d["geo"])
    )
    run = SimpleNamespace(run_id="r1", as_of="2026Q4", assessments=a, forecasts=make_forecasts())
    view = views.province_view(run, obs, make_targets(), PROVINCE)
    titles = [p[0] for p in views.fan_panels(view, "en")]
    assert f"Life expectancy at birth (regional proxy) — {REGION}" in titles  # as the scorecard names it
    series, rows_obs, _, _ = views.series_view(view, "life_expectancy")
    assert series == "life_expectancy" and set(rows_obs["geo"]) == {REGION} and len(rows_obs) == 4


def test_caveats_name_the_known_break_of_a_series_used():
    a = make_assessments()
    a.loc[1, "series"] = "pharmacists_per_10k_dohs"
    vi = views.caveats(make_targets(), a, "vi")
    assert (
        "Số giường bệnh trên 10.000 dân: Chú thích 2012(**) của Tổng cục Thống kê: số dược sĩ"
        " năm 2012 gồm cả khu vực tư nhân, nên năm 2012 không so sánh được với các năm khác"
        " (năm 2012 không dùng để dự báo)." in vi
    )
    assert not any("2012(**)" in c for c in views.caveats(make_targets(), make_assessments(), "en"))


def test_a_rate_in_the_indicators_own_unit_is_written_with_that_unit():
    fmt_rate_unit = text.fmt_rate_unit
    assert fmt_rate_unit(-0.05, "abs", "vi", unit="per_1000") == "−0,05‰/năm"
    assert fmt_rate_unit(0.05, "abs", "en", signed=True, short=True, unit="per_1000") == "+0.05‰"
    assert fmt_rate_unit(0.5, "pp", "vi", signed=True, short=True) == "+0,50 điểm"  # never "%"


def test_a_past_deadline_says_so_instead_of_a_required_rate():
    row = {
        "rate_required": float("nan"),
        "required_from_year": 2026,
        "year": 2025,
        "rate_unit": "pct",
        "unit": "",
    }
    assert report_html._required(row, "vi") == "quá hạn"
    assert (
        report_html._required({**row, "required_from_year": float("nan")}, "vi") == "–"
    )  # no data: no claim


def _coded_definitions() -> list[str]:
    """Every definition code the matching stage writes: variants, stand-ins, auxiliary series."""
    aux = indicators.auxiliary_series()
    with_base = aux.index[(aux["base_indicator"] != "") & (aux["definition"] != "")]
    return [*indicators.VARIANT_SUFFIXES, *(alt for alt, _ in indicators.STAND_INS.values()), *with_base]


@pytest.mark.parametrize("code", _coded_definitions())
def test_every_definition_code_has_both_languages(code):
    vi, en = text.definition_text(code, "vi"), text.definition_text(code, "en")
    assert vi and en and vi != en  # the Vietnamese wording is not the English one kept
    assert text.definition_text("", "vi") == "" == text.definition_text("", "en")


@pytest.mark.parametrize("lang", text.LANGS)
def test_caveats_are_written_from_the_columns_never_from_the_english_sentence(lang):
    a = make_assessments()
    # an English sentence the report must not read: the codes alone decide what is written
    a["definition"] = "some English sentence nobody parses"
    a["definition_code"] = ["", "_dohs", "", ""]
    a["borrowed"] = ""
    a["anchor_geo"] = ""
    i = a.index[a["indicator"] == "stunting_u5"][0]
    a.loc[i, ["geo", "series", "basis", "borrowed", "anchor_geo", "gap", "unit"]] = [
        "Việt Nam",
        "stunting_u5",
        "national",
        "national_short_region",
        REGION,
        -2.5,
        "percent",
    ]
    a.loc[i, ["verdict", "latest_year", "latest_value"]] = ["possible", 2020, 21.5]
    caveats = views.caveats(make_targets(), a, lang)
    joined = "\n".join(caveats)
    assert "nobody parses" not in joined
    beds = text.indicator_name("beds_per_10k", lang)
    assert f"{beds}: {text.t('caveat_series_is', lang)}{text.definition_text('_dohs', lang)}." in caveats
    stunting = text.indicator_name("stunting_u5", lang)
    assert text.t("national_short_caveat", lang, names=stunting, anchor=REGION) in caveats
    assert text.t("national_caveat", lang, names=stunting) not in caveats  # not "context only"
    gap = "−2,50 điểm phần trăm" if lang == "vi" else "−2.50 percentage points"  # never "%"
    value = "21,5%" if lang == "vi" else "21.5%"
    said = text.t(
        "gap_caveat", lang, names=stunting, geo="Việt Nam", gap=gap, anchor=REGION, year=2020, value=value
    )
    assert said in caveats
    # the same row shifted by the province's own points names the province
    a.loc[i, "anchor_geo"] = PROVINCE
    assert text.t("national_short_caveat", lang, names=stunting, anchor=PROVINCE) in views.caveats(
        make_targets(), a, lang
    )


@pytest.mark.parametrize("lang", text.LANGS)
def test_a_borrowed_stand_in_states_its_definition(lang):
    a = make_assessments()
    i = a.index[a["indicator"] == "stunting_u5"][0]
    a.loc[i, ["geo", "series", "basis", "verdict"]] = [
        REGION,
        "households_hygienic_water",
        "regional",
        "likely",
    ]
    a.loc[i, "indicator"] = "rural_clean_water"
    a["definition_code"] = ["", "_dohs", "", "households_hygienic_water"]
    joined = "\n".join(views.caveats(make_targets(), a, lang))
    assert text.definition_text("households_hygienic_water", lang) in joined
    if lang == "vi":
        assert "nước hợp vệ sinh" in joined and "households using" not in joined


def test_suggestions_name_a_stand_in_series_as_the_scorecard_does():
    a = pd.DataFrame(
        {
            "indicator": ["epi_coverage", "imr"],
            "geo": ["Hà Nam", "Hà Nam"],
            "series": ["full_immunization_u1", "imr"],
            "basis": ["own", "own"],
            "verdict": ["likely", "possible"],
        }
    )
    frame = pd.DataFrame(
        {
            "indicator": ["full_immunization_u1", "imr", "life_expectancy"],
            "geo": ["Hà Nam", "Hà Nam", "Đồng bằng sông Hồng"],
            "series": ["full_immunization_u1", "imr", "life_expectancy"],
            "basis": ["own", "own", "regional"],
        }
    )
    names = views.scorecard_names(frame, a, "vi")
    card = views.scorecard_frame(a.assign(year=2025, unit="percent"), "vi")["name"].tolist()
    assert names[:2] == card  # one series, one name in a brief
    assert names[2] == text.indicator_name("life_expectancy", "vi") + views.basis_tag(frame.iloc[2], "vi")


def test_a_required_rate_after_the_target_year_says_the_year_has_passed():
    a = pd.DataFrame(
        {
            "indicator": ["imr", "imr"],
            "year": [2025, 2030],
            "unit": "per_1000",
            "rate_observed": [-1.5, -1.5],
            "rate_required": [float("nan"), -8.0],
            "required_from_year": [2026, 2026],
            "verdict": ["unlikely", "unlikely"],
        }
    )
    rates = views.scorecard_frame(a, "vi")["rates"].tolist()
    assert rates[0].endswith("→ quá hạn") and "quá hạn" not in rates[1]


def test_a_national_series_shifted_to_the_region_says_so():
    row = {"indicator": "stunting_u5", "basis": "national", "gap": -1.2, "province": "Hà Nam"}
    own = report_html.basis_tag({**row, "anchor_geo": "Hà Nam"}, "vi")
    region = report_html.basis_tag({**row, "anchor_geo": "Vùng Đồng bằng sông Hồng"}, "vi")
    assert "chênh lệch của tỉnh" in own and "chênh lệch của vùng" in region
    assert "region's gap" in report_html.basis_tag({**row, "anchor_geo": "Vùng Đồng bằng sông Hồng"}, "en")


def test_the_deep_dives_data_table_writes_definitions_from_their_code():
    obs = pd.DataFrame(
        {
            "geo": ["Hà Nam", "Hà Nam"],
            "indicator": ["beds_per_10k_dohs", "imr"],
            "year": [2016, 2016],
            "value": [30.2, 11.8],
            "definition": [indicators.VARIANT_SUFFIXES["_dohs"], "an English note of the source"],
        }
    )
    vi = views.data_table(obs, "vi")["definition"].tolist()
    assert vi == [text.t("definition._dohs", "vi"), ""]  # no English sentence in a Vietnamese page
    assert views.data_table(obs, "en")["definition"].tolist() == obs["definition"].tolist()


def _scores() -> pd.DataFrame:
    """Back-test scores as the run stores them (``runs.SCORE_COLUMNS``), worst model first."""
    return pd.DataFrame(
        {
            "indicator": "imr",
            "origin": [2011, 2011],
            "model": ["naive", "dholt"],
            "n_series": [63, 63],
            "n": [1260, 1260],
            "mase": [2.4567, 1.2345],
            "smape": [12.345, 8.91],
            "bias": [-0.123, 0.045],
            "coverage80": [0.7654, 0.8123],
            "coverage95": [0.9, float("nan")],
            "pinball": [0.12345, 0.0678],
            "run_id": "r1",
        }
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_scores_html_words_models_and_headers_and_sorts_best_first(lang):
    page = views.scores_html(_scores(), lang)
    head = re.findall(r"<th>(.*?)</th>", page)
    assert head == [text.t(f"col.{c}", lang) for c in views.SCORE_CODES]  # no run_id, no indicator code
    rows = [re.findall(r"<td>(.*?)</td>", r) for r in re.findall(r"<tr>(<td>.*?)</tr>", page)]
    assert [r[0] for r in rows] == [text.model_label("dholt", lang), text.model_label("naive", lang)]
    best = dict(zip(views.SCORE_CODES, rows[0]))
    assert best["origin"] == "2011" and best["n"] == text.fmt_number(1260, lang, 0)  # a year never "2.011"
    assert best["mase"] == text.fmt_number(1.2345, lang, 2) and best["coverage80"] == "81%"
    assert best["coverage95"] == "–" and best["pinball"] == text.fmt_number(0.0678, lang, 3)
    assert "dholt" not in page and "mase" not in page and "nan" not in page.lower()


def test_scores_html_of_nothing_is_empty():
    assert views.scores_html(pd.DataFrame(), "vi") == ""
