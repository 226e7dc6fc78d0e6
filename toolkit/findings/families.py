"""The four kinds (families) of findings, each a plain function of the person-interval table (or, for
rework, of the COA stays).

* ``where``: per leg of the journey (legs that do not overlap, :data:`SPEC`), the persons over
  its norm and the person-days beyond it.
* ``who``: municipalities, COA locations and IND offices slower than comparable persons
  elsewhere: the stratified log-rank test within cohort x track, one person per household,
  Benjamini-Hochberg over every unit tested; a unit is a finding when it is significantly and
  materially slower (a fifth and at least a week per person), and its excess is the days beyond the matched expectation (the typical wait
  of the other units' persons in the same stratum). Track and cohort define the procedure and the
  time and are never a finding; nationality and household size are context.
* ``trend``: per leg, the Kaplan-Meier median of each half-year cohort; the rise from the first
  to the last cohort with a median, over the last cohort's persons.
* ``rework``: COA locations that relocate residents more often per resident-year than the other
  locations of their type, significantly and by a fifth or more.

On a log outside the chain, ``where`` lists the transitions with the most waiting in total and
``rework`` the activities repeated within a case.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from toolkit.bottlenecks.rework import relocation_rates, repeated_activities
from toolkit.bottlenecks.survival import MEDIAN, kaplan_meier
from toolkit.bottlenecks.waits import person_waits
from toolkit.cellkeys import key_of, key_sum, key_sums
from toolkit.chain import Chain
from toolkit.findings.model import (
    DESCRIPTIVE,
    DIMENSION_EN,
    DIMENSION_NL,
    NORM_KIND_EN,
    NORM_KIND_NL,
    Finding,
    q_text,
    share_text,
)
from toolkit.metrics.person_table import waiting_population
from toolkit.metrics.stratified import stratified_logrank, typical_days
from toolkit.numbers import cohort_text, number

# a significant unit is a finding when its persons wait at least this much longer than comparable
# persons elsewhere (days beyond the matched expectation / the expectation): with thousands of
# persons, queues that differ by chance are "significant" without anyone being short of capacity;
# a trend is a finding when the last cohort's median differs this much from the first's, and a
# COA location when it relocates its residents this much more often than others of its type
MATERIAL_EFFECT = 0.2
# ... and at least this many days per person: on the legs of a few days (registration after a
# move) a fifth is a day, a difference nobody would act on
MATERIAL_DAYS = 7.0
# the transitions listed for a log outside the chain
WAIT_FINDINGS = 10


@dataclass(frozen=True)
class Spec:
    """The chain data of the families (``families.toml``)."""

    legs: tuple[str, ...]
    headline: tuple[str, ...]
    same_interval: dict[str, str]
    units: dict[str, tuple[str, ...]]


def num_nl(value: float, decimals: int = 0) -> str:
    """A number in a Dutch text: 1.234 and 12,3 (:func:`toolkit.numbers.number`)."""
    return number(value, "nl", decimals)


def num_en(value: float, decimals: int = 0) -> str:
    """A number in an English text: 1,234 and 12.3."""
    return number(value, "en", decimals)


def load_spec(path: Path | None = None) -> Spec:
    data = tomllib.loads((path or Path(__file__).with_name("families.toml")).read_text("utf-8"))
    where = data["where"]
    return Spec(
        legs=tuple(where["legs"]),
        headline=tuple(where.get("headline", ())),
        same_interval=dict(where.get("same_interval", {})),
        units={leg: tuple(kinds) for leg, kinds in data.get("who", {}).items()},
    )


SPEC = load_spec()


class Leg:
    """A leg's rows of the person-interval table, and those of its waiting population (who did
    not leave the chain, :func:`~toolkit.metrics.person_table.waiting_population`), split once
    for every family."""

    def __init__(self, everybody: pd.DataFrame) -> None:
        self.everybody = everybody
        self.rows = waiting_population(everybody)
        self.days = self.rows["days"].to_numpy()
        self.reached = self.rows["outcome"].to_numpy() == "reached"


def _unit_name(chain: Chain, dimension: str, value: str) -> str:
    if dimension == "municipality":
        try:
            return chain.municipality(value).name
        except KeyError:
            return value
    return value


def _segment_filter(base: dict, dimension: str, value: str) -> dict:
    """The finding's filter: the analysis' own, narrowed to the unit where a filter can say it."""
    out = dict(base)
    if dimension in ("municipality", "location"):
        out[dimension] = [value]
    return out


def where_findings(legs: dict[str, Leg], chain: Chain, base: dict, spec: Spec = SPEC):
    """Per leg: persons over the norm and person-days beyond it (see the module); ``legs`` holds
    each leg's rows of the person-interval table."""
    out = []
    for leg in spec.legs:
        if leg not in legs or legs[leg].rows.empty:
            continue
        everybody, rows = legs[leg].everybody, legs[leg].rows
        norm = chain.norm(leg)
        days, reached = legs[leg].days, legs[leg].reached
        km = kaplan_meier(days, ~reached)
        if norm.direction == "minimum":
            over = reached & (days < norm.days)
            excess = float(np.sum(norm.days - days[over]))
            share = km.share_shorter_than(norm.days)
            nl, en = "onder de minimumtermijn van", "under the minimum of"
            metric = "share of persons under the minimum (Kaplan-Meier, cohorts pooled)"
        else:
            over = days > norm.days
            excess = float(np.sum(days[over] - norm.days))
            share = km.share_longer_than(norm.days)
            nl, en = "boven de norm van", "over the norm of"
            metric = "share of persons over the norm (Kaplan-Meier, cohorts pooled)"
        if not over.any() or not km.completed:
            continue
        left = len(everybody) - len(rows)
        inferred = int(rows["inferred_end"].sum())
        also_nl, also_en = "", ""
        for other, same in spec.same_interval.items():
            if same == leg:
                wide = chain.norm(other)
                part = share_text(km.share_longer_than(wide.days))
                also_nl += f" Boven de {wide.label_nl.lower()} ({num_nl(wide.days)} dagen): {part}."
                also_en += f" Over the {wide.label_en.lower()} ({num_en(wide.days)} days): {part}."
        closed, waiting = int((over & reached).sum()), int((over & ~reached).sum())
        keys = _keys(rows)
        counted = (over, over & reached, over & ~reached, slice(None))
        out.append(
            Finding(
                family="where",
                kind="norm_breach",
                place=f"interval {leg}",
                segment=None,
                metric=metric,
                value=share,
                benchmark=norm.days,
                persons=int(over.sum()),
                excess_person_days=excess,
                confidence=DESCRIPTIVE,
                title_nl=f"{norm.label_nl}: naar schatting {share_text(share)} van de personen {nl} "
                f"{num_nl(norm.days)} dagen",
                title_en=f"{norm.label_en}: an estimated {share_text(share)} of persons {en} "
                f"{num_en(norm.days)} days",
                explanation_nl=(
                    f"{num_nl(closed)} afgerond na de norm, {num_nl(waiting)} wachten nog en zitten er "
                    f"al overheen; {num_nl(excess)} persoonsdagen boven de "
                    f"{NORM_KIND_NL[norm.kind]} norm. "
                    f"{num_nl(len(rows))} personen (alle cohorten samen), {num_nl(left)} verlieten de "
                    "keten of gingen verder zonder dat dit einde is vastgelegd, en tellen niet mee; "
                    f"{num_nl(inferred)} met een afgeleid einde.{also_nl}"
                ),
                explanation_en=(
                    f"{num_en(closed)} finished after the norm, {num_en(waiting)} still waiting and "
                    f"already past it; {num_en(excess)} person-days beyond the "
                    f"{NORM_KIND_EN[norm.kind]} norm. "
                    f"{num_en(len(rows))} persons (cohorts pooled), {num_en(left)} left the chain or "
                    "went on without this end being recorded, and are not counted; "
                    f"{num_en(inferred)} with an inferred end.{also_en}"
                ),
                interval=leg,
                filter=dict(base),
                keys=(
                    *(key_sum(keys[mask]) for mask in counted),
                    key_sum(_keys(everybody)) - key_sum(keys),
                    key_sum(keys[rows["inferred_end"].to_numpy(dtype=bool)]),
                )
                if keys is not None
                else (),
            )
        )
    return out


def _keys(rows: pd.DataFrame) -> np.ndarray | None:
    """The record keys of the rows' persons (:mod:`toolkit.cellkeys`); None for rows without
    them (a table not made by :func:`~toolkit.metrics.person_table.person_table`)."""
    return rows["key"].to_numpy(dtype=np.int64) if "key" in rows.columns else None


def _unit_tests(legs: dict[str, Leg], spec: Spec, min_group: int) -> list[dict]:
    """Every unit tested on every leg: the stratified log-rank figures of one person per
    household, and the unit's rows."""
    tests = []
    for leg, dimensions in spec.units.items():
        if leg not in legs:
            continue
        rows = legs[leg].rows
        # strata and households as codes, once per leg: a dimension's rows are a mask of them
        leg_strata = rows.groupby(["cohort", "track"], sort=True, dropna=False).ngroup()
        leg_strata = leg_strata.to_numpy()
        homes = pd.factorize(rows["household"])[0]
        # the leg's rows by stratum, then days, once: each unit's comparable persons are then
        # taken in order (see _matched_excess)
        leg_order = np.lexsort((legs[leg].days, leg_strata))
        for dimension in dimensions:
            known = rows[dimension].notna().to_numpy()
            if not known.any():
                continue
            units, names = pd.factorize(rows[dimension].to_numpy()[known])
            size = np.bincount(units, minlength=len(names))
            units = np.where(size[units] >= min_group, units, -1)
            strata = leg_strata[known]
            # one row per household: its first, as household_representatives keeps it
            one = np.zeros(units.size, dtype=bool)
            one[np.unique(homes[known], return_index=True)[1]] = True
            days, reached = legs[leg].days[known], legs[leg].reached[known]
            cohorts = rows["cohort"].to_numpy()[known]
            keys = _keys(rows)
            keys = None if keys is None else keys[known]
            ordered = _by_stratum(leg_order, known, strata)
            result = stratified_logrank(days[one], reached[one], units[one], strata[one])
            figures = result.to_dict("list")
            for code in np.flatnonzero(size >= min_group):
                if code >= len(result) or not np.isfinite(figures["z"][code]):
                    continue
                unit = units == code
                counted = (unit, unit & one & reached, unit)  # persons, observed, persons
                tests.append({"leg": leg, "dimension": dimension, "value": str(names[code]),
                              "days": days, "unit": unit, "ordered": ordered,
                              "reached": reached, "cohorts": cohorts,
                              "keys": () if keys is None else tuple(
                                  key_sum(keys[mask]) for mask in counted),
                              **{k: v[code] for k, v in figures.items()}})  # fmt: skip
    return tests


def _by_stratum(
    leg_order: np.ndarray, known: np.ndarray, strata: np.ndarray
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """The known rows (their positions among them) by stratum, then days, from the leg's order
    of all its rows, and where each stratum's block starts and ends in it."""
    position = np.cumsum(known) - 1
    order = position[leg_order[known[leg_order]]]
    ends = np.flatnonzero(np.diff(strata[order]) != 0) + 1
    starts = np.concatenate([[0], ends])
    return order, list(zip(starts.tolist(), [*ends.tolist(), order.size], strict=True))


def _matched_excess(test: dict) -> tuple[float, float, float]:
    """The unit's days beyond what comparable persons elsewhere wait (per stratum, the typical
    wait of the other units' persons), the mean expectation and the unit's typical wait."""
    days, unit, reached = test["days"], test["unit"], test["reached"]
    expected = _expected(test)
    mine = unit & np.isfinite(expected)
    own = typical_days(days[unit], reached[unit])
    return float(np.sum(days[mine] - expected[mine])), float(np.mean(expected[mine])), own


def _expected(test: dict) -> np.ndarray:
    """Per row of the unit, what comparable persons elsewhere wait: the typical wait of the other
    units' persons of its stratum (NaN for the other rows, and where the stratum has no others).

    Each stratum's other persons are taken in the order of their days, so the Kaplan-Meier
    estimate sorts what is sorted already (the same estimate: it counts a tie as a whole)."""
    days, unit, reached = test["days"], test["unit"], test["reached"]
    order, blocks = test["ordered"]
    expected = np.full(days.size, np.nan)
    mine = unit[order]
    for start, end in blocks:
        inside = mine[start:end]
        if not inside.any():
            continue
        block = order[start:end]
        rest = block[~inside]
        expected[block[inside]] = typical_days(days[rest], reached[rest])
    return expected


def _period(test: dict, min_group: int) -> tuple[str, str, float, float] | None:
    """When a unit was behind: the first and last of the consecutive cohorts in which its
    persons' typical wait (the Kaplan-Meier median) exceeds what comparable persons elsewhere
    wait as a finding's does (a fifth, and at least a week), with the median of their waits and
    the mean expectation; None when it was behind in every cohort whose median is known yet, in
    none, or in two runs apart. A cohort counts with ``min_group`` of the unit's persons.

    A unit that lost capacity for a year is behind for the persons who started in that year, not
    for everyone it served. A cohort whose persons mostly still wait has no median yet: it tells
    neither way."""
    days, unit, reached = test["days"], test["unit"], test["reached"]
    expected = _expected(test)
    mine = unit & np.isfinite(expected)
    codes, cohorts = pd.factorize(test["cohorts"][mine], sort=True)
    days, reached, expected = days[mine], reached[mine], expected[mine]
    known, behind = np.zeros(len(cohorts), dtype=bool), np.zeros(len(cohorts), dtype=bool)
    for k in range(len(cohorts)):
        rows = codes == k
        median = kaplan_meier(days[rows], ~reached[rows]).quantile(MEDIAN)
        if median is None or rows.sum() < min_group:
            continue
        known[k] = True
        benchmark = float(expected[rows].mean())
        behind[k] = median - benchmark >= max(MATERIAL_EFFECT * benchmark, MATERIAL_DAYS)
    if not behind.any() or behind[known].all():
        return None
    runs: list[list[int]] = []  # consecutive cohorts behind (a cohort without a median between
    for k in np.flatnonzero(known):  # two that are behind does not break a run)
        if not behind[k]:
            runs.append([])
        elif runs and runs[-1]:
            runs[-1].append(k)
        else:
            runs.append([k])
    spans = [(run[0], run[-1]) for run in runs if run]
    if len(spans) > 1:
        return None  # behind in two separate periods: no one period to name
    first, last = spans[0]
    rows = (codes >= first) & (codes <= last)
    median = kaplan_meier(days[rows], ~reached[rows]).quantile(MEDIAN)
    if median is None:
        return None
    return str(cohorts[first]), str(cohorts[last]), float(median), float(expected[rows].mean())


def _period_text(period: tuple[str, str, float, float] | None, language: str) -> str:
    """The sentence that says when a unit was behind (empty when it was behind throughout)."""
    if period is None:
        return ""
    first, last, median, benchmark = period
    number_text = num_nl if language == "nl" else num_en
    if first == last:
        cohorts = {"nl": "in de {a}", "en": "in the {a}"}
    else:
        cohorts = {"nl": "van de {a} tot en met de {b}", "en": "from the {a} to the {b}"}
    when = cohorts[language].format(a=cohort_text(first, language), b=cohort_text(last, language))
    said = {
        "nl": " Vooral wie startte {when} wachtte langer: typisch {days} dagen tegen {expected} "
        "verwacht; in de andere cohorten met een bekende mediaan was dat niet zo.",
        "en": " Mainly those who started {when} waited longer: typically {days} days against "
        "{expected} expected; not so in the other cohorts with a known median.",
    }
    return said[language].format(
        when=when, days=number_text(median), expected=number_text(benchmark)
    )


def who_findings(legs, chain: Chain, base: dict, min_group: int, alpha: float, spec=SPEC):
    """Units slower than comparable persons elsewhere (see the module)."""
    tests = _unit_tests(legs, spec, min_group)
    if not tests:
        return []
    q_values = stats.false_discovery_control([t["p_value"] for t in tests])
    out = []
    for test, q in zip(tests, q_values, strict=True):
        observed, expected = test["observed"], test["expected"]
        if q > alpha:
            continue
        excess, benchmark, own = _matched_excess(test)
        persons = int(test["unit"].sum())
        if not excess >= max(MATERIAL_EFFECT * benchmark, MATERIAL_DAYS) * persons:
            continue
        norm, dimension = chain.norm(test["leg"]), test["dimension"]
        name = _unit_name(chain, dimension, test["value"])
        per_person = excess / persons
        period = _period(test, min_group)
        out.append(
            Finding(
                family="who",
                kind="slow_unit",
                place=f"interval {norm.id}",
                segment=(dimension, test["value"]),
                metric="days per person beyond comparable persons elsewhere (same cohort and track)",
                value=per_person,
                benchmark=benchmark,
                persons=persons,
                excess_person_days=excess,
                confidence=float(q),
                title_nl=f"{norm.label_nl}: {DIMENSION_NL[dimension]} {name} gemiddeld "
                f"{num_nl(per_person)} dagen per persoon boven de typische wachttijd van "
                "vergelijkbare personen elders",
                title_en=f"{norm.label_en}: {DIMENSION_EN[dimension]} {name} on average "
                f"{num_en(per_person)} days per person beyond the typical wait of comparable "
                "persons elsewhere",
                explanation_nl=(
                    f"Vergeleken binnen hetzelfde cohort (halfjaar van de start) en spoor: "
                    f"{num_nl(observed)} bereikten het einde waar {num_nl(expected)} verwacht werden "
                    f"(gestratificeerde log-rank, één persoon per huishouden, {q_text(q, 'nl')})."
                    f" Typische wachttijd {num_nl(own)} dagen tegen {num_nl(benchmark)} "
                    f"verwacht. De {num_nl(persons)} personen wachtten samen {num_nl(excess)} dagen "
                    f"langer dan verwacht, gemiddeld {num_nl(per_person)} per persoon; wie nog "
                    "wacht telt met de dagen tot nu, dus dat is een ondergrens."
                    f"{_period_text(period, 'nl')}"
                ),
                explanation_en=(
                    f"Compared within the same cohort (half-year of the start) and track: "
                    f"{num_en(observed)} reached the end where {num_en(expected)} were expected "
                    f"(stratified log-rank, one person per household, {q_text(q, 'en')}). "
                    f"Typical wait {num_en(own)} days against {num_en(benchmark)} "
                    f"expected. The {num_en(persons)} persons waited {num_en(excess)} days longer "
                    f"than expected in all, {num_en(per_person)} per person on average; those "
                    "still waiting count with their days so far, so that is a lower bound."
                    f"{_period_text(period, 'en')}"
                ),
                interval=norm.id,
                filter=_segment_filter(base, dimension, test["value"]),
                keys=test["keys"],
            )
        )
    return out


def _reworded(finding: Finding, said: list[tuple[str, str]]) -> dict[str, str]:
    """The finding's titles and explanations with each figure as written replaced by another."""
    texts = {}
    for field in ("title_nl", "title_en", "explanation_nl", "explanation_en"):
        text = getattr(finding, field)
        for before, after in said:
            text = text.replace(before, after)
        texts[field] = text
    return texts


def with_persons(finding: Finding, persons: int) -> Finding:
    """The finding as it reads with ``persons`` in place of its count (a workshop's perturbed
    count): the figures made from the count are made from the shown one, so that one figure
    divided by another does not give the true count back. A who finding's days per person are
    its excess over the shown persons (its title and text say them); a trend's impact is its
    rise times the shown persons of the last cohort. (A rework finding's figures are made from
    its relocations: :func:`with_relocations`.)
    """
    if finding.persons <= 0 or persons == finding.persons:
        return replace(finding, persons=persons)
    if finding.family == "who":
        old, new = finding.value, finding.excess_person_days / persons
        said = [(f"gemiddeld {num_nl(old)} ", f"gemiddeld {num_nl(new)} "),
                (f"on average {num_en(old)} ", f"on average {num_en(new)} "),
                (f"{num_en(old)} per person on average", f"{num_en(new)} per person on average")]  # fmt: skip
        return replace(finding, persons=persons, value=new, **_reworded(finding, said))
    if finding.family == "trend":
        rise = max(finding.value - (finding.benchmark or 0.0), 0.0)
        return replace(finding, persons=persons, excess_person_days=rise * persons)
    return replace(finding, persons=persons)


def relocations_of(finding: Finding) -> int | None:
    """A rework finding's count of relocations, from its rate, the rate elsewhere and its extra
    relocations (rate × extra / (rate − rest)); None for any other finding."""
    rate, rest = finding.value, finding.benchmark or 0.0
    if finding.family != "rework" or rate <= rest:
        return None
    return round(rate * (finding.excess_events or 0.0) / (rate - rest))


def with_relocations(finding: Finding, relocations: int) -> Finding:
    """A rework finding as it reads with ``relocations`` in place of its count of relocations (a
    workshop's perturbed count, as its text gives it): the rate, the ratio to the rate elsewhere
    and the extra relocations made from it, so that together they give the shown count, not
    the true one (:func:`relocations_of`).
    """
    rate, rest, extra = finding.value, finding.benchmark or 0.0, finding.excess_events or 0.0
    if relocations_of(finding) is None:
        return finding
    years = extra / (rate - rest)  # the location's resident-years
    new_rate, new_extra = relocations / years, relocations - rest * years
    said = [(f"{num_nl(rate / rest, 1)} keer zoveel", f"{num_nl(new_rate / rest, 1)} keer zoveel"),
            (f"{num_en(rate / rest, 1)} times as many", f"{num_en(new_rate / rest, 1)} times as many"),
            (f"{num_nl(extra)} meer dan", f"{num_nl(new_extra)} meer dan"),
            (f"{num_en(extra)} more than", f"{num_en(new_extra)} more than")]  # fmt: skip
    return replace(finding, value=new_rate, excess_events=new_extra, **_reworded(finding, said))


def cohort_medians(rows: pd.DataFrame, min_group: int) -> pd.DataFrame:
    """Per half-year cohort of a leg's waiting population: ``persons`` and the Kaplan-Meier
    ``median_days`` (empty where the cohort's curve does not reach one half), the cohorts with
    at least ``min_group`` persons, in order.

    Example::

        >>> cohort_medians(table[table["interval"] == "N11"], 30)  # doctest: +SKIP
    """
    codes, cohorts = pd.factorize(rows["cohort"], sort=True)
    order = np.argsort(codes, kind="stable")  # each cohort's rows in their order
    bounds = np.searchsorted(codes[order], np.arange(len(cohorts) + 1))
    days = rows["days"].to_numpy()[order]
    censored = rows["outcome"].to_numpy()[order] != "reached"
    out = []
    for cohort, first, last in zip(cohorts, bounds[:-1], bounds[1:], strict=True):
        if last - first < min_group:
            continue
        median = kaplan_meier(days[first:last], censored[first:last]).quantile(MEDIAN)
        out.append({"cohort": cohort, "persons": int(last - first),
                    "median_days": np.nan if median is None else median})  # fmt: skip
    return pd.DataFrame(out, columns=["cohort", "persons", "median_days"])


def trend_findings(legs, chain: Chain, base: dict, min_group: int, spec=SPEC):
    """Per leg, the change of the cohorts' medians (see the module)."""
    out = []
    for leg in spec.legs:
        if leg not in legs:
            continue
        every = cohort_medians(legs[leg].rows, min_group)
        cohorts = every.dropna()
        if len(cohorts) < 2:
            continue
        # the cohorts after the last with a median: most of their persons still wait
        later = every.loc[every["cohort"] > cohorts["cohort"].iloc[-1], "cohort"].tolist()
        first, last = cohorts.iloc[0], cohorts.iloc[-1]
        change = float(last["median_days"] - first["median_days"])
        if abs(change) < max(MATERIAL_DAYS, MATERIAL_EFFECT * float(first["median_days"])):
            continue  # a wait that stayed about the same is no trend to act on
        norm = chain.norm(leg)
        steps_nl = "; ".join(
            f"{cohort_text(c.cohort, 'nl')}: {num_nl(c.median_days)}" for c in cohorts.itertuples()
        )
        steps_en = "; ".join(
            f"{cohort_text(c.cohort, 'en')}: {num_en(c.median_days)}" for c in cohorts.itertuples()
        )
        word_nl, word_en = ("gestegen", "rose") if change > 0 else ("gedaald", "fell")
        a, b = first["median_days"], last["median_days"]
        keys = _keys(legs[leg].rows)
        in_last = legs[leg].rows["cohort"].to_numpy() == last["cohort"]
        out.append(
            Finding(
                family="trend",
                kind="trend",
                place=f"interval {leg}",
                segment=None,
                metric="median days of the last cohort against the first (Kaplan-Meier per "
                "half-year cohort)",
                value=float(b),
                benchmark=float(a),
                persons=int(last["persons"]),
                excess_person_days=max(change, 0.0) * int(last["persons"]),
                confidence=DESCRIPTIVE,
                title_nl=f"{norm.label_nl}: mediane wachttijd {word_nl} van {num_nl(a)} naar "
                f"{num_nl(b)} dagen (cohorten {cohort_text(first['cohort'], 'nl')} tot en met "
                f"{cohort_text(last['cohort'], 'nl')})",
                title_en=f"{norm.label_en}: median wait {word_en} from {num_en(a)} to {num_en(b)} days "
                f"(cohorts from the {cohort_text(first['cohort'], 'en')} to the "
                f"{cohort_text(last['cohort'], 'en')})",
                explanation_nl=f"Mediaan per cohort (halfjaar van de start), in dagen: {steps_nl}."
                + _later_text(later, "nl"),
                explanation_en=f"Median per cohort (half-year of the start), in days: {steps_en}."
                + _later_text(later, "en"),
                interval=leg,
                filter=dict(base),
                keys=() if keys is None else (key_sum(keys[in_last]),),
            )
        )
    return out


def _later_text(cohorts: list[str], language: str) -> str:
    """The sentence on the cohorts after the last with a median (empty when there are none)."""
    if not cohorts:
        return ""
    names = [cohort_text(c, language) for c in cohorts]
    joined = {"nl": " en ", "en": " and "}[language].join(
        [", ".join(names[:-1]), names[-1]] if len(names) > 1 else names
    )
    said = {
        "nl": (" In het latere cohort ({names}) wacht nog meer dan de helft van de personen: het "
               "heeft nog geen mediaan.",
               " In de latere cohorten ({names}) wacht nog meer dan de helft van de personen: zij "
               "hebben nog geen mediaan."),
        "en": (" In the later cohort ({names}) more than half of the persons still wait: it has "
               "no median yet.",
               " In the later cohorts ({names}) more than half of the persons still wait: they "
               "have no median yet."),
    }  # fmt: skip
    return said[language][len(cohorts) > 1].format(names=joined)


def rework_findings(log, moment, base: dict, min_group: int, alpha: float, rates=None):
    """COA locations that relocate residents more often than others of their type, significantly
    and by a fifth or more (``rates``: the log's
    :func:`~toolkit.bottlenecks.rework.relocation_rates` with these parameters, when known)."""
    table = rates
    if table is None:
        table = relocation_rates(log, as_of=moment, min_group=min_group, alpha=alpha)
    out = []
    material = table["significant"] & (table["ratio"] >= 1 + MATERIAL_EFFECT)
    for row in table[material].itertuples(index=False):
        out.append(
            Finding(
                family="rework",
                kind="relocations",
                place=f"COA location {row.location}",
                segment=("location", row.location),
                metric="relocations per resident-year",
                value=float(row.rate),
                benchmark=float(row.rest_rate),
                persons=int(row.relocated),
                excess_person_days=0.0,
                excess_events=float(row.extra_relocations),
                confidence=float(row.q_value),
                title_nl=f"COA {row.location}: {num_nl(row.ratio, 1)} keer zoveel overplaatsingen per "
                f"bewonersjaar als andere locaties van het type {row.location_type}",
                title_en=f"COA {row.location}: {num_en(row.ratio, 1)} times as many relocations per "
                f"resident-year as other {row.location_type} locations",
                explanation_nl=(
                    f"{num_nl(row.relocations)} overplaatsingen van {num_nl(row.relocated)} van de "
                    f"{num_nl(row.residents)} bewoners, {num_nl(row.extra_relocations)} meer dan het "
                    f"tempo elders ({q_text(row.q_value, 'nl')})."
                ),
                explanation_en=(
                    f"{num_en(row.relocations)} relocations of {num_en(row.relocated)} of the "
                    f"{num_en(row.residents)} residents, {num_en(row.extra_relocations)} more than the "
                    f"rate elsewhere ({q_text(row.q_value, 'en')})."
                ),
                filter=_segment_filter(base, "location", row.location),
                keys=_row_keys(row, ("relocated", "relocations", "relocated", "residents")),
            )
        )
    return out


def _row_keys(row: tuple, counts: tuple[str, ...]) -> tuple[int, ...]:
    """The cell keys of ``counts`` in a table's row (their ``*_key`` columns), or none."""
    found = row._asdict()
    names = [key_of(c) for c in counts]
    return tuple(int(found[n]) for n in names) if all(n in found for n in names) else ()


def _label(chain: Chain, activity: str, language: str) -> str:
    try:
        return chain.activity(activity).label(language)
    except KeyError:
        return activity


def transition_findings(log: pd.DataFrame, chain: Chain, base: dict, min_group: int):
    """On a log outside the chain: the transitions with the most waiting in total."""
    waits = person_waits(log)
    if waits.empty:
        return []
    waits = waits.assign(pair=waits["from_activity"].astype(str) + "\n"
                         + waits["to_activity"].astype(str))  # fmt: skip
    table = waits.groupby("pair").agg(
        n=("days", "size"),
        total=("days", "sum"),
        median=("days", "median"),
        persons=("case", "nunique"),
    )
    table[key_of("persons")] = key_sums(waits, "pair")
    table[key_of("n")] = key_sums(waits, "pair", distinct=False)
    table = table[(table["n"] >= min_group) & (table["total"] > 0)]
    table = table.sort_values(["total", "n"], ascending=False, kind="stable").head(WAIT_FINDINGS)
    out = []
    for pair, row in table.iterrows():
        a, b = pair.split("\n")
        nl = f"{_label(chain, a, 'nl')} → {_label(chain, b, 'nl')}"
        en = f"{_label(chain, a, 'en')} → {_label(chain, b, 'en')}"
        out.append(
            Finding(
                family="where",
                kind="transition_wait",
                place=f"transition {a} -> {b}",
                segment=None,
                metric="days waited in total",
                value=float(row["total"]),
                benchmark=None,
                persons=int(row["persons"]),
                excess_person_days=float(row["total"]),
                confidence=DESCRIPTIVE,
                title_nl=f"Wachttijd {nl}: {num_nl(row['total'])} persoonsdagen in totaal",
                title_en=f"Waiting {en}: {num_en(row['total'])} person-days in total",
                explanation_nl=f"{num_nl(row['n'])} overgangen, mediaan {num_nl(row['median'], 1)} dagen.",
                explanation_en=f"{num_en(row['n'])} transitions, median {num_en(row['median'], 1)} days.",
                filter=dict(base),
                keys=(int(row[key_of("persons")]), int(row[key_of("n")])),
            )
        )
    return out


def repeat_findings(log: pd.DataFrame, base: dict, min_group: int):
    """On a log outside the chain: activities repeated within a case."""
    table = repeated_activities(log)
    out = []
    for row in table[table["cases_repeated"] >= min_group].itertuples(index=False):
        share = share_text(row.share_repeated)
        out.append(
            Finding(
                family="rework",
                kind="repeated_activity",
                place=f"activity {row.activity}",
                segment=None,
                metric="share of cases that repeat it",
                value=float(row.share_repeated),
                benchmark=None,
                persons=int(row.cases_repeated),
                excess_person_days=0.0,
                excess_events=float(row.repeats),
                confidence=DESCRIPTIVE,
                title_nl=f"{row.activity}: herhaald in {share} van de zaken",
                title_en=f"{row.activity}: repeated in {share} of cases",
                explanation_nl=f"{num_nl(row.repeats)} herhalingen in "
                f"{num_nl(row.cases_repeated)} zaken.",
                explanation_en=f"{num_en(row.repeats)} repeats in {num_en(row.cases_repeated)} cases.",
                filter=dict(base),
                keys=_row_keys(row, ("cases_repeated", "repeats", "cases_repeated")),
            )
        )
    return out
