"""The state of the chain at the as-of moment: every household unit, its phase and how long it
has waited there, read from the event log alone.

Why units and not persons: a household moves through the chain together (one IND case, one
koppeling, one home), so the forecast simulates households and counts their members. A unit is
the persons of one household pseudonym that arrived together; nareizigers (family members who
arrive later through nareis) share the referent's household pseudonym but form a unit of their
own, as they have their own permit and koppeling.

Everything after the as-of moment is ignored, as if the log ended there: milestones are the first
event of their kind before the moment, and the track is known only once it was assigned.
Example::

    >>> units = unit_table(log, moment)  # doctest: +SKIP
    >>> units.groupby("phase")["size"].sum()  # persons per phase  # doctest: +SKIP
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.cellkeys import record_keys
from toolkit.eventlog import ACTIVITY, CASE, HOUSEHOLD, MUNICIPALITY, TIMESTAMP

MILESTONES_FILE = Path(__file__).with_name("milestones.toml")
NATIONALITY = "case:nationality"
TRACK = "case:track"
UNKNOWN = ""
DAY = pd.Timedelta(days=1)
# the phases of a unit still waiting at the moment (the others: housed, gone, unknown)
WAITING = ("decision", "rejected", "granted", "permit", "housing")


@cache
def milestones() -> dict[str, tuple[str, ...]]:
    """Milestone name -> the activities that mark it (``milestones.toml``)."""
    with MILESTONES_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    return {name: tuple(ids) for name, ids in data["milestone"].items()}


@cache
def waiting_phases() -> dict[str, str]:
    """Forecast phase -> the chain phase in which a person waiting there is counted."""
    with MILESTONES_FILE.open("rb") as handle:
        return dict(tomllib.load(handle)["phase"])


def cut(log: pd.DataFrame, moment: pd.Timestamp) -> pd.DataFrame:
    """The log as it was at ``moment``: only events before it."""
    return log[log[TIMESTAMP] < moment]


def person_table(log: pd.DataFrame, moment: pd.Timestamp) -> pd.DataFrame:
    """One row per person: household, nationality, track and the first time of each milestone
    before ``moment`` (NaT when not reached), plus the municipality of the koppeling."""
    log = cut(log, moment)
    activity = log[ACTIVITY].astype(str)
    persons = log.groupby(CASE, sort=True, observed=True).agg(
        household=(HOUSEHOLD, "first"), nationality=(NATIONALITY, "first")
    )
    persons["household"] = persons["household"].astype(object)
    persons["nationality"] = persons["nationality"].astype(object).fillna(UNKNOWN)
    for name, ids in milestones().items():
        rows = log[activity.isin(ids).to_numpy()]
        persons[name] = rows.groupby(CASE, observed=True)[TIMESTAMP].min()
    for name in ("koppeling", "koppeling_notice"):
        rows = log[activity.isin(milestones()[name]).to_numpy()]
        first = rows.sort_values(TIMESTAMP, kind="stable").drop_duplicates(CASE)
        persons[f"{name}_municipality"] = first.set_index(CASE)[MUNICIPALITY].astype(object)
    # COA's koppeling, else the municipality's notice of it
    notice_only = persons["koppeling"].isna() & persons["koppeling_notice"].notna()
    persons.loc[notice_only, "koppeling"] = persons.loc[notice_only, "koppeling_notice"]
    persons["municipality"] = persons["koppeling_municipality"].where(
        persons["koppeling_municipality"].notna(), persons["koppeling_notice_municipality"]
    )
    persons = persons.drop(columns=["koppeling_notice", "koppeling_municipality",
                                    "koppeling_notice_municipality"])  # fmt: skip
    track = log.groupby(CASE, observed=True)[TRACK].first().astype(object)
    persons["track"] = track.where(persons["track_assigned"].notna(), UNKNOWN).fillna(UNKNOWN)
    return persons


def unit_table(log: pd.DataFrame, moment: pd.Timestamp) -> pd.DataFrame:
    """One row per household unit at ``moment``: size, attributes, milestone times, its phase
    and the days it has waited in that phase (see the module for what a unit is)."""
    persons = person_table(log, moment)
    nareis = persons["nareis_arrival"].notna()
    household = persons["household"].where(persons["household"].notna(), persons.index.to_series())
    persons["unit"] = household.astype(str) + np.where(nareis, "/nareis", "")
    times = [c for c in milestones() if c not in ("track_assigned", "koppeling_notice")]
    # a unit's track is any member's known track: known ones first, then "first" per unit
    persons = persons.sort_values("track", ascending=False, kind="stable")
    # each member's record key (toolkit.cellkeys): a unit's key is their sum, so that a count
    # of persons summed over units has the cell key of those persons
    persons["key"] = record_keys(pd.Series(persons.index))
    units = persons.groupby("unit", sort=True).agg(
        household=("household", "first"),
        size=("household", "size"),
        key=("key", "sum"),
        nationality=("nationality", "first"),
        track=("track", "first"),
        municipality=("municipality", "first"),
        **{name: (name, "min") for name in times},
    )
    units["nareis"] = units["nareis_arrival"].notna()
    units["start"] = units["application"].where(units["application"].notna(), units["arrival"])
    units["phase"] = _phase(units)
    since = {"decision": "start", "rejected": "rejection", "granted": "grant",
             "permit": "permit", "housing": "koppeling"}  # fmt: skip
    elapsed = pd.Series(np.nan, index=units.index)
    for phase, column in since.items():
        here = units["phase"] == phase
        elapsed[here] = (moment - units.loc[here, column]) / DAY
    units["elapsed"] = elapsed.clip(lower=0)
    return units


def _phase(units: pd.DataFrame) -> pd.Series:
    """Each unit's phase at the moment: the furthest milestone it reached decides."""
    gone = units["left"].notna() & ~(units["permit"] > units["left"])
    conditions = [
        units["move_out"].notna(),
        gone,
        units["koppeling"].notna(),
        units["permit"].notna(),
        units["grant"].notna(),
        units["rejection"].notna(),
        units["start"].notna(),
    ]
    choices = ["housed", "gone", "housing", "permit", "granted", "rejected", "decision"]
    return pd.Series(np.select(conditions, choices, default="unknown"), index=units.index)
