"""The person-interval table: survival figures against lifelines, the restricted population,
households chosen by content, inferred ends, the start of N10/N13, and half-year cohorts."""

import warnings

import numpy as np
import pandas as pd
import pytest
from chain_logs import hand_log
from lifelines import KaplanMeierFitter

from toolkit.adapters.ingest import ingest
from toolkit.analysis import load_and_analyze, log_as_of
from toolkit.bottlenecks.survival import kaplan_meier
from toolkit.eventlog import read_events
from toolkit.findings import find_bottlenecks
from toolkit.metrics import household_representatives, person_table, waiting_population
from toolkit.privacy import Pseudonymizer


def test_medians_and_p90_are_those_of_lifelines(chain_log, chain_log_dir):
    table = person_table(chain_log, as_of=log_as_of(chain_log_dir))
    checked = 0
    for interval, rows in waiting_population(table).groupby("interval"):
        reached = rows["outcome"].to_numpy() == "reached"
        if reached.sum() < 30:
            continue
        ours = kaplan_meier(rows["days"].to_numpy(), ~reached)
        fitter = KaplanMeierFitter().fit(rows["days"], reached)
        theirs = fitter.median_survival_time_
        assert (ours.median or np.inf) == pytest.approx(theirs, rel=1e-9), interval
        p90 = fitter.percentile(0.1)
        if (ours.p90 or np.inf) != pytest.approx(p90, rel=1e-9):
            # the curve stops at exactly 10% there: a tie that rounding of the product decides
            at = float(fitter.survival_function_at_times(ours.p90).iloc[0])
            assert at == pytest.approx(0.1, abs=1e-9), interval
        for t in (14.0, 70.0, 183.0):
            assert ours.survival_at(t) == pytest.approx(
                float(fitter.survival_function_at_times(t).iloc[0]), abs=1e-9
            )
        checked += 1
    assert checked >= 8


def _family_log():
    # household H: r (referent) granted 1 Jan, linked 10 Jan, moved out 1 Mar; a family member
    # m arriving later (nareis, 1 Feb) linked 5 Feb, joins the referent's home on 1 Mar.
    # person x: granted 1 Jan, linked 20 Jan; COA's move-out is missing but the municipal move
    # (gem_verhuisd, 1 Apr) is recorded. person y: granted 1 Jan and departs on 1 Feb.
    rows = [
        ("r", "ind_beschikking_inwilliging", "2024-01-01 10:00"),
        ("r", "ind_vergunning_uitgereikt", "2024-01-15 10:00"),
        ("r", "coa_koppeling", "2024-01-20 10:00", "Gilze", "GM0479"),
        ("r", "coa_uitstroom_gemeente", "2024-03-01 10:00", "Gilze", "GM0479"),
        ("m", "ind_nareiziger_inreis", "2024-02-01 10:00"),
        ("m", "ind_vergunning_uitgereikt", "2024-02-03 10:00"),
        ("m", "coa_koppeling", "2024-02-05 10:00", "Gilze", "GM0479"),
        ("m", "coa_uitstroom_gemeente", "2024-03-01 10:00", "Gilze", "GM0479"),
        ("x", "ind_beschikking_inwilliging", "2024-01-01 10:00"),
        ("x", "coa_koppeling", "2024-01-20 10:00", "Gilze", "GM0479"),
        ("x", "gem_verhuisd", "2024-04-01 10:00", "GM0479", "GM0479"),
        ("y", "ind_beschikking_inwilliging", "2024-01-01 10:00"),
        ("y", "coa_uitstroom_vertrek", "2024-02-01 10:00", "Gilze"),
    ]
    households = {"r": "H", "m": "H", "x": "X", "y": "Y"}
    return hand_log(rows, **{"case:household": households})


def test_n13_starts_at_the_granting_decision_or_the_arrival_of_a_later_family_member():
    table = person_table(_family_log(), as_of="2024-06-30").set_index(["interval", "case"])
    assert table.loc[("N13", "r"), "days"] == pytest.approx(60.0)  # 1 Jan to 1 Mar
    assert table.loc[("N13", "m"), "days"] == pytest.approx(29.0)  # arrival 1 Feb to 1 Mar
    assert table.loc[("N10", "r"), "days"] == pytest.approx(19.0)  # decision, not document


def test_a_recorded_municipal_move_closes_the_housing_interval_as_an_inferred_end():
    table = person_table(_family_log(), as_of="2024-06-30").set_index(["interval", "case"])
    x = table.loc[("N13", "x")]
    assert (x["outcome"], bool(x["inferred_end"])) == ("reached", True)
    assert x["days"] == pytest.approx(91.0 - 1 / 24)  # the clocks go forward on 31 March
    assert not table.loc[("N13", "r"), "inferred_end"]
    # and the report counts it: the intervals table (sheet "Throughput times")
    from toolkit.bottlenecks import interval_summary

    summary = interval_summary(_family_log(), as_of="2024-06-30").set_index("interval")
    assert summary.loc["N13", "inferred_end"] == 1


def test_who_left_the_chain_is_not_in_the_waiting_population():
    table = person_table(_family_log(), as_of="2024-06-30")
    n13 = table[table["interval"] == "N13"].set_index("case")
    assert n13.loc["y", "outcome"] == "left"
    assert "y" not in set(waiting_population(n13.reset_index())["case"])


def test_cohort_is_the_half_year_of_the_start_and_end_of_data_is_the_cut_off_day():
    table = person_table(_family_log(), as_of="2024-06-30")
    assert set(table.loc[table["interval"] == "N13", "cohort"]) == {"2024H1"}
    open_ = hand_log([("o", "ind_beschikking_inwilliging", "2024-06-30 10:00")])
    days = person_table(open_, as_of="2024-06-30").set_index("interval").loc["N13", "days"]
    assert days == pytest.approx(14 / 24)  # 10:00 to the end of the day in Amsterdam


def test_the_household_representative_is_chosen_by_content_not_by_pseudonym():
    log = _family_log()
    table = person_table(log, as_of="2024-06-30")
    kept = table[household_representatives(table)]
    renamed = log.assign(**{"case:concept:name": log["case:concept:name"].map(
        {"r": "zz", "m": "aa", "x": "x", "y": "y"})})  # fmt: skip
    again = person_table(renamed, as_of="2024-06-30")
    kept_again = again[household_representatives(again)]
    columns = ["interval", "start", "days", "outcome"]
    assert_same = kept[columns].reset_index(drop=True).sort_values(columns, ignore_index=True)
    other = kept_again[columns].reset_index(drop=True).sort_values(columns, ignore_index=True)
    pd.testing.assert_frame_equal(assert_same, other)
    n13 = kept[kept["interval"] == "N13"]
    assert set(n13["case"]) == {"r", "x", "y"}  # in H the member whose interval starts first


def _rounded(record: dict) -> dict:
    return {k: float(f"{v:.10g}") if isinstance(v, float) else v for k, v in record.items()}


@pytest.mark.slow
def test_the_whole_analysis_is_the_same_under_two_keys(chain_log_dir, tmp_path):
    other = tmp_path / "other"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ingest(chain_log_dir.parent / "raw", other,
               key=Pseudonymizer(b"a-second-key-for-the-same-exports-0123456789"))  # fmt: skip
    first, second = load_and_analyze(chain_log_dir), load_and_analyze(other)
    # the same up to the order in which floats are added (persons come in pseudonym order)
    assert [_rounded(f.to_dict()) for f in first.findings] == [
        _rounded(f.to_dict()) for f in second.findings
    ]
    tables = ("intervals", "cohort_curves", "norms", "norms_by_month", "wip", "flow",
              "transitions", "rework")  # fmt: skip
    for name in tables:
        pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name), obj=name,
                                      check_exact=False, rtol=1e-9)  # fmt: skip
    assert find_bottlenecks(read_events(other / "events.parquet"))
