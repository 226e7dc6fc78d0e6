"""Serving the dashboard with waitress, a production WSGI server (never Flask's debug server).

The socket is bound before the address is printed, so "the dashboard answers on ..." is true
when it is said. 127.0.0.1 by default: a workshop laptop does not publish pseudonymised chain
data to the network it happens to be on unless told to with ``--host``.
"""

from __future__ import annotations

from collections.abc import Callable

from dash import Dash
from waitress import create_server

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050
THREADS = 4


def serve(
    app: Dash,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve ``app`` until interrupted; ``on_ready(address)`` runs once the socket listens."""
    server = create_server(app.server, host=host, port=port, threads=THREADS)
    address = f"http://{host}:{server.effective_port}/"
    if on_ready is not None:
        on_ready(address)
    try:
        server.run()
    finally:
        server.close()
