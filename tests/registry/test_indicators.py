"""Indicator codes resolve in any case, by catalogue name, or fail with the closest code."""

from __future__ import annotations

import pytest

from forecast.errors import UnknownIndicatorError
from forecast.registry.indicators import resolve_indicator


@pytest.mark.parametrize(
    "text,code",
    [
        ("imr", "imr"),
        ("IMR", "imr"),
        (" Life expectancy at birth ", "life_expectancy"),
        ("tuổi thọ trung bình", "life_expectancy"),
        ("imr_gso", "imr_gso"),
    ],
)
def test_resolve_indicator(text, code):
    assert resolve_indicator(text) == code


def test_unknown_indicator_names_the_closest_code():
    with pytest.raises(UnknownIndicatorError, match="did you mean 'imr'"):
        resolve_indicator("IMRR")


@pytest.mark.parametrize(
    "text,code",
    [
        ("stunting", "stunting_u5"),
        ("Stunting", "stunting_u5"),
        ("thấp còi", "stunting_u5"),
        ("thap coi", "stunting_u5"),
        ("infant mortality", "imr"),
        ("tuổi thọ", "life_expectancy"),
        ("doctors", "doctors_per_10k"),
        ("beds", "beds_per_10k"),
        ("BHYT", "bhyt_coverage"),
    ],
)
def test_resolve_indicator_by_words_and_common_aliases(text, code):
    assert resolve_indicator(text) == code


def test_words_of_several_indicators_list_them():
    with pytest.raises(UnknownIndicatorError, match="names several: 'imr' .*'u5mr'"):
        resolve_indicator("mortality")
