"""The scores and rules of benchmarks/attain.py (what ``bench_attain.py`` ranks P(attain) by)."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from forecast import config

sys.path.insert(0, str(config.PROJ_ROOT / "benchmarks"))
import attain  # noqa: E402
from peers import _level_columns  # noqa: E402


def test_brier_log_loss_accuracy_of_known_answers():
    p, y = np.array([0.9, 0.2, 0.5, 1.0]), np.array([1, 0, 0, 1])
    assert attain.brier(p, y) == pytest.approx((0.01 + 0.04 + 0.25 + 0.0) / 4)
    # P = 1 is clipped to 0.99, as the P function itself never says more
    expected = -(np.log(0.9) + np.log(0.8) + np.log(0.5) + np.log(0.99)) / 4
    assert attain.log_loss(p, y) == pytest.approx(expected)
    assert attain.accuracy(p, y) == pytest.approx(0.75)  # 0.5 counts as "attain": wrong here


def test_calibration_table_and_ece_by_hand():
    p, y = np.array([0.05, 0.05, 0.95, 0.95, 1.0]), np.array([0, 1, 1, 1, 1])
    cal = attain.calibration(p, y)
    assert cal["n"].tolist() == [2, 0, 0, 0, 0, 0, 0, 0, 0, 3]  # P = 1 falls in the last bin
    assert cal.loc[0, "said"] == pytest.approx(0.05) and cal.loc[0, "met"] == pytest.approx(0.5)
    assert cal.loc[9, "said"] == pytest.approx(2.9 / 3) and cal.loc[9, "met"] == 1.0
    assert attain.ece(p, y) == pytest.approx((2 * 0.45 + 3 * (1 - 2.9 / 3)) / 5)


def test_ece_of_calibrated_probabilities_is_small(rng):
    p = rng.uniform(0, 1, 20000)
    y = rng.uniform(0, 1, 20000) < p
    assert attain.ece(p, y) < 0.02
    assert attain.ece(np.clip(p + 0.2, 0, 1), y) > 0.15  # over-confident by 20 points


def test_scores_give_a_rule_no_log_loss_nor_ece():
    ans = pd.DataFrame(
        {
            "model": ["m"] * 4 + ["rule"] * 4,
            "indicator": ["imr", "imr", "u5mr", "u5mr"] * 2,
            "p": [0.8, 0.3, 0.6, 0.1, 1, 0, 0, 1],
            "met": [1, 0, 1, 1] * 2,
            "kind": ["p"] * 4 + ["class"] * 4,
        }
    )
    sc = attain.scores(ans).set_index(["model", "indicator"])
    assert sc.loc[("m", "(all)"), "brier"] == pytest.approx((0.04 + 0.09 + 0.16 + 0.81) / 4)
    assert sc.loc[("rule", "(all)"), "brier"] == pytest.approx(0.25)  # one wrong class in four
    assert np.isnan(sc.loc[("rule", "(all)"), "ece"]) and np.isnan(sc.loc[("rule", "imr"), "log_loss"])
    assert sc.loc[("m", "imr"), "n"] == 2


def test_pseudo_targets_ask_multiples_of_the_recent_pace(shared_data):
    obs = pd.read_csv(shared_data / "vn_provinces.csv")
    obs = obs[(obs["geo"] == "Hà Nam") & (obs["indicator"] == "imr")]
    t = attain.pseudo_targets(obs, origin=2011, last=2014)
    assert sorted(t["year"].unique()) == [2012, 2013, 2014]
    assert set(t["k"]) == set(attain.MULTIPLES) and (t["comparator"] == "<=").all()  # lower is better
    # the pace is the log-linear slope of 2007-2011 (Hà Nam's imr rose, then fell)
    years, values = np.array([2007, 2008, 2009, 2010, 2011.0]), np.array([13.5, 14.0, 15.9, 15.7, 15.0])
    b = np.polyfit(years, np.log(values), 1)[0]
    assert t["pace"].iloc[0] == pytest.approx(b)
    row = t[(t["year"] == 2014) & (t["k"] == 2.0)].iloc[0]
    assert row["target"] == pytest.approx(15.0 * np.exp(-2 * abs(b) * 3))  # always downwards
    assert (t.loc[t["k"] == 0, "target"] == 15.0).all()
    in2014 = t[t["year"] == 2014]
    assert (in2014["actual"] == 12.2).all() and (in2014["met"] == (12.2 <= in2014["target"])).all()


def test_coverage_targets_move_in_points_and_stay_inside_the_bounds(shared_data):
    obs = pd.read_csv(shared_data / "world" / "world_panel_dev.csv")
    obs = obs[obs["indicator"] == "dpt3_coverage"]
    t = attain.pseudo_targets(obs, origin=2012, last=2016)
    assert (t["unit"] == "pp").all() and (t["comparator"] == ">=").all()
    assert t["target"].between(0, 100, inclusive="neither").all()
    one = t[(t["k"] == 1.0)].iloc[0]
    assert one["target"] == pytest.approx(
        one["latest_value"] + abs(one["pace"]) * (one["year"] - one["latest_year"])
    )


@pytest.fixture
def vn_imr(shared_data):
    """Viet Nam's infant mortality (UN IGME, per 1,000) to 2012: falling about 1.3% a year."""
    obs = pd.read_csv(shared_data / "vn_national.csv")
    s = obs[(obs["indicator"] == "imr") & (obs["year"] <= 2012)].sort_values("year")
    return s["year"].to_numpy(float), s["value"].to_numpy(float)


@pytest.mark.parametrize("rule", [attain.aarr_on_track, attain.statcan_on_track, attain.escap_on_track])
def test_rules_say_on_track_for_half_the_pace_and_off_track_for_twice(vn_imr, rule):
    years, values = vn_imr
    b = attain.recent_pace(years, values, "pct")
    assert -0.02 < b < -0.01
    k = np.array([0.5, 2.0])
    targets = values[-1] * np.exp(-k * abs(b) * 5)
    assert rule(years, values, targets, np.array([2017.0, 2017.0]), -1).tolist() == [True, False]


def test_rules_count_a_met_target_as_attained_even_when_the_series_worsens(vn_imr):
    years, values = vn_imr
    rising = values[::-1].copy()  # the same numbers, getting worse every year
    target, year = np.array([rising[-1] + 1.0]), np.array([2015.0])  # already met: <= target
    assert attain.aarr_on_track(years, rising, target, year, -1).all()
    assert attain.statcan_on_track(years, rising, target, year, -1).all()
    # ESCAP anticipates instead: the rising trend passes the target by 2015
    assert not attain.escap_on_track(years, rising, target, year, -1).any()


def test_statcan_ratio_uses_the_growth_since_the_base_year():
    years, values = np.array([2011.0, 2012, 2013, 2014, 2015]), np.array([100.0, 101, 102, 103, 104])
    observed = (104 / 100) ** (1 / 4) - 1  # from the base year 2011
    # a target whose required growth from 2011 is just above / below the observed one / 0.95
    for factor, expected in ((1 / 0.94, False), (1 / 0.96, True)):
        target = 100 * (1 + observed * factor) ** (2020 - 2011)
        got = attain.statcan_on_track(years, values, np.array([target]), np.array([2020.0]), 1)
        assert got.tolist() == [expected]


def test_peer_intervals_map_to_the_engine_quantiles():
    cols = _level_columns("AutoETS", (50, 80, 90, 95))
    assert sorted(cols.values()) == sorted(["mean", *(c for c in config.QUANTILE_COLUMNS if c != "q50")])
    assert cols["AutoETS-lo-95"] == "q025" and cols["AutoETS-hi-50"] == "q75"


def test_murphy_decomposition_adds_up_when_p_is_constant_per_bin():
    p = np.array([0.15] * 4 + [0.85] * 4)
    y = np.array([0, 0, 0, 1, 1, 1, 1, 0])
    rel, res, unc = attain.murphy(p, y)
    assert rel == pytest.approx(0.1**2)  # said 0.15 / 0.85, met 0.25 / 0.75
    assert res == pytest.approx(0.25**2) and unc == pytest.approx(0.25)
    assert attain.brier(p, y) == pytest.approx(rel - res + unc)


def test_platt_leaves_calibrated_probabilities_alone_and_finds_a_shift(rng):
    p = rng.uniform(0.02, 0.98, 40000)
    y = rng.uniform(0, 1, 40000) < p
    a, b = attain.fit_platt(p, y)
    assert a == pytest.approx(0, abs=0.05) and b == pytest.approx(1, abs=0.05)
    # targets met more often than said: logit of the truth is 0.5 above P's
    y_more = rng.uniform(0, 1, 40000) < attain.platt(p, 0.5, 1.0)
    a, b = attain.fit_platt(p, y_more)
    assert a == pytest.approx(0.5, abs=0.06) and b == pytest.approx(1, abs=0.06)
    assert attain.ece(attain.platt(p, a, b), y_more) < attain.ece(p, y_more) / 3
