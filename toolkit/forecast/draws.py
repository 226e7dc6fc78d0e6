"""Drawing a remaining wait from a Kaplan-Meier curve, given the time already waited.

The curves are the project's one Kaplan-Meier (:func:`toolkit.bottlenecks.survival.kaplan_meier`,
with delayed entry for the waits under way in a recent window); this module only samples them.
A remaining wait for someone who has waited ``e`` days is drawn from S(t) / S(e), t > e. Where
the curve stays above the drawn level (no one in the window waited that long and then moved on)
the draw is "not within sight": ``inf``. Example::

    >>> km = kaplan_meier([5.0, 10.0, 20.0], [False, False, True])
    >>> float(survival_at(km, np.array([7.0]))[0])
    0.6666666666666666
"""

from __future__ import annotations

import numpy as np

from toolkit.bottlenecks.survival import KaplanMeier, kaplan_meier

__all__ = ["draw", "kaplan_meier", "survival_at"]


def survival_at(km: KaplanMeier, t: np.ndarray) -> np.ndarray:
    """S(t) at each of the days ``t`` (1 before the curve's first step)."""
    index = np.searchsorted(km.times, t, side="right") - 1
    out = np.ones(len(t))
    inside = index >= 0
    out[inside] = km.survival[index[inside]]
    return out


def draw(km: KaplanMeier, elapsed: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The total wait (including ``elapsed``) of each person, drawn given ``elapsed``."""
    if len(km.times) == 0:
        return np.full(len(elapsed), np.inf)
    target = survival_at(km, elapsed) * rng.random(len(elapsed))
    index = np.searchsorted(-km.survival, -target, side="left")
    out = np.full(len(elapsed), np.inf)
    found = index < len(km.times)
    out[found] = np.maximum(km.times[index[found]], elapsed[found])
    return out
