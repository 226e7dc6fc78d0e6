"""Small helpers every chain analysis shares: order, the end of the data, days, local dates.

They exist so that "the end of the data", "a day" and "the order of a person's events" mean the
same thing in every table: waits, intervals, work in progress and findings all call these.
Example::

    >>> import pandas as pd
    >>> from toolkit.bottlenecks.common import to_days
    >>> to_days(pd.Series(pd.to_timedelta(["36h"]))).tolist()
    [1.5]
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from toolkit.eventlog import TIMESTAMP, order_keys
from toolkit.filters import (
    LOCAL_TZ,
    in_window,
    local_day_end,
    local_day_start,
)

__all__ = [
    "LOCAL_TZ",
    "codes_of",
    "end_of_data",
    "event_order",
    "in_window",
    "local_dates",
    "local_day_end",
    "local_day_start",
    "local_periods",
    "sort_events",
    "text_values",
    "to_days",
    "utc",
]

SECONDS_PER_DAY = 86_400.0


def sort_events(log: pd.DataFrame) -> pd.DataFrame:
    """The log sorted stably by case, time and source order (the contract's order).

    Source columns that a log lacks are skipped; ties then keep the rows' given order. A log
    already in that order (an ingested log and every filter of it) is recognised, not sorted
    (:func:`event_order`).

    Example::

        >>> sort_events(log)["case:concept:name"].is_monotonic_increasing  # doctest: +SKIP
        True
    """
    return log.iloc[event_order(log)]


def event_order(log: pd.DataFrame, rows: np.ndarray | None = None) -> np.ndarray:
    """The positions of ``log``'s rows (or of ``rows``, positions in it) in the contract's order.

    The order of :func:`~toolkit.bottlenecks.common.sort_events`. An ingested log is stored in
    it and every filter keeps it, so this first compares neighbours (milliseconds on a million
    events) and sorts only rows that are not in order: the sort factorizes the case strings,
    most of a second on a million events.

    Example::

        >>> log.iloc[event_order(log)]  # the rows of sort_events(log)  # doctest: +SKIP
    """
    keys = order_keys(log.columns)
    # rows in their order of a log in order are in order
    if (rows is None or bool(np.all(np.diff(rows) > 0))) and _in_order(log[keys]):
        return np.arange(len(log)) if rows is None else rows
    part = log[keys] if rows is None else log[keys].iloc[rows]
    if _in_order(part):
        positions = np.arange(len(part))
    else:
        positions = part.reset_index(drop=True).sort_values(keys, kind="stable").index.to_numpy()
    return positions if rows is None else rows[positions]


def _in_order(keys: pd.DataFrame) -> bool:
    """Whether no row sorts before its predecessor, so that a stable sort keeps every row."""
    tied = np.ones(max(len(keys) - 1, 0), dtype=bool)  # neighbours equal on the keys so far
    for _, values in keys.items():
        if values.hasnans:  # where a sort puts missing values is the sort's business
            return False
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.cat.codes  # a sort orders a categorical by its categories
        earlier, later = values.array[:-1], values.array[1:]
        if (tied & np.asarray(earlier > later, dtype=bool)).any():
            return False
        tied &= np.asarray(earlier == later, dtype=bool)
    return True


def codes_of(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of a column (-1 where missing) and the values they stand for.

    A categorical's own codes (no work at all); other columns factorized.

    Example::

        >>> codes_of(pd.Series(["b", None, "b"]))[0].tolist()
        [0, -1, 0]
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), values.cat.categories
    codes, uniques = pd.factorize(values)
    return codes, pd.Index(uniques)


def text_values(values: pd.Series) -> pd.Series:
    """``values.astype(str)``; a categorical by way of its categories.

    Converting each of a million codes to text takes a tenth of a second; taking the text of
    the few categories by code, a third of that.

    Example::

        >>> text_values(pd.Series(["b", "a", "b"], dtype="category")).tolist()
        ['b', 'a', 'b']
    """
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return values.astype(str)
    texts = values.cat.categories.astype(str).array
    return pd.Series(texts.take(values.cat.codes.to_numpy(), allow_fill=True), index=values.index)


def to_days(delta: pd.Series) -> pd.Series:
    """Timedeltas as float days (every duration in the toolkit is in days).

    Example::

        >>> to_days(pd.Series(pd.to_timedelta(["12h"]))).tolist()
        [0.5]
    """
    return delta.dt.total_seconds() / SECONDS_PER_DAY


def end_of_data(log: pd.DataFrame, as_of: pd.Timestamp | date | str | None = None) -> pd.Timestamp:
    """The moment up to which the log is complete: ``as_of`` if given, else the last event.

    A date (no time) means the end of that day in Amsterdam, so ``as_of=2025-06-30`` includes
    everything recorded on 30 June.

    Example::

        >>> end_of_data(log, "2025-06-30")  # doctest: +SKIP
        Timestamp('2025-06-30 22:00:00+0000', tz='UTC')
    """
    if as_of is None:
        return pd.Timestamp(log[TIMESTAMP].max())
    return local_day_end(as_of) if _is_day(as_of) else utc(as_of)


def _is_day(value: pd.Timestamp | date | str) -> bool:
    if isinstance(value, pd.Timestamp):
        return False
    if isinstance(value, date) and not hasattr(value, "hour"):
        return True
    return isinstance(value, str) and len(value) == len("2025-06-30")


def utc(value: pd.Timestamp | date | str) -> pd.Timestamp:
    """A moment in UTC; a naive value is read as Amsterdam local time.

    Example::

        >>> utc("2025-01-01 10:00")
        Timestamp('2025-01-01 09:00:00+0000', tz='UTC')
    """
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(LOCAL_TZ)
    return stamp.tz_convert("UTC")


_PERIODS = {"month": ("MS", "%Y-%m"), "quarter": ("QS", None)}


def local_periods(stamps: pd.Series, period: str) -> tuple[np.ndarray, np.ndarray]:
    """The Amsterdam ``month`` (``2024-03``) or ``quarter`` (``2024Q1``) of each UTC moment:
    codes (positions in the labels) and the labels.

    Found by the UTC moments at which the periods begin, not by converting every moment to
    local time: a tenth of the time, and the months and cohorts of every norm ask for it.

    Example::

        >>> codes, labels = local_periods(pd.Series(pd.to_datetime(["2023-03-31 22:30"], utc=True)), "quarter")
        >>> labels[codes].tolist()
        ['2023Q2']
    """
    if stamps.empty:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
    freq, pattern = _PERIODS[period]
    first, last = (t.tz_convert(LOCAL_TZ) for t in (stamps.min(), stamps.max()))
    # to the last day's midnight: a period begins at one, and 02:30 on the night the clocks go
    # back is two moments, which date_range refuses to choose between
    begins = pd.date_range(pd.Timestamp(first.year, 1, 1, tz=LOCAL_TZ), last.normalize(), freq=freq)
    edges = begins.tz_convert("UTC").as_unit(stamps.dt.unit).asi8
    codes = np.searchsorted(edges, stamps.array.asi8, side="right") - 1
    if pattern is None:
        labels = [f"{begin.year}Q{begin.quarter}" for begin in begins]
    else:
        labels = list(begins.strftime(pattern))
    return codes, np.array(labels, dtype=object)


def local_dates(stamps: pd.Series) -> pd.Series:
    """The Amsterdam calendar day of each UTC timestamp, as midnight timestamps (naive).

    Example::

        >>> local_dates(pd.Series(pd.to_datetime(["2025-03-31 22:30"], utc=True))).tolist()
        [Timestamp('2025-04-01 00:00:00')]
    """
    return stamps.dt.tz_convert(LOCAL_TZ).dt.tz_localize(None).dt.normalize()
