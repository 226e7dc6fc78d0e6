"""Known answers for toolkit/mining/ordering.py: one stable order, UTC, clear refusals."""

from __future__ import annotations

import pandas as pd
import pytest
from mining_logs import make_log, shuffled

from toolkit.errors import EventLogError
from toolkit.mining.ordering import for_pm4py, sorted_log


def test_sorts_by_case_then_time() -> None:
    log = make_log(
        [
            ("b", "x", "2024-01-01 09:00"),
            ("a", "z", "2024-01-03 09:00"),
            ("a", "y", "2024-01-02 09:00"),
        ]
    )
    out = sorted_log(log)
    assert out[["case:concept:name", "concept:name"]].values.tolist() == [
        ["a", "y"],
        ["a", "z"],
        ["b", "x"],
    ]
    assert list(out.index) == [0, 1, 2]


def test_ties_in_time_follow_the_source_row() -> None:
    log = make_log(
        [
            ("a", "second", "2024-01-01 09:00", "coa.xlsx", 8),
            ("a", "first", "2024-01-01 09:00", "coa.xlsx", 3),
            ("a", "third", "2024-01-01 09:00", "ind.csv", 1),
        ],
        ("source_file", "source_row"),
    )
    for frame in (log, shuffled(log), shuffled(log, seed=3)):
        assert sorted_log(frame)["concept:name"].tolist() == ["first", "second", "third"]


def test_without_lineage_ties_keep_their_input_order() -> None:
    log = make_log([("a", "y", "2024-01-01 09:00"), ("a", "x", "2024-01-01 09:00")])
    assert sorted_log(log)["concept:name"].tolist() == ["y", "x"]
    assert sorted_log(log.iloc[::-1])["concept:name"].tolist() == ["x", "y"]


def test_the_input_is_not_changed() -> None:
    log = make_log([("b", "x", "2024-01-01 09:00"), ("a", "y", "2024-01-01 09:00")])
    before = log.copy()
    sorted_log(log)
    pd.testing.assert_frame_equal(log, before)


def test_other_time_zones_become_utc() -> None:
    log = make_log([("a", "x", "2024-07-01 10:00")])
    log["time:timestamp"] = log["time:timestamp"].dt.tz_convert("Europe/Amsterdam")
    out = sorted_log(log)
    assert str(out["time:timestamp"].dt.tz) == "UTC"
    assert out["time:timestamp"].iloc[0] == pd.Timestamp("2024-07-01 10:00", tz="UTC")


def test_naive_timestamps_are_refused_with_advice() -> None:
    log = make_log([("a", "x", "2024-01-01 09:00")])
    log["time:timestamp"] = log["time:timestamp"].dt.tz_localize(None)
    with pytest.raises(EventLogError, match=r"no time zone.*Europe/Amsterdam"):
        sorted_log(log)


def test_a_missing_column_is_named() -> None:
    log = make_log([("a", "x", "2024-01-01 09:00")]).drop(columns="concept:name")
    with pytest.raises(EventLogError, match="no column 'concept:name'"):
        sorted_log(log)


def test_for_pm4py_makes_case_and_activity_strings() -> None:
    log = make_log([(10, "x", "2024-01-01 09:00"), (2, "y", "2024-01-01 09:00")])
    log["concept:name"] = log["concept:name"].astype("category")
    out = for_pm4py(log)
    assert out["case:concept:name"].tolist() == ["10", "2"]
    assert out["concept:name"].tolist() == ["x", "y"]
    assert not isinstance(out["concept:name"].dtype, pd.CategoricalDtype)
