"""Transition waits on a hand-built log, with a tie in time broken by source order."""

import pytest
from chain_logs import hand_log

from toolkit.bottlenecks.waits import handover_waits, person_waits, transition_waits


def _log():
    # a: aanvraag 1 Mar 10:00 -> aanmeldgehoor 3 Mar 10:00 (2 days) -> instroom 3 Mar 10:00
    #    (0 days; same time, the IND row came first in the source) -> koppeling 13 Mar (10 days)
    # b: aanvraag 1 Mar 10:00 -> aanmeldgehoor 5 Mar 10:00 (4 days)
    # c: aanvraag 1 Mar -> aanmeldgehoor 7 Mar (6 days); listed out of order on purpose
    return hand_log(
        [
            ("a", "ind_aanvraag", "2024-03-01 10:00"),
            ("a", "ind_aanmeldgehoor", "2024-03-03 10:00"),
            ("a", "coa_instroom", "2024-03-03 10:00"),
            ("a", "coa_koppeling", "2024-03-13 10:00"),
            ("c", "ind_aanmeldgehoor", "2024-03-07 10:00"),
            ("b", "ind_aanvraag", "2024-03-01 10:00"),
            ("b", "ind_aanmeldgehoor", "2024-03-05 10:00"),
            ("c", "ind_aanvraag", "2024-03-01 10:00"),
        ]
    )


def test_person_waits_follow_time_then_source_order():
    waits = person_waits(_log())
    a = waits[waits["case"] == "a"]
    assert list(zip(a["from_activity"], a["to_activity"], a["days"], strict=True)) == [
        ("ind_aanvraag", "ind_aanmeldgehoor", 2.0),
        ("ind_aanmeldgehoor", "coa_instroom", 0.0),
        ("coa_instroom", "coa_koppeling", 10.0),
    ]
    assert len(waits) == 5  # 3 for a, 1 for b, 1 for c: no wait across persons


def test_transition_waits_per_pair():
    table = transition_waits(_log()).set_index(["from_activity", "to_activity"])
    pair = table.loc[("ind_aanvraag", "ind_aanmeldgehoor")]
    # waits 2, 4, 6: median 4, p90 = 4 + 0.8 * (6 - 4) = 5.6 (linear), mean 4, total 12
    assert pair["n"] == 3
    assert pair["median_days"] == 4.0
    assert pair["p90_days"] == pytest.approx(5.6)
    assert pair["mean_days"] == 4.0
    assert pair["total_days"] == 12.0
    # most person-days first
    assert transition_waits(_log()).iloc[0][["from_activity", "n"]].tolist() == [
        "ind_aanvraag",
        3,
    ]


def test_handover_waits_per_organisation_pair():
    table = handover_waits(_log()).set_index(["from_group", "to_group"])
    # IND->IND: 2, 4, 6 days; IND->COA: 0 days (a); COA->COA: 10 days (a)
    assert table.loc[("IND", "IND"), "total_days"] == 12.0
    assert table.loc[("IND", "COA"), "n"] == 1
    assert table.loc[("IND", "COA"), "median_days"] == 0.0
    assert table.loc[("COA", "COA"), "median_days"] == 10.0
    assert len(table) == 3
