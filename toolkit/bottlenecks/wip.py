"""Work in progress: how many persons are in each phase of the chain per day; flow per week.

Definition. A person is in the phase of their last phase-changing activity (``changes_phase`` in
the chain: a relocation or a refused offer moves nobody on). They are in work in progress from
their first phase-changing event until they leave the chain's care: leaving COA reception
(any ``coa_uitstroom_*``: for a home, departure, unknown destination, other) or an activity of
the phase ``vertrek`` (a Dublin transfer). What happens after leaving (the municipal follow-up
after the move) does not bring them back. A day is an Amsterdam calendar day and a person counts
in the state they are in at the end of it; several events on one day count as the last one.
Events after ``as_of`` are ignored; activities outside the chain vocabulary are ignored, so a
log without chain activities has no work in progress.

Inflow of a week: persons whose first phase-changing event falls in it. Outflow: persons who
left in it (``outflow_housing`` of them for a home in a municipality). Example::

    >>> wip_per_day(log).set_index("date")[["asielprocedure", "huisvesting"]].plot()  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from toolkit.bottlenecks.common import end_of_data, event_order, local_dates
from toolkit.bottlenecks.intervals import EXIT_PHASE
from toolkit.bottlenecks.stays import OUTFLOW_PREFIX
from toolkit.cellkeys import key_of, keys_wanted, record_keys
from toolkit.chain import Chain, load_chain
from toolkit.eventlog import ACTIVITY, CASE, SOURCE_FILE, SOURCE_ROW, TIMESTAMP
from toolkit.filters import member_of

HOUSED = "coa_uitstroom_gemeente"
LEFT = -1  # the state code of a person who left the chain's care (a phase's code is its place)


def wip_phases(chain: Chain) -> list[str]:
    """The phases a person can be in while in work in progress, in chain order.

    Example::

        >>> wip_phases(load_chain())[:3]
        ['aanmelding', 'asielprocedure', 'beroep']
    """
    return [p.id for p in chain.phases if p.id != EXIT_PHASE]


def phase_states(log: pd.DataFrame, chain: Chain, moment: pd.Timestamp) -> pd.DataFrame:
    """Per person the days their state changes, in (person, day) order: what the work in
    progress and the flow count.

    ``case``, ``day``, ``state`` (the phase's place in :func:`wip_phases`, or ``LEFT``),
    ``housed`` (left for a home in a municipality) and ``last`` (the person's last row): codes
    and flags instead of text, so that counting stays cheap. Each person's rows depend on their
    own events alone: a subset of persons has the rows of those persons.
    """
    phases = wip_phases(chain)
    # per activity, not per row: the state an activity puts a person in
    leaving = {a.id for a in chain.activities
               if a.id.startswith(OUTFLOW_PREFIX) or a.phase == EXIT_PHASE}  # fmt: skip
    entering = {a.id: phases.index(a.phase) for a in chain.activities
                if a.changes_phase and a.id not in leaving}  # fmt: skip
    state_of = {**entering, **dict.fromkeys(leaving, LEFT)}
    columns = [c for c in (CASE, ACTIVITY, TIMESTAMP, SOURCE_FILE, SOURCE_ROW) if c in log.columns]
    chosen = member_of(log[ACTIVITY], pd.Index(list(state_of)))
    chosen &= (log[TIMESTAMP] <= moment).to_numpy()
    # only the rows and columns read, in the contract's order
    ordered = log[columns].iloc[event_order(log, np.flatnonzero(chosen))]
    if ordered.empty:
        return pd.DataFrame(columns=["case", "day", "state", "housed", "last"])
    code, names = pd.factorize(ordered[ACTIVITY])
    state = np.array([state_of[n] for n in names], dtype=np.int8)[code]
    housed = (names == HOUSED)[code]
    day = local_dates(ordered[TIMESTAMP])
    number = _day_numbers(day)
    same = ordered[CASE].eq(ordered[CASE].shift()).to_numpy()
    # up to and including a person's first leaving: what follows does not bring them back
    left_before = np.cumsum(state == LEFT) - (state == LEFT)
    first_row = np.maximum.accumulate(np.where(same, 0, np.arange(len(same))))
    kept = np.flatnonzero(~same | (left_before == left_before[first_row]))
    person = np.cumsum(~same)
    # several events on one day: the day ends in the state of the last
    rows = kept[_last_of(person[kept]) | _last_of(number[kept])]
    return pd.DataFrame(
        {
            "case": ordered[CASE].array.take(rows),
            "day": day.array.take(rows),
            "state": state[rows],
            "housed": housed[rows],
            "last": _last_of(person[rows]),
        }
    )


def _last_of(values: np.ndarray) -> np.ndarray:
    """Of runs of equal values, which entries end one."""
    return np.append(values[1:] != values[:-1], True)


def _day_numbers(days: pd.Series) -> np.ndarray:
    """Midnight timestamps as whole days since 1 January 1970, to count with."""
    return days.to_numpy().astype("datetime64[D]").astype("int64")


def wip_per_day(
    log: pd.DataFrame,
    *,
    chain: Chain | None = None,
    as_of: pd.Timestamp | date | str | None = None,
    states: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Persons in each phase at the end of each day: ``date`` and one column per phase, ``total``.

    See the module docstring for the definition. ``states`` is :func:`phase_states` of the log
    at that end of the data, when known.

    Example::

        >>> wip_per_day(log, as_of="2025-06-30").tail(1)  # doctest: +SKIP
    """
    chain = chain or load_chain()
    phases = wip_phases(chain)
    moment = end_of_data(log, as_of)
    if states is None:
        states = phase_states(log, chain, moment)
    if states.empty:
        return pd.DataFrame(columns=["date", *phases, "total"])
    # as_of is an exclusive end (a date means up to midnight after it): its day is the one before
    last_day = local_dates(pd.Series([moment - pd.Timedelta(microseconds=1)])).iloc[0]
    days = pd.date_range(states["day"].min(), last_day, freq="D")
    number = _day_numbers(states["day"])
    offset = number - number.min()
    # a person is in a state from its day until their next state's day (or after the last day)
    until = np.where(states["last"].to_numpy(), len(days), np.append(offset[1:], 0))
    state = states["state"].to_numpy()
    inside = state != LEFT
    size = len(days) * len(phases)

    def per_cell(day: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        cell = day[inside] * len(phases) + state[inside]
        shown = cell < size  # changes after the last day are not shown
        weights = None if weights is None else weights[inside][shown]
        # float sums of record keys are exact up to 2^53 (two million persons in one cell)
        return np.bincount(cell[shown], weights, minlength=size).astype("int64")

    def per_day(change: np.ndarray) -> np.ndarray:
        return change.reshape(len(days), len(phases)).cumsum(axis=0)

    counts = per_day(per_cell(offset) - per_cell(until))
    table = pd.DataFrame(counts, index=days, columns=phases)
    table["total"] = table.sum(axis=1)
    # beside each count the sum of its persons' record keys (toolkit.cellkeys), kept the same way
    keys = record_keys(states["case"]).astype(float)
    sums = per_day(per_cell(offset, keys) - per_cell(until, keys)) if keys_wanted() else 0 * counts
    table[[key_of(p) for p in phases]] = sums
    table[key_of("total")] = sums.sum(axis=1)
    return table.rename_axis("date").rename_axis(None, axis=1).reset_index()


def flow_per_week(
    log: pd.DataFrame,
    *,
    chain: Chain | None = None,
    as_of: pd.Timestamp | date | str | None = None,
    states: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per week (``week`` = its Monday): ``inflow``, ``outflow``, ``outflow_housing``, ``wip_end``.

    ``states`` is :func:`phase_states` of the log at that end of the data, when known.

    Example::

        >>> flow_per_week(log)[["week", "inflow", "outflow"]].tail(4)  # doctest: +SKIP
    """
    chain = chain or load_chain()
    moment = end_of_data(log, as_of)
    if states is None:
        states = phase_states(log, chain, moment)
    columns = ["week", "inflow", "outflow", "outflow_housing", "wip_end"]
    if states.empty:
        return pd.DataFrame(columns=columns)
    number = _day_numbers(states["day"])
    monday = number - (number + 3) % 7  # 1 January 1970 was a Thursday
    first_day = states["day"].min()
    daily = wip_per_day(log, chain=chain, as_of=moment, states=states).set_index("date")
    monday_first = first_day - pd.Timedelta(days=first_day.day_of_week)
    weeks = pd.date_range(monday_first, daily.index.max(), freq="W-MON")
    week = (monday - monday.min()) // 7
    state = states["state"].to_numpy()
    first = np.append(True, states["last"].to_numpy()[:-1])
    left = state == LEFT

    keys = record_keys(states["case"]).astype(float)

    def per_week(rows: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        rows = rows & (week < len(weeks))
        found = np.bincount(week[rows], None if weights is None else weights[rows],
                            minlength=len(weeks))  # fmt: skip
        return found.astype("int64")

    out = pd.DataFrame(index=pd.Index(weeks, name="week"))
    groups = {"inflow": first & ~left, "outflow": left,
              "outflow_housing": left & states["housed"].to_numpy()}  # fmt: skip
    for name, rows in groups.items():
        out[name] = per_week(rows)
    week_end = np.minimum(weeks + pd.Timedelta(days=6), daily.index.max())
    out["wip_end"] = daily["total"].reindex(week_end).to_numpy()
    # beside each count the sum of its persons' record keys (toolkit.cellkeys)
    for name, rows in groups.items():
        out[key_of(name)] = per_week(rows, keys)
    out[key_of("wip_end")] = daily[key_of("total")].reindex(week_end).to_numpy()
    return out.fillna(0).astype("int64").reset_index()
