"""Command-line front end of `ketenlens analyze`: findings as a table, or exported to a file.

The work is :func:`toolkit.analysis.load_and_analyze`; this module turns flags into one
:class:`~toolkit.filters.LogFilter`, picks the writer by the export file's extension and prints.
Without ``--export`` it prints the top findings as a table. Errors are domain errors, which the
``ketenlens`` main function prints as one line. Example::

    ketenlens analyze event_logs/demo --municipality GM0363 --from 2024-01-01 --export out.xlsx
    ketenlens analyze event_logs/demo --workshop --export workshop.html
"""

from __future__ import annotations

import argparse
import importlib
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from toolkit.analysis import Analysis, load_and_analyze, smallest_group
from toolkit.chain import load_chain
from toolkit.column_labels import value_label
from toolkit.errors import ExportError, KetenlensError
from toolkit.filters import LogFilter
from toolkit.findings import DESCRIPTIVE
from toolkit.numbers import number, q_text, through_text
from toolkit.outpaths import writable_file
from toolkit.suppression import DEFAULT_K
from toolkit.terminal import printable

TOP_PRINTED = 15
# The printed table's texts, as the dashboard's Knelpunten page words them.
TABLE_TEXT = {
    "nl": {
        "title": "Top {top} van {count} bevindingen: waar, wie, trend en herhaald werk "
        "afwisselend, binnen elke soort naar omvang",
        "columns": ("#", "soort", "bevinding", "personen", "omvang", "betrouwbaarheid"),
        "person_days": "extra persoonsdagen",
        "events": "extra gebeurtenissen",
        "descriptive": "beschrijvend",
        "log": "{kind}: {events} gebeurtenissen, {persons} personen, tot en met {as_of}; "
        "{findings} bevindingen in {seconds} s",
        "kinds": {"chain": "ketenlog", "generic": "log van een ander proces"},
        "kpis": "nu in de keten {in_chain}, wacht op een beslissing {decision}, wacht op een "
        "woning {home}, boven de ketennorm ({norm}): {share}",
        "suppressed": "onderdrukt",
        "unknown": "onbekend",
        "workshop": "workshopmodus: getallen over minder dan {k} personen zijn onderdrukt, "
        "andere aantallen verstoord met hoogstens 3 (celsleutelmethode) ({left_out} bevindingen "
        "weggelaten); de bevindingen gaan over groepen van ten minste {groups} personen",
        "wrote": "Geschreven: {path}",
    },
    "en": {
        "title": "Top {top} of {count} findings: where, who, trend and rework in turn, each "
        "kind by its impact",
        "columns": ("#", "kind", "finding", "persons", "impact", "confidence"),
        "person_days": "excess person-days",
        "events": "extra events",
        "descriptive": "descriptive",
        "log": "{kind}: {events} events, {persons} persons, up to {as_of}; {findings} findings "
        "in {seconds} s",
        "kinds": {"chain": "chain log", "generic": "log of another process"},
        "kpis": "in the chain now {in_chain}, waiting for a decision {decision}, waiting for a "
        "home {home}, over the chain norm ({norm}): {share}",
        "suppressed": "suppressed",
        "unknown": "n/a",
        "workshop": "workshop mode: figures about fewer than {k} persons are suppressed, other "
        "counts perturbed by up to 3 (cell key method) ({left_out} findings left out); the "
        "findings are about groups of at least {groups} persons",
        "wrote": "Wrote {path}",
    },
}
# Per extension the module and function of its writer, imported when a file of that kind is
# written: openpyxl (175 modules) is not loaded beside an analysis that exports no workbook.
WRITERS: dict[str, tuple[str, str]] = {
    ".xlsx": ("toolkit.export.report_xlsx", "write_xlsx"),
    ".csv": ("toolkit.export.report_csv", "write_csv"),
    ".json": ("toolkit.export.report_json", "write_json"),
    ".html": ("toolkit.export.report_html", "write_html"),
}


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as 2024-12-31") from exc


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("k must be 1 or more")
    return value


def add_audience_options(parser: argparse.ArgumentParser, language_help: str) -> None:
    """``--workshop``, ``--k`` and ``--language``: who looks, for every command that shows."""
    parser.add_argument(
        "--workshop",
        action="store_true",
        help="suppress every figure about fewer than k persons, perturb the other counts",
    )
    parser.add_argument(
        "--k",
        type=_positive,
        default=DEFAULT_K,
        help=f"the smallest group shown in workshop mode (default {DEFAULT_K})",
    )
    parser.add_argument("--language", choices=("nl", "en"), default="nl", help=language_help)


def add_analyze_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``analyze`` subcommand to the ``ketenlens`` parser."""
    parser = subparsers.add_parser(
        "analyze",
        help="rank the bottlenecks of an event log; export them as xlsx, csv, json or html",
        description=(
            "Analyse event_logs/NAME: milestone intervals and norms (chain logs), waits, "
            "handovers, variants, rework, conformance and ranked findings. Prints the top "
            "findings, or writes everything to --export FILE (.xlsx, .csv, .json or .html)."
        ),
    )
    parser.add_argument("log", metavar="LOG", help="directory of the event log, e.g. event_logs/x")
    parser.add_argument("--export", metavar="FILE", help="write to FILE.xlsx/.csv/.json/.html")
    period = parser.add_argument_group("what to look at")
    period.add_argument(
        "--from",
        dest="period_from",
        type=_day,
        metavar="DATE",
        help="keep events on or after this day (Amsterdam time)",
    )
    period.add_argument(
        "--to",
        dest="period_to",
        type=_day,
        metavar="DATE",
        help="keep events on or before this day; also the end of the data",
    )
    period.add_argument(
        "--cohort-from",
        type=_day,
        metavar="DATE",
        help="per interval: only persons whose interval starts on or after it",
    )
    period.add_argument(
        "--cohort-to",
        type=_day,
        metavar="DATE",
        help="per interval: only persons whose interval starts on or before it",
    )
    for name, what in (
        ("municipality", "CBS code GMxxxx"),
        ("organisation", "IND, COA or GEMEENTE"),
        ("location", "COA location"),
        ("nationality", "nationality code"),
        ("track", "asylum track"),
    ):
        period.add_argument(
            f"--{name}",
            action="append",
            default=[],
            metavar="VALUE",
            help=f"keep persons with this {what} (repeat for several)",
        )
    period.add_argument(
        "--activity",
        action="append",
        default=[],
        metavar="ID",
        help="keep persons who passed this activity (repeat for several)",
    )
    period.add_argument(
        "--path",
        action="append",
        default=[],
        metavar="FROM:TO",
        help="keep persons with FROM directly followed by TO, as on the process map "
        "(relocations skipped; repeat for several)",
    )
    parser.add_argument(
        "--as-of",
        type=_day,
        metavar="DATE",
        help="end of the data (default: --to, else the last event)",
    )
    add_audience_options(parser, "language of the printed lines and table, and the html report")
    parser.set_defaults(func=cmd_analyze)  # fmt: skip
    return parser


def log_filter(args: argparse.Namespace) -> LogFilter:
    """The one filter the flags describe."""
    try:
        return LogFilter(
            period_from=args.period_from,
            period_to=args.period_to,
            cohort_from=args.cohort_from,
            cohort_to=args.cohort_to,
            municipality=args.municipality,
            organisation=args.organisation,
            location=args.location,
            nationality=args.nationality,
            track=args.track,
            activity=args.activity,
            path=args.path,
        )
    except ValueError as exc:
        raise KetenlensError(str(exc)) from exc


def _writer(path: Path) -> Callable[[Analysis, Path], Any]:
    suffix = path.suffix.lower()
    if suffix not in WRITERS:
        raise ExportError(
            f"{path}: cannot export to {suffix or 'a file without extension'}; "
            f"use one of {', '.join(WRITERS)}"
        )
    module, name = WRITERS[suffix]
    return getattr(importlib.import_module(module), name)


def findings_table(analysis: Analysis, language: str, top: int = TOP_PRINTED) -> Table:
    """The top findings as a rich table (what ``analyze`` prints without ``--export``), in the
    language's words and number notation."""
    text = TABLE_TEXT.get(language, TABLE_TEXT["en"])
    table = Table(
        title=text["title"].format(
            top=min(top, len(analysis.findings)), count=len(analysis.findings)
        )
    )
    justify = ("right", "left", "left", "right", "right", "right")
    for column, side in zip(text["columns"], justify, strict=True):
        table.add_column(column, justify=side)  # type: ignore[arg-type]
    for finding in analysis.findings[:top]:
        impact = (
            f"{number(finding.excess_events or 0, language)} {text['events']}"
            if finding.family == "rework"
            else f"{number(finding.excess_person_days, language)} {text['person_days']}"
        )
        table.add_row(
            str(finding.rank),
            str(value_label("family", finding.family, language)),
            finding.title_en if language == "en" else finding.title_nl,
            number(finding.persons, language),
            impact,
            _confidence(finding.confidence, language),
        )
    return table


def _confidence(confidence: float | str, language: str) -> str:
    """A finding's q-value in the language's notation, or that it is descriptive."""
    if isinstance(confidence, float):
        return q_text(confidence, language)
    text = TABLE_TEXT.get(language, TABLE_TEXT["en"])
    return text["descriptive"] if confidence == DESCRIPTIVE else str(confidence)


def _norm_name(norm_id: str | None, language: str) -> str:
    """A chain norm by its name ("Van vergunning naar woning"), not its code."""
    try:
        norm = load_chain().norm(str(norm_id))
    except KeyError:
        return str(norm_id)
    label = norm.label(language)
    return label[:1].lower() + label[1:]  # within a sentence


def _kpi_line(summary: dict, language: str) -> str:
    """The dashboard's home tiles as one line: the same figures from the same summary."""
    text = TABLE_TEXT.get(language, TABLE_TEXT["en"])

    def count(key: str) -> str:
        value = summary.get(key)
        return text["suppressed"] if value is None else number(value, language)

    share = summary.get("share_over_norm")
    return text["kpis"].format(
        in_chain=count("in_chain_now"),
        decision=count("waiting_for_decision"),
        home=count("waiting_for_home"),
        norm=_norm_name(summary.get("chain_norm"), language),
        share=text["unknown"] if share is None else f"{number(100 * share, language, 1)}%",
    )


def cmd_analyze(args: argparse.Namespace) -> int:
    """Run `ketenlens analyze`; raises domain errors for the main function to print."""
    target = Path(args.export) if args.export else None
    writer = _writer(target) if target else None
    if target is not None:
        writable_file(target)  # before the log is read and analysed
    console = Console(highlight=False, soft_wrap=True)
    status = Console(stderr=True)
    started = time.perf_counter()
    with status.status(f"Analysing {escape(printable(args.log))} ..."):
        analysis = load_and_analyze(
            Path(args.log),
            filter=log_filter(args),
            as_of=args.as_of,
            workshop=args.workshop,
            k=args.k,
        )
    seconds = time.perf_counter() - started
    summary = analysis.summary
    language = args.language
    text = TABLE_TEXT.get(language, TABLE_TEXT["en"])
    persons = summary["persons"]
    line = text["log"].format(
        kind=text["kinds"].get(summary["log_kind"], summary["log_kind"]),
        events=number(summary["events"], language),
        persons=text["suppressed"] if persons is None else number(persons, language),
        as_of=through_text(summary["as_of"], language),
        findings=number(len(analysis.findings), language),
        seconds=number(seconds, language, 1),
    )
    console.print(line, markup=False)
    if summary.get("in_chain_now", "absent") != "absent":
        console.print(_kpi_line(summary, language), markup=False)
    if summary.get("workshop"):
        left_out = number(summary.get("findings_suppressed", 0), language)
        groups = smallest_group(True, summary["k"])
        console.print(
            text["workshop"].format(k=summary["k"], left_out=left_out, groups=groups), markup=False
        )
    if writer is None or target is None:
        console.print(findings_table(analysis, args.language))
        return 0
    if target.suffix.lower() == ".html":  # the one report written in a language
        writer(analysis, target, language=args.language)
    else:
        writer(analysis, target)
    console.print(text["wrote"].format(path=printable(target)), markup=False)
    return 0
