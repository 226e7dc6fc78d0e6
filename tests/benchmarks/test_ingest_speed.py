"""Benchmark: `ketenlens ingest` of a generated 100,000-person chain (printed, not asserted).

Run with `make bench`, or only this file with
`.venv/bin/python -m pytest tests/benchmarks/test_ingest_speed.py -s --benchmarks`.

The data set is generated in a child process, and ingest runs in another child process of its
own, so that what is measured there is ingest alone: its processor time is that of the process
and of its workers (ingest reads and maps the files in worker processes), and its peak memory is
given for the process and for its largest worker (``ru_maxrss`` of each; their sum bounds what
ingest holds at once). ``KETENLENS_BENCH_RAW``: a directory to keep the generated set in and
reuse it (generated there when it holds no ``ground_truth.json``). Printed:

- in each of ``ROUNDS`` rounds: the whole ingest (read, map, deduplicate, merge, validate,
  write) and its peak memory, then the bare readers on the same files, nothing else:
  python-calamine's ``to_python`` for each sheet and ``pyarrow.csv.read_csv`` for each delimited
  file (the floor ingest is measured by); both in wall-clock and in processor seconds
  (``time.process_time``: every thread of this process), with the load average before and after
  ingest: on a shared machine the wall clock varies with the load, the processor time less, so
  the ratio to the readers is given in processor seconds too;
- the median and the best round;
- per format: rows per second of the reader alone (``read_xlsx`` / ``read_csv``) and of reading
  plus mapping (:func:`toolkit.adapters.files.read_file`), timed again file by file in this
  process after the ingest;
- the toolkit's xlsx reader (python-calamine) against ``pandas.read_excel(engine="openpyxl")`` on
  the largest COA file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.csv as pacsv
from python_calamine import CalamineWorkbook

from toolkit.adapters import Profile, builtin_profiles
from toolkit.adapters.csv import read_csv
from toolkit.adapters.detect import Source
from toolkit.adapters.files import read_file
from toolkit.adapters.generic import GenericColumns
from toolkit.adapters.ingest import resolve_as_of
from toolkit.adapters.xlsx import read_xlsx
from toolkit.privacy import DEMO_KEY, Pseudonymizer

PERSONS = 100_000
SEED = 11
FORMATS = ("coa-xlsx", "ind-csv", "gemeente-xlsx", "gemeente-csv")
# Ingest and the bare readers are timed in turns, several times: on a shared or virtual machine
# the speed of the processor itself varies from minute to minute, and a ratio of two figures
# taken side by side varies less than either. ``KETENLENS_BENCH_ROUNDS`` sets how many.
ROUNDS = int(os.environ.get("KETENLENS_BENCH_ROUNDS", "3"))
GENERATE = (
    "import sys; from pathlib import Path; from toolkit.synthetic.generate import generate; "
    "generate(persons=int(sys.argv[1]), seed=int(sys.argv[2]), out=Path(sys.argv[3]))"
)
# Ingest in a child process: prints its wall-clock and processor seconds (its own and its
# workers'), its peak memory and its largest worker's, and the load average before and after.
INGEST = """
import json, os, resource, sys, time, warnings
from pathlib import Path
from toolkit.adapters.ingest import ingest
from toolkit.privacy import DEMO_KEY, Pseudonymizer
warnings.simplefilter("ignore")
load = os.getloadavg()[0]
started, cpu = time.perf_counter(), time.process_time()
ingest(Path(sys.argv[1]), Path(sys.argv[2]), key=Pseudonymizer(DEMO_KEY))
wall, cpu = time.perf_counter() - started, time.process_time() - cpu
workers = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "wall": wall, "cpu": cpu, "workers_cpu": workers.ru_utime + workers.ru_stime,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "worker_peak_mb": workers.ru_maxrss / 1024, "load": [load, os.getloadavg()[0]],
}))
"""


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:>11,.0f}" if seconds > 0 else f"{'-':>11}"


def _bare_read(raw: Path, names: list[str], profiles: list[Profile]) -> tuple[int, float, float]:
    """Sheet rows or records read by the bare readers, and the wall and processor seconds."""
    rows = 0
    started, cpu = time.perf_counter(), time.process_time()
    for name, profile in zip(names, profiles, strict=True):
        path = raw / name
        if profile.file_kind == "xlsx":
            rows += len(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python())
        else:
            table = pacsv.read_csv(
                path,
                read_options=pacsv.ReadOptions(encoding=profile.encoding),
                parse_options=pacsv.ParseOptions(delimiter=profile.delimiter),
            )
            rows += table.num_rows
    return rows, time.perf_counter() - started, time.process_time() - cpu


def _generated(tmp_path: Path) -> tuple[Path, str]:
    """The generated set (kept in ``KETENLENS_BENCH_RAW`` when given), and how it came."""
    kept = os.environ.get("KETENLENS_BENCH_RAW")
    raw = Path(kept) if kept else tmp_path / "raw"
    if (raw / "ground_truth.json").is_file():
        return raw, f"reused from {raw}"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", GENERATE, str(PERSONS), str(SEED), str(raw)],
        check=True,
        capture_output=True,
    )
    return raw, f"generated in {time.perf_counter() - started:.1f} s (child process)"


def _ingest(raw: Path, out: Path) -> dict[str, Any]:
    """One ingest in a child process of its own: its figures (see ``INGEST``)."""
    run = subprocess.run(
        [sys.executable, "-c", INGEST, str(raw), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_ingest_100k(tmp_path: Path) -> None:
    raw, generated = _generated(tmp_path)
    size_mb = sum(p.stat().st_size for p in raw.iterdir()) / 1e6
    profiles = builtin_profiles()
    rounds = []  # (ingest's figures, the bare readers' rows, wall and processor seconds)
    for number in range(ROUNDS):
        out = tmp_path / f"log{number}"
        ingested = _ingest(raw, out)
        report = json.loads((out / "ingest_report.json").read_text(encoding="utf-8"))
        files = report["files"]
        bare = _bare_read(raw, [f["path"] for f in files], [profiles[f["profile"]] for f in files])
        rounds.append((ingested, *bare))

    key = Pseudonymizer(DEMO_KEY)
    as_of = resolve_as_of(raw, None).day
    rows: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    mapped_s: dict[str, float] = defaultdict(float)
    reader_s: dict[str, float] = defaultdict(float)
    for f in files:
        profile = profiles[f["profile"]]
        reader = read_xlsx if profile.file_kind == "xlsx" else read_csv
        t0 = time.perf_counter()
        table = reader(raw / f["path"], profile)
        reader_s[f["profile"]] += time.perf_counter() - t0
        assert table.rows_read == f["rows_read"]
        del table
        t0 = time.perf_counter()
        read_file(Source(raw / f["path"], f["path"], profile), key, as_of, GenericColumns())
        mapped_s[f["profile"]] += time.perf_counter() - t0
        rows[f["profile"]] += f["rows_read"]
        counts[f["profile"]] += 1

    coa = [f["path"] for f in files if f["profile"] == "coa-xlsx"]
    largest = max(coa, key=lambda name: (raw / name).stat().st_size)
    path = raw / largest
    t0 = time.perf_counter()
    table = read_xlsx(path, profiles["coa-xlsx"])
    calamine_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    sheet = pd.read_excel(path, engine="openpyxl", header=None)
    openpyxl_s = time.perf_counter() - t0

    rows_read = sum(f["rows_read"] for f in files)
    lines = [
        "",
        f"ingest {PERSONS:,} persons (seed {SEED}): {len(files)} files, {size_mb:.0f} MB,"
        f" {generated}; python-calamine {version('python-calamine')}, pyarrow {version('pyarrow')}",
        f"  rows read     {rows_read:>11,}  = {report['events']:,} events + "
        f"{sum(f['duplicates'] for f in files):,} duplicates + "
        f"{sum(f['quarantined'] for f in files):,} quarantined",
        f"  persons       {report['persons']:>11,}",
        f"  {ROUNDS} rounds, each an ingest (its own process: the processor time of the process and "
        "its workers, peak of the process and of its largest worker) and then the bare readers "
        "(python-calamine + pyarrow.csv) on the same files:",
    ]
    ratios = []
    for number, (ingested, bare_rows, bare_s, bare_cpu) in enumerate(rounds, start=1):
        total, cpu = ingested["wall"], ingested["cpu"] + ingested["workers_cpu"]
        ratios.append((rows_read / total, total / bare_s, cpu / bare_cpu))
        loads = "/".join(f"{x:.1f}" for x in ingested["load"])
        lines += [
            f"  {number}. ingest {total:5.1f} s ({rows_read / total:,.0f} rows/s), processor "
            f"{cpu:.1f} s ({ingested['cpu']:.1f} s its process, {ingested['workers_cpu']:.1f} s "
            f"its workers), peak {ingested['peak_mb']:,.0f} MB (worker "
            f"{ingested['worker_peak_mb']:,.0f} MB), load {loads}",
            f"     bare readers {bare_s:5.1f} s ({bare_rows:,} sheet rows and records), processor "
            f"{bare_cpu:.1f} s: ingest {total / bare_s:.2f}x their wall clock, "
            f"{cpu / bare_cpu:.2f}x their processor time",
        ]
    rates, walls, cpus = (sorted(column) for column in zip(*ratios, strict=True))
    middle = len(rates) // 2
    lines += [
        f"  median of the rounds: {rates[middle]:,.0f} rows/s (best {rates[-1]:,.0f}), "
        f"{walls[middle]:.2f}x the readers' wall clock, {cpus[middle]:.2f}x their processor time",
        "",
        f"  {'format':<14}{'files':>6}{'rows':>11}{'reader s':>10}{'reader rows/s':>14}"
        f"{'read+map s':>12}{'read+map rows/s':>17}",
    ]
    for name in FORMATS:
        lines.append(
            f"  {name:<14}{counts[name]:>6}{rows[name]:>11,}{reader_s[name]:>10.1f}"
            f"{_rate(rows[name], reader_s[name]):>14}{mapped_s[name]:>12.1f}"
            f"{_rate(rows[name], mapped_s[name]):>17}"
        )
    lines += [
        "",
        f"  largest COA file {largest} ({path.stat().st_size / 1e6:.1f} MB, "
        f"{table.rows_read:,} data rows, {len(sheet):,} sheet rows):",
        f"    toolkit read_xlsx (python-calamine)       {calamine_s:>7.2f} s",
        f"    pandas.read_excel(engine='openpyxl')      {openpyxl_s:>7.2f} s"
        f"  ({openpyxl_s / calamine_s:.1f}x slower)",
    ]
    print("\n".join(lines))
