"""Scenarios: constant-rate paths from the nowcast, national and best-decile paces, target checks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from forecast.assess import scenarios as sc
from forecast.errors import ValidationError

YEARS = np.arange(2010, 2021)


def _obs() -> pd.DataFrame:
    rows = []
    for g, rate in (("Việt Nam", -2.0), ("Hà Nam", -1.0), ("Lào Cai", -4.0), ("Bắc Giang", -3.0)):
        rows.append(
            pd.DataFrame(
                {
                    "geo": g,
                    "indicator": "imr",
                    "year": YEARS,
                    "value": 20 * (1 + rate / 100) ** (YEARS - 2010),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _fc() -> pd.DataFrame:
    years = np.arange(2021, 2036)
    return pd.DataFrame(
        {"geo": "Hà Nam", "indicator": "imr", "model": "ensemble", "year": years, "q50": 18.0}
    )


def test_parse_scenario():
    assert sc.parse_scenario("national") == ("national", None)
    assert sc.parse_scenario("rate=-2.5") == ("rate", -2.5)
    assert sc.parse_scenario("best-decile") == ("best_decile", None)
    for bad in ("fast", "rate=x"):
        with pytest.raises(ValidationError):
            sc.parse_scenario(bad)


def test_observed_rates_recover_a_constant_rate():
    rates = sc.observed_rates(_obs()).set_index("geo")["rate"]
    assert rates["Lào Cai"] == pytest.approx(-4.0) and rates["Việt Nam"] == pytest.approx(-2.0)


def test_rate_path_from_the_nowcast_and_reference():
    paths = sc.scenario_paths(_obs(), _fc(), "rate=-10", as_of_year=2026)
    p = paths.set_index("year")["value"]
    assert p[2026] == 18.0 and p[2027] == pytest.approx(16.2) and paths["year"].max() == 2035
    ref = sc.scenario_paths(_obs(), _fc(), "reference", as_of_year=2026)
    assert (ref["value"] == 18.0).all() and ref["rate"].isna().all()


@pytest.mark.parametrize("name,rate", [("national", -2.0), ("best_decile", -3.8)])
def test_national_and_best_decile_paces(name, rate):
    paths = sc.scenario_paths(_obs(), _fc(), name, as_of_year=2026)
    assert paths["rate"].iloc[0] == pytest.approx(rate, abs=0.05)  # lower IMR is better: 10th percentile


def test_scenario_targets_say_whether_the_target_is_met():
    a = pd.DataFrame(
        {
            "plan_id": ["p", "p"],
            "province": "Hà Nam",
            "indicator": "imr",
            "year": [2030, 2024],
            "comparator": "<=",
            "value": [16.7, 10.0],
            "geo": "Hà Nam",
            "series": "imr",
        }
    )
    out = sc.scenario_table(_obs(), _fc(), a, ["rate=-2", "reference"], as_of_year=2026)
    assert list(out.columns) == sc.TARGET_COLUMNS
    rate_2030 = out[(out["scenario"] == "rate") & (out["year"] == 2030)].iloc[0]
    assert rate_2030["scenario_value"] == pytest.approx(18 * 0.98**4) and rate_2030["meets"] == "yes"
    past = out[(out["scenario"] == "rate") & (out["year"] == 2024)].iloc[0]
    assert math.isnan(past["scenario_value"]) and past["meets"] == ""  # before the anchor year
    assert out[out["scenario"] == "reference"]["meets"].tolist() == ["no", "no"]
