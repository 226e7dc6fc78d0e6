"""Command-line front end of `ketenlens scenario`: base and scenario side by side.

Example::

    ketenlens scenario event_logs/demo --inflow x4 --ind-capacity +20% --homes GM0479=+30%
    ketenlens scenario event_logs/demo --fidelity
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from toolkit.chain import load_chain
from toolkit.errors import EventLogError, KetenlensError
from toolkit.eventlog import read_events
from toolkit.scenario.export import WRITERS, write_scenario
from toolkit.scenario.report import AMSTERDAM, suppress_table
from toolkit.scenario.run import Levers, ScenarioResult, run_scenario
from toolkit.suppression import DEFAULT_K

EVENTS_FILE = "events.parquet"
ARRIVALS = 15  # municipalities printed at the end: the ones whose arrivals change most
WIDTH = 110  # the months table side by side, also when printed to a file
CODE = re.compile(r"^(GM\d{4}|\*)$")
PRINTED = (
    ("inflow", "inflow"),
    ("wip_total", "in the chain"),
    ("coa_occupancy", "in COA"),
    ("wait_median_days:N13", "permit to home, median days"),
    ("share_over_norm:N13", "over 14 weeks"),
)


def factor(text: str) -> float:
    """``x4`` or ``4`` is four times; ``+20%`` and ``-10%`` change by a share."""
    value = text.strip().lower()
    try:
        if value.endswith("%"):
            result = 1.0 + float(value[:-1]) / 100.0
        else:
            result = float(value.removeprefix("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a factor: write x4, 1.5, +20% or -10%"
        ) from None
    if result < 0:
        raise argparse.ArgumentTypeError(f"{text!r} would make a negative capacity")
    return result


def homes(text: str) -> tuple[str, float]:
    """``GM0479=+30%`` (or ``*=+10%`` for every municipality)."""
    code, _, change = text.partition("=")
    if not CODE.match(code.strip()) or not change:
        raise argparse.ArgumentTypeError(
            f"{text!r}: write a CBS code and a change, e.g. GM0479=+30% (or *=+10% for all)"
        )
    return code.strip(), factor(change)


def add_scenario_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``scenario`` subcommand to the ``ketenlens`` parser."""
    parser = subparsers.add_parser(
        "scenario",
        help="what if inflow, IND capacity or homes change: base and scenario side by side",
        description=(
            "Calibrate the chain simulation on event_logs/NAME, run it on from the persons in the "
            "chain at the end of the data, and print base and scenario per month. --fidelity "
            "re-runs the last 12 months instead and compares with what happened and with pm4py."
        ),
    )
    parser.add_argument("log", metavar="LOG", help="directory of the event log, e.g. event_logs/x")
    parser.add_argument("--inflow", type=factor, default=1.0, help="x4, 2, +50%%: arrivals")
    parser.add_argument(
        "--ind-capacity", type=factor, default=1.0, help="+20%%: IND interviews per week"
    )
    parser.add_argument(
        "--homes",
        type=homes,
        action="append",
        default=[],
        metavar="GMxxxx=+30%",
        help="homes per week in a municipality (repeat; *=+10%% for all)",
    )
    parser.add_argument("--months", type=int, default=24, help="months to simulate (default 24)")
    parser.add_argument("--seed", type=int, default=1, help="same seed, same run")
    parser.add_argument(
        "--sample",
        type=share,
        default=1.0,
        metavar="SHARE",
        help="simulate this share of the households, capacities scaled alike (default 1: all)",
    )
    parser.add_argument("--export", metavar="FILE", help="write to FILE.json/.csv/.xlsx/.html")
    parser.add_argument(
        "--workshop", action="store_true", help="suppress every figure about fewer than k persons"
    )
    parser.add_argument("--k", type=int, default=DEFAULT_K, help="smallest group in workshop mode")
    parser.add_argument(
        "--fidelity",
        action="store_true",
        help="back-test: simulate the last 12 months and compare with the log and with pm4py",
    )
    parser.set_defaults(func=cmd_scenario)
    return parser


def share(text: str) -> float:
    """A share of the households for ``--sample``: more than 0, at most 1."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a share above 0 and at most 1, e.g. 0.1")
    return value


def _read(log_dir: Path) -> pd.DataFrame:
    path = log_dir / EVENTS_FILE
    if not path.exists():
        raise EventLogError(
            f"{path}: no event log here; run `ketenlens ingest DIR --out {log_dir}` first"
        )
    return read_events(path)


def _number(value: object, share: bool = False) -> str:
    if value is None or pd.isna(value):
        return "-"
    return f"{float(value):.0%}" if share else f"{float(value):,.0f}"


def _local(moment: pd.Timestamp) -> str:
    return f"{moment.tz_convert(AMSTERDAM):%Y-%m-%d %H:%M} (Amsterdam)"


def calibration_table(result: ScenarioResult) -> Table:
    table = Table(title=f"Calibrated on the log before {_local(result.start)}")
    for column in ("parameter", "estimate", "how"):
        table.add_column(column)
    for e in result.calibration.estimates:
        table.add_row(e.parameter, e.value, e.how)
    return table


def months_table(table: pd.DataFrame) -> Table:
    wide = table.pivot_table(
        index="month", columns=["metric", "run"], values="value", aggfunc="first"
    )
    out = Table(title="Per month: base | scenario")
    out.add_column("month")
    for _, label in PRINTED:
        out.add_column(label, justify="right")
    for month, row in wide.iterrows():
        cells = [
            f"{_number(row.get((m, 'base')), m.startswith('share'))} | "
            f"{_number(row.get((m, 'scenario')), m.startswith('share'))}"
            for m, _ in PRINTED
        ]
        out.add_row(str(month), *cells)
    return out


def last_month_table(table: pd.DataFrame) -> Table:
    """The last month's figures; of the municipalities only the ones whose arrivals change most
    (all of them, every month, are in the export)."""
    last = table[table["month"] == table["month"].max()]
    wide = last.pivot_table(index="metric", columns="run", values="value", aggfunc="first")
    arrivals = wide[wide.index.str.startswith("arrivals:")]
    change = (arrivals.get("scenario", 0) - arrivals.get("base", 0)).abs()
    shown = set(change[change > 0].sort_values(ascending=False, kind="stable").index[:ARRIVALS])
    out = Table(
        title=f"At the end ({table['month'].max()}): base | scenario",
        caption=f"arrivals: the {len(shown)} of {len(arrivals)} municipalities that change most; "
        "all of them per month with --export",
    )
    for column in ("figure", "base", "scenario"):
        out.add_column(column, justify="left" if column == "figure" else "right")
    for metric, row in wide.iterrows():
        if str(metric).startswith(("wait_persons", "norm_persons")):
            continue
        if str(metric).startswith("arrivals:") and metric not in shown:
            continue
        share = str(metric).startswith("share")
        out.add_row(
            _figure(str(metric)),
            _number(row.get("base"), share),
            _number(row.get("scenario"), share),
        )
    return out


def _figure(metric: str) -> str:
    """A metric's name, with the municipality's name beside its code."""
    kind, _, code = metric.partition(":")
    if kind != "arrivals":
        return metric
    try:
        return f"arrivals: {load_chain().municipality(code).name} ({code})"
    except KeyError:
        return metric


def fidelity_table(result) -> Table:
    out = Table(
        title=f"Back-test from {_local(result.start)} to {_local(result.end)}: distance to what "
        "happened (lower is better)"
    )
    for column in ("measure", "ketenlens", "pm4py play-out"):
        out.add_column(column, justify="left" if column == "measure" else "right")
    for row in result.measures.itertuples(index=False):
        out.add_row(row.measure, f"{row.ketenlens:,.3f}", f"{row.pm4py:,.3f}")
    return out


def cmd_scenario(args: argparse.Namespace) -> int:
    """Run `ketenlens scenario`; raises domain errors for the main function to print."""
    if args.months < 1:
        raise KetenlensError("--months must be at least 1")
    target = Path(args.export) if args.export else None
    if target is not None and target.suffix.lower() not in WRITERS:
        raise KetenlensError(f"{target}: use one of {', '.join(WRITERS)}")
    console = Console(highlight=False, width=WIDTH)
    status = Console(stderr=True)
    log = _read(Path(args.log))
    started = time.perf_counter()
    if args.fidelity:
        from toolkit.scenario.fidelity import backtest

        with status.status("Back-test: simulating the last 12 months ..."):
            result = backtest(log, seed=args.seed)
        console.print(fidelity_table(result))
        return 0
    levers = Levers(args.inflow, args.ind_capacity, dict(args.homes))
    with status.status("Simulating ...") as shown:
        result = run_scenario(
            log,
            levers,
            months=args.months,
            seed=args.seed,
            sample=args.sample,
            progress=lambda step, done: shown.update(f"Simulating: {step} {done:.0%} ..."),
        )
    table = suppress_table(result.table, args.k) if args.workshop else result.table
    console.print(calibration_table(result))
    console.print(
        f"{result.state_persons:,} persons in the chain at the start; levers: inflow "
        f"x{levers.inflow:g}, IND capacity x{levers.ind_capacity:g}, homes "
        f"{levers.homes or 'as now'}"
        + (f"; a sample of {result.sample:.0%} of the households" if result.sample < 1 else "")
        + f"; {time.perf_counter() - started:.1f} s"
    )
    console.print(months_table(table))
    console.print(last_month_table(table))
    if target is not None:
        write_scenario(result, table, target)
        console.print(f"Wrote {target}")
    return 0
