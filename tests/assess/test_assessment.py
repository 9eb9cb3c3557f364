"""Target assessment on hand-made frames whose answers are computed by hand."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from forecast import config
from forecast.assess import assessment

GEO = "Hà Nam"
NATIONAL = pd.DataFrame(
    {
        "indicator": ["bhyt_coverage", "stunting_u5"],
        "year": [2025, 2025],
        "value": [95.15, 17.0],
        "unit": ["percent", "percent"],
        "source": ["Prime Minister Decision 546/QĐ-TTg", "National Nutrition Strategy"],
        "note": ["", ""],
    }
)
YEARS = list(range(2011, 2017))  # six observations, 2011-2016
SPREAD = np.array([0.80, 0.84, 0.88, 0.94, 1.0, 1.06, 1.12, 1.16, 1.20])  # q025 … q975 / q50


def _target(**kw) -> dict:
    row = {
        "plan_id": "HN-2021",
        "province": GEO,
        "indicator": "stunting_u5",
        "year": 2030,
        "comparator": "<=",
        "value": 10.0,
        "value_high": math.nan,
        "unit": "percent",
        "kind": "outcome",
        "quote": "",
        "note": "",
        "line": 2,
    }
    return {**row, **kw}


def _targets(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def _obs(values, indicator="stunting_u5", years=YEARS, geo=GEO) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "geo": geo,
            "indicator": indicator,
            "year": list(years),
            "value": [float(v) for v in values],
            "unit": "percent",
            "source": "test",
            "import_id": "t1",
        }
    )


def _fc(q50_by_year: dict, indicator="stunting_u5", status="ok", reason="", geo=GEO) -> pd.DataFrame:
    rows = []
    for year, q50 in q50_by_year.items():
        qs = dict(zip(config.QUANTILE_COLUMNS, q50 * SPREAD))
        rows.append(
            {
                "geo": geo,
                "indicator": indicator,
                "model": "ensemble",
                "year": year,
                "mean": q50,
                **qs,
                "status": status,
                "reason": reason,
            }
        )
    return pd.DataFrame(rows)


def _falling(rate=-0.05, start=40.0) -> list[float]:
    return [start * (1 + rate) ** i for i in range(len(YEARS))]


def test_hand_computed_acceleration_needed():
    obs = _falling()  # -5 % a year, latest 2016
    target = obs[-1] * 0.92**14  # needs -8 % a year to 2030
    path = {y: obs[-1] * 0.95 ** (y - 2016) for y in range(2017, 2036)}
    q50_2030 = path[2030] = target / 0.91  # puts the target between q10 and q25 in 2030
    assert q50_2030 * SPREAD[2] < target < q50_2030 * SPREAD[3]
    out = assessment.assess_targets(_targets(_target(value=target)), _obs(obs), _fc(path), "2026Q4")
    r = out.iloc[0]
    assert r.rate_observed == pytest.approx(-5.0, abs=1e-6)
    assert r.rate_unit == "pct" and r.rate_from_year == 2012 and r.rate_points == 5
    # required from the 2026 nowcast (the report's year), not from the 2016 observation
    assert r.required_from_year == 2026 and r.required_from_value == pytest.approx(path[2026])
    required = 100 * ((target / path[2026]) ** (1 / 4) - 1)
    assert r.rate_required == pytest.approx(required, abs=1e-6)
    assert r.ratio == pytest.approx(-5.0 / required, abs=1e-6)
    assert r.pace == "limited_progress"
    assert 0.10 < r.p_attain < 0.25 and r.verdict == "very_unlikely"
    assert r.timing == "forecast" and r.basis == "own" and r.latest_year == 2016 and r.data_age == 10
    assert r.latest_value == pytest.approx(obs[-1])
    assert r.q50 == pytest.approx(q50_2030)
    assert pd.isna(r.expected_year)  # the q50 path stays above the target up to 2035
    assert r.series == "stunting_u5" and r.definition == "" and r.status == "ok"


def test_columns_and_types_follow_the_contract():
    out = assessment.assess_targets(_targets(_target()), _obs(_falling()), _fc({2030: 20.0}), "2026Q4")
    assert list(out.columns) == assessment.COLUMNS
    assert str(out["expected_year"].dtype) == "Int64" and str(out["latest_year"].dtype) == "Int64"
    assert set(out["verdict"]) <= set(assessment.VERDICTS)


def test_empty_registry_gives_an_empty_frame_with_the_columns():
    out = assessment.assess_targets(
        _targets(_target(kind="activity")), _obs(_falling()), pd.DataFrame(), "2026Q4"
    )
    assert out.empty and list(out.columns) == assessment.COLUMNS


def test_expected_year_is_first_year_the_median_path_meets_the_target():
    path = {y: 30.0 - 2 * (y - 2016) for y in range(2017, 2036)}  # 10 reached in 2026
    out = assessment.assess_targets(_targets(_target()), _obs(_falling()), _fc(path), "2026Q4")
    assert out.loc[0, "expected_year"] == 2026


def test_met_early_is_not_achieved_before_the_target_year():
    obs = _falling()
    out = assessment.assess_targets(_targets(_target(value=35.0)), _obs(obs), _fc({2030: 20.0}), "2026Q4")
    r = out.iloc[0]
    assert r.verdict == "likely"  # met in 2014, but 2030 is not observed yet: the verdict follows P
    assert r.expected_year == 2014  # first year of the trailing run at or below 35
    assert r.p_attain > 0.9


def test_achieved_when_an_observation_at_the_target_year_meets_it():
    obs = _falling()
    out = assessment.assess_targets(_targets(_target(year=2015, value=35.0)), _obs(obs), _fc({}), "2026Q4")
    assert out.loc[0, "verdict"] == "achieved" and out.loc[0, "timing"] == "observed"


@pytest.mark.parametrize("p", [0.0, 0.1, 0.19, 0.2, 0.35, 0.5, 0.79, 0.8, 0.99, 1.0])
def test_verdicts_are_monotone_in_p(p):
    order = [v for _, v in assessment.VERDICT_CUTS][::-1]  # worst first
    lower = assessment.verdict_from_p(max(p - 0.05, 0.0))
    assert order.index(lower) <= order.index(assessment.verdict_from_p(p))


def test_deterioration_when_series_moves_away():
    rising = _falling(rate=0.03, start=20.0)
    out = assessment.assess_targets(_targets(_target()), _obs(rising), _fc({2030: 30.0}), "2026Q4")
    r = out.iloc[0]
    assert r.rate_observed == pytest.approx(3.0, abs=1e-6)
    assert r.ratio < 0 and r.pace == "deterioration" and r.verdict == "very_unlikely"
    assert r.p_attain == pytest.approx(assessment.P_TAIL)  # target far below q025


def test_higher_is_better_on_track():
    obs = [50 * 1.04**i for i in range(6)]
    target = obs[-1] * 1.03**14  # needs 3 %/year, observed 4 %/year
    t = _target(indicator="doctors_per_10k", comparator=">=", value=target, unit="per_10k")
    out = assessment.assess_targets(
        _targets(t), _obs(obs, "doctors_per_10k"), _fc({}, "doctors_per_10k"), "2026Q4"
    )
    r = out.iloc[0]
    assert r.ratio == pytest.approx(4 / 3, rel=1e-6) and r.pace == "on_track"
    assert r.verdict == "insufficient_data"  # no forecast: no probability, whatever the pace
    assert math.isnan(r.p_attain) and "no forecast" in r.reason


def test_no_data_reason_names_indicator_and_province():
    t = _target(indicator="bhyt_coverage")
    out = assessment.assess_targets(_targets(t), _obs(_falling()), _fc({2030: 20.0}), "2026Q4")
    r = out.iloc[0]
    assert r.verdict == "no_data"
    assert r.reason.startswith("no provincial, regional or national series for bhyt_coverage in Hà Nam")
    assert r.timing == "forecast" and pd.isna(r.latest_year) and math.isnan(r.p_attain)


def test_short_series_is_insufficient_data_with_status_carried():
    obs = _obs([30.0, 29.0], years=[2015, 2016])
    fc = _fc({2030: 29.0}, status="too_short", reason="2 observation(s), fewer than 3")
    out = assessment.assess_targets(_targets(_target()), obs, fc, "2026Q4")
    r = out.iloc[0]
    assert r.verdict == "insufficient_data" and r.status == "too_short" and math.isnan(r.p_attain)
    assert "fewer than 3" in r.reason


def test_single_observation_never_crashes():
    out = assessment.assess_targets(_targets(_target()), _obs([30.0], years=[2016]), _fc({}), "2026Q4")
    assert out.loc[0, "verdict"] == "insufficient_data"
    assert math.isnan(out.loc[0, "rate_observed"])


def test_range_target_is_assessed_on_its_lower_value():
    t = _target(indicator="doctors_per_10k", comparator=">=", value=12.0, value_high=14.0, unit="per_10k")
    obs = _obs([9, 10, 11, 12, 12.5, 13], "doctors_per_10k")
    t = {**t, "year": 2016}
    out = assessment.assess_targets(_targets(t), obs, _fc({}, "doctors_per_10k"), "2026Q4")
    assert out.loc[0, "verdict"] == "achieved" and out.loc[0, "value_high"] == 14.0


@pytest.mark.parametrize(
    "year,timing", [(2016, "observed"), (2025, "nowcast"), (2026, "nowcast"), (2027, "forecast")]
)
def test_timing_observed_nowcast_forecast(year, timing):
    path = {y: 20.0 for y in range(2017, 2036)}
    out = assessment.assess_targets(
        _targets(_target(year=year, value=25.0)), _obs(_falling()), _fc(path), "2026Q4"
    )
    assert out.loc[0, "timing"] == timing


def test_observed_basis_gives_probability_zero_or_one():
    obs = _falling()  # 2014 value 40 * 0.95**3 = 34.3
    met = _target(year=2014, value=35.0, plan_id="a")
    missed = _target(year=2014, value=20.0, plan_id="b")
    out = assessment.assess_targets(_targets(met, missed), _obs(obs), _fc({}), "2026Q4")
    assert list(out["p_attain"]) == [1.0, 0.0]
    assert list(out["verdict"]) == ["achieved", "missed"]
    assert "passed without attainment" in out.loc[1, "reason"]


def test_variant_series_used_and_named_when_note_mentions_central_hospitals():
    t = _target(
        indicator="beds_per_10k",
        comparator=">=",
        value=40.0,
        unit="per_10k",
        note="excluding central hospitals (trung ương)",
    )
    obs = pd.concat(
        [
            _obs([20, 21, 22, 23, 24, 25], "beds_per_10k_dohs"),
            _obs([30, 31], "beds_per_10k_gso", years=[2015, 2016]),
        ]
    )
    out = assessment.assess_targets(_targets(t), obs, _fc({}, "beds_per_10k_dohs"), "2026Q4")
    r = out.iloc[0]
    assert r.series == "beds_per_10k_dohs" and "provincial departments of health" in r.definition
    assert r.definition_code == "_dohs" and r.borrowed == ""


def test_exact_code_preferred_over_variant():
    t = _target(indicator="beds_per_10k", comparator=">=", value=40.0, unit="per_10k")
    obs = pd.concat(
        [
            _obs([20, 21, 22, 23, 24, 25], "beds_per_10k_dohs"),
            _obs([30, 31, 32], "beds_per_10k", years=[2014, 2015, 2016]),
        ]
    )
    out = assessment.assess_targets(_targets(t), obs, _fc({}), "2026Q4")
    assert out.loc[0, "series"] == "beds_per_10k" and out.loc[0, "definition"] == ""
    # too short to forecast (2 years), the exact code gives way to the province's longer variant
    short = pd.concat(
        [obs[obs["indicator"] != "beds_per_10k"], _obs([30, 31], "beds_per_10k", years=[2015, 2016])]
    )
    out = assessment.assess_targets(_targets(t), short, _fc({}), "2026Q4")
    assert out.loc[0, "series"] == "beds_per_10k_dohs" and out.loc[0, "basis"] == "own"


def test_only_outcome_targets_are_assessed_and_inputs_untouched():
    targets = _targets(_target(), _target(kind="activity", plan_id="x"))
    obs, fc = _obs(_falling()), _fc({2030: 20.0})
    before = obs.copy(), fc.copy(), targets.copy()
    out = assessment.assess_targets(targets, obs, fc, "2026Q4")
    assert len(out) == 1
    for a, b in zip(before, (obs, fc, targets)):
        pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("comparator,expected", [("<=", 0.175), (">=", 0.825)])
def test_probability_interpolates_the_cdf(comparator, expected):
    qs = [80, 84, 88, 94, 100, 106, 112, 116, 120]
    target = 91.0  # halfway between q10 (88) and q25 (94) on the identity scale
    assert assessment.attainment_probability(qs, comparator, target) == pytest.approx(expected)


def test_probability_of_a_flat_forecast():
    assert assessment.attainment_probability([90.0] * 9, ">=", 90.0) == pytest.approx(1 - assessment.P_TAIL)
    assert assessment.attainment_probability([90.0] * 9, ">", 90.0) == pytest.approx(assessment.P_TAIL)


def test_probability_on_the_logit_scale_keeps_the_skew():
    from forecast.engine import transforms

    qs = [80, 84, 88, 94, 97, 98, 98.5, 99, 99.5]
    logit = transforms.for_indicator("bhyt_coverage")
    p_logit = assessment.attainment_probability(qs, ">=", 95.5, logit)
    p_identity = assessment.attainment_probability(qs, ">=", 95.5)
    assert 0.5 < p_logit < 0.75 and 0.5 < p_identity < 0.75 and p_logit != p_identity


def test_probability_tails_and_missing_quantiles():
    qs = [80, 84, 88, 94, 100, 106, 112, 116, 120]
    assert assessment.attainment_probability(qs, ">=", 50) == pytest.approx(1 - assessment.P_TAIL)
    assert assessment.attainment_probability(qs, ">=", 150) == pytest.approx(assessment.P_TAIL)
    assert math.isnan(assessment.attainment_probability([math.nan] * 9, ">=", 50))


@pytest.mark.parametrize(
    "ratio,category",
    [
        (1.2, "on_track"),
        (0.95, "on_track"),
        (0.7, "acceleration_needed"),
        (0.3, "limited_progress"),
        (0.0, "limited_progress"),
        (-0.1, "deterioration"),
        (math.nan, ""),
    ],
)
def test_progress_category_thresholds(ratio, category):
    assert assessment.progress_category(ratio) == category


REGION = "Vùng Đồng bằng sông Hồng"  # Hà Nam's GSO region


def _life_expectancy(year=2030, value=76.0, province=GEO) -> dict:
    return _target(
        indicator="life_expectancy", comparator=">=", value=value, year=year, unit="years", province=province
    )


def test_regional_series_is_used_as_a_proxy_when_the_province_has_none():
    values = [73.0 + 0.2 * i for i in range(6)]  # 73.0 … 74.0, +0.27 %/year
    obs = pd.concat(
        [
            _obs(values, "life_expectancy", geo=REGION),
            _obs([70.0] * 6, "life_expectancy", geo="Việt Nam"),
            _obs(_falling(), geo=GEO),
        ]
    ).assign(source="GSO yearbook; choisy/gso")
    fc = _fc({y: 74.0 + 0.2 * (y - 2016) for y in range(2017, 2036)}, "life_expectancy", geo=REGION)
    out = assessment.assess_targets(_targets(_life_expectancy()), obs, fc, "2026Q4")
    r = out.iloc[0]
    assert r.geo == REGION and r.series == "life_expectancy" and r.basis == "regional"
    assert r.definition == (
        f"regional series ({REGION}) used as a proxy: GSO yearbook gives life "
        "expectancy at birth only for regions"
    )
    assert r.borrowed == "regional_only" and r.definition_code == "" and r.anchor_geo == ""
    assert r.reason.startswith(
        f"no provincial series for life_expectancy in Hà Nam: the regional series of {REGION} is used"
    )
    assert r.latest_value == pytest.approx(74.0) and r.q50 == pytest.approx(76.8)
    assert r.verdict in assessment.VERDICTS[:6] and r.verdict != "no_data"


def test_own_series_is_preferred_to_the_region():
    obs = pd.concat(
        [
            _obs([74.0, 74.3, 74.5], "life_expectancy", years=[2014, 2015, 2016]),
            _obs([73.0] * 6, "life_expectancy", geo=REGION),
        ]
    )
    out = assessment.assess_targets(_targets(_life_expectancy()), obs, _fc({}, "life_expectancy"), "2026Q4")
    assert out.loc[0, "geo"] == GEO and out.loc[0, "basis"] == "own"


def test_a_short_own_series_is_the_anchor_the_national_one_carries_it_forward():
    # Lâm Đồng's two published BHYT points (2020, 2023): its last one (90 in 2023) is its level,
    # the nation's series only carries it forward
    obs = pd.concat(
        [
            _obs([85.0, 90.0], "bhyt_coverage", years=[2020, 2023], geo="Lâm Đồng"),
            _obs(
                [84.0, 86.0, 88.0, 90.0, 91.5, 93.0], "bhyt_coverage", years=range(2018, 2024), geo="Việt Nam"
            ),
        ]
    )
    t = _target(indicator="bhyt_coverage", comparator=">=", value=95.0, year=2030, province="Lâm Đồng")
    fc = _fc(
        {y: min(93.0 + 0.5 * (y - 2023), 99.0) for y in range(2024, 2036)}, "bhyt_coverage", geo="Việt Nam"
    )
    r = assessment.assess_targets(_targets(t), obs, fc, "2026Q4", national=NATIONAL).iloc[0]
    assert (r.basis, r.tier, r.geo, r.anchor_geo) == ("own", "verdict", "Việt Nam", "Lâm Đồng")
    assert "carried from Lâm Đồng's own bhyt_coverage points" in r.reason
    assert (r.latest_value, r.latest_year) == (90.0, 2023)  # the province's own point, not the nation's
    assert r.gap == pytest.approx(-3.0)  # at the last own point: 90 - 93
    tr = assessment.transforms.for_indicator("bhyt_coverage")
    expected = tr.inverse(
        tr.forward(np.array(90.0)) + tr.forward(np.array(96.5)) - tr.forward(np.array(93.0))
    )
    assert r.q50 == pytest.approx(float(expected))
    assert r.q10 < r.q50 < r.q90  # the gap may drift: never a zero-width interval
    assert np.isnan(r.national_target)  # the 2025 national target is not a 2030 one


def test_a_target_year_the_carrier_has_observed_is_still_a_forecast_for_the_province():
    # Lào Cai's life expectancy: 69.0 (2017) and 69.1 (2018); its region is observed to 2024
    region = _obs([72.0 + 0.1 * i for i in range(8)], "life_expectancy", years=range(2017, 2025), geo=REGION)
    own = _obs([69.0, 69.1], "life_expectancy", years=[2017, 2018])
    t = _target(indicator="life_expectancy", comparator=">=", value=73.5, year=2024, unit="years")
    r = assessment.assess_targets(_targets(t), pd.concat([own, region]), _fc({}, "life_expectancy"), "2026Q4")
    r = r.iloc[0]
    assert (r.basis, r.tier, r.latest_value, r.latest_year) == ("own", "verdict", 69.1, 2018)
    assert r.timing == "nowcast" and r.q50 == pytest.approx(69.1 + 0.6)
    assert r.q90 - r.q10 > 0.5  # six years of gap drift (0.3 a sqrt year)
    assert r.verdict == "very_unlikely" and r.deadline_passed


def test_fallback_chain_own_then_region_then_nation_then_nothing():
    nation = _obs([20.0, 19.5, 19.0, 18.5, 18.0, 17.5], "stunting_u5", geo="Việt Nam")
    region = _obs([25.0, 24.0, 23.0, 22.0, 21.0, 20.0], "stunting_u5", geo=REGION)
    own = _obs([30.0, 29.0, 28.0, 27.0, 26.0, 25.0], "stunting_u5")
    t = _targets(_target())
    fcs = pd.concat([_fc({2030: 15.0}, geo=g) for g in (GEO, REGION, "Việt Nam")])

    def basis(*frames):
        r = assessment.assess_targets(t, pd.concat(frames), fcs, "2026Q4", national=NATIONAL).iloc[0]
        return r.basis, r.geo, r.verdict

    assert basis(own, region, nation)[:2] == ("own", GEO)
    assert basis(region, nation)[:2] == ("regional", REGION)
    assert basis(nation)[:2] == ("national", "Việt Nam")
    assert basis(_obs([5.0] * 6, "imr", geo="Việt Nam")) == ("", GEO, "no_data")


def test_full_immunisation_stands_in_for_epi_coverage_before_any_region():
    obs = pd.concat(
        [
            _obs([90.0, 91.0, 92.0, 93.0, 94.0, 95.0], "full_immunization_u1"),
            _obs([80.0] * 6, "full_immunization_u1", geo=REGION),
        ]
    )
    t = _target(indicator="epi_coverage", comparator=">=", value=96.0, year=2025)
    fc = _fc({y: 95.0 + 0.1 * (y - 2016) for y in range(2017, 2036)}, "full_immunization_u1")
    r = assessment.assess_targets(_targets(t), obs, fc, "2026Q4").iloc[0]
    assert r.geo == GEO and r.series == "full_immunization_u1" and r.basis != "regional"
    assert r.definition.startswith("children under 1 fully immunised with every EPI vaccine")
    assert r.reason.startswith("no series of epi_coverage in Hà Nam: full_immunization_u1 stands in")
    assert r.latest_value == pytest.approx(95.0) and r.verdict != "no_data"
    assert r.definition_code == "full_immunization_u1" and r.borrowed == "" and r.anchor_geo == ""
    # the province's own EPI series, where one exists, comes first
    own = pd.concat([obs, _obs([97.0] * 6, "epi_coverage")])
    r = assessment.assess_targets(_targets(t), own, _fc({2025: 97.0}, "epi_coverage"), "2026Q4").iloc[0]
    assert r.series == "epi_coverage" and r.definition == "" and r.definition_code == ""


def test_a_proxy_whose_province_has_provincial_peers_says_so():
    obs = pd.concat([_obs([20.0] * 6, "imr", geo=REGION), _obs([18.0] * 6, "imr", geo="Nam Định")])
    t = _target(indicator="imr", comparator="<=", value=10.0, unit="per_1000")
    r = assessment.assess_targets(_targets(t), obs, _fc({}, "imr", geo=REGION), "2026Q4").iloc[0]
    assert r.basis == "regional" and r.definition.endswith("the province has no series of its own")
    assert r.borrowed == "regional_no_own" and r.definition_code == "" and r.anchor_geo == ""


def test_national_only_indicator_is_assessed_on_the_national_basis_with_its_target():
    obs = pd.concat(
        [
            _obs([85, 87, 89, 90, 91, 92], "bhyt_coverage", geo="Việt Nam"),
            _obs([73.0] * 6, "life_expectancy", geo=REGION),
        ]
    )
    t = _target(indicator="bhyt_coverage", comparator=">=", value=97.0, year=2025)
    r = assessment.assess_targets(
        _targets(t), obs, _fc({2025: 93.0}, "bhyt_coverage", geo="Việt Nam"), "2026Q4", national=NATIONAL
    ).iloc[0]
    assert r.basis == "national" and r.geo == "Việt Nam" and r.series == "bhyt_coverage"
    assert r.verdict != "no_data" and not math.isnan(r.p_attain) and r.timing == "nowcast"
    assert r.definition.startswith("national series (Việt Nam) shown as context")
    assert r.borrowed == "national_context" and r.anchor_geo == ""
    assert r.national_target == 95.15 and "546" in r.national_target_source


def test_no_data_reason_lists_the_geos_that_hold_the_indicator():
    obs = pd.concat(
        [
            _obs([85.0, 90.0], "bhyt_coverage", years=[2020, 2023], geo=g)
            for g in ("Việt Nam", "Lâm Đồng", "Đồng Nai")
        ]
    )
    none = assessment.assess_targets(
        _targets(_target(indicator="obesity_adult")), obs, pd.DataFrame(), "2026Q4"
    ).iloc[0]
    assert none.reason.endswith("the public files hold no series of adult obesity for any geo")


def test_merged_province_data_are_mentioned_but_never_used():
    obs = pd.concat(
        [
            _obs([88.21], "bhyt_coverage", years=[2025], geo="Lào Cai (mới)"),
            _obs([90.0, 92.0], "bhyt_coverage", years=[2022, 2023], geo="Việt Nam"),
        ]
    )
    t = _target(indicator="bhyt_coverage", comparator=">=", value=95.0, year=2025, province="Lào Cai")
    r = assessment.assess_targets(
        _targets(t), obs, _fc({2026: 90.0}, "bhyt_coverage", geo="Lào Cai (mới)"), "2026Q4"
    ).iloc[0]
    assert r.basis == "national" and r.geo == "Việt Nam"  # never the merged province's data
    assert r.successor == "Lào Cai (mới)" and r.successor_data_year == 2025


def test_merged_province_data_older_than_the_own_series_are_not_mentioned():
    obs = pd.concat(
        [
            _obs([80.0, 85.0, 88.0], "bhyt_coverage", years=[2024, 2025, 2026], geo="Lào Cai"),
            _obs([88.21], "bhyt_coverage", years=[2025], geo="Lào Cai (mới)"),
        ]
    )
    t = _target(indicator="bhyt_coverage", comparator=">=", value=95.0, year=2030, province="Lào Cai")
    r = assessment.assess_targets(_targets(t), obs, _fc({}, "bhyt_coverage", geo="Lào Cai"), "2026Q4").iloc[0]
    assert r.geo == "Lào Cai" and r.successor == "Lào Cai (mới)" and pd.isna(r.successor_data_year)


def test_rate_windows_recover_a_known_rate():
    years = range(2007, 2017)
    obs = _obs([20 * 0.95 ** (y - 2007) for y in years], indicator="imr", years=years)
    rates = assessment.rate_windows(obs, range(2, 6), rate_required=-6.9)
    assert list(rates["window"]) == [2, 3, 4, 5]
    np.testing.assert_allclose(rates["rate"], -5.0, atol=1e-9)  # the series falls 5 % a year
    assert assessment.rate_windows(obs.iloc[0:0]).empty


def test_coverage_rates_are_in_percentage_points_a_year():
    obs = _obs([90.0, 91.0, 92.0, 93.0, 94.0, 95.0], "full_immunization_u1")
    path = {y: 95.0 + 0.2 * (y - 2016) for y in range(2017, 2036)}  # 97.0 in 2026
    t = _target(indicator="full_immunization_u1", comparator=">=", value=99.0, year=2030)
    r = assessment.assess_targets(_targets(t), obs, _fc(path, "full_immunization_u1"), "2026Q4").iloc[0]
    assert r.rate_unit == "pp" and r.rate_observed == pytest.approx(1.0)
    assert r.rate_required == pytest.approx((99.0 - 97.0) / 4)  # from the 2026 nowcast


def test_deadline_passed_not_observed_gives_the_probability_it_was_met():
    path = {y: 30.0 for y in range(2017, 2036)}
    out = assessment.assess_targets(
        _targets(_target(year=2025, value=32.0)), _obs(_falling()), _fc(path), "2026Q4"
    )
    r = out.iloc[0]
    assert r.timing == "nowcast" and r.verdict in ("likely", "possible", "unlikely", "very_unlikely")
    assert math.isnan(r.rate_required) and r.pace == "" and 0 < r.p_attain < 1
    assert "deadline 2025 passed, not yet observed" in r.reason


def test_a_rate_target_far_below_the_official_level_is_flagged_and_the_plans_series_used():
    # Hà Nam IMR: the plan's 5.0‰ against GSO's 11.8‰ in 2016 — probably another count
    obs = _obs([13.0, 12.8, 12.5, 12.2, 12.0, 11.8], "imr")
    t = _target(indicator="imr", comparator="<=", value=5.0, year=2025, unit="per_1000")
    fc = _fc({y: 11.0 for y in range(2017, 2036)}, "imr")
    r = assessment.assess_targets(_targets(t), obs, fc, "2026Q4", national=NATIONAL).iloc[0]
    assert r.definition_gap == pytest.approx(5.0 / 11.8) and r.series == "imr"
    near = assessment.assess_targets(_targets({**t, "value": 10.0}), obs, fc, "2026Q4", national=NATIONAL)
    assert math.isnan(near.iloc[0].definition_gap)
    # an imported series of the plan's own (health-sector) definition is used instead
    moh = _obs([6.0, 5.9, 5.8, 5.6, 5.5, 5.4], "imr_moh").assign(base_indicator="imr")
    fc_moh = _fc({y: 5.0 for y in range(2017, 2036)}, "imr_moh")
    r = assessment.assess_targets(
        _targets(t), pd.concat([obs, moh]), pd.concat([fc, fc_moh]), "2026Q4", national=NATIONAL
    ).iloc[0]
    assert r.series == "imr_moh" and r.definition.startswith("health-sector reporting")
    assert r.definition_code == "_moh"
    assert math.isnan(r.definition_gap) and r.latest_value == pytest.approx(5.4)


def test_a_one_year_regional_series_gives_way_to_the_national_one_shifted_by_its_gap():
    # Hà Nam has no stunting point; its region has one survey year (2018): the nation's trend
    # at the region's level answers, labelled national, with the national target beside it
    nation = _obs(
        [24.0, 23.5, 23.0, 22.5, 22.0, 21.5], "stunting_u5", years=range(2015, 2021), geo="Việt Nam"
    )
    region = _obs([20.0], "stunting_u5", years=[2018], geo=REGION)
    fc = _fc({y: 21.5 - 0.5 * (y - 2020) for y in range(2021, 2036)}, geo="Việt Nam")
    t = _target(year=2025, value=18.0)
    r = assessment.assess_targets(_targets(t), pd.concat([nation, region]), fc, "2026Q4", national=NATIONAL)
    r = r.iloc[0]
    assert r.basis == "national" and r.geo == "Việt Nam" and r.verdict != "insufficient_data"
    assert r.gap == pytest.approx(20.0 - 22.5) and not math.isnan(r.p_attain)
    assert f"the regional series of {REGION} is too short to forecast" in r.reason
    assert "carried from the regional stunting_u5 points" in r.reason and r.tier == "indicative"
    assert r.definition.startswith(
        f"national series (Việt Nam) shifted to the level of the regional series ({REGION})"
    )
    assert r.borrowed == "national_short_region" and r.anchor_geo == REGION
    assert r.national_target == 17.0
    # the province's own point, where one exists, anchors instead of the region's
    own = _obs([30.0], "stunting_u5", years=[2019], geo=GEO)
    r = assessment.assess_targets(_targets(t), pd.concat([nation, region, own]), fc, "2026Q4").iloc[0]
    assert (r.basis, r.tier) == ("own", "verdict") and r.gap == pytest.approx(30.0 - 22.0)
    assert f"carried from {GEO}'s own stunting_u5 points" in r.reason
    assert r.borrowed == "national_short_region" and r.anchor_geo == GEO
    # without a national series the short regional one is kept: too short to forecast
    short = _fc({2025: 20.0}, geo=REGION, status="too_short")
    r = assessment.assess_targets(_targets(t), region, short, "2026Q4").iloc[0]
    assert r.basis == "regional" and r.verdict == "insufficient_data"


def test_a_carried_forecast_widens_with_the_years_since_the_last_own_point():
    fc = _fc({y: 20.0 for y in range(2021, 2036)}, geo="Việt Nam")
    nation = _obs([20.0] * 6, "stunting_u5", years=range(2015, 2021), geo="Việt Nam")
    own = _obs([25.0], "stunting_u5", years=[2018])
    points, carried, gap = assessment.carry.carry_forward(own, nation, fc, "stunting_u5")
    assert gap == pytest.approx(5.0) and points["year"].tolist() == [2018]
    assert np.allclose(carried["q50"], 25.0)  # the nation is flat: the province keeps its level
    width = (carried["q975"] - carried["q025"]).to_numpy()
    assert (width > 0).all() and (np.diff(width) > 0).all()  # wider the further from 2018
    cols = list(config.QUANTILE_COLUMNS)
    assert (np.diff(carried[cols].to_numpy(), axis=1) >= 0).all()  # quantiles stay ordered
    tr = assessment.transforms.for_indicator("stunting_u5")
    z = float(NormalDist().inv_cdf(0.975))
    spread = (tr.forward(fc["q975"].to_numpy()) - tr.forward(fc["q50"].to_numpy())) / z
    last = tr.forward(np.array(25.0)) + z * np.sqrt(spread[-1] ** 2 + 0.08**2 * 17)
    assert carried["q975"].iloc[-1] == pytest.approx(float(tr.inverse(last)))
    # a low-confidence point carries nothing
    thesis = own.assign(quality="low_confidence")
    assert assessment.carry.carry_forward(thesis, nation, fc, "stunting_u5")[1] is None


def test_hygienic_water_of_the_region_stands_in_for_rural_clean_water_with_the_difference_said():
    obs = _obs([98.6, 99.5, 99.4], "households_hygienic_water", years=[2010, 2012, 2014], geo=REGION)
    fc = _fc({y: 99.4 for y in range(2015, 2036)}, "households_hygienic_water", geo=REGION)
    t = _target(indicator="rural_clean_water", comparator=">=", value=100.0, year=2020)
    r = assessment.assess_targets(_targets(t), obs, fc, "2026Q4").iloc[0]
    assert r.basis == "regional" and r.series == "households_hygienic_water" and r.geo == REGION
    assert "households_hygienic_water stands in for rural_clean_water" in r.reason
    assert "for rural_clean_water in Hà Nam" in r.reason
    assert "'nước sạch'), a stricter standard" in r.definition and not math.isnan(r.p_attain)
    assert r.definition_code == "households_hygienic_water" and r.borrowed == "regional_only"


@pytest.mark.parametrize(
    "indicator,unit",
    [
        ("bhyt_coverage", "pp"),  # coverage: percentage points a year
        ("imr", "pct"),  # mortality: relative rate (AARR)
        ("stunting_u5", "pct"),
        ("natural_pop_growth", "pp"),  # can be negative: change in points, never % of ~0
        ("cbr_decline", "abs"),  # can be negative, in per-mille points
    ],
)
def test_rate_unit_by_indicator(indicator, unit):
    assert assessment.rate_unit(indicator) == unit


def test_annual_rate_compound_linear_and_undefined():
    assert assessment.annual_rate(100, 121, 2, "pct") == pytest.approx(10.0)
    assert assessment.annual_rate(90, 96, 3, "pp") == pytest.approx(2.0)
    assert assessment.annual_rate(0.3, -0.2, 10, "abs") == pytest.approx(-0.05)
    assert math.isnan(assessment.annual_rate(90, 96, 0, "pp"))  # deadline passed
    assert math.isnan(assessment.annual_rate(0.0, 1.0, 5, "pct"))  # no relative rate from zero


def test_a_signed_indicator_near_zero_gets_a_rate_in_its_own_unit():
    years = np.arange(2015, 2021, dtype=float)
    values = np.array([0.9, 0.7, 0.5, 0.4, 0.3, 0.297])  # cbr_decline, per-mille points
    r = assessment._rates(years, values, 0.5, 2030, unit=assessment.rate_unit("cbr_decline"))
    assert r["rate_unit"] == "abs"
    keep = years > years[-1] - assessment.RATE_WINDOW
    assert r["rate_observed"] == pytest.approx(np.polyfit(years[keep], values[keep], 1)[0])
    assert r["rate_required"] == pytest.approx((0.5 - 0.297) / 10)
    assert abs(r["rate_observed"]) < 1  # not -85 % a year relative to 0.3
