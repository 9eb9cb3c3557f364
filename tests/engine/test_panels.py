"""Panel helpers: the climatological limits of interval spread."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.config import QUANTILES
from forecast.engine.panels import change_limits


def test_change_limits_are_symmetric_monotone_and_grow_no_faster_than_a_random_walk():
    rng = np.random.default_rng(1)
    t = np.arange(2000.0, 2016.0)
    Z = rng.normal(0, 0.1, (40, len(t)))  # noise around a level: changes revert (lag-1 r = -0.5)
    lim = change_limits(Z, t, 20, QUANTILES)
    assert lim.shape == (20, len(QUANTILES))
    np.testing.assert_allclose(lim, -lim[:, ::-1])  # symmetric around the median
    assert np.all(np.diff(lim[:, -1]) >= 0)  # never narrower at a longer horizon
    assert np.all(lim[:, -1] <= lim[0, -1] * np.sqrt(np.minimum(np.arange(1, 21), 15)) + 1e-12)
    # the 97.5% half-width of a one-year change of white noise (sd 0.1 * sqrt 2) is about 0.28
    assert 0.2 < lim[0, -1] < 0.36


def test_plateau_limits_are_the_widest_of_the_panel_span_at_every_horizon():
    rng = np.random.default_rng(3)
    t = np.arange(2000.0, 2016.0)
    Z = np.cumsum(rng.normal(0.02, 0.05, (40, len(t))), axis=1)  # persistent: no random-walk cap
    by_h = change_limits(Z, t, 30, QUANTILES)
    flat = change_limits(Z, t, 4, QUANTILES, plateau=True)
    assert flat.shape == (4, len(QUANTILES))
    np.testing.assert_allclose(flat, np.repeat(by_h[-1:], 4, axis=0))  # request-independent
    assert np.all(flat[0, -1] > by_h[0, -1])  # the short horizon is not narrowed to its own spread
    noisy = rng.normal(0, 0.1, (40, len(t)))  # reverting: the plateau is the random walk over the span
    walk = change_limits(noisy, t, 3, QUANTILES, plateau=True)
    assert walk[0, -1] == pytest.approx(change_limits(noisy, t, 30, QUANTILES)[-1, -1])


def test_a_level_shift_does_not_widen_the_limits():
    t = np.arange(2000.0, 2016.0)
    rng = np.random.default_rng(2)
    Z = np.cumsum(rng.normal(0, 0.05, (30, len(t))), axis=1)
    broken = Z.copy()
    broken[:10, 10:] -= 1.0  # a third of the series break in 2010
    np.testing.assert_allclose(
        change_limits(broken, t, 5, QUANTILES), change_limits(Z, t, 5, QUANTILES), rtol=0.35
    )


def test_too_few_changes_give_no_limits():
    assert (
        change_limits(np.array([[1.0, np.nan, 2.0]]), np.array([2000.0, 2001.0, 2002.0]), 3, QUANTILES)
        is None
    )
