"""Benchmark: how soon the Wat-als page shows the base, and how long a scenario change takes.

On the million-event log, as ``ketenlens dashboard`` starts: the log is read, the home page
computed, the app made (which starts preparing the scenario model in the background), and the
page's base figures asked for at once. A cold start has no kept model (the first start on a log
version: calibration, state and base are computed and kept); a warm start reads it back. Then
per scenario change (inflow x2 and x4, IND capacity +20%, homes +30% in the municipality with
the most homes) the seconds of the page's run on its sample of the households, beside the whole
log's run (unsampled) as baseline in the same process, and how far the sample's figures lie
from the whole log's: summed absolute difference over the summed figure, over the 24 months.
Every line carries the load average: the machine is shared, and a figure measured beside other
work is slower. Printed, not asserted.
"""

import os
import time
from pathlib import Path

from dashboards.app import create_app
from dashboards.pages import scenario
from toolkit.scenario.run import Levers, ScenarioModel
from toolkit.scenario.store import MODEL_FILE
from toolkit.session import AnalysisSession

FIGURES = ("inflow", "wip_total", "coa_occupancy", "wip:huisvesting", "wait_median_days:N13",
           "share_over_norm:N13", "arrivals")  # fmt: skip


def _load() -> str:
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def _start(log_dir: Path) -> tuple[AnalysisSession, str]:
    """Start as the dashboard does and ask for the page's base figures at once."""
    started = time.perf_counter()
    session = AnalysisSession.open(log_dir)
    read = time.perf_counter() - started
    create_app(log_dir, session=session)
    serving = time.perf_counter() - started
    scenario.results(scenario.kept_model(session).model(), Levers(), session, "nl")
    based = time.perf_counter() - started
    return session, (
        f"log read {read:.1f} s, home page ready {serving:.1f} s, Wat-als base figures "
        f"{based:.1f} s after the start ({based - serving:.1f} s after serving began); {_load()}"
    )


def _monthly(table, run: str, metric: str):
    rows = table[table["run"] == run]
    if metric == "arrivals":  # national: every municipality's arrivals
        rows = rows[rows["metric"].str.startswith("arrivals:")]
        return rows.groupby("month")["value"].sum()
    return rows[rows["metric"] == metric].set_index("month")["value"].astype(float)


def _error(whole, sampled, run: str) -> str:
    out = []
    for metric in FIGURES:
        a, b = _monthly(whole, run, metric), _monthly(sampled, run, metric)
        out.append(f"{metric} {(a - b).abs().sum() / a.abs().sum():.1%}")
    return ", ".join(out)


def test_wat_als_speed(million_event_log: Path) -> None:
    files = million_event_log / ".ketenlens" / "current"
    kept = (files if files.is_dir() else million_event_log) / MODEL_FILE
    kept.unlink(missing_ok=True)
    _, cold = _start(million_event_log)
    print(f"\ncold start (no kept model): {cold}")
    session, warm = _start(million_event_log)
    print(f"warm start (model read back): {warm}")
    model = scenario.kept_model(session).model()
    print(f"{session.persons:,} persons; the page simulates {model.sample:.1%} of the households")

    started = time.perf_counter()
    whole = ScenarioModel(session.log, months=scenario.MONTHS)
    calibrated = time.perf_counter() - started
    started = time.perf_counter()
    whole_base = whole.result(Levers()).table
    print(f"whole log (baseline): model {calibrated:.1f} s, base {time.perf_counter() - started:.1f}"
          f" s; {_load()}")  # fmt: skip
    print(
        f"  base, sample against whole: {_error(whole_base, model.result(Levers()).table, 'base')}"
    )
    homes = max(whole.calibration.capacities.housing.items(), key=lambda kv: kv[1])[0]
    changes = {
        "inflow x2": Levers(inflow=2.0),
        "inflow x4": Levers(inflow=4.0),
        "IND +20%": Levers(ind_capacity=1.2),
        f"homes +30% {homes}": Levers(homes={homes: 1.3}),
    }
    for name, levers in changes.items():
        started = time.perf_counter()
        scenario.results(model, levers, session, "nl")
        page = time.perf_counter() - started
        page_load = _load()
        started = time.perf_counter()
        full = whole.result(levers).table
        baseline = time.perf_counter() - started
        print(f"{name}: page {page:.1f} s ({page_load}), whole log {baseline:.1f} s ({_load()})")
        print(
            f"  scenario, sample against whole: {_error(full, model.result(levers).table, 'scenario')}"
        )
