"""The 80% interval of a simulated count: the 10th and 90th percentiles of the runs as counts,
an end left out where the interval then holds nearer 80% of the runs.

A count is discrete, so the percentiles are no 80% interval: an interval whose ends are whole
counts holds the runs at its ends in full, and a municipality that receives nobody in 93 runs of
100 gets 0 to 0, which holds 93% of the runs. Here ``low`` is the largest count with at most 10%
of the runs below it and ``high`` the smallest with at most 10% above it (the narrowest interval
with tails of at most 10%, so it holds at least 80%); then the count at either end, or at both,
is left out where the interval holds nearer 80% of the runs without it (between equally near
ones, the one whose tails are most alike, then the wider). Its share of the runs is returned
too: the probability that the interval holds the count, as the forecast sees it. It is 80% as
nearly as the counts allow, and more where one count alone is more likely than that (0 to 0 at
93%: no interval of counts holds nearer 80%). Example::

    >>> runs = np.array([[0], [0], [0], [0], [0], [1], [1], [1], [2], [2]])
    >>> interval(runs)  # the percentiles, 0 to 2, hold every run
    (array([0]), array([1]), array([0.8]))
"""

from __future__ import annotations

import math

import numpy as np

LEVEL = 0.8


def _block_bounds(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each position of the sorted runs (axis 0): the runs below its value and the runs at
    or below it (the first position of its value and one past its last)."""
    n = ordered.shape[0]
    position = np.arange(n).reshape((n,) + (1,) * (ordered.ndim - 1))
    first = np.ones(ordered.shape, dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    last = np.ones(ordered.shape, dtype=bool)
    last[:-1] = first[1:]
    below = np.maximum.accumulate(np.where(first, position, 0), axis=0)
    upto = np.minimum.accumulate(np.where(last, position + 1, n)[::-1], axis=0)[::-1]
    return below, upto


def interval(values: np.ndarray, level: float = LEVEL) -> tuple[np.ndarray, ...]:
    """``low``, ``high`` and the share of the runs within them, over axis 0 (the runs) of
    ``values``, for every cell of the other axes."""
    n = values.shape[0]
    ordered = np.sort(values, axis=0)
    below, upto = _block_bounds(ordered)
    tail = math.floor((1.0 - level) / 2.0 * n + 1e-9)  # runs allowed outside at each end

    def at(array: np.ndarray, position) -> np.ndarray:
        index = np.broadcast_to(np.asarray(position), ordered.shape[1:])[None]
        return np.take_along_axis(array, index, axis=0)[0]

    # positions: the first run of each candidate's low value and the last run of its high value
    low_first, high_last = at(below, tail), at(upto, n - 1 - tail) - 1
    inner_low, inner_high = at(upto, tail), at(below, n - 1 - tail) - 1
    candidates = [
        (low_first, high_last),  # the percentiles
        (inner_low, high_last),  # without the low end's count
        (low_first, inner_high),  # without the high end's count
        (inner_low, inner_high),  # without either
    ]
    best_off = best_tails = best_low = best_high = None
    for first, last in candidates:
        held = last - first + 1
        off = np.where(first <= last, np.abs(held - level * n), np.inf)
        tails = np.abs(first - (n - 1 - last))
        if best_off is None:
            best_off, best_tails, best_low, best_high = off, tails, first, last
            continue
        # nearest the level, then the tails most alike; an earlier candidate wins a tie
        better = (off < best_off - 1e-9) | ((np.abs(off - best_off) <= 1e-9) & (tails < best_tails))
        best_off = np.where(better, off, best_off)
        best_tails = np.where(better, tails, best_tails)
        best_low = np.where(better, first, best_low)
        best_high = np.where(better, last, best_high)
    return at(ordered, best_low), at(ordered, best_high), (best_high - best_low + 1) / n
