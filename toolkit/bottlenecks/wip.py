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

from toolkit.bottlenecks.common import cached, end_of_data, local_dates, sort_events
from toolkit.bottlenecks.intervals import EXIT_PHASE
from toolkit.chain import Chain, load_chain
from toolkit.eventlog import ACTIVITY, CASE, TIMESTAMP

OUTFLOW_PREFIX = "coa_uitstroom_"
HOUSED = "coa_uitstroom_gemeente"
LEFT = "left"


def wip_phases(chain: Chain) -> list[str]:
    """The phases a person can be in while in work in progress, in chain order.

    Example::

        >>> wip_phases(load_chain())[:3]
        ['aanmelding', 'asielprocedure', 'beroep']
    """
    return [p.id for p in chain.phases if p.id != EXIT_PHASE]


def _states(log: pd.DataFrame, chain: Chain, moment: pd.Timestamp) -> pd.DataFrame:
    """Per person the days their state changes: ``case``, ``day``, ``state``, ``activity``."""
    return cached(
        log, ("wip_states", id(chain), moment), lambda: _compute_states(log, chain, moment)
    )


def _compute_states(log: pd.DataFrame, chain: Chain, moment: pd.Timestamp) -> pd.DataFrame:
    activities = {a.id: a for a in chain.activities}
    ordered = sort_events(log[(log[TIMESTAMP] <= moment) & log[ACTIVITY].isin(activities)])
    names = ordered[ACTIVITY].astype(str)
    # per activity, not per row: the state an activity puts a person in (None: no change)
    leaving = {a.id for a in activities.values()
               if a.id.startswith(OUTFLOW_PREFIX) or a.phase == EXIT_PHASE}  # fmt: skip
    entering = {a.id: a.phase for a in activities.values() if a.changes_phase}
    state = names.map({**entering, **dict.fromkeys(leaving, LEFT)}).astype(object)
    rows = pd.DataFrame(
        {
            "case": ordered[CASE],
            "day": local_dates(ordered[TIMESTAMP]),
            "state": state,
            "activity": names,
        }
    ).dropna(subset=["state"])
    left_before = rows["state"].eq(LEFT).groupby(rows["case"]).cumsum().shift(fill_value=0)
    same = rows["case"].eq(rows["case"].shift())
    rows = rows[~(same & (left_before > 0))]
    return rows.drop_duplicates(["case", "day"], keep="last").reset_index(drop=True)


def wip_per_day(
    log: pd.DataFrame,
    *,
    chain: Chain | None = None,
    as_of: pd.Timestamp | date | str | None = None,
) -> pd.DataFrame:
    """Persons in each phase at the end of each day: ``date`` and one column per phase, ``total``.

    See the module docstring for the definition.

    Example::

        >>> wip_per_day(log, as_of="2025-06-30").tail(1)  # doctest: +SKIP
    """
    chain = chain or load_chain()
    phases = wip_phases(chain)
    moment = end_of_data(log, as_of)
    states = _states(log, chain, moment)
    if states.empty:
        return pd.DataFrame(columns=["date", *phases, "total"])
    # as_of is an exclusive end (a date means up to midnight after it): its day is the one before
    last_day = local_dates(pd.Series([moment - pd.Timedelta(microseconds=1)])).iloc[0]
    # the states are in case order (sorted events), so a person's next state is the next row
    same_person = states["case"].eq(states["case"].shift(-1))
    following = states["day"].shift(-1).where(same_person)
    states["until"] = following.fillna(last_day + pd.Timedelta(days=1))
    inside = states[states["state"] != LEFT]
    changes = pd.concat(
        [
            pd.DataFrame({"day": inside["day"], "state": inside["state"], "delta": 1}),
            pd.DataFrame({"day": inside["until"], "state": inside["state"], "delta": -1}),
        ]
    )
    days = pd.date_range(states["day"].min(), last_day, freq="D")
    table = changes.groupby(["day", "state"], sort=False)["delta"].sum().unstack("state")
    table = table.reindex(index=days, columns=phases).fillna(0).cumsum().astype("int64")
    table["total"] = table.sum(axis=1)
    return table.rename_axis("date").rename_axis(None, axis=1).reset_index()


def flow_per_week(
    log: pd.DataFrame,
    *,
    chain: Chain | None = None,
    as_of: pd.Timestamp | date | str | None = None,
) -> pd.DataFrame:
    """Per week (``week`` = its Monday): ``inflow``, ``outflow``, ``outflow_housing``, ``wip_end``.

    Example::

        >>> flow_per_week(log)[["week", "inflow", "outflow"]].tail(4)  # doctest: +SKIP
    """
    chain = chain or load_chain()
    moment = end_of_data(log, as_of)
    states = _states(log, chain, moment)
    columns = ["week", "inflow", "outflow", "outflow_housing", "wip_end"]
    if states.empty:
        return pd.DataFrame(columns=columns)
    states["week"] = states["day"] - pd.to_timedelta(states["day"].dt.day_of_week, unit="D")
    first = states.drop_duplicates("case")
    first = first[first["state"] != LEFT]
    left = states[states["state"] == LEFT]
    daily = wip_per_day(log, chain=chain, as_of=as_of).set_index("date")["total"]
    weeks = pd.date_range(states["week"].min(), daily.index.max(), freq="W-MON")
    out = pd.DataFrame(index=pd.Index(weeks, name="week"))
    out["inflow"] = first.groupby("week").size()
    out["outflow"] = left.groupby("week").size()
    out["outflow_housing"] = left[left["activity"] == HOUSED].groupby("week").size()
    week_end = np.minimum(weeks + pd.Timedelta(days=6), daily.index.max())
    out["wip_end"] = daily.reindex(week_end).to_numpy()
    return out.fillna(0).astype("int64").reset_index()
