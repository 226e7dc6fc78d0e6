"""Datakwaliteit: the ingest report of the log (``session.report``), not the filtered log.

Headline figures and the data's end (``as_of``), whether the demo pseudonymisation key was used,
per file rows read = events + duplicates + quarantined, the quarantine reasons, the repairs, the
skipped lines and the linkage of persons between the IND, COA and the municipalities. The tables
come from :func:`toolkit.adapters.report.report_tables`, which gives file names without their
folders; the page does not depend on the filter (and says so).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import Dash, Input, Output, html

from dashboards.components import (
    card,
    empty,
    fmt_date,
    fmt_int,
    graph,
    separators,
    table,
    theme,
    tile,
)
from dashboards.i18n import language_of, t
from toolkit.adapters.report import report_summary, report_tables
from toolkit.adapters.report_labels import code_name
from toolkit.session import AnalysisSession

PATH = "/datakwaliteit"
TITLE = "page_datakwaliteit"
PARTS = ("tiles", "key", "files", "reasons", "repairs", "skipped", "linkage")
# Table -> (column with the code, prefix of its translation keys, count column).
CODED = {
    "reasons": ("reason", "reason", "count"),
    "repairs": ("repair", "repair", "count"),
    "skipped": ("kind", "skip", "count"),
    "linkage": ("measure", "linkage", "persons"),
}


def layout(session: AnalysisSession, language: str) -> html.Div:
    def part(name: str) -> html.Div:
        return html.Div(id=f"datakwaliteit-{name}")

    return html.Div(
        [
            html.H2(t(TITLE, language)),
            html.P(t("datakwaliteit_intro", language), className="note"),
            html.P(t("datakwaliteit_no_filter", language), className="banner",
                   id="datakwaliteit-no-filter"),
            html.Div(id="datakwaliteit-tiles", className="tiles"),
            part("key"),
            card(t("datakwaliteit_files_title", language), part("files"),
                 note=t("datakwaliteit_files_note", language)),
            html.Div(
                [card(t("datakwaliteit_reasons_title", language), part("reasons"),
                      note=t("datakwaliteit_reasons_note", language)),
                 card(t("datakwaliteit_repairs_title", language), part("repairs"),
                      note=t("datakwaliteit_repairs_note", language))],
                className="grid-2",
            ),
            html.Div(
                [card(t("datakwaliteit_linkage_title", language), part("linkage"),
                      note=t("datakwaliteit_linkage_note", language)),
                 card(t("datakwaliteit_skipped_title", language), part("skipped"),
                      note=t("datakwaliteit_skipped_note", language))],
                className="grid-2",
            ),
        ],
        className="page",
        id="page-datakwaliteit",
    )  # fmt: skip


def code_label(prefix: str, code: Any, language: str) -> str:
    """The name of a report code (a quarantine reason, a repair, a linkage), else the code."""
    return code_name(prefix, code, language_of(language))


def labelled(frame: pd.DataFrame, name: str, language: str) -> pd.DataFrame:
    """The table with its codes replaced by their names."""
    code, prefix, _ = CODED[name]
    out = frame.copy()
    out[code] = [code_label(prefix, v, language) for v in out[code]]
    return out


def bar_figure(frame: pd.DataFrame, name: str, language: str, axis: str) -> go.Figure:
    code, _, count = CODED[name]
    names = list(frame[code])
    figure = go.Figure()
    figure.add_bar(
        x=pd.to_numeric(frame[count], errors="coerce"),
        y=names,
        orientation="h",
        marker_color=theme()["accent"]["norm" if name == "reasons" else "neutral"],
        hovertemplate="%{y}: %{x:,.0f}<extra></extra>",
    )
    figure.update_yaxes(categoryorder="array", categoryarray=list(reversed(names)))
    figure.update_xaxes(title=axis, gridcolor="#e5e7eb")
    figure.update_layout(height=100 + 30 * len(frame), showlegend=False,
                         separators=separators(language))  # fmt: skip
    return figure


def coded_part(frame: pd.DataFrame, name: str, language: str, axis: str) -> Any:
    if frame.empty:
        return empty(language)
    shown = labelled(frame, name, language)
    return html.Div(
        [graph(bar_figure(shown, name, language, axis), f"datakwaliteit-{name}-graph",
               f"datakwaliteit_{name}", language),
         table(shown, f"datakwaliteit-{name}-table", language)]
    )  # fmt: skip


def headline(summary: dict[str, Any], language: str) -> list[html.Div]:
    source = summary.get("as_of_source")
    return [
        tile("datakwaliteit-tile-persons", t("datakwaliteit_tile_persons", language),
             fmt_int(summary.get("persons"), language)),
        tile("datakwaliteit-tile-events", t("datakwaliteit_tile_events", language),
             fmt_int(summary.get("events"), language)),
        tile("datakwaliteit-tile-duplicates", t("datakwaliteit_tile_duplicates", language),
             fmt_int(summary.get("duplicates"), language)),
        tile("datakwaliteit-tile-quarantined", t("datakwaliteit_tile_quarantined", language),
             fmt_int(summary.get("quarantined"), language)),
        tile("datakwaliteit-tile-as-of", t("datakwaliteit_tile_as_of", language),
             fmt_date(summary.get("as_of"), language),
             t("datakwaliteit_as_of_source", language, source=source) if source else None),
    ]  # fmt: skip


def register(app: Dash, session: AnalysisSession) -> None:
    @app.callback(
        *[Output(f"datakwaliteit-{name}", "children") for name in PARTS],
        Input("language", "value"),
    )
    def fill(language: str) -> tuple[Any, ...]:
        report = session.report
        if not report:
            return (html.P(t("datakwaliteit_no_report", language), className="empty"),
                    *[empty(language)] * (len(PARTS) - 1))  # fmt: skip
        summary = report_summary(report)
        tables = report_tables(report, k=session.k if session.workshop else None)
        demo = summary["demo_key"]
        key = html.P(t("datakwaliteit_demo_key" if demo else "datakwaliteit_real_key", language),
                     className="banner demo" if demo else "note",
                     id="datakwaliteit-key-flag")  # fmt: skip
        unbalanced = summary["unbalanced_files"]
        balance = html.P(
            t("datakwaliteit_balanced_not", language, n=unbalanced) if unbalanced
            else t("datakwaliteit_balanced_all", language, n=summary["files"]),
            className="banner" if unbalanced else "note",
            id="datakwaliteit-balance",
        )  # fmt: skip
        files = tables["files"].copy()
        files["balanced"] = [t(f"datakwaliteit_balanced_{'yes' if v else 'no'}", language)
                             for v in files["balanced"]]  # fmt: skip
        file_part: list[Any] = [balance, table(files, "datakwaliteit-files-table", language,
                                               page_size=50)]  # fmt: skip
        if summary["ignored_files"]:
            file_part.append(html.P(t("datakwaliteit_ignored", language,
                                      names=", ".join(summary["ignored_files"])),
                                    className="note"))  # fmt: skip
        rows, persons = t("datakwaliteit_rows", language), t("datakwaliteit_persons", language)
        return (
            headline(summary, language),
            key,
            html.Div(file_part),
            coded_part(tables["reasons"], "reasons", language, rows),
            coded_part(tables["repairs"], "repairs", language, rows),
            coded_part(tables["skipped"], "skipped", language, rows),
            coded_part(tables["linkage"], "linkage", language, persons),
        )
