"""Vooruitblik: who will be linked to a municipality, when, and in which households.

The figures are :func:`toolkit.forecast.pipeline.forecast` of the whole log at its end of data
(the same call as ``ketenlens forecast``, so the page shows what the forecast exports): for a
chosen municipality the persons expected to be linked per month with the 80% interval, the
households by size, the wait for a home to expect and the progress on the taakstelling; for the
nation the permits, koppelingen, move-outs and persons still waiting per month. The global
filter does not apply: the forecast runs the whole chain. In workshop mode every figure about
fewer than k persons is emptied (:meth:`Forecast.suppressed`) and shows as a dash.

The forecast is computed once per session (the simulation is the slow part), not per callback.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html

from dashboards.components import (
    PHASE_COLOURS,
    card,
    dropdown_labels,
    fmt_number,
    graph,
    separators,
    table,
    theme,
    tile,
)
from dashboards.i18n import language_of, t
from toolkit.eventlog import TIMESTAMP
from toolkit.filters import LOCAL_TZ
from toolkit.forecast import figures
from toolkit.forecast.labels import (
    LOCAL_METRICS,
    NATIONAL_METRICS,
    half_year_text,
    metric_label,
    taakstelling_word,
)
from toolkit.forecast.pipeline import Forecast, forecast
from toolkit.forecast.simulation import SIZES
from toolkit.session import AnalysisSession
from toolkit.suppression import disclosure_key

PATH = "/vooruitblik"
TITLE = "page_vooruitblik"
_FORECASTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def session_forecast(session: AnalysisSession) -> Forecast:
    """The forecast of the session's log (suppressed in workshop mode), computed once."""
    with _LOCK:
        if session not in _FORECASTS:
            made = forecast(session.log, as_of=session.as_of, chain=session.chain)
            if session.workshop:  # counts perturbed as on every page (cell key method)
                with disclosure_key(session.log):
                    made = made.suppressed(session.k)
            _FORECASTS[session] = made
        return _FORECASTS[session]


def municipality_name(session: AnalysisSession, code: str) -> str:
    try:
        return session.chain.municipality(code).name
    except KeyError:
        return code


def forecast_municipalities(session: AnalysisSession) -> list[str]:
    """The municipalities that exist at the end of the data (those the forecast links to), by
    name."""
    end = pd.Timestamp(session.as_of) if session.as_of else session.log[TIMESTAMP].max()
    day = (end.tz_localize("UTC") if end.tzinfo is None else end).tz_convert(LOCAL_TZ).date()
    codes = [m.code for m in session.chain.register.on(day)]
    return sorted(codes, key=lambda c: municipality_name(session, c))


def layout(session: AnalysisSession, language: str) -> html.Div:
    codes = forecast_municipalities(session)
    options = [{"label": municipality_name(session, c), "value": c} for c in codes]
    return html.Div(
        [
            html.H2(t(TITLE, language)),
            html.P(t("vooruitblik_intro", language), className="note"),
            dcc.Dropdown(
                id="vooruitblik-municipality",
                options=options,
                value=codes[0],
                clearable=False,
                labels=dropdown_labels(language),
            ),
            html.Div(id="vooruitblik-tiles", className="tiles"),
            card(
                t("vooruitblik_linked_title", language),
                html.Div(id="vooruitblik-linked"),
                note=t("vooruitblik_linked_note", language),
            ),
            card(
                t("vooruitblik_households_title", language),
                html.Div(id="vooruitblik-households"),
                note=t("vooruitblik_households_note", language),
            ),
            card(
                t("vooruitblik_taakstelling_title", language),
                html.Div(id="vooruitblik-taakstelling"),
                note=t("vooruitblik_taakstelling_note", language),
            ),
            card(
                t("vooruitblik_national_title", language),
                html.Div(id="vooruitblik-national"),
                note=t("vooruitblik_national_note", language),
            ),
        ],
        className="page",
        id="page-vooruitblik",
    )


def interval_figure(rows: pd.DataFrame, language: str, name: str) -> go.Figure:
    """Expected per month with its 80% interval as a band."""
    return figures.interval_figure(
        rows,
        name,
        interval=t("vooruitblik_interval", language),
        colour=theme()["organisation"]["GEMEENTE"],
        separators=separators(language),
        language=language_of(language),
    )


def month_table(rows: pd.DataFrame, metrics: tuple[str, ...], session, language, table_id: str):
    """One row per month; per metric the expected value and its interval, in the language's
    notation (a dash where workshop mode hides a figure). The interval's ends are whole counts
    (toolkit.forecast.interval), so they are written without decimals."""
    out = []
    for month, group in rows.groupby("month", sort=True):
        # the month as 2025-07: the grid sorts on it and shows it by name (juli 2025)
        record: dict[str, Any] = {t("vooruitblik_month", language): month}
        by_metric = {r["metric"]: r for r in group.to_dict("records")}
        for metric in metrics:
            r = by_metric.get(metric)
            name = metric_label(metric, language, session.chain)
            record[name] = fmt_number(None if r is None else r["expected"], language, 1)
            record[f"{name} (80%)"] = (
                "–"
                if r is None or r["low"] is None
                else f"{fmt_number(r['low'], language)} – {fmt_number(r['high'], language)}"
            )
        out.append(record)
    return table(pd.DataFrame(out), table_id, language, page_size=24)


def households_figure(rows: pd.DataFrame, language: str) -> go.Figure:
    names = [
        t("vooruitblik_size", language, size=f"{size}+" if size == SIZES[-1] else size)
        for size in SIZES
    ]
    return figures.households_figure(
        rows,
        names,
        PHASE_COLOURS,
        separators(language),
        language_of(language),
        axis=t("vooruitblik_households_axis", language),
    )


def _wait_note(waits: pd.DataFrame, code: str, language: str) -> str | None:
    """What the wait tile's figure is when it is not the municipality's own curve: the
    national one times the municipality's ratio to it, or the national one as it is."""
    home = waits[waits["wait"] == "koppeling_to_move_out"]
    wait = home[home["municipality"] == code]
    if not len(wait):
        return None
    row = wait.iloc[0]
    if row["basis"] == "stretched" and pd.notna(row["time_ratio"]):
        national = home.loc[home["municipality"] == "", "median_days"]
        return t("vooruitblik_tile_wait_stretched", language,
                 ratio=fmt_number(row["time_ratio"], language, 1),
                 national=fmt_number(national.iloc[0] if len(national) else None, language))  # fmt: skip
    if row["basis"] == "national":
        return t("vooruitblik_tile_wait_national", language)
    return None


def register(app: Dash, session: AnalysisSession) -> None:
    @app.callback(
        Output("vooruitblik-tiles", "children"),
        Output("vooruitblik-linked", "children"),
        Output("vooruitblik-households", "children"),
        Output("vooruitblik-taakstelling", "children"),
        Output("vooruitblik-national", "children"),
        Input("vooruitblik-municipality", "value"),
        Input("language", "value"),
    )
    def fill(code: str | None, language: str) -> tuple[Any, ...]:
        fc = session_forecast(session)
        code = code or forecast_municipalities(session)[0]
        name = municipality_name(session, code)
        rows = fc.rows[fc.rows["municipality"] == code]
        linked = rows[rows["metric"] == "linked_persons"]
        wait = fc.waits[
            (fc.waits["municipality"] == code) & (fc.waits["wait"] == "koppeling_to_move_out")
        ]
        taak = fc.taakstelling[fc.taakstelling["municipality"] == code]
        total = pd.to_numeric(linked["expected"], errors="coerce")
        tiles = [
            tile(
                "vooruitblik-tile-linked",
                t("vooruitblik_tile_linked", language, name=name),
                fmt_number(total.sum() if total.notna().all() else None, language),
            ),
            tile(
                "vooruitblik-tile-wait",
                t("vooruitblik_tile_wait", language),
                fmt_number(wait["median_days"].iloc[0] if len(wait) else None, language),
                _wait_note(fc.waits, code, language),
            ),
            tile(
                "vooruitblik-tile-taakstelling",
                t(
                    "vooruitblik_tile_taakstelling",
                    language,
                    kind=taakstelling_word(fc.summary, language_of(language)),
                    period=half_year_text(taak["period"].iloc[0], language_of(language)),
                ),
                f"{fmt_number(taak['expected'].iloc[0], language)} / "
                f"{fmt_number(taak['taakstelling'].iloc[0], language)}",
            ),
        ]
        linked_part = html.Div(
            [
                graph(
                    interval_figure(linked, language, name),
                    "vooruitblik-linked-graph",
                    "vooruitblik",
                    language,
                    room=session.workshop,
                ),
                month_table(rows, LOCAL_METRICS, session, language, "vooruitblik-table"),
            ]
        )
        households = graph(
            households_figure(rows, language),
            "vooruitblik-households-graph",
            "vooruitblik_huishoudens",
            language,
            room=session.workshop,
        )
        periods = [half_year_text(p, language_of(language)) for p in taak["period"]]
        shown = taak.assign(municipality=name, period=periods)[
            ["period", "municipality", "taakstelling", "linked_before", "expected", "low", "high"]
        ]
        kind = taakstelling_word(fc.summary, language_of(language))
        taak_part = table(
            shown.rename(columns=lambda c: t(f"vooruitblik_col_{c}", language)).rename(
                columns={t("vooruitblik_col_taakstelling", language): kind.capitalize()}
            ),
            "vooruitblik-taakstelling-table",
            language,
        )
        national = fc.rows[fc.rows["municipality"] == ""]
        waiting = tuple(m for m in dict.fromkeys(national["metric"]) if m.startswith("waiting_"))
        national_part = html.Div(
            [
                graph(
                    interval_figure(
                        national[national["metric"] == "linked_persons"],
                        language,
                        t("vooruitblik_nation", language),
                    ),
                    "vooruitblik-national-graph",
                    "vooruitblik_nederland",
                    language,
                    room=session.workshop,
                ),
                month_table(
                    national,
                    NATIONAL_METRICS + waiting,
                    session,
                    language,
                    "vooruitblik-national-table",
                ),
            ]
        )
        return tiles, linked_part, households, taak_part, national_part
