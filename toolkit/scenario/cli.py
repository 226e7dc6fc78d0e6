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
from toolkit.chain.model import Chain
from toolkit.errors import EventLogError, KetenlensError
from toolkit.eventlog import read_events
from toolkit.numbers import day_text, month_text, number, through_text
from toolkit.scenario.export import WRITERS, write_scenario
from toolkit.scenario.labels import (
    estimate_text,
    language_of,
    levers_text,
    measure_label,
    measure_text,
    metric_label,
    metric_order,
    value_text,
)
from toolkit.scenario.report import (
    AMSTERDAM,
    DERIVED,
    MEDIAN_PREFIX,
    ended_waits,
    suppress_table,
)
from toolkit.scenario.run import Levers, ScenarioResult, run_scenario
from toolkit.suppression import DEFAULT_K

EVENTS_FILE = "events.parquet"
ARRIVALS = 15  # municipalities printed at the end: the ones whose arrivals change most
WIDTH = 110  # the months table side by side, also when printed to a file
CODE = re.compile(r"^(GM\d{4}|\*)$")
# The metrics of the months table (all of them are in the export).
PRINTED = ("inflow", "wip_total", "coa_occupancy", "wait_median_days:N13", "share_over_norm:N13")
WORDS = {
    "nl": {
        "calibrated": "Gekalibreerd op het logboek tot en met {day}",
        "calibration": ("parameter", "schatting", "hoe geschat"),
        "start": "{persons} personen in de keten bij de start; hefbomen: {levers}",
        "sample": "; gesimuleerd op een steekproef van {share} van de huishoudens",
        "seconds": "; {seconds} s",
        "per_month": "Per maand: basis | scenario",
        "counted": " (aantal)",
        "month": "maand",
        "at_end": "Aan het eind ({month}): basis | scenario",
        "caption": "naar een woning: de {shown} van de {total} gemeenten die het meest veranderen; "
        "alle gemeenten per maand met --export",
        "end_columns": ("cijfer", "basis", "scenario"),
        "backtest": "Terugtoets van {start} tot en met {end}: afstand tot wat er gebeurde "
        "(lager is beter)",
        "backtest_columns": ("maat", "ketenlens", "afspelen met pm4py"),
        "simulating": "Simuleren",
        "runs": {"calibration": "kalibratie", "base": "basis", "scenario": "scenario"},
        "backtesting": "Terugtoets: de laatste 12 maanden worden gesimuleerd ...",
        "wrote": "Geschreven: {path}",
    },
    "en": {
        "calibrated": "Calibrated on the log up to and including {day}",
        "calibration": ("parameter", "estimate", "how"),
        "start": "{persons} persons in the chain at the start; levers: {levers}",
        "sample": "; simulated on a sample of {share} of the households",
        "seconds": "; {seconds} s",
        "per_month": "Per month: base | scenario",
        "counted": " (how many)",
        "month": "month",
        "at_end": "At the end ({month}): base | scenario",
        "caption": "into a home: the {shown} of {total} municipalities that change most; every "
        "municipality per month with --export",
        "end_columns": ("figure", "base", "scenario"),
        "backtest": "Back-test from {start} up to and including {end}: distance to what "
        "happened (lower is better)",
        "backtest_columns": ("measure", "ketenlens", "pm4py play-out"),
        "simulating": "Simulating",
        "runs": {"calibration": "calibration", "base": "base", "scenario": "scenario"},
        "backtesting": "Back-test: simulating the last 12 months ...",
        "wrote": "Wrote {path}",
    },
}


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
    parser.add_argument("--language", choices=("nl", "en"), default="nl",
                        help="language of the printed tables, the html export and the calibration's words")  # fmt: skip
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


def calibration_table(result: ScenarioResult, language: str) -> Table:
    words = WORDS[language]
    table = Table(title=words["calibrated"].format(day=through_text(result.start, language)))
    for column in words["calibration"]:
        table.add_column(column)
    for e in result.calibration.estimates:
        table.add_row(*estimate_text(e, language))
    return table


def _figure(metric: str, row: pd.Series, run: str, language: str) -> str:
    """A month's figure of a run; a median wait with, in brackets, how many waits it is the
    median of (a month's median of a few ended waits says little)."""
    text = value_text(row.get((metric, run)), metric.startswith("share"), language)
    if metric.startswith(MEDIAN_PREFIX):
        text += f" ({value_text(row.get((ended_waits(metric), run)), False, language)})"
    return text


def months_table(table: pd.DataFrame, language: str, chain: Chain) -> Table:
    wide = table.pivot_table(
        index="month", columns=["metric", "run"], values="value", aggfunc="first"
    )
    out = Table(title=WORDS[language]["per_month"])
    out.add_column(WORDS[language]["month"])
    for metric in PRINTED:
        counted = WORDS[language]["counted"] if metric.startswith(MEDIAN_PREFIX) else ""
        out.add_column(metric_label(metric, language, chain) + counted, justify="right")
    for month, row in wide.iterrows():
        cells = [
            f"{_figure(m, row, 'base', language)} | {_figure(m, row, 'scenario', language)}"
            for m in PRINTED
        ]
        out.add_row(month_text(month, language), *cells)
    return out


def last_month_table(table: pd.DataFrame, language: str, chain: Chain) -> Table:
    """The last month's figures; of the municipalities only the ones whose arrivals change most
    (all of them, every month, are in the export)."""
    words = WORDS[language]
    month = table["month"].max()
    last = table[table["month"] == month]
    wide = last.pivot_table(index="metric", columns="run", values="value", aggfunc="first")
    arrivals = wide[wide.index.str.startswith("arrivals:")]
    change = (arrivals.get("scenario", 0) - arrivals.get("base", 0)).abs()
    shown = set(change[change > 0].sort_values(ascending=False, kind="stable").index[:ARRIVALS])
    out = Table(
        title=words["at_end"].format(month=month_text(month, language)),
        caption=words["caption"].format(shown=len(shown), total=len(arrivals)),
    )
    for i, column in enumerate(words["end_columns"]):
        out.add_column(column, justify="left" if i == 0 else "right")
    # the runs side by side as _figure reads a month's row: (metric, run)
    runs = wide.stack().rename_axis(["metric", "run"])
    ordered = sorted(wide.index, key=lambda metric: metric_order(str(metric), chain))
    for metric in ordered:
        if str(metric).startswith(tuple(DERIVED.values())):  # given beside their figures
            continue
        if str(metric).startswith("arrivals:") and metric not in shown:
            continue
        label = metric_label(str(metric), language, chain)
        if str(metric).startswith(MEDIAN_PREFIX):
            label += words["counted"]
        out.add_row(
            label,
            _figure(str(metric), runs, "base", language),
            _figure(str(metric), runs, "scenario", language),
        )
    return out


def fidelity_table(result, language: str, chain: Chain) -> Table:
    words = WORDS[language]
    out = Table(
        title=words["backtest"].format(
            start=day_text(result.start.tz_convert(AMSTERDAM).date(), language),
            end=through_text(result.end, language),
        )
    )
    for i, column in enumerate(words["backtest_columns"]):
        out.add_column(column, justify="left" if i == 0 else "right")
    for row in result.measures.itertuples(index=False):
        out.add_row(
            measure_label(row.measure, language, chain),
            measure_text(row.measure, row.ketenlens, language),
            measure_text(row.measure, row.pm4py, language),
        )
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
    language = language_of(args.language)
    words = WORDS[language]
    chain = load_chain()
    log = _read(Path(args.log))
    started = time.perf_counter()
    if args.fidelity:
        from toolkit.scenario.fidelity import backtest

        with status.status(words["backtesting"]):
            result = backtest(log, seed=args.seed)
        console.print(fidelity_table(result, language, chain))
        return 0
    levers = Levers(args.inflow, args.ind_capacity, dict(args.homes))
    with status.status(f"{words['simulating']} ...") as shown:
        result = run_scenario(
            log,
            levers,
            months=args.months,
            seed=args.seed,
            sample=args.sample,
            progress=lambda step, done: shown.update(
                f"{words['simulating']}: {words['runs'][step]} {number(100 * done, language)}% ..."
            ),
        )
    table = suppress_table(result.table, args.k) if args.workshop else result.table
    console.print(calibration_table(result, language))
    line = words["start"].format(
        persons=number(result.state_persons, language),
        levers=levers_text(
            levers, language, chain, None if args.workshop else result.calibration.capacities
        ),
    )
    if result.sample < 1:
        share = f"{number(100 * result.sample, language)}%"
        line += words["sample"].format(share=share)
    seconds = number(time.perf_counter() - started, language, 1)
    console.print(line + words["seconds"].format(seconds=seconds), markup=False)
    console.print(months_table(table, language, chain))
    console.print(last_month_table(table, language, chain))
    if target is not None:
        write_scenario(result, table, target, language=language, workshop=args.workshop)
        console.print(words["wrote"].format(path=target), markup=False)
    return 0
