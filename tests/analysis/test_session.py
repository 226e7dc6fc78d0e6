"""Known answers for AnalysisSession (toolkit/session.py): one section at a time, the same figures
as ``analyze`` for the same filter, suppressed as ``analyze(..., workshop=True)`` suppresses them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from logs import START, hand_log
from pandas.testing import assert_frame_equal

from toolkit import session as session_module
from toolkit.analysis import SECTIONS, TABLES, analyze, make_scope, section, suppress_section
from toolkit.errors import EventLogError
from toolkit.eventlog import write_parquet
from toolkit.filters import LogFilter
from toolkit.session import HOME_SECTIONS, KEEP_FILTERS, AnalysisSession, table_bytes

# pm4py's alignment code still uses numpy.matrix; its warnings say nothing about the session.
pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")

K = 2
AMSTERDAM = LogFilter(municipality=["GM0363"])
# Two separate alignments of the same log may pick different, equally short completions
# (pm4py), so the deviations are not compared between separate computations.
COMPARED = tuple(name for name in TABLES if name != "deviations")
PERSON = {  # nationality, track
    "a": ("SYR", "4"),
    "b": ("ERI", "4"),
    "c": ("SYR", "2"),
    "d": ("TUR", "4"),
    "e": ("SYR", "4"),
    "f": (None, None),
}


def day(n: float) -> pd.Timestamp:
    return START + pd.Timedelta(days=n)


def six_persons() -> pd.DataFrame:
    """a, b, c are linked to Amsterdam (GM0363), d to Rotterdam (GM0599); e waits for a decision
    at Gilze; f registers on day 200, the last event, with an unknown municipality code.

    Amsterdam at the end (day 200): a and b moved out (days 100, 150), c waits for a home since
    it was linked on day 12. N13 in Amsterdam: a 69 days, b 130 days, c open 190 days.
    """
    rows = [
        ("a", "ind_aanvraag", day(0), None, None),
        ("a", "coa_instroom", day(0), "Ter Apel", None),
        ("a", "ind_spoortoedeling", day(2), "Zevenaar", None),
        ("a", "ind_beschikking_inwilliging", day(31), None, None),
        ("a", "ind_vergunning_uitgereikt", day(31), None, None),
        ("a", "coa_koppeling", day(40), "Budel", "GM0363"),
        ("a", "gem_woning_aangeboden", day(80), None, "GM0363"),
        ("a", "coa_uitstroom_gemeente", day(100), "Budel", "GM0363"),
        ("b", "ind_aanvraag", day(0), None, None),
        ("b", "coa_instroom", day(0), "Ter Apel", None),
        ("b", "ind_beschikking_inwilliging", day(20), None, None),
        ("b", "ind_vergunning_uitgereikt", day(20), None, None),
        ("b", "coa_koppeling", day(25), "Budel", "GM0363"),
        ("b", "coa_uitstroom_gemeente", day(150), "Budel", "GM0363"),
        ("c", "ind_aanvraag", day(0), None, None),
        ("c", "ind_beschikking_inwilliging", day(10), None, None),
        ("c", "ind_vergunning_uitgereikt", day(10), None, None),
        ("c", "coa_koppeling", day(12), None, "GM0363"),
        ("d", "ind_aanvraag", day(0), None, None),
        ("d", "coa_instroom", day(0), "Ter Apel", None),
        ("d", "ind_beschikking_inwilliging", day(50), None, None),
        ("d", "ind_vergunning_uitgereikt", day(50), None, None),
        ("d", "coa_koppeling", day(55), "Ter Apel", "GM0599"),
        ("d", "coa_uitstroom_gemeente", day(120), "Ter Apel", "GM0599"),
        ("e", "ind_aanvraag", day(5), None, None),
        ("e", "coa_instroom", day(5), "Gilze", None),
        ("e", "ind_spoortoedeling", day(7), None, None),
        ("f", "ind_aanmelding", day(200), None, "GM9998"),
    ]
    return hand_log(
        [r[:3] for r in rows],
        **{
            "org:resource": [r[3] for r in rows],
            "municipality": [r[4] for r in rows],
            "case:nationality": [PERSON[r[0]][0] for r in rows],
            "case:track": [PERSON[r[0]][1] for r in rows],
        },
    )


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return six_persons()


@pytest.fixture(scope="module")
def open_analysis(log):
    return analyze(log, filter=AMSTERDAM)


@pytest.fixture(scope="module")
def workshop_analysis(log):
    return analyze(log, filter=AMSTERDAM, workshop=True, k=K)


@pytest.fixture(scope="module")
def session(log) -> AnalysisSession:
    return AnalysisSession(log)


@pytest.fixture(scope="module")
def workshop(log) -> AnalysisSession:
    return AnalysisSession(log, workshop=True, k=K)


# ------------------------------------------------------------------ the same figures as analyze


def test_intervals_of_a_municipality_by_hand(session) -> None:
    n13 = session.get(AMSTERDAM, "intervals").set_index("interval").loc["N13"]
    # a 69 days and b 130 done, c open 190: S(69) = 2/3, S(130) = 1/3; share over 98 = 2/3
    assert (n13["persons"], n13["completed"], n13["still_open"]) == (3, 2, 1)
    assert n13["median_days"] == 130.0
    assert n13["share_over_norm"] == pytest.approx(2 / 3)
    assert n13["median_days_completed_only"] == pytest.approx(99.5)


@pytest.mark.parametrize("name", COMPARED)
def test_a_section_is_the_table_of_analyze(session, open_analysis, name: str) -> None:
    assert_frame_equal(session.get(AMSTERDAM, name), getattr(open_analysis, name), obj=name)


def test_kpis_are_the_kpis_in_the_summary_of_analyze(session, open_analysis) -> None:
    kpis = session.get(AMSTERDAM, "kpis")
    assert {key: open_analysis.summary[key] for key in kpis} == kpis
    # Amsterdam at the end: c waits for a home (huisvesting); a and b have left
    assert (kpis["in_chain_now"], kpis["waiting_for_decision"], kpis["waiting_for_home"]) == (
        1,
        0,
        1,
    )
    assert K <= kpis["chain_norm_persons"] <= 3 + 3  # 3, perturbed


def test_findings_and_conformance_are_those_of_analyze(session, open_analysis) -> None:
    findings = session.get(AMSTERDAM, "findings")
    assert [f.to_dict() for f in findings] == [f.to_dict() for f in open_analysis.findings]
    assert session.get(AMSTERDAM, "conformance") == open_analysis.conformance


def test_the_analysis_of_a_filter_is_analyze(session, open_analysis) -> None:
    result = session.analysis(AMSTERDAM)
    for name in COMPARED:
        assert_frame_equal(getattr(result, name), getattr(open_analysis, name), obj=name)
    ignore = {"computed_at"}
    assert {k: v for k, v in result.summary.items() if k not in ignore} == {
        k: v for k, v in open_analysis.summary.items() if k not in ignore
    }
    # the analysis reuses the sections shown on the screen
    assert result.intervals is session.get(AMSTERDAM, "intervals")


# ------------------------------------------------------------------ workshop mode


@pytest.mark.parametrize("name", COMPARED)
def test_a_workshop_section_is_the_table_of_analyze_in_workshop_mode(
    workshop, workshop_analysis, name: str
) -> None:
    assert_frame_equal(workshop.get(AMSTERDAM, name), getattr(workshop_analysis, name), obj=name)


def test_workshop_intervals_by_hand(workshop) -> None:
    table = workshop.get(AMSTERDAM, "intervals").set_index("interval")
    n13 = table.loc["N13"]
    # 3 persons: shown, perturbed by the cell key method (within 3, never under k); still open
    # 1 (c) is hidden, and with it the smallest other part (completed 2), so that the hidden 1
    # cannot be worked out as 3 - 2 - 0
    assert K <= n13["persons"] <= 3 + 3
    assert n13["still_open"] is None
    assert n13["completed"] is None
    assert n13["left_chain"] == 0
    assert bool(n13["suppressed"])


def test_workshop_kpis_are_those_of_analyze_in_workshop_mode(workshop, workshop_analysis) -> None:
    kpis = workshop.get(AMSTERDAM, "kpis")
    assert {key: workshop_analysis.summary[key] for key in kpis} == kpis
    assert kpis["in_chain_now"] is None  # 1 < 2
    assert kpis["waiting_for_decision"] == 0  # a zero identifies nobody
    assert K <= kpis["chain_norm_persons"] <= 3 + 3  # 3, perturbed


def test_workshop_findings_and_conformance(workshop, workshop_analysis) -> None:
    findings = workshop.get(AMSTERDAM, "findings")
    assert [f.to_dict() for f in findings] == [f.to_dict() for f in workshop_analysis.findings]
    assert all(f.persons >= K for f in findings)
    assert workshop.get(AMSTERDAM, "conformance") == workshop_analysis.conformance


def test_the_workshop_analysis_of_a_filter_is_analyze_in_workshop_mode(
    workshop, workshop_analysis
) -> None:
    result = workshop.analysis(AMSTERDAM)
    for name in COMPARED:
        assert_frame_equal(getattr(result, name), getattr(workshop_analysis, name), obj=name)
    assert (result.summary["workshop"], result.summary["k"]) == (True, K)


def test_workshop_sections_beyond_analyze_are_suppressed(workshop, session) -> None:
    curves = workshop.get(AMSTERDAM, "curves", "N13", "municipality")
    # the same steps of the curve as unsuppressed (the tail under k cut off), its counts of
    # persons perturbed by at most the ptable's largest change, never under k
    whole = suppress_section("curves", session.get(AMSTERDAM, "curves", "N13", "municipality"), K)
    columns = ["segment", "days", "survival"]
    assert_frame_equal(curves[columns], whole[columns])
    for column in ("persons", "at_risk"):
        assert ((curves[column] - whole[column]).abs() <= 3).all()
        assert (curves[column] >= K).all()
    assert set(curves["segment"]) == {"GM0363"}
    graph = workshop.get(LogFilter(), "dfg")
    assert (graph.activities["cases"] >= K).all()
    assert (graph.edges["cases"] >= K).all()
    # ind_aanmelding (f alone) is not on the workshop's map; ind_aanvraag (a to e) is
    assert "ind_aanmelding" not in set(graph.activities["activity"])
    assert "ind_aanvraag" in set(graph.activities["activity"])
    histogram = workshop.get(AMSTERDAM, "histogram", "N13")
    assert all(n is None or n == 0 or n >= K for n in histogram["persons"])


def test_the_open_session_is_not_suppressed(session) -> None:
    assert session.get(AMSTERDAM, "kpis")["in_chain_now"] == 1


# ------------------------------------------------------------------ scopes kept per filter


def test_a_filter_has_one_scope_and_equal_filters_share_it(log) -> None:
    s = AnalysisSession(log)
    scope = s.scope(AMSTERDAM)
    assert s.scope(LogFilter(municipality="GM0363")) is scope  # the same filter, built otherwise
    assert s.scope(LogFilter(municipality=["GM0599"])) is not scope


def test_a_section_is_computed_once_per_filter(log, monkeypatch) -> None:
    calls: list[str] = []
    original = SECTIONS["wip"]
    monkeypatch.setitem(SECTIONS, "wip", lambda scope: calls.append("wip") or original(scope))
    s = AnalysisSession(log)
    first = s.get(AMSTERDAM, "wip")
    assert s.get(AMSTERDAM, "wip") is first
    s.get(AMSTERDAM, "kpis")
    assert calls == ["wip"]
    s.get(LogFilter(municipality=["GM0599"]), "wip")
    assert calls == ["wip", "wip"]


def test_the_last_keep_filters_scopes_are_kept(log) -> None:
    s = AnalysisSession(log)
    filters = [LogFilter(period_from=f"2023-12-{d:02d}") for d in range(1, KEEP_FILTERS + 2)]
    scopes = [s.scope(f) for f in filters[:KEEP_FILTERS]]
    assert s.scope(filters[0]) is scopes[0]  # the oldest is used again: now the newest
    s.scope(filters[KEEP_FILTERS])  # one filter more than kept: the least recent goes
    assert s.scope(filters[0]) is scopes[0]
    assert s.scope(filters[2]) is scopes[2]
    assert s.scope(filters[1]) is not scopes[1]  # it was the least recently used: made anew


def test_the_number_of_scopes_kept_is_bounded(log, monkeypatch) -> None:
    monkeypatch.setattr(session_module, "KEEP_FILTERS", 2)
    s = AnalysisSession(log)
    a, b, c = (LogFilter(period_from=f"2023-12-0{d}") for d in (1, 2, 3))
    first = s.scope(a)
    s.scope(b)
    s.scope(c)
    assert list(s._scopes) == [b, c]
    assert s.scope(a) is not first


def test_what_kept_filters_hold_is_bounded_in_bytes(log, monkeypatch) -> None:
    # room for the newest filter only
    monkeypatch.setattr(session_module, "KEEP_LOG_TIMES", 0)
    monkeypatch.setattr(session_module, "KEEP_BYTES_AT_LEAST", 0)
    s = AnalysisSession(log)
    s.warm()
    a, b = AMSTERDAM, LogFilter(period_from="2023-12-01")
    first = s.get(a, "intervals")
    assert list(s._scopes) == [LogFilter(), a]  # the newest stays, however large
    s.get(b, "intervals")
    assert list(s._scopes) == [LogFilter(), b]  # the whole log's stays too
    assert s.get(a, "intervals") is not first  # computed anew
    monkeypatch.setattr(session_module, "KEEP_LOG_TIMES", 1_000)
    unbounded = AnalysisSession(log, chain=s.chain)
    unbounded.get(a, "intervals")
    unbounded.get(b, "intervals")
    assert list(unbounded._scopes) == [LogFilter(), a, b]


def test_table_bytes_counts_tables_and_arrays_once_and_not_the_shared() -> None:
    frame = pd.DataFrame({"x": np.arange(100, dtype="int64"), "y": np.zeros(100)})
    shared = pd.DataFrame({"z": np.arange(1000, dtype="int64")})
    array = np.ones(50, dtype="int32")
    value = {"a": frame, "b": [array, (shared, "text", 3)], "c": None}
    index = frame.index.memory_usage()  # a range: a few numbers, not a row each
    assert table_bytes(value, {id(shared)}) == index + 100 * 8 * 2 + 50 * 4
    assert table_bytes(value) == table_bytes(value, {id(shared)}) + index + 1000 * 8
    repeated = pd.DataFrame(np.zeros((10, 2)), columns=["a", "a"])  # a name twice: both count
    assert table_bytes(repeated) == repeated.index.memory_usage() + 2 * 10 * 8


def test_warm_computes_the_home_page_of_the_whole_log(log) -> None:
    s = AnalysisSession(log)
    s.warm()
    memo = s.scope(LogFilter()).memo
    assert set(HOME_SECTIONS) <= set(memo)
    assert "dfg" not in memo
    s.warm(["dfg"], AMSTERDAM)
    assert "dfg" in s.scope(AMSTERDAM).memo


# ------------------------------------------------------------------ filter options


def test_options_are_the_values_in_the_log(session) -> None:
    options = session.options()
    assert options.organisation == [("COA", "COA"), ("GEMEENTE", "GEMEENTE"), ("IND", "IND")]
    assert options.municipality == [
        ("GM0363", "Amsterdam (GM0363)"),
        ("GM0599", "Rotterdam (GM0599)"),
        ("GM9998", "GM9998"),  # not in the chain's municipalities: the code itself
    ]
    # COA locations only: Zevenaar is on an IND event
    assert options.location == [("Budel", "Budel"), ("Gilze", "Gilze"), ("Ter Apel", "Ter Apel")]
    assert options.nationality == [("ERI", "ERI"), ("SYR", "SYR"), ("TUR", "TUR")]
    assert options.track == [("2", "2"), ("4", "4")]
    assert (options.first_day, options.last_day) == ("2024-01-01", "2024-07-19")


def test_session_persons(session) -> None:
    assert session.persons == 6


# ------------------------------------------------------------------ opening a log folder


def test_open_a_folder_without_an_event_log(tmp_path: Path) -> None:
    with pytest.raises(EventLogError) as caught:
        AnalysisSession.open(tmp_path)
    message = str(caught.value)
    assert str(tmp_path / "events.parquet") in message
    assert "ketenlens ingest" in message


def test_open_takes_the_end_of_the_data_from_the_ingest_report(tmp_path: Path, log) -> None:
    write_parquet(log, tmp_path / "events.parquet")
    (tmp_path / "ingest_report.json").write_text(json.dumps({"as_of": "2024-05-01"}), "utf-8")
    s = AnalysisSession.open(tmp_path, workshop=True, k=K)
    assert (s.as_of, s.workshop, s.k) == ("2024-05-01", True, K)
    assert s.report == {"as_of": "2024-05-01"}
    assert s.persons == 6
    # up to 1 May: a and d moved out (day 100 = 10 April, day 120 = 30 April); b and c wait for
    # a home, e for a decision; f registers after the cut-off
    kpis = AnalysisSession.open(tmp_path).get(LogFilter(), "kpis")
    assert kpis == section(make_scope(log, as_of="2024-05-01"), "kpis")
    assert (kpis["in_chain_now"], kpis["waiting_for_decision"], kpis["waiting_for_home"]) == (
        3,
        1,
        2,
    )


def test_open_without_a_report_ends_at_the_last_event(tmp_path: Path, log) -> None:
    write_parquet(log, tmp_path / "events.parquet")
    s = AnalysisSession.open(tmp_path)
    assert s.as_of is None
    assert s.report == {}
    assert s.scope(LogFilter()).moment == day(200)


def test_workshop_mode_refuses_a_selection_under_k(log) -> None:
    from toolkit.session import SmallSelectionError

    # Rotterdam (GM0599) is d alone; Amsterdam is a, b and c
    strict = AnalysisSession(log, workshop=True, k=3)
    with pytest.raises(SmallSelectionError, match="fewer than 3 persons"):
        strict.get(LogFilter(municipality=["GM0599"]), "kpis")
    assert strict.scope(AMSTERDAM).view["case:concept:name"].nunique() == 3  # shown
    # outside workshop mode the small group is shown
    assert AnalysisSession(log).get(LogFilter(municipality=["GM0599"]), "intervals") is not None


def test_workshop_work_in_progress_leaves_no_single_hidden_phase() -> None:
    wip = pd.DataFrame(
        {"date": pd.to_datetime(["2024-01-01"]), "a": [12], "b": [3], "c": [20], "total": [35]}
    )
    out = suppress_section("wip", wip, 10)
    # b (3) is hidden; a alone would then be total - a - c: the smallest other part goes too
    assert out[["a", "b", "c", "total"]].iloc[0].tolist() == [None, None, 20, 35]


def test_workshop_share_over_the_norm_that_points_at_few_persons_is_hidden() -> None:
    intervals = pd.DataFrame(
        {"interval": ["N13", "N11"], "persons": [40, 40], "share_over_norm": [0.95, 0.5]}
    )
    out = suppress_section("intervals", intervals, 10)
    # 0.95 of 40 leaves 2 under the norm: hidden; 0.5 of 40 is 20 and 20: shown
    assert out["share_over_norm"].tolist() == [None, 0.5]
