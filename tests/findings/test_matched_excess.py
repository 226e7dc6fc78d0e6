"""The matched excess of a unit (toolkit/findings/families.py) against its definition computed
plainly: per stratum, the Kaplan-Meier typical wait of the other units' persons of that stratum,
taken from one sort of the leg's rows by stratum and days (a dimension's rows a mask of them)."""

from __future__ import annotations

import numpy as np

from toolkit.findings.families import _by_stratum, _later_text, _matched_excess, _period
from toolkit.metrics.stratified import typical_days


def test_matched_excess_is_the_typical_wait_of_the_others_per_stratum() -> None:
    rng = np.random.default_rng(7)
    n = 600
    leg_days = rng.integers(1, 200, n).astype(float)  # many ties
    leg_reached = rng.random(n) < 0.7
    leg_strata = rng.integers(0, 5, n)
    known = rng.random(n) < 0.8  # the rows with a value of the dimension
    days, reached, strata = leg_days[known], leg_reached[known], leg_strata[known]
    ordered = _by_stratum(np.lexsort((leg_days, leg_strata)), known, strata)
    order, blocks = ordered
    assert sorted(order.tolist()) == list(range(known.sum()))
    assert [strata[order[start]] for start, _ in blocks] == sorted(set(strata.tolist()))
    for unit in (rng.random(days.size) < 0.15, strata == 2, np.zeros(days.size, dtype=bool)):
        unit = unit.copy()
        unit[0] = True  # a unit has persons
        expected = np.full(days.size, np.nan)
        for s in np.unique(strata[unit]):
            rest = (strata == s) & ~unit
            expected[(strata == s) & unit] = typical_days(days[rest], reached[rest])
        mine = unit & np.isfinite(expected)
        test = {"days": days, "unit": unit, "reached": reached, "ordered": ordered}
        excess, benchmark, own = _matched_excess(test)
        assert excess == float(np.sum(days[mine] - expected[mine]))
        assert benchmark == float(np.mean(expected[mine]))
        assert own == typical_days(days[unit], reached[unit])


def _test_of(days, reached, cohorts, unit, strata) -> dict:
    """A unit's test as :func:`_unit_tests` hands it over (every row's value known)."""
    known = np.ones(days.size, dtype=bool)
    ordered = _by_stratum(np.lexsort((days, strata)), known, strata)
    return {"days": days, "reached": reached, "cohorts": cohorts, "unit": unit, "ordered": ordered}


def test_the_period_a_unit_was_behind_is_named_and_a_unit_behind_throughout_has_none() -> None:
    """Four half-year cohorts of 100 persons at a unit and 100 elsewhere; everybody elsewhere
    waits 100 days. The unit's persons wait 100 days, except in 2023H2 and 2024H1 (200: a
    year of lost capacity); in 2024H2 they mostly still wait, so that cohort has no median."""
    cohorts = np.repeat(["2023H1", "2023H2", "2024H1", "2024H2"], 200)
    unit = np.tile(np.repeat([True, False], 100), 4)
    strata = np.repeat(np.arange(4), 200)  # a stratum per cohort (one track)
    days = np.full(800, 100.0)
    days[unit & np.isin(cohorts, ["2023H2", "2024H1"])] = 200.0
    reached = np.ones(800, dtype=bool)
    late = unit & (cohorts == "2024H2")
    days[late], reached[late] = 30.0, np.arange(800)[late] % 10 == 0  # 9 in 10 still wait
    test = _test_of(days, reached, cohorts, unit, strata)
    assert _period(test, min_group=10) == ("2023H2", "2024H1", 200.0, 100.0)
    # behind in every cohort with a median: said by the finding itself, no period
    days[unit & (cohorts == "2023H1")] = 200.0
    assert _period(_test_of(days, reached, cohorts, unit, strata), min_group=10) is None
    # a fifth longer is behind, less is not
    days[unit & (cohorts == "2023H1")] = 115.0
    assert _period(_test_of(days, reached, cohorts, unit, strata), min_group=10)[:2] == (
        "2023H2",
        "2024H1",
    )
    days[unit & (cohorts == "2023H1")] = 125.0
    assert _period(_test_of(days, reached, cohorts, unit, strata), min_group=10) is None
    # behind in 2023H1 and 2024H1, not in 2023H2 between them: no one period to name
    days[unit & (cohorts == "2023H2")] = 100.0
    assert _period(_test_of(days, reached, cohorts, unit, strata), min_group=10) is None


def test_the_later_cohorts_without_a_median_are_named() -> None:
    assert _later_text([], "nl") == ""
    assert _later_text(["2025H1"], "nl") == (
        " In het latere cohort (1e helft 2025) wacht nog meer dan de helft van de personen: het "
        "heeft nog geen mediaan."
    )
    assert _later_text(["2024H2", "2025H1"], "en") == (
        " In the later cohorts (second half of 2024 and first half of 2025) more than half of "
        "the persons still wait: they have no median yet."
    )
