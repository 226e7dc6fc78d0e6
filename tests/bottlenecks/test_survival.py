"""Kaplan-Meier by hand: the estimate, its quantiles, and a median that is never reached."""

import pytest

from toolkit.bottlenecks.survival import kaplan_meier


def test_kaplan_meier_by_hand():
    # five persons: finished after 1, 2, 3 days; still waiting after 4 and 5 days
    # S(1) = 4/5 = 0.8; S(2) = 0.8 * 3/4 = 0.6; S(3) = 0.6 * 2/3 = 0.4 (3 at risk, 1 ends);
    # the censored 4 and 5 do not move S
    km = kaplan_meier([1.0, 2.0, 3.0, 4.0, 5.0], [False, False, False, True, True])
    assert km.survival_at(0.5) == 1.0
    assert km.survival_at(1.0) == pytest.approx(0.8)
    assert km.survival_at(2.5) == pytest.approx(0.6)
    assert km.survival_at(10.0) == pytest.approx(0.4)
    assert km.median == 3.0  # first t with S(t) <= 0.5
    assert km.p90 is None  # S never gets to 0.1
    assert km.share_longer_than(2.0) == pytest.approx(0.6)
    # P(T < 2) = 1 - S(just before 2) = 1 - 0.8
    assert km.share_shorter_than(2.0) == pytest.approx(0.2)
    # area under S up to 3: 1*1 + 0.8*1 + 0.6*1 = 2.4
    assert km.restricted_mean(3.0) == pytest.approx(2.4)
    assert (km.persons, km.completed) == (5, 3)


def test_median_not_reached_is_none_not_invented():
    # one of three finished; S stays at 2/3
    km = kaplan_meier([1.0, 2.0, 5.0], [False, True, True])
    assert km.median is None
    assert km.survival_at(100.0) == pytest.approx(2 / 3)


def test_without_censoring_it_is_the_empirical_distribution():
    km = kaplan_meier([4.0, 1.0, 3.0, 2.0], [False] * 4)
    assert km.median == 2.0
    assert km.p90 == 4.0
    assert kaplan_meier([3.0], [True]).median is None


def test_kaplan_meier_is_scipys() -> None:
    """The estimate is computed without scipy's per-call overhead; it must stay scipy's."""
    import numpy as np
    from scipy import stats

    from toolkit.bottlenecks.survival import censored_data

    rng = np.random.default_rng(3)
    for _ in range(100):
        n = int(rng.integers(5, 300))
        days = np.round(rng.exponential(50, n), int(rng.integers(0, 2)))
        censored = rng.random(n) < rng.random() * 0.6
        censored[0] = False
        km = kaplan_meier(days, censored)
        reference = stats.ecdf(censored_data(days, censored)).sf
        assert np.array_equal(km.times, reference.quantiles)
        assert np.allclose(km.survival, reference.probabilities, rtol=0, atol=1e-12)


def test_delayed_entry_equals_lifelines() -> None:
    """Left-truncated and right-censored waits: the curve lifelines' KaplanMeierFitter gives with
    ``entry``, on continuous days and on whole days where entries tie with endings."""
    import numpy as np
    from lifelines import KaplanMeierFitter

    rng = np.random.default_rng(3)
    for whole_days in (False, True):
        for _ in range(20):
            n = int(rng.integers(10, 400))
            days = rng.gamma(2.0, 40.0, n) + 1
            entry = np.where(rng.random(n) < 0.5, rng.uniform(0, 1, n) * days, 0.0)
            if whole_days:
                days, entry = np.ceil(days), np.floor(entry)
            censored = rng.random(n) < 0.3
            censored[0] = False
            ours = kaplan_meier(days, censored, entry=entry)
            theirs = KaplanMeierFitter().fit(days, ~censored, entry=entry)
            expected = theirs.survival_function_at_times(ours.times).to_numpy()
            assert np.allclose(ours.survival, expected, rtol=0, atol=1e-12)
            median = theirs.median_survival_time_
            assert (ours.median if ours.median is not None else np.inf) == median


def test_entry_of_zero_is_the_plain_estimate() -> None:
    import numpy as np

    days = np.array([3.0, 1.0, 4.0, 0.0, 1.0, 5.0, 9.0])
    censored = np.array([False, True, False, False, False, True, False])
    plain = kaplan_meier(days, censored)
    entered = kaplan_meier(days, censored, entry=np.zeros(7))
    assert np.array_equal(plain.times, entered.times)
    assert np.allclose(plain.survival, entered.survival, rtol=0, atol=1e-15)
