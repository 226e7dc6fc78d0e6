"""The mining functions on public logs: the running example (known answers) and BPIC 2012 (smoke).

BPIC 2012 (13,087 cases, 262,200 events) shows the whole set runs on a real, mid-size log (its
speed is measured in tests/benchmarks, not here). Discovery and conformance run on a subset: the COMPLETE events of the cases that
follow the 20 most frequent variants (about 6,900 cases). On the whole log the inductive miner
takes some 16 s and alignments of its 4,366 variants minutes (long, rare variants are costly),
too slow for a unit test; the subset is what an analyst checks against a discovered model first.
"""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.mining import (
    case_variants,
    discover_model,
    fitness_against_model,
    frequency_dfg,
    handovers,
    performance_dfg,
    variants,
)

pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")

RUNNING_EXAMPLE_EDGES = {
    ("register request", "examine casually"): 3,
    ("register request", "check ticket"): 2,
    ("register request", "examine thoroughly"): 1,
    ("examine casually", "check ticket"): 4,
    ("examine casually", "decide"): 2,
    ("examine thoroughly", "check ticket"): 2,
    ("examine thoroughly", "decide"): 1,
    ("check ticket", "decide"): 6,
    ("check ticket", "examine casually"): 2,
    ("check ticket", "examine thoroughly"): 1,
    ("decide", "pay compensation"): 3,
    ("decide", "reject request"): 3,
    ("decide", "reinitiate request"): 3,
    ("reinitiate request", "check ticket"): 1,
    ("reinitiate request", "examine casually"): 1,
    ("reinitiate request", "examine thoroughly"): 1,
}
TOP_VARIANTS = 20


def test_running_example_shape(running_example: pd.DataFrame) -> None:
    assert running_example["case:concept:name"].nunique() == 6
    assert len(running_example) == 42
    assert running_example["concept:name"].nunique() == 8


def test_running_example_dfg_edges(running_example: pd.DataFrame) -> None:
    graph = frequency_dfg(running_example)
    edges = {(s, t): n for s, t, n in graph.edges[["source", "target", "frequency"]].values}
    assert edges == RUNNING_EXAMPLE_EDGES
    assert graph.start_activities == {"register request": 6}
    assert graph.end_activities == {"pay compensation": 3, "reject request": 3}


def test_running_example_performance_agrees_with_pm4py(running_example: pd.DataFrame) -> None:
    import pm4py

    graph = performance_dfg(running_example).edges.set_index(["source", "target"])
    theirs, _, _ = pm4py.discover_performance_dfg(running_example)
    for edge, stats in theirs.items():
        assert graph.loc[edge, "median_days"] == pytest.approx(stats["median"] / 86_400)
        assert graph.loc[edge, "mean_days"] == pytest.approx(stats["mean"] / 86_400)


def test_running_example_variants(running_example: pd.DataFrame) -> None:
    table = variants(running_example)
    assert len(table) == 6
    assert table["cases"].tolist() == [1] * 6
    assert table["events"].sum() == 42


def test_bpic2012_smoke(bpic2012: pd.DataFrame) -> None:
    graph = performance_dfg(bpic2012)
    assert graph.activities["frequency"].sum() == 262_200
    assert sum(graph.start_activities.values()) == 13_087
    table = variants(bpic2012)
    assert table["cases"].sum() == 13_087
    network = handovers(bpic2012, by="org:resource")
    assert (network["median_days"] >= 0).all()
    assert network["handovers"].iloc[0] == network["handovers"].max()

    complete = bpic2012[bpic2012["lifecycle:transition"] == "COMPLETE"]
    paths = case_variants(complete)
    top = set(variants(complete, top_k=TOP_VARIANTS)["variant"])
    subset = complete[
        complete["case:concept:name"].isin(paths.loc[paths["variant"].isin(top), "case"])
    ]
    model = discover_model(subset)
    assert model.visible_transitions == subset["concept:name"].nunique()
    fitness = fitness_against_model(subset, model)
    assert fitness.unaligned_cases == 0
    assert len(fitness.cases) == subset["case:concept:name"].nunique()
    assert fitness.log_fitness > 0.9
