"""Vergelijken: two segments or periods side by side.

The page has two sets of its own selectors, A and B (period, municipality, COA location, track),
each combined with the global filter: a list both set keeps the values in both, a period is the
overlap of the two periods. For A and B it shows the key figures (the ``kpis`` section), the
median lead time per step (``intervals``) as grouped bars and the two side by side in a table.
Without choices A is the last whole calendar year of the log and B the year before it
(:func:`default_periods`). A period is chosen by calendar month, as in the filter bar.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html

from dashboards.components import (
    card,
    dropdown_labels,
    empty,
    fmt_date,
    fmt_int,
    fmt_share,
    graph,
    separators,
    table,
    tile,
)
from dashboards.filterbar import choices, current_filter, month_range
from dashboards.i18n import t
from toolkit.errors import EventLogError
from toolkit.filters import LogFilter
from toolkit.session import AnalysisSession

PATH = "/vergelijken"
TITLE = "page_vergelijken"
SIDES = ("a", "b")
LISTS = ("municipality", "location", "track")
FIGURES = ("persons", "median_days", "p90_days", "share_over_norm")
SIDE_COLOURS = {"a": "#1f5fa8", "b": "#e07b00"}


def default_periods(first_day: str, last_day: str) -> dict[str, tuple[str, str]]:
    """A: the last whole calendar year in the log; B: the whole year before it.

    Whole years are comparable (the same length and season) and complete: a year cut off by the
    end of the data holds mostly intervals still under way, and its medians stay empty. A log
    shorter than two whole years is split into two halves of its calendar months instead (the
    later half a month longer when their number is odd), as the month choices can show them.
    """
    first, last = date.fromisoformat(first_day), date.fromisoformat(last_day)
    year = last.year if (last.month, last.day) == (12, 31) else last.year - 1
    if date(year - 1, 1, 1) >= first:
        return {
            "a": (date(year, 1, 1).isoformat(), date(year, 12, 31).isoformat()),
            "b": (date(year - 1, 1, 1).isoformat(), date(year - 1, 12, 31).isoformat()),
        }
    months = pd.period_range(first, last, freq="M")
    middle = len(months) // 2
    halves = {"a": months[middle:], "b": months[:middle] if middle else months}
    return {side: (m[0].start_time.date().isoformat(), m[-1].end_time.date().isoformat())
            for side, m in halves.items()}  # fmt: skip


def _day(value: Any) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def combine(
    base: LogFilter,
    period_from: Any = None,
    period_to: Any = None,
    **lists: Any,
) -> LogFilter | None:
    """The global filter ``base`` and one side's choices together, or None if they exclude each
    other (no common value of a list, or periods that do not overlap)."""
    changes: dict[str, Any] = {}
    for name in LISTS:
        chosen = tuple(str(v) for v in (lists.get(name) or ()))
        current = getattr(base, name)
        if chosen and current:
            both = tuple(v for v in current if v in chosen)
            if not both:
                return None
            changes[name] = both
        elif chosen:
            changes[name] = chosen
    starts = [d for d in (base.period_from, _day(period_from)) if d is not None]
    ends = [d for d in (base.period_to, _day(period_to)) if d is not None]
    start, end = (max(starts) if starts else None), (min(ends) if ends else None)
    if start is not None and end is not None and start > end:
        return None
    return replace(base, period_from=start, period_to=end, **changes)


def _control(label_key: str, language: str, control: Any, control_id: str) -> html.Div:
    return html.Div([html.Label(t(label_key, language), htmlFor=control_id), control],
                    className="filter")  # fmt: skip


def side_controls(side: str, session: AnalysisSession, language: str) -> html.Section:
    options = session.options()
    start, end = default_periods(options.first_day, options.last_day)[side]
    period = f"vergelijken-{side}-period"
    months = month_range(period, options.first_day, options.last_day, language, (start, end))
    controls = [_control("vergelijken_period", language, months, f"{period}-from")]
    for name in LISTS:
        control_id = f"vergelijken-{side}-{name}"
        dropdown = dcc.Dropdown(
            labels=dropdown_labels(language),
            id=control_id,
            options=choices(session, options, name, language),
            multi=True,
            placeholder=t("vergelijken_all", language),
            persistence=True,
            persistence_type="session",
        )
        controls.append(_control(f"vergelijken_{name}", language, dropdown, control_id))
    return card(t(f"vergelijken_side_{side}", language), *controls,
                card_id=f"vergelijken-{side}-controls")  # fmt: skip


def layout(session: AnalysisSession, language: str) -> html.Div:
    return html.Div(
        [
            html.H2(t(TITLE, language)),
            html.P(t("vergelijken_intro", language), className="note"),
            html.Div([side_controls(side, session, language) for side in SIDES],
                     className="grid-2"),
            card(t("vergelijken_kpis_title", language),
                 html.Div(id="vergelijken-kpis", className="grid-2")),
            card(t("vergelijken_intervals_title", language), html.Div(id="vergelijken-intervals"),
                 note=t("vergelijken_intervals_note", language)),
            card(t("vergelijken_table_title", language), html.Div(id="vergelijken-table")),
        ],
        className="page",
        id="page-vergelijken",
    )  # fmt: skip


def caption(side: str, f: LogFilter | None, language: str) -> str:
    """What a side is: its letter and period."""
    letter = t(f"vergelijken_side_{side}", language)
    if f is None:
        return letter
    if f.period_from is None and f.period_to is None:
        return f"{letter}: {t('vergelijken_whole', language)}"
    start = fmt_date(f.period_from, language) if f.period_from else "…"
    end = fmt_date(f.period_to, language) if f.period_to else "…"
    return f"{letter}: {start} – {end}"


def kpi_tiles(side: str, kpis: dict[str, Any] | None, f: LogFilter | None, language: str) -> Any:
    head = html.H4(caption(side, f, language), id=f"vergelijken-{side}-caption")
    if kpis is None:
        text = t("vergelijken_no_overlap", language) if f is None else t("no_data", language)
        return html.Div([head, html.P(text, className="empty")])
    norm = kpis.get("chain_norm") or ""
    prefix = f"vergelijken-{side}-kpi"
    tiles = [
        tile(f"{prefix}-in-chain", t("kpi_in_chain", language),
             fmt_int(kpis.get("in_chain_now"), language)),
        tile(f"{prefix}-waiting-decision", t("kpi_waiting_decision", language),
             fmt_int(kpis.get("waiting_for_decision"), language)),
        tile(f"{prefix}-waiting-home", t("kpi_waiting_home", language),
             fmt_int(kpis.get("waiting_for_home"), language)),
        tile(f"{prefix}-over-norm", t("kpi_over_norm", language, norm=norm),
             fmt_share(kpis.get("share_over_norm"), language)),
    ]  # fmt: skip
    return html.Div([head, html.Div(tiles, className="tiles")])


def side_by_side(
    intervals: dict[str, pd.DataFrame], language: str, order: list[str]
) -> pd.DataFrame:
    """The intervals of A and B in one table: ``interval``, its label, then A's and B's figures."""
    label = "label_en" if language == "en" else "label_nl"
    frames = []
    for side in SIDES:
        frame = intervals.get(side)
        if frame is None or frame.empty:
            frame = pd.DataFrame(columns=["interval", label, *FIGURES])
        picked = frame[["interval", label, *[c for c in FIGURES if c in frame.columns]]]
        frames.append(picked.rename(columns={c: f"{side}_{c}" for c in FIGURES}))
    both = frames[0].merge(frames[1], on="interval", how="outer", suffixes=("", "_b"))
    both[label] = both[label].where(both[label].notna(), both.get(f"{label}_b"))
    both = both.drop(columns=[f"{label}_b"], errors="ignore")
    rank = {norm_id: i for i, norm_id in enumerate(order)}
    both = both.iloc[both["interval"].map(lambda i: rank.get(i, len(rank))).argsort(kind="stable")]
    columns = ["interval", label, *[f"{s}_{c}" for s in SIDES for c in FIGURES]]
    return both.reindex(columns=columns).reset_index(drop=True)


def intervals_figure(rows: pd.DataFrame, captions: dict[str, str], language: str) -> go.Figure:
    label = "label_en" if language == "en" else "label_nl"
    names = [f"{r['interval']} · {r[label]}" for _, r in rows.iterrows()]
    figure = go.Figure()
    for side in SIDES:
        figure.add_bar(
            y=names,
            x=pd.to_numeric(rows[f"{side}_median_days"], errors="coerce"),
            orientation="h",
            name=captions[side],
            marker_color=SIDE_COLOURS[side],
            hovertemplate="%{y}<br>%{x:,.0f} " + t("vergelijken_days", language)
            + "<extra>" + captions[side] + "</extra>",
        )  # fmt: skip
    figure.update_yaxes(categoryorder="array", categoryarray=list(reversed(names)))
    figure.update_xaxes(title=t("vergelijken_days", language), gridcolor="#e5e7eb")
    figure.update_layout(height=140 + 44 * len(rows), barmode="group",
                         separators=separators(language),
                         legend={"orientation": "h", "y": -0.1})  # fmt: skip
    return figure


def register(app: Dash, session: AnalysisSession) -> None:
    side_inputs = [
        Input(f"vergelijken-{side}-{name}", "value")
        for side in SIDES
        for name in ("period-from", "period-to", *LISTS)
    ]

    @app.callback(
        Output("vergelijken-kpis", "children"),
        Output("vergelijken-intervals", "children"),
        Output("vergelijken-table", "children"),
        Input("filter", "data"),
        Input("language", "value"),
        *side_inputs,
    )
    def compare(data: dict | None, language: str, *values: Any) -> tuple[Any, Any, Any]:
        base = current_filter(data)
        per_side = len(values) // len(SIDES)
        filters: dict[str, LogFilter | None] = {}
        kpis: dict[str, dict[str, Any] | None] = {}
        intervals: dict[str, pd.DataFrame] = {}
        for i, side in enumerate(SIDES):
            start, end, *lists = values[i * per_side : (i + 1) * per_side]
            f = combine(base, start, end, **dict(zip(LISTS, lists, strict=True)))
            filters[side] = f
            kpis[side] = None
            if f is None:
                continue
            try:
                kpis[side] = session.get(f, "kpis")
                intervals[side] = session.get(f, "intervals")
            except EventLogError:
                kpis[side] = None
        tiles = [kpi_tiles(side, kpis[side], filters[side], language) for side in SIDES]
        if not intervals:
            return tiles, empty(language), empty(language)
        order = [n.id for n in session.chain.norms]
        rows = side_by_side(intervals, language, order)
        if rows.empty:
            return tiles, empty(language), empty(language)
        captions = {side: caption(side, filters[side], language) for side in SIDES}
        chart = graph(intervals_figure(rows, captions, language), "vergelijken-intervals-graph",
                      "vergelijken", language, room=session.workshop)  # fmt: skip
        return tiles, chart, table(rows, "vergelijken-datatable", language)
