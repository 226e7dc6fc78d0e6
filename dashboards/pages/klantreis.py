"""Klantreis (home): the journey of a status holder through the chain on one screen.

Four tiles (persons in the chain now, waiting for a decision, waiting for a home, share over the
chain norm), the journey's legs end to end at their medians, each against its norm (a maximum or
a minimum, drawn differently), with the whole journey under them, and the top findings. Tiles
and journey come from the ``kpis`` and ``intervals`` sections, the findings from ``findings``;
one answer holds them all (see ``register``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import Dash, Input, Output, html

from dashboards.components import (
    card,
    empty,
    finding_cost,
    fmt_int,
    fmt_share,
    graph,
    organisation_colour,
    theme,
    tile,
)
from dashboards.filterbar import current_filter
from dashboards.i18n import t
from toolkit.analysis import journey
from toolkit.errors import EventLogError
from toolkit.session import AnalysisSession

PATH = "/"
TITLE = "page_klantreis"
TOP = 5
TILES = ("kpi-in-chain", "kpi-waiting-decision", "kpi-waiting-home", "kpi-over-norm")


def layout(session: AnalysisSession, language: str) -> html.Div:
    return html.Div(
        [
            html.H2(t(TITLE, language)),
            html.Div(id="kpi-tiles", className="tiles"),
            card(t("journey_title", language), html.Div(id="journey"),
                 note=t("journey_legs_note", language)),
            card(t("top_findings", language), html.Div(id="home-findings")),
        ],
        className="page",
        id="page-klantreis",
    )  # fmt: skip


def tiles(kpis: dict[str, Any], language: str) -> list[html.Div]:
    """The four tiles from the ``kpis`` section."""
    norm = kpis.get("chain_norm") or ""
    return [
        tile(TILES[0], t("kpi_in_chain", language), fmt_int(kpis.get("in_chain_now"), language)),
        tile(TILES[1], t("kpi_waiting_decision", language),
             fmt_int(kpis.get("waiting_for_decision"), language)),
        tile(TILES[2], t("kpi_waiting_home", language),
             fmt_int(kpis.get("waiting_for_home"), language)),
        tile(TILES[3], t("kpi_over_norm", language, norm=norm),
             fmt_share(kpis.get("share_over_norm"), language), t("kpi_over_norm_note", language)),
    ]  # fmt: skip


def journey_figure(steps: pd.DataFrame, total: float | None, language: str) -> go.Figure:
    """The legs end to end: each bar starts where the one before it ends (at the medians), with
    its norm from the leg's start: a bar for a maximum (the leg should end before it), a
    triangle pointing right for a minimum (the leg should last at least that long). Under the
    legs the whole journey, application to home (``journey_total_days`` of the ``kpis``)."""
    figure = go.Figure()
    names = [f"{row.interval} · {row.step}" for row in steps.itertuples()]
    days = t("days", language)
    for org, rows in steps.groupby("organisation", sort=False):
        figure.add_bar(
            y=[names[i] for i in rows.index],
            x=rows["median_days"].tolist(),
            base=rows["start_days"].tolist(),
            orientation="h",
            name=t(f"organisation_{org}", language),
            marker_color=organisation_colour(str(org)),
            customdata=rows[["p90_days"]].to_numpy().tolist(),
            hovertemplate="%{y}<br>" + t("journey_median", language) + ": %{x:.0f} " + days
            + "<br>" + t("journey_p90", language) + ": %{customdata[0]:.0f} " + days
            + "<extra></extra>",
        )  # fmt: skip
    for direction, symbol in (("maximum", "line-ns"), ("minimum", "triangle-right")):
        rows = steps[steps["direction"] == direction]
        if rows.empty:
            continue
        figure.add_scatter(
            y=[names[i] for i in rows.index],
            x=(rows["start_days"] + rows["norm_days"]).tolist(),
            customdata=rows[["norm_days"]].to_numpy().tolist(),
            mode="markers",
            marker={"symbol": symbol, "size": 16, "color": theme()["accent"]["norm"],
                    "line": {"width": 3, "color": theme()["accent"]["norm"]}},
            name=t(f"journey_norm_{direction}", language),
            hovertemplate="%{y}<br>" + t(f"journey_norm_{direction}", language)
            + ": %{customdata[0]:.0f} " + days + "<extra></extra>",
        )  # fmt: skip
    order = list(names)
    if total is not None:
        label = t("journey_total", language)
        figure.add_bar(y=[label], x=[total], base=[0], orientation="h",
                       name=t("journey_total_legend", language),
                       marker_color=theme()["accent"]["neutral"], text=[f"{total:.0f} {days}"],
                       textposition="inside", insidetextanchor="end",
                       hovertemplate=label + ": %{x:.0f} " + days + "<extra></extra>")  # fmt: skip
        order.append(label)
    figure.update_yaxes(categoryorder="array", categoryarray=list(reversed(order)))
    figure.update_xaxes(title=t("journey_axis", language), gridcolor="#e5e7eb", rangemode="tozero")
    figure.update_layout(height=100 + 52 * len(order), barmode="overlay",
                         legend={"orientation": "h", "y": -0.25})  # fmt: skip
    return figure


def findings_list(findings: list, language: str) -> Any:
    if not findings:
        return empty(language)
    items = []
    for rank, finding in enumerate(findings[:TOP], start=1):
        title = finding.title_en if language == "en" else finding.title_nl
        measure, cost = finding_cost(finding, language)
        items.append(html.Li([html.Strong(title),
                              html.Span(f" — {measure}: {cost}", className="muted")],
                             id=f"home-finding-{rank}"))  # fmt: skip
    return html.Ol(items, className="findings")


def register(app: Dash, session: AnalysisSession) -> None:
    @app.callback(
        Output("kpi-tiles", "children"),
        Output("journey", "children"),
        Output("home-findings", "children"),
        Input("filter", "data"),
        Input("language", "value"),
    )
    def overview(data: dict | None, language: str) -> tuple[Any, Any, Any]:
        """The whole page in one answer: tiles, journey and findings all read the filter's
        person table, which one worker then computes once (two answers may each go to another
        worker process, and each would compute it)."""
        f = current_filter(data)
        try:
            kpis = session.get(f, "kpis")
            steps = journey(session.get(f, "intervals"), session.chain, language)
            found = session.get(f, "findings")
        except EventLogError:
            return empty(language), empty(language), empty(language)
        chart = (
            graph(
                journey_figure(steps, total=kpis.get("journey_total_days"), language=language),
                "journey-graph",
                "klantreis",
                language,
                room=session.workshop,
            )
            if len(steps)
            else empty(language)
        )
        return tiles(kpis, language), chart, findings_list(found, language)
