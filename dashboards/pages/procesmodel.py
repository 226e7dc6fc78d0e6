"""Procesmodel: the process map of the filtered log, drawn with dash-cytoscape.

Nodes are activities coloured by the organisation that performs them; edges are the
directly-follows paths, as wide as they are frequent and labelled with their frequency or their
median wait (the frequency/performance toggle). Two sliders keep the most frequent activities and
paths (:func:`toolkit.mining.dfg.abstract_dfg`). Clicking a path shows the distribution of its
waits (the ``wait_histogram`` section); clicking an activity shows its counts. The map comes from
the ``dfg`` section, so in workshop mode paths and activities of fewer than k persons are gone.
"""

from __future__ import annotations

from typing import Any

import dash_cytoscape as cyto
import pandas as pd
from dash import Dash, Input, Output, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboards.components import (
    DD,
    DL,
    activity_label,
    card,
    empty,
    fmt_int,
    fmt_number,
    graph,
    organisation_colour,
    table,
    wait_figure,
)
from dashboards.filterbar import current_filter
from dashboards.i18n import language_of, t
from toolkit.errors import EventLogError
from toolkit.mining.dfg import Dfg, abstract_dfg
from toolkit.session import AnalysisSession

PATH = "/procesmodel"
TITLE = "page_procesmodel"
FREQUENCY, PERFORMANCE = "frequency", "performance"
ACTIVITIES = {"min": 2, "max": 50, "value": 15}
PATHS = {"min": 1, "max": 150, "value": 30}
EDGE_WIDTH = (1.0, 10.0)  # px of the least and the most frequent path shown

# dagre (a layered layout for directed graphs) ships in dash-cytoscape's own extra bundle,
# which Dash serves from the package like every other component: no CDN.
cyto.load_extra_layouts()

LAYOUT = {"name": "dagre", "rankDir": "TB", "nodeSep": 30, "rankSep": 40, "animate": False}
STYLESHEET = [
    {
        "selector": "node",
        "style": {
            "label": "data(label)",
            "background-color": "data(colour)",
            "color": "#ffffff",
            "shape": "round-rectangle",
            "width": 160,
            "height": 46,
            "text-valign": "center",
            "text-halign": "center",
            "text-wrap": "wrap",
            "text-max-width": 150,
            "font-size": 11,
        },
    },
    {
        "selector": "edge",
        "style": {
            "label": "data(label)",
            "width": "data(width)",
            "curve-style": "bezier",
            "target-arrow-shape": "triangle",
            "line-color": "#9aa5b1",
            "target-arrow-color": "#9aa5b1",
            "font-size": 10,
            "color": "#1f2933",
            "text-background-color": "#ffffff",
            "text-background-opacity": 0.85,
            "text-background-padding": 2,
        },
    },
    {
        "selector": ":selected",
        "style": {
            "border-width": 3,
            "border-color": "#111111",
            "line-color": "#111111",
            "target-arrow-color": "#111111",
        },
    },
]


def activity_organisation(session: AnalysisSession, activity: str) -> str:
    try:
        return session.chain.activity(activity).organisation
    except KeyError:
        return "other"


def organisation_name(session: AnalysisSession, org: str, language: str) -> str:
    key = f"organisation_{org}"
    text = t(key, language)
    if text != key:
        return text
    try:
        item = session.chain.organisation(org)
    except KeyError:
        return t("procesmodel_other_organisation", language)
    return item.label_en if language_of(language) == "en" else item.label_nl


def fmt_wait(days: Any, language: str) -> str:
    text = fmt_number(days, language, 1)
    return text if text == "–" else f"{text} {t('procesmodel_days_short', language)}"


def elements(session: AnalysisSession, dfg: Dfg, mode: str, language: str) -> list[dict[str, Any]]:
    """The cytoscape elements of an (abstracted) process map."""
    nodes = []
    for row in dfg.activities.itertuples(index=False):
        activity = str(row.activity)
        label = activity_label(session, activity, language)
        nodes.append(
            {
                "data": {
                    "id": activity,
                    "label": f"{label}\n{fmt_int(row.cases, language)}",
                    "colour": organisation_colour(activity_organisation(session, activity)),
                }
            }
        )
    edges = []
    frequencies = dfg.edges["frequency"] if len(dfg.edges) else pd.Series(dtype=float)
    low, high = (float(frequencies.min()), float(frequencies.max())) if len(frequencies) else (0, 0)
    for row in dfg.edges.itertuples(index=False):
        span = (row.frequency - low) / (high - low) if high > low else 1.0
        if mode == PERFORMANCE:
            text = fmt_wait(getattr(row, "median_days", None), language)
        else:
            text = fmt_int(row.frequency, language)
        edges.append(
            {
                "data": {
                    "id": f"{row.source}->{row.target}",
                    "source": str(row.source),
                    "target": str(row.target),
                    "label": text,
                    "width": round(EDGE_WIDTH[0] + span * (EDGE_WIDTH[1] - EDGE_WIDTH[0]), 2),
                }
            }
        )
    return nodes + edges


def legend(session: AnalysisSession, dfg: Dfg, language: str) -> html.Div:
    """One coloured chip per organisation on the map."""
    orgs = dict.fromkeys(activity_organisation(session, str(a)) for a in dfg.activities["activity"])
    chips = [
        html.Span(
            organisation_name(session, org, language),
            className="legend-chip",
            style={
                "background": organisation_colour(org),
                "color": "white",
                "padding": "2px 8px",
                "borderRadius": "4px",
                "marginRight": "6px",
                "fontSize": "0.8rem",
            },
        )
        for org in orgs
    ]
    return html.Div(chips, id="procesmodel-legend", style={"marginBottom": "0.4rem"})


def layout(session: AnalysisSession, language: str) -> html.Div:
    controls = html.Div(
        [
            html.Div(
                [
                    html.Label(t("procesmodel_toggle", language), htmlFor="procesmodel-mode"),
                    dcc.RadioItems(
                        id="procesmodel-mode",
                        options=[
                            {"label": t("procesmodel_frequency", language), "value": FREQUENCY},
                            {"label": t("procesmodel_performance", language),
                             "value": PERFORMANCE},
                        ],
                        value=FREQUENCY,
                        inline=True,
                    ),
                ],
                className="control",
            ),
            html.Div(
                [
                    html.Label(t("procesmodel_activities", language),
                               htmlFor="procesmodel-activities"),
                    dcc.Slider(id="procesmodel-activities", step=1, **ACTIVITIES,
                               marks={v: str(v) for v in (2, 10, 20, 30, 40, 50)},
                               tooltip={"placement": "bottom"}),
                ],
                className="control",
                style={"minWidth": "320px"},
            ),
            html.Div(
                [
                    html.Label(t("procesmodel_paths", language), htmlFor="procesmodel-paths"),
                    dcc.Slider(id="procesmodel-paths", step=1, **PATHS,
                               marks={v: str(v) for v in (1, 25, 50, 75, 100, 125, 150)},
                               tooltip={"placement": "bottom"}),
                ],
                className="control",
                style={"minWidth": "320px"},
            ),
        ],
        className="controls",
    )  # fmt: skip
    return html.Div(
        [
            html.H2(t(TITLE, language)),
            card(t("procesmodel_map_title", language), controls,
                 html.Div(id="procesmodel-legend-box"),
                 cyto.Cytoscape(id="procesmodel-map", elements=[], layout=LAYOUT,
                                stylesheet=STYLESHEET, minZoom=0.2, maxZoom=3,
                                style={"width": "100%", "height": "760px",
                                       "border": "1px solid #d9dee5", "borderRadius": "6px"}),
                 html.P(id="procesmodel-summary", className="note"),
                 note=t("procesmodel_map_note", language)),
            card(t("procesmodel_detail_title", language), html.Div(id="procesmodel-detail"),
                 note=t("procesmodel_detail_note", language)),
            dcc.Store(id="procesmodel-selection"),
        ],
        className="page",
        id="page-procesmodel",
    )  # fmt: skip


def edge_detail(session: AnalysisSession, f: Any, source: str, target: str, language: str) -> Any:
    histogram = session.get(f, "wait_histogram", source, target)
    title = html.H4(
        f"{activity_label(session, source, language)} → {activity_label(session, target, language)}"
    )
    if histogram is None or histogram.empty or histogram["persons"].isna().all():
        return [title, empty(language)]
    dfg = session.get(f, "dfg")
    row = dfg.edges[(dfg.edges["source"] == source) & (dfg.edges["target"] == target)]
    columns = [c for c in ("frequency", "median_days", "mean_days", "min_days", "max_days")
               if c in row.columns]  # fmt: skip
    row = row[["source", "target", *columns]].assign(
        source=activity_label(session, source, language),
        target=activity_label(session, target, language),
    )
    return [
        title,
        graph(
            wait_figure(histogram, language),
            "procesmodel-wait-graph",
            "procesmodel_wachttijd",
            language,
        ),
        table(row, "procesmodel-edge-table", language),
    ]


def node_detail(session: AnalysisSession, f: Any, activity: str, language: str) -> Any:
    dfg = session.get(f, "dfg")
    row = dfg.activities[dfg.activities["activity"] == activity]
    title = html.H4(activity_label(session, activity, language))
    if row.empty:
        return [title, empty(language)]
    org = activity_organisation(session, activity)
    # in workshop mode a start or end count under k is left out of the map: a dash, not a zero
    absent = None if session.workshop else 0
    facts = [
        (t("procesmodel_organisation", language), organisation_name(session, org, language)),
        (t("procesmodel_events", language), fmt_int(row["frequency"].iloc[0], language)),
        (t("procesmodel_cases", language), fmt_int(row["cases"].iloc[0], language)),
        (t("procesmodel_starts", language),
         fmt_int(dfg.start_activities.get(activity, absent), language)),
        (t("procesmodel_ends", language),
         fmt_int(dfg.end_activities.get(activity, absent), language)),
    ]  # fmt: skip
    return [
        title,
        html.Dl(
            [item for name, value in facts for item in (html.Dt(name), html.Dd(value, style=DD))],
            id="procesmodel-node-facts",
            style=DL,
        ),
    ]


def register(app: Dash, session: AnalysisSession) -> None:
    @app.callback(
        Output("procesmodel-map", "elements"),
        Output("procesmodel-legend-box", "children"),
        Output("procesmodel-summary", "children"),
        Input("filter", "data"),
        Input("language", "value"),
        Input("procesmodel-mode", "value"),
        Input("procesmodel-activities", "value"),
        Input("procesmodel-paths", "value"),
    )
    def draw(data: dict | None, language: str, mode: str, activities: int, paths: int):
        f = current_filter(data)
        try:
            full = session.get(f, "dfg")
        except EventLogError:
            return [], empty(language), ""
        if full.activities.empty:
            return [], empty(language), ""
        shown = abstract_dfg(
            full, max_activities=activities or ACTIVITIES["value"], max_edges=paths or 0
        )
        summary = t(
            "procesmodel_summary",
            language,
            activities=fmt_int(len(shown.activities), language),
            all_activities=fmt_int(len(full.activities), language),
            paths=fmt_int(len(shown.edges), language),
            all_paths=fmt_int(len(full.edges), language),
        )
        return elements(session, shown, mode, language), legend(session, shown, language), summary

    @app.callback(
        Output("procesmodel-selection", "data"),
        Input("procesmodel-map", "tapNodeData"),
        Input("procesmodel-map", "tapEdgeData"),
        prevent_initial_call=True,
    )
    def select(node: dict | None, edge: dict | None) -> dict[str, str]:
        prop = ctx.triggered[0]["prop_id"] if ctx.triggered else ""
        if prop.endswith("tapEdgeData") and edge:
            return {"kind": "edge", "source": edge["source"], "target": edge["target"]}
        if prop.endswith("tapNodeData") and node:
            return {"kind": "node", "activity": node["id"]}
        raise PreventUpdate

    @app.callback(
        Output("procesmodel-detail", "children"),
        Input("filter", "data"),
        Input("language", "value"),
        Input("procesmodel-selection", "data"),
    )
    def detail(data: dict | None, language: str, selection: dict | None) -> Any:
        if not selection:
            return html.P(t("procesmodel_click_hint", language), className="muted")
        f = current_filter(data)
        try:
            if selection.get("kind") == "edge":
                return edge_detail(session, f, selection["source"], selection["target"], language)
            return node_detail(session, f, selection["activity"], language)
        except EventLogError:
            return empty(language)
