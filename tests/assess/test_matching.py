"""Which series answers a target: the definition the plan states, else the catalogue's."""

from __future__ import annotations

import pandas as pd

from forecast.assess import matching


def rows(codes: dict[str, list[int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"indicator": c, "year": y, "value": 1.0, "definition": ""}
            for c, years in codes.items()
            for y in years
        ]
    )


HANAM = "Excludes central-level (Ministry of Health) hospitals located in the province."
LAMDONG = "The plan does not say whether beds/staff of central-level hospitals are included or excluded."


def test_plan_definition_picks_the_variant():
    cands = rows({"doctors_per_10k": [2017, 2018], "doctors_per_10k_dohs": list(range(2002, 2017))})
    assert matching.choose_series(cands, "doctors_per_10k", HANAM) == "doctors_per_10k_dohs"
    # a note that leaves the definition open states nothing: the catalogue (all facilities) wins
    assert matching.choose_series(cands, "doctors_per_10k", LAMDONG) == "doctors_per_10k"
    assert matching.choose_series(cands, "doctors_per_10k", "") == "doctors_per_10k"


def test_the_reason_says_which_definition():
    cands = rows({"beds_per_10k": [2017, 2018], "beds_per_10k_dohs": [2015, 2016]})
    said = matching.definition_note(cands, "beds_per_10k_dohs", "beds_per_10k", HANAM)
    assert said.startswith("beds_per_10k_dohs is used") and "the plan states" in said
    said = matching.definition_note(cands, "beds_per_10k", "beds_per_10k", LAMDONG)
    assert "also held: beds_per_10k_dohs" in said
    assert matching.definition_note(rows({"imr": [2015]}), "imr", "imr", "") == ""


def _series(geo: str, code: str, years) -> pd.DataFrame:
    return pd.DataFrame(
        {"geo": geo, "indicator": code, "year": list(years), "value": 80.0, "definition": ""}
    ).assign(source="GSO yearbook")


REGION = "Vùng Đồng bằng sông Hồng"


def test_the_fallback_chain_is_own_then_regional_then_national_then_nothing():
    target = {"province": "Hà Nam", "indicator": "bhyt_coverage", "note": ""}
    layers = {
        "Hà Nam": _series("Hà Nam", "bhyt_coverage", range(2015, 2021)),
        REGION: _series(REGION, "bhyt_coverage", range(2015, 2021)),
        "Việt Nam": _series("Việt Nam", "bhyt_coverage", range(2010, 2024)),
    }
    expected = [
        ("Hà Nam", "own", ""),
        (REGION, "regional", "regional_only"),  # no province has a GSO series of it any more
        ("Việt Nam", "national", "national_context"),
    ]
    for geo_name, basis, borrowed in expected:
        groups = {(g, "bhyt_coverage"): df for g, df in layers.items()}
        choice = matching.choose(target, groups)
        assert choice.tier == ("verdict" if basis == "own" else "indicative")
        assert (choice.geo, choice.basis, choice.borrowed, choice.series) == (
            geo_name,
            basis,
            borrowed,
            "bhyt_coverage",
        )
        assert choice.proxy == (basis != "own")
        del layers[geo_name]  # the next link of the chain answers once this one is gone
    nothing = matching.choose(target, {})
    assert (
        nothing.series == "" and nothing.basis == "" and "no provincial, regional or national" in nothing.note
    )


def test_a_few_own_points_are_the_anchor_a_borrowed_series_only_carries_them():
    target = {"province": "Hà Nam", "indicator": "bhyt_coverage", "note": ""}
    groups = {
        ("Hà Nam", "bhyt_coverage"): _series("Hà Nam", "bhyt_coverage", [2020]),
        ("Việt Nam", "bhyt_coverage"): _series("Việt Nam", "bhyt_coverage", range(2010, 2024)),
    }
    choice = matching.choose(target, groups)
    assert (choice.basis, choice.tier, choice.geo) == ("own", "verdict", "Việt Nam")
    assert choice.anchor == "bhyt_coverage" and choice.anchor_geo == "Hà Nam" and choice.carried
    # a one-year regional series gives way to the nation's trend at the region's level: indicative
    groups = {
        (REGION, "bhyt_coverage"): _series(REGION, "bhyt_coverage", [2018]),
        ("Việt Nam", "bhyt_coverage"): _series("Việt Nam", "bhyt_coverage", range(2010, 2024)),
    }
    choice = matching.choose(target, groups)
    assert (choice.basis, choice.borrowed, choice.anchor_geo) == ("national", "national_short_region", REGION)
    assert choice.tier == "indicative" and not choice.carried


def test_a_low_confidence_point_cannot_move_a_series_alone():
    target = {"province": "Lào Cai", "indicator": "stunting_u5", "note": ""}
    thesis = _series("Lào Cai", "stunting_u5", [2018]).assign(quality="low_confidence")
    groups = {
        ("Lào Cai", "stunting_u5"): thesis,
        ("Việt Nam", "stunting_u5"): _series("Việt Nam", "stunting_u5", range(2010, 2024)),
    }
    choice = matching.choose(target, groups)
    assert (choice.basis, choice.tier, choice.anchor) == ("national", "indicative", "")
    # beside a point of better quality it counts no more: the better point anchors
    both = pd.concat([thesis, _series("Lào Cai", "stunting_u5", [2015]).assign(quality="")])
    choice = matching.choose(target, {**groups, ("Lào Cai", "stunting_u5"): both})
    assert (choice.basis, choice.tier, choice.anchor) == ("own", "verdict", "stunting_u5")


def test_the_plans_own_definition_anchors_before_a_long_series_of_another():
    target = {"province": "Hà Nam", "indicator": "doctors_per_10k", "note": HANAM}
    groups = {
        ("Hà Nam", "doctors_per_10k"): rows(
            {"doctors_per_10k": list(range(2002, 2017)), "doctors_per_10k_dohs": [2017, 2018]}
        ).assign(geo="Hà Nam"),
    }
    choice = matching.choose(target, groups)
    assert (choice.basis, choice.tier, choice.anchor, choice.series) == (
        "own",
        "verdict",
        "doctors_per_10k_dohs",
        "doctors_per_10k",
    )
    assert choice.borrowed == "own_other_definition" and choice.definition_code == "_dohs"


def test_stand_ins_are_indicative():
    target = {"province": "Hà Nam", "indicator": "epi_coverage", "note": ""}
    groups = {
        ("Hà Nam", "full_immunization_u1"): _series("Hà Nam", "full_immunization_u1", range(2010, 2017))
    }
    choice = matching.choose(target, groups)
    assert (choice.basis, choice.tier, choice.definition_code) == (
        "own",
        "indicative",
        "full_immunization_u1",
    )


def test_definition_codes():
    assert matching.definition_code("beds_per_10k") == ""
    assert matching.definition_code("beds_per_10k_dohs", "beds_per_10k") == "_dohs"
    assert matching.definition_code("imr_moh", "imr") == "_moh"
    assert matching.definition_code("full_immunization_u1", "epi_coverage") == "full_immunization_u1"
    assert matching.definition_code("nurses_midwives_per_10k", "nurses_per_10k") == "nurses_midwives_per_10k"
