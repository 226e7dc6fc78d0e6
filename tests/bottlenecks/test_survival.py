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


def test_kaplan_meier_and_the_log_rank_tests_are_scipys() -> None:
    """The estimates are computed without scipy's per-call overhead; they must stay scipy's."""
    import numpy as np
    from scipy import special, stats

    from toolkit.bottlenecks.survival import Steps, censored_data, logrank_z

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
        groups = rng.integers(0, 3, n)
        order = np.argsort(days, kind="stable")
        steps = Steps.of(days[order], ~censored[order])
        statistics = logrank_z(steps, groups[order], 3)
        medians, rest_medians = steps.medians_by_group(groups[order], 3)
        for group, z in enumerate(statistics):
            p = special.ndtr(z)
            inside = groups == group
            for median, who in ((medians[group], inside), (rest_medians[group], ~inside)):
                own = kaplan_meier(days[who], censored[who]).median
                assert median == own or (own is None and np.isnan(median))
            if (~censored[inside]).any() and (~censored[~inside]).any():
                expected = stats.logrank(
                    censored_data(days[inside], censored[inside]),
                    censored_data(days[~inside], censored[~inside]),
                    alternative="less",
                )
                assert z == pytest.approx(expected.statistic, rel=1e-12)
                assert p == pytest.approx(expected.pvalue, rel=1e-12)


def test_log_rank_sums_are_the_sums_of_the_per_step_terms() -> None:
    """The compiled walk gives numpy's sums of the per-step arrays (the group's numbers at
    risk times the hazard, and the hypergeometric variance terms), added up in another order."""
    import numpy as np

    from toolkit.bottlenecks.survival import Steps, logrank_z

    rng = np.random.default_rng(8)
    for _ in range(30):
        n = int(rng.integers(50, 3000))
        days = np.sort(np.round(rng.exponential(80, n), int(rng.integers(0, 3))))
        events = rng.random(n) < 0.8
        groups = rng.integers(-1, 5, n)
        steps = Steps.of(days, events)
        width = steps.times.size + 1
        cell = groups[groups >= 0] * width + steps.step[groups >= 0] + 1
        members = np.bincount(cell, minlength=5 * width).reshape(5, width)
        done = np.bincount(cell[events[groups >= 0]], minlength=5 * width).reshape(5, width)
        before = np.cumsum(members, axis=1)
        at_risk_x = before[:, -1:] - before[:, :-1]
        n_all, d_all = steps.at_risk, steps.deaths
        several = int(np.count_nonzero(n_all > 1))
        num = at_risk_x * (n_all[None, :] - at_risk_x) * d_all * (n_all - d_all)
        variance = np.sum(num[:, :several] / (n_all**2 * (n_all - 1))[:several], axis=1)
        expected = np.sum(at_risk_x * (d_all / n_all), axis=1)
        reference = (done[:, 1:].sum(axis=1) - expected) / np.sqrt(variance)
        assert np.allclose(logrank_z(steps, groups, 5), reference, rtol=1e-12, atol=1e-13,
                           equal_nan=True)  # fmt: skip
