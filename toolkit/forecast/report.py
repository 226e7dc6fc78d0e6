"""The forecast as a file: xlsx, csv, json or a standalone html report.

The writers of :mod:`toolkit.export` do the formatting (number formats and neutralised text in
Excel, plain JSON values, spreadsheet-safe CSV, escaped HTML tables with plotly inline), so a
forecast file looks and behaves like an ``analyze`` export. JSON holds ``summary``,
``forecast`` (rows ``{month, municipality, metric, expected, low, high}``; municipality empty for
the nation), ``taakstelling``, ``waits`` and ``method``. CSV writes the forecast rows to the file
and the other tables beside it (``NAME.taakstelling.csv``, ...). Example::

    >>> write_forecast(fc, Path("vooruitblik.xlsx"))  # doctest: +SKIP
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from openpyxl import Workbook

from toolkit.atomic import atomic_write, atomic_write_text
from toolkit.errors import ExportError
from toolkit.export.report_csv import ENCODING, csv_ready, table_path
from toolkit.export.report_html import CSS, html_table, local_day
from toolkit.export.report_json import plain, records
from toolkit.export.report_xlsx import write_sheet
from toolkit.forecast.pipeline import Forecast

FORMAT = "ketenlens-forecast"
VERSION = 1
SUFFIXES = (".xlsx", ".csv", ".json", ".html")
TITLE = {"nl": "Ketenlens: vooruitblik", "en": "Ketenlens: forecast"}
LINKED = {"nl": "Gekoppelde statushouders per maand (80%-interval)",
          "en": "Status holders linked per month (80% interval)"}  # fmt: skip


def _summary(fc: Forecast) -> pd.DataFrame:
    return pd.DataFrame([(k, json.dumps(plain(v)) if isinstance(v, list | dict) else plain(v))
                         for k, v in fc.summary.items()], columns=["figure", "value"])  # fmt: skip


def document(fc: Forecast) -> dict:
    out = {"format": FORMAT, "version": VERSION, "summary": plain(fc.summary)}
    for name, table in fc.tables().items():
        out[name] = records(table)
    out["method"] = plain(fc.method)
    return out


def _xlsx(fc: Forecast, path: Path) -> None:
    book = Workbook()
    book.remove(book.active)
    sheets = {"Summary": _summary(fc), "Forecast": fc.rows, "Taakstelling": fc.taakstelling,
              "Waits": fc.waits, "Method": pd.DataFrame(fc.method, columns=["topic", "note"])}  # fmt: skip
    for name, table in sheets.items():
        write_sheet(book.create_sheet(name), table)
    atomic_write(path, lambda tmp: book.save(tmp))


def _html(fc: Forecast, language: str) -> str:
    lang = "en" if language == "en" else "nl"
    k = int(fc.summary.get("k", 10))
    national = fc.rows[(fc.rows["municipality"] == "") & (fc.rows["metric"] == "linked_persons")]
    figure = go.Figure()
    figure.add_scatter(x=national["month"], y=national["high"], mode="lines", line={"width": 0},
                       showlegend=False)  # fmt: skip
    figure.add_scatter(x=national["month"], y=national["low"], mode="lines", line={"width": 0},
                       fill="tonexty", name="80%")  # fmt: skip
    figure.add_scatter(x=national["month"], y=national["expected"], mode="lines+markers",
                       name=LINKED[lang])  # fmt: skip
    figure.update_layout(separators=",." if lang == "nl" else ".,", template="plotly_white")
    chart = figure.to_html(full_html=False, include_plotlyjs=True, include_mathjax=False,
                           config={"displaylogo": False})  # fmt: skip
    parts = [f"<h2>{html.escape(LINKED[lang])}</h2>{chart}"]
    for name, table in fc.tables().items():
        parts.append(f"<h2>{html.escape(name)}</h2>{html_table(table, name, k)}")
    as_of = html.escape(local_day(fc.summary.get("as_of", "")))
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{TITLE[lang]}</title><style>{CSS}</style></head><body>"
            f"<header><h1>{TITLE[lang]}</h1><p class=\"note\">{as_of}</p></header>"
            f"<main>{''.join(parts)}</main></body></html>\n")  # fmt: skip


def write_forecast(fc: Forecast, path: Path, *, language: str = "nl") -> list[Path]:
    """Write ``fc`` to ``path`` by its extension; return the files written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        text = json.dumps(document(fc), ensure_ascii=False, indent=1, allow_nan=False)
        atomic_write_text(path, text + "\n")
    elif suffix == ".xlsx":
        _xlsx(fc, path)
    elif suffix == ".html":
        atomic_write_text(path, _html(fc, language))
    elif suffix == ".csv":
        written = []
        for name, table in {**fc.tables(), "summary": _summary(fc)}.items():
            target = path if name == "forecast" else table_path(path, name)
            ready = csv_ready(table)
            atomic_write(target, lambda tmp, r=ready: r.to_csv(tmp, index=False,
                                                                encoding=ENCODING))  # fmt: skip
            written.append(target)
        return written
    else:
        raise ExportError(f"{path}: cannot export to {suffix or 'a file without extension'}; "
                          f"use one of {', '.join(SUFFIXES)}")  # fmt: skip
    return [path]
