"""`ketenlens dashboard` and `ketenlens demo`: the dashboard on a log, and the whole way there.

``demo`` is the newcomer's path: generate a demo data set if there is none, ingest it with the
public demo key, write the standalone report, and serve the dashboard on it. Each step is
skipped when its result is already there, so a second ``make demo`` starts in seconds.
"""

from __future__ import annotations

import argparse
import time
import webbrowser
from pathlib import Path

from rich.console import Console

from toolkit.analyze_cli import add_audience_options
from toolkit.errors import EventLogError

DEMO_DIR = Path("event_logs/demo")
DEMO_PERSONS = 3000
DEMO_SEED = 11

console = Console(highlight=False)
status = Console(stderr=True)


def _serve(log_dir: Path, args: argparse.Namespace) -> int:
    from dashboards.app import create_app
    from dashboards.serve import serve
    from toolkit.session import AnalysisSession

    started = time.perf_counter()
    with status.status(f"Loading {log_dir} and computing the home page ..."):
        session = AnalysisSession.open(log_dir, workshop=args.workshop, k=args.k)
        app = create_app(log_dir, language=args.language, session=session)
    seconds = time.perf_counter() - started

    def ready(address: str) -> None:
        console.print(f"Ketenlens dashboard on {log_dir} ready in {seconds:.1f} s")
        if args.workshop:
            console.print(f"workshop mode: figures about fewer than {args.k} persons are hidden")
        console.print(f"The dashboard answers on {address}  (Ctrl+C stops it)")
        if getattr(args, "open", False):
            webbrowser.open(address)

    serve(app, host=args.host, port=args.port, on_ready=ready)
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Run `ketenlens dashboard LOG`."""
    log_dir = Path(args.log)
    if not (log_dir / "events.parquet").is_file():
        raise EventLogError(
            f"{log_dir / 'events.parquet'}: no event log here; run `ketenlens ingest DIR "
            f"--out {log_dir}` first, or `ketenlens demo` for a demo data set"
        )
    return _serve(log_dir, args)


def cmd_demo(args: argparse.Namespace) -> int:
    """Run `ketenlens demo`: generate, ingest and analyse where needed, then serve."""
    from toolkit.cli import main as ketenlens

    out = Path(args.out)
    raw = out / "raw"
    steps = [
        (not (raw / "ground_truth.json").is_file(),
         ["generate", "--persons", str(args.persons), "--seed", str(args.seed), "--out", str(raw)]),
        (not (out / "events.parquet").is_file(), ["ingest", str(raw), "--out", str(out), "--demo"]),
        (not (out / "rapport.html").is_file(),
         ["analyze", str(out), "--export", str(out / "rapport.html")]),
    ]  # fmt: skip
    for needed, argv in steps:
        if needed:
            code = ketenlens(argv)
            if code:
                return code
        else:
            console.print(f"{argv[0]}: already done in {out}, skipped")
    return _serve(out, args)


def _server_options(parser: argparse.ArgumentParser) -> None:
    from dashboards.serve import DEFAULT_HOST, DEFAULT_PORT

    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="address to listen on (default 127.0.0.1: this computer only)",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default 8050)")
    add_audience_options(parser, "starting language (a switch in the page changes it)")
    parser.add_argument("--open", action="store_true", help="open the address in a browser")  # fmt: skip


def add_dashboard_parsers(sub: argparse._SubParsersAction) -> None:
    dash = sub.add_parser(
        "dashboard",
        help="serve the dashboard on an ingested event log",
        description="Serve the Ketenlens dashboard on LOG (a folder written by `ketenlens "
        "ingest`) with waitress, on 127.0.0.1 unless --host says otherwise.",
    )
    dash.add_argument("log", help="folder with events.parquet, e.g. event_logs/demo")
    _server_options(dash)
    dash.set_defaults(func=cmd_dashboard)

    demo = sub.add_parser(
        "demo",
        help="generate, ingest and analyse a demo data set, then serve the dashboard on it",
        description="Generate a demo data set if there is none, ingest it with the public demo "
        "key, write its report and serve the dashboard. Steps already done are skipped.",
    )
    demo.add_argument("--out", default=str(DEMO_DIR), help="folder of the demo log")
    demo.add_argument("--persons", type=int, default=DEMO_PERSONS, help="persons to generate")
    demo.add_argument("--seed", type=int, default=DEMO_SEED, help="seed of the generator")
    _server_options(demo)
    demo.set_defaults(func=cmd_demo)
