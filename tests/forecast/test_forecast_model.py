"""The transition model's curves, by hand."""

from __future__ import annotations

import pandas as pd

from toolkit.forecast.model import joining_start, window_km

MOMENT = pd.Timestamp("2025-01-01", tz="UTC")


def test_a_wait_whose_end_the_log_misses_is_over_not_still_running():
    # nine permits 5 days after the grant; the tenth has no permit in the log but a koppeling
    # 20 days after its grant: it got its permit, unrecorded
    grant = pd.Series(pd.date_range("2024-10-01", periods=10, freq="D", tz="UTC"))
    permit = (grant + pd.Timedelta(days=5)).where(grant.index < 9)
    koppeling = grant + pd.Timedelta(days=20)
    held_up = window_km(grant, permit, MOMENT)
    assert held_up.persons == 10 and held_up.survival[-1] == 0.1  # one in ten waiting for ever
    over = window_km(grant, permit, MOMENT, later=koppeling)
    assert over.persons == 9 and over.completed == 9
    assert over.times.tolist() == [5.0] and over.survival.tolist() == [0.0]
    # without the later milestone before the moment it is still waiting, as before
    unseen = window_km(grant, permit, MOMENT, later=koppeling + pd.Timedelta(days=365))
    assert unseen.persons == 10 and unseen.survival[-1] == 0.1


def test_a_family_waits_to_join_from_its_koppeling_or_the_referents_move_whichever_is_later():
    day = pd.Timestamp("2024-06-01", tz="UTC")
    units = pd.DataFrame(
        {
            "household": ["a", "a", "b", "b", "c", "c"],
            "nareis": [False, True, False, True, False, True],
            # a: referent housed before the family's koppeling; b: after it; c: still waiting
            "koppeling": [day, day + pd.Timedelta(days=50), day, day + pd.Timedelta(days=5),
                          day, day + pd.Timedelta(days=5)],
            "move_out": [day + pd.Timedelta(days=30), pd.NaT, day + pd.Timedelta(days=40),
                         pd.NaT, pd.NaT, pd.NaT],
        },
        index=["a", "a/nareis", "b", "b/nareis", "c", "c/nareis"],
    )  # fmt: skip
    start = joining_start(units, MOMENT)
    assert start["a/nareis"] == day + pd.Timedelta(days=50)
    assert start["b/nareis"] == day + pd.Timedelta(days=40)
    assert pd.isna(start["c/nareis"])
    # a referent's move after the moment is still to come
    assert pd.isna(joining_start(units, day + pd.Timedelta(days=35))["b/nareis"])
