"""Findings: every bottleneck as one record, ranked by the person-days it costs.

A finding says what (``kind``), where in the chain (``place``: an interval, a transition, a COA
location), for whom (``segment``), how bad (``metric``, ``value`` against a ``benchmark``), for how
many (``persons``), what it costs (``excess_person_days``: the days beyond the benchmark summed
over the persons affected), how sure we are (``confidence``: a corrected q-value, or
"descriptive") and how to reproduce it (``filter``: a dict that :class:`toolkit.filters.LogFilter`
accepts, with ``interval`` beside it). Kinds:

* ``norm_breach``: per norm, persons over it (finished over, or still waiting and already over);
  excess = days beyond the norm (short of it for a minimum norm).
* ``slow_segment``: a segment significantly and materially slower than the rest on an interval
  (:func:`toolkit.bottlenecks.slow_segments`); excess = days beyond the rest's median.
* ``long_wait``: the transitions between consecutive events with the most waiting beyond their
  own median (``WAIT_FINDINGS`` of them, at least ``min_group`` transitions each); the value is
  the mean wait, which a long tail pulls above the median benchmark.
* ``rework``: a COA location that relocates its residents significantly more often than others
  of its type; on a log without chain activities, activities repeated within a case. Rework has
  no person-days (its excess is in extra events), so it ranks after the kinds that have.

On a log without chain activities (a BPIC log) only long waits and repeated activities apply.
Example::

    >>> for f in find_bottlenecks(log)[:5]:  # doctest: +SKIP
    ...     print(f.title_en, round(f.excess_person_days))
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from numba import njit

from toolkit.bottlenecks.common import (
    analysis_cache,
    cached,
    codes_of,
    end_of_data,
    local_day_end,
)
from toolkit.bottlenecks.intervals import interval_summary
from toolkit.bottlenecks.norms import norm_breaches
from toolkit.bottlenecks.rework import relocation_rates, repeated_activities
from toolkit.bottlenecks.segments import slow_segments
from toolkit.bottlenecks.sums import by_group, grouped_sums
from toolkit.bottlenecks.waits import person_waits
from toolkit.chain import Chain, load_chain
from toolkit.eventlog import ACTIVITY
from toolkit.filters import LogFilter, apply_filter

KINDS = ("norm_breach", "slow_segment", "long_wait", "rework")
WAIT_FINDINGS = 10
DESCRIPTIVE = "descriptive"
# segment dimensions that LogFilter can express, and the filter field for each
_FILTER_FIELD = {
    "municipality": "municipality",
    "location": "location",
    "nationality": "nationality",
    "track": "track",
}
_DIMENSION_NL = {
    "municipality": "gemeente",
    "location": "COA-locatie",
    "office": "IND-kantoor",
    "nationality": "nationaliteit",
    "track": "spoor",
    "household_size": "huishoudgrootte",
    "cohort": "cohort",
}
_DIMENSION_EN = {
    "municipality": "municipality",
    "location": "COA location",
    "office": "IND office",
    "nationality": "nationality",
    "track": "track",
    "household_size": "household size",
    "cohort": "cohort",
}


@dataclass(frozen=True)
class Finding:
    """One bottleneck with its evidence; see the module docstring for the meaning of each field.

    Example::

        >>> find_bottlenecks(log)[0].to_dict()["title_en"]  # doctest: +SKIP
    """

    kind: str
    place: str
    segment: tuple[str, str] | None
    metric: str
    value: float
    benchmark: float | None
    persons: int
    excess_person_days: float
    confidence: float | str
    title_nl: str
    title_en: str
    explanation_nl: str
    explanation_en: str
    interval: str | None = None
    filter: dict[str, Any] = field(default_factory=dict)
    excess_events: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """A flat, JSON-ready record for exports."""
        return {
            "kind": self.kind,
            "place": self.place,
            "segment_dimension": self.segment[0] if self.segment else None,
            "segment_value": self.segment[1] if self.segment else None,
            "metric": self.metric,
            "value": self.value,
            "benchmark": self.benchmark,
            "persons": self.persons,
            "excess_person_days": self.excess_person_days,
            "excess_events": self.excess_events,
            "confidence": self.confidence,
            "title_nl": self.title_nl,
            "title_en": self.title_en,
            "explanation_nl": self.explanation_nl,
            "explanation_en": self.explanation_en,
            "interval": self.interval,
            "filter": self.filter,
        }


def _label(chain: Chain, activity: str, language: str) -> str:
    try:
        return chain.activity(activity).label(language)
    except KeyError:
        return activity


def _segment_filter(base: dict[str, Any], dimension: str, value: str) -> dict[str, Any]:
    out = dict(base)
    if dimension in _FILTER_FIELD:
        out[_FILTER_FIELD[dimension]] = [value]
    elif dimension == "cohort":
        year, quarter = int(value[:4]), int(value[-1])
        first = date(year, 3 * quarter - 2, 1)
        last = (pd.Timestamp(first) + pd.offsets.QuarterEnd(0)).date()
        out["cohort_from"], out["cohort_to"] = first.isoformat(), last.isoformat()
    return out


def _norm_findings(log, chain, as_of, cohort, base) -> list[Finding]:
    summary = interval_summary(log, chain=chain, as_of=as_of, cohort=cohort).set_index("interval")
    breaches = norm_breaches(log, chain=chain, as_of=as_of, cohort=cohort)
    out = []
    for row in breaches.itertuples(index=False):
        if row.breaches == 0:
            continue
        norm = chain.norm(row.interval)
        minimum = norm.direction == "minimum"
        # an optional step (end not expected): only the finished cases say anything
        share = (
            float(summary.loc[row.interval, "share_over_norm"])
            if row.end_expected
            else float(row.share_closed_over)
        )
        estimate = "Kaplan-Meier" if row.end_expected else "finished cases"
        word_nl, word_en = ("korter dan", "shorter than") if minimum else ("langer dan", "over")
        out.append(
            Finding(
                kind="norm_breach",
                place=f"interval {norm.id}",
                segment=None,
                metric=f"share {'under' if minimum else 'over'} the norm ({estimate})",
                value=share,
                benchmark=norm.days,
                persons=int(row.breaches),
                excess_person_days=float(row.excess_days),
                confidence=DESCRIPTIVE,
                title_nl=f"{norm.label_nl}: {share:.0%} {word_nl} de norm van {norm.days:.0f} dagen",
                title_en=f"{norm.label_en}: {share:.0%} {word_en} the {norm.days:.0f}-day norm",
                explanation_nl=(
                    f"{row.closed_over} afgerond buiten de norm, {row.overdue_now} wachten nog en "
                    f"zitten er al overheen ({norm.kind}, {row.persons} personen)."
                ),
                explanation_en=(
                    f"{row.closed_over} finished outside the norm, {row.overdue_now} still "
                    f"waiting and already past it ({norm.kind}, {row.persons} persons)."
                ),
                interval=norm.id,
                filter=dict(base),
            )
        )
    return out


def _segment_findings(log, chain, as_of, cohort, base, min_group, alpha) -> list[Finding]:
    table = slow_segments(
        log, chain=chain, as_of=as_of, cohort=cohort, min_group=min_group, alpha=alpha
    )
    out = []
    for row in table[table["bottleneck"]].itertuples(index=False):
        norm = chain.norm(row.interval)
        by_median = row.effect_kind == "median"
        what_nl = "mediaan" if by_median else "beperkt gemiddelde (RMST)"
        what_en = "median" if by_median else "restricted mean (RMST)"
        seg_nl = f"{_DIMENSION_NL[row.dimension]} {row.value}"
        seg_en = f"{_DIMENSION_EN[row.dimension]} {row.value}"
        value = row.median_days if by_median else row.effect_days
        out.append(
            Finding(
                kind="slow_segment",
                place=f"interval {norm.id}",
                segment=(row.dimension, row.value),
                metric="median days (Kaplan-Meier)" if by_median else "RMST difference (days)",
                value=float(value),
                benchmark=float(row.median_rest) if by_median else 0.0,
                persons=int(row.persons),
                excess_person_days=float(0.0 if pd.isna(row.excess_days) else row.excess_days),
                confidence=float(row.q_value),
                title_nl=f"{norm.label_nl}: {seg_nl} {row.effect_days:.0f} dagen trager",
                title_en=f"{norm.label_en}: {seg_en} {row.effect_days:.0f} days slower",
                explanation_nl=(
                    f"{what_nl} {row.effect_days:.0f} dagen langer dan de rest "
                    f"({row.persons} personen, log-rank q = {row.q_value:.2g})."
                ),
                explanation_en=(
                    f"{what_en} {row.effect_days:.0f} days longer than the rest "
                    f"({row.persons} persons, log-rank q = {row.q_value:.2g})."
                ),
                interval=norm.id,
                filter=_segment_filter(base, row.dimension, row.value),
            )
        )
    return out


def _long_waits(log: pd.DataFrame, min_group: int) -> pd.DataFrame:
    """The transitions with the most waiting beyond their median: ``from_activity``,
    ``to_activity``, ``n``, ``median``, ``mean``, ``excess``, ``affected``."""
    waits = person_waits(log)
    # grouped on integer codes: a groupby on the two text columns factorizes them again in every
    # call, which on a million waits costs more than the statistics themselves; the waits hold
    # the activities as categories in text order, so their codes number the pairs in order
    first, firsts = codes_of(waits["from_activity"])
    then, thens = codes_of(waits["to_activity"])
    first, then = first.astype(np.int64), then.astype(np.int64)  # a pair's number outgrows int8
    known = (first >= 0) & (then >= 0)  # as a groupby, leave out a wait without an activity
    pair = (first * len(thens) + then)[known]  # numbered in the order of (from, to)
    days = waits["days"].to_numpy(dtype=float)[known]
    pairs = len(firsts) * len(thens)
    count, median, mean, excess, beyond = _pair_statistics(pair, days, pairs)
    present = np.flatnonzero(count)  # in the order of (from, to), as a groupby lists them
    table = pd.DataFrame(
        {"n": count[present], "median": median[present], "mean": mean[present],
         "excess": excess[present]},
        index=present,
    )  # fmt: skip
    hit = beyond > 0
    person = codes_of(waits["case"])[0][known][hit]
    table["affected"] = _persons_per_pair(pair[hit], person, pairs)[present]
    table = table[(table["n"] >= min_group) & (table["excess"] > 0)]
    table = table.sort_values("excess", ascending=False, kind="stable").head(WAIT_FINDINGS)
    codes = table.index.to_numpy()
    return table.reset_index(drop=True).assign(
        from_activity=np.asarray(firsts, dtype=object)[codes // len(thens)],
        to_activity=np.asarray(thens, dtype=object)[codes % len(thens)],
    )


def _pair_statistics(pair: np.ndarray, days: np.ndarray, size: int) -> tuple[np.ndarray, ...]:
    """Per pair: waits, median, mean and days beyond the median, and each wait's days beyond
    its pair's median; as pandas' grouping gives them to the bit (missing days left out of
    all but the count)."""
    count, known, median = _pair_medians(pair, days, size)
    beyond = np.maximum(days - median[pair], 0.0)  # missing days stay missing
    mean = np.full(size, np.nan)
    at, sums = grouped_sums(pair, days)
    mean[at] = np.divide(sums, known[at], out=np.full(at.size, np.nan), where=known[at] > 0)
    excess = np.zeros(size)
    at, sums = grouped_sums(pair, beyond)
    excess[at] = sums
    return count, median, mean, excess, beyond


@njit(nogil=True, cache=True)
def _pair_medians(pair, days, size):  # pragma: no cover
    """Per pair: waits, waits with days, and the median of those days."""
    start, grouped = by_group(pair, days, size)
    count = np.diff(start)
    known = np.zeros(size, np.int64)
    median = np.full(size, np.nan)
    for p in range(size):
        values = grouped[start[p] : start[p + 1]]
        values = values[~np.isnan(values)]
        known[p] = values.size
        if values.size:
            median[p] = np.median(values)
    return count, known, median


@njit(nogil=True, cache=True)
def _persons_per_pair(pair, person, size):  # pragma: no cover
    """Distinct persons per pair, of waits that come person after person (as person_waits
    lists them): a person counts for a pair once, at their first wait of it."""
    counted = np.zeros(size, np.int64)
    last = np.full(size, -1)
    for i in range(pair.size):
        if last[pair[i]] != person[i]:
            last[pair[i]] = person[i]
            counted[pair[i]] += 1
    return counted


def _wait_findings(log, chain, base, min_group) -> list[Finding]:
    if person_waits(log).empty:
        return []
    # about the log as a whole: a cohort of it (the same events) asks for the same table
    table = cached(log, ("long_waits", min_group), lambda: _long_waits(log, min_group),
                   per_person=False)  # fmt: skip
    out = []
    for _, row in table.iterrows():
        a, b = row["from_activity"], row["to_activity"]
        nl = f"{_label(chain, a, 'nl')} → {_label(chain, b, 'nl')}"
        en = f"{_label(chain, a, 'en')} → {_label(chain, b, 'en')}"
        out.append(
            Finding(
                kind="long_wait",
                place=f"transition {a} -> {b}",
                segment=None,
                metric="mean wait (days)",
                value=float(row["mean"]),
                benchmark=float(row["median"]),
                persons=int(row["affected"]),
                excess_person_days=float(row["excess"]),
                confidence=DESCRIPTIVE,
                title_nl=f"Lange wachttijd {nl}: gemiddeld {row['mean']:.1f} dagen",
                title_en=f"Long wait {en}: {row['mean']:.1f} days on average",
                explanation_nl=(
                    f"Mediaan {row['median']:.0f} dagen; {int(row['n'])} overgangen, "
                    f"{row['excess']:.0f} persoonsdagen boven de mediaan."
                ),
                explanation_en=(
                    f"Median {row['median']:.0f} days; {int(row['n'])} transitions, "
                    f"{row['excess']:.0f} person-days beyond the median."
                ),
                filter=dict(base),
            )
        )
    return out


def _relocation_findings(log, as_of, base, min_group, alpha) -> list[Finding]:
    table = relocation_rates(log, as_of=as_of, min_group=min_group, alpha=alpha)
    out = []
    for row in table[table["significant"]].itertuples(index=False):
        out.append(
            Finding(
                kind="rework",
                place=f"COA location {row.location}",
                segment=("location", row.location),
                metric="relocations per resident-year",
                value=float(row.rate),
                benchmark=float(row.rest_rate),
                persons=int(row.residents),
                excess_person_days=0.0,
                excess_events=float(row.extra_relocations),
                confidence=float(row.q_value),
                title_nl=f"COA {row.location} verhuist bewoners {row.ratio:.1f}x zo vaak",
                title_en=f"COA {row.location} relocates residents {row.ratio:.1f}x as often",
                explanation_nl=(
                    f"{row.rate:.2f} overplaatsingen per bewonersjaar tegen {row.rest_rate:.2f} "
                    f"elders ({row.location_type}); {row.extra_relocations:.0f} extra."
                ),
                explanation_en=(
                    f"{row.rate:.2f} relocations per resident-year against {row.rest_rate:.2f} "
                    f"elsewhere ({row.location_type}); {row.extra_relocations:.0f} extra."
                ),
                filter=_segment_filter(base, "location", row.location),
            )
        )
    return out


def _repeat_findings(log, base, min_group) -> list[Finding]:
    table = repeated_activities(log)
    out = []
    for row in table[table["cases_repeated"] >= min_group].itertuples(index=False):
        out.append(
            Finding(
                kind="rework",
                place=f"activity {row.activity}",
                segment=None,
                metric="share of cases that repeat it",
                value=float(row.share_repeated),
                benchmark=None,
                persons=int(row.cases_repeated),
                excess_person_days=0.0,
                excess_events=float(row.repeats),
                confidence=DESCRIPTIVE,
                title_nl=f"{row.activity} wordt herhaald in {row.share_repeated:.0%} van de zaken",
                title_en=f"{row.activity} is repeated in {row.share_repeated:.0%} of cases",
                explanation_nl=f"{row.repeats} herhalingen in {row.cases_repeated} zaken.",
                explanation_en=f"{row.repeats} repeats in {row.cases_repeated} cases.",
                filter=dict(base),
            )
        )
    return out


def rank(findings: list[Finding]) -> list[Finding]:
    """Most excess person-days first; rework (no person-days) by extra events, then persons.

    Findings equal in those are ordered by their English title, which says what they are about:
    the findings of several calls ranked together come in the order of one call.

    Example::

        >>> [f.kind for f in rank(findings)][:3]  # doctest: +SKIP
    """
    return sorted(
        findings,
        key=lambda f: (-f.excess_person_days, -(f.excess_events or 0.0), -f.persons, f.title_en),
    )


@analysis_cache()
def find_bottlenecks(
    log: pd.DataFrame,
    *,
    chain: Chain | None = None,
    as_of: pd.Timestamp | date | str | None = None,
    filter: LogFilter | None = None,
    min_group: int = 30,
    alpha: float = 0.05,
    kinds: Collection[str] = KINDS,
) -> list[Finding]:
    """All findings on ``log`` (after ``filter``), ranked by excess person-days.

    ``as_of`` defaults to the end of the filter's period, else the log's last event. The
    filter's cohort restricts every interval to the persons whose interval starts in it.
    ``kinds`` limits the findings to some of :data:`KINDS`; each kind is computed on its own,
    so :func:`rank` of the findings of several calls with different kinds is the findings of
    all of them (the dashboard computes the slow segments in a helper process).

    Example::

        >>> f = LogFilter(cohort_from="2023-04-01", cohort_to="2024-03-31")
        >>> [x.title_nl for x in find_bottlenecks(log, filter=f)[:3]]  # doctest: +SKIP
    """
    f = filter or LogFilter()
    if as_of is None and f.period_to is not None:
        as_of = local_day_end(f.period_to)
    return findings_in(apply_filter(log, f), f, chain=chain, as_of=as_of, min_group=min_group,
                       alpha=alpha, kinds=kinds)  # fmt: skip


@analysis_cache()
def findings_in(
    view: pd.DataFrame,
    f: LogFilter,
    *,
    chain: Chain | None = None,
    as_of: pd.Timestamp | date | str | None = None,
    min_group: int = 30,
    alpha: float = 0.05,
    kinds: Collection[str] = KINDS,
    threads: int | None = None,
) -> list[Finding]:
    """The findings on ``view``, a log that ``f`` has filtered already (an analysis' scope).

    ``f`` says what the findings are about (each one's filter, the cohort) and is not applied
    again: a person filter with a period, applied to its own view, would keep only the persons
    with an event of theirs in the period. ``as_of`` defaults to the view's last event.
    ``threads``: how many kinds are computed at once (default: one per core; 1 when another
    process, such as the dashboard's helper, takes the other cores).
    """
    kinds = (kinds,) if isinstance(kinds, str) else kinds
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown kind of finding {unknown[0]!r}; known: {', '.join(KINDS)}")
    chain = chain or load_chain()
    if view.empty:
        return []
    moment = end_of_data(view, as_of)
    base = f.to_dict()
    if not view[ACTIVITY].isin(chain.activity_ids).any():
        parts = {
            "long_wait": (_wait_findings, view, chain, base, min_group),
            "rework": (_repeat_findings, view, base, min_group),
        }
    else:
        cohort = f.cohort
        parts = {
            "slow_segment": (_segment_findings, view, chain, moment, cohort, base, min_group,
                             alpha),
            "long_wait": (_wait_findings, view, chain, base, min_group),
            "norm_breach": (_norm_findings, view, chain, moment, cohort, base),
            "rework": (_relocation_findings, view, moment, base, min_group, alpha),
        }  # fmt: skip
    chosen = [part for kind, part in parts.items() if kind in kinds]
    threads = (os.cpu_count() or 1) if threads is None else threads
    return rank(_side_by_side(chosen, threads))


def _side_by_side(parts: list[tuple], threads: int) -> list[Finding]:
    """The findings of each part ``(function, *arguments)``, computed side by side.

    The kinds share only the per-person blocks (cached), and their array work releases the
    interpreter, so each is computed in a thread of its own (up to ``threads``), in the
    caller's analysis cache.
    """
    if len(parts) < 2 or threads < 2:
        return [finding for function, *arguments in parts for finding in function(*arguments)]
    with ThreadPoolExecutor(max_workers=min(len(parts), threads)) as pool:
        done = [pool.submit(contextvars.copy_context().run, *part) for part in parts]
        try:
            return [finding for part in done for finding in part.result()]
        except BaseException:
            pool.shutdown(cancel_futures=True)  # one kind failed: do not wait for the rest
            raise
