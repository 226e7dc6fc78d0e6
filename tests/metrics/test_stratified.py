"""The stratified log-rank test against lifelines."""

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter
from lifelines.statistics import logrank_test

from toolkit.metrics.stratified import stratified_logrank, typical_days


def _sample(n: int, seed: int):
    rng = np.random.default_rng(seed)
    unit = rng.integers(0, 3, n)
    stratum = rng.integers(0, 2, n)
    # unit 2 is slower, stratum 1 slower for everybody; whole days, so ties are many
    days = np.ceil(rng.exponential(20 * (1 + stratum) * np.where(unit == 2, 1.6, 1.0)))
    reached = rng.random(n) < 0.85
    return days, reached, unit, stratum


def test_one_stratum_is_the_log_rank_test_of_lifelines():
    days, reached, unit, _ = _sample(400, 1)
    table = stratified_logrank(days, reached, unit, np.zeros(days.size, int))
    for u in range(3):
        mine = unit == u
        theirs = logrank_test(days[mine], days[~mine], reached[mine], reached[~mine])
        assert table["z"][u] ** 2 == pytest.approx(theirs.test_statistic, rel=1e-9)
        assert table["p_value"][u] == pytest.approx(
            theirs.p_value / 2 if table["z"][u] < 0 else 1 - theirs.p_value / 2, rel=1e-6
        )


def test_strata_sum_the_per_stratum_statistics_and_agree_with_a_stratified_cox_model():
    days, reached, unit, stratum = _sample(2000, 2)
    table = stratified_logrank(days, reached, unit, stratum)
    slow = unit == 2
    parts = [stratified_logrank(days[stratum == s], reached[stratum == s], slow[stratum == s]
                                .astype(int), np.zeros((stratum == s).sum(), int))
             for s in (0, 1)]  # fmt: skip
    observed = sum(p["observed"][1] for p in parts)
    expected = sum(p["expected"][1] for p in parts)
    variance = sum(p["variance"][1] for p in parts)
    assert table["z"][2] == pytest.approx((observed - expected) / np.sqrt(variance), rel=1e-9)
    frame = pd.DataFrame({"T": days, "E": reached, "slow": slow.astype(float), "s": stratum})
    cox = CoxPHFitter().fit(frame, "T", "E", strata=["s"])
    # the score test of a Cox model with strata is the stratified log-rank test (ties aside)
    wald = cox.summary.loc["slow", "z"]
    assert table["z"][2] < -3 and wald < -3  # slower: fewer ends than expected, a lower hazard
    assert table["z"][2] == pytest.approx(wald, rel=0.1)


def test_typical_days_is_the_median_or_a_restricted_mean():
    assert typical_days(np.array([1.0, 2.0, 3.0]), np.array([True, True, True])) == 2.0
    # the curve stays at 2/3 after day 1: the mean restricted to the longest follow-up (4 days)
    # is 1 + 3 * 2/3 = 3 days
    assert typical_days(np.array([4.0, 4.0, 1.0]), np.array([False, False, True])) == 3.0
