"""Transition waits: the time between consecutive events of a person.

Where people wait shows up as long gaps between one recorded step and the next. Per pair of
activities (``ind_nader_gehoor -> ind_beschikking_inwilliging``) and per handover between
organisations (the ``org:group`` of the two events, ``IND -> COA``): how often, median, p90, mean
and total person-days. Events are ordered stably by case, time and source order first, so
simultaneous events keep the order in which the sources recorded them. Percentiles interpolate
linearly between observations (numpy's default). Example::

    >>> import pandas as pd
    >>> log = pd.DataFrame({
    ...     "case:concept:name": ["a", "a", "b", "b"],
    ...     "concept:name": ["x", "y", "x", "y"],
    ...     "time:timestamp": pd.to_datetime(
    ...         ["2024-01-01", "2024-01-03", "2024-01-01", "2024-01-05"], utc=True),
    ...     "org:group": ["IND", "COA", "IND", "COA"],
    ... })
    >>> transition_waits(log)[["from_activity", "to_activity", "n", "median_days"]].values.tolist()
    [['x', 'y', 2, 3.0]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.bottlenecks.common import event_order, to_days
from toolkit.cellkeys import key_of, key_sum, record_keys
from toolkit.eventlog import ACTIVITY, CASE, GROUP, START, TIMESTAMP

P90 = 0.9
STAT_COLUMNS = ["n", "median_days", "p90_days", "mean_days", "total_days"]


def person_waits(log: pd.DataFrame) -> pd.DataFrame:
    """One row per pair of consecutive events of a person.

    Columns: ``case``, ``from_activity``, ``to_activity``, ``from_group``, ``to_group``,
    ``start``, ``end``, ``days``. ``*_group`` is empty for a log without ``org:group``. For
    activity instances (``start_timestamp``) a wait runs from one's complete to the next start.

    Example::

        >>> person_waits(log).nlargest(3, "days")  # doctest: +SKIP
    """
    # positions instead of a sorted copy of the log: only the rows of the waits are taken
    order = event_order(log)
    cases = log[CASE].iloc[order].reset_index(drop=True)
    first = np.flatnonzero((cases.shift(-1) == cases).to_numpy())
    before, after = order[first], order[first + 1]
    groups = log[GROUP] if GROUP in log else pd.Series(None, index=log.index, dtype=object)

    def at(values: pd.Series, positions: np.ndarray) -> pd.Series:
        return values.iloc[positions].reset_index(drop=True)

    out = pd.DataFrame(
        {
            "case": at(cases, first),
            "from_activity": _categories(at(log[ACTIVITY], before)),
            "to_activity": _categories(at(log[ACTIVITY], after)),
            "from_group": _categories(at(groups, before)),
            "to_group": _categories(at(groups, after)),
            "start": at(log[TIMESTAMP], before),
            "end": at(log[TIMESTAMP], after),
        }
    )
    if START in log:  # activity instances (toolkit.mining.lifecycle): to the next one's start,
        # as pm4py's performance DFG, and no wait where the next began while this one ran
        out["end"] = at(log[START], after).clip(lower=out["start"])
    out["days"] = to_days(out["end"] - out["start"]).astype(float)
    return out


def _categories(values: pd.Series) -> pd.Series:
    """Text as categories in text order: a filter's cut of a million waits then copies integer
    codes, and a grouping sorts the categories as it would sort the texts."""
    values = values.astype("category")
    codes = values.cat.codes.to_numpy()
    everything = values.cat.categories
    # the categories in use, found by counting codes (pandas' remove_unused_categories sorts
    # every code to find them)
    used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(everything)))
    order = everything[used].sort_values()
    recode = np.full(len(everything) + 1, -1)  # the last: code -1, missing
    recode[used] = order.get_indexer(everything[used])
    return pd.Series(pd.Categorical.from_codes(recode[codes], dtype=pd.CategoricalDtype(order)),
                     index=values.index)  # fmt: skip


def _texts(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The key columns of a grouped table back as text (activities) or objects (organisations)."""
    return frame.assign(**{key: frame[key].astype(frame[key].cat.categories.dtype) for key in keys})


def _stats(waits: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if waits.empty:
        return pd.DataFrame(columns=[*keys, *STAT_COLUMNS])
    grouped = waits.groupby(keys, sort=True, dropna=False, observed=True)["days"]
    out = pd.DataFrame(
        {
            "n": grouped.size(),
            "median_days": grouped.median(),
            "p90_days": grouped.quantile(P90),
            "mean_days": grouped.mean(),
            "total_days": grouped.sum(),
        }
    ).reset_index()
    out = _texts(out, keys)
    return out.sort_values("total_days", ascending=False, kind="stable").reset_index(drop=True)


def _waits(log: pd.DataFrame, waits: pd.DataFrame | None) -> pd.DataFrame:
    return person_waits(log) if waits is None else waits


def transition_waits(log: pd.DataFrame, *, waits: pd.DataFrame | None = None) -> pd.DataFrame:
    """Waits per pair of consecutive activities, most person-days first.

    Columns: ``from_activity``, ``to_activity``, ``n``, ``median_days``, ``p90_days``,
    ``mean_days``, ``total_days`` (person-days). ``waits``: :func:`person_waits` of the log,
    when known. See the module docstring for an example.

    Example::

        >>> transition_waits(log).head(5)  # doctest: +SKIP
    """
    return _stats(_waits(log, waits), ["from_activity", "to_activity"])


def handover_waits(log: pd.DataFrame, *, waits: pd.DataFrame | None = None) -> pd.DataFrame:
    """Waits per handover between organisations (``org:group`` of the two events).

    ``IND -> IND`` is work inside one organisation; ``IND -> COA`` is a handover. Example::

        >>> handover_waits(log)[["from_group", "to_group", "total_days"]]  # doctest: +SKIP
    """
    return _stats(_waits(log, waits), ["from_group", "to_group"])


def loop_waits(log: pd.DataFrame, activities: frozenset[str]) -> pd.DataFrame:
    """The self-loop of each activity that repeats within a stay (a relocation): how often
    (``frequency``, events), by how many persons (``cases``) and the days since the person's
    previous event of the same organisation (for a relocation: the stay at the location it
    ends; ``median_days``, ``mean_days``, ``min_days``, ``max_days``, ``stdev_days``,
    ``total_days``), one row per activity with ``source`` = ``target``.

    Example::

        >>> log = pd.DataFrame({
        ...     "case:concept:name": ["a", "a", "a", "a"],
        ...     "concept:name": ["coa_instroom", "ind_x", "coa_overplaatsing", "coa_overplaatsing"],
        ...     "time:timestamp": pd.to_datetime(
        ...         ["2024-01-01", "2024-01-05", "2024-01-11", "2024-01-31"], utc=True),
        ...     "org:group": ["COA", "IND", "COA", "COA"],
        ... })
        >>> loop_waits(log, frozenset({"coa_overplaatsing"}))[
        ...     ["source", "frequency", "cases", "median_days"]].values.tolist()
        [['coa_overplaatsing', 2, 1, 15.0]]
    """
    columns = ["source", "target", "frequency", "cases", "median_days", "mean_days", "min_days",
               "max_days", "stdev_days", "total_days"]  # fmt: skip
    activity = log[ACTIVITY].astype(str)
    rows = []
    for name in sorted(activities):
        own = activity.eq(name).to_numpy()
        if not own.any():
            continue
        if GROUP in log.columns:  # the events of the organisations that record the activity
            org = log.loc[own, GROUP].astype(object).dropna().unique()
            scope = log[log[GROUP].astype(object).isin(org).to_numpy() | own]
        else:
            scope = log
        waits = person_waits(scope)
        days = waits.loc[waits["to_activity"].astype(str).eq(name).to_numpy(), "days"]
        persons = log.loc[own, CASE]
        rows.append(
            {
                "source": name,
                "target": name,
                "frequency": int(own.sum()),
                "cases": int(persons.nunique()),
                # the cell keys (toolkit.cellkeys): each event keyed by its person's record key
                key_of("frequency"): key_sum(record_keys(persons)),
                key_of("cases"): key_sum(record_keys(pd.Series(persons.unique()))),
                "median_days": days.median() if len(days) else np.nan,
                "mean_days": days.mean() if len(days) else np.nan,
                "min_days": days.min() if len(days) else np.nan,
                "max_days": days.max() if len(days) else np.nan,
                "stdev_days": days.std() if len(days) > 1 else np.nan,
                "total_days": days.sum() if len(days) else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=[*columns, key_of("frequency"), key_of("cases")])
