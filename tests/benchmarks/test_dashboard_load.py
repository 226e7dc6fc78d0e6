"""Benchmark: the dashboard under load and over many filters, on a log of about a million events
(printed, not asserted; run with `.venv/bin/python -m pytest tests/benchmarks/test_dashboard_load.py
-s --benchmarks`, or KETENLENS_BENCH_LOG=event_logs/NAME for an existing log).

Served by `ketenlens dashboard --workers N` itself, in a process of its own (N from
KETENLENS_BENCH_WORKERS, else the command's default; in workshop mode with
KETENLENS_BENCH_WORKSHOP=1), the home page's callbacks posted as a
browser posts them (at once, :mod:`test_dashboard_speed`). Printed, with the load average of
the machine before and after (the benchmark wants the cores to itself):

- 25 simulated users, each changing the filter every 5 s on average (exponential pauses) for
  2 minutes, each change a filter drawn from a pool of about sixty (municipalities, tracks,
  nationalities, cohorts, periods, organisations and combinations): changes, errors, median and
  p95 of the time until the last answer (goal: p95 < 1 s, no errors), and the processor time the
  server used per change: what the load asks of the cores, whatever else runs on the machine;
- 500 distinct filters in sequence (cohort windows, periods, municipalities with a track): the
  resident memory (RSS) of each of the server's processes after the first 50 and after all 500
  (goal: each process within 10% of itself), their sum and their proportional share (PSS: the memory the
  workers share with the process that read the log counted once), and the time per change;
- plain pm4py on the users' filters: the performance DFG and the case durations of each filtered
  log, the figures a process-mining tool recomputes on a filter change.
"""

from __future__ import annotations

import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from test_dashboard_speed import _both, _home_callbacks, _p95, plain_pm4py

from dashboards.serve import DEFAULT_WORKERS
from toolkit.eventlog import CASE, MUNICIPALITY
from toolkit.filters import LogFilter
from toolkit.session import AnalysisSession

WORKSHOP = os.environ.get("KETENLENS_BENCH_WORKSHOP") == "1"
USERS = 25
MINUTES = 2.0
PAUSE = 5.0  # seconds between a user's changes, on average
SEQUENCE = 500
FIRST = 50
SEED = 5
STARTUP = 600  # seconds for the server to read the log and compute the home page


def _memory_mb(pid: int) -> tuple[float, float]:
    """The resident memory (RSS) of a process and its proportional share (PSS), in MB."""
    figures = {}
    for name, key in (("status", "VmRSS:"), ("smaps_rollup", "Pss:")):
        with open(f"/proc/{pid}/{name}", encoding="ascii") as lines:
            figures[key] = next(int(line.split()[1]) / 1024 for line in lines
                                if line.startswith(key))  # fmt: skip
    return figures["VmRSS:"], figures["Pss:"]


def _processes(pid: int) -> list[int]:
    """The server's process and its workers."""
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
        return [pid, *(int(child) for child in children.read().split())]


def _cpu_seconds(pid: int) -> float:
    """The processor time the server's processes have used so far (user and system)."""
    total = 0
    for p in _processes(pid):
        with open(f"/proc/{p}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime and stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def _memory(pid: int) -> list[tuple[float, float]]:
    return [_memory_mb(p) for p in _processes(pid)]


def _memory_line(when: str, memory: list[tuple[float, float]]) -> str:
    each = ", ".join(f"{rss:,.0f}" for rss, _ in memory)
    total = sum(rss for rss, _ in memory)
    shared = sum(pss for _, pss in memory)
    return (f"    {when:<26} RSS per process (server, workers) {each} MB; "
            f"sum {total:,.0f} MB, PSS sum {shared:,.0f} MB\n")  # fmt: skip


def _load() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


@contextmanager
def _dashboard(log_dir: Path, workers: int) -> Iterator[tuple[str, int]]:
    """``ketenlens dashboard LOG --workers N`` on a free port: (address, process id)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-c", "from toolkit.cli import main; raise SystemExit(main())",
               "dashboard", str(log_dir), "--port", str(port), "--workers", str(workers)]  # fmt: skip
    if WORKSHOP:
        command.append("--workshop")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        started = time.monotonic()
        while time.monotonic() - started < STARTUP:
            line = process.stdout.readline()
            if "http://" in line or not line:  # the address: served
                break
        assert process.poll() is None, "the dashboard did not start"
        yield f"http://127.0.0.1:{port}/", process.pid
    finally:
        process.terminate()
        process.wait(timeout=60)


def _pool(session) -> list[LogFilter]:
    """About sixty filters a workshop would try."""
    options = session.options()
    log = session.log
    municipalities = [c for c, _ in options.municipality]
    by_size = log.groupby(CASE, observed=True)[MUNICIPALITY].first()
    largest = by_size.astype(object).value_counts().index[:20].tolist()
    chosen = [LogFilter(municipality=[code]) for code in largest if code in municipalities]
    chosen += [LogFilter(track=[value]) for value, _ in options.track]
    nationality = log["case:nationality"].astype(object).value_counts().index[:5]
    chosen += [LogFilter(nationality=[value]) for value in nationality]
    for year in (2022, 2023, 2024):
        chosen += [
            LogFilter(cohort_from=f"{year}-01-01", cohort_to=f"{year}-12-31"),
            LogFilter(period_from=f"{year}-01-01", period_to=f"{year}-12-31"),
        ]
    chosen += [LogFilter(organisation=[o]) for o, _ in options.organisation]
    chosen += [LogFilter(municipality=[code], track=["aa_va"]) for code in largest[:10]]
    chosen += [LogFilter(municipality=[code], period_from="2024-01-01") for code in largest[:5]]
    return chosen


def _sequence(session, n: int) -> list[LogFilter]:
    """``n`` distinct filters: cohort windows and periods a day apart, municipalities by track."""
    options = session.options()
    first = date.fromisoformat(options.first_day)
    municipalities = [c for c, _ in options.municipality]
    tracks = [t for t, _ in options.track]
    out: list[LogFilter] = []
    for i in range(n):
        day = first + timedelta(days=180 + i)
        if i % 3 == 0:
            out.append(LogFilter(cohort_from=day, cohort_to=day + timedelta(days=365)))
        elif i % 3 == 1:
            out.append(LogFilter(period_from=day, period_to=day + timedelta(days=365)))
        else:
            code = municipalities[(i // 3) % len(municipalities)]
            out.append(LogFilter(municipality=[code], track=[tracks[(i // 3) % len(tracks)]]))
    assert len(set(out)) == n
    return out


def _user(address: str, home: list[dict], pool: list[LogFilter], seed: int, until: float,
          times: list[float], errors: list[str]) -> None:  # fmt: skip
    rng = random.Random(seed)
    while True:
        time.sleep(rng.expovariate(1 / PAUSE))
        if time.perf_counter() >= until:
            return
        f = rng.choice(pool)
        try:
            times.append(_both(address, home, f.to_dict()))
        except Exception as error:  # every failure of a change is counted
            errors.append(f"{f.to_dict()}: {error}")


def _line(name: str, seconds: list[float]) -> str:
    return (f"    {name:<28} median {statistics.median(seconds) * 1000:6.0f} ms   "
            f"p95 {_p95(seconds) * 1000:6.0f} ms   max {max(seconds) * 1000:6.0f} ms\n")  # fmt: skip


def test_dashboard_under_load_and_over_many_filters(million_event_log: Path):
    workers = int(os.environ.get("KETENLENS_BENCH_WORKERS", DEFAULT_WORKERS))
    session = AnalysisSession.open(million_event_log)  # the filters' values, from the log
    load_before = _load()
    with _dashboard(million_event_log, workers) as (address, pid):
        memory_start = _memory(pid)
        home = _home_callbacks(address)
        pool = _pool(session)
        times: list[float] = []
        errors: list[str] = []
        until = time.perf_counter() + MINUTES * 60
        cpu = _cpu_seconds(pid)
        shared = (address, home, pool)
        users = [
            threading.Thread(target=_user, args=(*shared, SEED + i, until, times, errors))
            for i in range(USERS)
        ]
        for user in users:
            user.start()
        for user in users:
            user.join()
        load_after = _load()
        cpu = _cpu_seconds(pid) - cpu
        memory_loaded = _memory(pid)
        sequence = _sequence(session, SEQUENCE)
        one_by_one, memory_first = [], []
        for i, f in enumerate(sequence, start=1):
            one_by_one.append(_both(address, home, f.to_dict()))
            if i == FIRST:
                memory_first = _memory(pid)
        memory_last = _memory(pid)
    plain = plain_pm4py(million_event_log, pool)
    first, last = sum(r for r, _ in memory_first), sum(r for r, _ in memory_last)
    changes = [b / a - 1 for (a, _), (b, _) in zip(memory_first, memory_last, strict=True)]
    growth = ", ".join(f"{change * 100:+.1f}%" for change in changes)
    worst = max(changes, key=abs)
    print(
        f"\ndashboard under load, {len(session.log):,} events, {session.persons:,} persons, "
        f"{workers} worker(s){', workshop mode' if WORKSHOP else ''}; load average (1/5/15 min) {load_before} before, {load_after} "
        f"after the users, {_load()} at the end\n"
        f"  {USERS} users changing the filter every {PAUSE:.0f} s on average for "
        f"{MINUTES:.0f} min ({len(pool)} filters): {len(times)} changes, {len(errors)} errors\n"
        + (_line("change (the home page)", times) if times else "")
        + f"    (goal: p95 < 1 s, no errors){' first error: ' + errors[0] if errors else ''}\n"
        f"    server processor time {cpu:.0f} s in {MINUTES * 60:.0f} s: {cpu / max(len(times), 1):.2f} s "
        f"per change, {cpu / (MINUTES * 60) / (os.cpu_count() or 1):.0%} of {os.cpu_count()} "
        f"cores\n"
        f"  {SEQUENCE} distinct filters in sequence:\n"
        + _line("change (the home page)", one_by_one)
        + _memory_line("at start", memory_start)
        + _memory_line("after the users", memory_loaded)
        + _memory_line(f"after the first {FIRST}", memory_first)
        + _memory_line(f"after {SEQUENCE}", memory_last)
        + f"    growth from {FIRST} to {SEQUENCE} filters: {growth} per process (server, "
        f"workers), {(last / first - 1) * 100:+.1f}% in sum; goal: each process within 10%, "
        f"{'met' if abs(worst) <= 0.10 else 'not met'} (furthest {worst * 100:+.1f}%)\n"
        f"  plain pm4py on the users' {len(pool)} filters (perf. DFG + durations):\n"
        + _line("per filter", plain)
    )
