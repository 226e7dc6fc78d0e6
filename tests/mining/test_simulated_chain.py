"""The mining functions on the simulated chain: conformance to the reference and handovers.

The simulation (toolkit/synthetic) plays the chain's rules, so most persons should follow the
reference process or be on their way along it. Its persons are turned into an event-log-shaped
frame the way the adapters would: local Dutch time to UTC, the organisation from the chain.

Figures for 1,000 asylum seekers, seed 3 (about 1,200 persons with the nareizigers), with the
simulation as of 28 November 2026 (the test prints them; the simulation is still being tuned, so
the thresholds below leave room): log fitness 0.96, mean case fitness 0.96, about 60 % complete
paths of the reference and 70 % on track (a complete path, or one under way that follows the
reference so far). The rest are paths the simulation produces and the reference does not allow,
reported as deviations: nareizigers who join their family's home without an offer or a lease of
their own (13 %), a Dublin claim that ends in the general procedure with a second track
assignment (6-8 %), track-2 rejections without rest period and detailed interview (7-9 %) and a
new rejection after an upheld appeal (2 %). Departures through ``coa_uitstroom_mob`` are outside
the reference, so those persons show ``coa_uitstroom_vertrek`` as still expected.
"""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.chain import load_chain
from toolkit.mining import conformance_to_reference, handovers, performance_dfg

pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")

LOCAL_ZONE = "Europe/Amsterdam"
PERSONS = 1000
SEED = 3


@pytest.fixture(scope="module")
def chain_log() -> pd.DataFrame:
    from toolkit.synthetic.config import load_config
    from toolkit.synthetic.simulation import simulate

    world = simulate(load_config(), PERSONS, SEED)
    events = world.events
    organisation = {a.id: a.organisation for a in load_chain().activities}
    activity = events["activity"].astype(str)
    return pd.DataFrame(
        {
            "case:concept:name": events["person"].astype(str),
            "concept:name": activity,
            "time:timestamp": events["local_time"]
            .dt.tz_localize(LOCAL_ZONE, ambiguous="raise", nonexistent="raise")
            .dt.tz_convert("UTC"),
            "org:group": activity.map(organisation),
            "org:resource": events["resource"],
            # The order in which the simulation emitted its events: the source order.
            "source_row": events["seq"],
        }
    )


def test_the_frame_is_an_event_log(chain_log: pd.DataFrame) -> None:
    assert str(chain_log["time:timestamp"].dt.tz) == "UTC"
    assert chain_log["org:group"].notna().all()
    assert set(chain_log["org:group"]) == {"IND", "COA", "GEMEENTE"}


def test_most_persons_follow_the_reference(chain_log: pd.DataFrame) -> None:
    result = conformance_to_reference(chain_log)
    print(
        f"\nsimulated chain, {len(result.cases)} persons: log fitness {result.log_fitness:.3f}, "
        f"mean case fitness {result.mean_case_fitness:.3f}, "
        f"complete paths {result.fitting_share:.1%}, on track {result.on_track_share:.1%}"
    )
    print(result.deviations.head(8).to_string())
    assert result.unaligned_cases == 0
    assert result.unreplayed_cases == 0
    assert len(result.cases) == chain_log["case:concept:name"].nunique()
    assert result.log_fitness > 0.93
    assert result.mean_case_fitness > 0.93
    assert result.on_track_share > 0.65
    assert result.fitting_share > 0.5
    # Relocations and municipal follow-up are outside the reference and are only counted.
    assert result.cases["outside_model"].sum() > 0


def test_handovers_ind_coa_gemeente_with_positive_delays(chain_log: pd.DataFrame) -> None:
    table = handovers(chain_log).set_index(["from_org", "to_org"])
    for edge in (("IND", "COA"), ("COA", "GEMEENTE")):
        assert table.loc[edge, "handovers"] > 0
        assert table.loc[edge, "median_days"] > 0
        assert table.loc[edge, "mean_days"] > 0
        assert table.loc[edge, "p90_days"] >= table.loc[edge, "median_days"]
    # Every person starts with the IND (or arrives as a nareiziger) and reaches COA reception.
    assert table.loc[("IND", "COA"), "cases"] == chain_log["case:concept:name"].nunique()


def test_every_event_but_a_persons_last_starts_one_dfg_edge(chain_log: pd.DataFrame) -> None:
    graph = performance_dfg(chain_log)
    persons = chain_log["case:concept:name"].nunique()
    assert graph.edges["frequency"].sum() == len(chain_log) - persons
    assert sum(graph.start_activities.values()) == persons
    assert (graph.edges["min_days"] >= 0).all()
