"""Benchmark: every step of the chain at about 1, 4 and 8 million events, beside its baseline,
from one run (printed, not asserted; `make bench`, or only this file with `.venv/bin/python -m
pytest tests/benchmarks/test_scaling.py -s --benchmarks`).

Each step runs as the ``ketenlens`` command a user runs, in a process of its own, and is measured
from outside: wall clock, processor time (user and system, the process and what it waited for)
and peak resident memory (``ru_maxrss`` from ``wait4``), with the machine's load average when
the step started. Each baseline runs the same way:

- generate (only when the world is not cached yet): ``ketenlens generate``;
- ingest: the bare readers on the same files (python-calamine's ``to_python`` per sheet,
  ``pyarrow.csv.read_csv`` per delimited file, :func:`test_ingest_speed._bare_read`);
- analyze (``--export`` to JSON): plain pm4py reading its three columns, then the performance
  DFG, case durations and variants (:data:`test_analyze_speed.PM4PY`);
- export XES and OCEL: ``pm4py.write_xes`` on the stored log, up to ``XES_BASELINE_EVENTS``
  events (it held 4.7 GB at 1.8 M events; beyond, it would not fit the machine);
- dashboard (``ketenlens dashboard --workers 2``): start-up until it serves (reading the log and
  the whole log's home page and filter bar; the server's peak memory so far), the first load of the home page in a fresh headless Chromium
  (:func:`test_dashboard_speed._first_load`, twice: the first browser also starts up; the
  second is not tried when the first did not see the page complete), then filter changes posted
  as a browser posts them (the home page's callbacks) with their p95, for at most
  ``FILTER_BUDGET`` seconds, and each process's resident memory after them; beside plain
  pm4py's performance DFG and case durations on the same filtered logs
  (:func:`test_dashboard_speed.plain_pm4py`).

Every step prints its figures as soon as it is measured, also when it was stopped (what it took
until then, and why), and a step that fails does not stop the others; the table at the end is
printed whatever happened before it, an interrupted run included. Each export is deleted as soon
as it is measured (the OCEL JSON of 8 M events is 5 GB).

The worlds are generated once and kept under ``KETENLENS_SCALE_DIR`` (default
``/tmp/ketenlens-scale``), one folder per number of persons (``p68000/raw``); the logs are
ingested afresh on every run. ``KETENLENS_SCALE_SIZES`` picks the sizes (default ``1,4,8``,
millions of events). On a shared machine a step is stopped when the memory still available
falls under ``KETENLENS_SCALE_FLOOR_MB`` (default 1,500 MB), and the table says so, rather than
push the machine into swap or the kernel's out-of-memory killer.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyarrow.compute as pc
import pyarrow.parquet as pq
from selenium.common.exceptions import TimeoutException
from test_analyze_speed import PEAK, PM4PY
from test_dashboard_load import _cpu_seconds, _memory
from test_dashboard_speed import _both, _first_load, _home_callbacks, _p95, _slowest

from toolkit.filters import LogFilter

# millions of events: persons generated (about 14.7 events per generated person, seed 11)
SIZES = {1: 68_000, 4: 272_000, 8: 545_000}
SEED = 11
WORKERS = 2
XES_BASELINE_EVENTS = 1_500_000
BASELINES = {"ingest": "  bare readers", "analyze": "  pm4py DFG + durations + variants",
             "export XES": "  pm4py.write_xes"}  # fmt: skip
STARTUP = 900  # seconds for the dashboard to read the log and compute the home page
FILTER_BUDGET = 300  # seconds of filter changes; the p95 is of those answered by then
HERE = Path(__file__).parent
CLI = "from toolkit.cli import main; raise SystemExit(main())"
BARE_READERS = f"""
import json, sys
sys.path.insert(0, {str(HERE)!r})
from pathlib import Path
from test_ingest_speed import _bare_read
from toolkit.adapters import builtin_profiles
raw, report = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text("utf-8"))
profiles = builtin_profiles()
rows, _, _ = _bare_read(raw, [f["path"] for f in report["files"]],
                        [profiles[f["profile"]] for f in report["files"]])
print(rows)
"""
WRITE_XES = """
import sys, warnings
warnings.simplefilter("ignore")
import pm4py
from pathlib import Path
from toolkit.eventlog import read_events
from toolkit.logdir import EVENTS_FILE, current_files
events = read_events(current_files(Path(sys.argv[1])) / EVENTS_FILE)
pm4py.write_xes(events, sys.argv[2], case_id_key="case:concept:name", show_progress_bar=False)
"""
PLAIN_FILTERS = f"""
import json, sys, warnings
warnings.simplefilter("ignore")
sys.path[:0] = [{str(HERE)!r}, {str(HERE.parent)!r}]
from pathlib import Path
from test_dashboard_speed import plain_pm4py
from selenium.common.exceptions import TimeoutException

from toolkit.filters import LogFilter
from toolkit.logdir import current_files
chosen = [LogFilter.from_dict(d) for d in json.loads(sys.argv[2])]
print(json.dumps(plain_pm4py(current_files(Path(sys.argv[1])), chosen)))
"""


def _floor_mb() -> float:
    return float(os.environ.get("KETENLENS_SCALE_FLOOR_MB", 1500))


def _available_mb() -> float:
    with open("/proc/meminfo", encoding="ascii") as lines:
        return next(int(line.split()[1]) / 1024 for line in lines
                    if line.startswith("MemAvailable:"))  # fmt: skip


def _load() -> float:
    return os.getloadavg()[0]


@dataclass
class Step:
    """What one process took: wall and processor seconds, peak resident MB, load at its start."""

    wall: float
    cpu: float
    peak_mb: float
    load: float
    stopped: str = ""
    out: str = ""

    def cell(self) -> str:
        figures = (f"{self.wall:.1f} s, CPU {self.cpu:.1f} s, {self.peak_mb / 1024:.2f} GB "
                   f"(load {self.load:.1f})")  # fmt: skip
        return f"stopped after {figures}: {self.stopped}" if self.stopped else figures


def _guard(process: subprocess.Popen) -> str:
    """Stop ``process`` (and its own children) when the machine runs short of memory."""
    if _available_mb() < _floor_mb():
        os.killpg(process.pid, signal.SIGKILL)
        return f"machine memory available under {_floor_mb():,.0f} MB"
    return ""


def _run(*args: str, python: bool = False) -> Step:
    """Run ``ketenlens ARGS`` (or ``python -c ARGS``) and measure it from outside."""
    argv = [sys.executable, "-c", *(args if python else (CLI, *args))]
    load = _load()
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as output:
        process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # fmt: skip
        stopped = ""
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            stopped = stopped or _guard(process)
            time.sleep(0.2)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        out = output.read()
    if not stopped and process.returncode != 0:
        last = out.strip().splitlines()[-1:] or ["no output"]
        stopped = f"exit {process.returncode}: {last[0][:200]}"
    return Step(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, load, stopped, out)


class Figures(dict):
    """Each step's figures by its name, printed as each is measured: a run stopped later (a
    step that fails, a machine that needs its memory back) keeps what it measured."""

    def __setitem__(self, step: str, figures: Step | str) -> None:
        super().__setitem__(step, figures)
        text = figures.cell() if isinstance(figures, Step) else figures
        print(f"  {step.strip()}: {text}", flush=True)


def _world(persons: int) -> tuple[Path, Step | None]:
    """The raw exports of ``persons`` generated persons: generated now, or kept from before."""
    root = Path(os.environ.get("KETENLENS_SCALE_DIR", "/tmp/ketenlens-scale")) / f"p{persons}"
    raw = root / "raw"
    if (raw / "dirt_manifest.json").is_file():
        return raw, None
    shutil.rmtree(root / "raw.partial", ignore_errors=True)
    step = _run("generate", "--persons", str(persons), "--seed", str(SEED), "--out",
                str(root / "raw.partial"))  # fmt: skip
    if not step.stopped:
        (root / "raw.partial").rename(raw)
    return raw, step


def _filters(log: Path) -> list[LogFilter]:
    """Filters a workshop tries (the largest municipalities, every track, the largest
    nationalities, a cohort year, a period, an organisation, combinations), from the log's
    case table alone."""
    cases = pq.read_table(log / "cases.parquet",
                          columns=["case:municipality", "case:track", "case:nationality"])  # fmt: skip

    def largest(column: str, n: int) -> list[str]:
        counts = pc.value_counts(cases[column].drop_null()).to_pylist()
        return [c["values"] for c in sorted(counts, key=lambda c: -c["counts"])[:n]]

    municipalities = largest("case:municipality", 8)
    chosen = [LogFilter(municipality=[code]) for code in municipalities]
    chosen += [LogFilter(track=[value]) for value in largest("case:track", 10)]
    chosen += [LogFilter(nationality=[value]) for value in largest("case:nationality", 4)]
    chosen += [
        LogFilter(cohort_from="2024-01-01", cohort_to="2024-12-31"),
        LogFilter(period_from="2023-01-01", period_to="2023-12-31"),
        LogFilter(organisation=["COA"]),
        LogFilter(municipality=municipalities[:1], track=["aa_va"]),
        LogFilter(municipality=municipalities[1:2], period_from="2024-01-01"),
    ]
    return chosen


def _peak_mb(pid: int) -> float:
    """The peak resident memory of a running process so far (``VmHWM``), in MB: the server's
    start-up computes the whole log's home page and process map before its workers fork."""
    with open(f"/proc/{pid}/status", encoding="ascii") as lines:
        return next(int(line.split()[1]) / 1024 for line in lines if line.startswith("VmHWM:"))


def _drain(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def _started(process: subprocess.Popen, started: float) -> str:
    """Wait until the dashboard says it answers; why not, when it does not (it ended, it took
    longer than :data:`STARTUP`, the machine ran short of memory). Its output is read to the end
    by a thread of its own, so a silent process cannot block the wait nor a talkative one its
    own pipe."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_drain, args=(process.stdout, lines), daemon=True).start()
    while time.perf_counter() - started < STARTUP:
        if _available_mb() < _floor_mb():
            return f"machine memory available under {_floor_mb():,.0f} MB"
        try:
            if "http://" in lines.get(timeout=1.0):  # the address: served
                return ""
        except queue.Empty:
            if process.poll() is not None:
                return f"ended with exit {process.returncode} before it served"
    return f"not serving after {STARTUP} s"


@contextmanager
def _dashboard(log: Path) -> Iterator[tuple[str, int, Step]]:
    """``ketenlens dashboard LOG --workers 2``: (address, process id, start-up until served);
    the start-up's ``stopped`` says why when it did not serve."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    load = _load()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", CLI, "dashboard", str(log), "--port", str(port),
         "--workers", str(WORKERS)],
        stdout=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        stopped = _started(process, started)
        alive = process.poll() is None
        cpu = _cpu_seconds(process.pid) if alive else 0.0
        peak = _peak_mb(process.pid) if alive else 0.0
        startup = Step(time.perf_counter() - started, cpu, peak, load, stopped)
        yield f"http://127.0.0.1:{port}/", process.pid, startup
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _failed(error: Exception) -> str:
    return f"failed: {type(error).__name__}: {str(error)[:200]}"


def _first_loads(address: str) -> str:
    """The first load in two fresh browsers; the second is not tried when the first timed out
    (it would wait as long again for the same answer)."""
    load = _load()
    seconds = []
    for _ in range(2):
        try:
            seconds.append(f"{_first_load(address):.1f} s")
        except TimeoutException:
            seconds.append("the home page not complete after 120 s")
            break
    return f"{', '.join(seconds)} (load {load:.1f})"


def _filter_changes(address: str, chosen: list[LogFilter]) -> str:
    """Each filter change posted as a browser posts it, until :data:`FILTER_BUDGET` seconds have
    been spent or the machine runs short of memory; p95 and median over those answered."""
    home = _home_callbacks(address)
    load = _load()
    started = time.perf_counter()
    changes, answered, failures, why = [], [], [], ""
    for f in chosen:
        if _available_mb() < _floor_mb():
            why = f"; stopped: machine memory available under {_floor_mb():,.0f} MB"
            break
        if time.perf_counter() - started > FILTER_BUDGET:
            why = f"; stopped after {FILTER_BUDGET} s"
            break
        try:
            changes.append(_both(address, home, f.to_dict()))
            answered.append(f)
        except Exception as error:  # an answer that failed is counted and named, not fatal
            failures.append(_failed(error))
    if not changes:
        return f"no change answered{why}" + (f"; {failures[0]}" if failures else "")
    text = (f"p95 {_p95(changes) * 1000:,.0f} ms, median {statistics.median(changes) * 1000:,.0f}"
            f" ms over {len(changes)} of {len(chosen)} (load {load:.1f}){why}; "
            f"slowest {_slowest(answered, changes)}")  # fmt: skip
    if failures:
        text += f"; {len(failures)} failed, the first {failures[0]}"
    return text


def _dashboard_steps(log: Path) -> dict[str, Step | str]:
    chosen = _filters(log)
    cells = Figures()
    with _dashboard(log) as (address, pid, startup):
        cells["dashboard start-up (until it serves)"] = startup
        if not startup.stopped:
            for name, measure in (
                ("dashboard first load (2 fresh browsers)", lambda: _first_loads(address)),
                (f"filter change p95 ({len(chosen)} filters)",
                 lambda: _filter_changes(address, chosen)),
                ("dashboard memory after the changes", lambda: _memory_text(pid)),
            ):  # fmt: skip
                try:
                    cells[name] = measure()
                except Exception as error:  # the next step is still measured
                    cells[name] = _failed(error)
    plain = _run(PLAIN_FILTERS, str(log), json.dumps([f.to_dict() for f in chosen]), python=True)
    if plain.stopped:
        cells["  plain pm4py per filter (DFG + durations)"] = plain
    else:
        seconds = json.loads(plain.out.strip().splitlines()[-1])
        cells["  plain pm4py per filter (DFG + durations)"] = (
            f"p95 {_p95(seconds) * 1000:,.0f} ms; the process {plain.cell()}"
        )
    return cells


def _memory_text(pid: int) -> str:
    memory = _memory(pid)
    return ("RSS " + " / ".join(f"{rss / 1024:.2f}" for rss, _ in memory)
            + f" GB (server / workers), PSS sum {sum(p for _, p in memory) / 1024:.2f} GB")  # fmt: skip


def _written(work: Path, *args: str, python: bool = False) -> Step:
    """Run a step that writes into ``work`` and delete what it wrote (an 8 M OCEL is 5 GB)."""
    try:
        return _run(*args, python=python)
    finally:
        for path in work.iterdir():
            path.unlink()


def _size(millions: int, work: Path, cells: Figures) -> int:
    """Every step at one size into ``cells``; the events ingested."""
    raw, generated = _world(SIZES[millions])
    print(f"\n{SIZES[millions]:,} persons:", flush=True)
    cells["generate"] = generated or "kept from an earlier run"
    if generated and generated.stopped:
        return 0
    log = raw.parent / "log"
    shutil.rmtree(log, ignore_errors=True)
    step = _run("ingest", str(raw), "--out", str(log), "--demo")
    cells["ingest"] = step
    if step.stopped:
        return 0
    report = json.loads((log / "ingest_report.json").read_text("utf-8"))
    cells["  bare readers"] = _run(BARE_READERS, str(raw), str(log / "ingest_report.json"),
                                   python=True)  # fmt: skip
    cells["analyze"] = _written(work, "analyze", str(log), "--export", str(work / "analysis.json"))
    cells["  pm4py DFG + durations + variants"] = _run(PM4PY.replace("PEAK", PEAK), str(log),
                                                       python=True)  # fmt: skip
    cells["export XES"] = _written(work, "export", str(log), "--format", "xes", "--out",
                                   str(work / "log.xes.gz"))  # fmt: skip
    if report["events"] <= XES_BASELINE_EVENTS:
        cells["  pm4py.write_xes"] = _written(work, WRITE_XES, str(log), str(work / "pm4py.xes"),
                                              python=True)  # fmt: skip
    else:
        cells["  pm4py.write_xes"] = f"not run above {XES_BASELINE_EVENTS:,} events"
    cells["export OCEL"] = _written(work, "export", str(log), "--format", "ocel", "--out",
                                    str(work / "log.jsonocel"))  # fmt: skip
    dict.update(cells, _dashboard_steps(log))  # printed as measured
    return int(report["events"])


def _cell(step: str, size: int, columns: dict, events: dict) -> str:
    """A step's figures at one size; beside its baseline's processor time (the ratio), and
    its processor time per event against the first size's (1.0: linear)."""
    figures = columns[size].get(step, "")
    if not isinstance(figures, Step):
        return figures
    text = figures.cell()
    baseline = columns[size].get(BASELINES.get(step, ""))
    if not figures.stopped and isinstance(baseline, Step) and not baseline.stopped:
        text += f"; {figures.cpu / baseline.cpu:.1f}x its CPU"
    first = next(iter(columns))
    earlier = columns[first].get(step)
    counted = events.get(size) and events.get(first)
    if (
        size != first
        and counted
        and isinstance(earlier, Step)
        and not (figures.stopped or earlier.stopped)
    ):
        per_event = (figures.cpu / events[size]) / (earlier.cpu / events[first])
        text += f"; CPU per event {per_event:.2f}x of {first} M"
    return text


def test_scaling(tmp_path: Path) -> None:
    chosen = [int(s) for s in os.environ.get("KETENLENS_SCALE_SIZES", "1,4,8").split(",")]
    columns: dict[int, dict[str, Step | str]] = {}
    events: dict[int, int] = {}
    try:
        for millions in chosen:
            columns[millions] = cells = Figures()
            events[millions] = 0
            try:
                events[millions] = _size(millions, tmp_path, cells)
            except Exception as error:  # the other sizes are still measured
                cells["(this size)"] = _failed(error)
            done = {step: _cell(step, millions, columns, events) for step in cells}
            print(f"\n{millions} M done: {done}", flush=True)
    finally:  # the table of what was measured, also when the run is interrupted
        _table(columns, events)


def _table(columns: dict[int, dict[str, Step | str]], events: dict[int, int]) -> None:
    sizes = list(columns)
    steps = list(dict.fromkeys(step for cells in columns.values() for step in cells))
    header = " | ".join(
        f"{f'{events[m]:,} events' if events[m] else 'no log'} ({SIZES[m]:,} persons)"
        for m in sizes
    )
    lines = [
        f"\nscaling on {os.cpu_count()} cores: wall, processor time and peak memory of each step "
        "as a process of its own; load average (1 min) when it started",
        f"| step | {header} |",
        "|---|" + "---|" * len(sizes),
    ]
    lines += [f"| {step} | " + " | ".join(_cell(step, m, columns, events) for m in sizes)
              + " |" for step in steps]  # fmt: skip
    print("\n".join(lines), flush=True)
