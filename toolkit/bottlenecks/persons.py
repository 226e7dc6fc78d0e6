"""Who a person is for the segment analyses: municipality, COA location, IND office, ...

Segments compare groups of persons, so every person needs one value per dimension, read from the
log itself (no side tables):

* ``municipality``: the CBS code on their ``coa_koppeling``; without one, the last municipality
  code on any of their events.
* ``location``: the COA location where they spent the longest (time from a COA event to their
  next COA event counts for the location of the first; the last stay runs to ``as_of`` unless it
  ended with an outflow). Longest stay, not the location at some interval start, so that a person
  has one location for every interval; the relocation analysis looks at moves separately.
* ``office``: the IND office of their ``ind_nader_gehoor``; without one, of their last IND event.
* ``nationality``, ``track``: the case attributes.
* ``household_size``: persons in the log sharing their ``case:household``, ``5+`` from five on.

Example::

    >>> person_attributes(log).loc[lambda t: t["municipality"] == "GM0479"]  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from toolkit.bottlenecks.common import cached, end_of_data, sort_events
from toolkit.bottlenecks.stays import coa_events, stay_days
from toolkit.eventlog import ACTIVITY, CASE, GROUP, MUNICIPALITY, RESOURCE, TIMESTAMP
from toolkit.filters import member_of

KOPPELING = "coa_koppeling"
INTERVIEW = "ind_nader_gehoor"
HOUSEHOLD = "case:household"
HOUSEHOLD_CAP = 5
DIMENSIONS = ("municipality", "location", "office", "nationality", "track", "household_size")
_CASE_ATTRIBUTE = {"nationality": "case:nationality", "track": "case:track"}


def _first(events: pd.DataFrame, column: str) -> pd.Series:
    values = events.dropna(subset=[column])
    return values.drop_duplicates(CASE, keep="first").set_index(CASE)[column].astype(object)


def _last(events: pd.DataFrame, column: str) -> pd.Series:
    values = events.dropna(subset=[column])
    return values.drop_duplicates(CASE, keep="last").set_index(CASE)[column].astype(object)


def _municipality(log: pd.DataFrame) -> pd.Series:
    linked = _first(log[log[ACTIVITY] == KOPPELING], MUNICIPALITY)
    return linked.combine_first(_last(log, MUNICIPALITY))


def _office(log: pd.DataFrame) -> pd.Series:
    interview = _first(log[log[ACTIVITY] == INTERVIEW], RESOURCE)
    return interview.combine_first(_last(log[log[GROUP].astype(object) == "IND"], RESOURCE))


def _location(log: pd.DataFrame, moment: pd.Timestamp) -> pd.Series:
    """Each person's location of the longest stay; of equally long ones the first by name."""
    events, locations = coa_events(log, moment)
    if events.empty:
        return pd.Series(dtype=object)
    places = len(locations)
    stays = stay_days(events, "person", moment, places)
    person, place = np.divmod(stays.index.to_numpy(), places)
    ranked = np.lexsort((place, -stays.to_numpy(), person))
    longest = ranked[np.append(True, person[ranked][1:] != person[ranked][:-1])]
    first_event = np.flatnonzero(np.diff(events["person"].to_numpy(), prepend=-1))
    cases = events["case"].to_numpy()[first_event][person[longest]]
    names = locations["location"].to_numpy()[place[longest]]
    return pd.Series(names, index=pd.Index(cases, name=CASE), dtype=object)


def person_households(log: pd.DataFrame) -> pd.DataFrame | None:
    """``case`` and its household (the first recorded), or None for a log without households.

    A per-person block (:func:`~toolkit.bottlenecks.common.cached`): the household is a case
    attribute, the same on each of a person's events.
    """
    if HOUSEHOLD not in log.columns:
        return None

    def compute() -> pd.DataFrame:
        households = log[[CASE, HOUSEHOLD]].dropna().drop_duplicates(CASE)
        return households.rename(columns={CASE: "case"}).reset_index(drop=True)

    return cached(log, ("households",), compute)


def _household_size(persons: pd.Series, households: pd.DataFrame) -> pd.Series:
    """The size label (``1`` ... ``5+``) of each person's household among ``persons``."""
    members = households[member_of(households["case"], persons)]
    size = members.groupby(HOUSEHOLD, observed=True)["case"].transform("size").to_numpy()
    label = np.where(size >= HOUSEHOLD_CAP, f"{HOUSEHOLD_CAP}+", size.astype(str))
    return pd.Series(label, index=members["case"].to_numpy(), dtype=object)


def person_attributes(
    log: pd.DataFrame, *, as_of: pd.Timestamp | date | str | None = None
) -> pd.DataFrame:
    """One row per person (``case``) with the segment dimensions; None where the log is silent.

    Columns that the log cannot fill (no ``org:group``, no case attributes) stay empty. All but
    the household size come from the person's own events (a per-person block, see
    :func:`toolkit.bottlenecks.common.cached`); the size counts the household's members in this
    log, so it is counted here.

    Example::

        >>> person_attributes(log)["office"].value_counts()  # doctest: +SKIP
    """
    moment = end_of_data(log, as_of)
    out = cached(log, ("attributes", moment), lambda: _own_attributes(log, moment))
    households = person_households(log)
    if households is not None:
        # counted among the persons seen by the moment: the rows of ``out``
        sizes = _household_size(out["case"], households)
        out["household_size"] = out["case"].map(sizes).astype(object)
        out["household_size"] = out["household_size"].where(out["household_size"].notna(), None)
    return out


def _own_attributes(log: pd.DataFrame, moment: pd.Timestamp) -> pd.DataFrame:
    ordered = sort_events(log)
    ordered = ordered[ordered[TIMESTAMP] <= moment]
    out = pd.DataFrame(index=pd.Index(ordered[CASE].unique(), name="case"))
    has = set(ordered.columns)
    if {MUNICIPALITY} <= has:
        out["municipality"] = _municipality(ordered)
    if {GROUP, RESOURCE} <= has:
        out["location"] = _location(ordered, moment)
        out["office"] = _office(ordered)
    for name, column in _CASE_ATTRIBUTE.items():
        if column in has:
            out[name] = _first(ordered, column)
    for name in DIMENSIONS:
        if name not in out:
            out[name] = None
        out[name] = out[name].astype(object).where(out[name].notna(), None)
    return out[list(DIMENSIONS)].reset_index()
