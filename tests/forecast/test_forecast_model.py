"""The transition model's curves, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.bottlenecks.survival import kaplan_meier
from toolkit.forecast.model import MIN_EVENTS, joining_start, time_ratio, window_km

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


def _watched(scale: float, count: int, rng: np.random.Generator) -> pd.DataFrame:
    """Weibull waits (shape 3) begun over the four years before day 1460, seen as the forecast
    sees them: from the window's start (day 1095, delayed entry) to day 1460 (still running)."""
    start = rng.uniform(0, 1460, count)
    end = start + scale * rng.weibull(3.0, count)
    frame = pd.DataFrame({"start": start, "end": np.minimum(end, 1460.0), "ended": end < 1460})
    frame = frame[frame["end"] > 1095].copy()
    frame["days"] = frame["end"] - frame["start"]
    frame["entry"] = (1095 - frame["start"]).clip(lower=0)
    return frame


@pytest.mark.parametrize("truth", [1.0, 3.0])
def test_the_time_ratio_is_the_one_lifelines_fits_to_the_same_waits(truth, monkeypatch):
    # most waits began before the window: their entries weigh as much as their endings
    from lifelines import WeibullAFTFitter

    import toolkit.forecast.model as model

    rng = np.random.default_rng(7)
    nation = _watched(250.0, 4000, rng).assign(here=0.0)
    place = _watched(250.0 * truth, 1000, rng).assign(here=1.0)
    curve = kaplan_meier(nation["days"], ~nation["ended"], nation["entry"])
    monkeypatch.setattr(model, "RATIO_SPREAD", np.inf)  # no prior: the likelihood alone
    ours = time_ratio(curve, place["days"].to_numpy(), ~place["ended"].to_numpy(),
                      place["entry"].to_numpy())  # fmt: skip
    both = pd.concat([nation, place], ignore_index=True)[["days", "ended", "entry", "here"]]
    fitter = WeibullAFTFitter().fit(both, "days", "ended", entry_col="entry")
    theirs = float(np.exp(fitter.params_.loc[("lambda_", "here")]))
    assert abs(ours / theirs - 1) < 0.05, (ours, theirs)


def test_a_municipality_three_times_slower_with_few_move_outs_is_found_slow():
    rng = np.random.default_rng(8)
    nation = _watched(250.0, 4000, rng)
    place = _watched(750.0, 60, rng)
    assert place["ended"].sum() < MIN_EVENTS  # too few for a curve of its own
    curve = kaplan_meier(nation["days"], ~nation["ended"], nation["entry"])
    ratio = time_ratio(curve, place["days"].to_numpy(), ~place["ended"].to_numpy(),
                       place["entry"].to_numpy())  # fmt: skip
    assert 2.0 < ratio < 3.6


def test_waits_longer_than_any_the_nation_saw_end_are_slower_also_where_its_curve_reaches_zero():
    nation = _watched(250.0, 4000, np.random.default_rng(7))
    curve = kaplan_meier(nation["days"], ~nation["ended"], nation["entry"])
    assert curve.survival[-1] == 0.0  # its last wait ended: the hazard jumps by 1 there
    # two waits still running, beyond the nation's last ending or far beyond it
    for days in (np.array([400.0, 500.0]), np.array([600.0, 700.0])):
        assert time_ratio(curve, days, np.array([True, True]), days - 50.0) > 1.0
