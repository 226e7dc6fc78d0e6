"""Kaplan-Meier estimates of waiting times with people still waiting (right-censored).

A median over the finished cases only is biased low whenever a backlog grows: the long waits are
exactly the ones not finished yet. The Kaplan-Meier estimate counts a person still waiting as
"at least this long" instead. A median that the estimate never reaches (survival stays above
one half) is not knowable from the data and is returned as None, never invented.
Example::

    >>> km = kaplan_meier([1.0, 2.0, 3.0, 4.0, 5.0], [False, False, False, True, True])
    >>> km.median, round(km.share_longer_than(2.5), 3)
    (3.0, 0.6)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

MEDIAN = 0.5
P90 = 0.9


@dataclass(frozen=True)
class KaplanMeier:
    """The survival curve S(t) = P(duration > t) as steps at the observed completion times.

    Example::

        >>> kaplan_meier([2.0, 4.0], [False, False]).survival_at(3.0)
        0.5
    """

    times: np.ndarray
    survival: np.ndarray
    persons: int
    completed: int

    def quantile(self, q: float) -> float | None:
        """Smallest t with P(duration <= t) >= q, or None when the curve never gets there."""
        reached = np.flatnonzero(self.survival <= 1.0 - q + 1e-12)
        return float(self.times[reached[0]]) if reached.size else None

    @property
    def median(self) -> float | None:
        return self.quantile(MEDIAN)

    @property
    def p90(self) -> float | None:
        return self.quantile(P90)

    def survival_at(self, t: float) -> float:
        """S(t): the estimated share still waiting after t days."""
        idx = np.searchsorted(self.times, t, side="right") - 1
        return 1.0 if idx < 0 else float(self.survival[idx])

    def share_longer_than(self, t: float) -> float:
        """P(duration > t), the share over a maximum norm of t days."""
        return self.survival_at(t)

    def share_shorter_than(self, t: float) -> float:
        """P(duration < t), the share under a minimum norm of t days."""
        return 1.0 - self.survival_at(float(np.nextafter(t, -np.inf)))

    def restricted_mean(self, horizon: float) -> float:
        """Mean duration restricted to ``horizon`` days: the area under S(t) from 0 to horizon."""
        edges = np.concatenate([[0.0], self.times[self.times < horizon], [horizon]])
        levels = np.concatenate([[1.0], self.survival[self.times < horizon]])
        return float(np.sum(np.diff(edges) * levels))


def censored_data(days: Sequence[float] | np.ndarray, censored: Sequence[bool] | np.ndarray):
    """scipy's CensoredData from durations and a flag per person that is True while waiting.

    Example::

        >>> censored_data([1.0, 2.0], [False, True]).num_censored()
        1
    """
    days = np.asarray(days, dtype=float)
    censored = np.asarray(censored, dtype=bool)
    return stats.CensoredData(uncensored=days[~censored], right=days[censored])


def kaplan_meier(
    days: Sequence[float] | np.ndarray, censored: Sequence[bool] | np.ndarray
) -> KaplanMeier:
    """The Kaplan-Meier estimate (scipy.stats.ecdf) of durations with right-censoring.

    Example::

        >>> kaplan_meier([1.0, 2.0, 3.0], [False, True, False]).median
        3.0
    """
    days = np.asarray(days, dtype=float)
    censored = np.asarray(censored, dtype=bool)
    completed = int((~censored).sum())
    if completed == 0:
        return KaplanMeier(np.array([]), np.array([]), len(days), 0)
    sf = stats.ecdf(censored_data(days, censored)).sf
    times = np.asarray(sf.quantiles, dtype=float)
    survival = np.asarray(sf.probabilities, dtype=float)
    return KaplanMeier(times, survival, len(days), completed)
