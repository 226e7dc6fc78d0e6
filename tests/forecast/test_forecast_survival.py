"""Kaplan-Meier with delayed entry against lifelines, and the conditional draws."""

from __future__ import annotations

import numpy as np
from lifelines import KaplanMeierFitter

from toolkit.forecast.survival import kaplan_meier


def test_kaplan_meier_with_delayed_entry_equals_lifelines():
    rng = np.random.default_rng(3)
    duration = rng.gamma(2.0, 40.0, 400).round(0) + 1
    observed = rng.random(400) < 0.7
    entry = np.where(rng.random(400) < 0.5, rng.uniform(0, 1, 400) * duration, 0.0)
    ours = kaplan_meier(duration, observed, entry)
    theirs = KaplanMeierFitter().fit(duration, observed, entry=entry)
    expected = theirs.survival_function_at_times(ours.times).to_numpy()
    assert np.allclose(ours.surv, expected, atol=1e-12)
    assert abs(ours.quantile(0.5) - theirs.median_survival_time_) < 1e-9


def test_draws_respect_the_wait_so_far_and_the_curve():
    # waits of exactly 10, 20 and 30 days, one third each
    km = kaplan_meier(np.array([10.0, 20.0, 30.0] * 100), np.ones(300, dtype=bool))
    rng = np.random.default_rng(1)
    fresh = km.draw(np.zeros(30_000), rng)
    assert set(np.unique(fresh)) == {10.0, 20.0, 30.0}
    assert abs((fresh == 10).mean() - 1 / 3) < 0.02
    waited = km.draw(np.full(30_000, 15.0), rng)  # past 10 days: 20 or 30, half each
    assert set(np.unique(waited)) == {20.0, 30.0}
    assert abs((waited == 20).mean() - 0.5) < 0.02


def test_a_curve_that_stays_up_leaves_some_waits_beyond_sight():
    # half never end: the curve stays at one half after the last ending
    km = kaplan_meier(np.array([5.0] * 50 + [40.0] * 50), np.array([True] * 50 + [False] * 50))
    draws = km.draw(np.zeros(20_000), np.random.default_rng(2))
    assert abs(np.isinf(draws).mean() - 0.5) < 0.02
    assert np.all(draws[np.isfinite(draws)] == 5.0)


def test_docstring_example_runs():
    import doctest

    from toolkit.forecast import survival

    result = doctest.testmod(survival)
    assert result.attempted > 0 and result.failed == 0
