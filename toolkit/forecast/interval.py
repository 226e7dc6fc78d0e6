"""The 80% interval of a simulated count: the range of counts that holds the share of the runs
nearest 80%.

A count is discrete, so the 10th and 90th percentiles of the runs are no 80% interval: a
municipality that receives nobody in 93 runs of 100 gets 0 to 0, which holds 93% of the runs,
and an interval whose ends are whole counts holds its edge counts in full. Here every range
``[low, high]`` of counts that occur in the runs is a candidate, and the one whose share of the
runs is nearest ``level`` wins; among equally near ones, the one whose two tails (runs below
``low``, runs above ``high``) are most alike, then the narrower. Its share of the runs is
returned too: the probability that the interval holds the count, as the forecast sees it. It is
80% as nearly as the counts allow, and more where one count alone is more likely than that
(0 to 0 at 93%: no range of counts holds nearer 80%). Example::

    >>> runs = np.array([[0], [0], [0], [0], [0], [0], [0], [0], [1], [4]])
    >>> interval(runs)
    (array([0]), array([0]), array([0.8]))
"""

from __future__ import annotations

import numpy as np

LEVEL = 0.8


def _positions(values: np.ndarray) -> np.ndarray:
    """0 .. runs-1 along axis 0, shaped to broadcast against ``values``."""
    n = values.shape[0]
    return np.arange(n).reshape((n,) + (1,) * (values.ndim - 1))


def _block_bounds(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each position of the sorted runs (axis 0): the runs below its value and the runs at
    or below it (the first position of its value and one past its last)."""
    n, position = ordered.shape[0], _positions(ordered)
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
    n, position = values.shape[0], _positions(values)
    ordered = np.sort(values, axis=0)
    below, upto = _block_bounds(ordered)
    # with the value at position i as low: the first position whose value takes the range to at
    # least `level` of the runs, and the last position of the value before that one
    reach = np.clip(np.ceil(below + level * n - 1e-9).astype(int) - 1, position, n - 1)
    short = np.maximum(np.take_along_axis(below, reach, axis=0) - 1, position)
    tops = np.concatenate([reach, short], axis=0)
    lows = np.concatenate([ordered, ordered], axis=0)
    runs_below = np.concatenate([below, below], axis=0)
    runs_upto = np.take_along_axis(upto, tops, axis=0)
    held = runs_upto - runs_below
    # nearest the level, then the tails most alike, then the narrowest, then the lower
    off = np.abs(held - level * n)
    tails = np.abs(runs_below - (n - runs_upto))
    width = np.take_along_axis(ordered, tops, axis=0) - lows
    order = (np.broadcast_to(lows, held.shape), width, tails, np.round(off, 9))
    pick = np.lexsort(order, axis=0)[:1]
    low = np.take_along_axis(lows, pick, axis=0)[0]
    high = np.take_along_axis(np.take_along_axis(ordered, tops, axis=0), pick, axis=0)[0]
    return low, high, np.take_along_axis(held, pick, axis=0)[0] / n
