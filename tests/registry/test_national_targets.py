"""National targets: one per indicator and year, the legal act first; never observations."""

from __future__ import annotations

import pandas as pd
import pytest

from forecast.registry import national_targets as nt


def test_the_published_file_gives_decision_546_for_bhyt_and_the_nutrition_target():
    national = nt.load_national_targets()
    if national.empty:
        pytest.skip("shared data not available")
    got = national.set_index(["indicator", "year"])
    assert got.loc[("bhyt_coverage", 2025), "value"] == 95.15  # Decision 546, not the 95 of a newspaper
    assert "546" in got.loc[("bhyt_coverage", 2025), "source"]
    assert got.loc[("stunting_u5", 2025), "value"] == 17.0
    assert got.loc[("beds_per_10k", 2025), "value"] == 33.0  # master plan, not Resolution 20's 30
    assert got.loc[("doctors_per_10k", 2025), "value"] == 15.0  # the superseded 10 loses
    assert not national.duplicated(["indicator", "year"]).any()


def test_only_the_target_years_own_national_target_and_missing_indicator():
    national = pd.DataFrame(
        {
            "indicator": ["x", "x"],
            "year": [2025, 2030],
            "value": [1.0, 2.0],
            "unit": "",
            "source": ["a", "b"],
            "note": "",
        }
    )
    assert nt.national_target_for(national, "x", 2030)["national_target"] == 2.0
    for year in (2024, 2028):  # never another year's target (BHYT 2030 beside the 2025 one)
        assert pd.isna(nt.national_target_for(national, "x", year)["national_target"])
    none = nt.national_target_for(national, "y", 2030)
    assert pd.isna(none["national_target"]) and none["national_target_source"] == ""


def test_the_act_a_plan_implements_comes_first_and_each_target_names_its_act():
    every = nt.load_national_targets(every=True)
    if every.empty:
        pytest.skip("shared data not available")
    doctors = every[(every["indicator"] == "doctors_per_10k") & (every["year"] == 2025)]
    assert set(doctors["act"]) == {"master_plan", "resolution_20"}
    # Hà Nam's plan implements Resolution 20 (10 doctors), a province without a plan the master plan (15)
    hanam = nt.national_target_for(every, "doctors_per_10k", 2025, "hanam-907-2018")
    assert (hanam["national_target"], hanam["national_target_act"]) == (10.0, "resolution_20")
    other = nt.national_target_for(every, "doctors_per_10k", 2025, nt.PLAN_ID)
    assert (other["national_target"], other["national_target_act"]) == (15.0, "master_plan")
    bhyt = nt.national_target_for(every, "bhyt_coverage", 2025, "lamdong-50kh-2018")
    assert (bhyt["national_target"], bhyt["national_target_act"]) == (95.15, "decision_546")
    assert (
        nt.act_of("Global Nutrition Report", "National Nutrition Strategy 2021-2030") == "nutrition_strategy"
    )


def test_missing_file_gives_an_empty_frame(tmp_path):
    assert nt.load_national_targets(tmp_path / "absent.csv").empty


def test_national_plan_compares_in_the_indicators_direction():
    national = pd.DataFrame(
        {
            "indicator": ["bhyt_coverage", "stunting_u5", "bhyt_coverage"],
            "year": [2025, 2025, 2020],
            "value": [95.15, 17.0, 90.7],
            "unit": "percent",
            "source": "s",
            "note": "",
        }
    )
    plan = nt.national_plan(["Ninh Bình (mới)"], national)
    assert list(plan["comparator"]) == [">=", "<="] and set(plan["year"]) == {2025}
    assert (plan["plan_id"] == nt.PLAN_ID).all() and (plan["kind"] == "outcome").all()


def test_a_province_without_a_plan_is_measured_on_its_own_published_target_first():
    if nt.load_national_targets().empty:
        pytest.skip("shared data not available")
    plan = nt.national_plan(["Đồng Nai"])
    bhyt = plan[(plan["indicator"] == "bhyt_coverage") & (plan["year"] == 2025)]
    assert bhyt["value"].tolist() == [96.0]  # Báo Đồng Nai: the province's own 96 %, not the nation's 95.15
    assert "Đồng Nai" in bhyt["quote"].iloc[0] and "published target" in bhyt["note"].iloc[0]
