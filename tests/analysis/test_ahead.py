"""The home pages a session computes ahead (``AnalysisSession.compute_ahead``): for every kind of
filter of one value, in analyst and workshop mode, the answers kept are the answers computed on
demand by a session that computed nothing ahead, and they are given without cutting a scope."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pandas.testing import assert_frame_equal

from toolkit import session as session_module
from toolkit.analysis import findings_table
from toolkit.filters import LogFilter
from toolkit.session import HOME_SECTIONS, AnalysisSession, events_of_persons_with

pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")

KINDS = ("organisation", "track", "nationality", "municipality", "location", "period", "cohort")


def kind(f: LogFilter) -> str:
    return next(iter(f.to_dict())).removesuffix("_from").removesuffix("_to")


def largest_of_each_kind(session: AnalysisSession) -> list[LogFilter]:
    chosen: dict[str, LogFilter] = {}
    for f in session.ahead_filters(at_least=1):  # largest first
        chosen.setdefault(kind(f), f)
    return list(chosen.values())


def assert_same(name: str, kept, computed) -> None:
    if name == "findings":
        assert_frame_equal(findings_table(kept), findings_table(computed))
        assert len(kept) > 0
    elif name == "intervals":
        assert_frame_equal(kept, computed)
    else:
        assert json.dumps(kept, sort_keys=True, default=str) == json.dumps(
            computed, sort_keys=True, default=str
        )


@pytest.mark.parametrize("workshop", [False, True], ids=["analyst", "workshop"])
def test_home_pages_computed_ahead_are_those_computed_on_demand(
    chain_log_dir: Path, workshop: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    ahead = AnalysisSession.open(chain_log_dir, workshop=workshop)
    ahead.warm()
    chosen = largest_of_each_kind(ahead)
    assert sorted(map(kind, chosen)) == sorted(KINDS)
    assert ahead.compute_ahead(chosen) == chosen
    on_demand = AnalysisSession.open(chain_log_dir, workshop=workshop)
    computed = {f: {name: on_demand.get(f, name) for name in HOME_SECTIONS} for f in chosen}

    def no_scope(*args, **kwargs):
        raise AssertionError("a home page computed ahead cut a scope")

    monkeypatch.setattr(session_module, "make_scope", no_scope)
    for f in chosen:
        for name in HOME_SECTIONS:
            assert_same(name, ahead.get(f, name), computed[f][name])


def test_ahead_filters_are_the_large_single_values(chain_log_dir: Path) -> None:
    s = AnalysisSession.open(chain_log_dir)
    log = s.log
    assert s.ahead_filters(at_least=len(log) + 1) == []
    # a cohort keeps every event; so does a period of every year the log spans
    everything = s.ahead_filters(at_least=len(log))
    assert everything and all(kind(f) in ("cohort", "period") for f in everything)
    half = s.ahead_filters(at_least=len(log) // 2)
    tracks = log["case:track"].value_counts()
    assert [f.track[0] for f in half if f.track] == [
        str(v) for v, n in tracks.items() if n >= len(log) // 2
    ]


def test_events_of_persons_with_a_value() -> None:
    import pandas as pd

    log = pd.DataFrame({
        "case:concept:name": ["a", "a", "a", "b", "b", "c"],
        "municipality": ["GM1", None, "GM2", "GM1", "GM1", None],
        "org:group": ["COA", "IND", "COA", "IND", "COA", "COA"],
    })  # fmt: skip
    assert events_of_persons_with(log, "municipality").to_dict() == {"GM1": 5, "GM2": 3}
    coa = log["org:group"].eq("COA")
    assert events_of_persons_with(log, "municipality", coa).to_dict() == {"GM1": 5, "GM2": 3}
    ind = log["org:group"].eq("IND")
    assert events_of_persons_with(log, "municipality", ind).to_dict() == {"GM1": 2, "GM2": 0}
