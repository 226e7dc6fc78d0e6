"""The matched excess of a unit (toolkit/findings/families.py) against its definition computed
plainly: per stratum, the Kaplan-Meier typical wait of the other units' persons of that stratum,
taken from one sort of the leg's rows by stratum and days (a dimension's rows a mask of them)."""

from __future__ import annotations

import numpy as np

from toolkit.findings.families import _by_stratum, _matched_excess
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
