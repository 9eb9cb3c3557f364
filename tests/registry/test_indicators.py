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
