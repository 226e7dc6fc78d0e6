"""Survival curves per half-year cohort, from the person-interval table.

Under a growing backlog a curve over all cohorts together (pooled) mixes the short waits of early
cohorts with the long ones of later cohorts. So beside the pooled curve (``cohort`` ``all``)
every interval has one per half-year cohort of its start. Only the persons who can reach the
interval's end are in a curve (:func:`toolkit.metrics.person_table.waiting_population`), as in
the medians; persons still waiting count as "at least this long" (Kaplan-Meier). The curves are
read at the end of every week since the start (``days`` 0, 7, 14, ... up to the longest
follow-up): a table of a few thousand rows whatever the size of the log. Example::

    >>> cohort_curves(person_table(log)).query("interval == 'N13'")  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.bottlenecks.survival import kaplan_meier
from toolkit.cellkeys import at_least, is_key, key_of
from toolkit.metrics.person_table import waiting_population

POOLED = "all"
WEEK = 7.0
COLUMNS = ["interval", "cohort", "days", "survival", "at_risk", "persons"]


def cohort_curves(table: pd.DataFrame) -> pd.DataFrame:
    """Per interval of ``table`` (a person-interval table, or a row mask of one), the pooled
    curve and each cohort's: S(t) at whole weeks and the persons still at risk then."""
    waiting = waiting_population(table)
    frames = []
    for interval, rows in waiting.groupby("interval", sort=False):
        for cohort, group in [(POOLED, rows), *rows.groupby("cohort", sort=True)]:
            reached = group["outcome"].to_numpy() == "reached"
            days = group["days"].to_numpy(dtype=float)
            curve = weekly(days, reached).assign(interval=interval, cohort=str(cohort))
            if "key" in group.columns:  # the cell keys of its counts (toolkit.cellkeys)
                keys = group["key"].to_numpy(dtype=np.int64)
                curve[key_of("at_risk")] = at_least(days, keys, curve["days"].to_numpy())
                curve[key_of("persons")] = keys.sum()
            frames.append(curve)
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    return out[[*COLUMNS, *(c for c in out.columns if is_key(c))]]


def weekly(days: np.ndarray, reached: np.ndarray) -> pd.DataFrame:
    """The Kaplan-Meier curve read at whole weeks: S(7w) and the persons with days >= 7w.

    Example::

        >>> weekly(np.array([3.0, 10.0]), np.array([True, False]))["survival"].tolist()
        [1.0, 0.5]
    """
    km = kaplan_meier(days, ~reached)
    at = np.arange(0.0, float(days.max()) + WEEK / 2, WEEK)
    at = at[at <= days.max()]
    step = np.searchsorted(km.times, at, side="right") - 1
    survival = np.where(step < 0, 1.0, km.survival[np.maximum(step, 0)] if km.completed else 1.0)
    at_risk = len(days) - np.searchsorted(np.sort(days), at, side="left")
    return pd.DataFrame(
        {"days": at, "survival": survival, "at_risk": at_risk.astype("int64"),
         "persons": km.persons}
    )  # fmt: skip
