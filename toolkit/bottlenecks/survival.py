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
from numba import njit
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


def kaplan_meier(
    days: Sequence[float] | np.ndarray, censored: Sequence[bool] | np.ndarray
) -> KaplanMeier:
    """The Kaplan-Meier estimate of durations with right-censoring (as scipy.stats.ecdf).

    Example::

        >>> kaplan_meier([1.0, 2.0, 3.0], [False, True, False]).median
        3.0
    """
    days = np.asarray(days, dtype=float)
    censored = np.asarray(censored, dtype=bool)
    completed = int((~censored).sum())
    if completed == 0:
        return KaplanMeier(np.array([]), np.array([]), len(days), 0)
    times, survival, _, _ = _product_limit(days, ~censored)
    return KaplanMeier(times, survival, len(days), completed)


@dataclass(frozen=True)
class Steps:
    """The steps of a Kaplan-Meier estimate of durations sorted once, for any group within them.

    ``times`` are the distinct durations at which somebody finished, ``at_risk`` and ``deaths``
    everybody's numbers there, ``step`` each sorted person's step (the last one at or before
    their duration; -1 before the first). A group's numbers at every step then come from one
    walk through the persons that keeps each group's members at risk as they leave
    (:meth:`medians_by_group`, :func:`logrank_z`), compiled: the integers are those of the
    group's own estimate, and the walk does not hold the interpreter, so other threads run.

    Example::

        >>> steps = Steps.of(np.array([1.0, 2.0, 2.0, 5.0]), np.array([True, True, False, True]))
        >>> steps.times.tolist(), steps.at_risk.tolist(), steps.deaths.tolist()
        ([1.0, 2.0, 5.0], [4, 3, 1], [1, 1, 1])
    """

    times: np.ndarray
    at_risk: np.ndarray
    deaths: np.ndarray
    step: np.ndarray
    events: np.ndarray

    @classmethod
    def of(cls, days: np.ndarray, events: np.ndarray) -> Steps:
        """``days`` sorted ascending, ``events`` True where the person finished."""
        starts = np.flatnonzero(np.diff(days, prepend=-np.inf) > 0)
        ends = np.append(starts[1:], days.size)
        finished = np.concatenate([[0], np.cumsum(events)])
        deaths = finished[ends] - finished[starts]
        observed = deaths > 0
        starts = starts[observed]
        begins = np.zeros(days.size, dtype=np.int64)
        begins[starts] = 1
        step = np.cumsum(begins) - 1  # the steps begun at or before each person
        return cls(days[starts], days.size - starts, deaths[observed], step, events)

    def medians_by_group(self, groups: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Kaplan-Meier medians of each group and of everybody outside it (NaN: not reached).

        ``groups`` holds each sorted person's group, 0 to ``size - 1``, or -1 for none. The
        rest's numbers are everybody's minus the group's at every step. Both curves multiply
        the factors of their own estimates in the same order (a step where nobody of them
        finished multiplies by exactly one), so each median is that of
        :func:`kaplan_meier` on the group or on the rest.
        """
        own, rest = _median_steps(self.step, self.events, groups, size, self.at_risk,
                                  self.deaths, _reached_at(MEDIAN))  # fmt: skip
        times = np.append(self.times, np.nan)  # step -1: not reached
        return times[own], times[rest]


@njit(nogil=True, cache=True)
def _at_first_step(step, groups, size):  # pragma: no cover
    """Each group's members at risk at the first step (those gone before anybody finished
    left out), and the first person at or after it."""
    members = np.zeros(size, np.int64)
    for g in groups:
        if g >= 0:
            members[g] += 1
    person = 0
    while person < step.size and step[person] < 0:
        if groups[person] >= 0:
            members[groups[person]] -= 1
        person += 1
    return members, person


@njit(nogil=True, cache=True)
def _median_steps(step, events, groups, size, at_risk, deaths, level):  # pragma: no cover
    """The first step at which each group's curve, and the rest's, is at or below ``level``
    (-1: never): one walk through the persons in the order of their durations, with each
    group's numbers at risk kept as its members leave."""
    members, person = _at_first_step(step, groups, size)
    persons = step.size
    died = np.zeros(size, np.int64)
    own, rest = np.full(size, -1), np.full(size, -1)
    own_curve, rest_curve = np.ones(size), np.ones(size)
    left = size
    for s in range(at_risk.size):
        end = person
        while end < persons and step[end] == s:
            if groups[end] >= 0 and events[end]:
                died[groups[end]] += 1
            end += 1
        for g in range(size):
            if own[g] < 0 and died[g] > 0:
                own_curve[g] *= (members[g] - died[g]) / members[g]
                if own_curve[g] <= level:
                    own[g] = s
            outside = at_risk[s] - members[g]
            if rest[g] < 0 and outside > 0:
                rest_curve[g] *= (outside - (deaths[s] - died[g])) / outside
                if rest_curve[g] <= level:
                    rest[g] = s
                    left -= 1
        for k in range(person, end):
            if groups[k] >= 0:
                members[groups[k]] -= 1
                died[groups[k]] = 0
        person = end
        if left == 0 and (own >= 0).all():
            break
    return own, rest


@njit(nogil=True, cache=True)
def _logrank_sums(step, events, groups, size, at_risk, deaths):  # pragma: no cover
    """Each group's finished, expected and variance of the log-rank test, step by step.

    The terms are those of the per-step arrays the test is defined by; they are added up one
    after another (not pairwise, as numpy adds an array), so a statistic can differ from
    numpy's sum of those arrays in the last digits (about 1e-14 of it).
    """
    members, person = _at_first_step(step, groups, size)
    persons = step.size
    finished, expected, variance = np.zeros(size), np.zeros(size), np.zeros(size)
    for s in range(at_risk.size):
        n, d = at_risk[s], deaths[s]
        for g in range(size):
            inside = members[g]
            if inside > 0:
                expected[g] += inside * (d / n)
                if n > 1:
                    # each factor exact, each product rounded once: integer arithmetic's
                    # figures, without overflowing on a log of millions
                    top = float(inside * (n - inside)) * float(d * (n - d))
                    variance[g] += top / (float(n * n) * float(n - 1))
        while person < persons and step[person] == s:
            g = groups[person]
            if g >= 0:
                members[g] -= 1
                if events[person]:
                    finished[g] += 1
            person += 1
    return finished, expected, variance


def logrank_z(steps: Steps, groups: np.ndarray, size: int) -> np.ndarray:
    """One-sided log-rank statistic of each group against all the others.

    ``groups``: each sorted person's group, 0 to ``size - 1``, or -1 for none. For each group
    the statistic of ``scipy.stats.logrank(group, rest, alternative="less")`` (the group's waits
    end later: it is slower; its p-value is ``scipy.special.ndtr(z)``), computed from one
    combined estimate for all groups (:class:`Steps`): the combined sample is the same for
    every group of a dimension, only the numbers at risk in the group differ.

    Example::

        >>> from scipy import special
        >>> steps = Steps.of(np.array([1.0, 2.0, 3.0, 8.0, 9.0, 10.0]), np.ones(6, bool))
        >>> z = logrank_z(steps, np.array([0, 0, 0, 1, 1, 1]), 2)
        >>> bool(special.ndtr(z[1]) < 0.05)
        True
    """
    finished, expected, variance = _logrank_sums(steps.step, steps.events, groups, size,
                                                 steps.at_risk, steps.deaths)  # fmt: skip
    return (finished - expected) / np.sqrt(variance)
