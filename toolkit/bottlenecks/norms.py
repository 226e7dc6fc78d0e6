"""Norm breaches: how many persons are beyond each legal or agreed norm, and by how much.

Per norm two kinds of breach. *Closed over*: finished, and took longer than the norm (for a
``minimum`` norm such as the rest period: finished sooner than it). *Overdue now*: still waiting
at the end of the data and already past the norm; they will breach whatever happens next, and
leaving them out is what makes a growing backlog look compliant. Open cases count as overdue only
for intervals that people are expected to finish (see
:func:`toolkit.bottlenecks.intervals.end_expected`): not filing an optional appeal is no breach.
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

from toolkit.bottlenecks.common import LOCAL_TZ
from toolkit.bottlenecks.intervals import Cohort, end_expected, person_intervals
from toolkit.bottlenecks.persons import person_attributes
from toolkit.bottlenecks.segments import ALL_DIMENSIONS, cohort_quarter
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
    return starts.dt.tz_convert(LOCAL_TZ).dt.strftime("%Y-%m")


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
    needs_attributes = bool(set(by) & (set(ALL_DIMENSIONS) - {"cohort"}))
    attributes = person_attributes(log, as_of=as_of) if needs_attributes else None
    frames = []
    for norm in chosen:
        people = person_intervals(log, norm, chain=chain, as_of=as_of, cohort=cohort)
        if people.empty:
            continue
        expected = end_expected(people)
        flags = breach_flags(people, norm, count_open=expected)
        if attributes is not None:
            people = people.merge(attributes, on="case", how="left")
        people[MONTH] = _month(people["start"])
        people["cohort"] = cohort_quarter(people["start"])
        keys = [people[k].astype(object).fillna("") for k in by]
        grouped = flags.groupby(keys, sort=True) if keys else flags.groupby(np.zeros(len(flags)))
        table = grouped.agg(
            persons=("closed", "size"),
            closed=("closed", "sum"),
            closed_over=("closed_over", "sum"),
            still_open=("still_open", "sum"),
            overdue_now=("overdue_now", "sum"),
            excess_days=("excess_days", "sum"),
        )
        table["breaches"] = table["closed_over"] + table["overdue_now"]
        table["share_closed_over"] = table["closed_over"] / table["closed"].where(
            table["closed"] > 0
        )
        table = table.reset_index(drop=not by)
        table = table.rename(columns={f"level_{i}": k for i, k in enumerate(by)})
        for column, value in zip(
            NORM_COLUMNS, (norm.id, norm.kind, norm.direction, norm.days, expected), strict=True
        ):
            table[column] = value
        frames.append(table[[*NORM_COLUMNS, *by, *COUNT_COLUMNS]])
    if not frames:
        return pd.DataFrame(columns=[*NORM_COLUMNS, *by, *COUNT_COLUMNS])
    out = pd.concat(frames, ignore_index=True)
    for column in ("persons", "closed", "closed_over", "still_open", "overdue_now", "breaches"):
        out[column] = out[column].astype("int64")
    return out
