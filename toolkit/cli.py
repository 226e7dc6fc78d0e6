"""The `ketenlens` command. Only this module prints; the toolkit raises domain errors.

Every subcommand is a thin front end over a toolkit function, so the dashboard, the exports and
the command line compute each figure in one place. The command runs under a private umask: every
file and folder it writes (logs, quarantine, reports, exports, generated data) is readable by its
owner only.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from toolkit.adapters.cli_ingest import add_ingest_parser
from toolkit.analyze_cli import add_analyze_parser
from toolkit.atomic import PRIVATE_UMASK
from toolkit.dashboard_cli import add_dashboard_parsers
from toolkit.errors import KetenlensError
from toolkit.export.cli_export import add_export_parser
from toolkit.forecast.cli import add_forecast_parser
from toolkit.outpaths import writable_dir
from toolkit.scenario.cli import add_scenario_parser
from toolkit.terminal import printable

console = Console(stderr=False)
err_console = Console(stderr=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )


def cmd_generate(args: argparse.Namespace) -> int:
    from toolkit.synthetic.generate import generate

    writable_dir(Path(args.out))
    started = time.perf_counter()
    with _progress() as bar:
        tasks: dict[str, int] = {}

        def report(step: str, share: float) -> None:
            key = step.split(":")[0]
            if key not in tasks:
                tasks[key] = bar.add_task(key, total=1.0)
            bar.update(tasks[key], completed=share, description=step)

        result = generate(
            persons=args.persons,
            seed=args.seed,
            out=Path(args.out),
            config=Path(args.config) if args.config else None,
            progress=report,
        )
    elapsed = time.perf_counter() - started

    console.print(
        f"Wrote {len(result.files)} export files for {result.persons:,} persons "
        f"({result.households:,} households, {result.events_world:,} events in the simulated "
        f"world) to [bold]{escape(printable(result.out))}[/bold] in {elapsed:.1f} s"
    )
    for name in result.files:
        console.print(f"  {printable(name)}", markup=False)
    console.print("  ground_truth.json, dirt_manifest.json")

    t = result.targets
    table = Table(title="Realised chain figures against the targets")
    table.add_column("figure")
    table.add_column("realised", justify="right")
    table.add_column("target", justify="right")
    table.add_column("", justify="center")
    r = result.realised
    rows = [
        (
            "median application to decision (weeks)",
            f"{r.decision_weeks_median:.1f}",
            f"{t['decision_weeks'][0]}-{t['decision_weeks'][1]}",
            "decision_weeks_median",
        ),
        (
            "approval (share of first decisions)",
            f"{r.approval:.0%}",
            f"{t['approval'][0]:.0%}-{t['approval'][1]:.0%}",
            "approval",
        ),
        (
            "median permit to move-out (weeks)",
            f"{r.permit_to_moveout_weeks_median:.1f}",
            f"{t['permit_to_moveout_weeks'][0]}-{t['permit_to_moveout_weeks'][1]}",
            "permit_to_moveout_weeks_median",
        ),
        (
            "share over the 14-week housing norm",
            f"{r.over_housing_norm:.0%}",
            f"> {t['over_housing_norm_min']:.0%}",
            "over_housing_norm",
        ),
    ]
    for label, value, target, key in rows:
        table.add_row(label, value, target, "ok" if result.checks[key] else "[red]outside[/red]")
    console.print(table)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ketenlens",
        description="Process mining for the Dutch asylum-to-housing chain.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser(
        "generate",
        help="write realistic raw exports of COA, IND and municipalities, with ground truth",
        description=(
            "Simulate the chain with capacity limits and write the raw exports in the formats of "
            "docs/sources.md, plus ground_truth.json and dirt_manifest.json."
        ),
    )
    gen.add_argument("--persons", type=int, default=3000, help="asylum seekers who arrive")
    gen.add_argument("--seed", type=int, default=11, help="same seed and config, same files")
    gen.add_argument("--out", required=True, help="directory for the exports")
    gen.add_argument("--config", help="TOML file merged over the default generator config")
    gen.set_defaults(func=cmd_generate)

    add_ingest_parser(sub)
    add_analyze_parser(sub)
    add_export_parser(sub)
    add_dashboard_parsers(sub)
    add_scenario_parser(sub)
    add_forecast_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "persons", 1) is not None and getattr(args, "persons", 1) < 1:
        err_console.print("ketenlens: --persons must be at least 1")
        return 2
    umask = os.umask(PRIVATE_UMASK)
    try:
        return int(args.func(args))
    except KetenlensError as exc:
        # a message may name a file, and a file name is not to be trusted with a terminal
        # soft_wrap: a long file name is not broken across lines (it would not copy and paste)
        err_console.print(f"[red]ketenlens:[/red] {escape(printable(str(exc)))}", soft_wrap=True)
        return 1
    except KeyboardInterrupt:
        err_console.print("ketenlens: interrupted; files being written were left aside, not half")
        return 130
    finally:
        os.umask(umask)


if __name__ == "__main__":
    sys.exit(main())
