"""Benchmark: the dashboard on a log of about a million events (printed, not asserted; run with
`make bench` or `.venv/bin/python -m pytest tests/benchmarks/test_dashboard_speed.py -s
--benchmarks`). Set KETENLENS_BENCH_LOG=event_logs/NAME to measure an existing log instead of
generating one.

Printed:

- start-up: reading the log and computing the whole log's home page (before the first visitor);
- first load: a fresh headless Chromium opening the home page until the tiles, the journey and
  the top findings are on screen (served by waitress, as `ketenlens dashboard` serves it);
- a filter change: the server time of the home page's callbacks for a new filter (each
  municipality, each track, the largest nationalities and COA locations, a cohort year, a
  period, an organisation, and three combinations), posted as the browser posts them (one answer
  holds the tiles, the journey and the findings); median and p95.

Targets: first load under 3 s; a filter change under 500 ms at p95. The filter change is
compared with plain pm4py on the same filtered log (performance DFG and case durations), the
figures a process-mining tool recomputes on a filter change.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dash_callbacks import callback_outputs

from toolkit.analysis import EVENTS_FILE
from toolkit.eventlog import read_events
from toolkit.filters import LogFilter, apply_filter

HOME_OUTPUTS = ("kpi-tiles", "home-findings")
CHROME_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--window-size=1400,1000")  # fmt: skip


def _post(base: str, dependency: dict, data: dict) -> float:
    values = {"filter": data, "language": "nl"}
    body = {
        "output": dependency["output"],
        "outputs": callback_outputs(dependency["output"]),
        "inputs": [{**i, "value": values.get(i["id"])} for i in dependency["inputs"]],
        "changedPropIds": ["filter.data"],
        "state": [],
    }
    if len(body["outputs"]) == 1:
        body["outputs"] = body["outputs"][0]
    request = urllib.request.Request(
        base + "_dash-update-component",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
        response.read()
    return time.perf_counter() - started


def _filters(session) -> list[LogFilter]:
    options = session.options()
    chosen = [LogFilter(municipality=[code]) for code, _ in options.municipality]
    chosen += [LogFilter(track=[value]) for value, _ in options.track]
    nationality = session.log["case:nationality"].astype(object).value_counts().index[:5]
    chosen += [LogFilter(nationality=[value]) for value in nationality]
    coa = session.log[session.log["org:group"] == "COA"]
    locations = coa["org:resource"].astype(object).value_counts().index[:2]
    chosen += [LogFilter(location=[value]) for value in locations]
    chosen += [
        LogFilter(cohort_from="2024-01-01", cohort_to="2024-12-31"),
        LogFilter(period_from="2024-01-01", period_to="2024-12-31"),
        LogFilter(organisation=["COA"]),
        # combinations, as a workshop narrows down
        LogFilter(municipality=["GM0363"], track=["aa_va"]),
        LogFilter(nationality=[nationality[0]], cohort_from="2024-01-01", cohort_to="2024-12-31"),
        LogFilter(municipality=["GM0599"], period_from="2023-01-01", period_to="2023-12-31"),
    ]
    return chosen


def _both(base: str, dependencies: list[dict], data: dict) -> float:
    """Post the callbacks of one filter change at the same time, as a browser does: the time
    until the last answer. A failed answer (an HTTP error, no answer) is raised."""
    failed: list[Exception] = []

    def post(dependency: dict) -> None:
        try:
            _post(base, dependency, data)
        except Exception as error:  # raised below, in the caller's thread
            failed.append(error)

    started = time.perf_counter()
    threads = [threading.Thread(target=post, args=(d,)) for d in dependencies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failed:
        raise failed[0]
    return elapsed


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def _slowest(chosen: list[LogFilter], seconds: list[float], n: int = 3) -> str:
    ranked = sorted(zip(seconds, chosen, strict=True), key=lambda pair: -pair[0])[:n]
    return ", ".join(f"{f.to_dict()} {s * 1000:.0f} ms" for s, f in ranked)


def _first_load(address: str) -> float:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.support.ui import WebDriverWait

    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options)
    try:
        started = time.perf_counter()
        driver.get(address)
        WebDriverWait(driver, 120, poll_frequency=0.05).until(
            lambda d: d.execute_script(
                "return document.querySelector('#kpi-in-chain-value') !== null"
                " && document.querySelector('#journey-graph .main-svg') !== null"
                " && document.querySelector('#home-findings li, #home-findings p') !== null"
                " && document.querySelectorAll('[data-dash-is-loading=\"true\"]').length === 0;"
            )
        )
        return time.perf_counter() - started
    finally:
        driver.quit()


@contextmanager
def _serving(log_dir: Path) -> Iterator[tuple[str, object, float]]:
    """A fresh session and app served by waitress: (address, session, start-up seconds)."""
    from dashboards.app import create_app
    from dashboards.serve import make_server
    from toolkit.session import AnalysisSession

    started = time.perf_counter()
    session = AnalysisSession.open(log_dir)
    app = create_app(log_dir, session=session)  # as `ketenlens dashboard` starts
    startup = time.perf_counter() - started
    server = make_server(app, host="127.0.0.1", port=0)  # as `ketenlens dashboard` serves
    threading.Thread(target=server.run, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}/", session, startup
    finally:
        server.task_dispatcher.shutdown()  # the last answers out before the socket closes
        server.close()


def _home_callbacks(address: str) -> list[dict]:
    """The callbacks a filter change fires on the home page (those that answer its tiles and
    its findings), each once."""
    with urllib.request.urlopen(address + "_dash-dependencies") as response:
        dependencies = json.loads(response.read())
    ids = [{o["id"] for o in callback_outputs(d["output"])} for d in dependencies]
    return [d for d, own in zip(dependencies, ids, strict=True) if own & set(HOME_OUTPUTS)]


def _line(name: str, seconds: list[float], note: str = "") -> str:
    return (f"    {name:<34} median {statistics.median(seconds) * 1000:6.0f} ms   "
            f"p95 {_p95(seconds) * 1000:6.0f} ms{note}\n")  # fmt: skip


def plain_pm4py(log_dir: Path, chosen: list[LogFilter]) -> list[float]:
    """Plain pm4py on the log as stored, per filter: the seconds of the performance DFG and the
    case durations of the filtered log (the filtering itself not counted)."""
    import pm4py

    stored = read_events(log_dir / EVENTS_FILE)
    plain = []
    for f in chosen:
        view = apply_filter(stored, f)
        t = time.perf_counter()
        pm4py.discover_performance_dfg(view)
        pm4py.get_all_case_durations(view)
        plain.append(time.perf_counter() - t)
    return plain


def test_dashboard_speed_on_a_million_events(million_event_log: Path):
    with _serving(million_event_log) as (address, session, startup):
        first = [_first_load(address) for _ in range(3)]
        home = _home_callbacks(address)
        chosen = _filters(session)
        together = [_both(address, home, f.to_dict()) for f in chosen]
        events, persons = len(session.log), session.persons
    plain = plain_pm4py(million_event_log, chosen)
    print(
        f"\ndashboard on {events:,} events, {persons:,} persons\n"
        f"  start-up (read + home page of the whole log)  {startup:6.1f} s\n"
        f"  first load of the home page (3 fresh browsers) "
        f"{', '.join(f'{s:.2f}' for s in first)} s (target < 3 s)\n"
        f"  filter change, {len(chosen)} new filters, server time:\n"
        + _line("whole change (the home page)", together, " (target p95 < 500 ms)")
        + _line("plain pm4py (perf. DFG + durations)", plain)
        + f"    slowest changes: {_slowest(chosen, together)}"
    )
    assert len(together) == len(chosen)
