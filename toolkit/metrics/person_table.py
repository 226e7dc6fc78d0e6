"""The person-interval table: a row per person and milestone interval, the input of every figure.

Columns:

* ``interval`` (norm id), ``case``, ``household``;
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

from toolkit.bottlenecks.common import end_of_data, local_periods
from toolkit.bottlenecks.intervals import all_intervals
from toolkit.bottlenecks.persons import person_attributes, person_households
from toolkit.bottlenecks.stays import Coa
from toolkit.chain import Chain, load_chain
from toolkit.eventlog import HOUSEHOLD

OUTCOMES = ("reached", "left", "open")
UNITS = ("municipality", "location", "office")
GROUPS = ("nationality", "track", "household_size")
COLUMNS = [
    "interval", "case", "household", "start", "end", "outcome", "inferred_end", "days",
    "cohort", *UNITS, *GROUPS,
]  # fmt: skip
# the columns that say what a row is about, in the order that picks a household's representative
_CONTENT = ["start", "end", "days", "outcome", *UNITS, *GROUPS]


def half_year(starts: pd.Series) -> np.ndarray:
    """The half-year of each moment in Amsterdam time, as ``2024H1``.

    Example::

        >>> half_year(pd.Series(pd.to_datetime(["2024-06-30 22:30"], utc=True))).tolist()
        ['2024H2']
    """
    codes, labels = local_periods(starts, "quarter")
    halves = np.array([f"{q[:4]}H{1 if q[-1] in '12' else 2}" for q in labels], dtype=object)
    return halves[codes]


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
    ids = np.array([n.id for n in chain.norms], dtype=object)
    outcome = np.where(
        ~intervals["censored"], "reached", np.where(intervals["left_chain"], "left", "open")
    )
    table = pd.DataFrame(
        {
            "interval": ids[intervals["interval"].to_numpy()],
            # the log's own dtype: with a session's categories, a filter on persons finds its
            # rows by code (toolkit.filters.member_of)
            "case": intervals["case"],
            "start": intervals["start"],
            "end": intervals["end"],
            "outcome": outcome.astype(object),
            "inferred_end": intervals["inferred_end"].to_numpy(dtype=bool),
            "days": intervals["days"].to_numpy(dtype=float),
            "cohort": half_year(intervals["start"]) if len(intervals) else [],
        }
    )
    households = person_households(log)
    attributes = person_attributes(log, as_of=moment, coa=coa, households=households)
    attributes = attributes.set_index("case")
    at = attributes.index.get_indexer(table["case"])
    for column in (*UNITS, *GROUPS):
        values = attributes[column].to_numpy(dtype=object) if column in attributes else None
        table[column] = None if values is None else np.append(values, None)[at]
    if households is None:
        table["household"] = table["case"]
    else:
        home = households.set_index("case")[HOUSEHOLD].astype(object)
        found = home.reindex(table["case"]).to_numpy(dtype=object)
        # a person without a household is a household of their own
        table["household"] = np.where(pd.isna(found), table["case"].to_numpy(), found)
    # in the order of the content, not of the pseudonyms: sums over rows then add up in the
    # same order under any key (rows equal in content are interchangeable)
    return table.iloc[_content_order(table)][COLUMNS].reset_index(drop=True)


def _content_order(table: pd.DataFrame) -> np.ndarray:
    """The positions of the rows sorted stably by interval and then the content columns: text
    by its rank among the sorted distinct values (missing values first), moments and days with
    missing values last. The order of the values, never of the pseudonyms."""
    keys = []
    for column in ["interval", *_CONTENT]:
        values = table[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            keys.append(pd.factorize(values, sort=True)[0])
        elif pd.api.types.is_datetime64_any_dtype(values):
            keys.append(np.where(values.isna(), np.iinfo(np.int64).max, values.array.asi8))
        else:
            keys.append(values.to_numpy())
    return np.lexsort(keys[::-1])  # np.lexsort sorts by its last key first


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
