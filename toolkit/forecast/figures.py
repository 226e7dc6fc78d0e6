"""The forecast's charts, drawn once for the dashboard's Vooruitblik page and the html report.

Each front end passes its own words, colours, language and number notation (plotly's
``separators``, such as ``",."`` for Dutch); the traces, the height and the layout are the same.
The months are named in the language (juli 2025), as categories: plotly would read ``2025-07``
as a date and name it in English. Example::

    >>> interval_figure(rows, "Amsterdam", interval="80%-interval", colour="#2e8b57",
    ...                 separators=",.", language="nl")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from toolkit.forecast.labels import SIZE_PREFIX
from toolkit.forecast.simulation import SIZES
from toolkit.numbers import month_text

HEIGHT = 360
BAND = "rgba(46,139,87,0.2)"


def interval_figure(
    rows: pd.DataFrame,
    name: str,
    *,
    interval: str,
    colour: str,
    separators: str,
    language: str,
    axis: str | None = None,
) -> go.Figure:
    """Expected per month (``rows``: one metric's ``month``, ``expected``, ``low``, ``high``)
    with its 80% interval as a band; ``interval`` names the band, ``axis`` the vertical axis."""
    figure = go.Figure()
    months = _months(rows, language)
    # the band: an invisible line at the high end, filled down to the low end
    edges = (("high", {"showlegend": False}), ("low", {"fill": "tonexty", "fillcolor": BAND,
                                                       "name": interval}))  # fmt: skip
    for column, style in edges:
        figure.add_scatter(x=months, y=rows[column], mode="lines", line={"width": 0},
                           hoverinfo="skip", **style)  # fmt: skip
    figure.add_scatter(
        x=months,
        y=rows["expected"],
        mode="lines+markers",
        name=name,
        line={"color": colour},
        hovertemplate="%{y:,.1f}<extra></extra>",
    )
    figure.update_layout(
        height=HEIGHT,
        separators=separators,
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.2},
    )
    figure.update_yaxes(rangemode="tozero", gridcolor="#e5e7eb", title=axis)
    figure.update_xaxes(type="category")
    return figure


def households_figure(
    rows: pd.DataFrame,
    names: Sequence[str],
    colours: Sequence[str],
    separators: str,
    language: str,
    axis: str | None = None,
) -> go.Figure:
    """Expected linked households per month, stacked by size (``names``: one per size of
    :data:`~toolkit.forecast.simulation.SIZES`); ``axis`` names the vertical axis."""
    figure = go.Figure()
    for i, (size, name) in enumerate(zip(SIZES, names, strict=True)):
        part = rows[rows["metric"] == f"{SIZE_PREFIX}{size}"]
        figure.add_bar(
            x=_months(part, language),
            y=part["expected"],
            name=name,
            marker_color=colours[i % len(colours)],
        )
    figure.update_layout(
        height=HEIGHT,
        barmode="stack",
        separators=separators,
        legend={"orientation": "h", "y": -0.2},
    )
    figure.update_yaxes(title=axis)
    figure.update_xaxes(type="category")
    return figure


def _months(rows: pd.DataFrame, language: str) -> list[str]:
    return [month_text(month, language) for month in rows["month"]]
