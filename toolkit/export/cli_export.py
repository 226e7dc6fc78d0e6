"""Command-line front end of `ketenlens export`: the event log as XES or OCEL 2.0 for other tools.

The work is :func:`toolkit.export.logs.export_log`; this module turns arguments into its
parameters and prints a short summary. The format is not restricted by argparse, so an unknown
format reaches the export as an :class:`~toolkit.errors.ExportError` and the ``ketenlens`` main
function prints it as one line, like every other domain error.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from toolkit.export.logs import FORMATS, ExportSummary, default_out, export_log
from toolkit.terminal import printable

CONTAINERS = {
    "xes": "XES",
    "xes.gz": "XES, gzip",
    "json": "OCEL 2.0 JSON",
    "sqlite": "OCEL 2.0 SQLite",
}


def add_export_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``export`` subcommand to the ``ketenlens`` parser."""
    parser = subparsers.add_parser(
        "export",
        help="write an event log as XES or OCEL 2.0 for ProM, Disco, Celonis or pm4py",
        description=(
            "Export event_logs/NAME (its events.parquet) as XES (FILE.xes or FILE.xes.gz) or as "
            "OCEL 2.0 (FILE.jsonocel, FILE.json or FILE.sqlite) with the objects person, "
            "household, ind_case, coa_location and municipality. Only pseudonyms leave the log."
        ),
    )
    parser.add_argument("log", metavar="LOG", help="directory of the event log, e.g. event_logs/x")
    parser.add_argument(
        "--format", required=True, metavar="FORMAT", help=f"one of: {', '.join(FORMATS)}"
    )
    parser.add_argument(
        "--out",
        metavar="FILE",
        help="the file to write (default: LOG/NAME.xes.gz or LOG/NAME.jsonocel)",
    )
    parser.set_defaults(func=cmd_export)
    return parser


def _size(n: int) -> str:
    for unit in ("bytes", "kB", "MB"):
        if n < 1000:
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return f"{n:,.1f} GB"


def summary_text(summary: ExportSummary) -> str:
    """One or two lines on what was written."""
    line = (
        f"Wrote {printable(summary.path)} ({CONTAINERS[summary.format]}): {summary.cases:,} cases, "
        f"{summary.events:,} events, {summary.activities:,} activities; "
        f"{_size(summary.size)} in {summary.seconds:.1f} s"
    )
    if summary.objects:
        objects = ", ".join(f"{n:,} {kind}" for kind, n in summary.objects.items())
        line += f"\n  objects: {objects}"
    return line


def cmd_export(args: argparse.Namespace) -> int:
    """Run `ketenlens export`; raises ExportError for the main function to print."""
    fmt = args.format.strip().lower()
    out = Path(args.out) if args.out else default_out(Path(args.log), fmt)
    summary = export_log(Path(args.log), out, fmt)
    Console(highlight=False, soft_wrap=True).print(summary_text(summary), markup=False)
    return 0
