"""Kaplan-Meier estimates of waiting times with people still waiting (right-censored).

A median over the finished cases only is biased low whenever a backlog grows: the long waits are
exactly the ones not finished yet. The Kaplan-Meier estimate counts a person still waiting as
"at least this long" instead. A median that the estimate never reaches (survival stays above
one half) is not knowable from the data and is returned as None, never invented.

Waits observed only from some moment on (delayed entry, left truncation: the forecast learns from
the waits under way in a recent window, so a wait that began before the window is known to have
lasted at least until its start) are at risk only after their ``entry`` day, as lifelines'
``KaplanMeierFitter.fit(..., entry=...)`` does.
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
        reached = np.flatnonzero(reached_quantile(self.survival, q))
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


def reached_quantile(survival: np.ndarray, q: float) -> np.ndarray:
    """Where a survival curve has reached quantile ``q`` (P(duration <= t) >= q), allowing for
    the rounding of a long product (a curve that should be exactly one half can be 0.5 + 1e-16)."""
    return survival <= _reached_at(q)


def _reached_at(q: float) -> float:
    """The survival at or below which quantile ``q`` counts as reached."""
    return 1.0 - q + 1e-12


def censored_data(days: Sequence[float] | np.ndarray, censored: Sequence[bool] | np.ndarray):
    """scipy's CensoredData from durations and a flag per person that is True while waiting.

    Example::

        >>> censored_data([1.0, 2.0], [False, True]).num_censored()
        1
    """
    days = np.asarray(days, dtype=float)
    censored = np.asarray(censored, dtype=bool)
    return stats.CensoredData(uncensored=days[~censored], right=days[censored])


def _product_limit(days: np.ndarray, events: np.ndarray):
    """Unique times, survival, at risk and events: scipy.stats.ecdf's right-censored estimate,
    the same arithmetic step by step (so the same numbers), without its per-call overhead."""
    order = np.argsort(days)  # ties in any order: each step counts a tie as a whole
    times = days[order]
    died = events[order].astype(np.int64)
    at_risk = np.arange(times.size, 0, -1)
    steps = np.diff(times, prepend=-np.inf, append=np.inf) > 0
    first, last = steps[:-1], steps[1:]
    unique, n = times[first], at_risk[first]
    d = np.diff(np.cumsum(died)[last], prepend=0)
    return unique, np.cumprod((n - d) / n), n, d


def _product_limit_with_entry(days: np.ndarray, events: np.ndarray, entry: np.ndarray):
    """Unique times and survival when each wait is at risk only after its ``entry`` day: at risk
    at t are those entered before t that had not ended before t. As lifelines, those entering at
    the very first moment (day 0 for waits observed from their start) are at risk at it."""
    times = np.unique(days)
    entries = np.sort(entry)
    first = min(days.min(), entries[0])
    entered = np.searchsorted(entries, times, side="left")
    entered += np.where(times == first, (entries == first).sum(), 0)
    ended = np.searchsorted(np.sort(days), times, side="left")
    n = entered - ended
    d = np.bincount(np.searchsorted(times, days[events]), minlength=times.size)
    factor = np.where(n > 0, (n - d) / np.maximum(n, 1), 1.0)
    return times, np.cumprod(factor)


def kaplan_meier(
    days: Sequence[float] | np.ndarray,
    censored: Sequence[bool] | np.ndarray,
    entry: Sequence[float] | np.ndarray | None = None,
) -> KaplanMeier:
    """The Kaplan-Meier estimate of durations with right-censoring (as scipy.stats.ecdf), and
    with delayed entry when ``entry`` gives the day from which each wait was observed.

    Example::

        >>> kaplan_meier([1.0, 2.0, 3.0], [False, True, False]).median
        3.0
        >>> kaplan_meier([1.0, 2.0, 3.0], [False, False, False], entry=[0.0, 0.5, 0.5]).median
        2.0
    """
    days = np.asarray(days, dtype=float)
    censored = np.asarray(censored, dtype=bool)
    completed = int((~censored).sum())
    if completed == 0:
        return KaplanMeier(np.array([]), np.array([]), len(days), 0)
    if entry is None:
        times, survival, _, _ = _product_limit(days, ~censored)
    else:
        entry = np.asarray(entry, dtype=float)
        times, survival = _product_limit_with_entry(days, ~censored, entry)
    return KaplanMeier(times, survival, len(days), completed)
