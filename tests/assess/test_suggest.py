"""Targets for the next plan: monotone in probability, consistent with the forecast quantiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast import config
from forecast.assess import assessment, suggest
from forecast.engine import transforms

GEO = "Hà Nam"
NATIONAL = pd.DataFrame(
    {
        "indicator": ["bhyt_coverage", "stunting_u5"],
        "year": [2025, 2025],
        "value": [95.15, 17.0],
        "unit": ["percent", "percent"],
        "source": ["Decision 546/QĐ-TTg", "National Nutrition Strategy"],
        "note": ["", ""],
    }
)
Z = np.array([-1.96, -1.645, -1.2816, -0.6745, 0.0, 0.6745, 1.2816, 1.645, 1.96])


def _obs(code: str, values, geo: str = GEO) -> pd.DataFrame:
    years = range(2016 - len(values) + 1, 2017)
    return pd.DataFrame(
        {
            "geo": geo,
            "indicator": code,
            "base_indicator": code,
            "definition": "",
            "year": list(years),
            "value": values,
        }
    ).assign(unit="", source="fixture")


def _fc(code: str, mid: float, sd: float, geo: str = GEO) -> pd.DataFrame:
    tr = transforms.for_indicator(code)
    rows = []
    for year in range(2017, 2036):
        h = year - 2016
        q = tr.inverse(tr.forward(np.array(mid)) + sd * np.sqrt(h) * Z)
        rows.append(
            {
                "geo": geo,
                "indicator": code,
                "model": "ensemble",
                "year": year,
                "mean": q[4],
                "status": "ok",
                "reason": "",
                **dict(zip(config.QUANTILE_COLUMNS, q)),
            }
        )
    return pd.DataFrame(rows)


def _frames():
    obs = pd.concat(
        [_obs("imr", [14.0, 13.5, 13.0, 12.5, 12.0]), _obs("life_expectancy", [73.0, 73.3, 73.6, 73.9, 74.2])]
    )
    fc = pd.concat([_fc("imr", 10.0, 0.05), _fc("life_expectancy", 75.0, 0.4)])
    return obs, fc


def test_one_row_per_indicator_in_its_unit_and_ordered_by_direction():
    obs, fc = _frames()
    out = suggest.suggest_targets(fc, obs, GEO, 2030, national=NATIONAL).set_index("indicator")
    assert set(out.index) == {"imr", "life_expectancy"}
    imr, le = out.loc["imr"], out.loc["life_expectancy"]
    assert imr.p50 <= imr.p80 <= imr.p90  # lower is better: 90 % sure of the least ambitious value
    assert le.p50 >= le.p80 >= le.p90
    assert imr.unit == "per_1000" and le.unit == "years" and imr.basis == "own"
    assert imr.rate_p50 < imr.rate_p90  # a steeper fall is needed for the ambitious value


def test_values_are_consistent_with_the_forecast_quantiles():
    obs, fc = _frames()
    out = suggest.suggest_targets(fc, obs, GEO, 2030, national=NATIONAL).set_index("indicator")
    row = fc[(fc["indicator"] == "imr") & (fc["year"] == 2030)].iloc[0]
    assert out.loc["imr", "p50"] == pytest.approx(row["q50"])
    assert out.loc["imr", "p90"] == pytest.approx(row["q90"])
    le = fc[(fc["indicator"] == "life_expectancy") & (fc["year"] == 2030)].iloc[0]
    assert out.loc["life_expectancy", "p90"] == pytest.approx(le["q10"])
    quantiles = [row[c] for c in config.QUANTILE_COLUMNS]
    # fed back as a target, the value reached with probability 80 % gets 80 % back
    p = assessment.attainment_probability(
        quantiles, "<=", out.loc["imr", "p80"], transforms.for_indicator("imr")
    )
    assert p == pytest.approx(0.8, abs=1e-9)


@pytest.mark.parametrize("direction", ["higher", "lower"])
def test_value_reached_is_monotone_in_probability(direction):
    tr = transforms.for_indicator("bhyt_coverage")
    q = tr.inverse(tr.forward(np.array(90.0)) + 0.5 * Z)
    values = [suggest.value_reached(q, p, direction, tr) for p in np.linspace(0.05, 0.95, 19)]
    diffs = np.diff(values)
    assert (diffs <= 1e-12).all() if direction == "higher" else (diffs >= -1e-12).all()
    assert all(0 <= v <= 100 for v in values)


def test_borrowed_series_is_labelled_and_national_target_shown():
    obs = _obs("bhyt_coverage", [80.0, 83.0, 86.0, 88.0, 90.0], geo="Việt Nam")
    fc = _fc("bhyt_coverage", 93.0, 0.2, geo="Việt Nam")
    out = suggest.suggest_targets(fc, obs, "Ninh Bình (mới)", 2030, national=NATIONAL)
    r = out.set_index("indicator").loc["bhyt_coverage"]
    assert r.basis == "national" and r.geo == "Việt Nam"
    assert np.isnan(r.national_target)  # no national BHYT target for 2030: never the 2025 one
    r = suggest.suggest_targets(fc, obs, "Ninh Bình (mới)", 2025, national=NATIONAL).set_index("indicator")
    assert r.loc["bhyt_coverage", "national_target"] == 95.15
    assert r.loc["bhyt_coverage", "national_target_year"] == 2025


def test_the_cli_prints_one_csv_row_per_indicator(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from forecast import cli, pipeline

    obs, fc = _frames()
    monkeypatch.setattr(
        pipeline, "suggest", lambda p, y, s: suggest.suggest_targets(fc, obs, GEO, y, national=NATIONAL)
    )
    out = CliRunner().invoke(cli.cli, ["suggest", "--province", GEO, "--year", "2030", "--format", "csv"])
    assert out.exit_code == 0, out.output
    lines = out.output.strip().splitlines()
    assert lines[0].startswith("indicator,p50,p80,p90") and len(lines) == 3


def test_implied_rates_are_measured_as_in_the_scorecard():
    obs = pd.concat(
        [_obs("bhyt_coverage", [88.0, 89.0, 90.0, 91.0, 92.0]), _obs("imr", [14.0, 13.5, 13.0, 12.5, 12.0])]
    )
    fc = pd.concat([_fc("bhyt_coverage", 96.0, 0.1), _fc("imr", 10.0, 0.05)])
    out = suggest.suggest_targets(fc, obs, GEO, 2030, national=NATIONAL).set_index("indicator")
    bhyt, imr = out.loc["bhyt_coverage"], out.loc["imr"]
    assert bhyt.rate_unit == "pp" and imr.rate_unit == "pct"  # as assessment.rate_unit says
    assert bhyt.rate_p50 == pytest.approx((bhyt.p50 - 92.0) / (2030 - 2016))
    assert imr.rate_p50 == pytest.approx(assessment.annual_rate(12.0, imr.p50, 2030 - 2016, "pct"))
