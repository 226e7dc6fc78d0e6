"""Command-line front end of ``ketenlens forecast``: the pipeline forecast printed, or exported.

The work is :func:`toolkit.forecast.pipeline.forecast`; this module reads the log, turns flags
into its arguments, prints the national months (and one municipality's, with its taakstelling)
and writes ``--export``. Example::

    ketenlens forecast event_logs/demo --municipality GM0363 --export vooruitblik.xlsx
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from toolkit.analysis import log_as_of
from toolkit.analyze_cli import _day, add_audience_options
from toolkit.chain import load_chain
from toolkit.chain.model import Chain
from toolkit.errors import EventLogError, KetenlensError
from toolkit.eventlog import read_events
from toolkit.export.report_html import local_day
from toolkit.forecast.labels import (
    NATION,
    NATIONAL_METRICS,
    half_year_text,
    language_of,
    metric_label,
    months_text,
    starts_with_forecast,
    taakstelling_word,
    value,
    with_interval,
)
from toolkit.forecast.model import RECENT_MONTHS
from toolkit.forecast.pipeline import MONTHS, RUNS, SEED, Forecast, forecast
from toolkit.forecast.report import SUFFIXES, write_forecast
from toolkit.logdir import EVENTS_FILE, current_files
from toolkit.numbers import day_text, month_text, number
from toolkit.outpaths import writable_file
from toolkit.suppression import disclosure_key


def add_forecast_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``forecast`` subcommand to the ``ketenlens`` parser."""
    parser = subparsers.add_parser(
        "forecast",
        help="who will be linked to which municipality, when, in which households",
        description=(
            "Run the chain forward from the state of every household at the end of the data: "
            "permits, koppelingen per municipality, households by size, move-outs and persons "
            "still waiting per month, each with an 80% interval; progress on the taakstelling."
        ),
    )
    parser.add_argument("log", metavar="LOG", help="directory of the event log, e.g. event_logs/x")
    parser.add_argument("--as-of", type=_day, metavar="DATE",
                        help="forecast from the end of this day, ignoring every later event "
                        "(default: the end of the data the ingest recorded, else the last event)")  # fmt: skip
    parser.add_argument("--months", type=int, default=MONTHS, help=f"months ahead ({MONTHS})")
    parser.add_argument("--municipality", metavar="GMxxxx",
                        help="also print (and export only) this municipality")  # fmt: skip
    parser.add_argument("--export", metavar="FILE", help=f"write to {'/'.join(SUFFIXES)}")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"simulation runs ({RUNS})")
    parser.add_argument("--seed", type=int, default=SEED, help="same seed, same forecast")
    parser.add_argument("--taakstelling", type=int, metavar="N",
                        help="national taakstelling per half-year (default: persons permitted "
                        "in the half-year before)")  # fmt: skip
    add_audience_options(parser, "language of the printed tables and the html report")
    parser.set_defaults(func=cmd_forecast)
    return parser


# The printed lines, in the words of the html report (:mod:`toolkit.forecast.report_html`).
PRINTED = {
    "nl": {
        "made": "Vooruitblik vanaf {as_of} voor {months}, {runs} simulaties (startgetal "
        "{seed}) in {seconds} s: {persons} personen in {households} huishoudens wachten; "
        "gemiddeld {arrivals} nieuwe huishoudens per maand (laatste {recent} maanden)",
        "per_month": "{name}: verwacht per maand (80%-interval)",
        "taak": "{name}, {period}: {kind} {taakstelling}, al gekoppeld vóór de vooruitblik "
        "{before}, naar verwachting in dit halfjaar gekoppeld t/m {until}: {expected}",
        "taak_fresh": "{name}, {period}: {kind} {taakstelling}, naar verwachting in dit halfjaar "
        "gekoppeld t/m {until}: {expected}",
        "wrote": "Geschreven: {path}",
        "month": "Maand",
    },
    "en": {
        "made": "Forecast from {as_of} for {months}, {runs} runs (seed {seed}) in "
        "{seconds} s: {persons} persons in {households} households waiting; {arrivals} new "
        "households per month (last {recent} months)",
        "per_month": "{name}: expected per month (80% interval)",
        "taak": "{name}, {period}: {kind} {taakstelling}, linked before the forecast "
        "{before}, expected linked in this half-year up to {until}: {expected}",
        "taak_fresh": "{name}, {period}: {kind} {taakstelling}, expected linked in this "
        "half-year up to {until}: {expected}",
        "wrote": "Wrote {path}",
        "month": "Month",
    },
}


def months_table(fc: Forecast, municipality: str, title: str, language: str, chain: Chain) -> Table:
    """One row per month: the main figures with their 80% intervals, in the language's words
    and notation (a dash where workshop mode left a figure out)."""
    rows = fc.rows[fc.rows["municipality"] == municipality]
    table = Table(title=title)
    table.add_column(PRINTED[language]["month"])
    shown = [m for m in NATIONAL_METRICS if m in set(rows["metric"])]
    for metric in shown:
        table.add_column(metric_label(metric, language, chain), justify="right")
    for month, group in rows.groupby("month", sort=True):
        by_metric = {r["metric"]: r for r in group.to_dict("records")}
        table.add_row(
            month_text(month, language), *(with_interval(by_metric.get(m), language) for m in shown)
        )
    return table


def cmd_forecast(args: argparse.Namespace) -> int:
    """Run ``ketenlens forecast``; raises domain errors for the main function to print."""
    if args.export:
        writable_file(Path(args.export))  # before the log is read and the forecast run
    files = current_files(Path(args.log))  # events and report of one version
    path = files / EVENTS_FILE
    if not path.exists():
        raise EventLogError(f"{path}: no event log here; run `ketenlens ingest DIR --out "
                            f"{args.log}` first")  # fmt: skip
    chain = load_chain()
    if args.municipality:
        try:
            chain.municipality(args.municipality)
        except KeyError as exc:
            raise KetenlensError(f"--municipality: {exc.args[0]}") from None
    console = Console(highlight=False, soft_wrap=True)
    started = time.perf_counter()
    as_of = args.as_of or log_as_of(Path(args.log))  # the end of the data, as for analyze
    with Console(stderr=True).status(f"Forecasting from {args.log} ..."):
        log = read_events(path)
        fc = forecast(log, as_of=as_of, months=args.months, runs=args.runs,
                      seed=args.seed, chain=chain, taakstelling=args.taakstelling)  # fmt: skip
    if args.workshop:  # counts perturbed as in the dashboard (cell key method)
        with disclosure_key(log):
            fc = fc.suppressed(args.k)
    if args.municipality and args.municipality not in set(fc.rows["municipality"]):
        name = chain.municipality(args.municipality).name
        raise KetenlensError(
            f"--municipality {args.municipality}: {name} is not a municipality at the end of the "
            "data (merged into another, or not yet formed), so nobody is linked to it"
        )
    fc = fc.for_municipality(args.municipality)
    s = fc.summary
    lang = language_of(args.language)
    words = PRINTED[lang]
    made = words["made"].format(
        as_of=day_text(local_day(s["as_of"]), lang),
        months=months_text(len(s["months"]), lang),
        runs=number(s["runs"], lang),
        seed=s["seed"],
        seconds=number(time.perf_counter() - started, lang, 1),
        persons=number(s["persons_waiting"], lang),
        households=number(s["households_waiting"], lang),
        arrivals=number(s["arrivals_per_month"], lang, 1),
        recent=RECENT_MONTHS,
    )
    console.print(made, markup=False)
    nation = NATION[lang]
    console.print(months_table(fc, "", words["per_month"].format(name=nation), lang, chain))
    if args.municipality:
        name = chain.municipality(args.municipality).name
        title = words["per_month"].format(name=name)
        console.print(months_table(fc, args.municipality, title, lang, chain))
        taak = fc.taakstelling[fc.taakstelling["municipality"] == args.municipality]
        for row in taak.to_dict("records"):
            fresh = starts_with_forecast(fc.summary, row["period"])
            console.print(words["taak_fresh" if fresh else "taak"].format(
                name=name, period=half_year_text(row["period"], lang),
                kind=taakstelling_word(fc.summary, lang),
                taakstelling=number(row["taakstelling"], lang),
                before=value(row["linked_before"], lang), until=day_text(row["until"], lang),
                expected=with_interval(row, lang)), markup=False)  # fmt: skip
    if args.export:
        for written in write_forecast(fc, Path(args.export), language=args.language):
            console.print(words["wrote"].format(path=written), markup=False)
    return 0
