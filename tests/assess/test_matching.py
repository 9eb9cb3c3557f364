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
