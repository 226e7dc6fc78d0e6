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
from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

from toolkit.bottlenecks.common import LOCAL_TZ
from toolkit.bottlenecks.intervals import Cohort, end_expected, person_intervals
from toolkit.bottlenecks.persons import DIMENSIONS, person_attributes
from toolkit.bottlenecks.survival import KaplanMeier, kaplan_meier, logrank_slower
from toolkit.chain import Chain, Norm, load_chain
from toolkit.eventlog import CASE

HOUSEHOLD = "case:household"

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
    local = starts.dt.tz_convert(LOCAL_TZ)
    return local.dt.year.astype(str) + "Q" + local.dt.quarter.astype(str)


def segment_table(
    log: pd.DataFrame,
    norm: Norm | str,
    *,
    chain: Chain | None = None,
    as_of: pd.Timestamp | date | str | None = None,
    cohort: Cohort | None = None,
    attributes: pd.DataFrame | None = None,
    households: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The per-person interval table with the segment dimensions beside it.

    ``attributes`` and ``households`` (:func:`person_households`) are the log's, when the caller
    has them already (one table for every interval it segments).

    Example::

        >>> segment_table(log, "N11").groupby("municipality")["days"].median()  # doctest: +SKIP
    """
    people = person_intervals(log, norm, chain=chain, as_of=as_of, cohort=cohort)
    attrs = person_attributes(log, as_of=as_of) if attributes is None else attributes
    out = people.merge(attrs, on="case", how="left")
    out["cohort"] = cohort_quarter(out["start"]) if len(out) else pd.Series(dtype=object)
    homes = person_households(log) if households is None else households
    if homes is not None:
        out = out.merge(homes, on="case", how="left")
        out["unit"] = out[HOUSEHOLD].astype(object).where(out[HOUSEHOLD].notna(), out["case"])
    else:
        out["unit"] = out["case"]
    return out


def person_households(log: pd.DataFrame) -> pd.DataFrame | None:
    """``case`` and its household (the first recorded), or None for a log without households."""
    if HOUSEHOLD not in log.columns:
        return None
    households = log[[CASE, HOUSEHOLD]].dropna().drop_duplicates(CASE)
    return households.rename(columns={CASE: "case"})


def _follow_up(km: KaplanMeier, days: np.ndarray) -> float:
    """How far the curve is known: to the longest duration, or everywhere once it reached 0."""
    finished = km.survival.size and km.survival[-1] == 0.0
    return float("inf") if finished else float(np.max(days))


def _effect(seg_days, seg_cens, rest_days, rest_cens) -> tuple[float, float, float, float, str]:
    """(segment median, rest median, effect, the rest's benchmark for the effect, kind)."""
    seg = kaplan_meier(seg_days, seg_cens)
    rest = kaplan_meier(rest_days, rest_cens)
    m_seg = np.nan if seg.median is None else seg.median
    m_rest = np.nan if rest.median is None else rest.median
    if np.isfinite(m_seg) and np.isfinite(m_rest):
        return m_seg, m_rest, m_seg - m_rest, m_rest, "median"
    horizon = min(_follow_up(seg, seg_days), _follow_up(rest, rest_days))
    rest_mean = rest.restricted_mean(horizon)
    return m_seg, m_rest, seg.restricted_mean(horizon) - rest_mean, rest_mean, "rmst"


def _test_dimension(table: pd.DataFrame, norm_id: str, dimension: str, min_group: int) -> list:
    values = table[dimension].astype(object)
    persons = values.value_counts()
    # integer codes per value: comparing codes, not objects, for every segment
    codes, uniques = pd.factorize(values)
    code_of = {value: i for i, value in enumerate(uniques)}
    open_now = np.bincount(
        codes[codes >= 0],
        weights=(table["censored"] & ~table["left_chain"]).to_numpy()[codes >= 0],
        minlength=len(uniques),
    )
    # the members of a household move together: the test takes one observation per household
    first = ~pd.DataFrame({"unit": table["unit"].to_numpy(), "code": codes}).duplicated().to_numpy()
    unit_codes = codes[first]
    days = table["days"].to_numpy(dtype=float)[first]
    censored = table["censored"].to_numpy(dtype=bool)[first]
    person_days = table["days"].to_numpy(dtype=float)
    person_censored = table["censored"].to_numpy(dtype=bool)
    tested = []
    for value, n in persons.items():
        inside = unit_codes == code_of[value]
        if n < min_group or len(table) - n < min_group:
            continue
        if not (~censored[inside]).any() or not (~censored[~inside]).any():
            continue
        tested.append((value, n, inside))
    tests = logrank_slower(days, censored, unit_codes, [code_of[value] for value, _, _ in tested])
    rows = []
    for value, n, inside in tested:
        statistic, p_value = tests[code_of[value]]
        member = codes == code_of[value]
        m_seg, m_rest, effect, benchmark, kind = _effect(
            person_days[member],
            person_censored[member],
            person_days[~member],
            person_censored[~member],
        )
        over = np.clip(person_days[member] - m_rest, 0.0, None).sum()
        excess = float(over) if np.isfinite(m_rest) else np.nan
        rows.append(
            {
                "interval": norm_id,
                "dimension": dimension,
                "value": str(value),
                "persons": int(n),
                "households": int(inside.sum()),
                "still_open": int(open_now[code_of[value]]),
                "median_days": m_seg,
                "median_rest": m_rest,
                "effect_days": float(effect),
                "effect_kind": kind,
                "relative_effect": float(effect / benchmark) if benchmark > 0 else np.nan,
                "statistic": statistic,
                "p_value": p_value,
                "excess_days": excess,
            }
        )
    return rows


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
    distinct interval of the chain's norms that people are expected to finish (see
    :func:`toolkit.bottlenecks.intervals.end_expected`). ``min_group`` counts persons.
    ``attributes`` is :func:`~toolkit.bottlenecks.persons.person_attributes`' table when the
    caller has it already (the dashboard computes it once per log).

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
        attributes = person_attributes(log, as_of=as_of)
    households = person_households(log)
    rows: list[dict] = []
    for norm in chosen:
        table = segment_table(
            log, norm, chain=chain, as_of=as_of, cohort=cohort, attributes=attributes,
            households=households,
        )  # fmt: skip
        if intervals is None and not end_expected(table):
            continue
        for dimension in dimensions:
            rows.extend(_test_dimension(table, norm.id, dimension, min_group))
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
