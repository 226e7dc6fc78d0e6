"""To which municipality COA links a household: the one furthest behind its taakstelling.

COA links status holders under the half-yearly taakstelling, so within a half-year each
municipality's linked persons keep close to its share: the next household goes to the
municipality with the largest shortfall (its share of all persons linked this half-year, this
household included, minus what it has). Nareizigers go where their referent went, and count for
that municipality. The shortfall starts from the persons each municipality already received in
the current half-year before the forecast began, so a municipality behind catches up.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(nogil=True, cache=True)
def link(
    sizes: np.ndarray,
    fixed: np.ndarray,
    follows: np.ndarray,
    period: np.ndarray,
    shares: np.ndarray,
    before: np.ndarray,
) -> np.ndarray:  # pragma: no cover
    """Municipality index of each koppeling, given in time order: ``fixed`` (>= 0) is known,
    ``follows`` (>= 0) is the position of the referent whose municipality a family joins,
    ``period`` the half-year of each (0 is the current one, whose ``before`` persons count)."""
    out = np.empty(len(sizes), dtype=np.int64)
    linked = before.copy()
    current = 0
    for j in range(len(sizes)):
        if period[j] != current:
            current = period[j]
            linked[:] = 0.0
        if fixed[j] >= 0:
            m = fixed[j]
        elif follows[j] >= 0:
            m = out[follows[j]]
        else:
            m = int(np.argmax(shares * (linked.sum() + sizes[j]) - linked))
        out[j] = m
        linked[m] += sizes[j]
    return out
