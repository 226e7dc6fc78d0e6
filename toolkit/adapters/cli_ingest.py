"""Command-line front end of `ketenlens ingest`: arguments, key handling, progress and summary.

The work is :func:`toolkit.adapters.ingest.ingest`; this module only turns arguments into its
parameters, shows a progress bar and prints the report. Domain errors propagate to the
``ketenlens`` main function, which prints them as one line without a traceback.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from toolkit.adapters.generic import GenericColumns
from toolkit.adapters.ingest import ingest, is_generated
from toolkit.adapters.report import IngestReport
from toolkit.errors import IngestError
from toolkit.outpaths import writable_dir
from toolkit.privacy import DEMO_KEY, Pseudonymizer, load_key
from toolkit.terminal import printable

DEMO_WARNING = (
    "DEMO KEY IN USE: the pseudonyms in this log are made with the public demo key and protect "
    "nothing. Use it only for generated demo data, never for real exports."
)
MAX_REASONS_SHOWN = 3


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-07-01") from None


def add_ingest_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``ingest`` subcommand to the ``ketenlens`` parser."""
    parser = subparsers.add_parser(
        "ingest",
        help="turn a directory of COA, IND and municipal exports into one pseudonymised log",
        description=(
            "Read every export in DIR through its mapping profile, pseudonymise, deduplicate and "
            "quarantine, and write events.parquet, cases.parquet, quarantine.csv and "
            "ingest_report.json into --out. Ingesting into an existing log adds only new events."
        ),
    )
    parser.add_argument("directory", metavar="DIR", help="directory with the raw exports")
    parser.add_argument(
        "--out", required=True, help="directory of the event log, e.g. event_logs/x"
    )
    parser.add_argument("--profile", help="read every file with this profile (or 'generic')")
    parser.add_argument(
        "--profiles",
        action="append",
        default=[],
        metavar="DIR",
        help="a folder with profile files of your own (*.toml), used beside the shipped ones",
    )
    parser.add_argument("--key-file", help="file holding the pseudonymisation key")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the public demo key (generated data only: a directory with ground_truth.json)",
    )
    parser.add_argument(
        "--as-of",
        type=_as_of,
        help="day the exports were made (YYYY-MM-DD); later dates are quarantined as future",
    )
    defaults = GenericColumns()
    parser.add_argument("--case-column", default=defaults.case, help="generic logs: case id")
    parser.add_argument("--activity-column", default=defaults.activity, help="generic: activity")
    parser.add_argument("--timestamp-column", default=defaults.timestamp, help="generic: time")
    parser.set_defaults(func=cmd_ingest)
    return parser


def _key(args: argparse.Namespace, err: Console) -> Pseudonymizer:
    if args.demo:
        if args.key_file:
            raise IngestError("pass either --demo or --key-file, not both")
        if not is_generated(Path(args.directory)):
            raise IngestError(
                f"{args.directory}: --demo is only for generated data (a directory with "
                "ground_truth.json); for real exports pass --key-file or set KETENLENS_KEY"
            )
        err.print(Panel(DEMO_WARNING, style="bold red", title="WARNING"))
        return Pseudonymizer(DEMO_KEY)
    return Pseudonymizer(load_key(Path(args.key_file) if args.key_file else None))


def _reasons(reasons: dict[str, int]) -> str:
    top = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_REASONS_SHOWN]
    return ", ".join(f"{k} {v}" for k, v in top)


def print_report(report: IngestReport, console: Console) -> None:
    """The ingest report as tables a person can read."""
    table = Table(title="Files")
    for name, justify in (
        ("file", "left"),
        ("profile", "left"),
        ("rows", "right"),
        ("events", "right"),
        ("duplicates", "right"),
        ("quarantined", "right"),
        ("main reasons", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for f in report.files:
        table.add_row(
            Text(f.path),
            f.profile,
            f"{f.rows_read:,}",
            f"{f.events:,}",
            f"{f.duplicates:,}",
            f"{f.quarantined:,}",
            _reasons(f.quarantine_reasons),
        )
    console.print(table)
    console.print(
        f"[bold]{report.events:,}[/bold] events of [bold]{report.persons:,}[/bold] persons "
        f"({report.events_added:,} added to {report.events_before:,} already in the log); "
        f"{report.duplicates:,} duplicates removed, {report.quarantined:,} rows quarantined "
        f"({_reasons(report.quarantine_reasons())}). Dates after {report.as_of} "
        f"({report.as_of_source}) count as future."
    )
    link = Table(title="Who is seen by which partner (persons)")
    link.add_column("linkage")
    link.add_column("persons", justify="right")
    for name, value in report.linkage.items():
        link.add_row(name, f"{value:,}")
    console.print(link)
    notes = [f"{f.path}: {n}" for f in report.files for n in f.notes]
    for note in notes:
        console.print(f"[yellow]note[/yellow] {escape(note)}")
    places = report.unknown_places()
    if places:
        listed = ", ".join(f"{printable(name)} ({rows:,} rows)" for name, rows in places.items())
        console.print(
            f"[yellow]note[/yellow] places not in toolkit/chain/locations.toml, kept with type "
            f"unknown: {escape(listed)}; add them there to give them a type and a municipality"
        )
    console.print(
        f"Wrote events.parquet, cases.parquet, quarantine.csv, ingest_report.json to "
        f"[bold]{escape(report.out)}[/bold]"
    )


def cmd_ingest(args: argparse.Namespace) -> int:
    """Run `ketenlens ingest`; raises :class:`IngestError` for the main function to print."""
    console, err = Console(), Console(stderr=True)
    writable_dir(Path(args.out), create=False)  # before the key or any export is read
    key = _key(args, err)
    columns = GenericColumns(args.case_column, args.activity_column, args.timestamp_column)
    with Progress(
        TextColumn("[bold]reading"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        auto_refresh=False,  # no drawing thread: ingest forks its reading processes
    ) as bar:
        task = bar.add_task("", total=None)

        def progress(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=name)
            bar.refresh()

        report = ingest(
            Path(args.directory),
            Path(args.out),
            key=key,
            profile=args.profile,
            as_of=args.as_of,
            columns=columns,
            progress=progress,
            profile_dirs=tuple(Path(d) for d in args.profiles),
            on_wait=lambda: err.print(
                f"another ingest is writing to {printable(args.out)}; waiting until it is done",
                markup=False,
            ),
        )
    print_report(report, console)
    return 0
