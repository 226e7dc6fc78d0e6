"""Knelpunten: the ranked findings and, for one chosen finding, the evidence behind it.

The table is the ``findings`` section (:func:`toolkit.analysis.findings_table`) in its overall
ranking (the families where, who, trend and rework interleaved). Choosing a finding shows its
explanation and what it rests on: for a slow unit the unit's Kaplan-Meier curve against the
whole and the norm table per unit; for a leg over its norm or a trend the interval's curve
against its norm and its norm figures; for a wait between two steps the distribution of that
wait; for rework (relocations, repeats) the rework table. Every figure is a
section of the session for the same filter, so in workshop mode small groups are already gone.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
from dash import Dash, Input, Output, State, dcc, html

from dashboards.components import (
    DD,
    DL,
    activity_label,
    card,
    code_name,
    curves_figure,
    dropdown_labels,
    empty,
    finding_cost,
    fmt_int,
    fmt_number,
    fmt_q,
    fmt_share,
    graph,
    is_missing,
    municipality_name,
    table,
    wait_figure,
)
from dashboards.filterbar import current_filter
from dashboards.i18n import column, language_of, t
from toolkit.analysis import findings_table
from toolkit.errors import EventLogError
from toolkit.findings import Finding
from toolkit.session import AnalysisSession

PATH = "/knelpunten"
TITLE = "page_knelpunten"
TABLE_COLUMNS = ("rank", "family", "title", "segment", "persons", "excess_person_days",
                 "excess_events", "confidence")  # fmt: skip
NORM_COLUMNS = ("interval", "label_{language}", "{dimension}", "persons", "closed",
                "closed_over", "still_open", "overdue_now", "breaches", "share_closed_over",
                "excess_days")  # fmt: skip
TRANSITION = "transition "
ACTIVITY_PLACE = "activity "


def headers(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Columns without a shared translation get this page's header text."""
    return frame.rename(columns=names)


def family_name(family: str, language: str) -> str:
    return t(f"knelpunten_family_{family}", language)


def confidence_text(confidence: float | str, language: str) -> str:
    if isinstance(confidence, str):
        return t("knelpunten_descriptive", language)
    return fmt_q(confidence, language)


def kind_name(kind: str, language: str) -> str:
    key = f"knelpunten_kind_{kind}"
    text = t(key, language)
    return kind if text == key else text


def segment_text(session: AnalysisSession, finding: Finding, language: str) -> str | None:
    """The segment as the reader names it: ``Gemeente: Zaanstad (GM0479)``."""
    if finding.segment is None:
        return None
    dimension, value = finding.segment
    if dimension == "municipality":
        value = municipality_name(session, value)
    elif dimension == "track":
        value = code_name("track", value, language)
    return f"{t(f'doorlooptijden_dim_{dimension}', language)}: {value}"


def ranked_table(session: AnalysisSession, findings: list[Finding], language: str) -> pd.DataFrame:
    """The findings table with the title in ``language`` and the kinds and segments named."""
    frame = findings_table(findings)
    frame = frame.assign(
        title=frame[f"title_{language}"],
        family=[family_name(k, language) for k in frame["family"]],
        segment=[segment_text(session, f, language) for f in findings],
        confidence=[confidence_text(c, language) for c in frame["confidence"]],
    )
    frame = frame[list(TABLE_COLUMNS)]
    return headers(frame, {"family": t("knelpunten_col_family", language)})


def transition(finding: Finding) -> tuple[str, str]:
    """The two activities of a ``transition a -> b`` finding."""
    source, _, target = finding.place.removeprefix(TRANSITION).partition(" -> ")
    return source, target


def place_text(session: AnalysisSession, finding: Finding, language: str) -> str:
    """Where in the chain, in the reader's language (``place`` is the toolkit's own English)."""
    if finding.interval:
        norm = session.chain.norm(finding.interval)
        return f"{norm.label(language)} ({norm.id})"
    if finding.place.startswith(TRANSITION):
        return " → ".join(activity_label(session, a, language) for a in transition(finding))
    if finding.segment and finding.segment[0] == "location":
        return t("knelpunten_place_location", language, name=finding.segment[1])
    return activity_label(session, finding.place.removeprefix(ACTIVITY_PLACE), language)


def metric_text(metric: str, language: str) -> str:
    """The measure in the reader's language: its text in the translations, keyed by its words."""
    return t("knelpunten_metric_" + re.sub(r"[^a-z0-9]+", "_", metric.lower()).strip("_"), language)


def measure_text(
    finding: Finding, value: float | None, language: str, *, benchmark: bool = False
) -> str:
    """A finding's value (or its benchmark) as its measure reads: a share as a percentage, the
    norm of a share over the norm in days, other figures in the language's notation."""
    if is_missing(value):
        return "–"
    if finding.metric.startswith("share"):
        if not benchmark:
            return fmt_share(value, language)
        if finding.kind == "norm_breach":
            return f"{fmt_number(value, language)} {t('days', language)}"
    return fmt_number(value, language, 0 if abs(value) >= 10 else 2)


def facts(session: AnalysisSession, finding: Finding, language: str) -> html.Dl:
    """Value against benchmark, persons and cost of one finding."""
    items = [
        (t("knelpunten_fact_family", language), family_name(finding.family, language)),
        (t("knelpunten_fact_kind", language), kind_name(finding.kind, language)),
        (t("knelpunten_fact_place", language), place_text(session, finding, language)),
        (t("knelpunten_fact_metric", language), metric_text(finding.metric, language)),
        (t("knelpunten_fact_value", language), measure_text(finding, finding.value, language)),
        (
            t("knelpunten_fact_benchmark", language),
            measure_text(finding, finding.benchmark, language, benchmark=True),
        ),
        (t("knelpunten_fact_persons", language), fmt_int(finding.persons, language)),
    ]
    items.append(finding_cost(finding, language))
    items.append((t("knelpunten_fact_confidence", language),
                  confidence_text(finding.confidence, language)))  # fmt: skip
    return html.Dl(
        [part for name, value in items for part in (html.Dt(name), html.Dd(value, style=DD))],
        id="knelpunten-facts",
        style=DL,
    )


def norm_rows(
    session: AnalysisSession,
    frame: pd.DataFrame,
    interval: str,
    dimension: str | None,
    language: str,
) -> Any:
    """The norm figures of one interval (per segment of ``dimension`` when given, named)."""
    rows = frame[frame["interval"] == interval]
    wanted = [c.format(language=language, dimension=dimension or "") for c in NORM_COLUMNS]
    rows = rows[[c for c in wanted if c in rows.columns]]
    if dimension == "municipality" and dimension in rows.columns:
        rows = rows.assign(municipality=[municipality_name(session, v) for v in rows[dimension]])
    elif dimension == "track" and dimension in rows.columns:
        rows = rows.assign(track=[code_name("track", v, language) for v in rows[dimension]])
    if dimension and column(dimension, language) == dimension:
        rows = headers(rows, {dimension: t(f"doorlooptijden_dim_{dimension}", language)})
    return rows


def interval_evidence(session: AnalysisSession, f: Any, finding: Finding, language: str) -> list:
    interval = finding.interval
    whole = session.get(f, "curves", interval)
    if finding.segment:
        dimension, value = finding.segment
        by_segment = session.get(f, "curves", interval, dimension)
        mine = by_segment[by_segment["segment"].astype(str) == str(value)]
        curves = pd.concat([whole, mine], ignore_index=True) if len(mine) else whole
        figure = curves_figure(session, curves, interval, language, dimension=dimension,
                               highlight=str(value))  # fmt: skip
        norms = norm_rows(session, session.get(f, "norms_by_segment", dimension), interval,
                          dimension, language)  # fmt: skip
        note = t("knelpunten_segment_note", language)
    else:
        figure = curves_figure(session, whole, interval, language)
        norms = norm_rows(session, session.get(f, "norms"), interval, None, language)
        note = t("knelpunten_interval_note", language)
    out: list = [html.P(note, className="note")]
    if len(whole):
        out.append(
            graph(
                figure,
                "knelpunten-curves-graph",
                f"knelpunt_{interval}",
                language,
                room=session.workshop,
            )
        )
    else:
        out.append(empty(language))
    out += [html.H4(t("knelpunten_norms_title", language)),
            table(norms, "knelpunten-norms-table", language)]  # fmt: skip
    return out


def wait_evidence(session: AnalysisSession, f: Any, finding: Finding, language: str) -> list:
    source, target = transition(finding)
    histogram = session.get(f, "wait_histogram", source, target)
    title = html.H4(
        f"{activity_label(session, source, language)} → {activity_label(session, target, language)}"
    )
    if histogram.empty or histogram["persons"].isna().all():
        return [title, empty(language)]
    return [
        title,
        html.P(t("knelpunten_wait_note", language), className="note"),
        graph(
            wait_figure(histogram, language),
            "knelpunten-wait-graph",
            "knelpunt_wachttijd",
            language,
            room=session.workshop,
        ),
    ]


def rework_evidence(session: AnalysisSession, f: Any, language: str) -> list:
    frame = session.get(f, "rework")
    if len(frame) and "activity" in frame.columns:
        frame = frame.assign(activity=[activity_label(session, str(a), language)
                                       for a in frame["activity"]])  # fmt: skip
    if "kind" in frame.columns:
        frame = frame.assign(kind=[kind_name(str(k), language) for k in frame["kind"]])
    frame = headers(frame, {"kind": t("knelpunten_col_kind", language),
                            "activity": t("knelpunten_col_activity", language)})  # fmt: skip
    return [
        html.P(t("knelpunten_rework_note", language), className="note"),
        table(frame, "knelpunten-rework-table", language),
    ]


def evidence(session: AnalysisSession, f: Any, finding: Finding, language: str) -> Any:
    title = finding.title_en if language == "en" else finding.title_nl
    explanation = finding.explanation_en if language == "en" else finding.explanation_nl
    head = [html.H4(title, id="knelpunten-detail-title")]
    if explanation:
        head.append(html.P(explanation, id="knelpunten-explanation"))
    head.append(facts(session, finding, language))
    if finding.interval:
        body = interval_evidence(session, f, finding, language)
    elif finding.kind == "transition_wait":
        body = wait_evidence(session, f, finding, language)
    elif finding.family == "rework":
        body = rework_evidence(session, f, language)
    else:
        body = []
    return [*head, *body]


def layout(session: AnalysisSession, language: str) -> html.Div:
    return html.Div(
        [
            html.H2(t(TITLE, language)),
            card(t("knelpunten_table_title", language), html.Div(id="knelpunten-table"),
                 note=t("knelpunten_table_note", language)),
            card(
                t("knelpunten_detail_title", language),
                html.Div(
                    [html.Label(t("knelpunten_select", language), htmlFor="knelpunten-select"),
                     dcc.Dropdown(labels=dropdown_labels(language), id="knelpunten-select", options=[], clearable=False)],
                    className="control",
                ),
                html.Div(id="knelpunten-detail"),
            ),
        ],
        className="page",
        id="page-knelpunten",
    )  # fmt: skip


def register(app: Dash, session: AnalysisSession) -> None:
    @app.callback(
        Output("knelpunten-table", "children"),
        Output("knelpunten-select", "options"),
        Output("knelpunten-select", "value"),
        Input("filter", "data"),
        Input("language", "value"),
        State("knelpunten-select", "value"),
    )
    def ranked(data: dict | None, language: str, chosen: int | None) -> tuple[Any, Any, Any]:
        language = language_of(language)
        try:
            findings = session.get(current_filter(data), "findings")
        except EventLogError:
            return empty(language), [], None
        if not findings:
            return empty(language), [], None
        options = [
            {"label": f"{rank}. {f.title_en if language == 'en' else f.title_nl}", "value": rank}
            for rank, f in enumerate(findings, start=1)
        ]
        value = chosen if isinstance(chosen, int) and 1 <= chosen <= len(findings) else 1
        return (
            table(ranked_table(session, findings, language), "knelpunten-findings", language),
            options,
            value,
        )

    @app.callback(
        Output("knelpunten-detail", "children"),
        Input("filter", "data"),
        Input("language", "value"),
        Input("knelpunten-select", "value"),
    )
    def detail(data: dict | None, language: str, rank: int | None) -> Any:
        language = language_of(language)
        f = current_filter(data)
        try:
            findings = session.get(f, "findings")
            if not rank or not 1 <= rank <= len(findings):
                return empty(language)
            return evidence(session, f, findings[rank - 1], language)
        except EventLogError:
            return empty(language)
