"""Known answers for toolkit/mining/variants.py: counts, shares and durations by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from mining_logs import make_log, shuffled

from toolkit.mining.variants import case_variants, variants

# By hand: x -> y -> z twice (2 and 4 days: median 3), x -> z once (1 day).
HAND = make_log(
    [
        ("a", "x", "2024-01-01 00:00"),
        ("a", "y", "2024-01-02 00:00"),
        ("a", "z", "2024-01-03 00:00"),
        ("b", "x", "2024-01-01 00:00"),
        ("b", "y", "2024-01-04 00:00"),
        ("b", "z", "2024-01-05 00:00"),
        ("c", "x", "2024-01-01 00:00"),
        ("c", "z", "2024-01-02 00:00"),
    ]
)


def test_variants_with_counts_shares_and_durations() -> None:
    table = variants(HAND)
    assert table["variant"].tolist() == ["x -> y -> z", "x -> z"]
    assert table["activities"].tolist() == [("x", "y", "z"), ("x", "z")]
    assert table["rank"].tolist() == [1, 2]
    assert table["cases"].tolist() == [2, 1]
    assert table["events"].tolist() == [3, 2]
    assert table["share"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert table["cumulative_share"].tolist() == pytest.approx([2 / 3, 1.0])
    assert table["median_days"].tolist() == pytest.approx([3.0, 1.0])
    assert table["mean_days"].tolist() == pytest.approx([3.0, 1.0])


def test_top_k_keeps_the_share_of_all_cases() -> None:
    table = variants(HAND, top_k=1)
    assert table["variant"].tolist() == ["x -> y -> z"]
    assert table["share"].tolist() == pytest.approx([2 / 3])
    with pytest.raises(ValueError, match="top_k"):
        variants(HAND, top_k=-1)


def test_case_variants_one_row_per_case() -> None:
    cases = case_variants(HAND)
    assert cases["case"].tolist() == ["a", "b", "c"]
    assert cases["variant"].tolist() == ["x -> y -> z", "x -> y -> z", "x -> z"]
    assert cases["duration_days"].tolist() == pytest.approx([2.0, 4.0, 1.0])
    assert cases["start"].iloc[0] == pd.Timestamp("2024-01-01", tz="UTC")


def test_equal_counts_are_ordered_by_name() -> None:
    log = make_log([("a", "y", "2024-01-01 00:00"), ("b", "x", "2024-01-01 00:00")])
    assert variants(log)["variant"].tolist() == ["x", "y"]


def test_row_order_does_not_change_the_variants() -> None:
    expected = variants(HAND)
    for seed in (1, 2, 3):
        pd.testing.assert_frame_equal(variants(shuffled(HAND, seed)), expected)


def test_an_empty_log_has_no_variants() -> None:
    empty = HAND.iloc[:0]
    assert variants(empty).empty
    assert case_variants(empty).empty


def test_counts_agree_with_pm4py(running_example: pd.DataFrame) -> None:
    import pm4py

    ours = variants(running_example).set_index("activities")["cases"].to_dict()
    theirs = pm4py.get_variants(running_example)
    assert ours == {tuple(k): int(v) for k, v in theirs.items()}
    assert sum(ours.values()) == 6
