"""The person-interval table: a row per person and milestone interval, the input of every figure.

Columns:

* ``interval`` (norm id), ``case``, ``key`` (the person's record key, :mod:`toolkit.cellkeys`:
  every count of persons sums it beside, for the cell key method), ``household``;
* ``start``, ``end`` (NaT while open or after leaving), ``days`` (to the end, to leaving, or to
  the end of the data), ``outcome``: ``reached`` (the end was recorded, or inferred: see
  ``inferred_end``), ``left`` (left the chain, or moved past the end's phase without it, such as
  a family member who joins an existing home and is never offered one) or ``open`` (still
  waiting at the end of the data);
* ``cohort``: the half-year of the start in Amsterdam time (``2024H1``);
* units: ``municipality``, ``location``, ``office``; groups: ``nationality``, ``track``,
  ``household_size`` (see :func:`toolkit.bottlenecks.persons.person_attributes`).

Who left is no longer waiting: the waiting figures are computed on :func:`waiting_population`
(reached or open), the persons who can still reach the end; how many left is reported beside
them. Members of a household move together: a test takes one row per household
(:func:`household_representatives`), chosen by the content of the rows and never by pseudonym,
so the analysis does not depend on the pseudonymisation key. Example::

    >>> table = person_table(log, as_of="2025-06-30")  # doctest: +SKIP
    >>> table[table["interval"] == "N11"].groupby("cohort")["days"].median()  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from toolkit.bottlenecks.common import end_of_data, lexsorted
from toolkit.bottlenecks.intervals import all_intervals
from toolkit.bottlenecks.persons import person_attributes, person_households
from toolkit.bottlenecks.segments import half_year
from toolkit.bottlenecks.stays import Coa
from toolkit.cellkeys import record_keys
from toolkit.chain import Chain, load_chain
from toolkit.eventlog import HOUSEHOLD

OUTCOMES = ("reached", "left", "open")
UNITS = ("municipality", "location", "office")
GROUPS = ("nationality", "track", "household_size")
COLUMNS = [
    "interval", "case", "key", "household", "start", "end", "outcome", "inferred_end", "days",
    "cohort", *UNITS, *GROUPS,
]  # fmt: skip
# the columns that say what a row is about, in the order that picks a household's representative
_CONTENT = ["start", "end", "days", "outcome", *UNITS, *GROUPS]


def person_table(
    log: pd.DataFrame,
    *,
    chain: Chain | None = None,
    as_of: pd.Timestamp | date | str | None = None,
    coa: Coa | None = None,
) -> pd.DataFrame:
    """The person-interval table of ``log`` for every norm of the chain (see the module).

    ``as_of`` is the end of the data (default: the log's last event); a date means the end of
    that day in Amsterdam. ``coa`` is :func:`~toolkit.bottlenecks.stays.coa_events` of the log
    at that end, when known (the persons' locations count their stays from it).

    Example::

        >>> person_table(log)["outcome"].value_counts()  # doctest: +SKIP
    """
    chain = chain or load_chain()
    moment = end_of_data(log, as_of)
    intervals = all_intervals(log, chain, moment)
    households = person_households(log)
    attributes = person_attributes(log, as_of=moment, coa=coa, households=households)
    at = pd.Index(attributes["case"]).get_indexer(intervals["case"])
    # every text column as codes first (a text's code is its rank among the sorted values,
    # missing: -1, first), so the rows are ordered by content on integers, and the text of
    # each row is taken from a few distinct values once, in that order
    ids = np.array([n.id for n in chain.norms], dtype=object)
    codes = {
        "interval": _ranks(ids)[intervals["interval"].to_numpy()],
        "outcome": _ranks(np.array(OUTCOMES, dtype=object))[
            np.where(~intervals["censored"], 0, np.where(intervals["left_chain"], 1, 2))
        ],
    }
    texts = {"interval": np.sort(ids), "outcome": np.sort(np.array(OUTCOMES, dtype=object))}
    for column in (*UNITS, *GROUPS):
        found, values = pd.factorize(attributes[column], sort=True) if column in attributes \
            else (np.full(len(attributes), -1), np.zeros(0, dtype=object))  # fmt: skip
        codes[column] = np.append(found, -1)[at]  # the last: a person without attributes
        texts[column] = np.asarray(values, dtype=object)
    order = lexsorted(_keys(intervals, codes))  # the first key (interval, start) rarely ties

    def text(column: str) -> pd.Series:  # objects with None for missing, as the segments read
        return pd.Series(np.append(texts[column], None)[codes[column][order]], dtype=object)

    rows = intervals.iloc[order].reset_index(drop=True)
    columns = {
        "interval": text("interval"),
        # the log's own dtype: with a session's categories, a filter on persons finds its
        # rows by code (toolkit.filters.member_of)
        "case": rows["case"],
        "key": record_keys(rows["case"]),
        "household": pd.Series(_households(attributes, households)[at[order]], dtype=object),
        "start": rows["start"],
        "end": rows["end"],
        "outcome": text("outcome"),
        "inferred_end": rows["inferred_end"].to_numpy(dtype=bool),
        "days": rows["days"].to_numpy(dtype=float),
        "cohort": pd.Series(half_year(rows["start"]) if len(rows) else [], dtype=object),
        **{column: text(column) for column in (*UNITS, *GROUPS)},
    }
    # column by column, each its own block: a frame made from them at once would stack the
    # texts into one block of objects, a copy of all of them
    table = pd.DataFrame(index=pd.RangeIndex(len(rows)))
    for name, values in columns.items():
        table[name] = values
    # in the order of the content, not of the pseudonyms: sums over rows then add up in the
    # same order under any key (rows equal in content are interchangeable)
    return table[COLUMNS]


def _ranks(values: np.ndarray) -> np.ndarray:
    """Each value's rank among the sorted values (distinct values)."""
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[np.argsort(values, kind="stable")] = np.arange(len(values))
    return ranks


def _keys(intervals: pd.DataFrame, codes: dict[str, np.ndarray]) -> list[np.ndarray]:
    """The sort keys of the content, most significant first: text by its code (missing first),
    moments and days with missing values last. The order of the values, never of the
    pseudonyms. The codes after the days are packed into one integer where it can hold them
    (each key costs np.lexsort a sort)."""
    keys = [codes["interval"]]
    for column in ("start", "end", "days"):
        values = intervals[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            keys.append(np.where(values.isna(), np.iinfo(np.int64).max, values.array.asi8))
        else:
            keys.append(values.to_numpy())
    # the interval and the start as one integer where it holds them (the same order)
    start = keys[1] - keys[1].min(initial=0)
    span = int(start.max(initial=0)) + 1
    if len(start) and (start >= 0).all() and float(keys[0].max() + 1) * span < 2.0**62:
        keys[:2] = [keys[0] * span + start]
    rest = [codes[c] + 1 for c in _CONTENT[4:]]  # outcome, units, groups; missing -1 -> 0
    sizes = [int(c.max(initial=0)) + 1 for c in rest]
    if float(np.prod(sizes, dtype=float)) >= 2.0**62:
        return keys + rest
    packed = np.zeros(len(intervals), dtype=np.int64)
    for column, size in zip(rest, sizes, strict=True):
        packed = packed * size + column
    return [*keys, packed]


def _households(attributes: pd.DataFrame, households: pd.DataFrame | None) -> np.ndarray:
    """Each person's household (a person without one is a household of their own), for the
    persons of ``attributes`` and, last, None for a person without attributes."""
    cases = attributes["case"].to_numpy(dtype=object)
    if households is None:
        return np.append(cases, None)
    found = pd.Index(households["case"]).get_indexer(attributes["case"])
    home = np.append(households[HOUSEHOLD].to_numpy(dtype=object), None)[found]
    return np.append(np.where(pd.isna(home), cases, home), None)


def waiting_population(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of persons who can reach the interval's end: reached or still open.

    Who left the chain (or joined an existing home) is not waiting, and counting them as
    "censored" would let their short stays pose as the chance of finishing later. Example::

        >>> waiting_population(table)["outcome"].unique()  # doctest: +SKIP
        array(['reached', 'open'], dtype=object)
    """
    return table[table["outcome"].to_numpy() != "left"]


def household_representatives(table: pd.DataFrame) -> np.ndarray:
    """A mask of one row per interval and household: the member first by content.

    The rows must be in the order of :func:`person_table` (any subset of them keeps it): that
    table is sorted by interval, start, end, days, outcome and then units and groups, so a
    household's first row is its member first by content. Members equal in all of these are
    interchangeable, so whichever is kept the figures are the same, under any pseudonymisation
    key. Example::

        >>> table[household_representatives(table)]  # doctest: +SKIP
    """
    if table.empty:
        return np.zeros(0, dtype=bool)
    return ~table[["interval", "household"]].duplicated().to_numpy()


def as_intervals(table: pd.DataFrame) -> pd.DataFrame:
    """Rows of the table with the columns of
    :func:`~toolkit.bottlenecks.intervals.person_intervals` beside them: ``censored`` (not
    reached: still open or left) and ``left_chain``, which the interval summaries, norm figures
    and curves read.

    Example::

        >>> summaries(as_intervals(table), chain.norms)  # doctest: +SKIP
    """
    outcome = table["outcome"].to_numpy()
    return table.assign(censored=outcome != "reached", left_chain=outcome == "left")
