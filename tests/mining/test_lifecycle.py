"""Activity instances (toolkit/mining/lifecycle.py): a start and its complete joined as pm4py's
interval_lifecycle.to_interval joins them, and the waits between instances."""

import warnings

import pandas as pd

from toolkit.bottlenecks import transition_waits
from toolkit.eventlog import ACTIVITY, CASE, LIFECYCLE, START, TIMESTAMP
from toolkit.mining.lifecycle import activity_instances, has_lifecycle, service_times


def _log(rows):
    return pd.DataFrame(
        {
            CASE: [r[0] for r in rows],
            ACTIVITY: [r[1] for r in rows],
            TIMESTAMP: pd.to_datetime([f"2024-01-{r[2]:02d} 10:00" for r in rows], utc=True),
            LIFECYCLE: [r[3] for r in rows],
        }
    )


# x: a complete without a start (day 1), two starts (2, 3) completed first in, first out (4, 6),
# a schedule (7) and a start never completed (8); y: started on 5 while x ran, completed on 9
ROWS = [
    ("a", "x", 1, "complete"), ("a", "x", 2, "start"), ("a", "x", 3, "start"),
    ("a", "x", 4, "complete"), ("a", "y", 5, "start"), ("a", "x", 6, "complete"),
    ("a", "x", 7, "schedule"), ("a", "x", 8, "start"), ("a", "y", 9, "complete"),
]  # fmt: skip


def test_a_start_joins_the_next_complete_first_in_first_out():
    instances = activity_instances(_log(ROWS))
    days = lambda column: instances[column].dt.day.tolist()  # noqa: E731
    assert instances[ACTIVITY].tolist() == ["x", "x", "x", "y"]
    assert days(START) == [1, 2, 3, 5]  # in the order of the starts
    assert days(TIMESTAMP) == [1, 4, 6, 9]


def test_the_same_as_pm4py_to_interval():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py
        from pm4py.objects.log.util import interval_lifecycle

        theirs = pm4py.convert_to_dataframe(
            interval_lifecycle.to_interval(pm4py.convert_to_event_log(_log(ROWS)))
        )
    ours = activity_instances(_log(ROWS))
    key = [ACTIVITY, START, TIMESTAMP]
    assert ours[key].values.tolist() == theirs.sort_values([START, TIMESTAMP])[key].values.tolist()


def test_service_times_and_waits_from_complete_to_next_start():
    instances = activity_instances(_log(ROWS))
    service = service_times(instances).set_index("activity")
    assert service.loc["x", "instances"] == 3
    assert service.loc["x", "total_days"] == 0 + 2 + 3
    assert service.loc["y", "median_days"] == 4
    waits = transition_waits(instances).set_index(["from_activity", "to_activity"])
    # x(1) -> x(2..4): 1 day; x(2..4) -> x(3..6): began while the first ran, no wait;
    # x(3..6) -> y(5..9): began while x ran, no wait
    assert waits["total_days"].to_dict() == {("x", "x"): 1.0, ("x", "y"): 0.0}


def test_a_log_without_starts_is_left_as_it_is():
    log = _log([("a", "x", 1, "complete"), ("a", "y", 2, "complete")])
    assert not has_lifecycle(log)
    assert activity_instances(log) is log
    assert service_times(log).empty
