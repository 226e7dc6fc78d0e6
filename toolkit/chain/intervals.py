"""Milestone intervals: from the first `from` event of a person to the first `to` event after it.

One definition, used wherever an interval is measured (the generator's ground truth, and the
analytics on an event log), so that "permit to move-out" means the same thing everywhere.
"""

from __future__ import annotations

import pandas as pd

from toolkit.chain.model import Norm

CASE = "case:concept:name"
ACTIVITY = "concept:name"
TIMESTAMP = "time:timestamp"


def interval_bounds(
    events: pd.DataFrame,
    norm: Norm,
    *,
    case: str = CASE,
    activity: str = ACTIVITY,
    timestamp: str = TIMESTAMP,
) -> pd.DataFrame:
    """Start and end of a norm's interval for every case that reached its start.

    Returns one row per case that has a `from` event, with columns ``case``, ``start`` and
    ``end``; ``end`` is NaT while the case has not (yet) reached a `to` event after its start.
    Example::

        >>> import pandas as pd
        >>> from toolkit.chain import load_chain
        >>> log = pd.DataFrame({
        ...     "case:concept:name": ["p1", "p1", "p2"],
        ...     "concept:name": ["ind_vergunning_uitgereikt", "coa_koppeling",
        ...                      "ind_vergunning_uitgereikt"],
        ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-02-01"]),
        ... })
        >>> interval_bounds(log, load_chain().norm("N10"))["end"].isna().tolist()
        [False, True]
    """
    froms = events.loc[events[activity].isin(norm.from_activities), [case, timestamp]]
    starts = froms.groupby(case, sort=True, observed=True)[timestamp].min().rename("start")
    tos = events.loc[events[activity].isin(norm.to_activities), [case, timestamp]]
    joined = tos.merge(starts.reset_index(), on=case, how="inner")
    joined = joined[joined[timestamp] >= joined["start"]]
    ends = joined.groupby(case, sort=True, observed=True)[timestamp].min().rename("end")
    result = starts.to_frame().join(ends, how="left").rename_axis("case").reset_index()
    return result[["case", "start", "end"]]
