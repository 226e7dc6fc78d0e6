"""The one filter of the toolkit: the CLI flags, ``analyze`` and the dashboard's filter bar all
build a :class:`LogFilter` and apply it with :func:`apply_filter`, so no page filters in its own way.

Filters are pure (log in, log out), like bupaR's verbs. Semantics:

* ``period_from``/``period_to`` (Amsterdam calendar days, both included): keep the events in the
  period (events outside it are trimmed, as bupaR's ``filter_time_period(filter_method="trim")``).
* ``organisation``: keep the events that these organisations recorded (``org:group``).
* ``municipality``: keep the persons linked to one of these municipalities (any event with that
  CBS code), with all their events: a person's whole journey, not only the municipal events.
* ``location``: keep the persons who stayed at one of these COA locations (a COA event with that
  ``org:resource``), with all their events.
* ``nationality``, ``track``: keep the persons with one of these case attributes.
* ``activity``: keep the persons who passed one of these activities, with all their events.
* ``path``: keep the persons who took one of these paths ``"X:Y"`` (activity ids): an event of X
  directly followed by one of Y, as the process map draws it: activities that the map folds
  into a self-loop (``loop = true`` in chain.toml, the relocations) are skipped, and the path
  ``"X:X"`` of such an activity is its self-loop, the persons who passed it.
* ``cohort_from``/``cohort_to``: not a log filter. A cohort is per interval (the persons whose
  interval starts in the window), so the interval analyses take it as ``cohort=f.cohort``.

Person filters run on the log as given, before the period trims events, so a person linked to a
municipality after the period still counts as linked. Example::

    >>> f = LogFilter(municipality=["GM0479"], period_from="2024-01-01")
    >>> LogFilter.from_dict(f.to_dict()) == f
    True
    >>> short = apply_filter(log, f)  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.chain import load_chain
from toolkit.eventlog import ACTIVITY, CASE, GROUP, MUNICIPALITY, RESOURCE, TIMESTAMP

COA = "COA"
LOCAL_TZ = "Europe/Amsterdam"
Window = tuple[date | str | None, date | str | None]
NATIONALITY = "case:nationality"
TRACK = "case:track"
_LISTS = ("municipality", "organisation", "location", "nationality", "track", "activity", "path")
PATH_SEPARATOR = ":"
_DATES = ("period_from", "period_to", "cohort_from", "cohort_to")


def _as_date(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


@dataclass(frozen=True)
class LogFilter:
    """What to look at; every field empty means the whole log. Lists mean "any of these".

    Example::

        >>> LogFilter(track="4").track
        ('4',)
    """

    period_from: date | None = None
    period_to: date | None = None
    cohort_from: date | None = None
    cohort_to: date | None = None
    municipality: tuple[str, ...] = ()
    organisation: tuple[str, ...] = ()
    location: tuple[str, ...] = ()
    nationality: tuple[str, ...] = ()
    track: tuple[str, ...] = ()
    activity: tuple[str, ...] = ()
    path: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in _DATES:
            object.__setattr__(self, name, _as_date(getattr(self, name)))
        for name in _LISTS:
            object.__setattr__(self, name, _as_tuple(getattr(self, name)))
        for path in self.path:
            if len(path.split(PATH_SEPARATOR)) != 2 or "" in path.split(PATH_SEPARATOR):
                raise ValueError(
                    f"filter: path {path!r} is not two activities joined by "
                    f"{PATH_SEPARATOR!r}, e.g. ind_aanvraag{PATH_SEPARATOR}ind_aanmeldgehoor"
                )
        for first, last in (("period_from", "period_to"), ("cohort_from", "cohort_to")):
            a, b = getattr(self, first), getattr(self, last)
            if a is not None and b is not None and a > b:
                raise ValueError(f"filter: {first} {a} is after {last} {b}; swap them")

    @property
    def cohort(self) -> tuple[date | None, date | None] | None:
        """The cohort window for the interval analyses, or None for all persons."""
        if self.cohort_from is None and self.cohort_to is None:
            return None
        return (self.cohort_from, self.cohort_to)

    def is_empty(self) -> bool:
        return self == LogFilter()

    def to_dict(self) -> dict[str, Any]:
        """The fields that are set, JSON-ready (dates as ISO text, lists as lists)."""
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if value is None or value == ():
                continue
            out[key] = value.isoformat() if isinstance(value, date) else list(value)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LogFilter:
        """The filter from :meth:`to_dict`'s output (or CLI/dashboard values); unknown keys fail."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"filter: unknown field {unknown[0]!r}; known: {', '.join(sorted(known))}"
            )
        return cls(**data)


def local_day_start(day: date | str | pd.Timestamp) -> pd.Timestamp:
    """00:00 of a calendar day in Amsterdam, in UTC.

    Example::

        >>> local_day_start("2025-01-01")
        Timestamp('2024-12-31 23:00:00+0000', tz='UTC')
    """
    return pd.Timestamp(pd.Timestamp(day).date()).tz_localize(LOCAL_TZ).tz_convert("UTC")


def local_day_end(day: date | str | pd.Timestamp) -> pd.Timestamp:
    """The first moment after a calendar day in Amsterdam (exclusive end), in UTC.

    Example::

        >>> local_day_end("2025-07-01")
        Timestamp('2025-07-01 22:00:00+0000', tz='UTC')
    """
    next_day = pd.Timestamp(pd.Timestamp(day).date()) + pd.Timedelta(days=1)
    return next_day.tz_localize(LOCAL_TZ).tz_convert("UTC")


def in_window(stamps: pd.Series, window: Window | None) -> pd.Series:
    """Which timestamps fall in a window of Amsterdam calendar days (both ends included).

    Example::

        >>> stamps = pd.Series(pd.to_datetime(["2025-01-01 12:00", "2025-02-01 12:00"], utc=True))
        >>> in_window(stamps, ("2025-01-01", "2025-01-31")).tolist()
        [True, False]
    """
    keep = pd.Series(True, index=stamps.index)
    if window is None:
        return keep
    first, last = window
    if first is not None:
        keep &= stamps >= local_day_start(first)
    if last is not None:
        keep &= stamps < local_day_end(last)
    return keep


def member_of(column: pd.Series, values: pd.Series | pd.Index) -> np.ndarray:
    """Which entries of ``column`` are among ``values``, as a boolean array.

    The same as ``column.isin(values)`` for values that are never missing (person ids), but
    without per-row Python: a categorical column is looked up by its integer codes, text by
    Arrow's hash set (pandas' ``isin`` on its Arrow-backed strings walks the values in Python,
    which for tens of thousands of persons takes longer than the rest of a filter).

    Example::

        >>> member_of(pd.Series(["a", "b", "c"]), pd.Index(["c", "a"])).tolist()
        [True, False, True]
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = column.cat.categories
        found = categories.get_indexer(pd.Index(np.asarray(values, dtype=object)))
        return code_marks(len(categories), found)[column.cat.codes.to_numpy()]
    haystack = pa.array(column)
    needles = pa.array(pd.Series(values, dtype=object), type=haystack.type)
    return pc.is_in(haystack, value_set=needles).to_numpy(zero_copy_only=False)


def code_marks(size: int, codes: np.ndarray) -> np.ndarray:
    """Which of ``size`` category codes are among ``codes``, with one more entry, always False,
    for code -1 (missing): indexed by a column's codes, it says which entries are among them."""
    wanted = np.zeros(size + 1, dtype=bool)
    wanted[codes] = True
    wanted[-1] = False
    return wanted


def _persons_with(log: pd.DataFrame, mask: pd.Series) -> pd.Series:
    """The events of the persons with an event in ``mask``."""
    cases = log[CASE]
    if isinstance(cases.dtype, pd.CategoricalDtype):  # the persons marked by code, not by id
        codes = cases.cat.codes.to_numpy()
        wanted = code_marks(len(cases.cat.categories), codes[mask.to_numpy(dtype=bool)])
        return pd.Series(wanted[codes], index=log.index)
    return pd.Series(member_of(cases, log.loc[mask, CASE].unique()), index=log.index)


def _in(column: pd.Series, values: tuple[str, ...]) -> pd.Series:
    # isin on the column's own dtype (categorical, string): no per-row Python objects
    return column.isin(list(values))


def path_events(log: pd.DataFrame, paths: tuple[str, ...]) -> pd.Series:
    """The events of X that are directly followed by Y for a path ``"X:Y"`` in ``paths``, in
    the log's order (case, time, source order), skipping the activities folded into a self-loop;
    for ``"X:X"`` of such an activity, its events (see the module).

    Example::

        >>> log = pd.DataFrame({
        ...     "case:concept:name": ["a", "a", "a", "b", "b"],
        ...     "concept:name": ["x", "coa_overplaatsing", "y", "y", "x"],
        ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03",
        ...                                       "2024-01-01", "2024-01-02"], utc=True),
        ... })
        >>> path_events(log, ("x:y",)).tolist()
        [True, False, False, False, False]
    """
    loops = load_chain().loop_activities
    pairs = [tuple(p.split(PATH_SEPARATOR)) for p in paths]
    activity = log[ACTIVITY].astype(str)
    hit = pd.Series(False, index=log.index)
    folded = [a for a, b in pairs if a == b and a in loops]
    if folded:
        hit |= activity.isin(folded)
    rest = {f"{a}{PATH_SEPARATOR}{b}" for a, b in pairs if not (a == b and a in loops)}
    if rest:
        steps = log.loc[~activity.isin(loops).to_numpy(), [CASE, TIMESTAMP]]
        # stable: events at the same moment keep the log's (source) order
        steps = steps.assign(_act=activity).sort_values([CASE, TIMESTAMP], kind="stable")
        case = steps[CASE].astype(str).to_numpy()
        act = steps["_act"].to_numpy()
        same = np.zeros(len(steps), dtype=bool)
        same[:-1] = case[:-1] == case[1:]
        pair = pd.Series(act[:-1]).str.cat(pd.Series(act[1:]), sep=PATH_SEPARATOR)
        found = np.zeros(len(steps), dtype=bool)
        found[:-1] = same[:-1] & pair.isin(rest).to_numpy()
        hit.loc[steps.index[found]] = True
    return hit


def apply_filter(log: pd.DataFrame, f: LogFilter | None) -> pd.DataFrame:
    """The events of ``log`` that ``f`` keeps, in the log's order (see the module for semantics).

    Example::

        >>> apply_filter(log, LogFilter(track=["4"], organisation=["IND"]))  # doctest: +SKIP
    """
    if f is None or f.is_empty():
        return log
    keep = pd.Series(True, index=log.index)
    if f.municipality:
        keep &= _persons_with(log, _in(log[MUNICIPALITY], f.municipality))
    if f.location:
        at = _in(log[RESOURCE], f.location) & _in(log[GROUP], (COA,))
        keep &= _persons_with(log, at)
    if f.nationality:
        keep &= _in(log[NATIONALITY], f.nationality)
    if f.track:
        keep &= _in(log[TRACK], f.track)
    if f.activity:
        keep &= _persons_with(log, _in(log[ACTIVITY], f.activity))
    if f.path:
        keep &= _persons_with(log, path_events(log, f.path))
    if f.organisation:
        keep &= _in(log[GROUP], f.organisation)
    if f.period_from is not None or f.period_to is not None:
        keep &= in_window(log[TIMESTAMP], (f.period_from, f.period_to))
    # the same object when nothing is dropped: a filter that keeps every event (a cohort alone)
    # then shares the whole log's sections (toolkit.analysis.make_scope)
    return log if bool(keep.all()) else log[keep]
