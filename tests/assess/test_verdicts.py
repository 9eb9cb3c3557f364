"""Acceptance of issue #19 on the real default run: verdicts an official can forward.

One rule per test, on the session's ``default_run`` (tests/conftest.py): targets read as the plans
mean them, the province's own data first, two tiers, passed deadlines said as what happened.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast import pipeline
from forecast.assess import matching, reasons, suggest
from forecast.engine import forecast as forecast_engine
from forecast.registry import indicators
from forecast.registry import national_targets as national_registry
from forecast.registry import targets as registry
from forecast.registry.targets import target_direction
from forecast.report.pages import headline, html, sentences, text, views


@pytest.fixture(scope="module")
def assessed(default_run):
    run, _, store = default_run
    return run.assessments, pipeline.load_observations(store)


def _rows(a: pd.DataFrame) -> list[dict]:
    return a[a["verdict"] != "no_data"].to_dict("records")


def test_what_it_takes_never_asks_for_a_move_away_from_the_target(assessed):
    a, _ = assessed
    asked = 0
    for r in _rows(a):
        said = sentences.what_it_takes(pd.DataFrame([r]), "vi")
        if not said or pd.isna(r["rate_required"]):
            continue
        away = "phải giảm" if target_direction(r["comparator"]) > 0 else "phải tăng"
        assert away not in said[0], (r["province"], r["indicator"], r["year"], said[0])
        cell = html.scorecard_frame(pd.DataFrame([r]), "vi")["rates"].iloc[0].split("→")[1]
        if html.moves_away(r, float(r["rate_required"])):
            assert cell.strip() == text.t("already_met", "vi")
        asked += "phải" in said[0]
    assert asked >= 10
    # Lâm Đồng's ranges ("Đạt 27 - 29 giường ... 9 - 10 bác sĩ") are floors its nowcast already meets
    beds = a[(a["province"] == "Lâm Đồng") & (a["indicator"] == "beds_per_10k") & (a["year"] == 2030)]
    (said,) = sentences.what_it_takes(beds, "vi")
    assert "đã đạt" in said and "phải" not in said


def _own_points(obs: pd.DataFrame) -> set[tuple[str, str]]:
    """(province, indicator) pairs with an observation of the province itself (not low-confidence)."""
    quality = obs["quality"].fillna("").astype(str) if "quality" in obs.columns else ""
    own = obs[~pd.Series(quality, index=obs.index).str.contains(matching.LOW_CONFIDENCE)]
    return set(zip(own["geo"], own["base_indicator"], strict=True))


def test_every_own_observation_puts_its_target_on_basis_own(assessed):
    a, obs = assessed
    held = _own_points(obs)
    rows = [r for r in a.to_dict("records") if (r["province"], r["indicator"]) in held]
    assert len(rows) >= 60
    bad = [
        (r["province"], r["indicator"], r["year"], r["basis"], r["tier"]) for r in rows if r["basis"] != "own"
    ]
    assert not bad, bad[:5]
    assert all(r["tier"] == "verdict" for r in rows)


@pytest.mark.parametrize("province,value", [("Lào Cai", 69.1), ("Hà Nam", 74.7)])
def test_life_expectancy_rests_on_the_provinces_own_2017_18_points(assessed, province, value):
    a, _ = assessed
    for r in a[(a["province"] == province) & (a["indicator"] == "life_expectancy")].to_dict("records"):
        assert (r["basis"], r["tier"], r["latest_year"], r["latest_value"]) == ("own", "verdict", 2018, value)
        assert r["q90"] - r["q10"] > 0.2 and r["q975"] > r["q90"] > r["q50"] > r["q10"] > r["q025"]
        assert r["timing"] != "observed"  # the region's 2024 value is not the province's


def test_indicative_rows_have_no_own_data_and_stay_out_of_the_headline(assessed):
    a, obs = assessed
    held = _own_points(obs)
    indicative = a[a["tier"] == "indicative"]
    assert len(indicative) >= 20
    assert not any(
        (p, c) in held for p, c in zip(indicative["province"], indicative["indicator"], strict=True)
    )
    assert set(indicative["basis"]) <= {"own", "regional", "national"}
    own_indicative = indicative[indicative["basis"] == "own"]
    assert (own_indicative["definition_code"] != "").all()  # a stand-in of another definition
    for province, rows in a.groupby("province"):
        counts = headline.headline_counts(rows)
        assert counts["n"] == int((rows["tier"] != "indicative").sum()), province
        assert counts["indicative"] == int((rows["tier"] == "indicative").sum()), province
        page = headline.headline_html(rows, str(province), 2026, "vi")
        if counts["indicative"]:
            assert text.t("headline_indicative", "vi", i=counts["indicative"]) in page.replace("&#x27;", "'")


def test_no_passed_deadline_is_achieved_without_an_observation(assessed):
    a, _ = assessed
    said = a[a["verdict"].isin(["achieved", "missed"])]
    assert len(said) >= 1
    assert (said["observed_year"] >= said["year"]).all() and said["observed_value"].notna().all()
    assert ((said["verdict"] == "achieved") == (said["p_attain"] == 1.0)).all()
    passed = a[a["deadline_passed"].fillna(False).astype(bool) & (a["timing"] == "nowcast")]
    assert len(passed) >= 20 and not passed["verdict"].isin(["achieved", "missed"]).any()
    frame = html.scorecard_frame(passed[passed["verdict"] != "no_data"], "vi")
    for r, (_, row) in zip(frame.to_dict("records"), passed[passed["verdict"] != "no_data"].iterrows()):
        assert r["verdict_text"] == text.t("verdict_not_yet_observed", "vi", year=int(row["year"]))
        if np.isfinite(row["p_attain"]):
            assert "là đã đạt" in r["p_attain"]


def test_every_surprise_has_a_reason_code_and_a_vietnamese_sentence(assessed):
    a, _ = assessed
    codes = a["reason_codes"].fillna("").str.split(";")
    has = {
        c: codes.map(lambda x, c=c: c in x)
        for c in ("counter_trend", "pace_disagrees", "stand_in", "borrowed_pace")
    }
    # every counter-trend median is flagged: the median's change and the observed one point apart
    sign = np.sign(a["forecast_rate"]) * np.sign(a["rate_observed"])
    # the smallest change that is a direction; abs units (relative to the level) are left out
    still = a["rate_unit"].map({u: x for u, x in reasons.STILL.items() if u != "abs"}).astype(float)
    big = (a["forecast_rate"].abs() >= still) & (a["rate_observed"].abs() >= still)
    assert has["counter_trend"][(sign < 0) & big].all() and ((sign < 0) & big).sum() >= 3
    # every pace/P disagreement is flagged, both ways
    ahead = a["timing"] != "observed"
    on_track_low = (a["pace"] == "on_track") & (a["p_attain"] < 0.5) & ahead
    behind_high = a["pace"].isin(["limited_progress", "deterioration"]) & (a["p_attain"] >= 0.8) & ahead
    assert has["pace_disagrees"][on_track_low | behind_high].all() and (on_track_low | behind_high).any()
    stand_ins = {alt for alt, _ in indicators.STAND_INS.values()}
    assert has["stand_in"][a["definition_code"].isin(stand_ins)].all()
    assert has["counter_trend"].sum() >= 3 and has["stand_in"].sum() >= 3 and has["borrowed_pace"].sum() >= 10
    for r in a[has["counter_trend"] | has["pace_disagrees"] | has["stand_in"]].to_dict("records"):
        said = sentences.explanations(pd.DataFrame([r]), "vi")
        name = text.indicator_name(r["indicator"], "vi")
        assert said and all(name in s for s in said), (r["province"], r["indicator"], r["year"])
        joined = " ".join(said)
        if r["rate_unit"] == "pp" and "counter_trend" in r["reason_codes"]:
            assert "điểm phần trăm/năm" in joined  # a change of a percentage is in points
        if "counter_trend" in r["reason_codes"]:
            assert "dự báo trung vị" in joined and str(int(r["year"])) in joined
    # Hà Nam's DOH beds fell to 2016; from 2017 they follow the national all-facility pace: said,
    # and the 80 % interval covers the own trend's path too
    beds = a[(a["province"] == "Hà Nam") & (a["indicator"] == "beds_per_10k") & (a["year"] == 2025)].iloc[0]
    assert {"counter_trend", "borrowed_pace"} <= set(beds["reason_codes"].split(";"))
    assert beds["carrier_from_year"] == 2017 and beds["carrier_definition"] == "other"
    # the own trend continued over the years the national pace replaced it, at most five
    years = min(2025 - beds["latest_year"], forecast_engine.OWN_TREND_YEARS)
    own_path = beds["latest_value"] * (1 + beds["rate_observed"] / 100) ** years
    assert beds["q10"] <= own_path * (1 + 1e-9) and own_path <= beds["q90"]
    (said,) = [s for s in sentences.explanations(pd.DataFrame([beds]), "vi") if "từ năm 2017" in s]
    assert "cả nước" in said and "khác định nghĩa của tỉnh" in said


def test_a_scorecard_row_points_to_its_explanation_exactly_when_the_brief_writes_one(assessed):
    """The pharmacists' rows (held_shift) had their sentence under "Giải thích" but no "xem giải
    thích" on the scorecard: the row's pointer and the sentences now agree on every row of the run."""
    a, _ = assessed
    for r in a.to_dict("records"):
        row = pd.DataFrame([r])
        points = bool(html.scorecard_frame(row, "vi")["why"].iloc[0])
        assert points == bool(sentences.explanations(row, "vi")), (
            r["province"],
            r["indicator"],
            r["reason_codes"],
        )


def test_the_common_trend_is_given_as_the_reason_only_where_it_is_on_the_medians_side(assessed):
    """Hà Nam / Lâm Đồng / Lào Cai pharmacists grew 25.8 / 23.8 / 35.2 %/yr and the provinces about
    15 %/yr. The ensemble's members for the indicator are level models; the intercept correction
    (forecast.engine.calibrate.common_drift) carries the provinces' common rise, so the median
    now rises with the observed trend and the rows are no longer counter-trend."""
    a, _ = assessed
    ph = a[a["province"].isin(["Hà Nam", "Lâm Đồng", "Lào Cai"]) & (a["indicator"] == "pharmacists_per_10k")]
    assert len(ph) >= 5
    for r in ph.to_dict("records"):
        assert r["rate_observed"] > 20  # the province grew
        assert r["q50"] > 1.5 * r["latest_value"] and r["forecast_rate"] > 3, (r["province"], r["year"])
        assert "counter_trend" not in str(r["reason_codes"])
        # it rises for five years after the last observation, then holds: said, with the years
        assert "held_shift" in str(r["reason_codes"]) and r["shift_until_year"] == r["latest_year"] + 5
        (said,) = [s for s in sentences.explanations(pd.DataFrame([r]), "vi") if "giữ ở mức" in s]
        assert f"sau năm {r['latest_year']}" in said and f"đến năm {r['shift_until_year']}" in said
        assert "tăng" in said and "%/năm" in said and r["shift_rate"] > 3
    # one sentence per province's series, whatever the number of its target years
    said = [s for s in sentences.explanations(ph, "vi") if "giữ ở mức" in s]
    assert len(said) == ph["province"].nunique()
    leans = text.t("why_panel_trend", "vi", verb="", rate="").split("{")[0][:40]
    rows = a[a["reason_codes"].fillna("").str.contains("counter_trend") & a["panel_trend"].notna()]
    for r in rows.to_dict("records"):
        joined = " ".join(sentences.explanations(pd.DataFrame([r]), "vi"))
        if leans in joined:  # said only where the common trend points the median's way
            still = reasons.STILL[r["rate_unit"]]
            flat = abs(r["forecast_rate"]) < still
            assert (flat and abs(r["panel_trend"]) < still) or (
                not flat and np.sign(r["panel_trend"]) == np.sign(r["forecast_rate"])
            ), (r["province"], r["indicator"], r["year"])


def test_every_stand_in_has_a_reason_code_and_a_vietnamese_sentence_with_numbers(default_run, assessed):
    """A regional or national series read for a province, or a national target standing in for
    the province's own: a code in the table and a sentence with the numbers in the brief."""
    a, _ = assessed
    scored = a[a["verdict"] != "no_data"]
    codes = scored["reason_codes"].fillna("").str.split(";")
    borrowed = scored[scored["basis"].isin(["national", "regional"])]
    assert len(borrowed) >= 10 and codes[borrowed.index].map(lambda c: "no_own_data" in c).all()
    national = scored[
        (scored["plan_id"] == national_registry.PLAN_ID)
        & np.isclose(scored["value"], scored["national_target"].astype(float))
    ]
    flagged = codes.map(lambda c: "national_comparator" in c)
    assert len(national) >= 5 and flagged[national.index].all() and flagged.sum() == len(national)
    dongnai = scored[(scored["province"] == "Đồng Nai") & (scored["indicator"] == "bhyt_coverage")]
    assert len(dongnai) and not flagged[dongnai.index].any()  # its own published 96 % is no stand-in
    for r in pd.concat([borrowed, national]).to_dict("records"):
        said = " ".join(sentences.explanations(pd.DataFrame([r]), "vi"))
        d = text.target_digits(r["value"], r["value_high"])
        assert text.indicator_name(r["indicator"], "vi") in said and f"({int(r['year'])})" in said
        if "no_own_data" in r["reason_codes"]:
            latest = text.fmt_value(r["latest_value"], r["unit"], "vi", d)
            assert (
                f"{int(r['latest_year'])}: {latest}" in said and text.fmt_percent(r["p_attain"], "vi") in said
            )
            assert "chỉ để tham khảo" in said
        if "national_comparator" in r["reason_codes"]:
            target = text.fmt_value(r["national_target"], r["unit"], "vi", d)
            assert (
                f"mục tiêu quốc gia {target} ({text.t('act_short.' + r['national_target_act'], 'vi')}" in said
            )
        assert str(r["national_target_source"] or "Decision") not in said  # the act in Vietnamese, no English
    # the brief says them under its explanations
    run, obs, _ = default_run
    view = views.province_view(run, obs, None, "Ninh Bình (mới)")
    page = views.scorecard_section(view, "vi")
    assert text.t("why_heading", "vi") in page and "tỉnh chưa đặt mục tiêu riêng" in page


def test_no_forecast_interval_has_zero_width(assessed):
    a, _ = assessed
    fc = a[(a["timing"] != "observed") & a["q50"].notna()]
    assert len(fc) >= 60
    narrow = fc[~(fc["q90"] > fc["q10"]) | ~(fc["q975"] > fc["q025"])]
    assert narrow.empty, narrow[["province", "indicator", "year", "q10", "q90"]].head().to_dict("records")


def test_national_comparators_are_named_of_the_same_year_and_marked_when_defined_otherwise(assessed):
    a, _ = assessed
    shown = a[a["national_target"].notna()]
    assert (shown["national_target_year"] == shown["year"]).all()  # never another year's target
    assert (shown["national_target_act"] != "").all()
    bhyt_2030 = a[(a["indicator"] == "bhyt_coverage") & (a["year"] == 2030)]
    assert len(bhyt_2030) and bhyt_2030["national_target"].isna().all()
    doctors = a[
        (a["province"] == "Hà Nam") & (a["indicator"] == "doctors_per_10k") & (a["year"] == 2025)
    ].iloc[0]
    assert (doctors["national_target"], doctors["national_target_act"]) == (10.0, "resolution_20")
    assert doctors["national_target_definition"] == "other"  # DOH-only series, all-facility target
    cell = html.national_target_text(doctors, "vi")
    assert cell.startswith("10,0") and "NQ 20-NQ/TW" in cell and "khác định nghĩa" in cell
    caveats = sentences.caveats(pd.DataFrame(), a[a["province"] == "Hà Nam"], "vi")
    assert any(text.t("act_name.resolution_20", "vi") in c for c in caveats)
    # Đồng Nai has no numeric plan: its own published 96 % BHYT target, and its headline says so
    dongnai = a[a["province"] == "Đồng Nai"]
    assert dongnai.loc[
        (dongnai["indicator"] == "bhyt_coverage") & (dongnai["year"] == 2025), "value"
    ].tolist() == [96.0]
    page = headline.headline_html(dongnai, "Đồng Nai", 2026, "vi")
    assert text.t("headline_national_plan", "vi", province="Đồng Nai") in page


def test_the_deep_dives_ensemble_row_is_the_scorecards_forecast(default_run):
    run, obs, _ = default_run
    checked = carried = 0
    for province in ("Hà Nam", "Lâm Đồng", "Lào Cai"):
        view = views.province_view(run, obs, None, province)
        for code in dict.fromkeys(view.assessments.loc[view.assessments["series"] != "", "indicator"]):
            dive = views.deep_dive_view(view, code)
            mf = run.model_forecasts
            mf = mf[(mf["geo"] == dive.geo) & (mf["indicator"] == dive.series)]
            _, fc = dive.as_assessed(mf)
            table = views.model_table(fc, dive.targets, "vi")
            for r in dive.targets[dive.targets["timing"] != "observed"].to_dict("records"):
                if pd.isna(r["q50"]):
                    continue
                d = text.target_digits(*dive.targets["value"])
                assert table.loc["ensemble", int(r["year"])] == html.forecast_text(r, r["unit"], "vi", d), (
                    province,
                    code,
                    r["year"],
                )
                checked += 1
            carried += len(dive.anchors) > 0
    assert checked >= 30 and carried >= 3  # life expectancy, Lâm Đồng's BHYT and stunting are carried


def test_suggestions_only_for_planned_indicators_on_own_data_at_a_plausible_pace(default_run):
    run, obs, _ = default_run
    plan = registry.load_targets()
    for province in ("Hà Nam", "Lâm Đồng", "Lào Cai", "Đồng Nai"):
        view = views.province_view(run, obs, plan, province)
        planned = suggest.planned_indicators(view.plan)
        frame = suggest.suggest_targets(view.forecasts, view.observations, province, 2030, planned=planned)
        assert set(frame["indicator"]) <= planned and (frame["basis"] == "own").all(), province
    hanam = views.province_view(run, obs, plan, "Hà Nam")
    frame = suggest.suggest_targets(
        hanam.forecasts, hanam.observations, "Hà Nam", 2030, planned=suggest.planned_indicators(hanam.plan)
    )
    assert not {"srb", "natural_pop_growth", "pop_growth"} & set(frame["indicator"])  # nobody asked


def test_papi_is_context_never_a_verdict_on_a_satisfaction_target(assessed):
    a, obs = assessed
    assert (obs["indicator"] == "papi_public_health_score").sum() > 800  # imported by default
    assert not (a["series"] == "papi_public_health_score").any()
    satisfaction = a[a["indicator"] == "satisfaction"]
    assert len(satisfaction) and (satisfaction["verdict"] == "no_data").all()
