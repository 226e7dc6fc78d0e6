"""Variants: the distinct paths people take through the process, how many take each, how long.

A variant is the sequence of activities of a case in time order. Few variants covering most
persons means a standard path; a long tail means many exceptions. The path of every case comes
from the stably sorted log (:func:`toolkit.mining.ordering.sorted_log`), so two events at the same
moment keep their source order and the same log always gives the same variants. Counts agree
with ``pm4py.get_variants`` (the tests check it); the table is computed with one pandas groupby
because it also needs each case's duration and the case -> variant mapping, which pm4py's
``get_variants`` does not return. Example::

    >>> import pandas as pd
    >>> log = pd.DataFrame({
    ...     "case:concept:name": ["a", "a", "b", "b", "c"],
    ...     "concept:name": ["x", "y", "x", "y", "x"],
    ...     "time:timestamp": pd.to_datetime(
    ...         ["2024-01-01", "2024-01-03", "2024-01-01", "2024-01-05", "2024-01-01"], utc=True),
    ... })
    >>> variants(log)[["variant", "cases", "share", "median_days"]].values.tolist()
    [['x -> y', 2, 0.6666666666666666, 3.0], ['x', 1, 0.3333333333333333, 0.0]]
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd

from toolkit.cellkeys import is_key, key_of, record_keys
from toolkit.eventlog import ACTIVITY, CASE, TIMESTAMP
from toolkit.mining.ordering import SECONDS_PER_DAY, by_case

ARROW = " -> "


def _distinct_paths(
    activity: np.ndarray, first: np.ndarray, last: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Which distinct path each case follows (codes from 0), and one case on each path.

    Cases of one length are compared as rows of their activity codes (only paths of the same
    length can be equal), so no Python object is made per case; a path's codes are the bytes
    of its row, which ``np.unique`` sorts and tells apart.
    """
    lengths = last - first + 1
    path = np.empty(len(first), dtype=np.int64)
    one: list[np.ndarray] = []
    found = 0
    for length in np.unique(lengths).tolist():
        cases = np.flatnonzero(lengths == length)
        rows = np.ascontiguousarray(activity[first[cases, None] + np.arange(length)])
        keys = rows.view(np.dtype((np.void, rows.dtype.itemsize * length))).ravel()
        _, at, which = np.unique(keys, return_index=True, return_inverse=True)
        path[cases] = which.ravel() + found
        one.append(cases[at])
        found += len(at)
    return path, np.concatenate(one) if one else np.empty(0, dtype=np.int64)


def case_variants(log: pd.DataFrame, *, without: frozenset[str] = frozenset()) -> pd.DataFrame:
    """One row per case: ``case``, ``activities`` (tuple in time order), ``variant`` (the same,
    joined by `` -> ``), ``events``, ``start``, ``end`` and ``duration_days`` (first to last event).

    ``without``: activities left out of every path (and of its first and last event), as if the
    log did not have them; a log that has nothing else keeps them.

    Example::

        >>> import pandas as pd
        >>> log = pd.DataFrame({
        ...     "case:concept:name": ["a", "a"],
        ...     "concept:name": ["y", "x"],
        ...     "time:timestamp": pd.to_datetime(["2024-01-03", "2024-01-01"], utc=True),
        ... })
        >>> case_variants(log)[["case", "variant", "duration_days"]].values.tolist()
        [['a', 'x -> y', 2.0]]
    """
    ordered = by_case(log)
    # cases and activities as codes: no Python object per event
    activity, names = pd.factorize(ordered[ACTIVITY], use_na_sentinel=False)
    person, people = pd.factorize(ordered[CASE], use_na_sentinel=False)
    stamps = ordered[TIMESTAMP]
    if without:
        kept = ~np.isin(activity, np.flatnonzero(np.isin(np.asarray(names), list(without))))
        if kept.any() and not kept.all():
            activity, person, stamps = activity[kept], person[kept], stamps[kept]
    # The log is sorted by case, so each case is one run of rows: slicing the runs is much
    # faster than a Python-level groupby aggregation on 100,000 persons.
    boundary = np.ones(len(person), dtype=bool)
    boundary[1:] = person[1:] != person[:-1]
    first = np.flatnonzero(boundary)
    last = np.r_[first[1:] - 1, len(person) - 1] if len(person) else first
    path, one = _distinct_paths(activity, first, last)
    labels = np.asarray(names, dtype=object)
    paths = np.empty(len(one), dtype=object)
    # each distinct path's activities, read for all of them at once and cut into tuples
    lengths = last[one] - first[one] + 1
    bounds = np.concatenate(([0], np.cumsum(lengths)))
    rows = np.repeat(first[one] - bounds[:-1], lengths) + np.arange(bounds[-1])
    flat, bounds = labels[activity[rows]].tolist(), bounds.tolist()
    paths[:] = [tuple(flat[a:b]) for a, b in pairwise(bounds)]
    texts = np.array([ARROW.join(p) for p in paths], dtype=object)
    out = pd.DataFrame(
        {
            "case": _as_text(people, person[first]),
            # the person's record key (toolkit.cellkeys), from the log's own column: a
            # session's categories are hashed once
            "key": record_keys(ordered[CASE].iloc[first]),
            "activities": pd.Series(paths[path], dtype=object),
            "events": (last - first + 1).astype("int64"),
            "start": stamps.iloc[first].reset_index(drop=True),
            "end": stamps.iloc[last].reset_index(drop=True),
        }
    )
    # each distinct path made text once (a column of text is made from Python strings slowly)
    out["variant"] = pd.Series(texts, dtype=str).take(path).reset_index(drop=True)
    out["duration_days"] = (out["end"] - out["start"]).dt.total_seconds() / SECONDS_PER_DAY
    return out[["case", "key", "activities", "variant", "events", "start", "end", "duration_days"]]


def _as_text(values: pd.Index, at: np.ndarray) -> pd.Series:
    """``values[at]`` as text; of a categorical, its categories' texts taken by code."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = np.asarray(values.codes)[at]
        if isinstance(values.categories.dtype, pd.StringDtype) and (codes >= 0).all():
            return pd.Series(values.categories.take(codes))
    return pd.Series(values.take(at), dtype=str)


def variants(log: pd.DataFrame, *, top_k: int | None = None) -> pd.DataFrame:
    """The variants, most frequent first (ties by the variant's text), optionally the top ``k``.

    Columns: ``rank`` (1 = most frequent), ``variant``, ``activities`` (tuple), ``events`` (length
    of the path), ``cases``, ``share`` (of all cases, also when only the top k are returned),
    ``cumulative_share``, ``median_days``, ``mean_days`` (case duration, first to last event).

    Example::

        >>> import pandas as pd
        >>> log = pd.DataFrame({
        ...     "case:concept:name": ["a", "b", "c"],
        ...     "concept:name": ["x", "x", "y"],
        ...     "time:timestamp": pd.to_datetime(["2024-01-01"] * 3, utc=True),
        ... })
        >>> variants(log, top_k=1)[["rank", "variant", "cases"]].values.tolist()
        [[1, 'x', 2]]
    """
    return variant_table(case_variants(log), top_k=top_k)


def variant_table(cases: pd.DataFrame, *, top_k: int | None = None) -> pd.DataFrame:
    """:func:`variants` of the paths of :func:`case_variants` (a log's, computed once for the
    variants, the throughput and conformance).

    Example::

        >>> variant_table(case_variants(log), top_k=20)  # doctest: +SKIP
    """
    if top_k is not None and top_k < 0:
        raise ValueError(f"top_k must be 0 or more, not {top_k}")
    grouped = cases.groupby("variant", sort=False)
    out = pd.DataFrame(
        {
            "activities": grouped["activities"].first(),
            "events": grouped["events"].first(),
            "cases": grouped.size().astype("int64"),
            "median_days": grouped["duration_days"].median(),
            "mean_days": grouped["duration_days"].mean(),
            # the cell key of the cases (toolkit.cellkeys): their record keys summed
            **({key_of("cases"): grouped["key"].sum()} if "key" in cases.columns else {}),
        }
    ).rename_axis("variant")
    out = out.reset_index().sort_values(
        ["cases", "variant"], ascending=[False, True], kind="stable"
    )
    total = len(cases)
    out["share"] = out["cases"] / total if total else 0.0
    out["cumulative_share"] = out["share"].cumsum()
    out.insert(0, "rank", range(1, len(out) + 1))
    out = out[
        [
            "rank",
            "variant",
            "activities",
            "events",
            "cases",
            "share",
            "cumulative_share",
            "median_days",
            "mean_days",
            *(c for c in out.columns if is_key(c)),
        ]
    ]
    if top_k is not None:
        out = out.head(top_k)
    return out.reset_index(drop=True)
