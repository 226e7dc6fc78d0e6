"""`analyze`: one computation for every front end; known answers on hand-built logs, and the
generated chain log analysed as a whole."""

from __future__ import annotations

import pandas as pd
import pytest
from logs import LEAVES_ON_DAY, START, decisions, generic, hand_log

from toolkit.analysis import CHAIN, GENERIC, Analysis, analyze, load_and_analyze
from toolkit.bottlenecks import interval_summary, norm_breaches, transition_waits
from toolkit.errors import EventLogError
from toolkit.filters import LogFilter

NORM_N04 = 182.625


@pytest.fixture(scope="module")
def decided() -> Analysis:
    # 11 decisions after 10, 20, ..., 110 days; 2 still waiting; 1 leaves on day 1000 (the end)
    return analyze(hand_log(decisions([10.0 * (i + 1) for i in range(11)], waiting=2)))


def test_intervals_are_censoring_aware_with_the_naive_median_beside_them(decided):
    n04 = decided.intervals.set_index("interval").loc["N04"]
    assert (n04["persons"], n04["completed"], n04["still_open"], n04["left_chain"]) == (
        14,
        11,
        2,
        1,
    )
    # Kaplan-Meier over the 13 who can reach a decision (who left is counted beside them): one
    # decision every 10 days; S(t) = 6/13 < 1/2 at the 7th: day 70. The finished cases alone
    # give the 6th of 11: day 60, the figure a backlog makes look fast.
    assert n04["median_days"] == pytest.approx(70.0)
    assert n04["median_days_completed_only"] == pytest.approx(60.0)
    # the two still waiting at day 1000 are past the norm: 2/13 over it
    assert n04["share_over_norm"] == pytest.approx(2 / 13)
    assert n04["label_en"] == "Statutory decision period"
    assert n04["kind"] == "legal"


def test_norm_breaches_count_the_overdue_and_their_excess_days(decided):
    n04 = decided.norms.set_index("interval").loc["N04"]
    assert (n04["closed_over"], n04["overdue_now"], n04["breaches"]) == (0, 2, 2)
    assert n04["excess_days"] == pytest.approx(2 * (LEAVES_ON_DAY - NORM_N04))
    assert decided.summary["log_kind"] == CHAIN
    assert decided.summary["as_of"] == (START + pd.Timedelta(days=LEAVES_ON_DAY)).isoformat()


def test_findings_are_ranked_by_excess_person_days(decided):
    table = decided.findings_table()
    assert table["rank"].tolist() == list(range(1, len(table) + 1))
    excess = table["excess_person_days"].tolist()
    assert excess == sorted(excess, reverse=True)
    top = decided.findings[0]
    assert (top.kind, top.interval, top.persons) == ("norm_breach", "N04", 2)


def test_as_of_cuts_the_data_and_defaults_to_the_end_of_the_period():
    log = hand_log(decisions([10.0, 20.0, 30.0], waiting=1))
    cut = analyze(log, filter=LogFilter(period_to=(START + pd.Timedelta(days=15)).date()))
    n04 = cut.intervals.set_index("interval").loc["N04"]
    # on day 15 only the first decision has happened
    assert n04["completed"] == 1
    assert cut.summary["as_of"].startswith((START + pd.Timedelta(days=16)).date().isoformat()[:8])


def test_cohort_restricts_intervals_to_persons_who_start_in_the_window():
    rows = decisions([10.0, 20.0])
    rows += [("late", "ind_aanvraag", START + pd.Timedelta(days=40))]
    rows += [("late", "ind_beschikking_inwilliging", START + pd.Timedelta(days=45))]
    log = hand_log(rows)
    later = START + pd.Timedelta(days=30)
    result = analyze(log, filter=LogFilter(cohort_from=later.date()))
    n04 = result.intervals.set_index("interval").loc["N04"]
    assert (n04["persons"], n04["completed"], n04["median_days"]) == (1, 1, 5.0)


def test_a_filter_that_keeps_nothing_is_a_clear_error():
    log = hand_log(decisions([10.0]))
    with pytest.raises(EventLogError, match="keeps no events"):
        analyze(log, filter=LogFilter(municipality=["GM9999"]))


def test_a_log_of_another_process_gets_waits_variants_rework_and_discovered_conformance():
    paths = {f"c{i:02d}": ["a", "b", "b", "c"] if i % 3 else ["a", "c"] for i in range(30)}
    result = analyze(generic(paths))
    assert result.summary["log_kind"] == GENERIC
    assert result.intervals.empty and result.norms.empty and result.wip.empty
    assert result.variants[["variant", "cases"]].values.tolist() == [
        ["a -> b -> b -> c", 20],
        ["a -> c", 10],
    ]
    rework = result.rework.set_index("activity")
    assert (rework.loc["b", "cases_repeated"], rework.loc["b", "repeats"]) == (20, 20)
    waits = result.transitions.set_index(["from_activity", "to_activity"])
    assert waits.loc[("b", "b"), "persons"] == 20
    assert result.conformance["model"].startswith("discovered")
    assert result.conformance["fitting_share"] == pytest.approx(1.0)
    assert result.handovers.empty  # no organisations recorded


def test_generated_chain_log_matches_the_chain_analytics(chain_log, chain_analysis):
    result = chain_analysis
    assert result.summary["log_kind"] == CHAIN
    assert result.summary["persons"] == chain_log["case:concept:name"].nunique()
    assert result.summary["events"] == len(chain_log)
    expected = interval_summary(chain_log)
    assert result.intervals["interval"].tolist() == expected["interval"].tolist()
    assert result.intervals["median_days"].tolist() == pytest.approx(
        expected["median_days"].tolist(), nan_ok=True
    )
    waits = transition_waits(chain_log)
    assert result.transitions["total_days"].sum() == pytest.approx(waits["total_days"].sum())
    assert not result.wip.empty and not result.flow.empty and not result.handovers.empty
    assert len(result.variants) == 20
    assert 0.0 < result.conformance["log_fitness"] <= 1.0
    assert {f.family for f in result.findings} >= {"where", "trend"}
    topics = {note["topic"] for note in result.method}
    assert {"intervals", "norms", "conformance", "findings"} <= topics


def test_a_municipality_filter_keeps_whole_journeys(chain_log, small_open, small_municipality):
    linked = chain_log.loc[chain_log["municipality"] == small_municipality, "case:concept:name"]
    assert small_open.summary["persons"] == linked.nunique()
    assert small_open.summary["filter"] == {"municipality": [small_municipality]}
    assert all(f.filter.get("municipality") == [small_municipality] for f in small_open.findings)


def test_load_and_analyze_names_a_missing_log(tmp_path):
    with pytest.raises(EventLogError, match="ketenlens ingest"):
        load_and_analyze(tmp_path)


def test_norms_added_up_over_months_equal_the_norms_computed_at_once(chain_log, chain_analysis):
    direct = norm_breaches(chain_log).set_index("interval")
    summed = chain_analysis.norms.set_index("interval")
    assert summed.index.tolist() == direct.index.tolist()
    for column in ("persons", "closed_over", "overdue_now", "breaches"):
        assert summed[column].tolist() == direct[column].tolist(), column
    assert summed["excess_days"].tolist() == pytest.approx(direct["excess_days"].tolist())
    assert summed["share_closed_over"].tolist() == pytest.approx(
        direct["share_closed_over"].tolist(), nan_ok=True
    )


def test_a_log_read_as_categories_gives_the_same_analysis(chain_log_dir, chain_analysis):
    """`ketenlens analyze` reads the texts as categories; every figure is the one of texts."""
    from toolkit.eventlog import read_events

    coded = analyze(read_events(chain_log_dir / "events.parquet", as_categories=True))
    for name, table in chain_analysis.tables().items():
        pd.testing.assert_frame_equal(coded.tables()[name], table, obj=name)
    skip = {"computed_at"}
    assert {k: v for k, v in coded.summary.items() if k not in skip} == {
        k: v for k, v in chain_analysis.summary.items() if k not in skip
    }
    assert coded.conformance == chain_analysis.conformance
