"""Units compared with comparable persons elsewhere: the stratified log-rank test.

A municipality whose status holders were mostly linked in a busy half-year, or an office that
mainly handles the regular procedure, would look slow against everybody. So each unit is
compared within strata (cohort x track): per stratum, the expected number of persons who reach
the end, had the unit's persons finished at the stratum's pooled rate, is the sum of the
stratum's Nelson-Aalen cumulative hazard at each person's exit time; observed minus expected,
summed over the strata, over the square root of the summed hypergeometric variance, is the
stratified log-rank z (negative: slower than expected). The variance's term in the square of the
unit's number at risk is a sum over pairs of the unit's persons, taken in sorted order, so one
pass over the rows gives every unit's statistic at once. Example::

    >>> stratified_logrank(days, reached, unit, stratum)  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from toolkit.bottlenecks.survival import MEDIAN, kaplan_meier


def stratified_logrank(
    days: np.ndarray, reached: np.ndarray, unit: np.ndarray, stratum: np.ndarray
) -> pd.DataFrame:
    """Per unit: ``observed`` and ``expected`` ends, ``variance``, ``z`` and the one-sided
    ``p_value`` of being slower (fewer ends than expected), within strata.

    ``unit`` and ``stratum`` are integer codes (``unit`` -1: counted in the strata, tested for
    no unit). Example::

        >>> t = stratified_logrank(np.array([1.0, 2, 3, 4]), np.array([True] * 4),
        ...                        np.array([0, 0, 1, 1]), np.zeros(4, int))
        >>> t["observed"].tolist(), [round(e, 3) for e in t["expected"]]
        ([2.0, 2.0], [0.583, 3.417])
    """
    days = np.asarray(days, dtype=float)
    reached = np.asarray(reached, dtype=bool)
    unit = np.asarray(unit)
    stratum = np.asarray(stratum)
    units = int(unit.max(initial=-1)) + 1
    hazard, weight, pair = (np.zeros(days.size) for _ in range(3))
    for s in np.unique(stratum):
        rows = np.flatnonzero(stratum == s)
        times, ends = np.unique(days[rows][reached[rows]], return_counts=True)
        if times.size == 0:
            continue
        sorted_days = np.sort(days[rows])
        at_risk = sorted_days.size - np.searchsorted(sorted_days, times, side="left")
        # the hypergeometric weight d (n - d) / (n (n - 1)); zero where one person is at risk
        spare = np.maximum(at_risk - 1, 1)
        w = ends * (at_risk - ends) / (at_risk * spare)
        upto = np.searchsorted(times, days[rows], side="right")
        for out, steps in ((hazard, ends / at_risk), (weight, w), (pair, w / at_risk)):
            out[rows] = np.concatenate([[0.0], np.cumsum(steps)])[upto]
    tested = unit >= 0
    observed = np.bincount(unit[tested], weights=reached[tested], minlength=units)
    expected = np.bincount(unit[tested], weights=hazard[tested], minlength=units)
    # sum over pairs (i, j) of the unit in the stratum of pair(min(T_i, T_j)): in order of the
    # exit time, the k-th of m pairs with 2 (m - k) - 1 members (itself, and twice each later)
    rows = np.flatnonzero(tested)
    rows = rows[np.lexsort((days[rows], stratum[rows], unit[rows]))]  # stable: ties keep order
    u, s = unit[rows], stratum[rows]
    starts = np.flatnonzero(np.r_[True, (u[1:] != u[:-1]) | (s[1:] != s[:-1])])
    ends = np.r_[starts[1:], rows.size]  # each (unit, stratum) run's end
    later = np.repeat(ends, ends - starts) - 1 - np.arange(rows.size)  # members after this one
    squares = np.bincount(u, weights=pair[rows] * (2 * later + 1), minlength=units)
    variance = np.bincount(unit[tested], weights=weight[tested], minlength=units) - squares
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(variance > 0, (observed - expected) / np.sqrt(variance), np.nan)
    return pd.DataFrame(
        {
            "observed": observed,
            "expected": expected,
            "variance": variance,
            "z": z,
            "p_value": stats.norm.cdf(z),
        }
    )


def typical_days(days: np.ndarray, reached: np.ndarray) -> float:
    """What a comparable person waits: the Kaplan-Meier median, or, when the curve never
    reaches one half, the mean restricted to the longest follow-up (a lower bound)."""
    if days.size == 0:
        return np.nan
    km = kaplan_meier(days, ~reached)
    if km.quantile(MEDIAN) is not None:
        return float(km.quantile(MEDIAN))
    return km.restricted_mean(float(days.max())) if km.completed else float(days.max())
