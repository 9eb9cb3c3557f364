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


def test_nearest_year_and_missing_indicator():
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
    assert nt.national_target_for(national, "x", 2024)["national_target_year"] == 2025
    assert nt.national_target_for(national, "x", 2028)["national_target_year"] == 2030  # closer
    none = nt.national_target_for(national, "y", 2030)
    assert pd.isna(none["national_target"]) and none["national_target_source"] == ""


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
    plan = nt.national_plan(["Đồng Nai"], national)
    assert list(plan["comparator"]) == [">=", "<="] and set(plan["year"]) == {2025}
    assert (plan["plan_id"] == nt.PLAN_ID).all() and (plan["kind"] == "outcome").all()
