"""Known answers for the analysis as named sections: scopes, sections, KPI tiles, the journey,
and what a workshop may see of one section (toolkit/analysis.py).

Every log here is built by hand, so each figure is worked out in the comments beside it.
"""

from __future__ import annotations

import pandas as pd
import pytest
from logs import START, generic, hand_log
from pandas.testing import assert_frame_equal

from toolkit.analysis import (
    PERSON_BLOCKS,
    SECTIONS,
    TABLES,
    WAIT_BLOCKS,
    analysis_of,
    analyze,
    chain_kpis,
    journey,
    make_scope,
    section,
    suppress_analysis,
    suppress_section,
)
from toolkit.bottlenecks.distributions import survival_curves
from toolkit.chain import load_chain
from toolkit.errors import EventLogError
from toolkit.filters import LogFilter, local_day_end
from toolkit.mining.dfg import Dfg, performance_dfg

# pm4py's alignment code still uses numpy.matrix; its warnings say nothing about the sections.
pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")

LAST_DAY = 200


def day(n: float) -> pd.Timestamp:
    return START + pd.Timedelta(days=n)


def seven_persons() -> pd.DataFrame:
    """Seven persons whose state at the end of the data (day 200, d's move out) is known.

    phase at the end           person  why
    asielprocedure (decision)  a       track assigned, rest period and interview, no decision
    aanmelding (decision)      e       registered on day 190
    beroep (decision)          g       rejected on day 30, appealed on day 40
    koppeling (home)           f       permit on day 5, not yet linked
    huisvesting (home)         b       permit day 21, linked to Amsterdam day 30, no home yet
    left                       c, d    moved to a home on day 60 and day 200

    N13 (permit to home, 98 days): b open 179 days, c done in 50, d done in 180, f open 195.
    Kaplan-Meier: 50 (4 at risk, 1 done) S = 3/4; 180 (2 at risk, 1 done) S = 3/8. So the share
    over 98 days is S(98) = 0.75 and the median 180.
    N10 (permit to linked, 14 days): b 9, c 5, d 5, f open 195: S(5) = 1/2, S(9) = 1/4, so the
    median is 5 and the share over 14 days 0.25.
    """
    rows = [
        ("a", "ind_aanvraag", day(0), None),
        ("a", "ind_spoortoedeling", day(2), None),
        ("a", "ind_rvt_start", day(3), None),
        ("a", "ind_nader_gehoor", day(10), None),
        ("b", "ind_aanvraag", day(0), None),
        ("b", "ind_beschikking_inwilliging", day(21), None),
        ("b", "ind_vergunning_uitgereikt", day(21), None),
        ("b", "coa_koppeling", day(30), "GM0363"),
        ("c", "ind_aanvraag", day(0), None),
        ("c", "ind_beschikking_inwilliging", day(10), None),
        ("c", "ind_vergunning_uitgereikt", day(10), None),
        ("c", "coa_koppeling", day(15), "GM0363"),
        ("c", "coa_uitstroom_gemeente", day(60), "GM0363"),
        ("d", "ind_aanvraag", day(0), None),
        ("d", "ind_beschikking_inwilliging", day(20), None),
        ("d", "ind_vergunning_uitgereikt", day(20), None),
        ("d", "coa_koppeling", day(25), "GM0599"),
        ("d", "coa_uitstroom_gemeente", day(LAST_DAY), "GM0599"),
        ("e", "ind_aanmelding", day(190), None),
        ("f", "ind_aanvraag", day(0), None),
        ("f", "ind_beschikking_inwilliging", day(5), None),
        ("f", "ind_vergunning_uitgereikt", day(5), None),
        ("g", "ind_aanvraag", day(0), None),
        ("g", "ind_beschikking_afwijzing", day(30), None),
        ("g", "ind_beroep_ingesteld", day(40), None),
    ]
    return hand_log([r[:3] for r in rows], municipality=[r[3] for r in rows])


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return seven_persons()


@pytest.fixture(scope="module")
def chain():
    return load_chain()


# ------------------------------------------------------------------ scopes and sections


def test_make_scope_fixes_the_end_of_the_data_and_the_kind_of_log(log) -> None:
    scope = make_scope(log)
    assert scope.chain_log
    assert scope.moment == day(LAST_DAY)
    assert scope.view is log  # no filter: the log itself, so per-log caches recognise it
    assert scope.memo == {}


def test_make_scope_ends_the_data_at_the_end_of_the_filter_period(log) -> None:
    scope = make_scope(log, LogFilter(period_to="2024-03-01"))
    assert scope.moment == local_day_end("2024-03-01")
    # events after 1 March are trimmed: e (day 190) and d's move (day 200) are gone
    assert scope.view["time:timestamp"].max() == day(60)
    assert "e" not in set(scope.view["case:concept:name"])


def test_make_scope_with_an_explicit_as_of(log) -> None:
    scope = make_scope(log, as_of="2024-02-01 12:00")
    assert scope.moment == pd.Timestamp("2024-02-01 11:00", tz="UTC")  # 12:00 Amsterdam (CET)


def test_make_scope_refuses_a_filter_that_keeps_nothing(log) -> None:
    with pytest.raises(EventLogError, match="GM9999"):
        make_scope(log, LogFilter(municipality=["GM9999"]))


def test_a_generic_log_is_not_a_chain_log() -> None:
    scope = make_scope(generic({"c1": ["x", "y"], "c2": ["x", "z"]}))
    assert not scope.chain_log


def test_a_section_is_computed_once_per_scope(log, monkeypatch) -> None:
    calls: list[str] = []
    original = SECTIONS["wip"]

    def counting(scope):
        calls.append("wip")
        return original(scope)

    monkeypatch.setitem(SECTIONS, "wip", counting)
    scope = make_scope(log)
    first = section(scope, "wip")
    assert section(scope, "wip") is first
    section(scope, "kpis")  # kpis reads the wip: from the memo, not computed again
    assert calls == ["wip"]
    # another scope of the same log computes its own
    section(make_scope(log), "wip")
    assert calls == ["wip", "wip"]


def test_norms_and_months_share_one_building_block(log, monkeypatch) -> None:
    calls: list[str] = []
    original = SECTIONS["_monthly"]
    monkeypatch.setitem(SECTIONS, "_monthly", lambda s: calls.append("m") or original(s))
    scope = make_scope(log)
    norms = section(scope, "norms")
    months = section(scope, "norms_by_month")
    assert calls == ["m"]
    # every person is in one month, so the months add up to the norm's totals
    for column in ("persons", "closed", "closed_over", "still_open", "overdue_now"):
        summed = months.groupby("interval")[column].sum()
        assert norms.set_index("interval")[column].to_dict() == summed.to_dict()


def test_an_unknown_section_names_the_known_ones(log) -> None:
    with pytest.raises(KeyError) as caught:
        section(make_scope(log), "nope")
    message = str(caught.value)
    assert "unknown section 'nope'" in message
    assert "intervals" in message
    assert "curves" in message


def test_every_analysis_table_is_a_section() -> None:
    assert set(TABLES) <= set(SECTIONS)
    assert {"summary", "kpis", "findings", "conformance", "dfg", "curves", "histogram"} <= set(
        SECTIONS
    )


def test_a_section_with_arguments_is_remembered_per_argument(log) -> None:
    scope = make_scope(log)
    curve = section(scope, "curves", "N13")
    by_municipality = section(scope, "curves", "N13", "municipality")
    assert ("curves", "N13") in scope.memo
    assert ("curves", "N13", "municipality") in scope.memo
    assert section(scope, "curves", "N13") is curve
    assert_frame_equal(curve, survival_curves(log, "N13", as_of=day(LAST_DAY)))
    # N13 by hand (see seven_persons): 0 -> 1, 50 -> 3/4, 180 -> 3/8; the curve also has a
    # (flat) point at each censoring time: b at 179, f at 195
    assert curve["days"].tolist() == [0.0, 50.0, 179.0, 180.0, 195.0]
    assert curve["survival"].tolist() == pytest.approx([1.0, 0.75, 0.75, 0.375, 0.375])
    # b and c are linked to Amsterdam, d to Rotterdam; f is in no municipality's curve
    persons = by_municipality.groupby("segment")["persons"].first().to_dict()
    assert persons == {"GM0363": 2, "GM0599": 1}


def test_histogram_section_counts_the_finished_persons(log) -> None:
    scope = make_scope(log)
    histogram = section(scope, "histogram", "N13")
    # N13: c finished in 50 days, d in 180; b and f are still waiting and are not in a histogram.
    # Bins of whole weeks from day 0, at most about 20: two weeks wide up to 182 days.
    assert histogram["persons"].sum() == 2
    assert (histogram["from_days"].iloc[0], histogram["to_days"].iloc[-1]) == (0.0, 182.0)
    assert set(histogram["to_days"] - histogram["from_days"]) == {14.0}
    assert histogram.loc[histogram["persons"] == 1, "from_days"].tolist() == [42.0, 168.0]


def test_norms_by_segment_section(log) -> None:
    table = section(make_scope(log), "norms_by_segment", "municipality")
    n13 = table[table["interval"] == "N13"].set_index("municipality")
    # b (GM0363, open 179 days > 98) is overdue now; c (GM0363) finished in 50; d (GM0599) in 180
    assert n13.loc["GM0363", "persons"] == 2
    assert n13.loc["GM0363", "overdue_now"] == 1
    assert n13.loc["GM0363", "closed_over"] == 0
    assert n13.loc["GM0599", "closed_over"] == 1
    assert "label_nl" in table.columns


# ------------------------------------------------------------------ analyze is built from sections


# The deviations are left out of the comparisons of two separate computations: pm4py picks
# one of several equally short completions ("still_expected") and not always the same one, so
# two alignments of the same log may differ in those rows (toolkit/mining, not the sections).
COMPARED = tuple(name for name in TABLES if name != "deviations")


@pytest.fixture(scope="module")
def whole(log):
    """analyze() of the seven persons, computed once for the module."""
    return analyze(log)


@pytest.fixture(scope="module")
def done(log):
    """A scope whose every section the whole analysis needs is computed."""
    scope = make_scope(log)
    analysis_of(scope)
    return scope


def test_analyze_is_the_analysis_of_the_sections(whole, done) -> None:
    scope = done  # a scope of its own: the same figures, computed separately
    for name in COMPARED:
        assert_frame_equal(getattr(whole, name), section(scope, name), obj=name)
    assert whole.conformance == section(scope, "conformance")
    assert [f.to_dict() for f in whole.findings] == [
        f.to_dict() for f in section(scope, "findings")
    ]
    expected = {**section(scope, "summary"), "findings": len(whole.findings)}
    assert {key: whole.summary[key] for key in expected} == expected
    assert (whole.summary["persons"], whole.summary["events"]) == (7, 25)


def test_an_analysis_of_its_own_scope_lets_the_building_blocks_go(log, done) -> None:
    scope = make_scope(log)
    ours = analysis_of(scope, release=True)
    assert not {*PERSON_BLOCKS, *WAIT_BLOCKS} & set(scope.memo)
    assert {"_table", "_waits"} <= set(done.memo)  # kept without release, as a session does
    for name in COMPARED:
        assert_frame_equal(getattr(ours, name), section(done, name), obj=name)
    assert [f.to_dict() for f in ours.findings] == [f.to_dict() for f in section(done, "findings")]
    assert ours.conformance == section(done, "conformance")


def test_analysis_of_uses_the_sections_already_computed(done, monkeypatch) -> None:
    assert set(TABLES) <= set(done.memo)
    for name in list(SECTIONS):  # nothing may be computed again

        def fail(*args, name=name):
            raise AssertionError(f"section {name} computed again")

        monkeypatch.setitem(SECTIONS, name, fail)
    result = analysis_of(done)
    assert result.intervals is done.memo["intervals"]
    assert result.wip is done.memo["wip"]


def test_analysis_of_takes_a_section_from_the_memo(log, done) -> None:
    scope = make_scope(log)
    scope.memo.update(done.memo)
    marker = pd.DataFrame({"interval": ["seen"]})
    scope.memo["intervals"] = marker
    assert analysis_of(scope).intervals is marker


def test_analysis_of_in_workshop_mode_is_the_suppressed_analysis(done, whole) -> None:
    ours = analysis_of(done, workshop=True, k=3)
    theirs = suppress_analysis(whole, 3)
    for name in COMPARED:
        assert_frame_equal(getattr(ours, name), getattr(theirs, name), obj=name)
    assert (ours.summary["workshop"], ours.summary["k"]) == (True, 3)
    assert ours.summary["waiting_for_home"] is None  # 2 < 3
    assert ours.summary["in_chain_now"] == 5


# ------------------------------------------------------------------ KPI tiles


def test_chain_kpis_by_hand(log, chain) -> None:
    scope = make_scope(log)
    kpis = chain_kpis(section(scope, "wip"), section(scope, "intervals"), chain)
    assert kpis == {
        "in_chain_now": 5,  # a, b, e, f, g; c and d left for a home
        "waiting_for_decision": 3,  # a (asielprocedure), e (aanmelding), g (beroep)
        "waiting_for_home": 2,  # f (koppeling), b (huisvesting)
        "chain_norm": "N13",
        "chain_norm_persons": 4,  # b, c, d, f have a permit
        "share_over_norm": 0.75,  # S(98) = 3/4
        # application to home: the median of N04 (5, 10, 20 of six, a still waiting: S(20) = 1/2)
        # plus the median of N13 (180)
        "journey_total_days": 200.0,
    }
    assert section(scope, "kpis") == kpis


def test_kpis_are_in_the_summary_of_analyze(log, whole) -> None:
    summary = whole.summary
    kpis = section(make_scope(log), "kpis")
    assert {key: summary[key] for key in kpis} == kpis


def test_chain_kpis_count_the_last_day_of_the_period(log, chain) -> None:
    # up to 1 March (day 60, c's move): e is not registered yet; c moved out on day 60: left. a asielprocedure, g beroep (appealed day 40):
    # 2 waiting for a decision; b huisvesting, d huisvesting (linked day 25), f koppeling: 3.
    scope = make_scope(log, LogFilter(period_to="2024-03-01"))
    kpis = section(scope, "kpis")
    assert kpis["in_chain_now"] == 5
    assert kpis["waiting_for_decision"] == 2
    assert kpis["waiting_for_home"] == 3
    # N13 up to 1 March: b (open ~40 days), d (open ~41) and f (open ~56) are censored before
    # c finishes in 50 days with c and f at risk: S(50) = 1/2, and nobody finishes later
    assert kpis["chain_norm_persons"] == 4
    assert kpis["share_over_norm"] == 0.5


def test_chain_kpis_without_work_in_progress_or_intervals(chain) -> None:
    empty = chain_kpis(pd.DataFrame(columns=["date", "total"]), pd.DataFrame(), chain)
    assert empty == {
        "in_chain_now": None,
        "waiting_for_decision": None,
        "waiting_for_home": None,
        "chain_norm": "N13",
        "chain_norm_persons": None,
        "share_over_norm": None,
        "journey_total_days": None,
    }


def test_chain_kpis_of_a_generic_log_are_empty() -> None:
    scope = make_scope(generic({"c1": ["x", "y"], "c2": ["x", "z"]}))
    kpis = section(scope, "kpis")
    assert kpis["in_chain_now"] is None
    assert kpis["chain_norm_persons"] is None
    assert kpis["share_over_norm"] is None


def test_chain_kpis_share_is_none_while_nobody_finished(chain) -> None:
    # one permit, nobody housed yet: no completion, so no Kaplan-Meier share (NaN -> None)
    log = hand_log(
        [
            ("p", "ind_beschikking_inwilliging", day(0)),
            ("p", "ind_vergunning_uitgereikt", day(0)),
            ("q", "ind_aanvraag", day(0)),
            ("q", "ind_spoortoedeling", day(10)),
        ]
    )
    kpis = section(make_scope(log), "kpis")
    assert kpis["chain_norm_persons"] == 1
    assert kpis["share_over_norm"] is None
    assert (kpis["in_chain_now"], kpis["waiting_for_decision"], kpis["waiting_for_home"]) == (
        2,
        1,
        1,
    )


# ------------------------------------------------------------------ the journey


def test_journey_by_hand(log, chain) -> None:
    steps = journey(section(make_scope(log), "intervals"), chain)
    # overview.toml: N04, N10, N11, N12, N08, N18. Nobody signed a lease (N12), moved in as a
    # municipality records it (N08) or had an intake (N18): those legs are left out.
    assert steps["interval"].tolist() == ["N04", "N10", "N11"]
    assert steps["organisation"].tolist() == ["IND", "COA", "GEMEENTE"]
    assert steps["phase"].tolist() == ["Asielprocedure", "Huisvesting", "Huisvesting"]
    assert steps["step"].iloc[1] == "Koppeling na vergunning"
    n10 = steps.set_index("interval").loc["N10"]
    assert (n10["persons"], n10["still_open"], n10["median_days"]) == (4, 1, 5.0)
    assert n10["norm_days"] == 14.0
    assert n10["share_over_norm"] == pytest.approx(0.25)
    # N04: 5, 10, 20, 21, 30 days, a still waiting: S(20) = 1/2
    n04 = steps.set_index("interval").loc["N04"]
    assert (n04["persons"], n04["median_days"]) == (6, 20.0)
    # the legs end to end: each starts at the sum of the medians before it
    assert steps["start_days"].tolist() == [0.0, 20.0, 25.0]
    assert steps["direction"].tolist() == ["maximum"] * 3


def test_journey_in_english(log, chain) -> None:
    steps = journey(section(make_scope(log), "intervals"), chain, language="en")
    assert steps["step"].tolist()[1] == "Linking after the permit"
    assert steps["phase"].tolist() == ["Asylum procedure", "Housing", "Housing"]


def test_journey_of_no_intervals_is_empty(chain) -> None:
    steps = journey(pd.DataFrame(), chain)
    assert steps.empty
    assert list(steps.columns)[:4] == ["interval", "step", "organisation", "phase"]


# ------------------------------------------------------------------ one section in a workshop


def test_suppressed_kpis(log) -> None:
    kpis = section(make_scope(log), "kpis")
    at3 = suppress_section("kpis", kpis, 3)
    assert (at3["in_chain_now"], at3["waiting_for_decision"], at3["waiting_for_home"]) == (
        5,
        3,
        None,  # 2 < 3
    )
    # 0.75 of 4 is 3 over the norm and 1 under it: the share would point at that one person
    assert (at3["chain_norm_persons"], at3["share_over_norm"]) == (4, None)
    at1 = suppress_section("kpis", kpis, 1)
    assert (at1["chain_norm_persons"], at1["share_over_norm"]) == (4, 0.75)
    at5 = suppress_section("kpis", kpis, 5)
    assert (at5["in_chain_now"], at5["waiting_for_decision"]) == (5, None)
    # the share over the norm goes with its group of 4 < 5
    assert (at5["chain_norm_persons"], at5["share_over_norm"]) == (None, None)
    assert at5["chain_norm"] == "N13"
    assert kpis["waiting_for_home"] == 2  # the unsuppressed figures are untouched


def test_suppressed_curves_drop_segments_under_k() -> None:
    curves = pd.DataFrame(
        {
            "segment": ["GM0363"] * 3 + ["GM0599"] * 2,
            "days": [0.0, 5.0, 9.0, 0.0, 7.0],
            "survival": [1.0, 0.5, 0.0, 1.0, 0.0],
            "at_risk": [4, 4, 2, 1, 1],
            "persons": [4, 4, 4, 1, 1],
            "completed": [4, 4, 4, 1, 1],
        }
    )
    kept = suppress_section("curves", curves, 2)
    assert kept["segment"].unique().tolist() == ["GM0363"]
    assert kept.index.tolist() == [0, 1, 2]
    assert suppress_section("curves", curves, 5).empty
    assert len(suppress_section("curves", curves, 1)) == 5
    # the tail, once fewer than k are left waiting, is cut off
    assert suppress_section("curves", curves, 3)["days"].tolist() == [0.0, 5.0]


def test_suppressed_curves_of_the_log(log) -> None:
    curves = section(make_scope(log), "curves", "N13", "municipality")
    kept = suppress_section("curves", curves, 2)
    assert set(kept["segment"]) == {"GM0363"}  # 2 persons; Rotterdam's curve is d's alone
    assert (kept["persons"] >= 2).all()


def test_suppressed_histogram_empties_bins_under_k() -> None:
    histogram = pd.DataFrame(
        {
            "from_days": [0.0, 7.0, 14.0, 21.0],
            "to_days": [7.0, 14.0, 21.0, 28.0],
            "persons": [1, 2, 0, 1],
        }
    )
    # the bins under k at either end go (they would point at the shortest and longest wait)
    out = suppress_section("histogram", histogram, 2)
    assert (out["from_days"].tolist(), out["persons"].tolist()) == ([7.0], [2])
    middle = histogram.assign(persons=[3, 1, 0, 3])
    out = suppress_section("wait_histogram", middle, 2)
    assert out["persons"].tolist() == [3, None, 0, 3]
    assert out["suppressed"].tolist() == [False, True, False, False]
    # a histogram of fewer than k persons is not drawn at all
    assert suppress_section("histogram", histogram, 5).empty


def test_suppressed_norms_by_segment_are_the_suppressed_norms(log) -> None:
    table = section(make_scope(log), "norms_by_segment", "municipality")
    out = suppress_section("norms_by_segment", table, 2)
    assert_frame_equal(out, suppress_section("norms", table, 2))
    n13 = out[out["interval"] == "N13"]
    # N13 rows: no municipality (f, 1 person), GM0363 (b, c: 2), GM0599 (d alone)
    assert n13["persons"].tolist() == [None, 2, None]
    assert n13["suppressed"].tolist() == [True, True, True]  # GM0363 loses its counts of 1
    assert n13["norm_days"].tolist() == [98.0, 98.0, 98.0]  # labels stay
    amsterdam = n13.iloc[1]
    assert (amsterdam["municipality"], amsterdam["overdue_now"]) == ("GM0363", None)  # b alone


def _hand_dfg(**edge_columns: list) -> Dfg:
    return Dfg(
        edges=pd.DataFrame(
            {
                "source": ["x", "y", "x", "z"],
                "target": ["y", "x", "z", "y"],
                "frequency": [5, 3, 1, 4],
                **edge_columns,
            }
        ),
        activities=pd.DataFrame(
            {"activity": ["x", "y", "z"], "frequency": [9, 8, 1], "cases": [5, 5, 1]}
        ),
        start_activities={"x": 4, "z": 1},
        end_activities={"y": 3, "x": 1, "z": 1},
    )


def test_suppressed_dfg_by_hand() -> None:
    # persons per edge: x -> y 5, y -> x 2 (one of them went back twice), x -> z 1, z -> y 1
    graph = _hand_dfg(cases=[5, 2, 1, 1])
    out = suppress_section("dfg", graph, 2)
    # z has one person: it goes, and with it z -> y and x -> z
    assert out.activities["activity"].tolist() == ["x", "y"]
    assert out.edges[["source", "target"]].values.tolist() == [["x", "y"], ["y", "x"]]
    assert out.start_activities == {"x": 4}
    assert out.end_activities == {"y": 3}  # x ends for one person only
    # at k = 3, y -> x goes: 3 times, but by 2 persons
    high = suppress_section("dfg", graph, 3)
    assert high.edges[["source", "target"]].values.tolist() == [["x", "y"]]
    assert high.activities["activity"].tolist() == ["x", "y"]


def test_suppressed_dfg_without_persons_per_edge_uses_the_frequency() -> None:
    # a graph without ``cases`` per edge (frequency_dfg): the frequency, never below the persons
    out = suppress_section("dfg", _hand_dfg(), 4)
    assert out.edges[["source", "target"]].values.tolist() == [["x", "y"]]
    assert suppress_section("dfg", _hand_dfg(), 3).edges["target"].tolist() == ["y", "x"]


def test_suppressed_dfg_of_the_log_has_nothing_under_k(log) -> None:
    k = 3
    graph = suppress_section("dfg", section(make_scope(log), "dfg"), k)
    assert (graph.activities["cases"] >= k).all()
    assert (graph.edges["cases"] >= k).all()
    assert all(n >= k for n in graph.start_activities.values())
    assert all(n >= k for n in graph.end_activities.values())
    # ind_aanvraag (a, b, c, d, f, g) stays; ind_aanmelding (e alone) goes
    assert "ind_aanvraag" in set(graph.activities["activity"])
    assert "ind_aanmelding" not in set(graph.activities["activity"])


def test_suppressed_dfg_counts_persons_not_repetitions() -> None:
    # three persons go x -> y; p1 then goes back and forth twice: y -> x happens twice, but for
    # one person only. Its median wait is p1's own waits, so a workshop must not see the edge.
    rows = []
    for person in ("p1", "p2", "p3"):
        rows += [(person, "x", day(0)), (person, "y", day(1))]
    rows += [("p1", "x", day(2)), ("p1", "y", day(3)), ("p1", "x", day(4)), ("p1", "y", day(5))]
    graph = performance_dfg(hand_log(rows))
    assert graph.edges.set_index(["source", "target"])["frequency"].to_dict() == {
        ("x", "y"): 5,
        ("y", "x"): 2,
    }
    full = section(make_scope(hand_log(rows)), "dfg")
    assert full.edges.set_index(["source", "target"])["cases"].to_dict() == {
        ("x", "y"): 3,
        ("y", "x"): 1,
    }
    out = suppress_section("dfg", full, 2)
    assert out.edges[["source", "target"]].values.tolist() == [["x", "y"]]
