"""A filter on persons reuses the whole log's per-person blocks (toolkit.bottlenecks.common
.person_subset) and a cohort cuts everybody's intervals; the figures must be exactly those
computed from scratch, on the generated chain (3,000 persons)."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.analysis import log_as_of, make_scope, section
from toolkit.bottlenecks.common import analysis_cache, cached
from toolkit.filters import LogFilter
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


def test_the_blocks_are_cut_not_computed(warmed) -> None:
    scope = warmed.scope(LogFilter(municipality=["GM0479"]))
    computed = []
    with analysis_cache(scope.store):
        for key in [k for k in warmed._store[id(warmed.log)][1] if k[0] == "intervals"][:3]:
            cached(scope.view, key, lambda key=key: computed.append(key) or pd.DataFrame())
    assert computed == []


def test_a_period_or_an_organisation_is_not_a_person_subset(warmed) -> None:
    for f in (LogFilter(period_from="2024-01-01"), LogFilter(organisation=["COA"])):
        scope = warmed.scope(f)
        assert ("subset", id(scope.view)) not in warmed._store
