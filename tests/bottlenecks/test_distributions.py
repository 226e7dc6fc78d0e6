"""Survival curves and histograms (toolkit/bottlenecks/distributions.py) on hand-built logs.

Times are Amsterdam local times at 10:00 in January, so every duration is a whole number of days.
"""

from __future__ import annotations

import pandas as pd
import pytest
from chain_logs import hand_log

from toolkit.bottlenecks.distributions import (
    CURVE_COLUMNS,
    HISTOGRAM_COLUMNS,
    duration_histogram,
    survival_curves,
    wait_histogram,
)
from toolkit.bottlenecks.survival import kaplan_meier

PERMIT = "ind_beschikking_inwilliging"
HOUSED = "coa_uitstroom_gemeente"
LINKED = "coa_koppeling"
OFFER = "gem_woning_aangeboden"


def at(day: int) -> str:
    return f"2024-01-{day:02d} 10:00"


def permits(durations: dict[str, int | None], municipality: dict[str, str] | None = None):
    """Persons with a permit on 1 January and a move to a home ``durations`` days later (N13);
    None: still waiting. ``municipality`` puts a municipality code on the person's link."""
    municipality = municipality or {}
    rows = []
    for person, days in durations.items():
        rows.append((person, PERMIT, at(1)))
        rows.append((person, LINKED, at(1), None, municipality.get(person)))
        if days is not None:
            rows.append((person, HOUSED, at(1 + days)))
    return hand_log(rows)


# ------------------------------------------------------------------ survival curves


def test_two_finished_durations() -> None:
    curve = survival_curves(permits({"p": 2, "q": 4}), "N13")
    assert list(curve.columns) == CURVE_COLUMNS
    assert curve["segment"].tolist() == ["all"] * 3
    assert curve["days"].tolist() == [0.0, 2.0, 4.0]
    assert curve["survival"].tolist() == [1.0, 0.5, 0.0]
    assert curve["persons"].tolist() == [2, 2, 2]
    assert curve["completed"].tolist() == [2, 2, 2]


def test_a_person_still_waiting_keeps_the_curve_above_zero() -> None:
    # p housed after 2 days; q still waiting on 5 January 10:00, 4 days after the permit
    curve = survival_curves(permits({"p": 2, "q": None}), "N13", as_of="2024-01-05 10:00")
    assert curve["survival"].iloc[0] == 1.0
    assert curve.loc[curve["days"] == 2.0, "survival"].tolist() == [0.5]
    assert curve["survival"].min() == 0.5  # never 0: q waited at least 4 days, still waiting
    assert curve["days"].max() == 4.0  # a flat step to q's censoring
    assert (curve["persons"].iloc[0], curve["completed"].iloc[0]) == (2, 1)


def test_the_curve_is_the_kaplan_meier_estimate() -> None:
    # 3 finished (1, 3, 3 days) and one waiting 2 days at the end of the data (4 January)
    log = permits({"p": 1, "q": 3, "r": 3, "s": None})
    log = pd.concat([log, hand_log([("t", PERMIT, at(2)), ("t", LINKED, at(2))])])
    log = log.sort_values(["case:concept:name", "time:timestamp"]).reset_index(drop=True)
    curve = survival_curves(log, "N13", as_of=at(4))
    # at risk: 5 at day 1 (1 done) -> 4/5; t censored at 2; 3 at risk at day 3 (q, r done;
    # s at 3 days is censored at the same moment, after the completions) -> 4/5 * 1/3
    at_day = dict(zip(curve["days"], curve["survival"], strict=False))
    assert at_day[0.0] == 1.0
    assert at_day[1.0] == pytest.approx(0.8)
    assert at_day[3.0] == pytest.approx(0.8 / 3)
    km = kaplan_meier([1.0, 3.0, 3.0, 3.0, 2.0], [False, False, False, True, True])
    assert km.survival_at(3.0) == pytest.approx(at_day[3.0])


def test_nobody_finished_is_a_flat_curve_at_one() -> None:
    curve = survival_curves(permits({"p": None, "q": None}), "N13", as_of=at(5))
    assert curve["days"].tolist() == [0.0]
    assert curve["survival"].tolist() == [1.0]
    assert (curve["persons"].iloc[0], curve["completed"].iloc[0]) == (2, 0)


def test_nobody_started_is_an_empty_table() -> None:
    log = hand_log([("p", "ind_aanvraag", at(1))])
    assert survival_curves(log, "N13").empty
    assert list(survival_curves(log, "N13").columns) == CURVE_COLUMNS
    assert survival_curves(log, "N13", by="municipality").empty


def test_one_curve_per_municipality() -> None:
    durations = {"a1": 2, "a2": 4, "a3": 6, "r1": 10, "x1": 3}
    place = {"a1": "GM0363", "a2": "GM0363", "a3": "GM0363", "r1": "GM0599"}  # x1: none
    curves = survival_curves(permits(durations, place), "N13", by="municipality")
    assert curves["segment"].unique().tolist() == ["GM0363", "GM0599"]
    amsterdam = curves[curves["segment"] == "GM0363"]
    assert amsterdam["days"].tolist() == [0.0, 2.0, 4.0, 6.0]
    assert amsterdam["survival"].tolist() == pytest.approx([1.0, 2 / 3, 1 / 3, 0.0])
    assert amsterdam["persons"].iloc[0] == 3
    rotterdam = curves[curves["segment"] == "GM0599"]
    assert rotterdam["days"].tolist() == [0.0, 10.0]
    assert rotterdam["persons"].iloc[0] == 1
    # x1 has no municipality: in the overall curve, in no segment's
    assert curves.groupby("segment")["persons"].first().sum() == 4


def test_only_the_largest_segments_get_a_curve() -> None:
    durations = {"a1": 2, "a2": 4, "a3": 6, "r1": 10, "u1": 5, "u2": 7}
    place = {
        "a1": "GM0363",
        "a2": "GM0363",
        "a3": "GM0363",
        "r1": "GM0599",
        "u1": "GM0344",
        "u2": "GM0344",
    }
    curves = survival_curves(permits(durations, place), "N13", by="municipality", max_segments=2)
    assert sorted(curves["segment"].unique()) == ["GM0344", "GM0363"]


def test_an_unknown_dimension_is_an_empty_table() -> None:
    curves = survival_curves(permits({"p": 2}), "N13", by="no_such_dimension")
    assert curves.empty
    assert list(curves.columns) == CURVE_COLUMNS


# ------------------------------------------------------------------ histograms


def test_duration_histogram_counts_the_finished_persons() -> None:
    log = permits({"p": 2, "q": 4, "r": 4, "s": 10, "w": None})
    histogram = duration_histogram(log, "N13", bins=4, as_of=at(20))
    assert list(histogram.columns) == HISTOGRAM_COLUMNS
    # bins of whole weeks from day 0 (one week wide: 10 days fit in 4 bins of a week);
    # the last bin includes its right edge; w (still waiting) is in no bin
    assert histogram["from_days"].tolist() == [0.0, 7.0]
    assert histogram["to_days"].tolist() == [7.0, 14.0]
    assert histogram["persons"].tolist() == [3, 1]
    assert histogram["persons"].sum() == 4


def test_duration_histogram_default_bins() -> None:
    histogram = duration_histogram(permits({"p": 1, "q": 21}), "N13")
    assert histogram["persons"].tolist() == [1, 0, 1]  # weeks 0-7, 7-14, 14-21 (inclusive)
    # 30 days in at most about 2 bins: three weeks wide
    wide = duration_histogram(permits({"p": 1, "q": 30}), "N13", bins=2)
    assert wide["from_days"].tolist() == [0.0, 21.0]
    assert wide["persons"].tolist() == [1, 1]


def test_duration_histogram_of_nobody_finished_is_empty() -> None:
    histogram = duration_histogram(permits({"p": None}), "N13", as_of=at(9))
    assert histogram.empty
    assert list(histogram.columns) == HISTOGRAM_COLUMNS


def test_duration_histogram_in_a_cohort() -> None:
    # p and q get their permit on 1 January; t on 10 January: the cohort of 10 January is t
    log = permits({"p": 2, "q": 4})
    log = pd.concat(
        [log, hand_log([("t", PERMIT, at(10)), ("t", LINKED, at(10)), ("t", HOUSED, at(17))])]
    ).sort_values(["case:concept:name", "time:timestamp"])
    histogram = duration_histogram(log, "N13", cohort=("2024-01-10", "2024-01-10"), bins=1)
    assert histogram["persons"].tolist() == [1]
    assert (histogram["from_days"].tolist(), histogram["to_days"].tolist()) == ([0.0], [7.0])


def test_wait_histogram_of_one_path() -> None:
    log = hand_log(
        [
            ("p", LINKED, at(1)),
            ("p", OFFER, at(2)),  # waited 1 day
            ("q", LINKED, at(1)),
            ("q", OFFER, at(4)),  # waited 3 days
            ("r", LINKED, at(1)),
            ("r", "coa_overplaatsing", at(2)),  # not directly followed by the offer
            ("r", OFFER, at(9)),
        ]
    )
    histogram = wait_histogram(log, LINKED, OFFER, bins=2)
    assert histogram["from_days"].tolist() == [0.0]  # waits of 1 and 3 days: one week's bin
    assert histogram["to_days"].tolist() == [7.0]
    assert histogram["persons"].tolist() == [2]
    # the other direction, or a pair that never follows directly, has no waits
    assert wait_histogram(log, OFFER, LINKED).empty
    assert wait_histogram(log, "coa_overplaatsing", OFFER, bins=1)["persons"].tolist() == [1]


def test_wait_histogram_counts_persons_not_waits() -> None:
    # p relocates every 2 days, four waits of 2 days; q once, after 2 days; r once, after 10
    # days. Week bins: [0, 7) holds 5 waits but 2 persons, [7, 14] r alone.
    move = "coa_overplaatsing"
    rows = [("p", move, at(d), "Budel") for d in (1, 3, 5, 7, 9)]
    rows += [("q", move, at(1), "Budel"), ("q", move, at(3), "Gilze")]
    rows += [("r", move, at(1), "Budel"), ("r", move, at(11), "Gilze")]
    histogram = wait_histogram(hand_log(rows), move, move, bins=2)
    assert histogram["from_days"].tolist() == [0.0, 7.0]
    assert histogram["persons"].tolist() == [2, 1]
    # a person with waits in two bins counts in both
    rows += [("p", move, at(17), "Gilze")]  # p's fifth wait: 8 days
    histogram = wait_histogram(hand_log(rows), move, move, bins=2)
    assert histogram["persons"].tolist() == [2, 2]


def test_who_left_the_chain_is_not_in_the_curve() -> None:
    # p housed after 2 days, q still waiting, d departs (leaves the chain) after 3 days: d is not
    # waiting for a home, so the curve is over p and q only, as the interval's median is
    log = permits({"p": 2, "q": None, "d": None})
    log = pd.concat([log, hand_log([("d", "coa_uitstroom_overig", at(4))])])
    log = log.sort_values(["case:concept:name", "time:timestamp"]).reset_index(drop=True)
    curve = survival_curves(log, "N13", as_of=at(9))
    assert (curve["persons"].iloc[0], curve["completed"].iloc[0]) == (2, 1)
    assert curve.loc[curve["days"] == 2.0, "survival"].tolist() == [0.5]
    by = survival_curves(log, "N13", as_of=at(9), by="municipality")
    assert by.empty or by["persons"].max() <= 2
