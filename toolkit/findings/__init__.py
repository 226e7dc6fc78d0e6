"""Findings a chain manager can act on: where the chain loses time, who is behind, the trend,
and rework.

Each family is ranked by its own measure of impact (:attr:`Finding.impact`); the overall ranking
interleaves them (the first of each family, then the second of each, ...), so the top of the
list always shows every family that has findings. The families are computed from the
person-interval table (:func:`toolkit.metrics.person_table`), a filter's cohort being a row mask
of it. Example::

    >>> for f in find_bottlenecks(log)[:4]:  # doctest: +SKIP
    ...     print(f.rank, f.family, f.title_en)
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import pandas as pd

from toolkit.bottlenecks.common import end_of_data, in_window, local_day_end
from toolkit.chain import Chain, load_chain
from toolkit.eventlog import ACTIVITY
from toolkit.filters import LogFilter, apply_filter
from toolkit.findings.families import (
    SPEC,
    Leg,
    repeat_findings,
    rework_findings,
    transition_findings,
    trend_findings,
    where_findings,
    who_findings,
)
from toolkit.findings.model import DESCRIPTIVE, FAMILIES, Finding, format_q, q_text
from toolkit.metrics.person_table import person_table

__all__ = [
    "DESCRIPTIVE",
    "FAMILIES",
    "SPEC",
    "Finding",
    "find_bottlenecks",
    "findings_in",
    "format_q",
    "q_text",
    "rank",
]


def rank(findings: list[Finding]) -> list[Finding]:
    """Each family by its own impact, then interleaved: the first of every family (in the order
    of :data:`FAMILIES`), then the second of every family, ...; ``rank`` set from 1.

    Findings equal in impact are ordered by their English title, so the order never depends on
    the order in which they were computed.

    Example::

        >>> [f.family for f in rank(findings)][:4]  # doctest: +SKIP
        ['where', 'who', 'trend', 'rework']
    """
    by_family = {
        family: sorted(
            (f for f in findings if f.family == family),
            key=lambda f: (*(-x for x in f.impact), f.title_en),
        )
        for family in FAMILIES
    }
    out: list[Finding] = []
    depth = max((len(v) for v in by_family.values()), default=0)
    for position in range(depth):
        for family in FAMILIES:
            if position < len(by_family[family]):
                out.append(by_family[family][position].ranked(len(out) + 1))
    return out


def find_bottlenecks(
    log: pd.DataFrame,
    *,
    chain: Chain | None = None,
    as_of: pd.Timestamp | date | str | None = None,
    filter: LogFilter | None = None,
    min_group: int = 30,
    alpha: float = 0.05,
    families: Collection[str] = FAMILIES,
) -> list[Finding]:
    """All findings on ``log`` (after ``filter``), ranked (see :func:`rank`).

    ``as_of`` defaults to the end of the filter's period, else the log's last event. The
    filter's cohort keeps the persons whose interval starts in it.

    Example::

        >>> f = LogFilter(cohort_from="2023-04-01", cohort_to="2024-03-31")
        >>> [x.title_nl for x in find_bottlenecks(log, filter=f)[:4]]  # doctest: +SKIP
    """
    f = filter or LogFilter()
    if as_of is None and f.period_to is not None:
        as_of = local_day_end(f.period_to)
    return findings_in(apply_filter(log, f), f, chain=chain, as_of=as_of, min_group=min_group,
                       alpha=alpha, families=families)  # fmt: skip


def findings_in(
    view: pd.DataFrame,
    f: LogFilter,
    *,
    chain: Chain | None = None,
    as_of: pd.Timestamp | date | str | None = None,
    min_group: int = 30,
    alpha: float = 0.05,
    families: Collection[str] = FAMILIES,
    table: pd.DataFrame | None = None,
    rates: pd.DataFrame | None = None,
) -> list[Finding]:
    """The findings on ``view``, a log that ``f`` has filtered already (an analysis' scope).

    ``f`` says what the findings are about (each one's filter, the cohort) and is not applied
    again. ``as_of`` defaults to the view's last event. ``table`` is the view's person-interval
    table at that end of the data, ``rates`` its relocation rates with ``min_group`` and
    ``alpha``, when the caller has them (computed here otherwise).
    """
    families = (families,) if isinstance(families, str) else tuple(families)
    unknown = sorted(set(families) - set(FAMILIES))
    if unknown:
        raise ValueError(f"unknown family of findings {unknown[0]!r}; known: {', '.join(FAMILIES)}")
    chain = chain or load_chain()
    if view.empty:
        return []
    moment = end_of_data(view, as_of)
    base = f.to_dict()
    found: list[Finding] = []
    if not view[ACTIVITY].isin(chain.activity_ids).any():
        if "where" in families:
            found += transition_findings(view, chain, base, min_group)
        if "rework" in families:
            found += repeat_findings(view, base, min_group)
        return rank(found)
    if table is None:
        table = person_table(view, chain=chain, as_of=moment)
    if f.cohort is not None:
        table = table[in_window(table["start"], f.cohort).to_numpy()]
    wanted = set(SPEC.legs) | set(SPEC.units)
    legs = {leg: Leg(rows) for leg, rows in table.groupby("interval", sort=False) if leg in wanted}
    if "where" in families:
        found += where_findings(legs, chain, base, SPEC)
    if "who" in families:
        found += who_findings(legs, chain, base, min_group, alpha, SPEC)
    if "trend" in families:
        found += trend_findings(legs, chain, base, min_group, SPEC)
    if "rework" in families:
        found += rework_findings(view, moment, base, min_group, alpha, rates)
    return rank(found)
