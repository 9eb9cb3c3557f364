"""Transforms: round trips, bounds, catalogue look-up and series status."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from forecast.engine.transforms import Transform, for_indicator, series_status
from forecast.errors import ModelError


@pytest.mark.parametrize(
    "tr, y",
    [
        (Transform("logit", 0, 100), [0.5, 12.0, 50.0, 99.5]),
        (Transform("log", 0, 1000), [0.3, 16.0, 250.0]),
        (Transform("identity"), [-1.2, 0.0, 73.4]),
    ],
)
def test_round_trip(tr, y):
    np.testing.assert_allclose(tr.inverse(tr.forward(np.array(y))), y, rtol=1e-10)


def test_inverse_stays_inside_bounds():
    z = np.array([-1e6, -30.0, 0.0, 30.0, 1e6])
    for tr in (Transform("logit", 0, 100), Transform("log", 0, 1000)):
        y = tr.inverse(z)
        assert np.all(y >= tr.lower) and np.all(y <= tr.upper)


def test_values_at_bounds_stay_finite():
    assert np.isfinite(Transform("logit", 0, 100).forward(np.array([0.0, 100.0]))).all()
    assert np.isfinite(Transform("log", 0, 1000).forward(np.array([0.0]))).all()


def test_bad_kind_names_the_value():
    with pytest.raises(ModelError, match="'sqrt'"):
        Transform("sqrt")


def test_catalogue_and_variant_codes():
    assert for_indicator("bhyt_coverage") == Transform("logit", 0, 100)
    assert for_indicator("imr_gso").kind == "log"
    assert for_indicator("beds_per_10k_dohs") == Transform("log", 0, 500)


def test_unknown_code_is_identity_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="forecast"):
        assert for_indicator("pop_growth").kind == "identity"  # signed range: no log/logit
        assert for_indicator("no_such_series_xyz").kind == "identity"
    assert "pop_growth" in caplog.text and "no_such_series_xyz" in caplog.text
    assert "not in the catalogue: forecasting it on the identity scale" in caplog.text


@pytest.mark.parametrize(
    "code, kind, lower, upper",
    [
        ("stunting_u5_rural_gso", "logit", 0, 100),  # subgroup + variant of a catalogue indicator
        ("u5mr_male_gso", "log", 0, 1000),
        ("stunting_u5_survey", "logit", 0, 100),
        ("dpt3_coverage", "logit", 0, 100),  # data/series.csv: percent -> logit
        ("measles_coverage", "logit", 0, 100),
        ("wasting_u5_survey", "logit", 0, 100),  # variant of a data/series.csv code
        ("nurses_midwives_per_10k", "log", 0, 500),  # positive rate -> log
        ("tfr_gso", "log", 0, 10),
        ("sex_ratio_population_gso", "log", 50, 200),
        ("height_18_male", "identity", 100, 220),  # a catalogue code is never stripped
    ],
)
def test_auxiliary_and_subgroup_codes_get_a_bounded_scale(code, kind, lower, upper, caplog):
    with caplog.at_level(logging.WARNING, logger="forecast"):
        tr = for_indicator(code)
    assert (tr.kind, tr.lower, tr.upper) == (kind, lower, upper)
    assert "not in the catalogue" not in caplog.text


def test_counts_keep_small_values_off_the_log_floor():
    tr = for_indicator("midwives_dohs_count_gso")
    assert tr.kind == "log" and not tr.at_bound(12.0)
    np.testing.assert_allclose(tr.inverse(tr.forward(np.array([12.0, 3400.0]))), [12.0, 3400.0])


@pytest.mark.parametrize(
    "values, tr, status",
    [
        ([5.0, 6.0], Transform("log", 0, 1000), "too_short"),
        ([7.0, 7.0, 7.0, 7.0], Transform("log", 0, 1000), "constant"),
        ([96.0, 99.0, 100.0], Transform("logit", 0, 100), "at_bound"),
        ([3.0, 1.0, 0.0], Transform("log", 0, 1000), "at_bound"),
        ([20.0, 18.0, 17.0], Transform("log", 0, 1000), "ok"),
    ],
)
def test_series_status(values, tr, status):
    got, reason = series_status(np.array(values), tr)
    assert got == status
    assert (reason == "") == (status == "ok")
