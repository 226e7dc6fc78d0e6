"""The transition model's curves, by hand."""

from __future__ import annotations

import pandas as pd

from toolkit.forecast.model import window_km

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
