"""To which municipality COA links a household: the one furthest behind its taakstelling.

COA links status holders under the half-yearly taakstelling, and a municipality's backlog or
surplus at the end of a half-year is carried over into the next one. So each municipality is due
its share of every person linked, nareizigers included, on top of what it was behind when the
forecast began (``backlog``, from the log); the next household goes to the municipality furthest
behind (largest due minus received). Nareizigers go where their referent went, and count for that
municipality.

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


def link(runs: list[Koppelingen], backlog: np.ndarray) -> list[np.ndarray]:
    """Municipality index of every koppeling of each run; ``backlog`` is the persons each
    municipality was behind at the start (the same in every run)."""
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
    due = np.empty_like(behind)
    out = np.zeros((len(runs), count), dtype=np.int64)
    rows = np.arange(len(runs))
    for j in range(count):
        behind += np.multiply(shares, size[:, j, None], out=due)
        furthest = np.argmax(behind, axis=1)
        joined = out[rows, np.maximum(follows[:, j], 0)]
        m = np.where(fixed[:, j] >= 0, fixed[:, j], np.where(follows[:, j] >= 0, joined, furthest))
        out[:, j] = m
        behind[rows, m] -= size[:, j]
    return [out[i, : len(r.sizes)] for i, r in enumerate(runs)]
