"""Werkvoorraad: how many persons are in each phase of the chain over time, and the weekly flow.

A stacked area of the persons per phase per day (the ``wip`` section: a ``date`` column, one
column per phase and ``total``), the weekly inflow and outflow with the work in progress at the
end of each week (the ``flow`` section) and the flow as a table. In workshop mode hidden counts
are gaps: they are left out of the stack, and the page says so.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import Dash, Input, Output, html
from plotly.subplots import make_subplots

from dashboards.components import (
    PHASE_COLOURS,
    card,
    empty,
    fmt_date,
    graph,
    separators,
    table,
    theme,
)
from dashboards.filterbar import current_filter
from dashboards.i18n import column, label, t
from toolkit.bottlenecks.wip import wip_phases
from toolkit.errors import EventLogError
from toolkit.session import AnalysisSession

PATH = "/werkvoorraad"
TITLE = "page_werkvoorraad"
FLOW_COLUMNS = ("week", "inflow", "outflow", "outflow_housing", "wip_end")


def layout(session: AnalysisSession, language: str) -> html.Div:
    return html.Div(
        [
            html.H2(t(TITLE, language)),
            html.P(t("werkvoorraad_intro", language), className="note"),
            card(t("werkvoorraad_wip_title", language), html.Div(id="werkvoorraad-wip"),
                 note=t("werkvoorraad_wip_note", language)),
            card(t("werkvoorraad_flow_title", language), html.Div(id="werkvoorraad-flow"),
                 note=t("werkvoorraad_flow_note", language)),
            card(t("werkvoorraad_flow_table_title", language),
                 html.Div(id="werkvoorraad-flow-table"), analyst=True),
        ],
        className="page",
        id="page-werkvoorraad",
    )  # fmt: skip


def phase_columns(wip: pd.DataFrame, session: AnalysisSession) -> list[str]:
    """The phase columns of the work in progress, in chain order."""
    return [p for p in wip_phases(session.chain) if p in wip.columns]


def wip_figure(
    wip: pd.DataFrame, session: AnalysisSession, language: str, warm_up: str | None = None
) -> go.Figure:
    """Persons per phase per day, stacked; the total as a line on top; the warm-up at the start
    of the log (up to ``warm_up``, the ``warm_up`` section) shaded and named."""
    figure = go.Figure()
    if warm_up is not None:
        figure.add_vrect(x0=pd.Timestamp(wip["date"].iloc[0]), x1=pd.Timestamp(warm_up), fillcolor="#9aa5b1", opacity=0.2,
                         line_width=0, layer="below", name="warm-up",
                         annotation_text=t("werkvoorraad_warm_up", language),
                         annotation_position="top left")  # fmt: skip
    for i, phase in enumerate(phase_columns(wip, session)):
        values = pd.to_numeric(wip[phase], errors="coerce")
        if values.fillna(0).eq(0).all() and not values.isna().all():
            continue  # a phase nobody is in (yet) only clutters the legend
        figure.add_scatter(
            x=wip["date"],
            y=values,
            name=label(session.chain.phase(phase), language),
            mode="lines",
            line={"width": 0.5, "color": PHASE_COLOURS[i % len(PHASE_COLOURS)]},
            stackgroup="wip",
            hovertemplate="%{y:,.0f}",
        )
    if "total" in wip.columns:
        figure.add_scatter(
            x=wip["date"],
            y=pd.to_numeric(wip["total"], errors="coerce"),
            name=t("werkvoorraad_total", language),
            mode="lines",
            line={"width": 1.5, "color": theme()["accent"]["neutral"], "dash": "dot"},
            connectgaps=False,
            hovertemplate="%{y:,.0f}",
        )
    figure.update_layout(
        height=440,
        hovermode="x unified",
        separators=separators(language),
        legend={"orientation": "h", "y": -0.15},
    )
    figure.update_yaxes(title=t("werkvoorraad_persons", language), gridcolor="#e5e7eb")
    return figure


def flow_figure(flow: pd.DataFrame, language: str) -> go.Figure:
    """Weekly inflow and outflow as bars, outflow to a home as a line, the week-end WIP on the
    right axis."""
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    colours = theme()["organisation"]
    for name, colour in (("inflow", colours["IND"]), ("outflow", colours["COA"])):
        figure.add_bar(x=flow["week"], y=pd.to_numeric(flow[name], errors="coerce"),
                       name=column(name, language), marker_color=colour, secondary_y=False)  # fmt: skip
    figure.add_scatter(
        x=flow["week"],
        y=pd.to_numeric(flow["outflow_housing"], errors="coerce"),
        name=column("outflow_housing", language),
        mode="lines",
        line={"color": colours["GEMEENTE"], "width": 2},
        connectgaps=False,
        secondary_y=False,
    )
    figure.add_scatter(
        x=flow["week"],
        y=pd.to_numeric(flow["wip_end"], errors="coerce"),
        name=column("wip_end", language),
        mode="lines",
        line={"color": theme()["accent"]["neutral"], "width": 1.5, "dash": "dot"},
        connectgaps=False,
        secondary_y=True,
    )
    figure.update_layout(
        height=420,
        barmode="group",
        hovermode="x unified",
        separators=separators(language),
        legend={"orientation": "h", "y": -0.15},
    )
    figure.update_yaxes(title=t("werkvoorraad_per_week", language), gridcolor="#e5e7eb",
                        secondary_y=False)  # fmt: skip
    figure.update_yaxes(title=column("wip_end", language), showgrid=False, rangemode="tozero",
                        secondary_y=True)  # fmt: skip
    return figure


def register(app: Dash, session: AnalysisSession) -> None:
    @app.callback(
        Output("werkvoorraad-wip", "children"),
        Output("werkvoorraad-flow", "children"),
        Output("werkvoorraad-flow-table", "children"),
        Input("filter", "data"),
        Input("language", "value"),
    )
    def fill(data: dict | None, language: str) -> tuple[Any, Any, Any]:
        f = current_filter(data)
        try:
            wip = session.get(f, "wip")
            flow = session.get(f, "flow")
            warm_up = session.get(f, "warm_up")
        except EventLogError:
            return empty(language), empty(language), empty(language)
        if len(wip):
            counts = wip[[*phase_columns(wip, session), "total"]]
            hidden = bool(counts.isna().any().any())
            children: list[Any] = [graph(wip_figure(wip, session, language, warm_up),
                                         "werkvoorraad-wip-graph", "werkvoorraad", language, room=session.workshop)]  # fmt: skip
            if warm_up is not None:
                children.append(html.P(t("werkvoorraad_warm_up_note", language,
                                         day=fmt_date(warm_up, language)),
                                       className="note", id="werkvoorraad-warm-up"))  # fmt: skip
            if hidden:
                children.append(html.P(t("werkvoorraad_wip_hidden", language, k=session.k),
                                       className="note", id="werkvoorraad-wip-hidden"))  # fmt: skip
            wip_part: Any = html.Div(children)
        else:
            wip_part = empty(language)
        if len(flow):
            flow_part: Any = graph(flow_figure(flow, language), "werkvoorraad-flow-graph",
                                   "werkvoorraad_stroom", language, room=session.workshop)  # fmt: skip
            shown = flow[[c for c in FLOW_COLUMNS if c in flow.columns]]
            flow_table = table(shown.iloc[::-1], "werkvoorraad-flow-datatable", language)
        else:
            flow_part = flow_table = empty(language)
        return wip_part, flow_part, flow_table
