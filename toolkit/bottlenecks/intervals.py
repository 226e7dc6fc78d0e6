"""Milestone intervals per person, with the people still waiting right-censored.

A person counts from their interval start (``toolkit.chain.intervals.interval_bounds``, the one
definition of an interval). Who has not reached the end by the end of the data (``as_of``, by
default the log's last event) is censored at that moment: "waited at least this long". Who left
the chain first (an activity of the phase ``vertrek``: departure, Dublin transfer, unknown
destination) is censored when they left, since they were no longer waiting. Medians and p90s come
from the Kaplan-Meier estimate; the naive median of finished cases only is given beside it,
because it is the figure that looks fast when a backlog grows.

A cohort (``cohort=(from, to)``, Amsterdam calendar days, both included) keeps the persons whose
interval starts in that window; it is per interval, so it is a parameter here, not a log filter.
Example::

    >>> from toolkit.bottlenecks import interval_summary  # doctest: +SKIP
    >>> interval_summary(log, norms=["N13"])[["interval", "median_days", "still_open"]]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from toolkit.bottlenecks.common import end_of_data, in_window, to_days
from toolkit.bottlenecks.survival import kaplan_meier
from toolkit.cellkeys import key_of
from toolkit.chain import Chain, Norm, load_chain
from toolkit.eventlog import ACTIVITY, CASE, TIMESTAMP

EXIT_PHASE = "vertrek"
Cohort = tuple[date | str | None, date | str | None]
SUMMARY_COLUMNS = [
    "interval",
    "from_activity",
    "to_activity",
    "persons",
    "completed",
    "still_open",
    "left_chain",
    "inferred_end",
    "median_days",
    "median_reached",
    "median_days_completed_only",
    "p90_days",
    "p90_reached",
    "norm_days",
    "direction",
    "share_over_norm",
]


def _norm(norm: Norm | str, chain: Chain) -> Norm:
    return norm if isinstance(norm, Norm) else chain.norm(norm)


def exit_activities(chain: Chain) -> frozenset[str]:
    """Activities by which a person leaves the chain without reaching a later milestone.

    Example::

        >>> sorted(exit_activities(load_chain()))[:2]
        ['coa_uitstroom_mob', 'coa_uitstroom_overig']
    """
    return frozenset(a.id for a in chain.activities if a.phase == EXIT_PHASE)


def passing_activities(chain: Chain, norm: Norm) -> frozenset[str]:
    """Activities after which a person no longer waits for the interval's end.

    Leaving the chain, or moving on to a phase beyond the one the end belongs to without the end
    ever being recorded: a family member who joins a referent's home is never offered one of
    their own, so from the move on they are not waiting for an offer. Such a person is censored
    at that moment instead of counting as waiting for ever. Example::

        >>> "coa_uitstroom_gemeente" in passing_activities(load_chain(), load_chain().norm("N11"))
        True
    """
    order = {p.id: p.order for p in chain.phases}
    end_phase = max(order[chain.activity(a).phase] for a in norm.to_activities)
    later = {a.id for a in chain.activities if a.changes_phase and order[a.phase] > end_phase}
    return frozenset((later | exit_activities(chain)) - set(norm.to_activities))


def person_intervals(
    log: pd.DataFrame,
    norm: Norm | str,
    *,
    chain: Chain | None = None,
    as_of: pd.Timestamp | date | str | None = None,
    cohort: Cohort | None = None,
) -> pd.DataFrame:
    """One row per person who reached the interval's start by ``as_of``.

    Columns: ``case``, ``start``, ``end`` (NaT while censored), ``days`` (to the end, or to the
    censoring moment), ``censored`` (True for still waiting or left), ``left_chain`` (censored
    because they left the chain or moved past the end's phase without it: see
    :func:`passing_activities`). Example::

        >>> person_intervals(log, "N13", as_of="2025-06-30")  # doctest: +SKIP
    """
    chain = chain or load_chain()
    norm = _norm(norm, chain)
    table = _interval_table(log, (norm,), chain, end_of_data(log, as_of), cohort)
    return table.drop(columns="interval")


def all_intervals(log: pd.DataFrame, chain: Chain, moment: pd.Timestamp) -> pd.DataFrame:
    """Every norm's intervals of ``log`` one below the other: ``interval`` is the norm's position
    in ``chain.norms``, beside the columns of :func:`person_intervals` and ``inferred_end``."""
    return _person_intervals(log, chain.norms, chain, moment)


def _interval_table(
    log: pd.DataFrame,
    norms: tuple[Norm, ...],
    chain: Chain,
    moment: pd.Timestamp,
    cohort: Cohort | None,
) -> pd.DataFrame:
    """All ``norms``' intervals of ``log`` (see :func:`_person_intervals`), those of a cohort
    (the persons whose interval starts in its window) when one is given."""
    table = _person_intervals(log, norms, chain, moment)
    if cohort is None:
        return table
    return table[in_window(table["start"], cohort).to_numpy()].reset_index(drop=True)


def _person_intervals(
    log: pd.DataFrame, norms: tuple[Norm, ...], chain: Chain, moment: pd.Timestamp
) -> pd.DataFrame:
    """The tables of :func:`person_intervals` for ``norms``, one below the other by position.

    The interval is the one of :func:`toolkit.chain.intervals.interval_bounds`, computed for all
    norms in one pass: the events that start, end or pass any norm are put in (person, time)
    order once, after which a person's first such event is the first of their rows, and every
    norm costs a few array operations on those rows instead of joins on the whole log.
    """
    stamps = log[TIMESTAMP]
    activity, names = pd.factorize(log[ACTIVITY])
    roles = [(n.from_activities, n.to_activities, n.inferred_to, passing_activities(chain, n))
             for n in norms]  # fmt: skip
    # per activity code: whether it plays the role; the extra last entry is for code -1 (no value)
    labels = list(np.asarray(names, dtype=object))
    plays = [[np.array([name in acts for name in labels] + [False]) for acts in role]
             for role in roles]  # fmt: skip
    relevant = np.logical_or.reduce([flag for role in plays for flag in role])[activity]
    rows = np.flatnonzero(relevant & (stamps <= moment).to_numpy())
    cases, people = pd.factorize(log[CASE].take(rows), sort=True)
    rows, cases = rows[cases >= 0], cases[cases >= 0]  # no case id, no person
    times = stamps.array.asi8[rows]
    step = np.diff(cases)  # a log in the contract's order (sort_events) needs no sorting here
    if (step < 0).any() or ((step == 0) & (np.diff(times) < 0)).any():
        order = np.lexsort((times, cases))
        rows, cases, times = rows[order], cases[order], times[order]
    activity = activity[rows]
    parts = []
    for position, (starts, ends, inferred, passes) in enumerate(plays):
        first = _first_per_person(np.flatnonzero(starts[activity]), cases)
        began = cases[first]
        since = np.full(len(people), np.iinfo(np.int64).max)  # who did not start: never
        since[began] = times[first]
        found = []
        for flag in (ends, inferred, passes):
            at = np.flatnonzero(flag[activity])
            at = _first_per_person(at[times[at] >= since[cases[at]]], cases)
            row = np.full(len(people), -1)  # -1: none, a missing value when taken
            row[cases[at]] = rows[at]
            found.append(row[began])
        parts.append((np.full(len(first), position), began, rows[first], *found))
    interval, case, start, end, inferred_at, left_at = (
        np.concatenate(column) for column in zip(*parts, strict=True)
    )
    # without a recorded end, an inferred one closes the interval (a municipal move for a
    # missing move-out of COA)
    inferred = (end < 0) & (inferred_at >= 0)
    end = np.where(inferred, inferred_at, end)
    moments = stamps.array
    out = pd.DataFrame(
        {
            "interval": interval,
            "case": people.take(case),
            "start": moments.take(start),
            "end": moments.take(end, allow_fill=True),
        }
    )
    left_at = pd.Series(moments.take(left_at, allow_fill=True))
    open_ = out["end"].isna()
    left = open_ & left_at.notna()
    stop = out["end"].where(~open_, left_at.where(left, moment))
    return out.assign(
        days=to_days(stop - out["start"]).astype(float),
        censored=open_.to_numpy(),
        left_chain=left.to_numpy(),
        inferred_end=inferred,
    )


def _first_per_person(positions: np.ndarray, cases: np.ndarray) -> np.ndarray:
    """Of rows in (person, time) order, each person's first: the earliest event."""
    owner = cases[positions]
    return positions[np.r_[True, owner[1:] != owner[:-1]]] if len(positions) else positions


def summarise(people: pd.DataFrame, norm: Norm) -> dict[str, object]:
    """The summary row of one interval from its per-person table (see :func:`interval_summary`).

    Example::

        >>> summarise(person_intervals(log, "N13"), load_chain().norm("N13"))["median_days"]  # doctest: +SKIP
    """
    # who left the chain is not waiting: the estimate is over the persons who can reach the end
    # (reached or still open), as in the findings; how many left is counted beside it
    waiting = ~people["left_chain"].to_numpy(dtype=bool)
    days = people["days"].to_numpy()[waiting]
    censored = people["censored"].to_numpy(dtype=bool)[waiting]
    km = kaplan_meier(days, censored)
    done = days[~censored]
    if norm.optional:  # of those who took the step: who never does is not waiting
        beyond = done < norm.days if norm.direction == "minimum" else done > norm.days
        share = float(beyond.mean()) if done.size else np.nan
    elif norm.direction == "minimum":
        share = km.share_shorter_than(norm.days) if km.completed else np.nan
    else:
        share = km.share_longer_than(norm.days) if km.completed else np.nan
    return {
        "interval": norm.id,
        "from_activity": ", ".join(norm.from_activities),
        "to_activity": ", ".join(norm.to_activities),
        "persons": len(people),
        "completed": km.completed,
        "still_open": int(censored.sum()),
        "left_chain": int(people["left_chain"].sum()),
        # reached by a recorded municipal move where COA's move-out is missing
        "inferred_end": int(people["inferred_end"].sum()),
        "median_days": np.nan if km.median is None else km.median,
        "median_reached": km.median is not None,
        "median_days_completed_only": float(np.median(done)) if done.size else np.nan,
        "p90_days": np.nan if km.p90 is None else km.p90,
        "p90_reached": km.p90 is not None,
        "norm_days": norm.days,
        "direction": norm.direction,
        "share_over_norm": share,
        **_key_sums(people, waiting, censored),
    }


# The counts of a summary row with a key sum beside them, when the rows carry record keys.
KEYED = ("persons", "completed", "still_open", "left_chain", "inferred_end")


def _key_sums(people: pd.DataFrame, waiting: np.ndarray, censored: np.ndarray) -> dict[str, int]:
    """The sums of the record keys of the persons behind each count of :func:`summarise`
    (:mod:`toolkit.cellkeys`), when the rows carry them (the person-interval table's ``key``)."""
    if "key" not in people.columns:
        return {}
    keys = people["key"].to_numpy(dtype=np.int64)
    among = keys[waiting]
    sums = {
        "persons": keys.sum(),
        "completed": among[~censored].sum(),
        "still_open": among[censored].sum(),
        "left_chain": keys[~waiting].sum(),
        "inferred_end": keys[people["inferred_end"].to_numpy(dtype=bool)].sum(),
    }
    return {key_of(name): int(total) for name, total in sums.items()}


def interval_summary(
    log: pd.DataFrame,
    *,
    chain: Chain | None = None,
    norms: Iterable[Norm | str] | None = None,
    as_of: pd.Timestamp | date | str | None = None,
    cohort: Cohort | None = None,
) -> pd.DataFrame:
    """Per interval: persons, still open, KM median and p90, naive median, share over the norm.

    ``median_days`` and ``p90_days`` are empty (NaN) with ``median_reached``/``p90_reached``
    False when the estimate never gets there. ``share_over_norm`` is the KM estimate of
    P(duration > norm); for a ``minimum`` norm it is the share under it. A norm that times an
    optional step (``optional`` in ``norms.toml``: an appeal, a family-reunification
    application) counts only who took the step: not taking it is no wait and no breach, so its
    share is that of the persons who took it, past the norm. Intervals that nobody started are
    left out. Example::

        >>> interval_summary(log, norms=["N11", "N13"], cohort=("2024-01-01", "2024-12-31"))  # doctest: +SKIP
    """
    chain = chain or load_chain()
    chosen = tuple(_norm(n, chain) for n in (chain.norms if norms is None else norms))
    return summaries(interval_rows(log, chosen, chain, end_of_data(log, as_of), cohort), chosen)


def interval_rows(
    log: pd.DataFrame,
    norms: Iterable[Norm],
    chain: Chain,
    moment: pd.Timestamp,
    cohort: Cohort | None = None,
) -> pd.DataFrame:
    """The intervals of ``norms`` one below the other, ``interval`` the norm's id, beside the
    columns of :func:`person_intervals`: what :func:`summaries` and the norm figures read."""
    norms = tuple(norms)
    table = _interval_table(log, norms, chain, moment, cohort)
    ids = np.array([n.id for n in norms], dtype=object)
    return table.assign(interval=ids[table["interval"].to_numpy()])


def per_norm(people: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The rows of each norm (``interval``, its id) of a table of several, in their order."""
    ids = people["interval"].to_numpy()
    if len(ids) and len(pd.unique(ids)) != int((ids[1:] != ids[:-1]).sum()) + 1:
        people = people.iloc[np.argsort(ids, kind="stable")]  # a norm's rows apart: together
        ids = people["interval"].to_numpy()
    begins = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if len(ids) else np.zeros(0, int)
    ends = np.r_[begins[1:], len(ids)]
    return {ids[b]: people.iloc[b:e] for b, e in zip(begins, ends, strict=True)}


def summaries(people: pd.DataFrame, norms: Iterable[Norm]) -> pd.DataFrame:
    """The summary rows (:func:`interval_summary`) of the intervals in ``people``: rows of
    several norms, ``interval`` the norm's id, beside the columns of :func:`person_intervals`.
    Norms without rows are left out.

    Example::

        >>> summaries(rows, load_chain().norms)  # doctest: +SKIP
    """
    found = per_norm(people)
    rows = [summarise(found[norm.id], norm) for norm in norms if norm.id in found]
    keys = [key_of(c) for c in KEYED] if "key" in people.columns else []
    return pd.DataFrame(rows, columns=[*SUMMARY_COLUMNS, *keys])
