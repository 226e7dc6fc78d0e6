"""Benchmark: `ketenlens ingest` of a generated 100,000-person chain (printed, not asserted).

Run with `make bench`, or only this file with
`.venv/bin/python -m pytest tests/benchmarks/test_ingest_speed.py -s --benchmarks`.

The data set is generated in a child process, so the peak memory printed (``ru_maxrss`` of this
process) is that of ingest, not of the simulation. Printed:

- the whole ingest (read, map, deduplicate, merge, validate, write) and its peak memory;
- the bare readers on the same files, nothing else: python-calamine's ``to_python`` for each
  sheet and ``pyarrow.csv.read_csv`` for each delimited file (the floor ingest is measured by);
- both in wall-clock and in processor seconds (``time.process_time``: every thread of this
  process), with the load average: on a shared machine the wall clock varies with the load, the
  processor time much less, so the ratio to the readers is given in processor seconds too;
- per format: rows per second of the reader alone (``read_xlsx`` / ``read_csv``, timed again file
  by file after the ingest) and of reading plus mapping (timed from ingest's progress calls);
- the toolkit's xlsx reader (python-calamine) against ``pandas.read_excel(engine="openpyxl")`` on
  the largest COA file.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pyarrow.csv as pacsv
from python_calamine import CalamineWorkbook

from toolkit.adapters import Profile, builtin_profiles
from toolkit.adapters.csv import read_csv
from toolkit.adapters.ingest import ingest
from toolkit.adapters.xlsx import read_xlsx
from toolkit.privacy import DEMO_KEY, Pseudonymizer

PERSONS = 100_000
SEED = 11
FORMATS = ("coa-xlsx", "ind-csv", "gemeente-xlsx", "gemeente-csv")
GENERATE = (
    "import sys; from pathlib import Path; from toolkit.synthetic.generate import generate; "
    "generate(persons=int(sys.argv[1]), seed=int(sys.argv[2]), out=Path(sys.argv[3]))"
)


def _peak_mb() -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:>11,.0f}" if seconds > 0 else f"{'-':>11}"


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


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


def test_ingest_100k(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "log"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", GENERATE, str(PERSONS), str(SEED), str(raw)],
        check=True,
        capture_output=True,
    )
    generated = time.perf_counter() - started
    size_mb = sum(p.stat().st_size for p in raw.iterdir()) / 1e6
    peak_before = _peak_mb()

    marks: list[tuple[float, str]] = []

    def progress(_done: int, _total: int, name: str) -> None:
        marks.append((time.perf_counter(), name))

    load_before = _load()
    started, cpu = time.perf_counter(), time.process_time()
    report = ingest(raw, out, key=Pseudonymizer(DEMO_KEY), progress=progress)
    total, total_cpu = time.perf_counter() - started, time.process_time() - cpu
    load_after = _load()
    peak_ingest = _peak_mb()
    read_and_map = {name: marks[i + 1][0] - at for i, (at, name) in enumerate(marks[:-1]) if name}
    merge_and_write = started + total - marks[-1][0]

    profiles = builtin_profiles()
    rows: dict[str, int] = defaultdict(int)
    files: dict[str, int] = defaultdict(int)
    mapped_s: dict[str, float] = defaultdict(float)
    reader_s: dict[str, float] = defaultdict(float)
    for f in report.files:
        profile = profiles[f.profile]
        reader = read_xlsx if profile.file_kind == "xlsx" else read_csv
        t0 = time.perf_counter()
        table = reader(raw / f.path, profile)
        reader_s[f.profile] += time.perf_counter() - t0
        assert table.rows_read == f.rows_read
        rows[f.profile] += f.rows_read
        files[f.profile] += 1
        mapped_s[f.profile] += read_and_map[f.path]

    bare_rows, bare_s, bare_cpu = _bare_read(
        raw, [f.path for f in report.files], [profiles[f.profile] for f in report.files]
    )

    coa = [f for f in report.files if f.profile == "coa-xlsx"]
    largest = max(coa, key=lambda f: (raw / f.path).stat().st_size)
    path = raw / largest.path
    t0 = time.perf_counter()
    table = read_xlsx(path, profiles["coa-xlsx"])
    calamine_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    sheet = pd.read_excel(path, engine="openpyxl", header=None)
    openpyxl_s = time.perf_counter() - t0

    rows_read = sum(f.rows_read for f in report.files)
    lines = [
        "",
        f"ingest {PERSONS:,} persons (seed {SEED}): {len(report.files)} files, {size_mb:.0f} MB,"
        f" generated in {generated:.1f} s (child process)",
        f"  rows read     {rows_read:>11,}  = {report.events:,} events + "
        f"{report.duplicates:,} duplicates + {report.quarantined:,} quarantined",
        f"  persons       {report.persons:>11,}",
        f"  total         {total:>9.1f} s  ({rows_read / total:,.0f} rows/s end to end); "
        f"processor {total_cpu:.1f} s ({rows_read / total_cpu:,.0f} rows/s); "
        f"load average {load_before} before, {load_after} after (1/5/15 min)",
        f"    read + map  {sum(read_and_map.values()):>9.1f} s",
        f"    dedupe, merge, validate, write {merge_and_write:.1f} s",
        f"  peak memory   {peak_ingest:>9,.0f} MB  (ru_maxrss; {peak_before:,.0f} MB before ingest)",
        f"  bare readers  {bare_s:>9.1f} s  ({bare_rows:,} sheet rows and records, "
        f"python-calamine + pyarrow.csv); processor {bare_cpu:.1f} s; load average {_load()}",
        f"  ingest / bare readers: {total_cpu / bare_cpu:.2f}x in processor time, "
        f"{total / bare_s:.2f}x in wall-clock time",
        "",
        f"  {'format':<14}{'files':>6}{'rows':>11}{'reader s':>10}{'reader rows/s':>14}"
        f"{'read+map s':>12}{'read+map rows/s':>17}",
    ]
    for name in FORMATS:
        lines.append(
            f"  {name:<14}{files[name]:>6}{rows[name]:>11,}{reader_s[name]:>10.1f}"
            f"{_rate(rows[name], reader_s[name]):>14}{mapped_s[name]:>12.1f}"
            f"{_rate(rows[name], mapped_s[name]):>17}"
        )
    lines += [
        "",
        f"  largest COA file {largest.path} ({path.stat().st_size / 1e6:.1f} MB, "
        f"{table.rows_read:,} data rows, {len(sheet):,} sheet rows):",
        f"    toolkit read_xlsx (python-calamine)       {calamine_s:>7.2f} s",
        f"    pandas.read_excel(engine='openpyxl')      {openpyxl_s:>7.2f} s"
        f"  ({openpyxl_s / calamine_s:.1f}x slower)",
    ]
    print("\n".join(lines))
