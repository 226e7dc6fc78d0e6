"""`ketenlens dashboard` and `ketenlens demo`: the dashboard on a log, and the whole way there.

``demo`` is the newcomer's path: generate a demo data set if there is none, ingest it with the
public demo key, write the standalone report, and serve the dashboard on it. Each step is
skipped when its result is already there, so a second ``make demo`` starts in seconds.

On any address but this computer's own (``--host 0.0.0.0``, a network address) the dashboard
does not start without a password (``--password-file`` or ``KETENLENS_DASHBOARD_PASSWORD``),
which every visitor is then asked for; it warns when workshop mode is off, and prints the
address and time of every visitor that connects.
"""

from __future__ import annotations

import argparse
import os
import time
import webbrowser
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from toolkit.analyze_cli import add_audience_options
from toolkit.errors import DashboardError, EventLogError
from toolkit.logdir import has_log
from toolkit.numbers import number
from toolkit.terminal import printable

DEMO_DIR = Path("event_logs/demo")
DEMO_PERSONS = 3000
DEMO_SEED = 11
# the default generator config with its slow municipality in a large one (see the file)
DEMO_CONFIG = Path(__file__).resolve().parent / "synthetic" / "demo_config.toml"
PASSWORD_ENV = "KETENLENS_DASHBOARD_PASSWORD"
MIN_PASSWORD = 8

console = Console(highlight=False)
status = Console(stderr=True)
# What the command prints, in the dashboard's starting language.
WORDS = {
    "nl": {
        "network": "[yellow]let op[/yellow]: het dashboard wordt aangeboden op {host} zonder "
        "--workshop; start het voor publiek met --workshop, zodat cijfers over kleine groepen "
        "verborgen blijven",
        "loading": "{log} inlezen en de startpagina berekenen ...",
        "ready": "Ketenlens-dashboard op {log}, klaar in {seconds} s",
        "workshop": "workshopmodus: cijfers over minder dan {k} personen zijn verborgen",
        "answers": "Het dashboard antwoordt op {address}  (Ctrl+C stopt het)",
        "password": "Elke bezoeker wordt om het wachtwoord gevraagd; bezoeken staan hieronder",
        "visit": "bezoek: {line}",
        "done": "{step}: al gedaan in {out}, overgeslagen",
    },
    "en": {
        "network": "[yellow]warning[/yellow]: the dashboard is served on {host} without "
        "--workshop; in front of an audience, start it with --workshop so that figures about "
        "small groups are hidden",
        "loading": "Loading {log} and computing the home page ...",
        "ready": "Ketenlens dashboard on {log} ready in {seconds} s",
        "workshop": "workshop mode: figures about fewer than {k} persons are hidden",
        "answers": "The dashboard answers on {address}  (Ctrl+C stops it)",
        "password": "Every visitor is asked for the password; visits are listed here",
        "visit": "visit: {line}",
        "done": "{step}: already done in {out}, skipped",
    },
}


def _words(args: argparse.Namespace) -> dict[str, str]:
    return WORDS.get(getattr(args, "language", None) or "nl", WORDS["nl"])


def dashboard_password(
    host: str, password_file: str | None, environ: dict[str, str] | None = None
) -> str | None:
    """The password the dashboard asks for, or None on a loopback address without one.

    From ``--password-file`` (its first line) or else the environment. On any other address
    than loopback a password is required: the chain's figures are not for the whole network.
    """
    from dashboards.serve import is_loopback

    environ = os.environ if environ is None else environ
    if password_file:
        try:
            lines = Path(password_file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise DashboardError(f"{password_file}: cannot read the password ({reason})") from None
        password = lines[0].strip() if lines else ""
        source = str(password_file)
    else:
        password = environ.get(PASSWORD_ENV, "").strip()
        source = PASSWORD_ENV
    if not password:
        if is_loopback(host) and not password_file:
            return None
        raise DashboardError(
            f"--host {host} serves the dashboard to the network: pass --password-file FILE or "
            f"set {PASSWORD_ENV}, so that every visitor is asked for it"
            if not password_file
            else f"{source}: holds no password on its first line"
        )
    if len(password) < MIN_PASSWORD:
        raise DashboardError(f"{source}: the password is shorter than {MIN_PASSWORD} characters")
    return password


def _serve(log_dir: Path, args: argparse.Namespace, password: str | None) -> int:
    from dashboards.app import create_app
    from dashboards.serve import is_loopback, serve
    from toolkit.session import AnalysisSession

    words = _words(args)
    if not is_loopback(args.host) and not args.workshop:
        status.print(words["network"].format(host=escape(args.host)))
    started = time.perf_counter()
    with status.status(words["loading"].format(log=escape(printable(log_dir)))):
        session = AnalysisSession.open(log_dir, workshop=args.workshop, k=args.k)
        app = create_app(log_dir, language=args.language, session=session)
    seconds = time.perf_counter() - started

    def ready(address: str) -> None:
        language = getattr(args, "language", None) or "nl"
        shown = number(seconds, language if language in WORDS else "nl", 1)
        console.print(words["ready"].format(log=printable(log_dir), seconds=shown), markup=False)
        if args.workshop:
            console.print(words["workshop"].format(k=args.k), markup=False)
        console.print(words["answers"].format(address=address), markup=False)
        if password is not None:
            console.print(words["password"], markup=False)
        if getattr(args, "open", False):
            webbrowser.open(address)

    def visit(line: str) -> None:
        status.print(words["visit"].format(line=line), markup=False)

    serve(app, host=args.host, port=args.port, on_ready=ready, password=password, log=visit,
          workers=args.workers)  # fmt: skip
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Run `ketenlens dashboard LOG`."""
    password = dashboard_password(args.host, args.password_file)
    log_dir = Path(args.log)
    if not has_log(log_dir):
        raise EventLogError(
            f"{log_dir / 'events.parquet'}: no event log here; run `ketenlens ingest DIR "
            f"--out {log_dir}` first, or `ketenlens demo` for a demo data set"
        )
    return _serve(log_dir, args, password)


def cmd_demo(args: argparse.Namespace) -> int:
    """Run `ketenlens demo`: generate, ingest and analyse where needed, then serve."""
    from toolkit.cli import main as ketenlens

    password = dashboard_password(args.host, args.password_file)  # before minutes of work
    out = Path(args.out)
    raw = out / "raw"
    steps = [
        (not (raw / "ground_truth.json").is_file(),
         ["generate", "--persons", str(args.persons), "--seed", str(args.seed), "--out", str(raw),
          "--config", str(DEMO_CONFIG)]),
        (not has_log(out), ["ingest", str(raw), "--out", str(out), "--demo"]),
        (not (out / "rapport.html").is_file(),
         ["analyze", str(out), "--export", str(out / "rapport.html")]),
    ]  # fmt: skip
    for needed, argv in steps:
        if needed:
            code = ketenlens(argv)
            if code:
                return code
        else:
            console.print(_words(args)["done"].format(step=argv[0], out=out), markup=False)
    return _serve(out, args, password)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: at least 1")
    return value


def _server_options(parser: argparse.ArgumentParser) -> None:
    from dashboards.serve import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_WORKERS

    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="address to listen on (default 127.0.0.1: this computer only)",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default 8050)")
    parser.add_argument(
        "--workers",
        type=_positive,
        default=DEFAULT_WORKERS,
        help=f"processes answering requests, sharing the log in memory (default "
        f"{DEFAULT_WORKERS}; each keeps the analyses of its own recent filters)",
    )
    parser.add_argument(
        "--password-file",
        metavar="FILE",
        help=f"file whose first line is the password visitors are asked for (or set "
        f"{PASSWORD_ENV}); required on any --host but 127.0.0.1",
    )
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
