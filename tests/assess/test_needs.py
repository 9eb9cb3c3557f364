"""The data a province must supply: indicative and unanswered targets, the years to fill."""

from __future__ import annotations

from forecast.assess import needs


def test_needs_list_every_indicative_or_unanswered_indicator_of_ha_nam(default_run):
    run, obs, _ = default_run
    a = run.assessments[(run.assessments["province"] == "Hà Nam") & (run.assessments["kind"] == "outcome")]
    need = needs.data_needs(a, obs, 2026)
    missing = a[(a["tier"] == "indicative") | a["verdict"].isin(["no_data", "insufficient_data"])]
    assert set(need["indicator"]) == set(missing["indicator"])
    assert (need["year_to"] == 2025).all() and (need["year_from"] <= need["year_to"]).all()
    verdicts = a[a["tier"] == "verdict"]
    assert not set(verdicts["indicator"]) - set(missing["indicator"]) & set(need["indicator"])
    satisfaction = need[need["indicator"] == "satisfaction"].iloc[0]
    assert satisfaction["why"] == "no_data" and satisfaction["year_from"] == 2026 - needs.RECENT_YEARS
    assert satisfaction["target_years"] == "2025, 2030"


def test_a_province_with_every_verdict_on_its_own_data_needs_nothing(default_run):
    run, obs, _ = default_run
    a = run.assessments[run.assessments["province"] == "Hà Nam"]
    own = a[(a["tier"] == "verdict") & ~a["verdict"].isin(["no_data", "insufficient_data"])]
    assert len(own) and needs.data_needs(own, obs, 2026).empty
