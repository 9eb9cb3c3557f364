"""The pieces of benchmarks/bench_pool.py that need no scikit-learn: features and the linear pool."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from forecast import config
from forecast.assess.assessment import attainment_probability
from forecast.config import QUANTILE_COLUMNS
from forecast.engine.transforms import for_indicator

sys.path.insert(0, str(config.PROJ_ROOT / "benchmarks"))
import bench_pool  # noqa: E402


def _fc(geo: str, quantiles: list[float], model: str) -> pd.DataFrame:
    row = {"geo": geo, "indicator": "imr", "year": 2015, "model": model}
    return pd.DataFrame([row | dict(zip(QUANTILE_COLUMNS, quantiles, strict=True))])


A = [10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0]
B = [14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0]


def test_a_linear_pool_of_weight_one_or_zero_is_either_forecast():
    a, b = _fc("X", A, "a"), _fc("X", B, "b")
    one = bench_pool.linear_pool(a, b, 1.0, "mix")[list(QUANTILE_COLUMNS)].to_numpy()[0]
    zero = bench_pool.linear_pool(a, b, 0.0, "mix")[list(QUANTILE_COLUMNS)].to_numpy()[0]
    assert one == pytest.approx(A, rel=1e-9) and zero == pytest.approx(B, rel=1e-9)


def test_at_each_of_its_quantiles_the_pool_is_the_mixture_of_the_two_cdfs():
    a, b = _fc("X", A, "a"), _fc("X", B, "b")
    mix = bench_pool.linear_pool(a, b, 0.25, "mix")[list(QUANTILE_COLUMNS)].to_numpy()[0]
    assert np.all(np.diff(mix) >= 0)
    tr, levels = for_indicator("imr"), np.asarray(config.QUANTILES)

    def cdf(q, x):  # on the indicator's scale, as the P function reads nine quantiles
        return np.interp(tr.forward(x), tr.forward(np.asarray(q)), levels, 0.0, 1.0)

    mixture = 0.25 * cdf(A, mix) + 0.75 * cdf(B, mix)
    assert mixture == pytest.approx(levels, abs=1e-6)
    # a target between the two forecasts: the pool's P lies between theirs
    p = [attainment_probability(q, "<=", 15.5, tr) for q in (A, mix, B)]
    assert p[2] < p[1] < p[0]


def test_features_of_a_straight_falling_line():
    y = np.arange(2000.0, 2013.0)
    z = 3.0 - 0.05 * (y - 2000)  # log IMR falling 5% a year: progress, as IMR should fall
    f = bench_pool.series_features(y, z, -1)
    assert f["sgn"] == 1 and f["ab"] == pytest.approx(0.05)
    assert f["s3"] == pytest.approx(1) and f["s10"] == pytest.approx(1) and f["last"] == pytest.approx(1)
    assert f["noise"] == pytest.approx(0, abs=1e-9)
