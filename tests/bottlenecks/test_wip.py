"""Work in progress per phase per day, and the weekly flow, on a hand-built log."""

import pandas as pd
from chain_logs import hand_log

from toolkit.bottlenecks.wip import flow_per_week, wip_per_day


def _log():
    # a: aanmelding (phase aanmelding) Mon 4 Mar; spoortoedeling (asielprocedure) Wed 6 Mar;
    #    overplaatsing Thu 7 Mar (changes no phase); leaves (coa_uitstroom_vertrek) Sat 9 Mar
    # b: aanmelding Tue 5 Mar and aanvraag the same day (still aanmelding); permit
    #    (koppeling phase) Mon 11 Mar; the municipal event after the end of data is ignored
    return hand_log(
        [
            ("a", "ind_aanmelding", "2024-03-04 10:00"),
            ("a", "ind_spoortoedeling", "2024-03-06 10:00"),
            ("a", "coa_overplaatsing", "2024-03-07 10:00", "Gilze"),
            ("a", "coa_uitstroom_vertrek", "2024-03-09 10:00", "Gilze"),
            ("a", "gem_verhuisd", "2024-03-10 10:00"),
            ("b", "ind_aanmelding", "2024-03-05 09:00"),
            ("b", "ind_aanvraag", "2024-03-05 15:00"),
            ("b", "ind_vergunning_uitgereikt", "2024-03-11 10:00"),
            ("b", "gem_verhuisd", "2024-03-20 10:00"),
        ]
    )


def test_wip_per_day_by_hand():
    table = wip_per_day(_log(), as_of="2024-03-12").set_index("date")
    days = pd.date_range("2024-03-04", "2024-03-12", freq="D")
    assert list(table.index) == list(days)
    # day:            4  5  6  7  8  9 10 11 12
    # a aanmelding:   1  1
    # a asielproc.:         1  1  1        (left on the 9th; gem_verhuisd does not bring a back)
    # b aanmelding:      1  1  1  1  1  1
    # b koppeling:                           1  1
    assert table["aanmelding"].tolist() == [1, 2, 1, 1, 1, 1, 1, 0, 0]
    assert table["asielprocedure"].tolist() == [0, 0, 1, 1, 1, 0, 0, 0, 0]
    assert table["koppeling"].tolist() == [0, 0, 0, 0, 0, 0, 0, 1, 1]
    assert table["total"].tolist() == [1, 2, 2, 2, 2, 1, 1, 1, 1]
    assert "vertrek" not in table.columns


def test_flow_per_week_by_hand():
    flow = flow_per_week(_log(), as_of="2024-03-12").set_index("week")
    # week of Mon 4 Mar: a and b enter, a leaves (not for a home); WIP on Sun 10 Mar: b
    # week of Mon 11 Mar (to the 12th): nothing in or out; WIP b
    assert list(flow.index) == [pd.Timestamp("2024-03-04"), pd.Timestamp("2024-03-11")]
    assert flow["inflow"].tolist() == [2, 0]
    assert flow["outflow"].tolist() == [1, 0]
    assert flow["outflow_housing"].tolist() == [0, 0]
    assert flow["wip_end"].tolist() == [1, 1]


def test_a_log_without_chain_activities_has_no_work_in_progress():
    log = hand_log([("x", "register", "2024-03-04 10:00"), ("x", "pay", "2024-03-05 10:00")])
    assert wip_per_day(log).empty
    assert flow_per_week(log).empty


def test_inflow_minus_outflow_is_the_final_wip(default_world):
    cfg, _, log = default_world
    flow = flow_per_week(log, as_of=cfg.cutoff)
    assert flow["inflow"].sum() - flow["outflow"].sum() == flow["wip_end"].iloc[-1]
    assert flow["outflow_housing"].sum() > 0
