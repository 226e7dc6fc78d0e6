"""Milestone intervals: the first `from` event to the first `to` event after it."""

import pandas as pd

from toolkit.chain import load_chain
from toolkit.chain.intervals import interval_bounds


def _log(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    case, activity, time = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "case:concept:name": case,
            "concept:name": activity,
            "time:timestamp": pd.to_datetime(time, utc=True),
        }
    )


def test_first_start_and_first_end_after_it():
    log = _log(
        [
            ("a", "coa_koppeling", "2024-01-10"),  # an end before the start does not count
            ("a", "ind_beschikking_inwilliging", "2024-01-01"),
            ("a", "ind_beschikking_inwilliging", "2024-01-05"),
            ("a", "coa_koppeling", "2024-01-20"),
            ("b", "ind_beschikking_inwilliging", "2024-02-01"),
            ("c", "coa_koppeling", "2024-02-01"),  # no start: not in the result
        ]
    )
    bounds = interval_bounds(log, load_chain().norm("N10")).set_index("case")
    assert list(bounds.index) == ["a", "b"]
    assert bounds.loc["a", "start"] == pd.Timestamp("2024-01-01", tz="UTC")
    assert bounds.loc["a", "end"] == pd.Timestamp("2024-01-10", tz="UTC")
    assert pd.isna(bounds.loc["b", "end"])


def test_a_log_without_any_end_event_gives_open_intervals():
    log = _log([("a", "ind_beschikking_inwilliging", "2024-01-01")])
    bounds = interval_bounds(log, load_chain().norm("N10"))
    assert len(bounds) == 1
    assert bounds["end"].isna().all()
