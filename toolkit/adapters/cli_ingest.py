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

from toolkit.adapters.detect import IGNORED_PREFIXES
from toolkit.adapters.generic import GenericColumns
from toolkit.adapters.ingest import ingest, is_generated
from toolkit.adapters.report import LINKAGE_KEYS, IngestReport
from toolkit.adapters.report_labels import code_name
from toolkit.errors import IngestError
from toolkit.numbers import number
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
    parser.add_argument(
        "--language", choices=("nl", "en"), default="nl", help="language of the printed report"
    )
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
        text = REPORT_TEXT["en" if args.language == "en" else "nl"]
        err.print(Panel(text["demo"], style="bold red", title=text["warning"]))
        return Pseudonymizer(DEMO_KEY)
    return Pseudonymizer(load_key(Path(args.key_file) if args.key_file else None))


# The printed report's words; the codes of reasons and linkage are named by report_labels.
REPORT_TEXT = {
    "nl": {
        "files": "Bestanden",
        "columns": ("bestand", "profiel", "rijen", "gebeurtenissen", "dubbel", "quarantaine"),
        "reasons": "Waarom rijen in quarantaine gingen (de drie meest voorkomende redenen per "
        "bestand)",
        "reason_columns": ("bestand", "redenen: rijen"),
        "other": "overige",
        "warning": "LET OP",
        "demo": "DEMOSLEUTEL IN GEBRUIK: de pseudoniemen in dit log zijn gemaakt met de openbare "
        "demosleutel en beschermen niets. Alleen voor gegenereerde demogegevens, nooit voor "
        "echte exports.",
        "reading": "inlezen",
        "summary": "[bold]{events}[/bold] gebeurtenissen van [bold]{persons}[/bold] personen "
        "({added} toegevoegd aan {before} die al in het log stonden); {duplicates} dubbele rijen "
        "weggelaten, {quarantined} rijen in quarantaine ({reasons}). Datums na {as_of} ({source}) "
        "tellen als toekomst.",
        "sources": {"today": "vandaag", "ground_truth.json cut-off": "einddatum van de "
                    "gegenereerde gegevens"},
        "linkage": "Welke ketenpartners gegevens over welke personen leveren",
        "linkage_columns": ("bronnen", "personen"),
        "note": "let op",
        "places": "plaatsen die niet in toolkit/chain/locations.toml staan, bewaard met type "
        "onbekend: {listed}; voeg ze daar toe om ze een type en een gemeente te geven",
        "rows": "rijen",
        "empty": "zonder gegevensrijen: {listed}; is de export leeg, of het verkeerde tabblad?",
        "ignored": "niet gelezen, geen export (.xlsx, .csv, .xes of .parquet): {listed}",
        "wrote": "events.parquet, cases.parquet, quarantine.csv en ingest_report.json geschreven "
        "naar [bold]{out}[/bold]",
    },
    "en": {
        "files": "Files",
        "columns": ("file", "profile", "rows", "events", "duplicates", "quarantined"),
        "reasons": "Why rows were quarantined (the three most frequent reasons per file)",
        "reason_columns": ("file", "reasons: rows"),
        "other": "other",
        "warning": "WARNING",
        "demo": DEMO_WARNING,
        "reading": "reading",
        "summary": "[bold]{events}[/bold] events of [bold]{persons}[/bold] persons ({added} added "
        "to {before} already in the log); {duplicates} duplicates removed, {quarantined} rows "
        "quarantined ({reasons}). Dates after {as_of} ({source}) count as future.",
        "sources": {},
        "linkage": "Which chain partners hold data on which persons",
        "linkage_columns": ("sources", "persons"),
        "note": "note",
        "places": "places not in toolkit/chain/locations.toml, kept with type unknown: {listed}; "
        "add them there to give them a type and a municipality",
        "rows": "rows",
        "empty": "no data rows in: {listed}; is the export empty, or the wrong sheet?",
        "ignored": "not read, not an export (.xlsx, .csv, .xes or .parquet): {listed}",
        "wrote": "Wrote events.parquet, cases.parquet, quarantine.csv, ingest_report.json to "
        "[bold]{out}[/bold]",
    },
}  # fmt: skip


def _reasons(reasons: dict[str, int], language: str) -> str:
    """The most frequent reasons by name with their rows, and how many rows the others hold."""
    ranked = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = [f"{code_name('reason', k, language)}: {number(v, language)}" for k, v in ranked]
    rest = sum(v for _, v in ranked[MAX_REASONS_SHOWN:])
    if rest:
        other = REPORT_TEXT["en" if language == "en" else "nl"]["other"]
        shown = [*shown[:MAX_REASONS_SHOWN], f"{other}: {number(rest, language)}"]
    return "; ".join(shown)


def print_report(report: IngestReport, console: Console, language: str = "nl") -> None:
    """The ingest report as tables a person can read: file names whole, reasons and linkage by
    name, numbers in the language's notation."""
    text = REPORT_TEXT["en" if language == "en" else "nl"]
    table = Table(title=text["files"])
    # a narrow terminal folds a file's name (or a header) onto a next line, never cuts it off
    for name, side in zip(text["columns"], ("left", "left", *["right"] * 4), strict=True):
        table.add_column(name, justify=side, overflow="fold")  # type: ignore[arg-type]
    for f in report.files:
        table.add_row(
            Text(f.path),
            f.profile,
            number(f.rows_read, language),
            number(f.events, language),
            number(f.duplicates, language),
            number(f.quarantined, language),
        )
    console.print(table)
    quarantined = [f for f in report.files if f.quarantine_reasons]
    if quarantined:
        reasons = Table(title=text["reasons"])
        for name in text["reason_columns"]:
            reasons.add_column(name, overflow="fold")
        for f in quarantined:
            reasons.add_row(Text(f.path), _reasons(f.quarantine_reasons, language))
        console.print(reasons)
    console.print(
        text["summary"].format(
            events=number(report.events, language),
            persons=number(report.persons, language),
            added=number(report.events_added, language),
            before=number(report.events_before, language),
            duplicates=number(report.duplicates, language),
            quarantined=number(report.quarantined, language),
            reasons=escape(_reasons(report.quarantine_reasons(), language)),
            as_of=report.as_of,
            source=escape(text["sources"].get(report.as_of_source, report.as_of_source)),
        )
    )
    link = Table(title=text["linkage"])
    link.add_column(text["linkage_columns"][0])
    link.add_column(text["linkage_columns"][1], justify="right")
    for name, value in report.linkage.items():
        # the persons by the partners that see them, then the permit holders among them
        link.add_row(code_name("linkage", name, language), number(value, language),
                     end_section=name == LINKAGE_KEYS[-1])  # fmt: skip
    console.print(link)
    notes = [f"{f.path}: {n}" for f in report.files for n in f.notes]
    for note in notes:
        console.print(f"[yellow]{text['note']}[/yellow] {escape(note)}")
    places = report.unknown_places()
    if places:
        listed = ", ".join(
            f"{printable(name)} ({number(rows, language)} {text['rows']})"
            for name, rows in places.items()
        )
        console.print(
            f"[yellow]{text['note']}[/yellow] " + text["places"].format(listed=escape(listed))
        )
    empty = [f.path for f in report.files if f.rows_read == 0]
    # a spreadsheet's lock file or a hidden file is nobody's export: not worth a note
    ignored = [
        n for n in report.ignored_files if not n.rsplit("/", 1)[-1].startswith(IGNORED_PREFIXES)
    ]
    for key, names in (("empty", empty), ("ignored", ignored)):
        if names:
            listed = escape(", ".join(printable(name) for name in names))
            console.print(f"[yellow]{text['note']}[/yellow] " + text[key].format(listed=listed))
    console.print(text["wrote"].format(out=escape(report.out)))


def cmd_ingest(args: argparse.Namespace) -> int:
    """Run `ketenlens ingest`; raises :class:`IngestError` for the main function to print."""
    console, err = Console(), Console(stderr=True)
    writable_dir(Path(args.out), create=False)  # before the key or any export is read
    key = _key(args, err)
    columns = GenericColumns(args.case_column, args.activity_column, args.timestamp_column)
    with Progress(
        TextColumn(f"[bold]{REPORT_TEXT['en' if args.language == 'en' else 'nl']['reading']}"),
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
    print_report(report, console, args.language)
    return 0
