"""Grouped sums (toolkit/bottlenecks/sums.py) are pandas' grouped sums to the bit, on both of
pandas' paths: keys in order without missing values (numpy's reduceat), and the rest
(compensated sums in the values' order)."""

import numpy as np
import pandas as pd
import pytest

from toolkit.bottlenecks.sums import by_group, grouped_sums

RNG = np.random.default_rng(5)
N = 20_000


def _values(n: int = N) -> np.ndarray:
    return RNG.exponential(40.0, n) * RNG.choice([1e-4, 1.0, 1e4], n)


def _cases() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    with_gaps = _values()
    with_gaps[::53] = np.nan
    infinite = _values()
    infinite[[3, 400]] = np.inf
    return {
        "random keys": (RNG.integers(0, 2_000, N), _values()),
        "random keys, missing values": (RNG.integers(0, 2_000, N), with_gaps),
        "keys in order": (np.sort(RNG.integers(0, 2_000, N)), _values()),
        "keys in order, missing values": (np.sort(RNG.integers(0, 2_000, N)), with_gaps),
        "one key": (np.zeros(N, dtype=np.int64), _values()),
        "cancelling values": (np.zeros(4, dtype=np.int64), np.array([1e16, 1.0, -1e16, 3.0])),
        "cancelling values, keys out of order": (np.array([1, 1, 1, 1, 0]),
                                                 np.array([1e16, 1.0, -1e16, 3.0, 2.0])),
        "infinite values": (RNG.integers(0, 50, N), infinite),
        "int32 keys": (RNG.integers(0, 300, N).astype(np.int32), _values()),
        "empty": (np.zeros(0, dtype=np.int64), np.zeros(0)),
    }  # fmt: skip


@pytest.mark.parametrize("case", list(_cases()))
def test_grouped_sums_are_pandas_to_the_bit(case: str) -> None:
    keys, values = _cases()[case]
    distinct, sums = grouped_sums(keys, values)
    expected = pd.Series(values, dtype=float).groupby(keys).sum()
    assert distinct.tolist() == expected.index.tolist()
    assert np.array_equal(sums, expected.to_numpy(), equal_nan=True)


def test_the_two_ways_of_adding_differ_where_pandas_differs() -> None:
    values = np.array([1e16, 1.0, -1e16, 3.0])
    # in order: numpy's reduceat, which adds the 1 and the 3 apart from the large values
    assert grouped_sums(np.zeros(4, dtype=np.int64), values)[1].tolist() == [4.0]
    # out of order: compensated, value after value; 1e16 + 1 loses the 1 for good
    keys = np.array([1, 1, 1, 1, 0])
    assert grouped_sums(keys, np.append(values, 2.0))[1].tolist() == [2.0, 3.0]


def test_by_group_keeps_each_groups_values_in_order_and_leaves_out_no_group() -> None:
    starts, grouped = by_group(np.array([2, -1, 0, 2, 0]), np.array([1.0, 9.0, 2.0, 3.0, 4.0]), 3)
    assert starts.tolist() == [0, 2, 2, 4]
    assert grouped.tolist() == [2.0, 4.0, 1.0, 3.0]
