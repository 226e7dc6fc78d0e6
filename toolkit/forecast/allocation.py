"""To which municipality COA links a household: mostly one of those furthest behind its
taakstelling.

COA links status holders under the half-yearly taakstelling, and a municipality's backlog or
surplus at the end of a half-year is carried over into the next one. So each municipality is due
its share of every person linked, nareizigers included, on top of what it was behind when the
forecast began (``backlog``, from the log). Nareizigers go where their referent went, and count
for that municipality.

The rule is no clockwork, and the log shows only part of what COA weighs: replayed on the log,
the household seldom went to the one municipality furthest behind as the log counts it, but
nearly always to one of those well behind. So the next household goes to a municipality drawn
with probability proportional to its share x exp(behind / ``spread``), ``spread`` in persons
learnt from the log (:func:`toolkit.forecast.model.allocation_spread`): near 0 it is the one
furthest behind, large it is the share alone.

Each household depends on the ones before it, so the koppelingen of a run are taken one by one;
the runs are independent, so :func:`link` takes the j-th koppeling of many runs in one array step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Koppelingen:
    """One run's koppelingen in time order: persons, the known municipality (``fixed`` >= 0), the
    position of the referent a family joins (``follows`` >= 0), and the run's shares."""

    sizes: np.ndarray
    fixed: np.ndarray
    follows: np.ndarray
    shares: np.ndarray


def link(
    runs: list[Koppelingen], backlog: np.ndarray, spread: float, rng: np.random.Generator
) -> list[np.ndarray]:
    """Municipality index of every koppeling of each run; ``backlog`` is the persons each
    municipality was behind at the start (the same in every run), ``spread`` how much being
    behind counts (see the module; 0: the one furthest behind)."""
    count = max((len(r.sizes) for r in runs), default=0)
    size = np.zeros((len(runs), count))  # a run with fewer koppelingen pads with nobody
    fixed = np.full((len(runs), count), -1)
    follows = np.full((len(runs), count), -1)
    for i, r in enumerate(runs):
        size[i, : len(r.sizes)] = r.sizes
        fixed[i, : len(r.sizes)] = r.fixed
        follows[i, : len(r.sizes)] = r.follows
    shares = np.array([r.shares for r in runs]).reshape(len(runs), len(backlog))
    # municipalities without a share get nobody: they are never behind
    behind = np.where(shares > 0, backlog[None, :].astype(float), -np.inf)
    log_share = np.log(np.where(shares > 0, shares, 1.0))
    due = np.empty_like(behind)
    weight = np.empty_like(behind)
    out = np.zeros((len(runs), count), dtype=np.int64)
    rows = np.arange(len(runs))
    for j in range(count):
        behind += np.multiply(shares, size[:, j, None], out=due)
        if spread > 0:
            np.divide(behind, spread, out=weight)
            weight += log_share
            weight -= weight.max(axis=1, keepdims=True)
            np.exp(weight, out=weight)
            np.cumsum(weight, axis=1, out=weight)
            drawn = rng.random((len(runs), 1)) * weight[:, -1:]
            chosen = np.minimum((weight <= drawn).sum(axis=1), len(backlog) - 1)
        else:
            chosen = np.argmax(behind, axis=1)
        joined = out[rows, np.maximum(follows[:, j], 0)]
        m = np.where(fixed[:, j] >= 0, fixed[:, j], np.where(follows[:, j] >= 0, joined, chosen))
        out[:, j] = m
        behind[rows, m] -= size[:, j]
    return [out[i, : len(r.sizes)] for i, r in enumerate(runs)]
