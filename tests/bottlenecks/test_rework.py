"""Rework: relocations per location per resident-year, the rework summary, repeated activities."""

import pandas as pd
import pytest
from chain_logs import hand_log

from toolkit.bottlenecks.rework import relocation_rates, repeated_activities, rework_summary
from toolkit.cellkeys import key_of, record_keys

LOCAL = "Europe/Amsterdam"


def _log():
    # a: Gilze (AZC) 1 Jan - 1 Jul 2023 (181 days), moved to Sneek, housed from Sneek 30 Sep
    #    (91 days at Sneek); a refused offer, an appeal
    # b: Gilze 1 Jan - 2 Apr (91 days), moved to Sneek; moved again 1 Jul (90 days at Sneek)
    #    to Gilze, where b still lives on 29 Dec (as_of): 181 days at Gilze
    # c: Ter Apel (COL) 1-4 Jan (3 days), moved to Sneek, housed 4 Apr (90 days)
    # interviews: c has two (one repeat)
    log = hand_log(
        [
            ("a", "coa_instroom", "2023-01-01 10:00", "Gilze"),
            ("a", "coa_overplaatsing", "2023-07-01 10:00", "Sneek"),
            ("a", "gem_woning_geweigerd", "2023-08-01 10:00", "GM0344"),
            ("a", "ind_beroep_ingesteld", "2023-08-02 10:00", "Den Bosch"),
            ("a", "coa_uitstroom_gemeente", "2023-09-30 10:00", "Sneek"),
            ("b", "coa_instroom", "2023-01-01 10:00", "Gilze"),
            ("b", "coa_overplaatsing", "2023-04-02 10:00", "Sneek"),
            ("b", "coa_overplaatsing", "2023-07-01 10:00", "Gilze"),
            ("c", "coa_instroom", "2023-01-01 10:00", "Ter Apel"),
            ("c", "coa_overplaatsing", "2023-01-04 10:00", "Sneek"),
            ("c", "ind_nader_gehoor", "2023-02-01 10:00", "Zevenaar"),
            ("c", "ind_nader_gehoor", "2023-03-01 10:00", "Zevenaar"),
            ("c", "coa_uitstroom_gemeente", "2023-04-04 10:00", "Sneek"),
        ]
    )
    log["location_type"] = log["org:resource"].map(
        {"Gilze": "AZC", "Sneek": "AZC", "Ter Apel": "COL"}
    )
    return log


def test_relocations_per_location_as_origin_per_resident_year():
    table = relocation_rates(_log(), as_of=pd.Timestamp("2023-12-29 10:00", tz=LOCAL), min_group=1)
    table = table.set_index("location")
    # Gilze: moves out a (1 Jul) and b (2 Apr) = 2; days 181 (a) + 91 + 181 (b) = 453
    # Sneek: moves out b (1 Jul) = 1; days 91 (a) + 90 (b) + 90 (c) = 271
    # Ter Apel: move out c = 1; 3 days. Time is elapsed time: a and b's first Gilze stays and
    # c's Sneek stay lose the hour of the spring clock change, b's last one gains an hour back,
    # so Gilze has 453 days less an hour, Sneek 271 less an hour.
    gilze, sneek = 453 - 1 / 24, 271 - 1 / 24
    assert table.loc["Gilze", "relocations"] == 2
    assert table.loc["Gilze", "resident_years"] == pytest.approx(gilze / 365.25)
    assert table.loc["Gilze", "rate"] == pytest.approx(2 / (gilze / 365.25))
    assert table.loc["Sneek", "relocations"] == 1
    assert table.loc["Sneek", "resident_years"] == pytest.approx(sneek / 365.25)
    # Gilze's rest is Sneek (the other AZC); Ter Apel is a COL, compared with no one, not tested
    assert table.loc["Gilze", "rest_rate"] == pytest.approx(1 / (sneek / 365.25))
    assert table.loc["Gilze", "extra_relocations"] == pytest.approx(2 - gilze / sneek)
    assert table.loc["Gilze", "residents"] == 2
    assert pd.isna(table.loc["Ter Apel", "p_value"])
    assert table.index[0] == "Gilze"  # most extra relocations first


def test_rework_summary_by_hand():
    table = rework_summary(_log()).set_index("kind")
    assert table.loc["relocation", ["persons", "events"]].tolist() == [3, 4]
    assert table.loc[
        "relocation", ["persons_0", "persons_1", "persons_2", "persons_3+"]
    ].tolist() == [0, 2, 1, 0]
    assert table.loc["refused_offer", ["persons", "events"]].tolist() == [1, 1]
    assert table.loc["interview", ["persons", "events"]].tolist() == [1, 1]  # c's repeat only
    assert table.loc["appeal", ["persons", "events"]].tolist() == [1, 1]


def test_repeated_activities_on_any_log():
    log = hand_log(
        [
            ("x", "check", "2024-01-01 10:00"),
            ("x", "fix", "2024-01-02 10:00"),
            ("x", "check", "2024-01-03 10:00"),
            ("x", "check", "2024-01-04 10:00"),
            ("y", "check", "2024-01-01 10:00"),
        ]
    )
    table = repeated_activities(log).set_index("activity")
    figures = ["cases", "cases_repeated", "repeats", "share_repeated"]
    assert table.loc["check", figures].tolist() == [2, 1, 2, 0.5]
    assert table.loc["fix", "repeats"] == 0
    # beside each count the record keys of its cases summed; a repeat keyed by its case's
    x, y = record_keys(pd.Series(["x", "y"]))
    keys = [key_of(c) for c in figures[:3]]
    assert table.loc["check", keys].tolist() == [x + y, x, 2 * x]


def test_gilze_relocates_most(default_world):
    cfg, _, log = default_world
    table = relocation_rates(log, as_of=cfg.cutoff)
    tested = table[table["p_value"].notna()]
    assert tested.iloc[0]["location"] == "Gilze"
    assert bool(tested.iloc[0]["significant"])
    assert tested.iloc[0]["ratio"] > 2
    assert tested["significant"].sum() == 1  # the other AZCs are not flagged


def test_ranks_are_those_of_np_unique():
    import numpy as np

    from toolkit.bottlenecks.stays import _ranks

    codes = np.random.default_rng(6).integers(0, 300, 2_000) * 7
    present, rank = _ranks(codes)
    expected, inverse = np.unique(codes, return_inverse=True)
    assert present.tolist() == expected.tolist()
    assert rank.tolist() == inverse.tolist()
