"""The koppeling under the taakstelling with the backlog carried over, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.chain import load_chain
from toolkit.forecast.allocation import Koppelingen, link
from toolkit.forecast.model import due_and_linked, half_year_start, population_shares


def test_the_municipality_furthest_behind_gets_the_next_household():
    shares = np.array([0.5, 0.5, 0.0])
    none = np.full(6, -1)
    # A is two persons behind: its backlog and share win the first two, then they alternate
    # B two persons ahead (second run, linked in the same step): A catches up first; nobody
    # goes where the share is nil
    first, second = link(
        [Koppelingen(np.ones(6), none, none, shares), Koppelingen(np.ones(4), none[:4], none[:4],
                                                                  shares)],
        np.array([2.0, 0.0, 0.0]),
    )  # fmt: skip
    assert first.tolist() == [0, 0, 0, 1, 0, 1]
    (second,) = link([Koppelingen(np.ones(4), none[:4], none[:4], shares)],
                     np.array([0.0, -2.0, 5.0]))  # fmt: skip
    assert second.tolist() == [0, 0, 0, 1]


def test_known_municipalities_and_families_count_for_where_they_went():
    shares = np.array([0.5, 0.5])
    fixed = np.array([1, -1, -1, -1])
    follows = np.array([-1, -1, 1, -1])  # the third joins the second's municipality
    (out,) = link(
        [Koppelingen(np.array([2.0, 1.0, 3.0, 1.0]), fixed, follows, shares)], np.zeros(2)
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
