"""All norms' intervals in one pass over the events agree with the one definition of an interval."""

from dataclasses import replace

import pandas as pd
import pytest
from chain_logs import as_of

from toolkit.bottlenecks.common import end_of_data
from toolkit.bottlenecks.intervals import person_intervals
from toolkit.chain import load_chain
from toolkit.chain.intervals import interval_bounds
from toolkit.eventlog import TIMESTAMP


@pytest.fixture(scope="module")
def world(default_world):
    cfg, _, log = default_world
    return log, end_of_data(log, as_of(cfg))


def test_every_norm_starts_and_ends_as_interval_bounds_says(world):
    log, moment = world
    seen = log[log[TIMESTAMP] <= moment]
    for norm in load_chain().norms:
        people = person_intervals(log, norm, as_of=moment)
        truth = interval_bounds(seen, norm)
        pd.testing.assert_frame_equal(people[["case", "start", "end"]], truth, obj=norm.id)


def test_events_out_of_order_give_the_same_intervals(world):
    log, moment = world
    shuffled = log.sample(frac=1.0, random_state=3)
    for norm in load_chain().norms[:4]:
        pd.testing.assert_frame_equal(
            person_intervals(shuffled, norm, as_of=moment),
            person_intervals(log, norm, as_of=moment),
            obj=norm.id,
        )


def test_a_norm_outside_the_chain_is_measured_on_its_own(world):
    log, moment = world
    chain = load_chain()
    n13 = chain.norm("N13")
    mine = replace(n13, id="N13-local", value=n13.value + 7)
    pd.testing.assert_frame_equal(
        person_intervals(log, mine, as_of=moment), person_intervals(log, n13, as_of=moment)
    )
