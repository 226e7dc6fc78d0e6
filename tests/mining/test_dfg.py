"""Known answers for toolkit/mining/dfg.py: edge counts and waits computed by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from mining_logs import make_log, shuffled

from toolkit.mining.dfg import Dfg, abstract_dfg, frequency_dfg, performance_dfg

# Three persons; a checks twice. By hand:
#   register -> check : a 12 h, b 1 day                -> 2, median 0.75, mean 0.75
#   check -> decide   : a 3 days and 6 days, b 5 days  -> 3, median 5, mean 14/3, total 14
#   decide -> check   : a 1 day                        -> 1
#   register -> decide: c 10 days                      -> 1
HAND = make_log(
    [
        ("a", "register", "2024-01-01 00:00"),
        ("a", "check", "2024-01-01 12:00"),
        ("a", "decide", "2024-01-04 12:00"),
        ("a", "check", "2024-01-05 12:00"),
        ("a", "decide", "2024-01-11 12:00"),
        ("b", "register", "2024-02-01 00:00"),
        ("b", "check", "2024-02-02 00:00"),
        ("b", "decide", "2024-02-07 00:00"),
        ("c", "register", "2024-03-01 00:00"),
        ("c", "decide", "2024-03-11 00:00"),
    ]
)


def _edge(graph: Dfg, source: str, target: str) -> pd.Series:
    edges = graph.edges.set_index(["source", "target"])
    return edges.loc[(source, target)]


def test_frequency_dfg_counts_edges_by_hand() -> None:
    graph = frequency_dfg(HAND)
    assert graph.edges.values.tolist() == [
        ["check", "decide", 3],
        ["register", "check", 2],
        ["decide", "check", 1],
        ["register", "decide", 1],
    ]
    assert graph.start_activities == {"register": 3}
    assert graph.end_activities == {"decide": 3}
    activities = graph.activities.set_index("activity")
    assert activities.loc["decide", "frequency"] == 4
    assert activities.loc["decide", "cases"] == 3
    assert activities.loc["check", "frequency"] == 3
    assert activities.loc["check", "cases"] == 2


def test_performance_dfg_waits_in_days_by_hand() -> None:
    graph = performance_dfg(HAND)
    check_decide = _edge(graph, "check", "decide")
    assert check_decide["frequency"] == 3
    assert check_decide["median_days"] == pytest.approx(5.0)
    assert check_decide["mean_days"] == pytest.approx(14 / 3)
    assert check_decide["min_days"] == pytest.approx(3.0)
    assert check_decide["max_days"] == pytest.approx(6.0)
    assert check_decide["total_days"] == pytest.approx(14.0)
    register_check = _edge(graph, "register", "check")
    assert register_check["median_days"] == pytest.approx(0.75)
    assert register_check["mean_days"] == pytest.approx(0.75)
    assert _edge(graph, "register", "decide")["median_days"] == pytest.approx(10.0)
    assert _edge(graph, "decide", "check")["median_days"] == pytest.approx(1.0)


def test_row_order_does_not_change_the_graph() -> None:
    expected = performance_dfg(HAND)
    for seed in (1, 2, 3):
        graph = performance_dfg(shuffled(HAND, seed))
        pd.testing.assert_frame_equal(graph.edges, expected.edges)
        pd.testing.assert_frame_equal(graph.activities, expected.activities)
        assert graph.start_activities == expected.start_activities


def test_simultaneous_events_follow_the_source_order() -> None:
    # Recorded at the same minute; the export rows say 'link' came after 'permit'.
    log = make_log(
        [
            ("a", "link", "2024-01-01 09:00", 2),
            ("a", "permit", "2024-01-01 09:00", 1),
        ],
        ("source_row",),
    )
    for frame in (log, log.iloc[::-1]):
        assert frequency_dfg(frame).edges[["source", "target"]].values.tolist() == [
            ["permit", "link"]
        ]


def test_abstraction_keeps_the_most_frequent_activities_then_edges() -> None:
    graph = frequency_dfg(HAND)
    two = abstract_dfg(graph, max_activities=2)
    assert two.activities["activity"].tolist() == ["decide", "check"]
    assert two.edges[["source", "target"]].values.tolist() == [
        ["check", "decide"],
        ["decide", "check"],
    ]
    assert two.start_activities == {}
    assert two.end_activities == {"decide": 3}
    one_edge = abstract_dfg(graph, max_edges=1)
    # the most frequent edge, and register's own most frequent one: no activity left unconnected
    assert one_edge.edges[["source", "target"]].values.tolist() == [
        ["check", "decide"],
        ["register", "check"],
    ]
    assert len(one_edge.activities) == 3
    unchanged = abstract_dfg(graph)
    pd.testing.assert_frame_equal(unchanged.edges, graph.edges)


def test_abstraction_refuses_negative_limits() -> None:
    with pytest.raises(ValueError, match="max_edges"):
        abstract_dfg(frequency_dfg(HAND), max_edges=-1)


def test_categorical_columns_give_only_observed_edges() -> None:
    log = HAND.astype({"concept:name": "category", "case:concept:name": "category"})
    pd.testing.assert_frame_equal(frequency_dfg(log).edges, frequency_dfg(HAND).edges)
