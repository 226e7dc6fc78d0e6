"""Segments that are significantly slower than the rest for a milestone interval.

For every value of every dimension (municipality, COA location, IND office, nationality, track,
household size, cohort = quarter of the interval start) with at least ``min_group`` persons, the
segment's censored durations are compared with everyone else's by a one-sided log-rank test
(H1: the segment finishes at a lower rate, i.e. is slower; only slower counts as a bottleneck).
Members of a household move together, so the test takes one observation per household: counting
each member would multiply the evidence by the household size. The p-values of all segments
tested in one call are corrected together (Benjamini-Hochberg by default, Holm on request).

The effect is the Kaplan-Meier median of the segment minus that of the rest, in days. When either
median is not reached it is the difference in restricted mean survival time up to the shorter of
the two follow-ups (a curve that reached zero is known everywhere): ``effect_kind = "rmst"``,
never a made-up median. A significant segment is a *bottleneck* only when it is also materially
slower (``min_effect``, default half again as long as the rest). ``excess_days`` sums, over the
segment's persons, the days beyond the rest's median (a lower bound for those still waiting).
Person values come from :func:`toolkit.bottlenecks.persons.person_attributes`. Example::

    >>> slow_segments(log, ["N11"]).query("bottleneck")[["dimension", "value"]]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from numba import njit
from scipy import special, stats

from toolkit.bottlenecks.common import cached, end_of_data, local_periods
from toolkit.bottlenecks.intervals import Cohort, person_intervals
from toolkit.bottlenecks.persons import DIMENSIONS, person_attributes, person_households
from toolkit.bottlenecks.sums import by_group
from toolkit.bottlenecks.survival import (
    MEDIAN,
    KaplanMeier,
    Steps,
    kaplan_meier,
    logrank_z,
    reached_quantile,
)
from toolkit.chain import Chain, Norm, load_chain
from toolkit.eventlog import HOUSEHOLD

ALL_DIMENSIONS = (*DIMENSIONS, "cohort")
CORRECTIONS = ("bh", "holm")
COLUMNS = [
    "interval",
    "dimension",
    "value",
    "persons",
    "households",
    "still_open",
    "median_days",
    "median_rest",
    "effect_days",
    "effect_kind",
    "relative_effect",
    "statistic",
    "p_value",
    "q_value",
    "slower",
    "significant",
    "bottleneck",
    "excess_days",
]
# A segment is a bottleneck when it is significantly slower AND at least this much slower than
# the rest (effect / the rest's median): queues differ by chance between municipalities and
# offices even when nobody is short of capacity, and with thousands of persons such differences
# are "significant" without being a bottleneck anyone would act on.
MATERIAL_EFFECT = 0.5
_DERIVED = ("q_value", "slower", "significant", "bottleneck")


def distinct_intervals(norms: Iterable[Norm]) -> list[Norm]:
    """The norms with a distinct (from, to): N04 and N05 measure the same interval, test it once.

    Example::

        >>> chain = load_chain()
        >>> [n.id for n in distinct_intervals([chain.norm("N04"), chain.norm("N05")])]
        ['N04']
    """
    seen: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
    out = []
    for norm in norms:
        key = (norm.from_activities, norm.to_activities)
        if key not in seen:
            seen.add(key)
            out.append(norm)
    return out


def cohort_quarter(starts: pd.Series) -> pd.Series:
    """The quarter of the interval start in Amsterdam time, as ``2023Q2``.

    Example::

        >>> cohort_quarter(pd.Series(pd.to_datetime(["2023-03-31 22:30"], utc=True))).tolist()
        ['2023Q2']
    """
    codes, labels = local_periods(starts, "quarter")
    return pd.Series(labels[codes], index=starts.index, dtype=object)


def segment_table(
    log: pd.DataFrame,
    norm: Norm | str,
    *,
    chain: Chain | None = None,
    as_of: pd.Timestamp | date | str | None = None,
    cohort: Cohort | None = None,
) -> pd.DataFrame:
    """The per-person interval table with the segment dimensions beside it.

    Example::

        >>> segment_table(log, "N11").groupby("municipality")["days"].median()  # doctest: +SKIP
    """
    people = person_intervals(log, norm, chain=chain, as_of=as_of, cohort=cohort)
    out = people.merge(person_attributes(log, as_of=as_of), on="case", how="left")
    out["cohort"] = cohort_quarter(out["start"])
    return out


def _follow_up(km: KaplanMeier, days: np.ndarray) -> float:
    """How far the curve is known: to the longest duration, or everywhere once it reached 0."""
    finished = km.survival.size and km.survival[-1] == 0.0
    return float("inf") if finished else float(np.max(days))


def _rmst_effect(seg_days, seg_cens, rest_days, rest_cens) -> tuple[float, float]:
    """(effect, the rest's benchmark) as restricted means, for when a median is not reached."""
    seg = kaplan_meier(seg_days, seg_cens)
    rest = kaplan_meier(rest_days, rest_cens)
    horizon = min(_follow_up(seg, seg_days), _follow_up(rest, rest_days))
    rest_mean = rest.restricted_mean(horizon)
    return seg.restricted_mean(horizon) - rest_mean, rest_mean


@dataclass(frozen=True)
class _PersonCodes:
    """Every person's value of every dimension as an integer code, and their household.

    One table per call of :func:`slow_segments` (cut from the whole log's for a subset of
    persons): each interval's persons are rows of it, so the ~90 interval x dimension tests
    compare integers instead of text.
    """

    cases: pd.Index  # the persons of person_attributes, in its order
    codes: dict[str, tuple[np.ndarray, np.ndarray]]  # dimension -> (code per person, values)
    units: np.ndarray  # household code; a person without a household is a unit of their own

    @classmethod
    def of(cls, attributes: pd.DataFrame, households: pd.DataFrame | None) -> _PersonCodes:
        """The codes of given attributes (one row for every person of the log)."""
        return cls._read(_coded(attributes, households, DIMENSIONS))

    @classmethod
    def of_log(cls, log: pd.DataFrame, as_of: pd.Timestamp | date | str | None) -> _PersonCodes:
        """The codes of the log's own attributes. All but the household size (counted among
        the log's persons) are a per-person block: a subset of persons cuts its codes from the
        whole log's. Codes are numbered differently then, which no test reads: segments are
        ordered by size and first appearance, and codes are only compared."""
        moment = end_of_data(log, as_of)
        attributes = person_attributes(log, as_of=moment)
        households = person_households(log)
        own = tuple(d for d in DIMENSIONS if d != "household_size")
        block = cached(log, ("person_codes", moment),
                       lambda: _coded(attributes, households, own))  # fmt: skip
        codes = cls._read(block)
        at = pd.Index(attributes["case"]).get_indexer(codes.cases)
        if (at < 0).any():
            raise ValueError("the person codes lack persons of the attributes")
        size = attributes["household_size"].to_numpy(dtype=object)[at]
        code, values = pd.factorize(size)
        codes.codes["household_size"] = (code, np.asarray(values, dtype=object))
        return codes

    @classmethod
    def _read(cls, block: pd.DataFrame) -> _PersonCodes:
        dimensions = [c for c in block.columns if c not in ("case", "unit")]
        codes = {d: (block[d].cat.codes.to_numpy().astype(np.int64),
                     np.asarray(block[d].cat.categories, dtype=object)) for d in dimensions}  # fmt: skip
        return cls(pd.Index(block["case"]), codes, block["unit"].to_numpy())


def _coded(
    attributes: pd.DataFrame, households: pd.DataFrame | None, dimensions: Sequence[str]
) -> pd.DataFrame:
    """``case``, each dimension as categories, and ``unit``: the household's code (a person
    without a household is a unit of their own)."""
    if households is None:
        units = np.arange(len(attributes))
    else:
        home = attributes[["case"]].merge(households, on="case", how="left")[HOUSEHOLD]
        units, _ = pd.factorize(home.astype(object))
        alone = units < 0
        units[alone] = units.max(initial=-1) + 1 + np.arange(int(alone.sum()))
    # categories in order of appearance: codes are only compared, never ordered
    columns = {d: pd.Categorical.from_codes(*pd.factorize(attributes[d].to_numpy(dtype=object)))
               for d in dimensions}  # fmt: skip
    return pd.DataFrame({"case": attributes["case"], **columns, "unit": units})


@dataclass(frozen=True)
class _Interval:
    """One interval's persons as arrays sorted by duration, once for every curve and test.

    ``days``, ``censored``, ``open_now`` and ``persons`` (each person's row in
    :class:`_PersonCodes`) are in that order, ``order`` is each one's row in the interval
    table, ``steps`` the combined Kaplan-Meier steps every group's curve is read from.
    """

    days: np.ndarray
    censored: np.ndarray
    open_now: np.ndarray  # still waiting (censored, and not because they left the chain)
    persons: np.ndarray
    order: np.ndarray
    steps: Steps
    table_days: np.ndarray  # the durations in the table's order

    @classmethod
    def of(cls, people: pd.DataFrame, codes: _PersonCodes) -> _Interval:
        persons = codes.cases.get_indexer(people["case"])
        if (persons < 0).any():
            raise ValueError("the attributes lack persons of the interval: give every person a row")
        table_days = people["days"].to_numpy(dtype=float)
        # in any order among equal durations: every count below takes a tie as a whole (a
        # step), and orders of appearance are read in the table's order
        order = np.argsort(table_days)
        days = table_days[order]
        censored = people["censored"].to_numpy(dtype=bool)[order]
        left = people["left_chain"].to_numpy(dtype=bool)[order]
        return cls(days, censored, censored & ~left, persons[order], order,
                   Steps.of(days, ~censored), table_days)  # fmt: skip

    def median_reached(self) -> bool:
        """Whether everybody's Kaplan-Meier median is reached (the end is expected, as
        ``median_reached`` of :func:`~toolkit.bottlenecks.interval_summary` says)."""
        steps = self.steps
        curve = np.cumprod((steps.at_risk - steps.deaths) / steps.at_risk)
        return bool(reached_quantile(curve, MEDIAN).any())


class _Households:
    """An interval's persons by household: the log-rank tests take one observation per household.

    A household's members move together, so counting each would multiply the evidence by the
    household size. The observation is the household's first member in the interval table.
    Most dimensions have one value per household (its members share a municipality, a
    nationality, a cohort); their tests share one sample of households and its steps, and only
    a dimension that splits a household takes one observation per household and value.
    """

    def __init__(self, interval: _Interval, units: np.ndarray) -> None:
        self.interval = interval
        self.units = units
        self.by_unit = np.argsort(units)  # households together, their members in any order
        self.apart = np.diff(units[self.by_unit]) != 0  # neighbours of different households
        self.first, self.steps = self._sample(units)

    def sample(
        self, codes: np.ndarray, size: int, together: bool = False
    ) -> tuple[np.ndarray, Steps]:
        """Positions of the observations for a dimension's ``codes``, and their steps.

        ``together``: the dimension is known to keep every household together (among all
        persons, so among any of them).
        """
        if together or _together(codes, self.by_unit, self.apart):
            return self.first, self.steps
        return self._sample(self.units * (size + 1) + (codes + 1))

    def _sample(self, keys: np.ndarray) -> tuple[np.ndarray, Steps]:
        """The first person (in the interval table) of each distinct key: sorted positions."""
        interval = self.interval
        in_table = np.empty_like(keys)
        in_table[interval.order] = keys
        positions = np.flatnonzero(_firsts(in_table)[interval.order])
        return positions, Steps.of(interval.days[positions], ~interval.censored[positions])


def _together(codes: np.ndarray, by_unit: np.ndarray, apart: np.ndarray) -> bool:
    """Whether every household's members have the same code (``by_unit``: the persons sorted
    by household, ``apart``: where neighbours in that order are of different households)."""
    within = codes[by_unit]
    return bool(np.all(apart | (within[1:] == within[:-1])))


@njit(nogil=True, cache=True)
def _firsts(keys):  # pragma: no cover
    """Where each key (0 or more) occurs for the first time."""
    seen = np.zeros(keys.max() + 1 if keys.size else 0, np.bool_)
    out = np.zeros(keys.size, np.bool_)
    for i in range(keys.size):
        if not seen[keys[i]]:
            seen[keys[i]] = True
            out[i] = True
    return out


@njit(nogil=True, cache=True)
def _counts(codes, open_now, order, size):  # pragma: no cover
    """Per value: persons, of whom still waiting, and the first row in the table."""
    persons = np.zeros(size, np.int64)
    waiting = np.zeros(size, np.int64)
    seen = np.full(size, codes.size)
    for i in range(codes.size):
        v = codes[i]
        if v >= 0:
            persons[v] += 1
            waiting[v] += open_now[i]
            seen[v] = min(seen[v], order[i])
    return persons, waiting, seen


@njit(nogil=True, cache=True)
def _excess(groups, days, benchmark, size):  # pragma: no cover
    """Per group, the days beyond its ``benchmark`` summed over its members in table order, as
    numpy sums them (:func:`_pairwise`): the same to the bit as ``np.sum`` of those days."""
    beyond = np.zeros(groups.size)
    for i in range(groups.size):
        if groups[i] >= 0:
            beyond[i] = max(days[i] - benchmark[groups[i]], 0.0)
    starts, beyond = by_group(groups, beyond, size)
    out = np.zeros(size)
    for g in range(size):
        out[g] = _pairwise(beyond, starts[g], starts[g + 1] - starts[g])
    return out


@njit(nogil=True, cache=True)
def _pairwise(values, first, n):  # pragma: no cover
    """``values[first:first + n].sum()`` added up in numpy's order (pairwise, in blocks of
    eight below 128 values), so that a compiled sum is numpy's to the last bit."""
    if n < 8:
        total = 0.0
        for i in range(first, first + n):
            total += values[i]
        return total
    if n <= 128:
        r = values[first : first + 8].copy()
        i = 8
        while i < n - n % 8:
            for j in range(8):
                r[j] += values[first + i + j]
            i += 8
        total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n:
            total += values[first + i]
            i += 1
        return total
    half = n // 2
    half -= half % 8
    return _pairwise(values, first, half) + _pairwise(values, first + half, n - half)


def _test_dimension(
    interval: _Interval, codes: np.ndarray, values: np.ndarray, households: _Households,
    norm_id: str, dimension: str, min_group: int, together: bool = False,
) -> list[dict]:  # fmt: skip
    """Every value of one dimension with at least ``min_group`` persons against the rest.

    ``codes`` holds each person's value (-1: none), in the interval's sorted order.
    """
    size = len(values)
    persons, open_now, seen = _counts(codes, interval.open_now, interval.order, size)
    # the members of a household move together: the test takes one observation per household
    first, steps = households.sample(codes, size, together)
    unit_codes = codes[first]
    unit_censored = interval.censored[first]
    unit_valued = unit_codes >= 0
    observations = np.bincount(unit_codes[unit_valued], minlength=size)
    unit_done = np.bincount(unit_codes[unit_valued], weights=~unit_censored[unit_valued],
                            minlength=size)  # fmt: skip
    all_done = int((~unit_censored).sum())
    # the largest segments first, ties in order of appearance (as value_counts)
    tested = [
        v
        for v in np.lexsort((seen, -persons))
        if persons[v] >= min_group
        and len(codes) - persons[v] >= min_group
        and unit_done[v] > 0
        and all_done - unit_done[v] > 0
    ]
    if not tested:
        return []
    group = np.full(size + 1, -1)  # the last entry: no value (code -1)
    group[tested] = np.arange(len(tested))
    z = logrank_z(steps, group[unit_codes], len(tested))
    person_group = group[codes]
    medians, rest_medians = interval.steps.medians_by_group(person_group, len(tested))
    # days beyond the rest's median, summed over the segment's persons
    in_table = np.empty_like(person_group)
    in_table[interval.order] = person_group
    over = _excess(in_table, interval.table_days, rest_medians, len(tested))
    rows = []
    for i, (v, m_seg, m_rest) in enumerate(zip(tested, medians, rest_medians, strict=True)):
        statistic, p_value = float(z[i]), float(special.ndtr(z[i]))
        if np.isfinite(m_seg) and np.isfinite(m_rest):
            effect, benchmark, kind = m_seg - m_rest, m_rest, "median"
        else:
            member = codes == v
            effect, benchmark = _rmst_effect(
                interval.days[member], interval.censored[member],
                interval.days[~member], interval.censored[~member],
            )  # fmt: skip
            kind = "rmst"
        rows.append(
            {
                "interval": norm_id,
                "dimension": dimension,
                "value": str(values[v]),
                "persons": int(persons[v]),
                "households": int(observations[v]),
                "still_open": int(open_now[v]),
                "median_days": float(m_seg),
                "median_rest": float(m_rest),
                "effect_days": float(effect),
                "effect_kind": kind,
                "relative_effect": float(effect / benchmark) if benchmark > 0 else np.nan,
                "statistic": statistic,
                "p_value": p_value,
                "excess_days": float(over[i]) if np.isfinite(m_rest) else np.nan,
            }
        )
    return rows


class _Cohorts:
    """Each interval's persons by cohort (:func:`cohort_quarter`), the quarters of all intervals
    found at once."""

    def __init__(self, tables: list[pd.DataFrame]) -> None:
        starts = [table["start"] for table in tables]
        both = pd.concat(starts, ignore_index=True) if starts else pd.Series([], dtype=object)
        self.quarters, self.labels = local_periods(both, "quarter")
        self.bounds = np.cumsum([0, *(len(table) for table in tables)])

    def codes(self, position: int) -> tuple[np.ndarray, np.ndarray]:
        """The cohorts of the interval at ``position`` as codes in order of appearance, and
        their labels."""
        begin, end = self.bounds[position], self.bounds[position + 1]
        codes, seen = pd.factorize(self.quarters[begin:end])
        return codes, self.labels[seen]


def slow_segments(
    log: pd.DataFrame,
    intervals: Sequence[Norm | str] | None = None,
    *,
    chain: Chain | None = None,
    as_of: pd.Timestamp | date | str | None = None,
    cohort: Cohort | None = None,
    dimensions: Sequence[str] = ALL_DIMENSIONS,
    min_group: int = 30,
    alpha: float = 0.05,
    correction: str = "bh",
    min_effect: float = MATERIAL_EFFECT,
    attributes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every segment tested, one row each, most important first.

    ``significant``: slower with q <= alpha (corrected over all rows). ``bottleneck``: significant
    and at least ``min_effect`` slower relative to the rest. ``intervals`` defaults to every
    distinct interval of the chain's norms that people are expected to finish (``median_reached``
    in :func:`toolkit.bottlenecks.interval_summary`). ``min_group`` counts persons.
    ``attributes`` replaces the log's own :func:`~toolkit.bottlenecks.persons.person_attributes`
    (one row for every person of the log), for example with one dimension shuffled to see how
    often a true null is flagged.

    Example::

        >>> slow_segments(log, ["N11"], dimensions=["municipality"]).query("bottleneck")  # doctest: +SKIP
    """
    if correction not in CORRECTIONS:
        raise ValueError(f"correction {correction!r}: use one of {', '.join(CORRECTIONS)}")
    unknown = sorted(set(dimensions) - set(ALL_DIMENSIONS))
    if unknown:
        raise ValueError(f"unknown dimension {unknown[0]!r}; known: {', '.join(ALL_DIMENSIONS)}")
    chain = chain or load_chain()
    given = chain.norms if intervals is None else intervals
    chosen = distinct_intervals([n if isinstance(n, Norm) else chain.norm(n) for n in given])
    if attributes is None:
        coded = _PersonCodes.of_log(log, as_of)
    else:
        coded = _PersonCodes.of(attributes, person_households(log))
    tables = [person_intervals(log, norm, chain=chain, as_of=as_of, cohort=cohort)
              for norm in chosen]  # fmt: skip
    cohorts = _Cohorts(tables) if "cohort" in dimensions else None
    # the dimensions that keep every household together among all persons do in every interval
    by_unit = np.argsort(coded.units)
    apart = np.diff(coded.units[by_unit]) != 0
    together = {d: _together(coded.codes[d][0], by_unit, apart)
                for d in dimensions if d != "cohort"}  # fmt: skip
    rows: list[dict] = []
    for position, (norm, people) in enumerate(zip(chosen, tables, strict=True)):
        interval = _Interval.of(people, coded)
        if intervals is None and not interval.median_reached():
            continue
        households = _Households(interval, coded.units[interval.persons])
        for dimension in dimensions:
            if dimension == "cohort":
                codes, values = cohorts.codes(position)
                codes = codes[interval.order]
            else:
                codes, values = coded.codes[dimension]
                codes = codes[interval.persons]
            rows.extend(_test_dimension(interval, codes, values, households, norm.id, dimension,
                                        min_group, together.get(dimension, False)))  # fmt: skip
    out = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in _DERIVED])
    if out.empty:
        return pd.DataFrame(columns=COLUMNS)
    p = out["p_value"].to_numpy(dtype=float)
    out["q_value"] = stats.false_discovery_control(p) if correction == "bh" else _holm(p)
    out["slower"] = out["effect_days"] > 0
    out["significant"] = out["slower"] & (out["q_value"] <= alpha)
    out["bottleneck"] = out["significant"] & (out["relative_effect"] >= min_effect)
    out = out.sort_values(
        ["bottleneck", "significant", "excess_days"],
        ascending=[False, False, False],
        kind="stable",
        na_position="last",
    )
    return out[COLUMNS].reset_index(drop=True)


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error), in the input order."""
    order = np.argsort(p, kind="stable")
    m = len(p)
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order]).clip(max=1.0)
    out = np.empty(m)
    out[order] = adjusted
    return out
