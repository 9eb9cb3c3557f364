"""Merged 2025 provinces: series rebuilt from the old provinces, observed years kept."""

from __future__ import annotations

import pandas as pd
import pytest

from forecast.data import merged

CW = pd.DataFrame(
    {
        "old_geo": ["Hà Nam", "Nam Định"],
        "new_geo": "Ninh Bình (mới)",
        "valid_from": "2025-07-01",
        "legal_basis": "x",
    }
)


def _obs(rows):
    df = pd.DataFrame(rows, columns=["geo", "indicator", "year", "value"])
    return df.assign(
        unit="", source="fixture", import_id="f", base_indicator=df["indicator"], definition="", note=""
    )


def test_rates_are_population_weighted_and_counts_summed():
    obs = _obs(
        [
            ("Hà Nam", "imr", 2016, 10.0),
            ("Nam Định", "imr", 2016, 20.0),
            ("Hà Nam", "population_avg", 2016, 100.0),
            ("Nam Định", "population_avg", 2016, 300.0),
        ]
    )
    out = merged.rebuild_merged(obs, CW).set_index("indicator")
    assert out.loc["imr", "value"] == pytest.approx(17.5)
    assert out.loc["population_avg", "value"] == pytest.approx(400.0)
    assert (out["geo"] == "Ninh Bình (mới)").all() and out.loc["imr", "base_indicator"] == "imr"


def test_observed_years_of_the_merged_province_win(monkeypatch):
    obs = _obs(
        [
            ("Hà Nam", "population_avg", 2016, 100.0),
            ("Nam Định", "population_avg", 2016, 300.0),
            ("Ninh Bình (mới)", "population_avg", 2016, 999.0),
        ]
    )
    monkeypatch.setattr(merged.crosswalk, "load_crosswalk", lambda: CW)
    out = merged.with_merged(obs)
    new = out[out["geo"] == "Ninh Bình (mới)"]
    assert list(new["value"]) == [999.0] and len(out) == 3


def test_a_rate_without_population_is_skipped_not_unweighted(monkeypatch):
    obs = _obs([("Hà Nam", "imr", 2016, 10.0), ("Nam Định", "imr", 2016, 20.0)])
    assert merged.rebuild_merged(obs, CW).empty
