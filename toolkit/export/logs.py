"""Export a chain event log for other tools: ``event_logs/NAME`` to XES or OCEL 2.0.

The export reads only ``events.parquet``, the pseudonymised log, so nothing personal can reach an
export that the log does not already hold (and the log holds no personal data by its contract).
The format is chosen by the caller (``xes`` or ``ocel``); for OCEL the container follows from the
file's extension. Errors are :class:`ExportError` with a one-line message that says what to do.

Example::

    >>> summary = export_log(Path("event_logs/demo"), Path("demo.xes.gz"), "xes")  # doctest: +SKIP
    >>> summary.events  # doctest: +SKIP
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import EventLogError, ExportError
from toolkit.eventlog import ACTIVITY, CASE, EVENT_COLUMNS, read_events
from toolkit.export.ocel import build_ocel
from toolkit.export.ocel_json import write_ocel_json
from toolkit.export.ocel_sqlite import write_ocel_sqlite
from toolkit.export.xes import write_xes
from toolkit.logdir import EVENTS_FILE, log_file
from toolkit.outpaths import writable_file

FORMATS = ("xes", "ocel")
JSON_SUFFIXES = (".jsonocel", ".json")
SQLITE_SUFFIX = ".sqlite"


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote: the figures the command prints and a test checks."""

    path: Path
    format: str
    cases: int
    events: int
    activities: int
    size: int
    seconds: float
    objects: dict[str, int] = field(default_factory=dict)


def container(path: Path, fmt: str) -> str:
    """The file kind for ``fmt`` from the name of ``path``: xes, xes.gz, json or sqlite."""
    name = Path(path).name.lower()
    if fmt == "xes":
        if name.endswith(".xes.gz"):
            return "xes.gz"
        if name.endswith(".xes"):
            return "xes"
        raise ExportError(f"{path}: an XES file is named *.xes or *.xes.gz")
    if fmt == "ocel":
        if name.endswith(JSON_SUFFIXES):
            return "json"
        if name.endswith(SQLITE_SUFFIX):
            return "sqlite"
        raise ExportError(f"{path}: an OCEL file is named *.jsonocel, *.json or *.sqlite")
    raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


def default_out(log: Path, fmt: str) -> Path:
    """Where an export goes when no file is named: beside the log, compressed XES or OCEL JSON."""
    log = Path(log)
    suffix = {"xes": ".xes.gz", "ocel": ".jsonocel"}.get(fmt)
    if suffix is None:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return log / f"{log.name}{suffix}"


def export_log(log: Path, out: Path, fmt: str) -> ExportSummary:
    """Export the event log in directory ``log`` to ``out`` as ``fmt`` (``xes`` or ``ocel``)."""
    log, out = Path(log), Path(out)
    kind = container(out, fmt)
    writable_file(out)  # before the log is read
    events_path = log_file(log, EVENTS_FILE)
    if not log.is_dir():
        raise ExportError(f"{log}: no such event log directory; make one with `ketenlens ingest`")
    if not events_path.exists():
        raise ExportError(f"{log}: holds no {EVENTS_FILE}; make it with `ketenlens ingest`")
    started = time.perf_counter()
    try:
        events = read_events(events_path)
    except EventLogError as exc:
        raise ExportError(str(exc)) from None
    stray = [c for c in events.columns if c not in EVENT_COLUMNS]
    if stray:
        # Every writer validates the contract, so this is a file made by hand: refuse it, as
        # an unknown column may hold personal data.
        raise ExportError(
            f"{events_path}: column {stray[0]!r} is not part of the event-log contract; "
            "export only logs written by `ketenlens ingest`"
        )
    objects: dict[str, int] = {}
    if fmt == "xes":
        write_xes(events, out, name=log.name)
    else:
        ocel = build_ocel(events)
        writer = write_ocel_sqlite if kind == "sqlite" else write_ocel_json
        writer(ocel, out)
        objects = ocel.object_counts()
    return ExportSummary(
        path=out,
        format=kind,
        cases=int(events[CASE].nunique()),
        events=len(events),
        activities=int(events[ACTIVITY].nunique()),
        size=out.stat().st_size,
        seconds=time.perf_counter() - started,
        objects=objects,
    )
