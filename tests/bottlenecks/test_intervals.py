"""Milestone intervals with right-censoring: a hand-built log, then the truth of a simulated world."""

import numpy as np
import pandas as pd
import pytest
from chain_logs import as_of, hand_log

from toolkit.bottlenecks.intervals import interval_summary, person_intervals
from toolkit.synthetic.truth import durations

LOCAL = "Europe/Amsterdam"
AS_OF = pd.Timestamp("2024-03-20 10:00", tz=LOCAL)


def _log():
    # N13 runs from ind_beschikking_inwilliging to coa_uitstroom_gemeente (norm 98 days).
    # p1: permit 1 Jan, housed 1 Mar 2024: 60 days, finished
    # p2: permit 1 Jan, still waiting on 20 Mar (as_of): censored at 79 days
    # (all in winter time, so that a day is 24 hours; durations are elapsed time)
    # p3: permit 1 Feb, left for return on 11 Feb: censored at 10 days, left the chain
    # p4: no permit: not in the interval
    return hand_log(
        [
            ("p1", "ind_beschikking_inwilliging", "2024-01-01 10:00"),
            ("p1", "coa_koppeling", "2024-01-10 10:00"),
            ("p1", "coa_uitstroom_gemeente", "2024-03-01 10:00"),
            ("p2", "ind_beschikking_inwilliging", "2024-01-01 10:00"),
            ("p3", "ind_beschikking_inwilliging", "2024-02-01 10:00"),
            ("p3", "coa_uitstroom_vertrek", "2024-02-11 10:00"),
            ("p4", "ind_aanvraag", "2024-01-05 10:00"),
            ("p4", "ind_aanmeldgehoor", "2024-03-20 10:00"),
        ]
    )


def test_person_intervals_censor_at_the_end_of_data_or_at_leaving():
    people = person_intervals(_log(), "N13", as_of=AS_OF)
    people = people.set_index("case")
    assert list(people.index) == ["p1", "p2", "p3"]
    assert people.loc["p1", ["days", "censored", "left_chain"]].tolist() == [60.0, False, False]
    assert people.loc["p2", ["days", "censored", "left_chain"]].tolist() == [79.0, True, False]
    assert people.loc["p3", ["days", "censored", "left_chain"]].tolist() == [10.0, True, True]
    assert pd.isna(people.loc["p2", "end"])


def test_as_of_defaults_to_the_last_event_and_a_date_means_the_whole_day():
    # the log's last event is p4's on 20 Mar 10:00: p2 waited 79 days
    by_default = person_intervals(_log(), "N13").set_index("case")
    assert by_default.loc["p2", "days"] == pytest.approx(79.0)
    # as_of=2024-03-20 as a date runs to the end of that Amsterdam day: 79 days and 14 hours
    whole_day = person_intervals(_log(), "N13", as_of="2024-03-20").set_index("case")
    assert whole_day.loc["p2", "days"] == pytest.approx(79 + 14 / 24)
    # an earlier as_of ignores what happened later: p1 still waiting on 31 Jan 10:00 (30 days)
    early = person_intervals(_log(), "N13", as_of=pd.Timestamp("2024-01-31 10:00", tz=LOCAL))
    early = early.set_index("case")
    assert early.loc["p1", ["days", "censored"]].tolist() == [30.0, True]
    assert "p3" not in early.index


def test_summary_uses_kaplan_meier_and_reports_the_naive_median_beside_it():
    summary = interval_summary(_log(), norms=["N13"], as_of=AS_OF).iloc[0]
    # KM: p3 censored at 10 leaves 2 at risk at 60, p1 ends: S(60) = 1/2 -> median 60;
    # S never reaches 0.1 -> no p90; P(T > 98) = S(98) = 0.5
    assert summary["interval"] == "N13"
    assert summary[["persons", "completed", "still_open", "left_chain"]].tolist() == [3, 1, 1, 1]
    assert summary["median_days"] == 60.0
    assert bool(summary["median_reached"])
    assert np.isnan(summary["p90_days"])
    assert not bool(summary["p90_reached"])
    assert summary["median_days_completed_only"] == 60.0
    assert summary["norm_days"] == 98.0
    assert summary["share_over_norm"] == pytest.approx(0.5)


def test_cohort_keeps_persons_whose_interval_starts_in_the_window():
    people = person_intervals(_log(), "N13", cohort=("2024-01-15", "2024-02-29"))
    assert people["case"].tolist() == ["p3"]
    assert person_intervals(_log(), "N13", cohort=(None, "2024-01-01"))["case"].tolist() == [
        "p1",
        "p2",
    ]


def test_minimum_norm_reports_the_share_under_it():
    # N01: at least 6 days from the start of the rest period to the interview
    # a: 4 days (too short), b: 8 days, c: 10 days -> P(T < 6) = 1/3
    log = hand_log(
        [
            ("a", "ind_rvt_start", "2024-01-01 10:00"),
            ("a", "ind_nader_gehoor", "2024-01-05 10:00"),
            ("b", "ind_rvt_start", "2024-01-01 10:00"),
            ("b", "ind_nader_gehoor", "2024-01-09 10:00"),
            ("c", "ind_rvt_start", "2024-01-01 10:00"),
            ("c", "ind_nader_gehoor", "2024-01-11 10:00"),
        ]
    )
    row = interval_summary(log, norms=["N01"]).iloc[0]
    assert row["direction"] == "minimum"
    assert row["share_over_norm"] == pytest.approx(1 / 3)
    assert row["median_days"] == 8.0


def _n13(default_world):
    cfg, world, log = default_world
    summary = interval_summary(log, norms=["N13"], as_of=as_of(cfg)).iloc[0]
    truth = durations(world, cfg)
    seen = truth[(truth["norm"] == "N13") & truth["starts_before_cutoff"]]
    # the truth follows everyone to the end of the world; never housed counts as infinitely long
    true_median = float(np.median(seen["days"].fillna(np.inf)))
    assert summary["persons"] == len(seen)
    assert summary["still_open"] > 0.1 * summary["persons"]  # a real backlog at the cut-off
    return summary, true_median


def test_km_median_of_permit_to_move_out_is_near_the_truth_and_naive_is_lower(default_world):
    summary, true_median = _n13(default_world)
    km, naive = summary["median_days"], summary["median_days_completed_only"]
    # the finished cases alone look faster than the truth, and than the KM estimate
    assert naive < km <= true_median * 1.05
    assert km == pytest.approx(true_median, rel=0.10)


def test_an_interval_nobody_started_gives_an_empty_table_with_arrow_case_ids():
    log = hand_log(
        [
            ("p1", "ind_aanvraag", "2024-01-01 10:00"),
            ("p1", "ind_beschikking_afwijzing", "2024-03-01 10:00"),
        ]
    )
    log["case:concept:name"] = log["case:concept:name"].astype("string[pyarrow]")
    people = person_intervals(log, "N13", as_of=AS_OF)
    assert people.empty
    assert list(people.columns) == [
        "case", "start", "end", "days", "censored", "left_chain", "inferred_end",
    ]  # fmt: skip
