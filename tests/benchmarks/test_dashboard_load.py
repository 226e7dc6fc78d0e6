"""Benchmark: the dashboard under load and over many filters, on a log of about a million events
(printed, not asserted; run with `.venv/bin/python -m pytest tests/benchmarks/test_dashboard_load.py
-s --benchmarks`, or KETENLENS_BENCH_LOG=event_logs/NAME for an existing log).

Served by waitress as `ketenlens dashboard` serves it, the home page's two callbacks posted as a
browser posts them (both at once, :mod:`test_dashboard_speed`). Printed:

- 25 simulated users, each changing the filter every 5 s on average (exponential pauses) for
  2 minutes, each change a filter drawn from a pool of about sixty (municipalities, tracks,
  nationalities, cohorts, periods, organisations and combinations): changes, errors, median and
  p95 of the time until both answers (goal: p95 < 1 s, no errors);
- 500 distinct filters in sequence (cohort windows, periods, municipalities with a track): the
  resident memory of the server's process after the first 50 and after all 500 (goal: within
  10% of each other), and the time per change.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from test_dashboard_speed import _both, _home_callbacks, _p95, _serving

from toolkit.eventlog import CASE, MUNICIPALITY
from toolkit.filters import LogFilter

USERS = 25
MINUTES = 2.0
PAUSE = 5.0  # seconds between a user's changes, on average
SEQUENCE = 500
FIRST = 50
SEED = 5


def _rss_mb() -> float:
    """The resident memory of this process (the server runs in it), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


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
    with _serving(million_event_log) as (address, session, _):
        home = list(_home_callbacks(address).values())
        pool = _pool(session)
        times: list[float] = []
        errors: list[str] = []
        until = time.perf_counter() + MINUTES * 60
        shared = (address, home, pool)
        users = [
            threading.Thread(target=_user, args=(*shared, SEED + i, until, times, errors))
            for i in range(USERS)
        ]
        for user in users:
            user.start()
        for user in users:
            user.join()
        rss_start = _rss_mb()
        sequence = _sequence(session, SEQUENCE)
        one_by_one, rss_first = [], None
        for i, f in enumerate(sequence, start=1):
            one_by_one.append(_both(address, home, f.to_dict()))
            if i == FIRST:
                rss_first = _rss_mb()
        rss_last = _rss_mb()
    assert rss_first is not None
    print(
        f"\ndashboard under load, {len(session.log):,} events, {session.persons:,} persons\n"
        f"  {USERS} users changing the filter every {PAUSE:.0f} s on average for "
        f"{MINUTES:.0f} min ({len(pool)} filters): {len(times)} changes, {len(errors)} errors\n"
        + (_line("change (both callbacks)", times) if times else "")
        + f"    (goal: p95 < 1 s, no errors){' first error: ' + errors[0] if errors else ''}\n"
        f"  {SEQUENCE} distinct filters in sequence:\n"
        + _line("change (both callbacks)", one_by_one)
        + f"    resident memory: {rss_start:,.0f} MB before, {rss_first:,.0f} MB after the "
        f"first {FIRST}, {rss_last:,.0f} MB after {SEQUENCE} "
        f"({(rss_last / rss_first - 1) * 100:+.1f}%; goal within 10%)"
    )
