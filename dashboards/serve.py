"""Serving the dashboard with waitress, a production WSGI server (never Flask's debug server).

The socket is bound before the address is printed, so "the dashboard answers on ..." is true
when it is said. 127.0.0.1 by default: a workshop laptop does not publish pseudonymised chain
data to the network it happens to be on unless told to with ``--host``.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable

from dash import Dash
from waitress import create_server
from waitress.server import BaseWSGIServer, MultiSocketServer

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050
THREADS = 4


def make_server(
    app: Dash, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
) -> BaseWSGIServer | MultiSocketServer:
    """The waitress server of ``app``, bound to its socket.

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
    return create_server(app.server, host=host, port=port, threads=THREADS)


def serve(
    app: Dash,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve ``app`` until interrupted; ``on_ready(address)`` runs once the socket listens."""
    server = make_server(app, host=host, port=port)
    address = f"http://{host}:{server.effective_port}/"
    if on_ready is not None:
        on_ready(address)
    try:
        server.run()
    finally:
        server.close()
