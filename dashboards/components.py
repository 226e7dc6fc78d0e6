"""Shared building blocks of the pages: charts, tables with CSV export, tiles, number formats.

Every chart is a plotly figure in a ``dcc.Graph`` whose mode bar downloads it as PNG (plotly's
own button, drawn in the browser, so it works offline); every table is a ``DataTable`` with its
own CSV export button. Pages build their content from these so that the look, the number
formats and the exports are the same everywhere.
"""

from __future__ import annotations

import math
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import dash_table, dcc, html

from dashboards.i18n import column, language_of, t

THEME = Path(__file__).with_name("theme.toml")
# The system's own sans-serif: no web font to fetch, the same look in charts and tables.
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


@cache
def theme() -> dict[str, dict[str, str]]:
    with THEME.open("rb") as handle:
        return tomllib.load(handle)


def organisation_colour(org: str) -> str:
    colours = theme()["organisation"]
    return colours.get(org, colours["other"])


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def fmt_number(value: Any, language: str, decimals: int = 0) -> str:
    """A number in the language's notation (Dutch: 1.234,5; English: 1,234.5); an empty
    (suppressed) value shows as a dash."""
    if is_missing(value):
        return "–"
    text = f"{float(value):,.{decimals}f}"
    if language_of(language) == "nl":
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return text


def fmt_int(value: Any, language: str) -> str:
    """A count with the language's thousands separator."""
    return fmt_number(value, language)


def fmt_days(value: Any, language: str) -> str:
    return fmt_number(value, language)


def fmt_share(value: Any, language: str) -> str:
    return "–" if is_missing(value) else f"{fmt_number(100 * float(value), language, 1)}%"


# Workshop mode: type readable from the back of a room on a projector, and taller charts.
ROOM_FONT = 18
ROOM_MIN_HEIGHT = 480


def graph(figure: go.Figure, graph_id: str, filename: str, *, room: bool = False) -> dcc.Graph:
    """A chart with plotly's PNG download in its mode bar and no link to plotly's site;
    ``room`` (workshop mode) sets every text of it to at least :data:`ROOM_FONT` px."""
    figure.update_layout(
        margin={"l": 40, "r": 20, "t": 40, "b": 40},
        font={"family": FONT},
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    if room:
        figure.update_layout(font={"size": ROOM_FONT}, hoverlabel={"font": {"size": ROOM_FONT}},
                             margin={"l": 60, "r": 30, "t": 50, "b": 60},
                             height=max(figure.layout.height or 0, ROOM_MIN_HEIGHT))  # fmt: skip
        figure.update_xaxes(tickfont={"size": ROOM_FONT}, title_font={"size": ROOM_FONT})
        figure.update_yaxes(tickfont={"size": ROOM_FONT}, title_font={"size": ROOM_FONT})
        figure.for_each_annotation(lambda a: a.update(font={"size": ROOM_FONT}))
    return dcc.Graph(
        id=graph_id,
        figure=figure,
        config={
            "displaylogo": False,
            "showLink": False,
            "showSendToCloud": False,
            "showEditInChartStudio": False,
            "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
            "modeBarButtonsToRemove": ["lasso2d", "select2d"],
        },
    )


def _cell(value: Any) -> Any:
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, float):  # days and person-days to a tenth, shares to three places
        return round(value, 1) if abs(value) >= 10 else round(value, 3)
    if isinstance(value, list | tuple | dict):
        return str(value)
    return value if isinstance(value, int | str | bool) else str(value)


def table(frame: pd.DataFrame, table_id: str, language: str, *, page_size: int = 15) -> Any:
    """A sortable table with a CSV export button; headers translated, values as computed."""
    if frame is None or frame.empty:
        return html.P(t("no_data", language), className="empty")
    records = [{c: _cell(v) for c, v in row.items()} for row in frame.to_dict("records")]
    return dash_table.DataTable(
        id=table_id,
        columns=[{"name": column(c, language), "id": c} for c in frame.columns],
        data=records,
        sort_action="native",
        page_size=page_size,
        export_format="csv",
        export_headers="display",
        style_table={"overflowX": "auto"},
        style_cell={"fontFamily": FONT, "fontSize": "0.85rem", "padding": "4px 8px",
                    "maxWidth": "28rem", "whiteSpace": "normal", "textAlign": "left"},
        style_header={"fontWeight": "bold", "backgroundColor": "#eef1f5"},
    )  # fmt: skip


def histogram_figure(
    histogram: pd.DataFrame,
    language: str,
    *,
    colour: str,
    axis_title: str,
    norm_days: float | None = None,
    direction: str = "maximum",
    height: int = 340,
) -> go.Figure:
    """Persons per bin of days (a toolkit histogram: ``from_days``, ``to_days``, ``persons``),
    with the norm when given (:func:`norm_line`)."""
    figure = go.Figure()
    figure.add_bar(
        x=((histogram["from_days"] + histogram["to_days"]) / 2).tolist(),
        y=histogram["persons"].tolist(),
        width=(histogram["to_days"] - histogram["from_days"]).tolist(),
        customdata=histogram[["from_days", "to_days"]].to_numpy().tolist(),
        marker_color=colour,
        hovertemplate="%{customdata[0]:.0f}–%{customdata[1]:.0f} " + t("days", language)
        + "<br>" + column("persons", language) + ": %{y}<extra></extra>",
    )  # fmt: skip
    if norm_days is not None:
        norm_line(figure, norm_days, direction, language)
    figure.update_xaxes(title=axis_title, gridcolor="#e5e7eb")
    figure.update_yaxes(title=column("persons", language), gridcolor="#e5e7eb")
    figure.update_layout(height=height, bargap=0.05, showlegend=False)
    return figure


def norm_line(figure: go.Figure, days: float, direction: str, language: str) -> None:
    """A norm on a days axis: a dashed line named "at most" or "at least"; a minimum norm also
    shades the days short of it, where a duration breaks it."""
    colour = theme()["accent"]["norm"]
    if direction == "minimum":
        figure.add_vrect(x0=0, x1=days, fillcolor=colour, opacity=0.12, line_width=0,
                         layer="below")  # fmt: skip
    figure.add_vline(x=days, line={"color": colour, "dash": "dash"},
                     annotation_text=t(f"norm_line_{direction}", language, days=f"{days:.0f}"),
                     annotation_position="top right")  # fmt: skip


DROPDOWN_LABELS = ("select_all", "deselect_all", "selected_count", "search", "clear_search",
                   "clear_selection", "no_options_found")  # fmt: skip


def dropdown_labels(language: str) -> dict[str, str]:
    """The texts inside a dropdown (search, select all, ...) in ``language``."""
    return {name: t(f"dropdown_{name}", language) for name in DROPDOWN_LABELS}


def tile(tile_id: str, label: str, value: str, note: str | None = None) -> html.Div:
    """A KPI tile: one large figure and what it counts."""
    children = [html.Div(value, className="tile-value", id=f"{tile_id}-value"),
                html.Div(label, className="tile-label")]  # fmt: skip
    if note:
        children.append(html.Div(note, className="tile-note"))
    return html.Div(children, className="tile", id=tile_id)


def card(
    title: str,
    *children: Any,
    note: str | None = None,
    card_id: str | None = None,
    analyst: bool = False,
) -> Any:
    """A titled block of a page; an ``analyst`` block (a table beside a chart, a second view of
    the same figures) is left out in workshop mode, so the room sees fewer, bigger charts."""
    head = [html.H3(title)]
    if note:
        head.append(html.P(note, className="note"))
    props = {"id": card_id} if card_id else {}
    return html.Section([*head, *children], className="card analyst" if analyst else "card",
                        **props)  # fmt: skip


def empty(language: str) -> html.P:
    return html.P(t("no_data", language), className="empty")
