"""The analysis as one standalone HTML report: readable offline, printable, nothing fetched.

A workshop laptop may have no internet, and a report mailed to a partner must open years later,
so the file carries everything: the plotly library is embedded once (``include_plotlyjs=True``,
inline, no CDN), the styles are inline, and no ``src`` or ``href`` points outside the file. A
print stylesheet hides nothing but keeps charts and table rows from splitting over pages.

Content, in order: the summary, the ranked findings (with a chart of their excess person-days),
milestone intervals against their norms, work in progress and flow (chain logs), transitions,
handovers, variants, conformance, rework, and the method notes. Text is Dutch by default
(``language="en"`` for English): the columns by the names the dashboard gives them
(:mod:`toolkit.column_labels`), numbers in the language's notation (1.234,5; 12,3%), activities by
the chain's names and coded values in words; every value from the log is HTML-escaped. In workshop mode a
hidden figure shows as a dash, as on the dashboard: also a count of k or more that is hidden
because the others of its row would give a small one away. Example::

    >>> write_html(analysis, Path("rapport.html"))  # doctest: +SKIP
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from toolkit.analysis import PERSON_COUNTS, Analysis
from toolkit.atomic import atomic_write_text
from toolkit.chain import Chain, load_chain
from toolkit.column_labels import column_label, value_label
from toolkit.export.report_json import plain
from toolkit.filters import LOCAL_TZ
from toolkit.method_notes import method_note, topic_name
from toolkit.numbers import day_text, number, q_text, through_text

TOP_FINDINGS = 25
TOP_ROWS = 20
CHART_FINDINGS = 10
MISSING = "–"
TEXT = {
    "nl": {
        "title": "Ketenlens: knelpunten in de keten",
        "summary": "Samenvatting",
        "findings": "Knelpunten: waar, wie, trend en herhaald werk afwisselend, binnen elke soort "
        "naar omvang",
        "intervals": "Doorlooptijden tussen mijlpalen en hun normen",
        "norms": "Normoverschrijdingen",
        "wip": "Onderhanden werk per fase",
        "flow": "Instroom en uitstroom per week",
        "transitions": "Wachttijden tussen opeenvolgende stappen",
        "service_times": "Bewerkingstijd per activiteit (van start tot afronding)",
        "handovers": "Overdrachten tussen organisaties",
        "variants": "Meest voorkomende paden (varianten)",
        "conformance": "Conformiteit met het procesmodel",
        "rework": "Herhaald werk",
        "method": "Methode",
        "person_days": "extra persoonsdagen",
        "events": "extra gebeurtenissen",
        "days": "dagen",
        "persons": "personen",
        "median_km": "mediaan (Kaplan-Meier)",
        "median_done": "mediaan alleen afgeronde",
        "norm": "norm",
        "inflow": "instroom",
        "outflow": "uitstroom",
        "none": "Niet van toepassing op dit log.",
        "method_note": "docs/method.md legt uit hoe elk getal berekend wordt (in het Engels).",
        "workshop": "Workshopmodus: elk getal over minder dan {k} personen is verborgen (–), en "
        "ook een getal waaruit het af te leiden zou zijn; andere aantallen zijn licht verstoord "
        "(tot 3, celsleutelmethode).",
    },
    "en": {
        "title": "Ketenlens: bottlenecks in the chain",
        "summary": "Summary",
        "findings": "Findings: where, who, trend and rework in turn, each kind by its impact",
        "intervals": "Milestone intervals and their norms",
        "norms": "Norm breaches",
        "wip": "Work in progress per phase",
        "flow": "Inflow and outflow per week",
        "transitions": "Waits between consecutive steps",
        "service_times": "Service time per activity (start to complete)",
        "handovers": "Handovers between organisations",
        "variants": "Most frequent paths (variants)",
        "conformance": "Conformance to the process model",
        "rework": "Rework",
        "method": "Method",
        "person_days": "excess person-days",
        "events": "extra events",
        "days": "days",
        "persons": "persons",
        "median_km": "median (Kaplan-Meier)",
        "median_done": "median of finished only",
        "norm": "norm",
        "inflow": "inflow",
        "outflow": "outflow",
        "none": "Not applicable to this log.",
        "method_note": "docs/method.md explains how every number is computed.",
        "workshop": "Workshop mode: every figure about fewer than {k} persons is hidden (–), and "
        "so is a figure it could be worked out from; other counts are slightly perturbed (up to "
        "3, cell key method).",
    },
}
CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1b1f24; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem;
     border-bottom: 2px solid #dde4ee; padding-bottom: .2rem; }
.note { color: #4a5563; font-size: .9rem; } .workshop { background: #fff4d6; padding: .5rem; }
table.data { border-collapse: collapse; width: 100%; font-size: .85rem; margin: .6rem 0; }
table.data th, table.data td { border-bottom: 1px solid #e3e7ee; padding: .25rem .45rem;
     text-align: left; vertical-align: top; }
table.data th { background: #f2f5f9; } td.num { text-align: right; white-space: nowrap; }
.chart { margin: .8rem 0; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .chart, tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
"""


class Charts:
    """Renders figures; the plotly library goes inline with the first one only."""

    def __init__(self, language: str = "nl") -> None:
        self.library_included = False
        self.language = language

    def render(self, figure: go.Figure) -> str:
        # the language's notation on the axes (Dutch: 7.000 and 0,5), whole numbers not 7k
        figure.update_layout(
            margin={"l": 40, "r": 20, "t": 50, "b": 40},
            template="plotly_white",
            separators=",." if self.language == "nl" else ".,",
        )
        figure.update_xaxes(exponentformat="none", separatethousands=True)
        figure.update_yaxes(exponentformat="none", separatethousands=True)
        out = figure.to_html(
            full_html=False,
            include_plotlyjs=not self.library_included,
            include_mathjax=False,
            config={"displaylogo": False, "responsive": True},
        )
        self.library_included = True
        return f'<div class="chart">{out}</div>'


def _format(value: Any, column: str, counts: tuple[str, ...], language: str) -> tuple[str, bool]:
    """The cell text in the language's notation (Dutch: 1.234,5 and 12,3%) and whether it is a
    number (right-aligned); a coded value (a finding's kind, a norm's) in words."""
    value = plain(value_label(column, value, language))
    if value is None:
        return MISSING, column in counts
    if isinstance(value, bool):
        return ("✓" if value else ""), False
    if isinstance(value, int):
        return number(value, language), True
    if isinstance(value, float):
        if "share" in column or column == "fitness":
            return f"{number(100 * value, language, 1)}%", True
        return number(value, language, 1), True
    if isinstance(value, dict | list):
        return html.escape(json.dumps(value, ensure_ascii=False)), False
    return html.escape(str(value)), False


def html_table(
    table: pd.DataFrame, name: str, columns: list[str] | None = None, language: str = "nl"
) -> str:
    """A table with ``data-table`` and per-header ``data-column`` attributes (for readers), its
    headers the columns' names in ``language`` (:mod:`toolkit.column_labels`)."""
    chosen = [c for c in (columns or list(table.columns)) if c in table.columns]
    counts = PERSON_COUNTS.get(name, ())
    head = "".join(
        f'<th data-column="{html.escape(c)}">{html.escape(column_label(c, language))}</th>'
        for c in chosen
    )
    rows = []
    for record in table[chosen].to_dict(orient="records"):
        cells = []
        for column in chosen:
            text, numeric = _format(record[column], column, counts, language)
            cells.append(f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="data" data-table="{html.escape(name)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _findings_chart(table: pd.DataFrame, t: dict[str, str], language: str) -> go.Figure | None:
    top = table.head(CHART_FINDINGS)
    top = top[pd.to_numeric(top["excess_person_days"], errors="coerce") > 0]
    if top.empty:
        return None
    titles = top[f"title_{language}"].astype(str)
    labels = [f"{r}. {title[:70]}" for r, title in zip(top["rank"], titles, strict=True)]
    figure = go.Figure(
        go.Bar(x=top["excess_person_days"], y=labels, orientation="h", marker_color="#c0504d")
    )
    figure.update_layout(
        title=t["person_days"], yaxis={"autorange": "reversed"}, height=120 + 32 * len(top)
    )
    return figure


def _intervals_chart(table: pd.DataFrame, t: dict[str, str], language: str) -> go.Figure:
    labels = table["interval"] + " " + table[f"label_{language}"].astype(str)
    figure = go.Figure()
    figure.add_bar(x=labels, y=table["median_days"], name=t["median_km"], marker_color="#1f4e79")
    figure.add_bar(
        x=labels, y=table["median_days_completed_only"], name=t["median_done"],
        marker_color="#9dc3e6",
    )  # fmt: skip
    figure.add_scatter(
        x=labels, y=table["norm_days"], mode="markers", name=t["norm"],
        marker={"symbol": "line-ew-open", "size": 28, "color": "#c0504d", "line": {"width": 3}},
    )  # fmt: skip
    figure.update_layout(barmode="group", yaxis_title=t["days"], height=460)
    return figure


def _conformance_value(figure: str, value: Any, language: str) -> Any:
    """A conformance figure as a reader reads it: a share as a percentage, a fitness (0 to 1)
    to three decimals; a count or text as it is."""
    if figure == "model":
        return value_label("model", value, language)
    if isinstance(value, float) and figure.endswith("_share"):
        return f"{number(100 * value, language, 1)}%"
    if isinstance(value, float) and figure.endswith("fitness"):
        return number(value, language, 3)
    return value


def _impacts(findings: pd.DataFrame, t: dict[str, str], language: str) -> list[str]:
    """Each finding's own measure in words, as the command prints it: extra person-days, or for
    rework the extra events (its person-days are none)."""
    return [
        f"{number(events or 0, language)} {t['events']}"
        if family == "rework"
        else f"{number(days, language)} {t['person_days']}"
        for family, days, events in zip(
            findings["family"],
            findings["excess_person_days"],
            findings["excess_events"],
            strict=True,
        )
    ]


def _wip_chart(table: pd.DataFrame, t: dict[str, str], chain: Chain, language: str) -> go.Figure:
    """Persons per phase, the phases by the chain's names."""
    names = {p.id: p.label_en if language == "en" else p.label_nl for p in chain.phases}
    figure = go.Figure()
    for phase in [c for c in table.columns if c not in {"date", "total", "suppressed"}]:
        figure.add_scatter(
            x=table["date"], y=table[phase], name=names.get(phase, phase), stackgroup="wip"
        )
    figure.update_layout(yaxis_title=t["persons"], height=420)
    return figure


def _flow_chart(table: pd.DataFrame, t: dict[str, str]) -> go.Figure:
    figure = go.Figure()
    figure.add_bar(x=table["week"], y=table["inflow"], name=t["inflow"], marker_color="#1f4e79")
    figure.add_bar(x=table["week"], y=table["outflow"], name=t["outflow"], marker_color="#f4b183")
    figure.update_layout(barmode="group", yaxis_title=t["persons"], height=380)
    return figure


def html_section(title: str, *parts: str) -> str:
    """A titled section of a report."""
    return f"<section><h2>{html.escape(title)}</h2>{''.join(parts)}</section>"


SUMMARY_FIGURES = {
    "nl": {"log_kind": "soort log", "persons": "personen", "events": "gebeurtenissen",
           "activities": "activiteiten", "variants": "varianten (paden)",
           "findings": "knelpunten", "filter": "filter", "as_of": "gegevens tot en met"},
    "en": {"log_kind": "kind of log", "persons": "persons", "events": "events",
           "activities": "activities", "variants": "variants (paths)", "findings": "findings",
           "filter": "filter", "as_of": "data up to"},
}  # fmt: skip


def local_day(moment: str) -> str:
    """The Amsterdam calendar day of an ISO UTC moment (what a Dutch reader calls the date)."""
    return pd.Timestamp(moment).tz_convert(LOCAL_TZ).date().isoformat() if moment else ""


# What the summary says of an analysis without a filter.
NO_FILTER = {
    "nl": "geen: alle personen, de hele periode",
    "en": "none: every person, the whole period",
}


def _summary(analysis: Analysis, lang: str) -> str:
    labels = SUMMARY_FIGURES[lang]
    as_of = analysis.summary.get("as_of")
    figures = {
        **analysis.summary,
        "as_of": through_text(as_of, lang) if as_of else None,
        "log_kind": value_label("log_kind", analysis.summary.get("log_kind"), lang),
        "filter": analysis.summary.get("filter") or NO_FILTER[lang],
    }
    rows = pd.DataFrame(
        [(label, figures.get(key)) for key, label in labels.items()], columns=["figure", "value"]
    )
    return html_table(rows, "summary", language=lang)


# Columns that hold activity codes, and the one that holds paths of them ("a -> b -> c").
ACTIVITY_COLUMNS = ("from_activity", "to_activity", "activity")
PATH_COLUMN, PATH_SEPARATOR = "variant", " -> "


def _named(table: pd.DataFrame, chain: Chain, language: str) -> pd.DataFrame:
    """The table with the chain's activities by name, not code ("Aanmelding"); an activity the
    chain does not know (a log of another process) keeps its own."""
    known = {a.id: a.label_en if language == "en" else a.label_nl for a in chain.activities}

    def name(code: object) -> object:
        return known.get(code, code) if isinstance(code, str) else code

    named = {c: table[c].map(name) for c in ACTIVITY_COLUMNS if c in table.columns}
    if PATH_COLUMN in table.columns:
        named[PATH_COLUMN] = table[PATH_COLUMN].map(
            lambda path: " → ".join(map(name, str(path).split(PATH_SEPARATOR)))
        )
    return table.assign(**named) if named else table


def report(analysis: Analysis, *, language: str = "nl") -> str:
    """The whole report as one HTML document."""
    t = TEXT["en" if language == "en" else "nl"]
    lang = "en" if language == "en" else "nl"
    k = int(analysis.summary.get("k", 10))
    chain = load_chain()
    charts = Charts(lang)
    none = f'<p class="note">{t["none"]}</p>'
    findings = analysis.findings_table()
    parts = [html_section(t["summary"], _summary(analysis, lang))]
    chart = _findings_chart(findings, t, lang)
    parts.append(
        html_section(
            t["findings"],
            charts.render(chart) if chart is not None else "",
            html_table(
                findings.head(TOP_FINDINGS).assign(
                    confidence=[  # a q-value as the language writes it; words in _format
                        c if isinstance(c, str) else q_text(c, lang)
                        for c in findings.head(TOP_FINDINGS)["confidence"]
                    ],
                    impact=_impacts(findings.head(TOP_FINDINGS), t, lang),
                ),
                "findings",
                language=lang,
                # the title names the unit, its figure and what it is compared with; the
                # codes and raw figures behind it (segment, metric, value) are in the
                # json, csv and xlsx exports
                columns=[
                    "rank",
                    "family",
                    f"title_{lang}",
                    "persons",
                    "impact",
                    "confidence",
                    f"explanation_{lang}",
                ],
            ),
        )
    )
    if analysis.is_chain and not analysis.intervals.empty:
        parts.append(
            html_section(
                t["intervals"],
                charts.render(_intervals_chart(analysis.intervals, t, lang)),
                html_table(analysis.intervals, "intervals", language=lang, columns=
                           ["interval", f"label_{lang}", "kind", "persons", "completed",
                            "still_open", "median_days", "median_days_completed_only",
                            "p90_days", "norm_days", "share_over_norm"]),
            )
        )  # fmt: skip
        other = "label_en" if lang == "nl" else "label_nl"  # the norm in one language
        norms = analysis.norms.drop(columns=other, errors="ignore")
        parts.append(html_section(t["norms"], html_table(norms, "norms", language=lang)))
    if analysis.is_chain and not analysis.wip.empty:
        parts.append(
            html_section(t["wip"], charts.render(_wip_chart(analysis.wip, t, chain, lang)))
        )
        parts.append(html_section(t["flow"], charts.render(_flow_chart(analysis.flow, t))))
    parts.append(
        html_section(
            t["transitions"],
            html_table(
                _named(analysis.transitions.head(TOP_ROWS), chain, lang),
                "transitions",
                language=lang,
            ),
        )
    )
    if len(analysis.service_times):  # a log with life-cycle transitions
        parts.append(html_section(t["service_times"],
                              html_table(_named(analysis.service_times, chain, lang), "service_times", language=lang)))  # fmt: skip
    handovers = analysis.handovers
    parts.append(
        html_section(
            t["handovers"],
            html_table(handovers, "handovers", language=lang) if len(handovers) else none,
        )
    )
    parts.append(
        html_section(
            t["variants"],
            html_table(_named(analysis.variants, chain, lang), "variants", language=lang),
        )
    )
    conformance = pd.DataFrame(
        [
            (figure, _conformance_value(figure, v, lang))
            for figure, v in analysis.conformance.items()
        ],
        columns=["figure", "value"],
    )
    parts.append(
        html_section(
            t["conformance"],
            html_table(conformance, "conformance", language=lang),
            html_table(_named(analysis.deviations, chain, lang), "deviations", language=lang),
        )
    )
    parts.append(
        html_section(
            t["rework"], html_table(_named(analysis.rework, chain, lang), "rework", language=lang)
        )
    )
    method = pd.DataFrame(analysis.method, columns=["topic", "note"])
    as_of = analysis.summary.get("as_of")
    if lang == "nl":  # the analysis writes its notes in English, with every detail
        method["note"] = [
            method_note(topic, note, lang, as_of=through_text(as_of, lang) if as_of else "")
            for topic, note in zip(method["topic"], method["note"], strict=True)
        ]
    method["topic"] = [topic_name(topic, lang) for topic in method["topic"]]
    parts.append(
        html_section(
            t["method"],
            html_table(method, "method", language=lang),
            f'<p class="note">{html.escape(t["method_note"])}</p>',
        )
    )
    banner = (
        f'<p class="workshop">{html.escape(t["workshop"].format(k=k))}</p>'
        if analysis.summary.get("workshop")
        else ""
    )
    summary = analysis.summary
    first, as_of = summary.get("first_event"), summary.get("as_of")
    period = (
        f"{day_text(local_day(first), lang)} – {through_text(as_of, lang)}"
        if first and as_of
        else ""
    )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(t['title'])}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{html.escape(t['title'])}</h1>"
        f'<p class="note">{html.escape(period)}</p>{banner}</header>'
        f"<main>{''.join(parts)}</main></body></html>\n"
    )


def write_html(analysis: Analysis, path: Path, *, language: str = "nl") -> Path:
    """Write the report to ``path`` atomically (UTF-8)."""
    atomic_write_text(Path(path), report(analysis, language=language))
    return Path(path)
