"""The one quarter parser and the paths."""

import pytest

from forecast import config
from forecast.errors import ValidationError


def test_parse_quarter_accepts_only_year_q_digit():
    assert config.parse_quarter("2026Q4") == "2026Q4"
    assert config.quarter_year("2025Q1") == 2025
    for bad in ["2026", "Q4-26", "2026Q4\n", " 2026Q4", "2026q4", "2026Q5"]:
        with pytest.raises(ValidationError, match="2026Q4"):
            config.parse_quarter(bad)
