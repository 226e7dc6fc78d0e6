"""Drawing remaining waits from a Kaplan-Meier curve given the days already waited."""

from __future__ import annotations

import numpy as np

from toolkit.forecast.draws import draw, kaplan_meier


def test_draws_respect_the_wait_so_far_and_the_curve():
    # waits of exactly 10, 20 and 30 days, one third each
    km = kaplan_meier(np.array([10.0, 20.0, 30.0] * 100), np.zeros(300, dtype=bool))
    rng = np.random.default_rng(1)
    fresh = draw(km, np.zeros(30_000), rng)
    assert set(np.unique(fresh)) == {10.0, 20.0, 30.0}
    assert abs((fresh == 10).mean() - 1 / 3) < 0.02
    waited = draw(km, np.full(30_000, 15.0), rng)  # past 10 days: 20 or 30, half each
    assert set(np.unique(waited)) == {20.0, 30.0}
    assert abs((waited == 20).mean() - 0.5) < 0.02


def test_a_curve_that_stays_up_leaves_some_waits_beyond_sight():
    # half never end: the curve stays at one half after the last ending
    km = kaplan_meier(np.array([5.0] * 50 + [40.0] * 50), np.array([False] * 50 + [True] * 50))
    draws = draw(km, np.zeros(20_000), np.random.default_rng(2))
    assert abs(np.isinf(draws).mean() - 0.5) < 0.02
    assert np.all(draws[np.isfinite(draws)] == 5.0)


def test_docstring_example_runs():
    import doctest

    from toolkit.forecast import draws

    result = doctest.testmod(draws)
    assert result.attempted > 0 and result.failed == 0
