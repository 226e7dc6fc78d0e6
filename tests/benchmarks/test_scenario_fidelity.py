"""Benchmark: fidelity of the calibrated chain simulation on the million-event log.

The back-test (toolkit.scenario.fidelity) simulates the last twelve months from the state twelve
months before the end and compares with what happened, for ketenlens and for pm4py's play-out of
a performance DFG discovered from the same log. Figures are printed (docs/method.md quotes them);
the comparison with pm4py is asserted, as in tests/scenario/test_fidelity.py on a small log.

The speed of a scenario, on the whole log and on the dashboard's sample, and how far the sample's
figures lie from the whole log's: tests/benchmarks/test_scenario_speed.py.
"""

import time
from pathlib import Path

from toolkit.eventlog import read_events
from toolkit.scenario.fidelity import backtest

SEEDS = (1, 2, 3)


def test_scenario_fidelity_and_speed(million_event_log: Path) -> None:
    log = read_events(million_event_log / "events.parquet")
    print(f"\nlog: {len(log):,} events, {log['case:concept:name'].nunique():,} persons")
    for seed in SEEDS:
        started = time.perf_counter()
        result = backtest(log, seed=seed)
        seconds = time.perf_counter() - started
        print(f"back-test seed {seed} ({seconds:.1f} s), {result.start:%Y-%m-%d} to "
              f"{result.end:%Y-%m-%d}:")  # fmt: skip
        print(result.measures.to_string(index=False, float_format=lambda v: f"{v:,.3f}"))
        by_phase = result.wip.groupby("phase")[["real", "ketenlens", "pm4py"]].mean().round(0)
        print("mean WIP per phase over the 12 months:")
        print(by_phase.to_string())
        for row in result.measures.itertuples():
            assert row.ketenlens < row.pm4py, row.measure
