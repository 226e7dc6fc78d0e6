"""Wat als: base and scenario side by side, from the chain simulation calibrated on the log.

The levers (inflow factor, IND interview capacity, homes per week in chosen municipalities) go
to :class:`toolkit.scenario.run.ScenarioModel`, the computation behind ``ketenlens scenario``.
The model (calibration, the state at the end of the data, the base run) is prepared once per
log version and kept beside the log (:class:`toolkit.scenario.store.KeptModel`): the dashboard
starts preparing it in the background when it starts, or reads it back, so the first visit shows
the base at once; a scenario then costs one run. On a large log the model simulates a sample of
about ``SAMPLE_PERSONS`` persons' households (:func:`toolkit.scenario.run.sample_share`; counts
scaled back, the page says so and how far that lies from the whole log's run). A run computes
in a thread of its own: the app's loading overlay hides a page while one of its callbacks
computes, so the page's callbacks only start a run and, polled every second, fetch its figures
when it is done; meanwhile they show its step, its seconds and the share of the months
simulated, or what the model's preparation is doing. The figures are the rows of the scenario table (``month``, ``run``, ``metric``,
``value``); in workshop mode they pass :func:`toolkit.scenario.report.suppress_table` first, so
hidden values are gaps.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboards.components import (
    PHASE_COLOURS,
    card,
    fmt_date,
    fmt_int,
    fmt_month,
    fmt_share,
    graph,
    separators,
    table,
)
from dashboards.i18n import label, t
from toolkit.bottlenecks.wip import wip_phases
from toolkit.errors import EventLogError
from toolkit.scenario.labels import levers_text, metric_label
from toolkit.scenario.report import (
    MEDIAN_PREFIX,
    ended_waits,
    milestone_norms,
    suppress_table,
)
from toolkit.scenario.run import SAMPLE_PERSONS, Levers, ScenarioModel, sample_share
from toolkit.scenario.store import KeptModel, Progress
from toolkit.session import AnalysisSession

PATH = "/wat-als"
TITLE = "page_scenario"
MONTHS = 24
POLL_MS = 1_000
KEEP_RUNS = 32  # runs kept for their page to fetch; one never fetched goes after this many
LEVERS_STYLE = {"display": "grid", "gridTemplateColumns": "repeat(5, minmax(9rem, 1fr))",
                "gap": "0.75rem", "alignItems": "end"}  # fmt: skip
RUN_STYLE = {"base": "dot", "scenario": "solid"}


def layout(session: AnalysisSession, language: str) -> html.Div:
    municipalities = sorted(
        (m.name, m.code) for m in (_municipality(session, c) for c in _codes(session)) if m
    )

    def field(text_key: str, control: Any) -> html.Label:
        return html.Label([html.Span(t(text_key, language)), control], className="field")

    levers = html.Div(
        [
            field("scenario_inflow", dcc.Input(id="scenario-inflow", type="number", value=1,
                                               min=0, step=0.5, debounce=True)),
            field("scenario_ind", dcc.Input(id="scenario-ind", type="number", value=0,
                                            min=-100, step=10, debounce=True)),
            field("scenario_homes", dcc.Input(id="scenario-homes", type="number", value=0,
                                              min=-100, step=10, debounce=True)),
            field("scenario_homes_where", dcc.Dropdown(
                id="scenario-homes-where", multi=True, value=[],
                options=[{"label": name, "value": code} for name, code in municipalities])),
            html.Button(t("scenario_run", language), id="scenario-run", n_clicks=0,
                        className="button primary"),
        ],
        className="levers",
        style=LEVERS_STYLE,
    )  # fmt: skip
    return html.Div(
        [
            html.H2(t(TITLE, language)),
            html.P(t("scenario_intro", language), className="note"),
            card(t("scenario_levers_title", language), levers),
            html.P(id="scenario-status", className="note", role="status"),
            dcc.Store(id="scenario-job"),  # the run this page waits for
            dcc.Interval(id="scenario-poll", interval=POLL_MS),
            html.Div(id="scenario-results"),
        ],
        className="page",
        id="page-scenario",
    )


def _codes(session: AnalysisSession) -> list[str]:
    values = session.log["municipality"].dropna().astype(str).unique()
    return sorted(values)


def _municipality(session: AnalysisSession, code: str):
    try:
        return session.chain.municipality(code)
    except KeyError:
        return None


def levers_of(inflow: Any, ind: Any, homes: Any, where: list[str] | None) -> Levers | None:
    """The levers the inputs describe, or None when one is not a usable number."""
    try:
        inflow, ind, homes = float(inflow), float(ind), float(homes)
    except (TypeError, ValueError):
        return None
    if inflow < 0 or ind < -100 or homes < -100:
        return None
    change = 1 + homes / 100
    chosen = {code: change for code in (where or ["*"])} if homes else {}
    return Levers(inflow=inflow, ind_capacity=1 + ind / 100, homes=chosen)


def _series(frame: pd.DataFrame, metric: str, run: str) -> pd.Series:
    rows = frame[(frame["metric"] == metric) & (frame["run"] == run)]
    return pd.to_numeric(rows.set_index("month")["value"], errors="coerce")


def lines(frame: pd.DataFrame, metrics: list[tuple[str, str]], language: str, axis: str,
          share: bool = False) -> go.Figure:  # fmt: skip
    """One colour per metric, base dotted and scenario solid. A month's median wait says in
    its hover how many ended waits it is the median of (a median of a few says little)."""
    figure = go.Figure()
    for i, (metric, name) in enumerate(metrics):
        colour = PHASE_COLOURS[i % len(PHASE_COLOURS)]
        for run, dash in RUN_STYLE.items():
            values = _series(frame, metric, run)
            hover, counts = ("%{y:.0%}" if share else "%{y:,.0f}"), None
            if metric.startswith(MEDIAN_PREFIX):
                ended = _series(frame, ended_waits(metric), run).reindex(values.index)
                counts = [fmt_int(n, language) for n in ended]
                hover += " (%{customdata} " + t("scenario_ended", language) + ")"
            figure.add_scatter(
                x=[fmt_month(month, language) for month in values.index],
                y=[None if pd.isna(v) else float(v) for v in values],
                mode="lines",
                name=f"{name} ({t(f'scenario_{run}', language)})",
                line={"color": colour, "dash": dash, "width": 2 if run == "scenario" else 1.5},
                legendgroup=metric, connectgaps=False, customdata=counts, hovertemplate=hover,
            )  # fmt: skip
    figure.update_layout(height=420, hovermode="x unified", separators=separators(language),
                         legend={"orientation": "h", "y": -0.2})  # fmt: skip
    # months named as everywhere on the dashboard (juli 2025), in order
    figure.update_xaxes(type="category")
    figure.update_yaxes(title=axis, gridcolor="#e5e7eb", rangemode="tozero",
                        tickformat=".0%" if share else None)  # fmt: skip
    return figure


def arrivals_table(frame: pd.DataFrame, session: AnalysisSession, language: str) -> pd.DataFrame:
    rows = frame[frame["metric"].str.startswith("arrivals:")]
    wide = rows.pivot_table(index=["metric", "month"], columns="run", values="value",
                            aggfunc="first", sort=True, dropna=False).reset_index()  # fmt: skip
    codes = wide["metric"].str.removeprefix("arrivals:")
    names = [getattr(_municipality(session, c), "name", c) for c in codes]
    return pd.DataFrame(
        {
            "scenario_municipality": names,
            "scenario_month": wide["month"],  # sorted as 2025-07, shown as juli 2025
            "scenario_base_value": [fmt_int(v, language) for v in wide.get("base", pd.Series())],
            "scenario_scenario_value": [
                fmt_int(v, language) for v in wide.get("scenario", pd.Series())
            ],
        }
    )


def results(model: ScenarioModel, levers: Levers, session: AnalysisSession, language: str,
            progress=None) -> list:  # fmt: skip
    result = model.result(levers, progress)
    frame = suppress_table(result.table, session.k) if session.workshop else result.table
    chain = session.chain
    persons = fmt_int(
        result.state_persons if not session.workshop or result.state_persons >= session.k else None,
        language,
    )
    phases = [(f"wip:{p}", label(chain.phase(p), language)) for p in wip_phases(chain)]
    legs = [(n.id, label(n, language)) for n in milestone_norms(chain)]
    summary = t("scenario_summary", language, start=fmt_date(result.start.tz_convert('Europe/Amsterdam').date(), language),
                months=result.months, persons=persons,
                levers=levers_text(levers, language, chain,
                                   None if session.workshop else result.calibration.capacities))  # fmt: skip
    parts: list[Any] = [html.P(summary, className="note", id="scenario-summary")]
    if result.sample < 1:
        parts.append(html.P(t("scenario_sample", language, share=fmt_share(result.sample, language),
                              fraction=f"{result.sample:.4g}"), className="note",
                            id="scenario-sample"))  # fmt: skip
    if session.workshop:
        parts.append(html.P(t("scenario_hidden", language, k=session.k), className="note"))
    persons_axis = t("scenario_persons", language)
    parts += [
        card(t("scenario_occupancy_title", language), graph(lines(frame, [
            ("coa_occupancy", metric_label("coa_occupancy", language, chain)),
            ("inflow", metric_label("inflow", language, chain))], language, persons_axis),
            "scenario-occupancy-graph", "wat_als_bezetting", language, room=session.workshop)),
        card(t("scenario_wip_title", language), graph(
            lines(frame, phases, language, persons_axis), "scenario-wip-graph", "wat_als_fasen", language, room=session.workshop)),
        card(t("scenario_waits_title", language), graph(lines(
            frame, [(f"wait_median_days:{i}", name) for i, name in legs], language,
            t("scenario_days", language)), "scenario-waits-graph", "wat_als_wachttijden", language, room=session.workshop)),
        card(t("scenario_norms_title", language), graph(lines(
            frame, [(f"share_over_norm:{i}", name) for i, name in legs], language,
            t("scenario_share", language), share=True), "scenario-norms-graph", "wat_als_normen", language, room=session.workshop)),
        card(t("scenario_arrivals_title", language),
             table(arrivals_table(frame, session, language), "scenario-arrivals", language,
                   page_size=MONTHS)),
    ]  # fmt: skip
    return parts


def kept_model(session: AnalysisSession) -> KeptModel:
    """The calibrated model of the session's log, one for every app over the session."""
    return session.kept(
        "scenario",
        lambda: KeptModel(session.log, session.files, months=MONTHS,
                          sample=sample_share(session.log, SAMPLE_PERSONS)),
    )  # fmt: skip


class _Run:
    """One run of the page, computed in a thread of its own: the app hides a page behind its
    loading overlay while a callback that fills it computes, so the callbacks only start a run
    and fetch its figures, and the progress line stays in view meanwhile."""

    def __init__(self) -> None:
        self.progress = Progress()
        self.figures: Any = None
        self.error: Exception | None = None
        self.finished = threading.Event()


def register(app: Dash, session: AnalysisSession) -> None:
    kept = kept_model(session)
    if session.files is not None:  # a log read from its folder: prepared there, or read back
        kept.prepare()
    runs: OrderedDict[str, _Run] = OrderedDict()  # by key, until their page fetches them
    lock = threading.Lock()

    def compute(run: _Run, levers: Levers, language: str) -> None:
        try:
            run.figures = results(kept.model(), levers, session, language, run.progress.report)
        except EventLogError:  # not a chain log: nothing to calibrate on
            run.figures = html.P(t("scenario_not_chain", language), className="empty")
        except Exception as exc:  # raised in ``fetch``, where the app reports a callback's errors
            run.error = exc
        finally:
            run.finished.set()

    def line(run: _Run, language: str) -> str:
        """The run's step, or else the model's preparation (at start-up, in the background)."""
        progress = run.progress if run.progress.step else kept.progress
        if not progress.step:
            return ""
        seconds = round(time.perf_counter() - progress.began)
        return t(f"scenario_step_{progress.step}", language,
                 done=fmt_share(progress.done, language), seconds=seconds)  # fmt: skip

    @app.callback(
        Output("scenario-results", "children"),
        Output("scenario-job", "data"),
        Output("scenario-status", "children"),
        Input("scenario-run", "n_clicks"),
        Input("language", "value"),
        State("scenario-inflow", "value"),
        State("scenario-ind", "value"),
        State("scenario-homes", "value"),
        State("scenario-homes-where", "value"),
    )
    def start(_clicks: int, language: str, inflow: Any, ind: Any, homes: Any,
              where: list[str] | None) -> tuple[Any, str | None, str]:  # fmt: skip
        levers = levers_of(inflow, ind, homes, where)
        if levers is None:
            invalid = html.P(t("scenario_invalid", language), className="empty",
                             id="scenario-invalid")  # fmt: skip
            return invalid, None, ""
        run, key = _Run(), uuid.uuid4().hex
        with lock:
            runs[key] = run
            while len(runs) > KEEP_RUNS:  # runs whose page went away before fetching them
                runs.popitem(last=False)
        threading.Thread(target=compute, args=(run, levers, language), name="scenario-run",
                         daemon=True).start()  # fmt: skip
        pending = html.P(t("scenario_running", language), className="note", id="scenario-pending")
        return pending, key, line(run, language)

    @app.callback(
        Output("scenario-results", "children", allow_duplicate=True),
        Output("scenario-job", "data", allow_duplicate=True),
        Output("scenario-status", "children", allow_duplicate=True),
        Input("scenario-poll", "n_intervals"),
        State("scenario-job", "data"),
        State("language", "value"),
        prevent_initial_call=True,
    )
    def fetch(_ticks: int, key: str | None, language: str) -> tuple[Any, Any, str]:
        if not key:
            raise PreventUpdate
        with lock:
            run = runs.get(key)
        if run is None:  # dropped (KEEP_RUNS later runs came first): ask again
            return html.P(t("scenario_dropped", language), className="empty"), None, ""
        if not run.finished.is_set():
            return no_update, no_update, line(run, language)
        with lock:
            runs.pop(key, None)
        if run.error is not None:
            raise run.error
        return run.figures, None, ""
