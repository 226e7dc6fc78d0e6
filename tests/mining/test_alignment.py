"""Known answers for toolkit/mining/alignment.py on small process trees.

Fitness is pm4py's: one minus the deviating moves over the moves of the worst case (every event
a log move plus the model's shortest complete path).
"""

from __future__ import annotations

import pytest

from toolkit.mining.alignment import MOVE, _event_costs, align_paths

pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")


def _net(tree: str):
    import pm4py
    from pm4py.objects.process_tree.utils.generic import parse

    return pm4py.convert_to_petri_net(parse(tree))


SEQUENCE = "->( 'a', 'b', 'c' )"
PARALLEL_END = "->( 'a', +( 'z', 'y', 'x' ) )"


def test_a_complete_path_fits() -> None:
    row = align_paths([("a", "b", "c")], *_net(SEQUENCE)).iloc[0]
    assert (row["fitness"], row["fits"], row["on_track"]) == (1.0, True, True)
    assert (row["unexpected"], row["skipped"], row["still_expected"]) == ((), (), ())
    assert (row["cost"], row["worst_cost"]) == (0, 6)


def test_a_skipped_step() -> None:
    row = align_paths([("a", "c")], *_net(SEQUENCE)).iloc[0]
    assert row["skipped"] == ("b",)
    assert row["unexpected"] == ()
    # 1 deviating move; worst case 2 events + 3 model steps.
    assert row["fitness"] == pytest.approx(1 - 1 / 5)
    assert not row["on_track"]


def test_an_unfinished_path_is_on_track_with_the_rest_expected() -> None:
    row = align_paths([("a",)], *_net(SEQUENCE)).iloc[0]
    assert row["on_track"]
    assert not row["fits"]
    assert row["still_expected"] == ("b", "c")
    assert row["fitness"] == pytest.approx(1 - 2 / 4)


def test_two_events_in_the_wrong_order_blame_the_later_one() -> None:
    rows = align_paths([("b", "a", "c")] * 3, *_net(SEQUENCE))
    assert rows["unexpected"].tolist() == [("a",)] * 3
    assert rows["skipped"].tolist() == [("a",)] * 3


def test_parallel_steps_still_expected_come_in_name_order() -> None:
    net = _net(PARALLEL_END)
    for _ in range(3):
        row = align_paths([("a",)], *net).iloc[0]
        assert row["still_expected"] == ("x", "y", "z")
    done = align_paths([("a", "z", "x")], *net).iloc[0]
    assert done["still_expected"] == ("y",)
    assert done["on_track"]


def test_an_event_the_model_does_not_know_is_unexpected() -> None:
    row = align_paths([("a", "q", "b", "c")], *_net(SEQUENCE)).iloc[0]
    assert row["unexpected"] == ("q",)
    assert row["fitness"] == pytest.approx(1 - 1 / 7)


def test_tie_breakers_never_add_up_to_a_move() -> None:
    costs = _event_costs(1400)
    assert costs.sum() - 1400 * MOVE < MOVE
    assert costs[0] > costs[-1] == MOVE
    assert (_event_costs(1500) == MOVE).all()


def test_paths_past_the_budget_for_all_paths_are_left_unaligned() -> None:
    rows = align_paths([("a", "b", "c"), ("a", "c")], *_net(SEQUENCE), max_seconds=0.0)
    assert not rows["aligned"].any()
    assert rows["activities"].tolist() == [("a", "b", "c"), ("a", "c")]
    assert rows["fitness"].isna().all()
