"""Directly-follows graphs (process maps): how often one step follows another, and how long it takes.

The process map is the first picture anyone asks for: which activity follows which, how often
(frequency DFG) and how long people wait in between (performance DFG). Both come from pm4py on
the stably sorted log (:func:`toolkit.mining.ordering.sorted_log`) and are returned as plain
tables: one row per edge with ``source``, ``target``, ``frequency`` and, for the performance DFG,
``median_days``, ``mean_days``, ``min_days``, ``max_days``, ``stdev_days`` and ``total_days``
(pm4py measures in seconds; the chain thinks in days). Start and end activities are counts per
activity (how many persons start or end there).

A real chain log has dozens of activities and hundreds of edges; :func:`abstract_dfg` keeps the
most frequent activities and edges, the two sliders of a process map. Example::

    >>> import pandas as pd
    >>> log = pd.DataFrame({
    ...     "case:concept:name": ["a", "a", "b", "b"],
    ...     "concept:name": ["x", "y", "x", "y"],
    ...     "time:timestamp": pd.to_datetime(
    ...         ["2024-01-01", "2024-01-03", "2024-01-01", "2024-01-05"], utc=True),
    ... })
    >>> graph = performance_dfg(log)
    >>> graph.edges[["source", "target", "frequency", "median_days"]].values.tolist()
    [['x', 'y', 2, 3.0]]
    >>> graph.start_activities
    {'x': 2}
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from toolkit.eventlog import ACTIVITY, CASE, START, TIMESTAMP
from toolkit.mining.ordering import PM4PY_KEYS, SECONDS_PER_DAY, for_pm4py

# pm4py's name for each statistic of a performance edge -> our column (in days).
PERFORMANCE_STATISTICS = {
    "median": "median_days",
    "mean": "mean_days",
    "min": "min_days",
    "max": "max_days",
    "stdev": "stdev_days",
    "sum": "total_days",
}
EDGE_KEYS = ["source", "target"]


@dataclass(frozen=True)
class Dfg:
    """A directly-follows graph as tables.

    ``edges``: one row per ``source -> target`` pair, most frequent first (ties by name);
    ``activities``: ``activity``, ``frequency`` (events) and ``cases`` (persons with it);
    ``start_activities`` / ``end_activities``: persons whose path starts / ends there.
    """

    edges: pd.DataFrame
    activities: pd.DataFrame
    start_activities: dict[str, int]
    end_activities: dict[str, int]
    # per side (``start_activities``, ``end_activities``) and activity, the sum of the record
    # keys of those persons (toolkit.cellkeys), when known: what a workshop perturbs them by
    keys: dict[str, dict[str, int]] = field(default_factory=dict, compare=False, repr=False)


def _counts(counts: dict) -> dict[str, int]:
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return {str(k): int(v) for k, v in ordered}


def activity_table(log: pd.DataFrame) -> pd.DataFrame:
    activity = log[ACTIVITY].astype(str)
    table = pd.DataFrame(
        {
            "frequency": activity.value_counts(),
            "cases": log.assign(**{ACTIVITY: activity})
            .drop_duplicates([CASE, ACTIVITY])[ACTIVITY]
            .value_counts(),
        }
    )
    table = table.rename_axis("activity").reset_index()
    table[["frequency", "cases"]] = table[["frequency", "cases"]].astype("int64")
    return _rank(table, "frequency", ["activity"])


def _connected(candidates: pd.DataFrame, chosen: pd.DataFrame, kept: set[str]) -> pd.DataFrame:
    """``chosen`` plus, for each kept activity on none of its edges, its most frequent edge
    among ``candidates`` (ranked most frequent first)."""
    touched = set(chosen["source"]) | set(chosen["target"])
    extra = []
    for activity in sorted(kept - touched):
        own = candidates[(candidates["source"] == activity) | (candidates["target"] == activity)]
        if len(own):
            extra.append(own.index[0])
    if not extra:
        return chosen
    added = candidates.loc[[i for i in dict.fromkeys(extra) if i not in chosen.index]]
    return _rank(pd.concat([chosen, added]), "frequency", EDGE_KEYS)


def with_loops(graph: Dfg, log: pd.DataFrame, loops: pd.DataFrame) -> Dfg:
    """``graph`` (drawn without some activities) with those activities back as self-loops.

    ``loops`` holds one edge row per folded activity (``source`` = ``target``), ``log`` is the log
    with them, so their activity rows (events and persons) are counted too.
    """
    if loops.empty:
        return graph
    edges = pd.concat([graph.edges, loops.reindex(columns=graph.edges.columns)], ignore_index=True)
    return replace(graph, edges=_rank(edges, "frequency", EDGE_KEYS),
                   activities=activity_table(log))  # fmt: skip


def _rank(table: pd.DataFrame, by: str, names: list[str]) -> pd.DataFrame:
    return table.sort_values(
        [by, *names], ascending=[False, *[True] * len(names)], kind="stable"
    ).reset_index(drop=True)


def frequency_dfg(log: pd.DataFrame) -> Dfg:
    """The frequency DFG: how often each activity directly follows another within a person.

    Example::

        >>> import pandas as pd
        >>> log = pd.DataFrame({
        ...     "case:concept:name": ["a", "a", "a"],
        ...     "concept:name": ["x", "y", "x"],
        ...     "time:timestamp": pd.to_datetime(
        ...         ["2024-01-01", "2024-01-02", "2024-01-03"], utc=True),
        ... })
        >>> frequency_dfg(log).edges.values.tolist()
        [['x', 'y', 1], ['y', 'x', 1]]
    """
    return _frequency(for_pm4py(log))


def _frequency(ordered: pd.DataFrame) -> Dfg:
    import pm4py  # imported on first use: it loads a hundred megabytes of libraries

    graph, starts, ends = pm4py.discover_dfg(ordered, **PM4PY_KEYS)
    edges = pd.DataFrame(
        [(str(a), str(b), int(n)) for (a, b), n in graph.items()],
        columns=[*EDGE_KEYS, "frequency"],
    ).astype({"frequency": "int64"})
    return Dfg(
        edges=_rank(edges, "frequency", EDGE_KEYS),
        activities=activity_table(ordered),
        start_activities=_counts(starts),
        end_activities=_counts(ends),
    )


def _instance_performance(ordered: pd.DataFrame) -> dict:
    """pm4py's performance DFG of activity instances (``start_timestamp`` beside the complete):
    each wait from a complete to the next start, none where the next began while it ran. The
    simplified interface has no start key (it would take the column by its default name and
    leave overlaps negative), so its pandas implementation is called with it."""
    from pm4py.algo.discovery.dfg.adapters.pandas.df_statistics import get_dfg_graph

    return get_dfg_graph(
        ordered,
        measure="performance",
        perf_aggregation_key="all",
        activity_key=ACTIVITY,
        case_id_glue=CASE,
        timestamp_key=TIMESTAMP,
        start_timestamp_key=START,
    )


def _utc(times: pd.Series) -> pd.Series:
    """``times`` in UTC without a time zone (as they are when they have none)."""
    return times.dt.tz_convert("UTC").dt.tz_localize(None) if times.dt.tz is not None else times


def performance_dfg(log: pd.DataFrame) -> Dfg:
    """The performance DFG: per edge its frequency and the time between the two events, in days.

    Columns of ``edges``: ``source``, ``target``, ``frequency``, ``median_days``, ``mean_days``,
    ``min_days``, ``max_days``, ``stdev_days`` (empty for an edge seen once), ``total_days`` (the
    person-days spent on the edge).
    Time is calendar time, not business hours: a wait over a weekend is a wait for the person.

    Example::

        >>> import pandas as pd
        >>> log = pd.DataFrame({
        ...     "case:concept:name": ["a", "a"],
        ...     "concept:name": ["x", "y"],
        ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-11"], utc=True),
        ... })
        >>> performance_dfg(log).edges.loc[0, "mean_days"]
        np.float64(10.0)
    """
    ordered = for_pm4py(log)
    frequency = _frequency(ordered)
    # pm4py takes the later of each event's start and the previous event's end with np.maximum,
    # which on time-zone aware columns makes a Python object of every timestamp (seconds on a
    # million events): it gets the same instants in UTC without a time zone, so the differences
    # and the order stay the same
    ordered = ordered.assign(**{key: _utc(ordered[key]) for key in (TIMESTAMP, START)
                                if key in ordered.columns})  # fmt: skip
    if START in ordered.columns:  # activity instances: from a complete to the next start
        graph = _instance_performance(ordered)
    else:
        import pm4py

        graph, _, _ = pm4py.discover_performance_dfg(ordered, **PM4PY_KEYS)
    rows = [
        {
            "source": str(a),
            "target": str(b),
            **{
                column: float(stats[name]) / SECONDS_PER_DAY
                for name, column in PERFORMANCE_STATISTICS.items()
            },
        }
        for (a, b), stats in graph.items()
    ]
    columns = [*EDGE_KEYS, *PERFORMANCE_STATISTICS.values()]
    performance = pd.DataFrame(rows, columns=columns)
    edges = frequency.edges.merge(performance, on=EDGE_KEYS, how="left", validate="one_to_one")
    return replace(frequency, edges=edges)


def abstract_dfg(
    graph: Dfg, *, max_activities: int | None = None, max_edges: int | None = None
) -> Dfg:
    """Keep the ``max_activities`` most frequent activities and then the ``max_edges`` most
    frequent edges among them: the two sliders of a process map.

    Why drop rather than re-link: the edges shown are the ones that occur in the log, with their
    true frequency and waiting time; an edge that would jump over a hidden activity is not
    invented. (To see such jumps, filter the log to the activities first and rediscover.)
    Ties are broken by name, so a slider position always shows the same map. Start and end
    counts are kept for the activities that remain. No activity is left without a path when
    it has one among the activities kept: its most frequent path is added beyond
    ``max_edges`` (as Disco keeps every activity connected).

    Example::

        >>> import pandas as pd
        >>> graph = Dfg(
        ...     edges=pd.DataFrame({"source": ["x", "x"], "target": ["y", "z"],
        ...                         "frequency": [5, 1]}),
        ...     activities=pd.DataFrame({"activity": ["x", "y", "z"], "frequency": [6, 5, 1],
        ...                              "cases": [6, 5, 1]}),
        ...     start_activities={"x": 6}, end_activities={"y": 5, "z": 1})
        >>> abstract_dfg(graph, max_activities=2).edges[["source", "target"]].values.tolist()
        [['x', 'y']]
    """
    for name, value in (("max_activities", max_activities), ("max_edges", max_edges)):
        if value is not None and value < 0:
            raise ValueError(f"{name} must be 0 or more, not {value}")
    activities = _rank(graph.activities, "frequency", ["activity"])
    if max_activities is not None:
        activities = activities.head(max_activities)
    kept = set(activities["activity"])
    edges = graph.edges[graph.edges["source"].isin(kept) & graph.edges["target"].isin(kept)]
    edges = _rank(edges, "frequency", EDGE_KEYS)
    if max_edges is not None:
        edges = _connected(edges, edges.head(max_edges), kept)
    return Dfg(
        edges=edges.reset_index(drop=True),
        activities=activities.reset_index(drop=True),
        start_activities={a: n for a, n in graph.start_activities.items() if a in kept},
        end_activities={a: n for a, n in graph.end_activities.items() if a in kept},
    )
