"""The state at the as-of moment on a log small enough to check by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.eventlog import ACTIVITY, CASE, HOUSEHOLD, MUNICIPALITY, TIMESTAMP
from toolkit.forecast.state import unit_table

EVENTS = [
    # a household of two: permit on 1 March, linked to Zaanstad on 15 March
    ("a1", "h1", "ind_aanmelding", "2024-01-02", None, "aa_va"),
    ("a2", "h1", "ind_aanmelding", "2024-01-02", None, "aa_va"),
    ("a1", "h1", "ind_aanvraag", "2024-01-05", None, "aa_va"),
    ("a2", "h1", "ind_aanvraag", "2024-01-05", None, "aa_va"),
    ("a1", "h1", "ind_spoortoedeling", "2024-01-20", None, "aa_va"),
    ("a2", "h1", "ind_spoortoedeling", "2024-01-20", None, "aa_va"),
    ("a1", "h1", "ind_beschikking_inwilliging", "2024-02-20", None, "aa_va"),
    ("a2", "h1", "ind_beschikking_inwilliging", "2024-02-20", None, "aa_va"),
    ("a1", "h1", "ind_vergunning_uitgereikt", "2024-03-01", None, "aa_va"),
    ("a2", "h1", "ind_vergunning_uitgereikt", "2024-03-01", None, "aa_va"),
    ("a1", "h1", "coa_koppeling", "2024-03-15", "GM0479", "aa_va"),
    ("a2", "h1", "coa_koppeling", "2024-03-15", "GM0479", "aa_va"),
    # one person still waiting for a decision; the track comes only later
    ("b1", "h2", "ind_aanmelding", "2024-02-01", None, "veilig_land"),
    ("b1", "h2", "ind_aanvraag", "2024-02-10", None, "veilig_land"),
    ("b1", "h2", "ind_spoortoedeling", "2024-04-10", None, "veilig_land"),
]


@pytest.fixture
def log() -> pd.DataFrame:
    frame = pd.DataFrame(EVENTS, columns=[CASE, HOUSEHOLD, ACTIVITY, TIMESTAMP, MUNICIPALITY,
                                          "case:track"])  # fmt: skip
    frame[TIMESTAMP] = pd.to_datetime(frame[TIMESTAMP]).dt.tz_localize("UTC")
    frame["case:nationality"] = "Syrië"
    return frame


def test_phases_and_waits_at_the_moment(log):
    units = unit_table(log, pd.Timestamp("2024-03-10", tz="UTC"))
    assert units.loc["h1", "size"] == 2
    assert units.loc["h1", "phase"] == "permit"  # permitted, the koppeling is after the moment
    assert units.loc["h1", "elapsed"] == 9.0
    assert pd.isna(units.loc["h1", "municipality"])
    assert units.loc["h2", "phase"] == "decision"
    assert units.loc["h2", "elapsed"] == 29.0  # since the application
    assert units.loc["h2", "track"] == ""  # not assigned before the moment


def test_later_events_are_ignored_until_they_happen(log):
    units = unit_table(log, pd.Timestamp("2024-05-01", tz="UTC"))
    assert units.loc["h1", "phase"] == "housing"
    assert units.loc["h1", "municipality"] == "GM0479"
    assert units.loc["h1", "elapsed"] == 47.0
    assert units.loc["h2", "track"] == "veilig_land"
