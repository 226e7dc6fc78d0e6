"""Who a person is for the segment analyses: municipality, COA location, IND office, ...

Segments compare groups of persons, so every person needs one value per dimension, read from the
log itself (no side tables):

* ``municipality``: the CBS code on their ``coa_koppeling``; without one, the last municipality
  code on any of their events.
* ``location``: the COA location where they spent the longest (time from a COA event to their
  next COA event counts for the location of the first; the last stay runs to ``as_of`` unless it
  ended with an outflow). Longest stay, not the location at some interval start, so that a person
  has one location for every interval; the relocation analysis looks at moves separately.
* ``office``: the IND office of their ``ind_nader_gehoor``; without one, of their last IND event
  after the registration (``ind_aanmelding`` and ``ind_aanvraag`` are recorded where a person
  reports, the national registration centre, not by the office that will handle the case); none
  before the registration interview.
* ``nationality``, ``track``: the case attributes.
* ``household_size``: persons in the log sharing their ``case:household``, ``5+`` from five on.

Example::

    >>> person_attributes(log).loc[lambda t: t["municipality"] == "GM0479"]  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from toolkit.bottlenecks.common import codes_of, end_of_data, event_order
from toolkit.bottlenecks.stays import Coa, coa_events, stay_days
from toolkit.eventlog import ACTIVITY, CASE, GROUP, HOUSEHOLD, MUNICIPALITY, RESOURCE, TIMESTAMP

KOPPELING = "coa_koppeling"
INTERVIEW = "ind_nader_gehoor"
# recorded at the national registration centre for every applicant: they say nothing of the office
REGISTRATION = ("ind_aanmelding", "ind_aanvraag")
HOUSEHOLD_CAP = 5
DIMENSIONS = ("municipality", "location", "office", "nationality", "track", "household_size")
_CASE_ATTRIBUTE = {"nationality": "case:nationality", "track": "case:track"}


def _location(log: pd.DataFrame, moment: pd.Timestamp, coa: Coa | None) -> pd.Series:
    """Each person's location of the longest stay; of equally long ones the first by name.
    ``coa`` is :func:`~toolkit.bottlenecks.stays.coa_events` of the log, when known."""
    events, locations = coa_events(log, moment) if coa is None else coa
    if events.empty:
        return pd.Series(dtype=object)
    places = len(locations)
    stays = stay_days(events, "person", moment, places)
    person, place = np.divmod(stays.index.to_numpy(), places)
    longest = _longest(person, stays.to_numpy())
    first_event = np.flatnonzero(np.diff(events["person"].to_numpy(), prepend=-1))
    # the persons as the log holds them (a categorical is looked up by its codes)
    cases = events["case"].iloc[first_event[person[longest]]]
    names = locations["location"].to_numpy()[place[longest]]
    return pd.Series(names, index=pd.Index(cases, name=CASE), dtype=object)


def _longest(person: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Of stays sorted by person and then location, each person's longest: the first of
    equally long ones."""
    return pd.Series(days).groupby(person, sort=True).idxmax().to_numpy()


def person_households(log: pd.DataFrame) -> pd.DataFrame | None:
    """``case`` and its household (the first recorded), or None for a log without households.

    The household is a case attribute, the same on each of a person's events.
    """
    if HOUSEHOLD not in log.columns:
        return None
    households = log[[CASE, HOUSEHOLD]].dropna().drop_duplicates(CASE)
    return households.rename(columns={CASE: "case"}).reset_index(drop=True)


def _household_size(persons: pd.Series, households: pd.DataFrame) -> np.ndarray:
    """The size label (``1`` ... ``5+``) of each person's household among ``persons``; None for
    a person without one."""
    at = pd.Index(households["case"]).get_indexer(persons)
    home = np.append(codes_of(households[HOUSEHOLD])[0], -1)[at]  # -1: not in a household
    members = np.bincount(home[home >= 0], minlength=1)
    size = members[np.maximum(home, 0)]
    label = np.where(size >= HOUSEHOLD_CAP, f"{HOUSEHOLD_CAP}+", size.astype(str)).astype(object)
    label[home < 0] = None
    return label


def person_attributes(
    log: pd.DataFrame,
    *,
    as_of: pd.Timestamp | date | str | None = None,
    coa: Coa | None = None,
    households: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per person (``case``) with the segment dimensions; None where the log is silent.

    Columns that the log cannot fill (no ``org:group``, no case attributes) stay empty. All but
    the household size come from the person's own events; the size counts the household's
    members in this log. ``coa`` (:func:`~toolkit.bottlenecks.stays.coa_events`) and
    ``households`` (:func:`person_households`) of the log are computed here unless given.

    Example::

        >>> person_attributes(log)["office"].value_counts()  # doctest: +SKIP
    """
    moment = end_of_data(log, as_of)
    out = _own_attributes(log, moment, coa)
    if households is None:
        households = person_households(log)
    if households is not None:
        # counted among the persons seen by the moment: the rows of ``out``
        out["household_size"] = pd.Series(_household_size(out["case"], households), dtype=object)
    return out


class _Events:
    """The events up to the moment in the contract's order, read column by column as codes.

    Attributes are "the first (or last) recorded value of a person": on a million events that
    is a walk over integer codes, where dropping missing values and duplicates of the text
    columns would copy the log several times.
    """

    def __init__(self, log: pd.DataFrame, moment: pd.Timestamp) -> None:
        self.log = log
        self.rows = event_order(log, np.flatnonzero((log[TIMESTAMP] <= moment).to_numpy()))
        cases = log[CASE].iloc[self.rows]
        person = codes_of(cases)[0]
        begins = np.flatnonzero(np.diff(person, prepend=-1) != 0)
        self.cases = cases.iloc[begins].reset_index(drop=True)
        self.person = np.repeat(np.arange(begins.size), np.diff(np.append(begins, person.size)))

    def codes(self, column: str) -> tuple[np.ndarray, pd.Index]:
        codes, values = codes_of(self.log[column])
        return codes[self.rows], values

    def where(self, column: str, value: str) -> np.ndarray:
        """Which events have ``value`` in ``column``."""
        codes, values = self.codes(column)
        found = values.get_indexer([value])[0]
        return codes == found if found >= 0 else np.zeros(codes.size, dtype=bool)

    def pick(self, codes: np.ndarray, among: np.ndarray | None = None, *, last: bool = False):
        """Each person's first (or last) code that is not missing, among some events; -1: none."""
        chosen = codes >= 0 if among is None else (codes >= 0) & among
        at = np.flatnonzero(chosen)
        person = self.person[at]
        edge = np.diff(person, append=-1) != 0 if last else np.diff(person, prepend=-1) != 0
        out = np.full(self.cases.size, -1)
        out[person[edge]] = codes[at[edge]]
        return out


def _texts(codes: np.ndarray, values: pd.Index) -> np.ndarray:
    """The values of codes as objects, None for -1."""
    texts = np.append(np.asarray(values.astype(object)), None)
    return texts[codes]


def _own_attributes(log: pd.DataFrame, moment: pd.Timestamp, coa: Coa | None) -> pd.DataFrame:
    events = _Events(log, moment)
    nobody = np.full(events.cases.size, None, dtype=object)
    out = dict.fromkeys(DIMENSIONS, nobody)
    has = set(log.columns)
    if MUNICIPALITY in has:
        codes, values = events.codes(MUNICIPALITY)
        # the municipality of the koppeling; without one, the last municipality recorded
        linked = events.pick(codes, events.where(ACTIVITY, KOPPELING))
        known = np.where(linked >= 0, linked, events.pick(codes, last=True))
        out["municipality"] = _texts(known, values)
    if {GROUP, RESOURCE} <= has:
        longest = _location(log, moment, coa)
        at = longest.index.get_indexer(events.cases)
        out["location"] = np.append(longest.to_numpy(dtype=object), None)[at]  # -1: no stay
        codes, values = events.codes(RESOURCE)
        # the office of the interview; without one, of the last IND event after the registration
        interview = events.pick(codes, events.where(ACTIVITY, INTERVIEW))
        registration = np.logical_or.reduce([events.where(ACTIVITY, a) for a in REGISTRATION])
        last_ind = events.pick(codes, events.where(GROUP, "IND") & ~registration, last=True)
        out["office"] = _texts(np.where(interview >= 0, interview, last_ind), values)
    for name, column in _CASE_ATTRIBUTE.items():
        if column in has:
            codes, values = events.codes(column)
            out[name] = _texts(events.pick(codes), values)
    # objects with None for "silent", as the segment tables expect (not pandas' text type)
    columns = {name: pd.Series(values, dtype=object) for name, values in out.items()}
    return pd.DataFrame({"case": events.cases, **columns})
