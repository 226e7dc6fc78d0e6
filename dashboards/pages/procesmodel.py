"""Procesmodel: the chain map of the filtered log, drawn with dash-cytoscape, and its variants.

Activities sit in one lane per organisation (IND, COA, municipality, the order of chain.toml)
and, left to right, in chain order (phase, then the order of chain.toml), so the map reads as the
chain. Edges are the directly-follows paths: in frequency mode grey and as wide as they are
frequent, in performance mode coloured and sized by their median wait. Relocations are folded
into one self-loop with their count and the median stay before a relocation (the ``dfg``
section). Every activity shown keeps a path (:func:`toolkit.mining.dfg.abstract_dfg`); one
whose neighbours are all hidden is named under the map. Labels are at least
:data:`MIN_LABEL_PX` pixels high at any zoom the map allows, so a projected map is readable
from the back of a room.

Clicking a path shows its waits (``wait_histogram``), clicking an activity its counts; both
offer to keep only the persons who passed it, a filter of the filter bar
(:class:`toolkit.filters.LogFilter` ``activity`` and ``path``). The variants table lists the
most common journeys (``variants`` section, relocations left out) by activity name.
"""

from __future__ import annotations

from typing import Any

import dash_cytoscape as cyto
import pandas as pd
from dash import Dash, Input, Output, State, ctx, dcc, html
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
from toolkit.filters import PATH_SEPARATOR
from toolkit.mining.dfg import Dfg, abstract_dfg
from toolkit.mining.variants import ARROW
from toolkit.session import AnalysisSession

PATH = "/procesmodel"
TITLE = "page_procesmodel"
FREQUENCY, PERFORMANCE = "frequency", "performance"
ACTIVITIES = {"min": 2, "max": 50, "value": 15}
PATHS = {"min": 1, "max": 150, "value": 30}
EDGE_WIDTH = (1.5, 12.0)  # px of the least and the most frequent path shown
# Readable from 3 m on a 1080p projector: labels of at least 14 px on screen. The map opens at
# ZOOM at the start of the chain (the lane titles on the left) and never zooms out below
# MIN_LABEL_PX / the smallest label's size; a long chain is panned, not shrunk.
MIN_LABEL_PX = 14
NODE_FONT, EDGE_FONT, LANE_FONT = 17, 16, 20
MIN_ZOOM = MIN_LABEL_PX / min(NODE_FONT, EDGE_FONT, LANE_FONT)
ZOOM = 0.9
NODE_WIDTH, NODE_HEIGHT = 200, 84
COLUMN, LANE = 270, 190  # px between the centres of two columns, of two lanes
# Performance mode: upper bounds of the wait classes in days (a week, four weeks, three and six
# months), each a colour and a width; the last class is everything longer.
WAIT_CLASSES = (7, 28, 91, 182)
WAIT_COLOURS = ("#9ecae1", "#4292c6", "#fd8d3c", "#e6550d", "#a50f15")
WAIT_WIDTHS = (2, 4, 7, 10, 14)
TOP_VARIANTS = 10

BACK_BEND = 28  # px a path bends when the reverse path is drawn too
MARGIN = 12  # px between the map's top left corner and the first lane's title
LAYOUT = {
    "name": "preset",
    "fit": False,
    "zoom": ZOOM,
    "pan": {"x": MARGIN + (COLUMN + NODE_WIDTH / 2) * ZOOM, "y": MARGIN + LANE / 2 * ZOOM},
    "animate": False,
}
STYLESHEET = [
    {
        "selector": "node",
        "style": {
            "label": "data(label)",
            "background-color": "data(colour)",
            "color": "#ffffff",
            "shape": "round-rectangle",
            "width": NODE_WIDTH,
            "height": NODE_HEIGHT,
            "text-valign": "center",
            "text-halign": "center",
            "text-wrap": "wrap",
            "text-max-width": NODE_WIDTH - 12,
            "text-overflow-wrap": "anywhere",  # a word longer than the node breaks, not spills
            "font-size": NODE_FONT,
        },
    },
    {
        "selector": "node.lane",
        "style": {
            "label": "",
            "width": "data(width)",
            "height": LANE - 24,
            "background-color": "data(colour)",
            "background-opacity": 0.08,
            "border-width": 0,
            "shape": "rectangle",
            "z-index": 0,
            "events": "no",
        },
    },
    {
        "selector": "node.lane-title",
        "style": {
            "background-opacity": 0,
            "color": "data(colour)",
            "font-size": LANE_FONT,
            "events": "no",
        },
    },
    {
        "selector": "edge",
        "style": {
            "label": "data(label)",
            "width": "data(width)",
            "curve-style": "unbundled-bezier",
            "control-point-distances": "data(bend)",
            "control-point-weights": 0.5,
            "target-arrow-shape": "triangle",
            "line-color": "data(colour)",
            "target-arrow-color": "data(colour)",
            "font-size": EDGE_FONT,
            "color": "#1f2933",
            "text-background-color": "#ffffff",
            "text-background-opacity": 0.9,
            "text-background-padding": 2,
        },
    },
    {
        "selector": "edge.loop",
        "style": {
            "curve-style": "bezier",
            "loop-direction": "0deg",
            "loop-sweep": "50deg",
            "control-point-step-size": 70,
            "font-weight": "bold",
        },
    },
    {
        "selector": ":selected",
        "style": {
            "border-width": 4,
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


def positions(session: AnalysisSession, activities: list[str]) -> dict[str, tuple[int, int]]:
    """Column and lane of each activity: lanes by organisation (chain.toml order, unknown ones
    last), columns by phase (each phase as wide as its busiest lane), then chain order."""
    chain = session.chain
    lanes = {o.id: i for i, o in enumerate(chain.organisations)}
    order = chain.chain_order()
    cells: dict[tuple[int, int], list[str]] = {}
    for activity in sorted(activities, key=lambda a: (order.get(a, len(order)), a)):
        try:
            item = chain.activity(activity)
            phase, lane = chain.phase(item.phase).order, lanes.get(item.organisation, len(lanes))
        except KeyError:
            phase, lane = len(chain.phases), len(lanes)
        cells.setdefault((phase, lane), []).append(activity)
    width: dict[int, int] = {}
    for (phase, _), members in cells.items():
        width[phase] = max(width.get(phase, 0), len(members))
    first = {}
    column = 0
    for phase in sorted(width):
        first[phase] = column
        column += width[phase]
    used = sorted({lane for _, lane in cells})
    row = {lane: i for i, lane in enumerate(used)}
    return {
        activity: (first[phase] + i, row[lane])
        for (phase, lane), members in cells.items()
        for i, activity in enumerate(members)
    }


def wait_class(days: Any) -> int | None:
    """The performance class of a median wait (an index into :data:`WAIT_CLASSES` + 1)."""
    if days is None or pd.isna(days):
        return None
    return sum(float(days) >= bound for bound in WAIT_CLASSES)


def lane_elements(
    session: AnalysisSession, places: dict[str, tuple[int, int]], language: str
) -> list[dict[str, Any]]:
    """A band and a title per lane, behind the activities."""
    columns = max((c for c, _ in places.values()), default=0) + 1
    lanes: dict[int, str] = {}
    for activity, (_, lane) in places.items():
        lanes.setdefault(lane, activity_organisation(session, activity))
    out = []
    for lane, org in sorted(lanes.items()):
        colour = organisation_colour(org)
        centre = (columns - 2) * COLUMN / 2
        out.append({"data": {"id": f"lane-{org}", "colour": colour,
                             "width": (columns + 1) * COLUMN},
                    "position": {"x": centre, "y": lane * LANE}, "classes": "lane",
                    "selectable": False, "grabbable": False})  # fmt: skip
        out.append({"data": {"id": f"lane-title-{org}", "colour": colour,
                             "label": organisation_name(session, org, language)},
                    "position": {"x": -COLUMN, "y": lane * LANE}, "classes": "lane-title",
                    "selectable": False, "grabbable": False})  # fmt: skip
    return out


def loop_label(row: Any, language: str) -> str:
    return t("procesmodel_loop_label", language, count=fmt_int(row.frequency, language),
             days=fmt_wait(getattr(row, "median_days", None), language))  # fmt: skip


def elements(session: AnalysisSession, dfg: Dfg, mode: str, language: str) -> list[dict[str, Any]]:
    """The cytoscape elements of an (abstracted) process map: lanes, activities, paths."""
    places = positions(session, [str(a) for a in dfg.activities["activity"]])
    nodes = []
    for row in dfg.activities.itertuples(index=False):
        activity = str(row.activity)
        column, lane = places[activity]
        label = activity_label(session, activity, language)
        nodes.append(
            {
                "data": {
                    "id": activity,
                    "label": f"{label}\n{fmt_int(row.cases, language)}",
                    "colour": organisation_colour(activity_organisation(session, activity)),
                },
                "position": {"x": column * COLUMN, "y": lane * LANE},
                "grabbable": False,
            }
        )
    edges = []
    frequencies = dfg.edges["frequency"] if len(dfg.edges) else pd.Series(dtype=float)
    low, high = (float(frequencies.min()), float(frequencies.max())) if len(frequencies) else (0, 0)
    pairs = set(zip(dfg.edges["source"].astype(str), dfg.edges["target"].astype(str), strict=True))
    for row in dfg.edges.itertuples(index=False):
        source, target = str(row.source), str(row.target)
        median = getattr(row, "median_days", None)
        if mode == PERFORMANCE and wait_class(median) is not None:
            level = wait_class(median)
            colour, width = WAIT_COLOURS[level], WAIT_WIDTHS[level]
        else:
            span = (row.frequency - low) / (high - low) if high > low else 1.0
            colour = "#8795a8"
            width = round(EDGE_WIDTH[0] + span * (EDGE_WIDTH[1] - EDGE_WIDTH[0]), 2)
        if source == target:
            text = loop_label(row, language)
        elif mode == PERFORMANCE:
            text = fmt_wait(median, language)
        else:
            text = fmt_int(row.frequency, language)
        (c1, l1), (c2, l2) = places[source], places[target]
        # a path along a lane that jumps over activities bends around them; a path with one
        # back bends too, so that the two do not cover each other
        if l1 == l2 and abs(c2 - c1) > 1:
            bend = 45 + 18 * min(abs(c2 - c1), 8)
        else:
            bend = BACK_BEND if (target, source) in pairs else 0
        edges.append(
            {
                "data": {
                    "id": f"{source}{PATH_SEPARATOR}{target}",
                    "source": source,
                    "target": target,
                    "label": text,
                    "width": width,
                    "colour": colour,
                    "bend": bend,
                },
                "classes": "loop" if source == target else "",
            }
        )
    return lane_elements(session, places, language) + nodes + edges


def unconnected(session: AnalysisSession, dfg: Dfg, language: str) -> str:
    """The activities on the map without a path to another one shown, named with why."""
    touched = set(dfg.edges["source"]) | set(dfg.edges["target"])
    alone = [str(a) for a in dfg.activities["activity"] if a not in touched]
    if not alone:
        return ""
    names = ", ".join(activity_label(session, a, language) for a in alone)
    return t("procesmodel_unconnected", language, names=names)


def performance_legend(language: str) -> html.Div:
    """The wait classes of performance mode, as coloured bars."""
    names = [t(f"procesmodel_wait_class_{i}", language) for i in range(len(WAIT_COLOURS))]
    chips = [
        html.Span([html.Span(className="legend-line",
                             style={"background": colour, "height": f"{width}px"}), name],
                  className="legend-wait")
        for colour, width, name in zip(WAIT_COLOURS, WAIT_WIDTHS, names, strict=True)
    ]  # fmt: skip
    return html.Div([html.Span(t("procesmodel_wait_legend", language)), *chips],
                    className="legend", id="procesmodel-wait-legend")  # fmt: skip


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
                                stylesheet=STYLESHEET, minZoom=MIN_ZOOM, maxZoom=3, zoom=ZOOM, pan=LAYOUT["pan"],
                                autoungrabify=True, boxSelectionEnabled=False,
                                style={"width": "100%", "height": f"{round(3 * LANE * ZOOM + 2 * MARGIN)}px",
                                       "border": "1px solid #d9dee5", "borderRadius": "6px"}),
                 html.P(id="procesmodel-summary", className="note"),
                 html.P(id="procesmodel-unconnected", className="note"),
                 note=t("procesmodel_map_note", language)),
            card(t("procesmodel_detail_title", language), html.Div(id="procesmodel-detail"),
                 note=t("procesmodel_detail_note", language), card_id="procesmodel-detail-card"),
            card(t("procesmodel_variants_title", language), html.Div(id="procesmodel-variants"),
                 note=t("procesmodel_variants_note", language, top=TOP_VARIANTS),
                 card_id="procesmodel-variants-card"),
            dcc.Store(id="procesmodel-selection"),
        ],
        className="page",
        id="page-procesmodel",
    )  # fmt: skip


def keep_button(kind: str, language: str) -> html.Button:
    """The button that keeps only the persons who passed the selected activity or path."""
    return html.Button(t(f"procesmodel_keep_{kind}", language), id=f"procesmodel-keep-{kind}",
                       className="button primary")  # fmt: skip


def edge_detail(session: AnalysisSession, f: Any, source: str, target: str, language: str) -> Any:
    title = html.H4(
        f"{activity_label(session, source, language)} → {activity_label(session, target, language)}"
    )
    dfg = session.get(f, "dfg")
    row = dfg.edges[(dfg.edges["source"] == source) & (dfg.edges["target"] == target)]
    columns = [c for c in ("frequency", "cases", "median_days", "mean_days", "min_days",
                           "max_days") if c in row.columns]  # fmt: skip
    row = row[["source", "target", *columns]].assign(
        source=activity_label(session, source, language),
        target=activity_label(session, target, language),
    )
    facts = table(row, "procesmodel-edge-table", language)
    if source == target:  # a folded self-loop: its waits are stays, not a path of the log
        return [title, html.P(t("procesmodel_loop_note", language), className="note"), facts,
                keep_button("path", language)]  # fmt: skip
    histogram = session.get(f, "wait_histogram", source, target)
    if histogram is None or histogram.empty or histogram["persons"].isna().all():
        return [title, facts, keep_button("path", language)]
    return [
        title,
        graph(
            wait_figure(histogram, language),
            "procesmodel-wait-graph",
            "procesmodel_wachttijd",
            language,
            room=session.workshop,
        ),
        facts,
        keep_button("path", language),
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
        keep_button("activity", language),
    ]


def journeys(session: AnalysisSession, variants: pd.DataFrame, language: str) -> pd.DataFrame:
    """The most common journeys with activity names instead of ids."""
    shown = variants.head(TOP_VARIANTS)
    steps = shown["variant"].map(
        lambda text: " → ".join(activity_label(session, a, language) for a in text.split(ARROW))
    )
    return pd.DataFrame({"rank": shown["rank"], "variant": steps, "cases": shown["cases"],
                         "share": shown["share"], "median_days": shown["median_days"]})  # fmt: skip


def register(app: Dash, session: AnalysisSession) -> None:
    @app.callback(
        Output("procesmodel-map", "elements"),
        Output("procesmodel-legend-box", "children"),
        Output("procesmodel-summary", "children"),
        Output("procesmodel-unconnected", "children"),
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
            return [], empty(language), "", ""
        if full.activities.empty:
            return [], empty(language), "", ""
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
        legend = performance_legend(language) if mode == PERFORMANCE else None
        return (elements(session, shown, mode, language), legend, summary,
                unconnected(session, shown, language))  # fmt: skip

    @app.callback(
        Output("procesmodel-variants", "children"),
        Input("filter", "data"),
        Input("language", "value"),
    )
    def variants(data: dict | None, language: str) -> Any:
        try:
            found = session.get(current_filter(data), "variants")
        except EventLogError:
            return empty(language)
        if found.empty:
            return empty(language)
        return table(journeys(session, found, language), "procesmodel-variants-table", language)

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

    for kind in ("activity", "path"):
        register_keep(app, kind)


def register_keep(app: Dash, kind: str) -> None:
    """The keep button of an activity or a path adds it to the filter bar's field of that kind."""

    @app.callback(
        Output(f"f-{kind}", "value", allow_duplicate=True),
        Input(f"procesmodel-keep-{kind}", "n_clicks"),
        State("procesmodel-selection", "data"),
        State(f"f-{kind}", "value"),
        prevent_initial_call=True,
    )
    def keep(clicks: int | None, selection: dict | None, current: list | None) -> list[str]:
        if not clicks or not selection:
            raise PreventUpdate
        if kind == "activity":
            value = selection.get("activity")
        else:
            value = f"{selection.get('source')}{PATH_SEPARATOR}{selection.get('target')}"
        if not value or value in (current or []):
            raise PreventUpdate
        return [*(current or []), value]
