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


def test_a_few_own_points_shift_the_borrowed_series_and_name_their_geo():
    target = {"province": "Hà Nam", "indicator": "bhyt_coverage", "note": ""}
    groups = {
        ("Hà Nam", "bhyt_coverage"): _series("Hà Nam", "bhyt_coverage", [2020]),
        ("Việt Nam", "bhyt_coverage"): _series("Việt Nam", "bhyt_coverage", range(2010, 2024)),
    }
    choice = matching.choose(target, groups)
    assert choice.basis == "national" and choice.anchor == "bhyt_coverage" and choice.anchor_geo == "Hà Nam"
    # a one-year regional series gives way to the nation's trend at the region's level
    groups = {
        (REGION, "bhyt_coverage"): _series(REGION, "bhyt_coverage", [2018]),
        ("Việt Nam", "bhyt_coverage"): _series("Việt Nam", "bhyt_coverage", range(2010, 2024)),
    }
    choice = matching.choose(target, groups)
    assert (choice.basis, choice.borrowed, choice.anchor_geo) == ("national", "national_short_region", REGION)


def test_definition_codes():
    assert matching.definition_code("beds_per_10k") == ""
    assert matching.definition_code("beds_per_10k_dohs", "beds_per_10k") == "_dohs"
    assert matching.definition_code("imr_moh", "imr") == "_moh"
    assert matching.definition_code("full_immunization_u1", "epi_coverage") == "full_immunization_u1"
    assert matching.definition_code("nurses_midwives_per_10k", "nurses_per_10k") == "nurses_midwives_per_10k"
