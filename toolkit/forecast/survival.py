"""Kaplan-Meier with delayed entry, and drawing a remaining wait given the time already waited.

Why delayed entry: the forecast wants today's pace, so it learns from the waits that were under
way in a recent window (the experience of the cohorts waiting then), not from every wait since
the log began. A wait that started before the window enters the risk set only at the window's
start, so the estimate is the usual left-truncated, right-censored Kaplan-Meier: people still
waiting at the as-of moment are censored, not dropped, and a growing backlog does not look fast.
Checked against lifelines' ``KaplanMeierFitter(entry=...)`` in the tests.


A remaining wait for someone who has waited ``e`` days is drawn from S(t) / S(e), t > e. Where
the curve stays above the drawn level (no one in the window waited that long and then
moved on) the draw is "not within sight": ``inf``. Example::

    >>> km = kaplan_meier(np.array([5.0, 10.0, 20.0]), np.array([True, True, False]))
    >>> float(km.survival_at(np.array([7.0]))[0])
    0.6666666666666667
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Survival:
    """A step survival curve: ``surv[i]`` holds from ``times[i]`` on; 1 before ``times[0]``."""

    times: np.ndarray
    surv: np.ndarray
    events: int

    def survival_at(self, t: np.ndarray) -> np.ndarray:
        index = np.searchsorted(self.times, t, side="right") - 1
        out = np.ones(len(t))
        inside = index >= 0
        out[inside] = self.surv[index[inside]]
        return out

    def quantile(self, q: float) -> float:
        """The wait by which a share ``q`` has moved on (``inf`` when not reached)."""
        reached = np.nonzero(self.surv <= 1.0 - q)[0]
        return float(self.times[reached[0]]) if len(reached) else float("inf")

    def draw(self, elapsed: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The total wait (including ``elapsed``) of each person, drawn given ``elapsed``."""
        if len(self.times) == 0:
            return np.full(len(elapsed), np.inf)
        target = self.survival_at(elapsed) * rng.random(len(elapsed))
        index = np.searchsorted(-self.surv, -target, side="left")
        out = np.full(len(elapsed), np.inf)
        found = index < len(self.times)
        out[found] = np.maximum(self.times[index[found]], elapsed[found])
        return out


def kaplan_meier(
    duration: np.ndarray, observed: np.ndarray, entry: np.ndarray | None = None
) -> Survival:
    """The Kaplan-Meier curve of waits ``duration`` (days), ended where ``observed``, each at
    risk only after ``entry`` days (delayed entry; default 0)."""
    duration = np.asarray(duration, dtype=float)
    observed = np.asarray(observed, dtype=bool)
    entry = np.zeros(len(duration)) if entry is None else np.asarray(entry, dtype=float)
    times = np.unique(duration[observed])
    if len(times) == 0:
        return Survival(np.array([]), np.array([]), 0)
    # at risk at t: entered before t and not ended before t
    entered = np.searchsorted(np.sort(entry), times, side="left")
    ended = np.searchsorted(np.sort(duration), times, side="left")
    at_risk = entered - ended
    deaths = np.bincount(np.searchsorted(times, duration[observed]), minlength=len(times))
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(at_risk > 0, 1.0 - deaths / np.maximum(at_risk, 1), 1.0)
    return Survival(times, np.cumprod(factor), int(observed.sum()))
