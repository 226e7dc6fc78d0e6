"""Activity instances of a log with life-cycle transitions: a start and its complete as one.

A log that records ``start`` and ``complete`` of its work items (BPIC 2012's W_ activities) has
two events per item. Counted as events, an item looks like a repeated activity, the time spent
working on it looks like a wait between two steps, and every path doubles. So such a log is read
as pm4py reads an interval log (``pm4py.objects.log.util.interval_lifecycle.to_interval``): per
person and activity, each ``complete`` is joined with the earliest ``start`` not yet joined
(first in, first out) into one activity instance from ``start_timestamp`` to ``time:timestamp``,
its service time. A ``complete`` without a start is an instance of no duration; a start never
completed and the other transitions (``schedule``, ``suspend``, ...) are not instances. Waits
then run from the complete of one instance to the start of the next
(:func:`toolkit.bottlenecks.waits.person_waits`), the instances in the order of their starts.

Example::

    >>> import pandas as pd
    >>> log = pd.DataFrame({
    ...     "case:concept:name": ["a"] * 4,
    ...     "concept:name": ["x", "x", "y", "y"],
    ...     "time:timestamp": pd.to_datetime(
    ...         ["2024-01-01", "2024-01-03", "2024-01-04", "2024-01-08"], utc=True),
    ...     "lifecycle:transition": ["start", "complete", "start", "complete"],
    ... })
    >>> service_times(activity_instances(log))[["activity", "instances", "median_days"]].values.tolist()
    [['y', 1, 4.0], ['x', 1, 2.0]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.cellkeys import key_of, key_sums
from toolkit.eventlog import ACTIVITY, CASE, LIFECYCLE, START, TIMESTAMP
from toolkit.mining.ordering import sorted_log

START_TRANSITION = "start"
COMPLETE_TRANSITION = "complete"
SECONDS_PER_DAY = 86_400.0
P90 = 0.9
SERVICE_COLUMNS = ["activity", "instances", "persons", "median_days", "p90_days", "mean_days",
                   "total_days"]  # fmt: skip


def has_lifecycle(log: pd.DataFrame) -> bool:
    """Whether the log records starts of work items (a life cycle to join into instances)."""
    if LIFECYCLE not in log.columns:
        return False
    return bool((log[LIFECYCLE].astype(object) == START_TRANSITION).any())


def activity_instances(log: pd.DataFrame) -> pd.DataFrame:
    """The log with one row per activity instance (see the module): the complete's row, with
    ``start_timestamp`` the joined start's moment (its own without one), in the order of the
    starts. A log without life-cycle transitions comes back unchanged.

    Example::

        >>> activity_instances(log)[["concept:name", "start_timestamp"]]  # doctest: +SKIP
    """
    if not has_lifecycle(log):
        return log
    ordered = sorted_log(log).reset_index(drop=True)
    transition = ordered[LIFECYCLE].astype(object).to_numpy()
    is_start = transition == START_TRANSITION
    is_complete = transition == COMPLETE_TRANSITION
    # per person and activity, in time order: the starts waiting for their complete are a queue
    # that a complete empties by one, and a complete on an empty queue leaves it empty; with
    # X = starts - completes so far, the queue is X - min(0, lowest X so far)
    item = pd.Series(pd.MultiIndex.from_arrays([ordered[CASE], ordered[ACTIVITY]]).factorize()[0])
    step = pd.Series(is_start.astype(np.int64) - is_complete.astype(np.int64))
    balance = step.groupby(item).cumsum()
    queue = balance - np.minimum(balance.groupby(item).cummin(), 0)
    waiting_before = queue.groupby(item).shift(1, fill_value=0).to_numpy()
    # a complete takes a start when one is waiting; first in, first out: the k-th complete
    # that takes one joins the item's k-th start
    joined = is_complete & (waiting_before > 0)
    start_rank = pd.Series(is_start.astype(np.int64)).groupby(item).cumsum().to_numpy()
    joined_rank = pd.Series(joined.astype(np.int64)).groupby(item).cumsum().to_numpy()
    start_rows = np.flatnonzero(is_start)
    lookup = pd.Series(start_rows, index=pd.MultiIndex.from_arrays(
        [item.to_numpy()[start_rows], start_rank[start_rows]]))  # fmt: skip
    stamps = ordered[TIMESTAMP]
    begin = stamps.copy()
    took = np.flatnonzero(joined)
    partner = lookup.reindex(pd.MultiIndex.from_arrays(
        [item.to_numpy()[took], joined_rank[took]])).to_numpy()  # fmt: skip
    begin.iloc[took] = stamps.iloc[partner].to_numpy()
    keep = np.flatnonzero(is_complete)
    out = ordered.iloc[keep].assign(**{START: begin.iloc[keep].to_numpy()})
    return sorted_log(out).reset_index(drop=True)


def service_times(instances: pd.DataFrame) -> pd.DataFrame:
    """Per activity, the service time of its instances (start to complete): instances, persons,
    median, p90 (linear interpolation), mean and total days; most days first. Empty for a log
    without life-cycle transitions.

    Example::

        >>> service_times(activity_instances(log)).head()  # doctest: +SKIP
    """
    if START not in instances.columns or instances.empty:
        return pd.DataFrame(columns=SERVICE_COLUMNS)
    seconds = (instances[TIMESTAMP] - instances[START]).dt.total_seconds()
    frame = pd.DataFrame(
        {
            "activity": instances[ACTIVITY].astype(str).to_numpy(),
            "case": instances[CASE].to_numpy(),
            "days": (seconds / SECONDS_PER_DAY).to_numpy(),
        }
    )
    grouped = frame.groupby("activity", sort=True)
    out = pd.DataFrame(
        {
            "instances": grouped.size(),
            "persons": grouped["case"].nunique(),
            "median_days": grouped["days"].median(),
            "p90_days": grouped["days"].quantile(P90),
            "mean_days": grouped["days"].mean(),
            "total_days": grouped["days"].sum(),
            # the cell keys (toolkit.cellkeys): of the persons, and of the instances (each
            # keyed by its person's record key)
            key_of("instances"): key_sums(frame, "activity", distinct=False),
            key_of("persons"): key_sums(frame, "activity"),
        }
    ).reset_index()
    return out.sort_values("total_days", ascending=False, kind="stable").reset_index(drop=True)
