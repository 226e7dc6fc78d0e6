"""Grouped sums that are pandas' to the last bit, without a pandas grouping; values by group.

The waits per transition and the COA stays per person and location are summed many times per
filter change; a pandas grouping of a few hundred thousand rows costs more than the adding. The
figures must not change by going faster, so the sums here take the path pandas takes
(``pandas/core/groupby/ops.py``): with the keys already in order and no missing value, numpy's
``add.reduceat``; otherwise each group's values in their order, compensated (Kahan) as pandas'
compiled grouped sum adds them, missing values left out. Example::

    >>> keys, sums = grouped_sums(np.array([3, 1, 3]), np.array([0.5, 2.0, 1.0]))
    >>> keys.tolist(), sums.tolist()
    ([1, 3], [2.0, 1.5])
"""

from __future__ import annotations

import numpy as np
from numba import njit


def grouped_sums(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys in order and the sum of each key's values: the same to the bit as
    ``pd.Series(values).groupby(keys).sum()`` (integer keys, float values)."""
    values = np.asarray(values, dtype=np.float64)
    if keys.size == 0:
        return keys[:0], np.zeros(0)
    if bool(np.all(keys[1:] >= keys[:-1])) and not np.isnan(values).any():
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        return keys[starts], np.add.reduceat(values, starts)
    return _compensated(keys, values, np.argsort(keys, kind="stable"))


@njit(nogil=True, cache=True)
def _compensated(keys, values, order):  # pragma: no cover
    """:func:`grouped_sums` the compensated way, given the keys' stable order (a key's values
    in their own order), as pandas' compiled grouped sum adds them."""
    distinct = np.empty(keys.size, keys.dtype)
    sums = np.zeros(keys.size)
    found = -1
    compensation = 0.0
    for i in order:
        if found < 0 or keys[i] != distinct[found]:
            found += 1
            distinct[found] = keys[i]
            compensation = 0.0
        value = values[i]
        if np.isnan(value):
            continue
        y = value - compensation
        t = sums[found] + y
        compensation = t - sums[found] - y
        if np.isnan(compensation):  # an infinite value: keep it, as pandas does
            compensation = 0.0
        sums[found] = t
    return distinct[: found + 1], sums[: found + 1]


@njit(nogil=True, cache=True)
def by_group(groups, values, size):  # pragma: no cover
    """``(starts, grouped)``: the values grouped by their group (0 to ``size`` - 1; -1: none,
    left out), each group's in their own order; group g is ``grouped[starts[g]:starts[g + 1]]``.
    A counting sort: one pass to count, one to place."""
    starts = np.zeros(size + 1, np.int64)
    for g in groups:
        if g >= 0:
            starts[g + 1] += 1
    starts = np.cumsum(starts)
    grouped = np.empty(starts[-1], values.dtype)
    filled = starts[:-1].copy()
    for i in range(groups.size):
        g = groups[i]
        if g >= 0:
            grouped[filled[g]] = values[i]
            filled[g] += 1
    return starts, grouped
