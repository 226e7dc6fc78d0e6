"""Serving the dashboard with waitress, a production WSGI server (never Flask's debug server).

The socket is bound before the address is printed, so "the dashboard answers on ..." is true
when it is said. 127.0.0.1 by default: a workshop laptop does not publish pseudonymised chain
data to the network it happens to be on unless told to with ``--host``; and on any other
address the dashboard asks every visitor for a password (HTTP basic authentication, compared in
constant time) and says who connected: the address and the time, nothing typed in.
"""

from __future__ import annotations

import base64
import binascii
import gc
import hashlib
import hmac
import ipaddress
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from dash import Dash
from waitress import create_server
from waitress.server import BaseWSGIServer, MultiSocketServer

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050
THREADS = 4
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


def make_server(
    app: Dash,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    password: str | None = None,
    log: Log | None = None,
) -> BaseWSGIServer | MultiSocketServer:
    """The waitress server of ``app``, bound to its socket; behind a :class:`PasswordGate` when
    ``password`` is given (``log`` hears who connected).

    What the app holds by now (the log and the whole log's analysis, computed before the first
    visitor) stays for the life of the process, so it is collected once and set aside from
    Python's garbage collector (``gc.freeze``): a full collection would walk all of it, a tenth
    of a second on a million events, in whichever filter change it happened to fall.
    """
    gc.collect()
    gc.freeze()
    # a browser opening a page asks for a dozen assets at once: that some wait for a thread is
    # how it should be, not a warning for the console
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    wsgi: Callable = app.server
    if password is not None:
        wsgi = PasswordGate(wsgi, password, log or logging.getLogger(__name__).info)
    return create_server(wsgi, host=host, port=port, threads=THREADS)


def serve(
    app: Dash,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    on_ready: Callable[[str], None] | None = None,
    *,
    password: str | None = None,
    log: Log | None = None,
) -> None:
    """Serve ``app`` until interrupted; ``on_ready(address)`` runs once the socket listens."""
    server = make_server(app, host=host, port=port, password=password, log=log)
    address = f"http://{host}:{server.effective_port}/"
    if on_ready is not None:
        on_ready(address)
    try:
        server.run()
    finally:
        server.close()
