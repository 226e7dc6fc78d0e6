"""The 80% interval of simulated counts: known answers by hand, and every range of counts tried
one by one."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from toolkit.forecast.interval import interval


def one(runs: list[int]) -> tuple[float, float, float]:
    low, high, probability = interval(np.array(runs, dtype=float)[:, None])
    return float(low[0]), float(high[0]), float(probability[0])


def test_the_percentiles_of_a_count_hold_more_than_80_percent_this_interval_does_not():
    runs = [0] * 5 + [1] * 3 + [2] * 2
    # the 10th and 90th percentiles are 0 and 2: every run
    assert (np.percentile(runs, 10), np.percentile(runs, 90)) == (0.0, 2.0)
    assert one(runs) == (0.0, 1.0, 0.8)


def test_tails_alike_among_equally_near_ranges():
    assert one(list(range(10))) == (1.0, 8.0, 0.8)
    assert one([0] * 8 + [1, 4]) == (0.0, 0.0, 0.8)


def test_a_count_more_likely_than_80_percent_is_the_interval_with_its_probability():
    assert one([0] * 93 + [1] * 4 + [5] * 3) == (0.0, 0.0, 0.93)
    assert one([3] * 10) == (3.0, 3.0, 1.0)


def test_households_arrive_as_lumps():
    # nobody in 70 runs, four persons in 20, five in 10: 0 alone holds 70% and 0 to 4 holds
    # 90%, equally near 80%; 0 to 4 leaves tails more alike (none below, 10 above, against
    # none below and 30 above)
    assert one([0] * 70 + [4] * 20 + [5] * 10) == (0.0, 4.0, 0.9)


def brute(runs: np.ndarray, level: float = 0.8) -> tuple[float, float, float]:
    """Every range of counts that occur, nearest ``level``, tails most alike, narrowest, lowest."""
    n, best = len(runs), None
    for low, high in itertools.combinations_with_replacement(np.unique(runs), 2):
        held = int(((runs >= low) & (runs <= high)).sum())
        tails = abs(int((runs < low).sum()) - int((runs > high).sum()))
        key = (round(abs(held - level * n), 9), tails, high - low, low)
        if best is None or key < best[0]:
            best = (key, float(low), float(high), held / n)
    return best[1:]


@pytest.mark.parametrize("size", [10, 37, 100])
def test_every_range_tried_one_by_one_gives_the_same_interval(size):
    rng = np.random.default_rng(size)
    cells = [rng.poisson(0.3, size), rng.poisson(0.6, size) * rng.integers(1, 6, size),
             rng.poisson(4.0, size), rng.integers(0, 4, size), rng.normal(200, 30, size).round()]  # fmt: skip
    values = np.stack(cells, axis=1).astype(float)
    low, high, probability = interval(values.reshape(size, 1, len(cells)))
    for i, runs in enumerate(cells):
        assert (low[0, i], high[0, i], probability[0, i]) == pytest.approx(brute(runs))
