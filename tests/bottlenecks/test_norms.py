"""Norm breaches by hand: closed over the norm, overdue now, optional steps, per month."""

import pandas as pd
import pytest
from chain_logs import hand_log

from toolkit.bottlenecks.intervals import interval_summary
from toolkit.bottlenecks.norms import norm_breaches

LOCAL = "Europe/Amsterdam"
AS_OF = pd.Timestamp("2024-03-20 10:00", tz=LOCAL)


def _log():
    # N10: permit -> koppeling, norm 14 days (winter time: a day is 24 hours)
    # a: permit 1 Jan, koppeling 11 Jan: 10 days, within the norm
    # b: permit 1 Jan, koppeling 21 Jan: 20 days, closed over by 6 days
    # c: permit 1 Feb, no koppeling by 20 Mar: open 48 days, overdue now by 34 days
    # d: permit 15 Mar, no koppeling: open 5 days, not (yet) over
    return hand_log(
        [
            ("a", "ind_beschikking_inwilliging", "2024-01-01 10:00"),
            ("a", "coa_koppeling", "2024-01-11 10:00"),
            ("b", "ind_beschikking_inwilliging", "2024-01-01 10:00"),
            ("b", "coa_koppeling", "2024-01-21 10:00"),
            ("c", "ind_beschikking_inwilliging", "2024-02-01 10:00"),
            ("d", "ind_beschikking_inwilliging", "2024-03-15 10:00"),
        ]
    )


def test_closed_over_and_overdue_now():
    row = norm_breaches(_log(), norms=["N10"], as_of=AS_OF).iloc[0]
    assert row["interval"] == "N10"
    assert bool(row["end_expected"])  # the koppeling is no step a person may choose not to take
    assert row[["persons", "closed", "closed_over", "still_open", "overdue_now"]].tolist() == [
        4,
        2,
        1,
        2,
        1,
    ]
    assert row["breaches"] == 2
    assert row["share_closed_over"] == 0.5
    assert row["excess_days"] == pytest.approx(6 + 34)


def test_per_month_of_the_interval_start():
    table = norm_breaches(_log(), norms=["N10"], as_of=AS_OF, by=("month",)).set_index("month")
    assert list(table.index) == ["2024-01", "2024-02", "2024-03"]
    assert table["breaches"].tolist() == [1, 1, 0]
    assert table["persons"].tolist() == [2, 1, 1]


def test_per_segment_and_cohort():
    # a and b were linked to GM0479 and GM0344 (the koppeling carries the municipality)
    log = _log()
    log.loc[
        log["case:concept:name"].eq("b") & log["concept:name"].eq("coa_koppeling"), "municipality"
    ] = "GM0344"
    log.loc[
        log["case:concept:name"].eq("a") & log["concept:name"].eq("coa_koppeling"), "municipality"
    ] = "GM0479"
    table = norm_breaches(log, norms=["N10"], as_of=AS_OF, by=("municipality", "cohort"))
    rows = table.set_index(["municipality", "cohort"])[["persons", "breaches"]]
    # c and d have no municipality yet (empty); all four started in 2024H1
    assert rows.to_dict("index") == {
        ("", "2024H1"): {"persons": 2, "breaches": 1},
        ("GM0344", "2024H1"): {"persons": 1, "breaches": 1},
        ("GM0479", "2024H1"): {"persons": 1, "breaches": 0},
    }


def test_an_optional_step_has_no_overdue_cases():
    # N15: permit -> family reunification application, 3 months (91.3125 days). Only a applies
    # (late, after 100 days); b and c never do. Not applying is no breach, so only a counts.
    log = hand_log(
        [
            ("a", "ind_vergunning_uitgereikt", "2023-11-01 10:00"),
            ("a", "ind_nareis_aanvraag", "2024-02-09 10:00"),
            ("b", "ind_vergunning_uitgereikt", "2023-11-01 10:00"),
            ("c", "ind_vergunning_uitgereikt", "2023-11-01 10:00"),
            ("c", "coa_koppeling", "2024-03-01 10:00"),
        ]
    )
    row = norm_breaches(log, norms=["N15"]).iloc[0]
    assert not bool(row["end_expected"])
    assert row[["closed", "closed_over", "still_open", "overdue_now", "breaches"]].tolist() == [
        1,
        1,
        2,
        0,
        1,
    ]
    assert row["excess_days"] == pytest.approx(100 - 91.3125)


def test_a_backlog_that_mostly_still_waits_is_overdue():
    """Whether an end is expected is a fact of the norm, not of how many reached it yet: in a
    recent cohort most persons still wait, and those past the norm are overdue. Known answer:
    one of four was linked; the three waiting 48, 30 and 20 days are past the 14."""
    log = hand_log(
        [
            ("a", "ind_beschikking_inwilliging", "2024-02-01 10:00"),
            ("a", "coa_koppeling", "2024-02-05 10:00"),
            ("b", "ind_beschikking_inwilliging", "2024-02-01 10:00"),
            ("c", "ind_beschikking_inwilliging", "2024-02-19 10:00"),
            ("d", "ind_beschikking_inwilliging", "2024-02-29 10:00"),
        ]
    )
    row = norm_breaches(log, norms=["N10"], as_of=AS_OF).iloc[0]
    assert bool(row["end_expected"])
    assert row[["closed", "still_open", "overdue_now", "breaches"]].tolist() == [1, 3, 3, 3]
    assert row["excess_days"] == pytest.approx((48 - 14) + (30 - 14) + (20 - 14))
    summary = interval_summary(log, norms=["N10"], as_of=AS_OF).iloc[0]
    assert not summary["median_reached"] and summary["share_over_norm"] == pytest.approx(0.75)


def test_an_optional_step_counts_who_took_it_in_the_intervals_too():
    """The intervals table gives an optional step's share over the norm as the norm table does:
    of who took it (a, late), not a Kaplan-Meier estimate that counts b and c as waiting."""
    log = hand_log(
        [
            ("a", "ind_vergunning_uitgereikt", "2023-11-01 10:00"),
            ("a", "ind_nareis_aanvraag", "2024-02-09 10:00"),
            ("b", "ind_vergunning_uitgereikt", "2023-11-01 10:00"),
            ("c", "ind_vergunning_uitgereikt", "2023-11-01 10:00"),
            ("d", "ind_vergunning_uitgereikt", "2023-11-01 10:00"),
            ("d", "ind_nareis_aanvraag", "2023-12-01 10:00"),
        ]
    )
    summary = interval_summary(log, norms=["N15"], as_of=AS_OF).iloc[0]
    norms = norm_breaches(log, norms=["N15"], as_of=AS_OF).iloc[0]
    assert summary["share_over_norm"] == norms["share_closed_over"] == 0.5


def test_minimum_norm_counts_too_short_only():
    # N01 (at least 6 days): a 4 days (breach, 2 days short), b 8 days, c still waiting
    log = hand_log(
        [
            ("a", "ind_rvt_start", "2024-01-01 10:00"),
            ("a", "ind_nader_gehoor", "2024-01-05 10:00"),
            ("b", "ind_rvt_start", "2024-01-01 10:00"),
            ("b", "ind_nader_gehoor", "2024-01-09 10:00"),
            ("c", "ind_rvt_start", "2024-01-01 10:00"),
        ]
    )
    row = norm_breaches(log, norms=["N01"]).iloc[0]
    assert row[["closed_over", "overdue_now", "breaches"]].tolist() == [1, 0, 1]
    assert row["excess_days"] == pytest.approx(2.0)


def test_unknown_split_is_refused():
    with pytest.raises(ValueError, match="cannot split by 'week'"):
        norm_breaches(_log(), by=("week",))
