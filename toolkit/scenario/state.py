"""Who waits where at the start of a scenario: the households of the log still in the chain.

A person's stage is read from their last event listed in ``stages.toml``; persons of one
household in the same stage since the same day travel on together, as in the engine. For a
timed step the rest of the wait is drawn from the log's own durations of that step that took
longer than the person has already waited (the residual of the observed distribution); where
fewer than five such durations exist it is drawn from an exponential with the step's mean.
A status holder's pending family reunification (a nareis decision to come, or a family granted
entry that has not arrived) is a household of its own in the state: its referent alone, whom the
family joins on arrival.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.bottlenecks.persons import REGISTRATION
from toolkit.eventlog import ACTIVITY, CASE, GROUP, HOUSEHOLD, MUNICIPALITY, RESOURCE, TIMESTAMP
from toolkit.scenario.calibrate import MIN_OBSERVED, durations, household_or_person, travel_days
from toolkit.synthetic.simulation import Waiting

STAGES_FILE = Path(__file__).parent / "stages.toml"
DEFAULT_MEAN_DAYS = 30.0
LEFT = "left"
NAREIZIGER = "ind_nareiziger_inreis"
BIRTH_BAND = "case:birth_year_band"
ADULT_AGE = 30


def _stages(kind: str = "stage") -> tuple[dict[str, str], dict[str, tuple[str, ...]], dict]:
    with STAGES_FILE.open("rb") as fh:
        table = tomllib.load(fh)
    stage_of = {a: s["stage"] for s in table[kind] for a in s["after"]}
    until = {s["stage"]: tuple(s["until"]) for s in table[kind] if "until" in s}
    return stage_of, until, table["track"]


def _days(stamps: pd.Series, start: pd.Timestamp) -> np.ndarray:
    return ((stamps - start).dt.total_seconds() / 86400.0).to_numpy()


def _birth_years(bands: pd.Series | None, year: int) -> np.ndarray | int:
    """The middle of each birth-year band (``1995-1999``); an unknown band counts as an adult
    of ``ADULT_AGE``, so the municipal follow-up treats the person as one."""
    if bands is None:
        return year - ADULT_AGE
    parts = bands.astype(str).str.extract(r"^(\d{4})-(\d{4})$").astype(float)
    middle = ((parts[0] + parts[1]) / 2).round()
    return middle.fillna(year - ADULT_AGE).astype(int).to_numpy()


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as text, missing (or no such column) as ``""``; categories too."""
    if column not in frame:
        return pd.Series("", index=frame.index)
    return frame[column].astype(str).fillna("")


class _Residual:
    """Rest of a timed step: observed durations longer than the wait so far, minus it."""

    def __init__(self, log: pd.DataFrame, moment: pd.Timestamp, until: dict, rng) -> None:
        self.log, self.moment, self.until, self.rng = log, moment, until, rng
        self.cache: dict[str, np.ndarray] = {}

    def draw(self, stage: str, activity: str, waited: float) -> float:
        if activity not in self.cache:
            self.cache[activity] = durations(self.log, activity, self.until[stage], self.moment)
        return self.rest(self.cache[activity], waited)

    def rest(self, d: np.ndarray, waited: float) -> float:
        longer = d[d > waited] - waited
        if len(longer) >= MIN_OBSERVED:
            return float(self.rng.choice(longer))
        mean = float(d.mean()) if len(d) else DEFAULT_MEAN_DAYS
        return float(self.rng.exponential(mean))


def initial_state(
    log: pd.DataFrame, start: pd.Timestamp, rng: np.random.Generator
) -> tuple[Waiting, ...]:
    """The households in the chain at ``start`` (events before it only), where they wait.

    Example::

        >>> state = initial_state(log, pd.Timestamp("2025-06-30 22:00", tz="UTC"), rng)  # doctest: +SKIP
        >>> sum(len(w.members) for w in state if w.stage == "housing")  # doctest: +SKIP
    """
    stage_of, until, tracks = _stages()
    log = log[log[TIMESTAMP] < start]
    listed = log[log[ACTIVITY].isin(list(stage_of))]
    last = listed.sort_values([CASE, TIMESTAMP], kind="stable").groupby(CASE, observed=True).tail(1)
    last = last.assign(stage=last[ACTIVITY].map(stage_of).astype(str))
    last = last[last["stage"] != LEFT].set_index(CASE)
    if last.empty:
        return ()
    per_person = log[log[CASE].isin(last.index)].sort_values([CASE, TIMESTAMP], kind="stable")

    def last_of(frame: pd.DataFrame, column: str) -> pd.Series:
        rows = frame[frame[column].notna()]
        return rows.groupby(CASE, observed=True)[column].last().astype(str)

    # the office of the last IND event after the registration, which is recorded where a person
    # reports, not by the office that will handle the case (none yet: one is picked on resuming)
    ind = per_person[
        (per_person[GROUP].astype(str) == "IND") & ~per_person[ACTIVITY].isin(REGISTRATION)
    ]
    office = last_of(ind, RESOURCE)
    coa = (
        per_person[per_person["location_type"].notna()] if "location_type" in log else ind.iloc[:0]
    )
    location = last_of(coa, RESOURCE)
    municipality = last_of(per_person, MUNICIPALITY)
    applied = (
        per_person[per_person[ACTIVITY] == "ind_aanvraag"]
        .groupby(CASE, observed=True)[TIMESTAMP]
        .min()
    )
    people = pd.DataFrame(
        {
            "stage": last["stage"],
            "activity": last[ACTIVITY].astype(str),
            "since": _days(last[TIMESTAMP], start),
            "app": _days(applied.reindex(last.index).fillna(last[TIMESTAMP]), start),
            "household": household_or_person(
                last.get(HOUSEHOLD), pd.Series(last.index, index=last.index)
            ),
            "office": office.reindex(last.index).fillna(""),
            "location": location.reindex(last.index).fillna(""),
            "municipality": municipality.reindex(last.index).fillna(""),
            "nationality": _text(last, "case:nationality"),
            "track": _text(last, "case:track").map(tracks).fillna("4"),
            "born": _birth_years(last.get(BIRTH_BAND), start.year),
        }
    )
    people["day"] = np.floor(people["since"])
    residual = _Residual(log, start, until, rng)
    state = []
    for (_, stage, _), group in people.groupby(["household", "stage", "day"], sort=True):
        first = group.iloc[0]
        waited = -float(group["since"].min())
        remaining = residual.draw(stage, first["activity"], waited) if stage in until else 0.0
        state.append(
            Waiting(
                members=tuple(str(c) for c in group.index),
                stage=str(stage),
                since=float(group["since"].min()),
                remaining=remaining,
                app_time=float(group["app"].min()),
                office=str(first["office"]),
                location=str(first["location"]),
                municipality=str(first["municipality"]),
                nationality=str(first["nationality"]),
                track=str(first["track"]),
                birth_years=tuple(int(b) for b in group["born"]),
            )
        )
    return tuple(state) + _pending_nareis(log, start, rng, people)


def _pending_nareis(
    log: pd.DataFrame, start: pd.Timestamp, rng: np.random.Generator, people: pd.DataFrame
) -> tuple[Waiting, ...]:
    """Referents whose nareis decision or family is still to come, one household each."""
    stage_of, until, _ = _stages("nareis")
    events = log[log[ACTIVITY].isin(list(stage_of))].sort_values([CASE, TIMESTAMP], kind="stable")
    last = events.groupby(CASE, observed=True).tail(1).set_index(CASE)
    if last.empty:
        return ()
    household = log.groupby(CASE, observed=True)[HOUSEHOLD].first() if HOUSEHOLD in log else None
    arrivals = log[log[ACTIVITY] == NAREIZIGER]
    if household is not None:
        arrived = (
            arrivals.assign(household=arrivals[HOUSEHOLD]).groupby("household")[TIMESTAMP].max()
        )
        granted_household = household.reindex(last.index)
        since_arrival = arrived.reindex(granted_household.to_numpy()).to_numpy()
        came = pd.Series(since_arrival, index=last.index) >= last[TIMESTAMP]
        travel = travel_days(log, household, arrivals)
    else:
        came = pd.Series(False, index=last.index)
        travel = np.array([])
    stage = last[ACTIVITY].map(stage_of)
    pending = last[((stage == "nareis_decision") | ((stage == "nareis_travel") & ~came))]
    municipality = log[log[MUNICIPALITY].notna()].groupby(CASE, observed=True)[MUNICIPALITY].last()
    residual = _Residual(log, start, until, rng)
    out = []
    for case, row in pending.iterrows():
        kind = stage_of[row[ACTIVITY]]
        since = float(_days(pd.Series([row[TIMESTAMP]]), start)[0])
        rest = (
            residual.draw(kind, row[ACTIVITY], -since)
            if kind in until
            else residual.rest(travel, -since)
        )
        known = people.loc[case] if case in people.index else None
        out.append(
            Waiting(
                members=(str(case),),
                stage=kind,
                since=since,
                remaining=rest,
                app_time=since,
                office="",
                location="",
                municipality=str(municipality.get(case, "")),
                nationality=str(row.get("case:nationality", "") or ""),
                track="4",
                birth_years=(int(known["born"]) if known is not None else start.year - ADULT_AGE,),
            )
        )
    return tuple(out)
