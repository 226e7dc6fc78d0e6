"""One stable order for every pm4py call: by case, time, then source order.

pm4py's results depend on the row order of the DataFrame it is given (variants, DFG edges and
token replay all read events in row order; pm4py issues #166, #419, #481, #546): two events of a
person with the same timestamp count as ``a -> b`` or ``b -> a`` depending on which row comes
first. Every function in :mod:`toolkit.mining` therefore calls :func:`sorted_log` first, so the
same events give the same answer whatever order the rows arrive in. Ties in time are broken by
``source_file`` and ``source_row`` (the export row an event came from) when the log has them, and
otherwise by the rows' original order (the sort is stable).

Time zones are the other classic pm4py trap (#455, #561): the contract says tz-aware UTC, so a
tz-aware column in another zone is converted to UTC and a naive one is refused, rather than
guessed. Example::

    >>> import pandas as pd
    >>> log = pd.DataFrame({
    ...     "case:concept:name": ["b", "a", "a"],
    ...     "concept:name": ["x", "y", "x"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-01"], utc=True),
    ... })
    >>> sorted_log(log)[["case:concept:name", "concept:name"]].values.tolist()
    [['a', 'x'], ['a', 'y'], ['b', 'x']]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.errors import EventLogError
from toolkit.eventlog import ACTIVITY, CASE, TIMESTAMP, UTC, event_order, order_keys

REQUIRED_COLUMNS = (CASE, ACTIVITY, TIMESTAMP)
SECONDS_PER_DAY = 86_400.0
# The keyword arguments that tell a pm4py simplified-interface function which columns to read.
PM4PY_KEYS = {"activity_key": ACTIVITY, "timestamp_key": TIMESTAMP, "case_id_key": CASE}


def require_columns(log: pd.DataFrame, columns: tuple[str, ...] = REQUIRED_COLUMNS) -> None:
    """Raise :class:`EventLogError` naming the first missing column, so a wrong frame fails early.

    Example::

        >>> require_columns(pd.DataFrame({"case:concept:name": []}))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        toolkit.errors.EventLogError: event log has no column 'concept:name' (...)
    """
    for column in columns:
        if column not in log.columns:
            raise EventLogError(
                f"event log has no column {column!r} (pm4py's names are expected: "
                f"{', '.join(REQUIRED_COLUMNS)}; rename the columns of the source first)"
            )


def utc_timestamps(stamps: pd.Series) -> pd.Series:
    """The timestamps as tz-aware UTC; a naive column is refused with a message that says why.

    Example::

        >>> s = pd.Series(pd.to_datetime(["2024-01-01 12:00"])).dt.tz_localize("Europe/Amsterdam")
        >>> str(utc_timestamps(s).iloc[0])
        '2024-01-01 11:00:00+00:00'
    """
    if not isinstance(stamps.dtype, pd.DatetimeTZDtype):
        raise EventLogError(
            f"{TIMESTAMP} has no time zone ({stamps.dtype}); localize it to the zone it was "
            "recorded in (the chain's is Europe/Amsterdam) and convert it to UTC first"
        )
    if str(stamps.dtype.tz) == UTC:
        return stamps
    return stamps.dt.tz_convert(UTC)


def sorted_log(log: pd.DataFrame) -> pd.DataFrame:
    """The log sorted stably by case, time, ``source_file`` and ``source_row`` (when present);
    activity instances by case, start, complete and source order.

    Returns a new frame with a fresh ``RangeIndex`` and UTC timestamps; the input is untouched.
    Rows that tie on every key keep their original relative order.

    Example::

        >>> log = pd.DataFrame({
        ...     "case:concept:name": ["a", "a"],
        ...     "concept:name": ["late row", "early row"],
        ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-01"], utc=True),
        ...     "source_row": [2, 1],
        ... })
        >>> sorted_log(log)["concept:name"].tolist()
        ['early row', 'late row']
    """
    require_columns(log)
    out = log.copy(deep=False)  # copy-on-write: a column is copied only when it changes
    out[TIMESTAMP] = utc_timestamps(out[TIMESTAMP])
    # Stable, so full ties keep their input order; a log already in order (an ingested log and
    # every filter of it) is recognised by comparing neighbours, not sorted again.
    order = event_order(out)
    if not np.array_equal(order, np.arange(len(out))):
        out = out.take(order)
    return out.reset_index(drop=True)


def by_case(log: pd.DataFrame) -> pd.DataFrame:
    """:func:`sorted_log` of the three columns a path per case needs, for our own code: as
    :func:`for_pm4py` orders them (persons by the text of their case), without turning a
    million categories into texts (categories of texts are put in text order instead).

    Example::

        >>> log = pd.DataFrame({
        ...     "case:concept:name": pd.Categorical(["b", "a"], categories=["b", "a"]),
        ...     "concept:name": pd.Categorical(["x", "y"]),
        ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-01"], utc=True),
        ... })
        >>> by_case(log)["case:concept:name"].tolist()
        ['a', 'b']
    """
    require_columns(log)
    keys = [*REQUIRED_COLUMNS, *order_keys(log.columns)]
    out = log[list(dict.fromkeys(keys))].copy(deep=False)
    case = out[CASE]
    texts = isinstance(case.dtype, pd.CategoricalDtype) and isinstance(
        case.cat.categories.dtype, pd.StringDtype
    )
    if not texts:
        out[CASE] = case.astype(str)
    elif not case.cat.categories.is_monotonic_increasing:
        out[CASE] = case.cat.reorder_categories(case.cat.categories.sort_values())
    return sorted_log(out)[list(REQUIRED_COLUMNS)]


def for_pm4py(log: pd.DataFrame, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """:func:`sorted_log` with case and activity as plain strings, the frame every pm4py call gets;
    with ``columns``, only those (a process map or the variants read three of a log's columns).

    Why strings: pm4py's groupbys on a categorical column emit every pair of categories, and a
    numeric case id (BPIC logs) would sort differently from its text.

    Example::

        >>> log = pd.DataFrame({
        ...     "case:concept:name": [2, 10],
        ...     "concept:name": pd.Categorical(["x", "y"]),
        ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-01"], utc=True),
        ... })
        >>> for_pm4py(log)["case:concept:name"].tolist()
        ['10', '2']
    """
    require_columns(log)
    if columns is not None:  # what pm4py needs, what was asked for and what orders the rows
        keys = [*REQUIRED_COLUMNS, *columns, *order_keys(log.columns)]
        log = log[list(dict.fromkeys(keys))]
    out = log.copy(deep=False)
    out[CASE] = out[CASE].astype(str)
    out[ACTIVITY] = out[ACTIVITY].astype(str)
    out = sorted_log(out)
    return out if columns is None else out[list(columns)]
