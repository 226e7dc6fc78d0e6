"""Shared building blocks of the pages: charts, tables with CSV export, tiles, number formats.

Every chart is a plotly figure in a ``dcc.Graph`` whose mode bar downloads it as PNG (plotly's
own button, drawn in the browser, so it works offline); every table is a ``DataTable`` with its
own CSV export button. Pages build their content from these so that the look, the number
formats and the exports are the same everywhere.
"""

from __future__ import annotations

import math
import re
import tomllib
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import dash_ag_grid as dag
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from babel import Locale
from babel.numbers import format_percent
from dash import MATCH, Dash, Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from dashboards.i18n import column, language_of, t
from toolkit.findings import Finding
from toolkit.numbers import LOCALES, day_text, month_text, number, q_text
from toolkit.session import AnalysisSession

THEME = Path(__file__).with_name("theme.toml")
PLOTLY_LOCALE = Path(__file__).with_name("plotly_locale.toml")
# The system's own sans-serif: no web font to fetch, the same look in charts and tables.
# Days and months on a time axis as numbers, the same in both languages.
DAY_FORMAT, MONTH_FORMAT = "%d-%m-%Y", "%m-%Y"
ISO_DAY, ISO_MONTH = re.compile(r"\d{4}-\d{2}-\d{2}.*"), re.compile(r"\d{4}-\d{2}")
# A text cell that is a calendar month (2025-07), shown by name; "2022-23" is no month.
CALENDAR_MONTH = re.compile(r"(19|20)\d{2}-(0[1-9]|1[0-2])")
ROW_PX = 34  # the height of a grid row, for a table that scrolls
# One colour per phase, in chain order (colour-blind safe: Okabe-Ito, then greys).
PHASE_COLOURS = ("#0072B2", "#56B4E9", "#CC79A7", "#E69F00", "#D55E00", "#009E73", "#F0E442",
                 "#999999", "#666666")  # fmt: skip
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


def locale_of(language: str | None) -> str:
    """The Babel locale of a UI language: Dutch as written in the Netherlands, British English."""
    return LOCALES[language_of(language)]


def fmt_number(value: Any, language: str, decimals: int = 0) -> str:
    """A number in the language's notation by Babel (Dutch: 1.234,5; English: 1,234.5); an
    empty (suppressed) value shows as a dash."""
    if is_missing(value):
        return "–"
    return number(value, language_of(language), decimals)


def fmt_int(value: Any, language: str) -> str:
    """A count with the language's thousands separator."""
    return fmt_number(value, language)


def fmt_days(value: Any, language: str) -> str:
    return fmt_number(value, language)


def finding_cost(finding: Finding, language: str) -> tuple[str, str]:
    """What a finding costs, named and in the language's notation, in its family's own measure
    (the one it is ranked by): excess person-days for a wait; for rework, which costs events and
    not days, the relocations or repetitions beyond what is usual (one text per rework kind)."""
    if finding.excess_events is None:
        return t("excess_person_days", language), fmt_days(finding.excess_person_days, language)
    return t(f"excess_events_{finding.kind}", language), fmt_number(finding.excess_events, language)


def fmt_share(value: Any, language: str, decimals: int = 1) -> str:
    """A share (0.654) as a percentage in the language's notation: 65,4%."""
    if is_missing(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
    return format_percent(float(value), format=pattern, locale=locale_of(language))


def fmt_date(value: Any, language: str) -> str:
    """A calendar day the way the language writes it: 6 dec. 2026 / 6 Dec 2026."""
    if is_missing(value) or value == "":
        return "–"
    day = pd.Timestamp(value)
    if day is pd.NaT:
        return "–"
    return day_text(day, language_of(language), "medium")


def fmt_month(value: Any, language: str) -> str:
    """A calendar month the way the language names it, by Babel: maart 2024 / March 2024."""
    return month_text(value, language_of(language))


def fmt_q(q: float, language: str) -> str:
    """A q-value: ``q = 0,012`` (two significant digits), ``q < 1e-16`` where double precision
    cannot tell it from zero (:func:`toolkit.numbers.q_text`)."""
    return q_text(q, language_of(language))


@cache
def plotly_locales() -> dict[str, Any]:
    """plotly.js's locale for Dutch (config ``locales``): its own texts, the mode bar's tooltips
    and notices, from ``plotly_locale.toml``; its calendar and number signs from Babel. Without
    it a Dutch page's charts speak English on hover ("Download plot as a PNG")."""
    with PLOTLY_LOCALE.open("rb") as handle:
        dictionary = tomllib.load(handle)["nl"]
    babel = Locale.parse(locale_of("nl"))
    symbols = babel.number_symbols["latn"]
    sunday_first = (6, 0, 1, 2, 3, 4, 5)  # Babel counts from Monday, plotly from Sunday
    calendar = {
        "days": [babel.days["format"]["wide"][d] for d in sunday_first],
        "shortDays": [babel.days["format"]["abbreviated"][d] for d in sunday_first],
        "months": [babel.months["format"]["wide"][m] for m in range(1, 13)],
        "shortMonths": [babel.months["format"]["abbreviated"][m] for m in range(1, 13)],
        "date": DAY_FORMAT,
        "decimal": symbols["decimal"],
        "thousands": symbols["group"],
    }
    return {"nl": {"dictionary": dictionary, "format": calendar}}


def separators(language: str) -> str:
    """Plotly's decimal and thousands separators for the language (layout ``separators``)."""
    symbols = Locale.parse(locale_of(language)).number_symbols["latn"]
    return symbols["decimal"] + symbols["group"]


# Workshop mode: type readable from the back of a room on a projector, and taller charts.
ROOM_FONT = 18
ROOM_MIN_HEIGHT = 480


def graph(
    figure: go.Figure, graph_id: str, filename: str, language: str, *, room: bool = False
) -> dcc.Graph:
    """A chart with plotly's PNG download in its mode bar and no link to plotly's site, its
    numbers (ticks, hovers) in the language's notation and its days written as numbers (plotly's
    own month names are English); ``room`` (workshop mode) sets every text of it to at least
    :data:`ROOM_FONT` px."""
    figure.update_layout(
        margin={"l": 40, "r": 20, "t": 40, "b": 40},
        font={"family": FONT},
        paper_bgcolor="white",
        plot_bgcolor="white",
        separators=separators(language),
    )
    if room:
        figure.update_layout(font={"size": ROOM_FONT}, hoverlabel={"font": {"size": ROOM_FONT}},
                             margin={"l": 60, "r": 30, "t": 50, "b": 60},
                             height=max(figure.layout.height or 0, ROOM_MIN_HEIGHT))  # fmt: skip
        figure.update_xaxes(tickfont={"size": ROOM_FONT}, title_font={"size": ROOM_FONT})
        figure.update_yaxes(tickfont={"size": ROOM_FONT}, title_font={"size": ROOM_FONT})
        figure.for_each_annotation(lambda a: a.update(font={"size": ROOM_FONT}))
    dates = _date_axis(figure)
    if dates:
        figure.update_xaxes(tickformat=dates, hoverformat=dates)
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
            **(
                {"locale": "nl", "locales": plotly_locales()}
                if language_of(language) == "nl"
                else {}
            ),
        },
    )


def _date_axis(figure: go.Figure) -> str | None:
    """The number format for the x axis when it holds days or months (else None)."""
    for trace in figure.data:
        x = getattr(trace, "x", None)
        if x is None or not len(x):
            continue
        first = x[0]
        if isinstance(first, date | datetime | pd.Timestamp | np.datetime64):
            return DAY_FORMAT
        if isinstance(first, str) and ISO_MONTH.fullmatch(first):
            return MONTH_FORMAT
        if isinstance(first, str) and ISO_DAY.fullmatch(first):
            return DAY_FORMAT
    return None


def _cell(value: Any) -> Any:
    """A value the grid can sort on: numbers stay numbers, moments become ISO days."""
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list | tuple | dict):
        return str(value)
    return value if isinstance(value, int | float | str | bool) else str(value)


def _text(value: Any, language: str) -> str:
    """What a cell shows: numbers in the language's notation (days and person-days to a tenth,
    counts whole), days and months (``2025-07``) as the language writes them, a dash where a
    value is hidden."""
    if is_missing(value) or value is None:
        return "–"
    if isinstance(value, bool):
        return t("yes" if value else "no", language)
    if isinstance(value, int | np.integer):
        return fmt_int(value, language)
    if isinstance(value, float | np.floating):
        if float(value).is_integer():
            return fmt_int(value, language)
        return fmt_number(value, language, 1 if abs(value) >= 10 else 2)
    if isinstance(value, pd.Timestamp | date):
        return fmt_date(value, language)
    if isinstance(value, str) and CALENDAR_MONTH.fullmatch(value):
        return fmt_month(value, language)  # sorted as 2025-07, read as juli 2025
    return str(value)


def _shares(frame: pd.DataFrame) -> set[str]:
    return {c for c in frame.columns if "share" in str(c)}


def table(
    frame: pd.DataFrame, table_id: str, language: str, *, page_size: int = 15, filename: str = ""
) -> Any:
    """A sortable AG Grid with a CSV download button; headers translated, numbers in the
    language's notation (the grid sorts on the numbers, shows and exports the text; the CSV is
    separated by semicolons in Dutch, where the comma is the decimal sign)."""
    if frame is None or frame.empty:
        return html.P(t("no_data", language), className="empty")
    fields = {c: f"c{i}" for i, c in enumerate(frame.columns)}
    shares = _shares(frame)
    rows = []
    for record in frame.to_dict("records"):
        row: dict[str, Any] = {}
        for name, value in record.items():
            key = fields[name]
            row[key] = _cell(value)
            shown = (fmt_share(value, language) if name in shares and not isinstance(value, str)
                     else _text(value, language))  # fmt: skip
            row[f"{key}_text"] = shown
        rows.append(row)
    columns = [
        {
            "headerName": column(str(name), language),
            "field": key,
            "colId": str(name),
            "valueFormatter": {"function": f"params.data['{key}_text']"},
            "type": "rightAligned" if pd.api.types.is_numeric_dtype(frame[name]) else None,
            # text (titles, names) takes the room, figures what they need
            "flex": 1 if pd.api.types.is_numeric_dtype(frame[name]) else 3,
            "minWidth": 90 if pd.api.types.is_numeric_dtype(frame[name]) else 140,
        }
        for name, key in fields.items()
    ]
    columns = [{k: v for k, v in c.items() if v is not None} for c in columns]
    tall = len(rows) > page_size
    grid = dag.AgGrid(
        id={"kind": "grid", "table": table_id},
        columnDefs=columns,
        rowData=rows,
        defaultColDef={"sortable": True, "resizable": True, "wrapText": True, "autoHeight": True,
                       "wrapHeaderText": True, "autoHeaderHeight": True,
                       "cellStyle": {"lineHeight": "1.35", "paddingTop": "6px",
                                     "paddingBottom": "6px", "wordBreak": "normal"}},
        dashGridOptions={"domLayout": "normal" if tall else "autoHeight",
                         "suppressColumnVirtualisation": True,
                         "localeText": {"noRowsToShow": t("no_data", language)}},
        csvExportParams={"fileName": f"{filename or csv_name(table_id)}.csv",
                         "columnSeparator": ";" if language_of(language) == "nl" else ","},
        style={"height": f"{ROW_PX * page_size + 60}px"} if tall else {"width": "100%"},
        className="ag-theme-quartz grid",
    )  # fmt: skip
    button = html.Button(t("download_csv", language), id={"kind": "csv", "table": table_id},
                         className="button csv-button")  # fmt: skip
    return html.Div([grid, button], className="table", id=table_id)


def csv_name(table_id: str) -> str:
    """A CSV's file name from its table: ``normen-segment-datatable`` -> ``normen_segment``."""
    parts = [p for p in table_id.split("-") if p not in ("table", "datatable")]
    return "_".join(parts or ["tabel"])


def export_csv(clicks: int | None) -> bool:
    """Whether a click on a CSV button asks its grid for the file (not the button appearing)."""
    if not clicks:
        raise PreventUpdate
    return True


def register_tables(app: Dash) -> None:
    """One callback for every table's CSV button: the grid exports what it shows."""
    app.callback(
        Output({"kind": "grid", "table": MATCH}, "exportDataAsCsv"),
        Input({"kind": "csv", "table": MATCH}, "n_clicks"),
        prevent_initial_call=True,
    )(export_csv)


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
                     annotation_text=t(f"norm_line_{direction}", language, days=fmt_number(days, language, 0)),
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


# Facts of a finding or an activity as a two-column list.
DL = {"display": "grid", "gridTemplateColumns": "max-content 1fr", "gap": "2px 16px",
      "fontSize": "0.9rem"}  # fmt: skip
DD = {"margin": 0}


def municipality_name(session: AnalysisSession, code: Any) -> str:
    """A municipality by its name in the register (``Zaanstad``); the code for one the register
    does not list."""
    try:
        return session.chain.municipality(str(code)).name
    except KeyError:
        return str(code)


def code_name(kind: str, code: Any, language: str) -> str:
    """The readable name of a code of the log (a track, an organisation): its text under
    ``<kind>_<code>`` in the translations, else the code itself."""
    text = t(f"{kind}_{code}", language)
    return str(code) if text == f"{kind}_{code}" else text


def activity_label(session: AnalysisSession, activity: str, language: str) -> str:
    try:
        return session.chain.activity(activity).label(language)
    except KeyError:
        return activity


def segment_name(session: AnalysisSession, dimension: str | None, value: str, language: str) -> str:
    """A curve's name in the legend: 'all', a municipality's name, or the value itself."""
    if value == "all":
        return t("doorlooptijden_all", language)
    if dimension == "municipality":
        return municipality_name(session, value)
    return code_name(dimension, value, language)


def curves_figure(
    session: AnalysisSession,
    curves: pd.DataFrame,
    norm_id: str,
    language: str,
    *,
    dimension: str | None = None,
    highlight: str | None = None,
) -> go.Figure:
    """Step lines of the share still waiting per segment, with the norm as a vertical line.

    ``highlight`` draws that segment thick and the others (the whole, ``all``) thin and grey.
    """
    figure = go.Figure()
    for segment, rows in curves.groupby("segment", sort=False):
        segment = str(segment)
        persons = rows["persons"].iloc[0]
        name = f"{segment_name(session, dimension, segment, language)} (n={persons})"
        line: dict[str, Any] = {"shape": "hv"}
        if highlight is not None:
            mine = segment == highlight
            line.update(width=3 if mine else 2, color=theme()["accent"]["norm"] if mine
                        else theme()["accent"]["neutral"], dash=None if mine else "dot")  # fmt: skip
        elif segment == "all":
            line.update(color=theme()["accent"]["neutral"])
        figure.add_scatter(
            x=rows["days"],
            y=rows["survival"],
            mode="lines",
            line=line,
            name=name,
            hovertemplate=name + "<br>%{x:.0f} " + t("days", language) + ": %{y:.0%} "
            + t("doorlooptijden_still_waiting", language) + "<extra></extra>",
        )  # fmt: skip
    norm = session.chain.norm(norm_id)
    norm_line(figure, norm.days, norm.direction, language)
    figure.update_xaxes(title=t("doorlooptijden_days_axis", language), gridcolor="#e5e7eb",
                        rangemode="tozero")  # fmt: skip
    figure.update_yaxes(title=t("doorlooptijden_survival_axis", language), tickformat=".0%",
                        range=[0, 1.02], gridcolor="#e5e7eb")  # fmt: skip
    figure.update_layout(height=440, legend={"orientation": "v"}, hovermode="closest")
    return figure


def wait_figure(histogram: pd.DataFrame, language: str) -> go.Figure:
    """Bars of persons per bin of waiting days between two activities."""
    return histogram_figure(
        histogram,
        language,
        colour=organisation_colour("other"),
        axis_title=t("procesmodel_wait_days", language),
        height=320,
    )
