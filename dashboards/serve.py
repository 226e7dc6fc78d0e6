"""Serving the dashboard with waitress, a production WSGI server (never Flask's debug server).

The socket is bound before the address is printed, so "the dashboard answers on ..." is true
when it is said. 127.0.0.1 by default: a workshop laptop does not publish pseudonymised chain
data to the network it happens to be on unless told to with ``--host``; and on any other
address the dashboard asks every visitor for a password (HTTP basic authentication, compared in
constant time) and says who connected: the address and the time, nothing typed in.

A filter change is Python computing on the log, one interpreter at a time: with a room full of
people changing filters, requests of one interpreter queue behind each other however many
threads it has. So the dashboard can answer from several worker processes (``workers``), forked
from the one process that read the log and computed the whole log's home page: they share that
memory (copy-on-write, its objects set aside from the garbage collector so that no worker
touches their pages) and take their connections from one listening socket, each keeping the
analyses of its own recent filters. Each worker has its own password gate, so a visitor may be
listed as connected once per worker.
"""

from __future__ import annotations

import base64
import binascii
import ctypes
import ctypes.util
import gc
import hashlib
import hmac
import ipaddress
import logging
import os
import signal
import socket
import threading
import traceback
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from waitress import create_server
from waitress.server import BaseWSGIServer, MultiSocketServer

from toolkit.errors import DashboardError
from toolkit.session import release_memory

if TYPE_CHECKING:  # the command's options read this module's defaults without loading Dash
    from dash import Dash

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050
THREADS = 4
# two workers: a filter change keeps a core busy, and a second worker lets a second change go
# on beside it; each worker costs the memory of its own recent filters. Workers are forked: where
# processes cannot fork (Windows), one process answers.
FORKS = hasattr(os, "fork")
# prctl's option: the signal a process gets when its parent ends (linux/prctl.h)
PR_SET_PDEATHSIG = 1
DEFAULT_WORKERS = 2 if FORKS else 1
BACKLOG = 1024  # waitress' own default
REALM = "Ketenlens"
LOOPBACK_NAMES = ("localhost",)

Log = Callable[[str], None]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this computer only (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name may resolve to anything: treated as the network


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class PasswordGate:
    """WSGI middleware: HTTP basic authentication against one password; the user name is ignored.

    Digests of equal length are compared with :func:`hmac.compare_digest`, so the time an answer
    takes says nothing about the password. The first request a client address makes with the
    right password, and every request with a wrong one, are logged with address and time; no
    user name or password is ever logged.
    """

    def __init__(self, app: Callable, password: str, log: Log) -> None:
        self.app = app
        self._expected = _digest(password)
        self._log = log
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def _password(self, header: str) -> str | None:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2]

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        address = str(environ.get("REMOTE_ADDR") or "unknown address")
        given = self._password(str(environ.get("HTTP_AUTHORIZATION", "")))
        now = datetime.now().astimezone().isoformat(timespec="seconds")
        if given is not None and hmac.compare_digest(_digest(given), self._expected):
            with self._lock:
                first = address not in self._seen
                self._seen.add(address)
            if first:
                self._log(f"{now} {address} connected")
            return self.app(environ, start_response)
        if given is not None:
            self._log(f"{now} {address} refused: wrong password")
        body = b"Ketenlens: this dashboard asks for its password.\n"
        start_response(
            "401 Unauthorized",
            [
                ("WWW-Authenticate", f'Basic realm="{REALM}", charset="UTF-8"'),
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(body))),
            ],
        )
        return [body]


def set_aside() -> None:
    """Set aside what the app holds by now (the log and the whole log's analysis, computed before
    the first visitor) from Python's garbage collector (``gc.freeze``).

    It stays for the life of the process: a full collection would walk all of it, a tenth of a
    second on a million events, in whichever filter change it happened to fall, and in a forked
    worker it would write to every page of it, which would then no longer be shared.
    """
    gc.collect()
    release_memory()  # what reading the log left free goes back before the workers share pages
    gc.freeze()
    # a browser opening a page asks for a dozen assets at once: that some wait for a thread is
    # how it should be, not a warning for the console
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)


def render_index(app: Dash) -> None:
    """Render the page once, before the workers are forked.

    Dash learns which script files it may serve while it renders the page that names them, and
    refuses any other: a worker that has not rendered the page itself would refuse the scripts
    of a page another worker sent, and the browser would show nothing. Rendered before the fork,
    every worker knows them (and Dash's own set-up at the first request is shared too).
    """
    with app.server.test_client() as client:
        response = client.get("/")
    if response.status_code != 200:
        raise DashboardError(f"the dashboard's page did not render (HTTP {response.status_code})")


def listening_socket(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> socket.socket:
    """A TCP socket bound to ``host`` and ``port`` (0: any free port) and listening, as
    waitress binds its own; the workers of :func:`serve` share it."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    sock.bind(address)
    sock.listen(BACKLOG)
    return sock


def make_server(
    app: Dash,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    password: str | None = None,
    log: Log | None = None,
    sock: socket.socket | None = None,
) -> BaseWSGIServer | MultiSocketServer:
    """The waitress server of ``app``, bound to its socket (or answering on ``sock``, already
    bound); behind a :class:`PasswordGate` when ``password`` is given (``log`` hears who
    connected)."""
    set_aside()
    wsgi: Callable = app.server
    if password is not None:
        wsgi = PasswordGate(wsgi, password, log or logging.getLogger(__name__).info)
    if sock is not None:
        return create_server(wsgi, sockets=[sock], threads=THREADS)
    return create_server(wsgi, host=host, port=port, threads=THREADS)


def _interrupted(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _end_with(parent: int) -> None:
    """Have the system end this worker when its parent ends, however it ends (killed outright,
    the parent cannot end its workers): no worker goes on answering on its own. Linux's
    ``prctl(PR_SET_PDEATHSIG)``; elsewhere the parent's own ending of its workers must do."""
    name = ctypes.util.find_library("c")
    prctl = getattr(ctypes.CDLL(name), "prctl", None) if name else None
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent ended before the request was made
        os._exit(1)


def _worker(app: Dash, sock: socket.socket, password: str | None, log: Log | None) -> int:
    """Fork a worker answering on ``sock``; its process id (the worker never returns)."""
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        _end_with(parent)
        # the worker ends at once on Ctrl+C or on its parent's request
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        make_server(app, password=password, log=log, sock=sock).run()
        code = 0
    except BaseException:
        traceback.print_exc()  # the reason a worker ended, before its parent says it did
    finally:
        os._exit(code)  # never back into the parent's code (its cleanup, its caller)


def serve(
    app: Dash,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    on_ready: Callable[[str], None] | None = None,
    *,
    password: str | None = None,
    log: Log | None = None,
    workers: int = 1,
) -> None:
    """Serve ``app`` until interrupted; ``on_ready(address)`` runs once the socket listens.

    With more than one worker, the workers are forked from this process once the socket
    listens, and it waits for them; when one ends (it should not), the others are ended too, so
    that the dashboard does not go on answering at a fraction of its speed unnoticed.
    """
    if workers > 1 and not FORKS:
        raise DashboardError(
            f"--workers {workers}: this system cannot fork processes; the dashboard answers "
            "from one process here (leave out --workers)"
        )
    sock = listening_socket(host, port)
    address = f"http://{host}:{sock.getsockname()[1]}/"
    if workers <= 1:
        server = make_server(app, password=password, log=log, sock=sock)
        if on_ready is not None:
            on_ready(address)
        try:
            server.run()
        finally:
            server.close()
        return
    render_index(app)
    set_aside()  # before the fork, so that no worker writes to the shared pages
    previous = signal.signal(signal.SIGTERM, _interrupted)
    pids: list[int] = []
    ended = None
    try:
        for _ in range(workers):
            pids.append(_worker(app, sock, password, log))
        if on_ready is not None:
            on_ready(address)
        ended = os.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except (ChildProcessError, ProcessLookupError):
                pass  # already ended and collected
        signal.signal(signal.SIGTERM, previous)
        sock.close()
    if ended is not None:
        raise DashboardError(
            f"a worker of the dashboard ended (wait status {ended[1]}); the dashboard stopped"
        )
