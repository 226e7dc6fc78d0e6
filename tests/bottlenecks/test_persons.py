"""Segment values per person, read from the log: municipality, location, office, household."""

import pandas as pd
from chain_logs import hand_log

from toolkit.bottlenecks.persons import person_attributes

LOCAL = "Europe/Amsterdam"


def test_person_attributes_by_hand():
    # a: COA Ter Apel 1-4 Jan (3 days), Gilze 4-24 Jan (20 days), Sneek 24 Jan - 1 Feb (8 days,
    #    then left for a home): longest stay Gilze. Interview at Den Bosch, later event at
    #    Zevenaar: office Den Bosch. Koppeling to GM0479, a municipal event of GM0344: GM0479.
    # b: only IND events (last one at Budel); municipality from a municipal event; still at
    #    COA Dronten from 10 Jan to as_of 20 Jan (10 days) after 2 days at Ter Apel.
    # c: only an application (recorded where a person reports, not by the office that will
    #    handle the case): no office yet.
    # a and b share a household, c is alone.
    log = hand_log(
        [
            ("a", "coa_instroom", "2024-01-01 10:00", "Ter Apel"),
            ("a", "coa_overplaatsing", "2024-01-04 10:00", "Gilze"),
            ("a", "ind_nader_gehoor", "2024-01-10 10:00", "Den Bosch"),
            ("a", "coa_koppeling", "2024-01-20 10:00", "Gilze", "GM0479"),
            ("a", "coa_overplaatsing", "2024-01-24 10:00", "Sneek"),
            ("a", "ind_beschikking_inwilliging", "2024-01-25 10:00", "Zevenaar"),
            ("a", "coa_uitstroom_gemeente", "2024-02-01 10:00", "Sneek", "GM0344"),
            ("a", "gem_verhuisd", "2024-02-01 11:00", "GM0344", "GM0344"),
            ("b", "coa_instroom", "2024-01-08 10:00", "Ter Apel"),
            ("b", "coa_overplaatsing", "2024-01-10 10:00", "Dronten"),
            ("b", "ind_aanvraag", "2024-01-11 10:00", "Ter Apel"),
            ("b", "ind_aanmeldgehoor", "2024-01-12 10:00", "Budel"),
            ("b", "gem_koppeling_ontvangen", "2024-01-13 10:00", "GM0014", "GM0014"),
            ("c", "ind_aanvraag", "2024-01-05 10:00", "Schiphol"),
        ],
        **{
            "case:household": {"a": "h1", "b": "h1", "c": "h2"},
            "case:nationality": {"a": "Syrië", "b": "Syrië", "c": "Irak"},
            "case:track": {"a": "4", "b": "4", "c": "2"},
        },
    )
    table = person_attributes(log, as_of=pd.Timestamp("2024-02-20 10:00", tz=LOCAL))
    table = table.set_index("case")
    assert table.loc["a"].tolist() == ["GM0479", "Gilze", "Den Bosch", "Syrië", "4", "2"]
    # b: Dronten from 10 Jan to 20 Feb beats Ter Apel's 2 days
    assert table.loc["b"].tolist() == ["GM0014", "Dronten", "Budel", "Syrië", "4", "2"]
    assert table.loc["c"].tolist() == [None, None, None, "Irak", "2", "1"]


def test_household_sizes_from_five_on_are_one_group():
    rows = [(f"p{i}", "ind_aanvraag", "2024-01-05 10:00", "Ter Apel") for i in range(7)]
    households = {f"p{i}": ("big" if i < 6 else "small") for i in range(7)}
    table = person_attributes(hand_log(rows, **{"case:household": households}))
    assert table.set_index("case")["household_size"].tolist() == ["5+"] * 6 + ["1"]
