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
from toolkit.errors import EventLogError, KetenlensError
from toolkit.eventlog import read_events
from toolkit.forecast.pipeline import MONTHS, RUNS, SEED, Forecast, forecast
from toolkit.forecast.report import SUFFIXES, write_forecast
from toolkit.logdir import EVENTS_FILE, current_files
from toolkit.outpaths import writable_file
from toolkit.suppression import disclosure_key

SHOWN = ("permits", "linked_persons", "linked_households", "move_outs")


def add_forecast_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``forecast`` subcommand to the ``ketenlens`` parser."""
    parser = subparsers.add_parser(
        "forecast",
        help="who will be linked to which municipality, when, in which households",
        description=(
            "Run the chain forward from the state of every household at the end of the data: "
            "permits, koppelingen per municipality, households by size, move-outs and persons "
            "still waiting per month, each with an 80%% interval; progress on the taakstelling."
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
    add_audience_options(parser, "language of the html report")
    parser.set_defaults(func=cmd_forecast)
    return parser


def _interval(row) -> str:
    if row is None or row["expected"] is None:
        return "suppressed"
    return f"{row['expected']:,.1f} ({row['low']:,.0f}-{row['high']:,.0f})"


def months_table(fc: Forecast, municipality: str, title: str) -> Table:
    """One row per month: the main figures with their 80% intervals."""
    rows = fc.rows[fc.rows["municipality"] == municipality]
    table = Table(title=title)
    table.add_column("month")
    shown = [m for m in SHOWN if m in set(rows["metric"])]
    for metric in shown:
        table.add_column(metric.replace("_", " "), justify="right")
    for month, group in rows.groupby("month", sort=True):
        by_metric = {r["metric"]: r for r in group.to_dict("records")}
        table.add_row(month, *(_interval(by_metric.get(m)) for m in shown))
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
    fc = fc.for_municipality(args.municipality)
    s = fc.summary
    console.print(f"Forecast from {s['as_of'][:16]} UTC for {len(s['months'])} months, "
                  f"{s['runs']} runs (seed {s['seed']}) in {time.perf_counter() - started:.1f} s: "
                  f"{s['persons_waiting']:,} persons in {s['households_waiting']:,} households "
                  f"waiting; {s['arrivals_per_month']} households arriving per month",
                  markup=False)  # fmt: skip
    console.print(months_table(fc, "", "The Netherlands: expected per month (80% interval)"))
    if args.municipality:
        name = chain.municipality(args.municipality).name
        console.print(months_table(fc, args.municipality, f"{name}: expected per month"))
        taak = fc.taakstelling[fc.taakstelling["municipality"] == args.municipality]
        for row in taak.to_dict("records"):
            console.print(f"{name} {row['period']}: taakstelling {row['taakstelling']}, linked "
                          f"before {row['linked_before']}, expected by {row['until']}: "
                          f"{_interval(row)}", markup=False)  # fmt: skip
    if args.export:
        for written in write_forecast(fc, Path(args.export), language=args.language):
            console.print(f"Wrote {written}", markup=False)
    return 0
