"""The findings download and what the dashboard says when something goes wrong.

The download is :func:`toolkit.export.report_xlsx.write_xlsx` of the filter's analysis, in the
language of the screen (sheet names, headers, activity and municipality names), the same
workbook ``ketenlens analyze --xlsx`` writes. Nothing fails silently: a selection without
persons gets a message instead of a file, and any error in any callback is logged with a short
reference and shown above the page under that reference (:func:`report_error`, Dash's
``on_error``), without the error's text, which could quote data.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
from pathlib import Path
from typing import Any

from dash import Dash, Input, Output, State, dcc, html, set_props
from dash.exceptions import PreventUpdate

from dashboards.filterbar import current_filter
from dashboards.i18n import language_of, t
from dashboards.workbook import readable
from toolkit.errors import EventLogError
from toolkit.session import AnalysisSession, SmallSelectionError

LOG = logging.getLogger("ketenlens.dashboard")
FILE_NAME = {"nl": "ketenlens_bevindingen.xlsx", "en": "ketenlens_findings.xlsx"}


def findings_file(session: AnalysisSession, data: dict | None, language: str) -> dict[str, Any]:
    """The xlsx of the filter held in ``data`` as a ``dcc.Download`` value.

    Raises :class:`EventLogError` when the filter keeps nobody (or, in workshop mode, too few).
    """
    from toolkit.export.report_xlsx import write_xlsx

    language = language_of(language)
    analysis = session.analysis(current_filter(data))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / FILE_NAME[language]
        write_xlsx(analysis, path, readable(session, language))
        return dcc.send_bytes(path.read_bytes(), path.name)


def message(key: str, **values: Any) -> dict[str, Any]:
    """The ``error`` store's value: a text key and its fields, shown in the current language."""
    return {"key": key, "values": values}


def message_view(error: dict | None, language: str) -> Any:
    """The message above the page for the ``error`` store (nothing when empty)."""
    if not error or "key" not in error:
        return None
    text = t(error["key"], language, **error.get("values", {}))
    return html.Div(
        [html.Span(text), html.Button("×", id="message-close", className="close",
                                      title=t("message_close", language))],
        className="banner error",
        id="message",
    )  # fmt: skip


def report_error(error: Exception) -> None:
    """Dash's ``on_error``: log the error with a reference and show the reference to the user."""
    reference = secrets.token_hex(3)
    LOG.error("callback error %s: %s", reference, type(error).__name__, exc_info=error)
    set_props("error", {"data": message("message_error", kind=type(error).__name__,
                                        reference=reference)})  # fmt: skip


def register_downloads(app: Dash, session: AnalysisSession) -> None:
    """The download button's callback and the message area's."""

    @app.callback(
        Output("download-findings", "data"),
        Output("error", "data", allow_duplicate=True),
        Input("download-findings-button", "n_clicks"),
        State("filter", "data"),
        State("language", "value"),
        prevent_initial_call=True,
    )
    def download(clicks: int | None, data: dict | None, language: str | None) -> Any:
        if not clicks:
            raise PreventUpdate
        try:
            return findings_file(session, data, language_of(language)), None
        except SmallSelectionError:
            return None, message("message_download_small", k=session.k)
        except EventLogError:
            return None, message("message_download_empty")

    @app.callback(
        Output("messages", "children"), Input("error", "data"), Input("language", "value")
    )
    def show(error: dict | None, language: str | None) -> Any:
        return message_view(error, language_of(language))

    @app.callback(
        Output("error", "data", allow_duplicate=True),
        Input("message-close", "n_clicks"),
        prevent_initial_call=True,
    )
    def close(clicks: int | None) -> None:
        if not clicks:
            raise PreventUpdate
        return None
