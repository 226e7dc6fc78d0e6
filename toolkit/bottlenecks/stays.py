"""COA stays: at which COA locations a person (or a household) lived, and for how long.

Both the person's location for the segment analyses (the longest stay,
:mod:`toolkit.bottlenecks.persons`) and the relocation rates per resident-year
(:mod:`toolkit.bottlenecks.rework`) count stays the same way, here. A stay runs from a COA event
to the person's next COA event and counts for the location of the first; the last runs to the
end of the data unless it is an outflow (``coa_uitstroom_*``). Everything is on integer codes
numbered in text order: the counts group these rows several times, and grouping a quarter of a
million strings costs more than all the counting. Example::

    >>> events, locations = coa_events(log, moment)  # doctest: +SKIP
    >>> stay_days(events, "person", moment, len(locations)).nlargest(3)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from toolkit.bottlenecks.common import codes_of, event_order, text_values, to_days
from toolkit.eventlog import ACTIVITY, CASE, GROUP, HOUSEHOLD, RESOURCE, TIMESTAMP

RELOCATION = "coa_overplaatsing"
OUTFLOW_PREFIX = "coa_uitstroom_"
LOCATION_TYPE = "location_type"
# the COA events and the locations of a log (see coa_events)
Coa = tuple[pd.DataFrame, pd.DataFrame]


def _text_codes(values: pd.Series, gaps: pd.Series | None = None) -> tuple[np.ndarray, pd.Index]:
    """Integer codes numbered in the text order of ``values`` (of ``gaps`` where a value is
    missing), and the texts in that order.

    The order in which a groupby on the text lists them, also for a categorical (whose own order
    is that of its categories). Worked out on the distinct values: a quarter of a million
    categorical values are slow to turn into text.
    """
    codes, uniques = pd.factorize(values)
    texts = pd.Index(text_values(pd.Series(uniques)))
    missing = codes < 0
    if gaps is not None and missing.any():
        more, extra = pd.factorize(gaps[missing])
        codes[missing] = len(texts) + more
        texts = texts.append(pd.Index(text_values(pd.Series(extra))))
    rank, texts = pd.factorize(texts, sort=True)  # a text twice (a household named as a case) once
    return rank[codes], texts


def coa_events(log: pd.DataFrame, moment: pd.Timestamp) -> Coa:
    """The COA events with a location up to ``moment`` in the contract's order, as codes.

    Events: ``case``; ``person`` (its code), ``unit`` (the household, else the person) and
    ``location`` as codes in text order; ``activity`` codes; ``relocation`` and ``outflow``
    flags; ``stamp``; ``origin`` (the location code of the person's previous COA event, -1 for
    the first); ``location_type`` as recorded on the event. Locations, one row per location
    code: ``location`` and ``location_type`` (the type on its first event that has one, else
    "").

    The persons' locations and the relocation rates both count from it. For a subset of
    persons (all their events) they are the whole log's events of those persons, numbered
    again: :func:`coa_events_of`.
    """
    return _coa_events(log, moment)


def _persons(cases: pd.Series) -> np.ndarray:
    """Persons numbered in order: in the contract's order a person's events are consecutive."""
    codes = codes_of(cases)[0]
    return np.cumsum(np.diff(codes, prepend=codes[:1] - 1) != 0) - 1


def _ranks(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct codes (0 or more) in order, and each code's rank among them: what
    ``np.unique(codes, return_inverse=True)`` gives, by counting instead of sorting."""
    present = np.zeros(codes.max(initial=-1) + 1, dtype=bool)
    present[codes] = True
    return np.flatnonzero(present), (np.cumsum(present) - 1)[codes]


def coa_events_of(whole: Coa, among: Callable[[pd.Series], np.ndarray]) -> Coa:
    """The :func:`coa_events` of a subset of persons (with all their events) from the whole
    log's: their rows (in the same order, as the contract's order of the subset is), with
    persons numbered in order, units and locations by their rank among the subset's (the text
    order of what is left) and activities in order of appearance: the tables the subset's own
    events give. ``among(cases)`` says which entries of a column of persons are the subset's."""
    events, locations = whole
    kept = events[among(events["case"])].reset_index(drop=True)
    person = _persons(kept["case"])
    unit = _ranks(kept["unit"].to_numpy())[1]
    present, location = _ranks(kept["location"].to_numpy())
    renumber = np.full(len(locations) + 1, -1)  # the last: origin -1, no previous event
    renumber[present] = np.arange(present.size)
    origin = renumber[kept["origin"].to_numpy()]
    activity = kept["activity"].to_numpy().copy()  # numbered in order of appearance, -1 missing
    recorded = activity >= 0
    activity[recorded] = pd.factorize(activity[recorded])[0]
    kept = kept.assign(person=person, unit=unit, location=location, activity=activity,
                       origin=origin)  # fmt: skip
    names = locations["location"].to_numpy()[present]
    return kept, _locations(kept, names)


def _locations(events: pd.DataFrame, names: np.ndarray) -> pd.DataFrame:
    """One row per location code: its name and the type on its first event that has one."""
    types = events["location_type"]
    known = types.notna().to_numpy()
    kinds = types[known].groupby(events["location"].to_numpy()[known]).first().astype(object)
    return pd.DataFrame(
        {
            "location": np.asarray(names, dtype=object),
            "location_type": kinds.reindex(range(len(names)), fill_value=""),
        }
    )


def _coa_events(log: pd.DataFrame, moment: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    kept = (log[TIMESTAMP] <= moment) & (log[GROUP] == "COA") & log[RESOURCE].notna()
    rows = event_order(log, np.flatnonzero(kept.to_numpy()))

    def take(column: str) -> pd.Series:
        return log[column].iloc[rows].reset_index(drop=True)

    cases = take(CASE)
    person = _persons(cases)
    unit = _text_codes(take(HOUSEHOLD), cases)[0] if HOUSEHOLD in log else person
    location, names = _text_codes(take(RESOURCE))
    activity, actions = pd.factorize(take(ACTIVITY))
    actions = text_values(pd.Series(actions))
    origin = np.full(len(rows), -1)
    moved = np.flatnonzero(person[1:] == person[:-1]) + 1
    origin[moved] = location[moved - 1]
    events = pd.DataFrame(
        {
            "case": cases,
            "person": person,
            "unit": unit,
            "location": location,
            "activity": activity,
            # per distinct activity; a missing one (code -1, the appended last) is neither
            "relocation": np.append(actions == RELOCATION, False)[activity],
            "outflow": np.append(actions.str.startswith(OUTFLOW_PREFIX), False)[activity],
            "stamp": take(TIMESTAMP),
            "origin": origin,
            LOCATION_TYPE: take(LOCATION_TYPE) if LOCATION_TYPE in log else None,
        }
    )
    return events, _locations(events, names.to_numpy(dtype=object))


def stay_days(events: pd.DataFrame, who: str, moment: pd.Timestamp, places: int) -> pd.Series:
    """Days per ``who`` (``person`` or ``unit``) and location, indexed ``who * places + location``.

    A stay runs from a COA event to the next COA event of the same ``who``; the last one runs to
    ``moment`` unless it is an outflow. Sorted by ``who``, then location (text order).
    """
    codes = events[who].to_numpy()
    same = np.zeros(codes.size, dtype=bool)
    same[:-1] = codes[1:] == codes[:-1]
    stamp = events["stamp"]
    until = stamp.shift(-1).where(same, moment).where(same | ~events["outflow"], stamp)
    days = to_days(until - stamp).clip(lower=0.0).to_numpy()
    keys = codes * places + events["location"].to_numpy()
    # summed per distinct key, in key order: a groupby of a million possible keys spends its
    # time finding them again (factorize and sort); np.unique finds them in one sort
    present, at = np.unique(keys, return_inverse=True)
    return pd.Series(np.bincount(at, weights=days, minlength=present.size), index=present)
