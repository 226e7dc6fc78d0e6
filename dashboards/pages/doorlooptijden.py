"""Doorlooptijden: how long one milestone interval takes, as a distribution, not just a median.

Choose an interval (a norm of the chain) and optionally a segment dimension. The page shows the
Kaplan-Meier survival curves (the share still waiting after so many days, persons still waiting
counted as "at least this long"; who left the chain is not waiting and not in them; all cohorts
pooled unless split by cohort) against the norm, the histogram of finished durations, and the
table of every interval. Curves, histogram and table are the ``curves``, ``histogram`` and
``intervals`` sections of the session, so in workshop mode small groups are already gone.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html

from dashboards.components import (
    card,
    curves_figure,
    dropdown_labels,
    empty,
    graph,
    histogram_figure,
    organisation_colour,
    table,
)
from dashboards.filterbar import current_filter
from dashboards.i18n import language_of, t
from toolkit.errors import EventLogError
from toolkit.session import AnalysisSession

PATH = "/doorlooptijden"
TITLE = "page_doorlooptijden"
DEFAULT_NORM = "N13"
NONE = "none"
# The segment dimensions survival_curves(by=...) accepts.
DIMENSIONS = ("municipality", "location", "office", "nationality", "track", "household_size",
              "cohort")  # fmt: skip
INTERVAL_COLUMNS = ("interval", "label_{language}", "persons", "completed", "still_open", "left_chain",
                    "median_days", "p90_days", "norm_days", "share_over_norm")  # fmt: skip


def duration_figure(session: AnalysisSession, histogram: pd.DataFrame, norm_id: str,
                     language: str) -> go.Figure:  # fmt: skip
    """Bars of persons per bin of finished durations, with the norm as a vertical line."""
    norm = session.chain.norm(norm_id)
    try:
        colour = organisation_colour(session.chain.activity(norm.to_activities[0]).organisation)
    except KeyError:
        colour = organisation_colour("other")
    return histogram_figure(
        histogram,
        language,
        colour=colour,
        axis_title=t("doorlooptijden_days_axis", language),
        norm_days=norm.days,
        direction=norm.direction,
        height=360,
    )


def intervals_table(intervals: pd.DataFrame, language: str) -> pd.DataFrame:
    """The intervals section with the label in the current language, as columns to show."""
    if intervals.empty:
        return intervals
    columns = [c.format(language=language_of(language)) for c in INTERVAL_COLUMNS]
    return intervals[[c for c in columns if c in intervals.columns]]


def layout(session: AnalysisSession, language: str) -> html.Div:
    norms = [{"label": f"{n.id} · {n.label(language)}", "value": n.id} for n in session.chain.norms]
    default = DEFAULT_NORM if any(n.id == DEFAULT_NORM for n in session.chain.norms) else None
    dimensions = [{"label": t("doorlooptijden_dim_none", language), "value": NONE}] + [
        {"label": t(f"doorlooptijden_dim_{d}", language), "value": d} for d in DIMENSIONS
    ]
    controls = html.Div(
        [
            html.Div(
                [
                    html.Label(t("doorlooptijden_interval", language),
                               htmlFor="doorlooptijden-interval"),
                    dcc.Dropdown(labels=dropdown_labels(language), id="doorlooptijden-interval", options=norms,
                                 value=default or (norms[0]["value"] if norms else None),
                                 clearable=False),
                ],
                className="control",
                style={"minWidth": "360px"},
            ),
            html.Div(
                [
                    html.Label(t("doorlooptijden_dimension", language),
                               htmlFor="doorlooptijden-dimension"),
                    dcc.Dropdown(labels=dropdown_labels(language), id="doorlooptijden-dimension", options=dimensions, value=NONE,
                                 clearable=False),
                ],
                className="control",
            ),
        ],
        className="controls",
    )  # fmt: skip
    return html.Div(
        [
            html.H2(t(TITLE, language)),
            controls,
            card(t("doorlooptijden_curves_title", language), html.Div(id="doorlooptijden-curves"),
                 note=t("doorlooptijden_curves_note", language)),
            card(t("doorlooptijden_histogram_title", language),
                 html.Div(id="doorlooptijden-histogram"),
                 note=t("doorlooptijden_histogram_note", language), analyst=True),
            card(t("doorlooptijden_table_title", language), html.Div(id="doorlooptijden-table"),
                 analyst=True),
        ],
        className="page",
        id="page-doorlooptijden",
    )  # fmt: skip


def register(app: Dash, session: AnalysisSession) -> None:
    @app.callback(
        Output("doorlooptijden-curves", "children"),
        Output("doorlooptijden-histogram", "children"),
        Input("filter", "data"),
        Input("language", "value"),
        Input("doorlooptijden-interval", "value"),
        Input("doorlooptijden-dimension", "value"),
    )
    def distributions(data: dict | None, language: str, norm_id: str | None,
                      dimension: str | None) -> tuple[Any, Any]:  # fmt: skip
        if not norm_id:
            return empty(language), empty(language)
        f = current_filter(data)
        by = None if dimension in (None, NONE) else dimension
        try:
            args = (norm_id, by) if by else (norm_id,)
            curves = session.get(f, "curves", *args)
            histogram = session.get(f, "histogram", norm_id)
        except EventLogError:
            return empty(language), empty(language)
        curve = (
            graph(curves_figure(session, curves, norm_id, language, dimension=by),
                  "doorlooptijden-curves-graph", f"doorlooptijden_{norm_id}_curves", language,
                  room=session.workshop)
            if len(curves)
            else empty(language)
        )  # fmt: skip
        bars = (
            graph(duration_figure(session, histogram, norm_id, language),
                  "doorlooptijden-histogram-graph", f"doorlooptijden_{norm_id}_histogram", language,
                  room=session.workshop)
            if len(histogram) and not histogram["persons"].isna().all()
            else empty(language)
        )  # fmt: skip
        return curve, bars

    @app.callback(
        Output("doorlooptijden-table", "children"),
        Input("filter", "data"),
        Input("language", "value"),
    )
    def intervals(data: dict | None, language: str) -> Any:
        try:
            frame = session.get(current_filter(data), "intervals")
        except EventLogError:
            return empty(language)
        return table(intervals_table(frame, language), "doorlooptijden-intervals", language)
