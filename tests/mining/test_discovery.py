"""Known answers for toolkit/mining/discovery.py: the inductive miner and fitness against it."""

from __future__ import annotations

import pandas as pd
import pytest
from mining_logs import path_log, shuffled
from permit_logs import permit_log

from toolkit.mining.discovery import discover_model, fitness_against_model

pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")

# Four persons: a -> b -> c three times, a -> c once (b is optional).
HAND = path_log(
    {"p1": ["a", "b", "c"], "p2": ["a", "b", "c"], "p3": ["a", "b", "c"], "p4": ["a", "c"]}
)


def test_a_sequence_with_an_optional_step() -> None:
    model = discover_model(HAND, noise_threshold=0.0)
    assert model.activities == frozenset({"a", "b", "c"})
    assert model.visible_transitions == 3
    # Skipping b needs one silent transition; the net is a->b->c with a bypass around b.
    assert model.silent_transitions == 1
    assert model.transitions == 4
    assert model.places == 4
    assert model.arcs == 8
    assert model.noise_threshold == 0.0


def test_with_no_noise_filter_every_path_of_the_log_fits() -> None:
    model = discover_model(HAND, noise_threshold=0.0)
    fitness = fitness_against_model(HAND, model)
    assert fitness.log_fitness == 1.0
    assert fitness.fitting_share == 1.0


def test_another_log_is_measured_against_the_model() -> None:
    model = discover_model(HAND, noise_threshold=0.0)
    other = path_log({"q1": ["a", "b", "c"], "q2": ["a", "c", "b"]})
    fitness = fitness_against_model(other, model)
    assert fitness.fitting_share == 0.5
    assert fitness.cases.set_index("case").loc["q1", "fits"]


def test_the_noise_threshold_is_checked() -> None:
    with pytest.raises(ValueError, match="noise_threshold"):
        discover_model(HAND, noise_threshold=1.5)


def test_row_order_does_not_change_the_model() -> None:
    first = discover_model(HAND)
    again = discover_model(shuffled(HAND))
    assert (first.places, first.transitions, first.arcs) == (
        again.places,
        again.transitions,
        again.arcs,
    )


def test_running_example_model_and_fitness_match_pm4py(running_example: pd.DataFrame) -> None:
    import pm4py

    model = discover_model(running_example, noise_threshold=0.0)
    assert len(model.activities) == 8
    fitness = fitness_against_model(running_example, model)
    theirs = pm4py.fitness_alignments(
        running_example, model.net, model.initial_marking, model.final_marking
    )
    assert fitness.fitting_share * 100 == pytest.approx(theirs["percentage_of_fitting_traces"])
    assert fitness.mean_case_fitness == pytest.approx(theirs["average_trace_fitness"])
    # pm4py's log fitness also counts a tiny cost per silent step; ours counts whole moves.
    assert fitness.log_fitness == pytest.approx(theirs["log_fitness"], abs=1e-3)
    assert fitness.log_fitness == 1.0


def test_a_log_of_hundreds_of_activities_is_discovered_on_its_most_common_ones() -> None:
    log = permit_log(cases=150)
    model = discover_model(log, max_activities=20)
    in_cases = log.groupby("concept:name")["case:concept:name"].nunique()
    ranked = in_cases.reset_index().sort_values(
        ["case:concept:name", "concept:name"], ascending=[False, True]
    )
    kept = set(ranked["concept:name"].head(20))
    assert model.activities <= kept
    assert model.log_activities == log["concept:name"].nunique() > 300
    assert model.event_share == pytest.approx(log["concept:name"].isin(kept).mean())
    assert 0.2 < model.event_share < 1.0


def test_a_log_of_few_activities_is_discovered_whole() -> None:
    model = discover_model(HAND, max_activities=3)
    assert (model.log_activities, model.event_share) == (3, 1.0)
