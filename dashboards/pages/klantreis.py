"""Klantreis (home): the journey of a status holder through the chain on one screen.

Four tiles (persons in the chain now, waiting for a decision, waiting for a home, share over the
chain norm), the journey's steps with their median and 90th percentile against their norm, and
the top findings. Tiles and journey come from the ``kpis`` and ``intervals`` sections; the
findings, slower to compute for a new filter, fill in on their own.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from dash import Dash, Input, Output, html

from dashboards.components import (
    card,
    empty,
    fmt_days,
    fmt_int,
    fmt_share,
    graph,
    organisation_colour,
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
                 note=t("journey_note", language)),
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


def journey_figure(steps, language: str) -> go.Figure:
    """Median bars with a whisker to the 90th percentile and a diamond at the norm, per step."""
    figure = go.Figure()
    names = [f"{row.interval} · {row.step}" for row in steps.itertuples()]
    for org, rows in steps.groupby("organisation", sort=False):
        labels = [names[i] for i in rows.index]
        whisker = (rows["p90_days"] - rows["median_days"]).clip(lower=0)
        figure.add_bar(
            y=labels,
            x=rows["median_days"].tolist(),
            orientation="h",
            name=t(f"organisation_{org}", language),
            marker_color=organisation_colour(str(org)),
            error_x={"type": "data", "array": whisker.tolist(), "symmetric": False,
                     "arrayminus": [0] * len(rows), "color": "#333"},
            hovertemplate="%{y}<br>" + t("journey_median", language) + ": %{x:.0f} "
            + t("days", language) + "<extra></extra>",
        )  # fmt: skip
    figure.add_scatter(
        y=names,
        x=steps["norm_days"].tolist(),
        mode="markers",
        marker={"symbol": "diamond", "size": 11, "color": "#c0392b"},
        name=t("journey_norm", language),
        hovertemplate="%{y}<br>" + t("journey_norm", language) + ": %{x:.0f} "
        + t("days", language) + "<extra></extra>",
    )  # fmt: skip
    figure.update_yaxes(categoryorder="array", categoryarray=list(reversed(names)))
    figure.update_xaxes(title=t("days", language), gridcolor="#e5e7eb")
    figure.update_layout(height=80 + 48 * len(steps), barmode="overlay",
                         legend={"orientation": "h", "y": -0.2})  # fmt: skip
    return figure


def findings_list(findings: list, language: str) -> Any:
    if not findings:
        return empty(language)
    items = []
    for rank, finding in enumerate(findings[:TOP], start=1):
        title = finding.title_en if language == "en" else finding.title_nl
        extra = (
            f"{t('excess_person_days', language)}: {fmt_days(finding.excess_person_days, language)}"
        )
        items.append(html.Li([html.Strong(title), html.Span(f" — {extra}", className="muted")],
                             id=f"home-finding-{rank}"))  # fmt: skip
    return html.Ol(items, className="findings")


def register(app: Dash, session: AnalysisSession) -> None:
    @app.callback(
        Output("kpi-tiles", "children"),
        Output("journey", "children"),
        Input("filter", "data"),
        Input("language", "value"),
    )
    def overview(data: dict | None, language: str) -> tuple[Any, Any]:
        f = current_filter(data)
        try:
            kpis = session.get(f, "kpis")
            steps = journey(session.get(f, "intervals"), session.chain, language)
        except EventLogError:
            return empty(language), empty(language)
        chart = (
            graph(journey_figure(steps, language), "journey-graph", "klantreis", language)
            if len(steps)
            else empty(language)
        )
        return tiles(kpis, language), chart

    @app.callback(
        Output("home-findings", "children"),
        Input("filter", "data"),
        Input("language", "value"),
    )
    def top_findings(data: dict | None, language: str) -> Any:
        try:
            return findings_list(session.get(current_filter(data), "findings"), language)
        except EventLogError:
            return empty(language)
