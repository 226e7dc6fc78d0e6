"""The koppeling under the taakstelling with the backlog carried over, by hand; the spread of
the rule learnt back from koppelingen made under it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.chain import load_chain
from toolkit.forecast.allocation import Koppelingen, link
from toolkit.forecast.model import (
    allocation_spread,
    due_and_linked,
    half_year,
    half_year_start,
    population_shares,
)

RNG = np.random.default_rng(5)


def test_the_municipality_furthest_behind_gets_the_next_household():
    shares = np.array([0.5, 0.5, 0.0])
    none = np.full(6, -1)
    # A is two persons behind: its backlog and share win the first two, then they alternate
    # B two persons ahead (second run, linked in the same step): A catches up first; nobody
    # goes where the share is nil
    first, second = link(
        [Koppelingen(np.ones(6), none, none, shares), Koppelingen(np.ones(4), none[:4], none[:4],
                                                                  shares)],
        np.array([2.0, 0.0, 0.0]), 0.0, RNG,
    )  # fmt: skip
    assert first.tolist() == [0, 0, 0, 1, 0, 1]
    (second,) = link([Koppelingen(np.ones(4), none[:4], none[:4], shares)],
                     np.array([0.0, -2.0, 5.0]), 0.0, RNG)  # fmt: skip
    assert second.tolist() == [0, 0, 0, 1]


def test_known_municipalities_and_families_count_for_where_they_went():
    shares = np.array([0.5, 0.5])
    fixed = np.array([1, -1, -1, -1])
    follows = np.array([-1, -1, 1, -1])  # the third joins the second's municipality
    (out,) = link(
        [Koppelingen(np.array([2.0, 1.0, 3.0, 1.0]), fixed, follows, shares)], np.zeros(2), 0.0, RNG
    )
    # 2 to B (fixed): A is 1 behind and gets the next; its family of 3 follows; then B is behind
    assert out.tolist() == [1, 0, 0, 1]


def test_backlog_from_the_log_is_each_half_years_share_minus_what_came():
    chain = load_chain()
    codes = ("GM0363", "GM0599", "GM0344")
    first = half_year_start("2024-I") + pd.Timedelta(days=40)
    second = half_year_start("2024-II") + pd.Timedelta(days=10)
    units = pd.DataFrame(
        {
            "koppeling": [first, first, second, pd.NaT],
            "municipality": [codes[0], codes[1], codes[1], None],
            "size": [3, 2, 4, 1],
        }
    )
    moment = half_year_start("2025-I")
    due, linked = due_and_linked(units, moment, chain, codes)
    backlog = due - linked
    assert linked.tolist() == [3, 6, 0]
    share = population_shares(
        chain, half_year_start("2024-I").tz_convert("Europe/Amsterdam").date()
    )
    # 2024-I: 5 persons linked, 2024-II: 4, all among these three municipalities' shares
    expected = [5 * share[codes[0]] + 4 * share[codes[0]] - 3,
                5 * share[codes[1]] + 4 * share[codes[1]] - 2 - 4,
                5 * share[codes[2]] + 4 * share[codes[2]]]  # fmt: skip
    assert np.allclose(backlog, expected, atol=1e-9)


def test_a_wide_spread_links_by_share_alone_and_a_narrow_one_evens_out():
    shares = np.array([0.8, 0.2, 0.0])
    none = np.full(20_000, -1)
    run = Koppelingen(np.ones(20_000), none, none, shares)
    (wide,) = link([run], np.zeros(3), 1e9, np.random.default_rng(1))
    assert abs((wide == 0).mean() - 0.8) < 0.01 and not (wide == 2).any()
    # a spread of one person: nobody gets more than a couple of persons ahead of its share
    (narrow,) = link([run], np.zeros(3), 1.0, np.random.default_rng(2))
    received = np.cumsum(narrow[:, None] == np.arange(3), axis=0)
    due = np.arange(1, 20_001)[:, None] * shares
    assert np.abs(received - due)[:, :2].max() < 8
    assert np.abs(received - due)[:, :2].max() > 1  # not the clockwork of spread 0


def test_the_spread_is_learnt_back_from_koppelingen_made_under_it():
    chain = load_chain()
    codes = ("GM0363", "GM0599", "GM0344", "GM0014", "GM0855")
    moment = half_year_start("2025-I")
    times = moment - pd.to_timedelta(np.linspace(300, 1, 3_000), unit="D")
    rng = np.random.default_rng(3)
    sizes = rng.choice([1, 1, 2, 3, 5], len(times)).astype(float)
    behind, chosen = np.zeros(len(codes)), []
    for t, size in zip(times, sizes, strict=True):
        day = half_year_start(half_year(t)).tz_convert("Europe/Amsterdam").date()
        share = population_shares(chain, day).reindex(list(codes)).to_numpy()
        behind += share * size
        weight = share * np.exp((behind - behind.max()) / 1.5)
        m = rng.choice(len(codes), p=weight / weight.sum())
        chosen.append(codes[m])
        behind[m] -= size
    units = pd.DataFrame({"koppeling": times, "municipality": chosen, "size": sizes,
                          "nareis": False})  # fmt: skip
    assert allocation_spread(units, moment, chain, codes) == pytest.approx(1.5, rel=0.2)
