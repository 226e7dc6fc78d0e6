"""Normen: how often the chain's legal and agreed deadlines are exceeded, and who is overdue now.

Per norm (the ``norms`` section) the persons who finished over the norm and those still waiting
and already past it ("overdue now", drawn in the norm colour so it stands out), with the table;
for a chosen norm its figures as tiles, per month the interval started (``norms_by_month``) and
per segment of a chosen dimension (``norms_by_segment``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html
from plotly.subplots import make_subplots

from dashboards.components import (
    card,
    code_name,
    dropdown_labels,
    empty,
    fmt_int,
    fmt_month,
    fmt_share,
    graph,
    is_missing,
    municipality_name,
    separators,
    table,
    theme,
    tile,
)
from dashboards.filterbar import current_filter
from dashboards.i18n import t
from toolkit.errors import EventLogError
from toolkit.session import AnalysisSession

PATH = "/normen"
TITLE = "page_normen"
DIMENSIONS = ("municipality", "location", "office", "nationality", "track", "household_size",
              "cohort")  # fmt: skip
COUNTS = ("persons", "share_over_norm", "closed", "closed_over", "share_closed_over", "still_open",
          "overdue_now", "breaches")  # fmt: skip
TOP_SEGMENTS = 25
CLOSED_OVER_COLOUR = "#e6a15c"


def overdue_colour() -> str:
    return theme()["accent"]["norm"]


def norm_options(session: AnalysisSession, language: str) -> list[dict[str, str]]:
    return [{"label": f"{n.id} · {n.label(language)}", "value": n.id} for n in session.chain.norms]


def dimension_options(language: str) -> list[dict[str, str]]:
    return [{"label": t(f"normen_dim_{d}", language), "value": d} for d in DIMENSIONS]


def _control(label_key: str, language: str, control: Any, name: str) -> html.Div:
    return html.Div(
        [html.Label(t(label_key, language), htmlFor=name), control], className="control filter"
    )


def layout(session: AnalysisSession, language: str) -> html.Div:
    norm = dcc.Dropdown(labels=dropdown_labels(language), id="normen-norm", options=norm_options(session, language),
                        value=session.chain.overview.chain_norm, clearable=False,
                        persistence=True, persistence_type="session")  # fmt: skip
    dimension = dcc.Dropdown(labels=dropdown_labels(language), id="normen-dimension", options=dimension_options(language),
                             value=DIMENSIONS[0], clearable=False, persistence=True,
                             persistence_type="session")  # fmt: skip
    return html.Div(
        [
            html.H2(t(TITLE, language)),
            html.P(t("normen_intro", language), className="note"),
            card(t("normen_overview_title", language), html.Div(id="normen-overview"),
                 note=t("normen_overview_note", language)),
            card(t("normen_table_title", language), html.Div(id="normen-table"), analyst=True),
            html.Div(
                [_control("normen_choose_norm", language, norm, "normen-norm"),
                 _control("normen_choose_dimension", language, dimension, "normen-dimension")],
                className="controls",
            ),
            html.Div(id="normen-tiles", className="tiles"),
            card(t("normen_month_title", language), html.Div(id="normen-month"),
                 note=t("normen_month_note", language)),
            card(t("normen_segment_title", language), html.Div(id="normen-segment"),
                 html.Div(id="normen-segment-table"), note=t("normen_segment_note", language),
                 analyst=True),
        ],
        className="page",
        id="page-normen",
    )  # fmt: skip


def _numbers(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce")


def _label_column(language: str) -> str:
    return "label_en" if language == "en" else "label_nl"


def breach_bars(
    figure: go.Figure, rows: pd.DataFrame, categories: list[str], language: str, **kwargs: Any
) -> None:
    """Completed over the norm and overdue now as stacked bars, overdue in the norm colour."""
    share = [fmt_share(v, language) for v in rows["share_closed_over"]]
    horizontal = kwargs.pop("orientation", None) == "h"
    for name, colour in (("closed_over", CLOSED_OVER_COLOUR), ("overdue_now", overdue_colour())):
        values = _numbers(rows[name])
        xy = {"x": values, "y": categories} if horizontal else {"x": categories, "y": values}
        figure.add_bar(
            **xy,
            orientation="h" if horizontal else "v",
            name=t(f"normen_{name}", language),
            marker_color=colour,
            customdata=share,
            hovertemplate="%{" + ("y" if horizontal else "x") + "}<br>"
            + t(f"normen_{name}", language) + ": %{" + ("x" if horizontal else "y") + ":,.0f}<br>"
            + t("normen_share", language) + ": %{customdata}<extra></extra>",
            **kwargs,
        )  # fmt: skip


def ranked_figure(
    rows: pd.DataFrame, names: list[str], language: str, row_height: int
) -> go.Figure:
    """Breaches as horizontal stacked bars, one row per name, the first name on top."""
    figure = go.Figure()
    breach_bars(figure, rows, names, language, orientation="h")
    figure.update_yaxes(categoryorder="array", categoryarray=list(reversed(names)))
    figure.update_xaxes(title=t("normen_persons", language), gridcolor="#e5e7eb")
    figure.update_layout(height=120 + row_height * len(names), barmode="stack",
                         separators=separators(language),
                         legend={"orientation": "h", "y": -0.12})  # fmt: skip
    return figure


def overview_figure(norms: pd.DataFrame, language: str) -> go.Figure:
    names = [f"{r.interval} · {getattr(r, _label_column(language))}" for r in norms.itertuples()]
    return ranked_figure(norms, names, language, row_height=32)


def with_share(norms: pd.DataFrame, intervals: pd.DataFrame) -> pd.DataFrame:
    """The norms with the share over the norm of the ``intervals`` section beside them: the one
    share the home page, the journey, Doorlooptijden and the findings show (Kaplan-Meier, those
    still waiting counted as waiting at least so long); ``share_closed_over`` counts the
    completed only."""
    if "share_over_norm" in norms.columns or intervals.empty:
        return norms
    shares = intervals.set_index("interval")["share_over_norm"]
    return norms.assign(share_over_norm=norms["interval"].map(shares))


def norms_table(norms: pd.DataFrame, language: str, table_id: str) -> Any:
    columns = ["interval", _label_column(language), "norm_days", *COUNTS]
    return table(norms[[c for c in columns if c in norms.columns]], table_id, language)


def norm_tiles(row: pd.Series, language: str) -> list[html.Div]:
    overdue = tile("normen-tile-overdue", t("normen_tile_overdue", language),
                   fmt_int(row.get("overdue_now"), language),
                   t("normen_tile_overdue_note", language))  # fmt: skip
    overdue.children[0].style = {"color": overdue_colour()}
    return [
        tile("normen-tile-persons", t("normen_tile_persons", language),
             fmt_int(row.get("persons"), language),
             t("normen_norm_days", language, days=fmt_int(row.get("norm_days"), language))),
        tile("normen-tile-closed-over", t("normen_tile_closed_over", language),
             fmt_int(row.get("closed_over"), language)),
        tile("normen-tile-share-all", t("normen_tile_share_all", language),
             fmt_share(row.get("share_over_norm"), language),
             t("normen_tile_share_all_note", language)),
        tile("normen-tile-share", t("normen_tile_share", language),
             fmt_share(row.get("share_closed_over"), language)),
        overdue,
    ]  # fmt: skip


def month_figure(months: pd.DataFrame, language: str) -> go.Figure:
    """Breaches per start month as bars, and the share over the norm as a line for the complete
    months only (``complete`` in ``norms_by_month``); the incomplete months are shaded."""
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    categories = [fmt_month(month, language) for month in months["month"].astype(str)]
    breach_bars(figure, months, categories, language)
    figure.add_scatter(
        x=categories,
        y=_numbers(months["share_breached"]),
        name=t("normen_share_breached", language),
        mode="lines+markers",
        line={"color": theme()["accent"]["neutral"], "width": 2},
        connectgaps=False,
        secondary_y=True,
    )
    incomplete = [c for c, done in zip(categories, months["complete"], strict=True) if not done]
    if incomplete:
        figure.add_vrect(x0=incomplete[0], x1=incomplete[-1], fillcolor="#9aa5b1", opacity=0.18,
                         line_width=0, layer="below", annotation_text=t("normen_incomplete",
                         language), annotation_position="top left")  # fmt: skip
    figure.update_layout(height=400, barmode="stack", separators=separators(language),
                         legend={"orientation": "h", "y": -0.2})  # fmt: skip
    figure.update_xaxes(type="category")
    figure.update_yaxes(title=t("normen_persons", language), gridcolor="#e5e7eb",
                        secondary_y=False)  # fmt: skip
    figure.update_yaxes(title=t("normen_share_breached", language), tickformat=".0%",
                        range=[0, 1.05], showgrid=False, secondary_y=True)  # fmt: skip
    return figure


def segment_label(value: Any, dimension: str, session: AnalysisSession, language: str) -> str:
    """A segment's name: municipality codes by their name; empty is unknown, None hidden."""
    if is_missing(value):
        return t("normen_hidden", language)
    text = str(value)
    if text == "":
        return t("normen_unknown", language)
    if dimension == "municipality":
        return municipality_name(session, text)
    return code_name(dimension, text, language)


def segment_rows(
    segments: pd.DataFrame, dimension: str, session: AnalysisSession, language: str
) -> pd.DataFrame:
    """The segments' rows, labelled, the most breaches first (hidden rows last)."""
    rows = segments.copy()
    rows.insert(0, "segment", [segment_label(v, dimension, session, language)
                               for v in rows[dimension]])  # fmt: skip
    rows["_order"] = _numbers(rows["breaches"])
    rows = rows.sort_values("_order", ascending=False, na_position="last", kind="stable")
    return rows.drop(columns="_order").reset_index(drop=True)


def segment_figure(rows: pd.DataFrame, language: str) -> go.Figure:
    drawn = rows[rows["segment"] != t("normen_hidden", language)].head(TOP_SEGMENTS)
    return ranked_figure(drawn, list(drawn["segment"]), language, row_height=26)


def register(app: Dash, session: AnalysisSession) -> None:
    @app.callback(
        Output("normen-overview", "children"),
        Output("normen-table", "children"),
        Input("filter", "data"),
        Input("language", "value"),
    )
    def overview(data: dict | None, language: str) -> tuple[Any, Any]:
        f = current_filter(data)
        try:
            norms = with_share(session.get(f, "norms"), session.get(f, "intervals"))
        except EventLogError:
            return empty(language), empty(language)
        if norms.empty:
            return empty(language), empty(language)
        chart = graph(
            overview_figure(norms, language),
            "normen-overview-graph",
            "normen",
            language,
            room=session.workshop,
        )
        return chart, norms_table(norms, language, "normen-datatable")

    @app.callback(
        Output("normen-tiles", "children"),
        Output("normen-month", "children"),
        Input("filter", "data"),
        Input("language", "value"),
        Input("normen-norm", "value"),
    )
    def chosen(data: dict | None, language: str, norm: str | None) -> tuple[Any, Any]:
        f = current_filter(data)
        try:
            norms = with_share(session.get(f, "norms"), session.get(f, "intervals"))
            months = session.get(f, "norms_by_month")
        except EventLogError:
            return empty(language), empty(language)
        row = norms[norms["interval"] == norm] if len(norms) else norms
        if row.empty:
            return empty(language), empty(language)
        tiles = norm_tiles(row.iloc[0], language)
        picked = months[months["interval"] == norm] if len(months) else months
        if picked.empty:
            return tiles, empty(language)
        chart = graph(
            month_figure(picked, language),
            "normen-month-graph",
            f"normen_{norm}_maand",
            language,
            room=session.workshop,
        )
        return tiles, chart

    @app.callback(
        Output("normen-segment", "children"),
        Output("normen-segment-table", "children"),
        Input("filter", "data"),
        Input("language", "value"),
        Input("normen-norm", "value"),
        Input("normen-dimension", "value"),
    )
    def segment(
        data: dict | None, language: str, norm: str | None, dimension: str | None
    ) -> tuple[Any, Any]:
        if dimension not in DIMENSIONS:
            return empty(language), empty(language)
        try:
            segments = session.get(current_filter(data), "norms_by_segment", dimension)
        except EventLogError:
            return empty(language), empty(language)
        picked = segments[segments["interval"] == norm] if len(segments) else segments
        if picked.empty or dimension not in picked.columns:
            return empty(language), empty(language)
        rows = segment_rows(picked, dimension, session, language)
        chart = graph(segment_figure(rows, language), "normen-segment-graph",
                      f"normen_{norm}_{dimension}", language, room=session.workshop)  # fmt: skip
        columns = ["segment", *[c for c in COUNTS if c in rows.columns]]
        return chart, table(rows[columns], "normen-segment-datatable", language)
