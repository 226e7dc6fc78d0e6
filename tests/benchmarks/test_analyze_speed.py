"""Benchmark: `analyze` on a generated chain of about a million events, and on BPIC 2012
(printed, not asserted; run with `.venv/bin/python -m pytest tests/benchmarks/test_analyze_speed.py
-s --benchmarks`).

Each measurement runs in its own child process that prints its wall time and its peak memory
(``VmHWM`` of that process), so generation and ingest do not count, and one measurement's
memory is not another's. The machine may be shared: the load average is printed beside every
figure, and the figures to compare are those of one run. Times start after the imports; the
processor time with them is printed beside (analyze imports pm4py only for conformance, so
there its import falls inside the time). Printed:

- the full analysis as ``ketenlens analyze`` runs it (:func:`toolkit.analysis.load_and_analyze`:
  the event log's columns that it reads, then findings, intervals, norms, work in progress,
  flow, waits, handovers, variants, rework, conformance) on about 68,000 generated persons (or
  on the ingested log in KETENLENS_BENCH_LOG), reading and analysing timed apart;
- next to it, plain pm4py on the same log: reading the three columns it uses, then performance
  DFG, case durations and variants, the figures a process-mining tool shows first (pm4py
  computes no censoring, norms, segments or conformance there, so it is the floor, not a
  like-for-like comparison). Target: the whole analysis within 1.5 times pm4py's time, in less
  memory;
- with KETENLENS_BENCH_BEFORE set to another checkout of the project (``git worktree add`` or
  ``git archive``), the same analysis by that code, for a before/after in one run;
- the xlsx, json and html exports of that analysis;
- `analyze` on BPIC 2012 through the generic profile (the "another process" case);
- `analyze` on a log shaped like BPIC 2015's permit processes (1,200 cases, about 370
  activities, every case its own variant), beside pm4py's inductive miner on the whole log
  (stopped after five minutes). Target: under 30 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from permit_logs import permit_log

from toolkit.adapters.ingest import ingest
from toolkit.privacy import Pseudonymizer

REFERENCE_LOGS = Path(__file__).resolve().parents[2].parent / "shared" / "reference_logs"
BPIC2012 = REFERENCE_LOGS / "xes" / "bpic2012.xes.gz"
# The peak resident memory of the child itself: VmHWM belongs to the process's address space,
# which exec replaces, whereas Linux carries ru_maxrss over from the forking parent (the test
# process, which holds the ingested log), so that would report the parent's peak.
PEAK = """
def peak_mb():
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""
# Each child prints one JSON line: {"seconds": ..., "peak_mb": ..., **figures}.
ANALYZE = """
import inspect, json, os, resource, sys, time, warnings
warnings.simplefilter("ignore")
PEAK
from pathlib import Path
from toolkit import analysis
from toolkit.analysis import analyze, log_as_of
from toolkit.eventlog import read_events
from toolkit.export.report_html import write_html
from toolkit.export.report_json import write_json
from toolkit.export.report_xlsx import write_xlsx
from toolkit.logdir import EVENTS_FILE, current_files
load = os.getloadavg()[0]
files = current_files(Path(sys.argv[1]))
started, cpu = time.perf_counter(), time.process_time()
# as load_and_analyze; a checkout from before the column selection reads every column, one from
# before reading categories reads texts
columns = getattr(analysis, "ANALYSIS_COLUMNS", None)
coded = {"as_categories": True} if "as_categories" in inspect.signature(read_events).parameters else {}
log = read_events(files / EVENTS_FILE, *([columns] if columns else []), **coded)
read = time.perf_counter() - started
result = analyze(log, as_of=log_as_of(files))
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
with_imports = time.process_time()
exports = {}
for suffix, write in ((".xlsx", write_xlsx), (".json", write_json), (".html", write_html)):
    if len(sys.argv) > 2:
        t = time.perf_counter()
        write(result, Path(sys.argv[2]).with_suffix(suffix))
        exports[suffix] = round(time.perf_counter() - t, 2)
print(json.dumps({
    "seconds": seconds, "cpu": cpu, "read": read, "with_imports": with_imports,
    "peak_mb": peak_mb(), "load": max(load, os.getloadavg()[0]),
    "events": len(log), "persons": int(log["case:concept:name"].nunique()),
    "findings": len(result.findings), "log_kind": result.summary["log_kind"],
    "cases_checked": result.conformance["cases_checked"], "exports": exports,
}))
"""
PM4PY = """
import json, os, resource, sys, time, warnings
warnings.simplefilter("ignore")
PEAK
from pathlib import Path
import pm4py
from toolkit.eventlog import ACTIVITY, CASE, TIMESTAMP, read_events
from toolkit.logdir import EVENTS_FILE, current_files
load = os.getloadavg()[0]
started, cpu = time.perf_counter(), time.process_time()
log = read_events(current_files(Path(sys.argv[1])) / EVENTS_FILE, (CASE, ACTIVITY, TIMESTAMP))
read = time.perf_counter() - started
dfg = pm4py.discover_performance_dfg(log)
durations = pm4py.get_all_case_durations(log)
variants = pm4py.get_variants(log)
print(json.dumps({
    "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "read": read,
    "with_imports": time.process_time(), "peak_mb": peak_mb(), "load": max(load, os.getloadavg()[0]),
    "edges": len(dfg[0]), "cases": len(durations), "variants": len(variants),
}))
"""


def _child(script: str, *args: str, tree: Path | None = None) -> dict:
    """Run ``script`` in a fresh interpreter (with the project at ``tree``, else this one)."""
    env = None if tree is None else {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", script.replace("PEAK", PEAK), *args],
        capture_output=True, text=True, env=env, cwd=tree,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _row(name: str, figures: dict, baseline: dict) -> str:
    ratio = figures["seconds"] / baseline["seconds"]
    cpu_ratio = figures["cpu"] / baseline["cpu"]
    whole = figures["with_imports"]
    return (
        f"  {name:<30} {figures['seconds']:6.1f} s (read {figures['read']:4.1f} s) {ratio:4.1f}x"
        f"  CPU {figures['cpu']:5.1f} s {cpu_ratio:4.1f}x"
        f" (with imports {whole:4.1f} s {whole / baseline['with_imports']:4.1f}x)"
        f"  peak {figures['peak_mb']:6,.0f} MB  load {figures['load']:4.1f}"
    )


def test_analyze_a_million_events(million_event_log, tmp_path):
    plain = _child(PM4PY, str(million_event_log))
    ours = _child(ANALYZE, str(million_event_log), str(tmp_path / "report"))
    before = os.environ.get("KETENLENS_BENCH_BEFORE")
    rows = [
        _row("pm4py DFG+durations+variants", plain, plain),
        _row("ketenlens analyze", ours, plain),
    ]
    if before:
        earlier = _child(ANALYZE, str(million_event_log), tree=Path(before).resolve())
        rows.append(_row(f"analyze at {Path(before).name}", earlier, plain))
    print(
        f"\nanalyze: {ours['events']:,} events, {ours['persons']:,} persons, "
        f"{ours['findings']} findings, conformance on {ours['cases_checked']:,} persons; "
        f"pm4py: {plain['variants']:,} variants (times include reading; load: 1-minute "
        f"average on {os.cpu_count()} cores)\n" + "\n".join(rows) +
        f"\n  exports (s)           {ours['exports']}"
    )  # fmt: skip
    assert ours["log_kind"] == "chain"


@pytest.mark.skipif(not BPIC2012.is_file(), reason="reference logs not there")
def test_analyze_bpic2012_through_the_generic_profile(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / BPIC2012.name).symlink_to(BPIC2012)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ingest(raw, tmp_path / "log", key=Pseudonymizer(b"k" * 32), profile="generic")
    ours = _child(ANALYZE, str(tmp_path / "log"), str(tmp_path / "report"))
    print(
        f"\nBPIC 2012: {ours['events']:,} events, {ours['persons']:,} cases, "
        f"{ours['findings']} findings, conformance on {ours['cases_checked']:,} cases: "
        f"{ours['seconds']:.1f} s, peak {ours['peak_mb']:,.0f} MB; exports (s) {ours['exports']}"
    )
    assert ours["log_kind"] == "generic"


IMF_WHOLE = """
import sys, time, warnings
warnings.simplefilter("ignore")
import pandas as pd, pm4py
log = pd.read_csv(sys.argv[1], parse_dates=["time:timestamp"])
started = time.perf_counter()
pm4py.discover_petri_net_inductive(log, noise_threshold=0.2)
print(time.perf_counter() - started)
"""
IMF_LIMIT_SECONDS = 300


def test_analyze_a_permit_log_of_hundreds_of_activities(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    permit_log(cases=1200).to_csv(raw / "permits.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ingest(raw, tmp_path / "log", key=Pseudonymizer(b"k" * 32), profile="generic")
    ours = _child(ANALYZE, str(tmp_path / "log"), str(tmp_path / "report"))
    try:
        whole = subprocess.run(
            [sys.executable, "-c", IMF_WHOLE, str(raw / "permits.csv")],
            capture_output=True, text=True, timeout=IMF_LIMIT_SECONDS, check=True,
        )  # fmt: skip
        imf = f"{float(whole.stdout.strip().splitlines()[-1]):.1f} s"
    except subprocess.TimeoutExpired:
        imf = f"not done after {IMF_LIMIT_SECONDS} s"
    print(
        f"\npermit-shaped log: {ours['events']:,} events, {ours['persons']:,} cases, "
        f"conformance on {ours['cases_checked']:,} cases: full analyze {ours['seconds']:.1f} s, "
        f"peak {ours['peak_mb']:,.0f} MB; pm4py inductive miner on the whole log: {imf}"
    )
    assert ours["log_kind"] == "generic"
