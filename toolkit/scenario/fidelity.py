"""How well the calibrated simulation reproduces what happened, against pm4py's play-out.

The back-test cuts the log twelve months before its end, calibrates on what was known then,
simulates the twelve months from the state at the cut and compares with what really happened:

- ``wip_error``: work in progress per phase at each month's end, the summed absolute error over
  all phases and months divided by the summed real work in progress (weighted absolute
  percentage error; 0 is perfect);
- ``wait:<norm>``: per milestone interval (leg), the Wasserstein distance in days
  (:func:`scipy.stats.wasserstein_distance`) between the simulated and the real durations of the
  intervals that ended in the twelve months;
- ``cycle_time``: the same distance between the cycle times of persons who left the chain's
  care in the twelve months (first event to leaving), as Simod and Prosimos report for cases;
- ``arrivals``: the same distance between the arrival moments (days after the cut) of the new
  persons, and ``arrivals_count_error`` the relative error of their number.

The baseline is what an analyst gets from pm4py alone: a directly-follows graph with mean
durations discovered from the same log before the cut, played out (``pm4py.play_out``, the
performance variant) for as many new persons as arrived in the twelve months before the cut.
pm4py knows no state at the cut, so the persons then in the chain stay where they were.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import wasserstein_distance

from toolkit.bottlenecks.intervals import exit_activities, person_intervals
from toolkit.bottlenecks.wip import wip_phases
from toolkit.chain import load_chain
from toolkit.eventlog import ACTIVITY, CASE, TIMESTAMP
from toolkit.scenario.report import COA_OUT_PREFIX, milestone_norms, month_bounds, monthly_metrics
from toolkit.scenario.run import (
    Levers,
    ScenarioModel,
    combined_log,
    scenario_start,
    simulate_window,
)

BACKTEST_MONTHS = 12
PLAYOUT_PREFIX = "pm4py-"
SIMULATORS = ("ketenlens", "pm4py")


@dataclass
class Fidelity:
    start: pd.Timestamp
    end: pd.Timestamp
    measures: pd.DataFrame  # measure, ketenlens, pm4py (lower is better)
    wip: pd.DataFrame  # month, phase, real, ketenlens, pm4py


def pm4py_playout(past: pd.DataFrame, start: pd.Timestamp, months: int, seed: int) -> pd.DataFrame:
    """New persons played out from pm4py's performance DFG of ``past``, arriving from ``start``."""
    import pm4py
    from pm4py.algo.simulation.playout.dfg import algorithm as dfg_playout

    frame = past[[CASE, ACTIVITY, TIMESTAMP]]
    dfg, starts, ends = pm4py.discover_dfg(frame)
    performance, _, _ = pm4py.discover_performance_dfg(frame)
    year_before = start - pd.DateOffset(years=1)
    first = frame.groupby(CASE, observed=True)[TIMESTAMP].min()
    per_year = int(((first >= year_before) & (first < start)).sum())
    persons = max(1, round(per_year * months / 12))
    window = (month_bounds(start, months)[-1] - start).total_seconds()
    np.random.seed(seed)  # the play-out draws from numpy's global generator
    played = dfg_playout.apply(
        dfg,
        starts,
        ends,
        variant=dfg_playout.Variants.PERFORMANCE,
        parameters={
            "performance_dfg": performance,
            "num_traces": persons,
            "case_arrival_rate": window / persons,
        },
    )
    rows = [
        (f"{PLAYOUT_PREFIX}{i}", event[ACTIVITY], pd.Timestamp(event[TIMESTAMP]))
        for i, trace in enumerate(played)
        for event in trace
    ]
    out = pd.DataFrame(rows, columns=[CASE, ACTIVITY, TIMESTAMP])
    stamps = pd.to_datetime(out[TIMESTAMP], utc=True)
    out[TIMESTAMP] = (stamps - stamps.min() + start).dt.as_unit("us")
    return out.astype({CASE: "str", ACTIVITY: "str"})


def _wip_table(metrics: dict[str, pd.DataFrame], phases: list[str]) -> pd.DataFrame:
    frames = []
    for name, table in metrics.items():
        wip = table[table["metric"].isin([f"wip:{p}" for p in phases])]
        frames.append(
            wip.assign(phase=wip["metric"].str.removeprefix("wip:"))
            .set_index(["month", "phase"])["value"]
            .rename(name)
        )
    return pd.concat(frames, axis=1).reset_index()


def _ended(log: pd.DataFrame, norm, start, end) -> np.ndarray:
    people = person_intervals(log, norm, as_of=end)
    done = people["start"] + pd.to_timedelta(people["days"], unit="D")
    return people.loc[~people["censored"] & (done >= start) & (done < end), "days"].to_numpy()


def _cycle_times(log: pd.DataFrame, leaving: frozenset, start, end) -> np.ndarray:
    first = log.groupby(CASE, observed=True)[TIMESTAMP].min()
    left = log[log[ACTIVITY].isin(list(leaving)) | log[ACTIVITY].str.startswith(COA_OUT_PREFIX)]
    out = left.groupby(CASE, observed=True)[TIMESTAMP].min()
    out = out[(out >= start) & (out < end)]
    return ((out - first.reindex(out.index)).dt.total_seconds() / 86400.0).to_numpy()


def _arrivals(log: pd.DataFrame, start, end) -> np.ndarray:
    first = log.groupby(CASE, observed=True)[TIMESTAMP].min()
    new = first[(first >= start) & (first < end)]
    return ((new - start).dt.total_seconds() / 86400.0).to_numpy()


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(wasserstein_distance(a, b)) if len(a) and len(b) else float("nan")


def backtest(log: pd.DataFrame, *, months: int = BACKTEST_MONTHS, seed: int = 1) -> Fidelity:
    """Simulate the last ``months`` of ``log`` from the state before them; compare both simulators.

    Example::

        >>> backtest(log).measures  # doctest: +SKIP
    """
    chain = load_chain()
    end = scenario_start(log)
    start = (end.tz_convert("Europe/Amsterdam") - pd.DateOffset(months=months)).tz_convert("UTC")
    past = log[log[TIMESTAMP] < start]
    model = ScenarioModel(past, months=months, seed=seed, start=start)
    ours = simulate_window(past, model.calibration, model.state, months, Levers(), seed)
    logs = {
        "real": combined_log(log, ours.iloc[:0], end),
        "ketenlens": combined_log(past, ours, start),
        "pm4py": combined_log(past, pm4py_playout(past, start, months, seed), start),
    }
    metrics = {
        name: monthly_metrics(frame, start, months, chain=chain) for name, frame in logs.items()
    }
    wip = _wip_table(metrics, wip_phases(chain))
    real = logs["real"]
    leaving = exit_activities(chain)
    rows = []
    for name in SIMULATORS:
        sim = logs[name]
        row = {"wip_error": float((wip[name] - wip["real"]).abs().sum() / wip["real"].sum())}
        for norm in milestone_norms(chain):
            row[f"wait:{norm.id}"] = _distance(
                _ended(sim, norm, start, end), _ended(real, norm, start, end)
            )
        row["cycle_time"] = _distance(
            _cycle_times(sim, leaving, start, end), _cycle_times(real, leaving, start, end)
        )
        sim_arrivals, real_arrivals = _arrivals(sim, start, end), _arrivals(real, start, end)
        row["arrivals"] = _distance(sim_arrivals, real_arrivals)
        row["arrivals_count_error"] = abs(len(sim_arrivals) - len(real_arrivals)) / max(
            len(real_arrivals), 1
        )
        rows.append(pd.Series(row, name=name))
    measures = pd.concat(rows, axis=1).rename_axis("measure").reset_index()
    return Fidelity(start, end, measures, wip)
