"""Benchmark: fidelity of the calibrated chain simulation on the million-event log, and its speed.

The back-test (toolkit.scenario.fidelity) simulates the last twelve months from the state twelve
months before the end and compares with what happened, for ketenlens and for pm4py's play-out of
a performance DFG discovered from the same log. Figures are printed (docs/method.md quotes them);
the comparison with pm4py is asserted, as in tests/scenario/test_fidelity.py on a small log.

Also printed, not asserted: the seconds of a 24-month scenario with its base on the whole log and
on the dashboard's sample of the households (toolkit.scenario.run.SAMPLE_PERSONS: preparing the
model, the base, the scenario), and how far the sample's figures, scaled back, lie from the whole
log's run.
"""

import time
from pathlib import Path

from toolkit.eventlog import read_events
from toolkit.scenario.fidelity import backtest
from toolkit.scenario.run import SAMPLE_PERSONS, Levers, ScenarioModel, run_scenario, sample_share

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
    started = time.perf_counter()
    whole = run_scenario(log, Levers(inflow=4.0), months=24)
    print(
        f"scenario x4 inflow, 24 months, base and scenario: {time.perf_counter() - started:.1f} s"
    )
    share = sample_share(log, SAMPLE_PERSONS)
    started = time.perf_counter()
    model = ScenarioModel(log, months=24, sample=share)
    prepared = time.perf_counter() - started
    started = time.perf_counter()
    model.base()
    based = time.perf_counter() - started
    started = time.perf_counter()
    sampled = model.result(Levers(inflow=4.0))
    print(
        f"dashboard sample of {share:.1%} of the households: model {prepared:.1f} s (once), "
        f"base {based:.1f} s (once), scenario x4 {time.perf_counter() - started:.1f} s"
    )
    print("sample against the whole log, summed absolute error over the summed figure per month:")
    for run in ("base", "scenario"):
        figures = []
        for metric in ("inflow", "wip_total", "coa_occupancy", "wip:huisvesting",
                       "wait_median_days:N13", "arrivals"):  # fmt: skip
            a, b = (_monthly(r.table, run, metric) for r in (whole, sampled))
            figures.append(f"{metric} {(a - b).abs().sum() / a.abs().sum():.1%}")
        print(f"  {run}: " + ", ".join(figures))


def _monthly(table, run: str, metric: str):
    rows = table[table["run"] == run]
    if metric == "arrivals":  # national: every municipality's arrivals
        rows = rows[rows["metric"].str.startswith("arrivals:")]
        return rows.groupby("month")["value"].sum()
    return rows[rows["metric"] == metric].set_index("month")["value"].astype(float)
