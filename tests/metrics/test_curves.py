"""Curves per half-year cohort (toolkit/metrics/curves.py) against lifelines' Kaplan-Meier."""

import pytest
from lifelines import KaplanMeierFitter

from toolkit.analysis import log_as_of
from toolkit.cellkeys import is_key
from toolkit.metrics import person_table, waiting_population
from toolkit.metrics.curves import COLUMNS, cohort_curves


def test_cohort_curves_are_lifelines_per_half_year_and_pooled(chain_log, chain_log_dir) -> None:
    table = person_table(chain_log, as_of=log_as_of(chain_log_dir))
    curves = cohort_curves(table)
    assert [c for c in curves.columns if not is_key(c)] == COLUMNS
    waiting = waiting_population(table)
    n13 = waiting[waiting["interval"] == "N13"]
    mine = curves[curves["interval"] == "N13"]
    assert set(mine["cohort"]) == {"all", *n13["cohort"]}
    assert len(set(n13["cohort"])) >= 5  # half-years from 2022 on
    for cohort, rows in [("all", n13), *n13.groupby("cohort")]:
        curve = mine[mine["cohort"] == cohort]
        assert curve["persons"].iloc[0] == len(rows)  # who left the chain is not in it
        assert curve["days"].iloc[0] == 0.0 and (curve["days"].diff().dropna() == 7.0).all()
        reached = rows["outcome"] == "reached"
        fitter = KaplanMeierFitter().fit(rows["days"], reached)
        theirs = fitter.survival_function_at_times(curve["days"]).to_numpy()
        assert curve["survival"].to_numpy() == pytest.approx(theirs, abs=1e-9), cohort
        at_risk = [(rows["days"] >= d).sum() for d in curve["days"]]
        assert curve["at_risk"].tolist() == at_risk
    assert set(curves["interval"]) == set(waiting["interval"])
