"""Benchmark: XES and OCEL export of a 100,000-person log, next to pm4py's own XES writer.

Printed, not asserted. Run with `make bench`. The log is generated and ingested first (its time is
printed too, but it is not what is measured); pm4py.write_xes gets the very DataFrame the
exporter reads, so the figures compare writers, not inputs.
"""

import time
import warnings
from pathlib import Path

from toolkit.adapters.ingest import ingest
from toolkit.eventlog import read_events
from toolkit.export import export_log
from toolkit.privacy import DEMO_KEY, Pseudonymizer
from toolkit.synthetic.generate import generate

PERSONS = 100_000
SEED = 11
OURS = ("log.xes", "log.xes.gz", "log.jsonocel", "log.sqlite")


def _mb(path: Path) -> float:
    return path.stat().st_size / 1e6


def test_export_100k(tmp_path: Path) -> None:
    started = time.perf_counter()
    generate(persons=PERSONS, seed=SEED, out=tmp_path / "raw")
    report = ingest(tmp_path / "raw", tmp_path / "log", key=Pseudonymizer(DEMO_KEY))
    prepared = time.perf_counter() - started
    lines = [
        f"\nexport of {report.persons:,} persons, {report.events:,} events "
        f"(generate + ingest took {prepared:.0f} s, not counted)"
    ]
    for name in OURS:
        fmt = "xes" if ".xes" in name else "ocel"
        summary = export_log(tmp_path / "log", tmp_path / name, fmt)
        rate = summary.events / summary.seconds
        lines.append(
            f"  {'ketenlens':<16}{name:<14}{summary.seconds:6.1f} s  {_mb(summary.path):7.1f} MB  "
            f"({rate:,.0f} events/s)"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py

        events = read_events(tmp_path / "log" / "events.parquet")
        out = tmp_path / "pm4py.xes"
        started = time.perf_counter()
        pm4py.write_xes(events, str(out), case_id_key="case:concept:name", show_progress_bar=False)
        seconds = time.perf_counter() - started
    lines.append(
        f"  {'pm4py.write_xes':<16}{out.name:<14}{seconds:6.1f} s  {_mb(out):7.1f} MB  "
        f"({len(events) / seconds:,.0f} events/s)"
    )
    print("\n".join(lines))
