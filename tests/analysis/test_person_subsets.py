"""A filter on persons cuts its person-interval table, phase states and COA events out of the
whole log's (toolkit.analysis.Scope.whole) and a cohort cuts everybody's intervals; the figures
must be exactly those computed from scratch, on the generated chain (3,000 persons)."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.analysis import log_as_of, make_scope, section
from toolkit.eventlog import CASE
from toolkit.filters import LogFilter, apply_filter, local_day_end
from toolkit.findings import find_bottlenecks
from toolkit.session import AnalysisSession

pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")

FILTERS = [
    LogFilter(municipality=["GM0479"]),
    LogFilter(track=["aa_va"]),
    LogFilter(location=["Gilze"], cohort_from="2023-01-01", cohort_to="2023-12-31"),
    LogFilter(cohort_from="2024-01-01"),
    LogFilter(nationality=["Eritrea"], track=["aa_va"]),
]
SECTIONS = ("intervals", "norms", "norms_by_month", "wip", "flow", "transitions", "kpis",
            "rework", "findings")  # fmt: skip


@pytest.fixture(scope="module")
def warmed(chain_log_dir) -> AnalysisSession:
    session = AnalysisSession.open(chain_log_dir)
    session.warm(("kpis", "intervals", "transitions", "norms"))
    return session


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: "-".join(f.to_dict()))
def test_sections_cut_from_the_whole_log_equal_those_computed_afresh(warmed, chain_log_dir, f):
    fresh = make_scope(warmed.log, f, chain=warmed.chain, as_of=log_as_of(chain_log_dir))
    for name in SECTIONS:
        cut, own = warmed.get(f, name), section(fresh, name)
        if isinstance(cut, pd.DataFrame):
            pd.testing.assert_frame_equal(cut, own, obj=name)
        else:
            assert cut == own, name


def test_the_tables_are_cut_not_computed(warmed) -> None:
    scope = warmed.scope(LogFilter(municipality=["GM0479"]))
    assert scope.whole is warmed.scope(LogFilter())
    section(scope, "kpis")
    whole = scope.whole.memo
    assert scope.memo["_table"] is not whole["_table"]
    assert set(scope.memo["_table"]["case"]) == set(scope.view[CASE])
    cohort = warmed.scope(LogFilter(cohort_from="2024-01-01"))  # the whole log's events
    section(cohort, "kpis")
    assert cohort.memo["keyed", "wip"] is whole["keyed", "wip"]  # taken, not computed again
    assert cohort.memo["_table"] is whole["_table"]
    assert "_states" not in cohort.memo


def test_a_period_or_an_organisation_is_not_a_person_subset(warmed) -> None:
    for f in (LogFilter(period_from="2024-01-01"), LogFilter(organisation=["COA"])):
        assert warmed.scope(f).whole is None


def test_the_findings_of_a_person_filter_with_a_period_are_those_of_its_view(chain_log) -> None:
    """The findings section takes the scope's view as it is. Applied to its own view again, a
    municipality with a period would lose the persons whose event in the municipality falls
    outside the period: the tiles would count them and the findings would not."""
    f = LogFilter(municipality=["GM0479"], period_from="2024-01-01", period_to="2024-12-31")
    scope = make_scope(chain_log, f)
    again = apply_filter(scope.view, f)
    assert again[CASE].nunique() < scope.view[CASE].nunique()  # the trap is there
    on_view = find_bottlenecks(scope.view, as_of=local_day_end("2024-12-31"))
    shown = section(scope, "findings")
    assert [{**x.to_dict(), "filter": None} for x in shown] == [
        {**x.to_dict(), "filter": None} for x in on_view
    ]
    assert all(x.filter == f.to_dict() for x in shown if x.segment is None)
    assert [x.to_dict() for x in find_bottlenecks(chain_log, filter=f)] == [
        x.to_dict() for x in shown
    ]
