"""Known answers for toolkit/mining/handover.py: handover counts and delays by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from mining_logs import make_log, shuffled

from toolkit.mining.handover import handover_pairs, handovers

# By hand (days between the two events of each handover):
#   IND -> COA      : p1 2, p2 4, p3 6 and 2   -> 4 handovers, 3 persons, median 3, mean 3.5,
#                     p90 of [2, 2, 4, 6] = 4 + 0.7 * 2 = 5.4 (linear), total 14
#   COA -> GEMEENTE : p1 7 (from the later COA event), p2 1 -> median 4, p90 1 + 0.9 * 6 = 6.4
#   COA -> IND      : p3 1
# Consecutive events of one organisation (p1 COA -> COA, GEMEENTE -> GEMEENTE) are no handover.
HAND = make_log(
    [
        ("p1", "permit", "2024-01-01 10:00", "IND", "IND-Zevenaar"),
        ("p1", "link", "2024-01-03 10:00", "COA", "AZC Budel"),
        ("p1", "move", "2024-01-04 10:00", "COA", "AZC Ede"),
        ("p1", "linked", "2024-01-11 10:00", "GEMEENTE", "GM0363"),
        ("p1", "offer", "2024-01-12 10:00", "GEMEENTE", "GM0363"),
        ("p2", "permit", "2024-01-01 10:00", "IND", "IND-Zevenaar"),
        ("p2", "link", "2024-01-05 10:00", "COA", "AZC Budel"),
        ("p2", "linked", "2024-01-06 10:00", "GEMEENTE", "GM0599"),
        ("p3", "permit", "2024-01-01 10:00", "IND", "IND-Zevenaar"),
        ("p3", "link", "2024-01-07 10:00", "COA", "AZC Budel"),
        ("p3", "interview", "2024-01-08 10:00", "IND", "IND-Den Bosch"),
        ("p3", "link", "2024-01-10 10:00", "COA", "AZC Ede"),
    ],
    ("org:group", "org:resource"),
)


def test_handovers_between_organisations_by_hand() -> None:
    table = handovers(HAND).set_index(["from_org", "to_org"])
    assert list(table.index) == [("IND", "COA"), ("COA", "GEMEENTE"), ("COA", "IND")]
    ind_coa = table.loc[("IND", "COA")]
    assert ind_coa["handovers"] == 4
    assert ind_coa["cases"] == 3
    assert ind_coa["median_days"] == pytest.approx(3.0)
    assert ind_coa["mean_days"] == pytest.approx(3.5)
    assert ind_coa["p90_days"] == pytest.approx(5.4)
    assert ind_coa["total_days"] == pytest.approx(14.0)
    coa_gem = table.loc[("COA", "GEMEENTE")]
    assert (coa_gem["handovers"], coa_gem["cases"]) == (2, 2)
    assert coa_gem["median_days"] == pytest.approx(4.0)
    assert coa_gem["p90_days"] == pytest.approx(6.4)
    assert table.loc[("COA", "IND"), "median_days"] == pytest.approx(1.0)


def test_handover_pairs_name_the_activities() -> None:
    pairs = handover_pairs(HAND)
    p1 = pairs[pairs["case"] == "p1"]
    assert p1[["from_activity", "to_activity", "days"]].values.tolist() == [
        ["permit", "link", 2.0],
        ["move", "linked", 7.0],
    ]


def test_handovers_by_resource() -> None:
    table = handovers(HAND, by="org:resource").set_index(["from_org", "to_org"])
    # p1 moves from AZC Budel to AZC Ede: a handover between locations of one organisation.
    assert table.loc[("AZC Budel", "AZC Ede"), "handovers"] == 1
    # Two events in the same municipality in a row are no handover.
    assert ("GM0363", "GM0363") not in table.index
    assert table.loc[("IND-Zevenaar", "AZC Budel"), "handovers"] == 3
    # p1: 3 (Zevenaar-Budel-Ede-GM0363), p2: 2 (Zevenaar-Budel-GM0599), p3: 3.
    assert table["handovers"].sum() == 8


def test_events_without_an_organisation_are_skipped() -> None:
    log = make_log(
        [
            ("p", "permit", "2024-01-01 00:00", "IND"),
            ("p", "note", "2024-01-02 00:00", None),
            ("p", "link", "2024-01-05 00:00", "COA"),
        ],
        ("org:group",),
    )
    assert handovers(log)[["from_org", "to_org", "median_days"]].values.tolist() == [
        ["IND", "COA", 4.0]
    ]


def test_row_order_does_not_change_the_handovers() -> None:
    expected = handovers(HAND)
    for seed in (1, 2, 3):
        pd.testing.assert_frame_equal(handovers(shuffled(HAND, seed)), expected)


def test_a_log_without_handovers_gives_an_empty_table() -> None:
    table = handovers(HAND[HAND["org:group"] == "IND"])
    assert table.empty
    assert list(table.columns)[:3] == ["from_org", "to_org", "handovers"]


def test_categorical_organisations_work() -> None:
    log = HAND.astype({"org:group": "category"})
    pd.testing.assert_frame_equal(handovers(log), handovers(HAND))
