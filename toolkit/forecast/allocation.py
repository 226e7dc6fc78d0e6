"""To which municipality COA links a household: the one furthest behind its taakstelling.

COA links status holders under the half-yearly taakstelling, and a municipality's backlog or
surplus at the end of a half-year is carried over into the next one. So each municipality is due
its share of every person linked, nareizigers included, on top of what it was behind when the
forecast began (``backlog``, from the log); the next household goes to the municipality furthest
behind (largest due minus received). Nareizigers go where their referent went, and count for that
municipality.
"""

from __future__ import annotations

import numpy as np


def link(
    sizes: np.ndarray,
    fixed: np.ndarray,
    follows: np.ndarray,
    shares: np.ndarray,
    backlog: np.ndarray,
) -> np.ndarray:
    """Municipality index of each koppeling, given in time order: ``fixed`` (>= 0) is known,
    ``follows`` (>= 0) is the position of the referent whose municipality a family joins;
    ``backlog`` is the persons each municipality was behind at the start."""
    out = np.empty(len(sizes), dtype=np.int64)
    behind = backlog.astype(float)  # a copy, counted down as households are linked
    open_ = np.where(shares > 0, 0.0, -np.inf)  # municipalities without a share get nobody
    for j, (size, known, referent) in enumerate(zip(sizes, fixed, follows, strict=True)):
        behind += shares * size
        if known >= 0:
            m = known
        elif referent >= 0:
            m = out[referent]
        else:
            m = int(np.argmax(behind + open_))
        out[j] = m
        behind[m] -= size
    return out
