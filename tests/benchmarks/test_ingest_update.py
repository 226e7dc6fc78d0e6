"""Benchmark: adding the latest quarter's exports to a large log (printed, not asserted).

Run with `make bench`, or only this file with
`.venv/bin/python -m pytest tests/benchmarks/test_ingest_update.py -s --benchmarks`.

The benchmark chain (68,000 persons, seed 11: about a million events) is generated; with
``KETENLENS_BENCH_SEEDS=3`` three chains (seeds 11, 12, ...) side by side in one folder each, so
their persons and file names differ: about three million events. The log is ingested from every
export but the latest quarter's COA and IND files; then those files are added (three months of
events: more than the monthly update the log is made for), then added again (all duplicates).
Each step runs in a child process that prints its own time and peak memory (``ru_maxrss``); so
does reading the log at the end (``read_events``, as analyze and the dashboard read it).

With ``KETENLENS_BENCH_BEFORE`` set to a checkout of another version of the toolkit (say the
main branch), the same steps run with that code too, on copies of the same exports, and the logs
both versions end with must read the same, event for event and column for column.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

from toolkit.eventlog import read_events

PERSONS = 68_000
FIRST_SEED = 11
REPO = Path(__file__).resolve().parents[2]
GENERATE = (
    "import sys; from pathlib import Path; from toolkit.synthetic.generate import generate; "
    "generate(persons=int(sys.argv[1]), seed=int(sys.argv[2]), out=Path(sys.argv[3]))"
)
# One step in a child: ingest a folder into a log; print seconds, peak MB and the report's counts.
STEP = """
import json, resource, sys, time, warnings
from pathlib import Path
from toolkit.adapters.ingest import ingest
from toolkit.privacy import DEMO_KEY, Pseudonymizer
warnings.simplefilter("ignore")
started = time.perf_counter()
report = ingest(Path(sys.argv[1]), Path(sys.argv[2]), key=Pseudonymizer(DEMO_KEY))
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "events": report.events, "added": report.events_added, "duplicates": report.duplicates,
}))
"""
# Reading the log as analyze and the dashboard do, in a child.
READ = """
import json, resource, sys, time
from pathlib import Path
from toolkit.eventlog import read_events
started = time.perf_counter()
events = read_events(Path(sys.argv[1]) / "events.parquet")
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "events": len(events), "added": 0, "duplicates": 0,
}))
"""
QUARTER = re.compile(r"(\d{4})Q([1-4])")


def _step(code: Path, exports: Path | None, log: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code)}
    argv = ["-c", STEP, str(exports), str(log)] if exports else ["-c", READ, str(log)]
    done = subprocess.run(
        [sys.executable, *argv],
        env=env,
        cwd=log.parent,  # not the project folder: ``-c`` puts the working folder on the path
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _split(raw: Path, base: Path, update: Path) -> list[str]:
    """Copy every export but the latest quarter's to ``base``, those to ``update``."""
    latest = max(QUARTER.search(p.name).groups() for p in raw.rglob("*") if QUARTER.search(p.name))
    moved = []
    for path in sorted(p for p in raw.rglob("*") if p.is_file()):
        found = QUARTER.search(path.name)
        target = update if found and found.groups() == latest else base
        if target is update:
            moved.append(path.relative_to(raw).as_posix())
        (target / path.relative_to(raw)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / path.relative_to(raw))
    return moved


def _line(name: str, result: dict) -> str:
    return (
        f"  {name:<34}{result['seconds']:>8.1f} s{result['peak_mb']:>9,.0f} MB"
        f"{result['events']:>12,}{result['added']:>10,}{result['duplicates']:>12,}"
    )


def test_adding_a_quarter_to_a_large_log(tmp_path: Path) -> None:
    seeds = range(FIRST_SEED, FIRST_SEED + int(os.environ.get("KETENLENS_BENCH_SEEDS", "1")))
    raw = tmp_path / "raw"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", GENERATE, str(PERSONS), str(seed), str(raw / f"seed{seed}")],
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.DEVNULL,
        )
        for seed in seeds
    ]
    assert all(child.wait() == 0 for child in children)
    for seed in seeds:  # one cut-off for all: the exports' own
        truth = raw / f"seed{seed}" / "ground_truth.json"
        if seed == seeds[0]:
            shutil.copy2(truth, raw / "ground_truth.json")
        truth.unlink()
    base, update = tmp_path / "base", tmp_path / "update"
    moved = _split(raw, base, update)
    shutil.copy2(raw / "ground_truth.json", update / "ground_truth.json")

    versions = {"this branch": REPO}
    before = os.environ.get("KETENLENS_BENCH_BEFORE")
    if before:
        versions = {"before": Path(before), **versions}
    lines = [
        "",
        f"adding the latest quarter ({len(moved)} files: {', '.join(moved[:2])}, ...) to a log "
        f"of {len(seeds)} x {PERSONS:,} persons",
    ]
    logs = {}
    for name, code in versions.items():
        log = tmp_path / f"log-{name.replace(' ', '-')}"
        load = os.getloadavg()
        fresh = _step(code, base, log)
        quarter = _step(code, update, log)
        again = _step(code, update, log)
        read = _step(code, None, log)
        lines += [
            f"{name} ({code}), load average {load[0]:.1f} at the start, "
            f"{os.getloadavg()[0]:.1f} at the end (2 cores)",
            f"  {'step':<34}{'time':>10}{'peak':>12}{'events':>12}{'added':>10}{'duplicates':>12}",
            _line("ingest all but the latest quarter", fresh),
            _line("add the latest quarter", quarter),
            _line("add it again (all duplicates)", again),
            _line("read_events of the log", read),
        ]
        logs[name] = log
    if len(logs) == 2:
        old, new = (read_events(log / "events.parquet") for log in logs.values())
        pd.testing.assert_frame_equal(old, new)
        cases = [pd.read_parquet(log / "cases.parquet") for log in logs.values()]
        pd.testing.assert_frame_equal(*cases)
        lines.append(f"  both logs read the same: {len(new):,} events, {len(cases[0]):,} persons")
    print("\n".join(lines))
