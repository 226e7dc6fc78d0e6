"""Norm breaches: how many persons are beyond each legal or agreed norm, and by how much.

Per norm two kinds of breach. *Closed over*: finished, and took longer than the norm (for a
``minimum`` norm such as the rest period: finished sooner than it). *Overdue now*: still waiting
at the end of the data and already past the norm; they will breach whatever happens next, and
leaving them out is what makes a growing backlog look compliant. Open cases count as overdue for
every norm whose end is expected (``end_expected``): all but those that time an optional step
(``optional`` in ``norms.toml``), where not filing an appeal is no breach. Whether most persons
have reached the end yet says nothing about it: in a recent cohort most still wait.
``excess_days`` sums the days beyond the norm (short of it, for a minimum norm) over the breaches.

``by`` splits the figures per ``month`` (of the interval start, Amsterdam time), per segment
dimension (``municipality``, ``location``, ``office``, ``nationality``, ``track``,
``household_size``, ``cohort``) or both. Example::

    >>> norm_breaches(log, norms=["N13"], by=("month",))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import numpy as np
import pandas as pd

from toolkit.bottlenecks.common import end_of_data, local_periods
from toolkit.bottlenecks.intervals import Cohort, interval_rows, per_norm
from toolkit.bottlenecks.persons import person_attributes
from toolkit.bottlenecks.segments import ALL_DIMENSIONS, cohort_of
from toolkit.cellkeys import key_of
from toolkit.chain import Chain, Norm, load_chain

MONTH = "month"
COUNT_COLUMNS = [
    "persons",
    "closed",
    "closed_over",
    "still_open",
    "overdue_now",
    "breaches",
    "share_closed_over",
    "excess_days",
]
# The counts of persons, each with its key sum beside it when the rows carry record keys.
KEYED = ("persons", "closed", "closed_over", "still_open", "overdue_now", "breaches")
NORM_COLUMNS = ["interval", "kind", "direction", "norm_days", "end_expected"]


def breach_flags(people: pd.DataFrame, norm: Norm, *, count_open: bool = True) -> pd.DataFrame:
    """Per person: ``closed_over``, ``overdue_now`` and ``excess_days`` for one norm.

    Example::

        >>> norm = load_chain().norm("N13")
        >>> breach_flags(person_intervals(log, norm), norm)["overdue_now"].sum()  # doctest: +SKIP
    """
    closed = ~people["censored"]
    open_now = people["censored"] & ~people["left_chain"]
    days = people["days"]
    if norm.direction == "minimum":
        over = closed & (days < norm.days)
        overdue = pd.Series(False, index=people.index)
        excess = (norm.days - days).where(over, 0.0)
    else:
        over = closed & (days > norm.days)
        overdue = open_now & (days > norm.days) & count_open
        excess = (days - norm.days).where(over | overdue, 0.0)
    return pd.DataFrame(
        {
            "closed": closed,
            "closed_over": over,
            "still_open": open_now,
            "overdue_now": overdue,
            "excess_days": excess.astype(float),
        },
        index=people.index,
    )


def _month(starts: pd.Series) -> pd.Series:
    """``%Y-%m`` of each start in Amsterdam."""
    codes, labels = local_periods(starts, "month")
    return pd.Series(labels[codes], index=starts.index, dtype=object)


def norm_breaches(
    log: pd.DataFrame,
    *,
    chain: Chain | None = None,
    norms: Iterable[Norm | str] | None = None,
    as_of: pd.Timestamp | date | str | None = None,
    cohort: Cohort | None = None,
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """Breaches per norm (and per ``by`` group): persons, closed over, overdue now, excess days.

    ``share_closed_over`` is among the finished cases (the naive figure); the censoring-aware
    share is ``share_over_norm`` in :func:`toolkit.bottlenecks.interval_summary`.

    Example::

        >>> norm_breaches(log, norms=["N11"], by=("municipality", "month"))  # doctest: +SKIP
    """
    unknown = sorted(set(by) - {MONTH, *ALL_DIMENSIONS})
    if unknown:
        raise ValueError(f"cannot split by {unknown[0]!r}; use month or a segment dimension")
    chain = chain or load_chain()
    chosen = [n if isinstance(n, Norm) else chain.norm(n) for n in (norms or chain.norms)]
    moment = end_of_data(log, as_of)
    people = interval_rows(log, chosen, chain, moment, cohort)
    if set(by) & (set(ALL_DIMENSIONS) - {"cohort"}):
        people = people.merge(person_attributes(log, as_of=moment), on="case", how="left")
    return breaches(people, chosen, by)


def breaches(people: pd.DataFrame, norms: Iterable[Norm], by: Sequence[str] = ()) -> pd.DataFrame:
    """The table of :func:`norm_breaches` from the intervals of ``norms`` one below the other
    (``interval`` the norm's id, the columns of
    :func:`~toolkit.bottlenecks.intervals.person_intervals`, and the segment dimensions in
    ``by``): the person-interval table's rows serve as well as a log's intervals.

    Example::

        >>> breaches(interval_rows(log, chain.norms, chain, moment), chain.norms)  # doctest: +SKIP
    """
    norms = tuple(norms)
    found = per_norm(people)
    measured, parts, flags = [], [], []
    for norm in norms:
        rows = found.get(norm.id)
        if rows is None or rows.empty:
            continue
        expected = not norm.optional
        measured.append((norm.id, norm.kind, norm.direction, norm.days, expected))
        parts.append(rows[["start", *(k for k in by if k in rows.columns)]])
        flags.append(breach_flags(rows, norm, count_open=expected))
    if not measured:
        return pd.DataFrame(columns=[*NORM_COLUMNS, *by, *COUNT_COLUMNS])
    # the norms one below the other and counted in one grouping, not one grouping per norm
    position = np.repeat(np.arange(len(measured)), [len(p) for p in parts])
    keys = _split(pd.concat(parts, ignore_index=True), by)
    every = pd.concat(flags, ignore_index=True)
    grouped = every.groupby([position, *keys], sort=True)
    table = grouped.sum()
    table.insert(0, "persons", grouped.size())
    table["breaches"] = table["closed_over"] + table["overdue_now"]
    if "key" in people.columns:  # beside each count the sum of its persons' record keys
        record = np.concatenate([found[m[0]]["key"].to_numpy(dtype=float) for m in measured])
        table = table.assign(**_key_sums(every, record, grouped.ngroup().to_numpy(), len(table)))
    table["share_closed_over"] = table["closed_over"] / table["closed"].where(table["closed"] > 0)
    table = table.rename_axis(["position", *by]).reset_index()
    at = table.pop("position").to_numpy()
    for column, values in zip(NORM_COLUMNS, zip(*measured, strict=True), strict=True):
        table[column] = pd.Series(values).iloc[at].to_numpy()
    keys = [key_of(c) for c in KEYED] if key_of("persons") in table.columns else []
    out = table[[*NORM_COLUMNS, *by, *COUNT_COLUMNS, *keys]]
    for column in (*KEYED, *keys):
        out[column] = out[column].astype("int64")
    return out


def _key_sums(
    flags: pd.DataFrame, record: np.ndarray, group: np.ndarray, groups: int
) -> dict[str, np.ndarray]:
    """Per group (``group``: each row's, numbered as the grouping's rows), the sums of the
    record keys (:mod:`toolkit.cellkeys`) of the persons in each count: all of them, and those
    flagged. Sums in floats, exact up to 2^53; the breaches are two disjoint groups."""

    def summed(weights: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights, minlength=groups).astype(np.int64)

    sums = {key_of("persons"): summed(record)}
    for column in ("closed", "closed_over", "still_open", "overdue_now"):
        sums[key_of(column)] = summed(np.where(flags[column].to_numpy(dtype=bool), record, 0.0))
    sums[key_of("breaches")] = sums[key_of("closed_over")] + sums[key_of("overdue_now")]
    return sums


def _split(people: pd.DataFrame, by: Sequence[str]) -> list[pd.Series]:
    """The ``by`` value of each person's interval, as a group key ("" where unknown)."""
    derived = {MONTH: _month, "cohort": cohort_of}
    return [
        (derived[k](people["start"]) if k in derived else people[k]).astype(object).fillna("")
        for k in by
    ]


def complete_months(table: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """A per-month breach table (``by=("month",)``) with ``complete`` and ``share_breached``.

    A month is complete when its last day plus the norm lies before the end of the data: every
    person who started in it has finished, left, or waited past the norm, so whether they went
    over the norm is known for all of them. ``share_breached`` is then the share of the month's
    persons over the norm (finished over it or overdue now); for later months it is empty,
    because those who will go over it are still inside the norm and a line that falls to 0% for
    recent months is censoring, not improvement.

    Example::

        >>> table = pd.DataFrame({"month": ["2024-01", "2024-06"], "norm_days": [30.0, 30.0],
        ...                       "persons": [10, 10], "breaches": [4, 1]})
        >>> complete_months(table, pd.Timestamp("2024-07-01", tz="UTC"))[
        ...     ["complete", "share_breached"]].values.tolist()
        [[True, 0.4], [False, nan]]
    """
    ends = pd.PeriodIndex(table[MONTH].astype(str), freq="M").end_time.tz_localize(
        "Europe/Amsterdam"
    )
    reached = ends + pd.to_timedelta(table["norm_days"].astype(float).to_numpy(), unit="D")
    complete = np.asarray(reached <= pd.Timestamp(as_of).tz_convert("Europe/Amsterdam"))
    share = table["breaches"] / table["persons"].where(table["persons"] > 0)
    return table.assign(complete=complete, share_breached=share.where(complete))
