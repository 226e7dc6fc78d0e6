"""A scenario written to a file: json, csv, xlsx or a standalone html page.

Shape of the json::

    {"format": "ketenlens-scenario", "version": 2, "start": ..., "months": 24,
     "levers": {"inflow": 4.0, "ind_capacity": 1.0, "homes": {}},
     "calibration": [{"parameter", "figures", "name", "value", "how"}],
     "scenario": [{"month": "2025-07", "run": "base"|"scenario", "metric", "value"}]}

The json, the csv (the ``scenario`` table) and the workbook keep months and metrics as codes,
for programs; the calibration's ``name``, ``value`` and ``how`` and the whole html page are in
the language (:mod:`toolkit.scenario.labels`). The workbook has the sheets ``scenario`` (one
column per run), ``calibration`` and ``levers``. Suppressed figures (workshop mode) are empty.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from toolkit.atomic import atomic_write, atomic_write_text
from toolkit.chain import load_chain
from toolkit.errors import ExportError
from toolkit.export.report_csv import neutralise
from toolkit.export.report_json import plain
from toolkit.numbers import day_text, month_text
from toolkit.scenario.labels import (
    estimate_text,
    language_of,
    levers_text,
    metric_label,
    metric_order,
    value_text,
)
from toolkit.scenario.report import AMSTERDAM
from toolkit.scenario.run import ScenarioResult

FORMAT = "ketenlens-scenario"
VERSION = 2
RUNS = ("base", "scenario")
# The html page's words.
PAGE = {
    "nl": {
        "title": "Ketenlens scenario",
        "heading": "Basis en scenario vanaf {day}, {months} maanden",
        "levers": "Hefbomen: {levers}",
        "calibration": "Kalibratie",
        "calibration_columns": ("parameter", "schatting", "hoe geschat"),
        "columns": ("maand", "basis", "scenario"),
    },
    "en": {
        "title": "Ketenlens scenario",
        "heading": "Base and scenario from {day}, {months} months",
        "levers": "Levers: {levers}",
        "calibration": "Calibration",
        "calibration_columns": ("parameter", "estimate", "how"),
        "columns": ("month", "base", "scenario"),
    },
}


def _levers(result: ScenarioResult) -> dict:
    return asdict(result.levers)


def side_by_side(table: pd.DataFrame) -> pd.DataFrame:
    """``month``, ``metric``, ``base``, ``scenario``: the two runs in columns."""
    wide = table.pivot_table(
        index=["metric", "month"], columns="run", values="value", aggfunc="first", sort=False,
        dropna=False,
    )  # fmt: skip
    return wide.reindex(columns=list(RUNS)).reset_index()[["month", "metric", *RUNS]]


def _calibration(result: ScenarioResult, language: str) -> list[dict]:
    """Each estimate's parameter and figures, and its name, value and how in the language."""
    return [
        {
            **asdict(e),
            **dict(zip(("name", "value", "how"), estimate_text(e, language), strict=True)),
        }
        for e in result.calibration.estimates
    ]


def write_json(result: ScenarioResult, table: pd.DataFrame, path: Path, language: str) -> None:
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "start": result.start,
        "months": result.months,
        "levers": _levers(result),
        "sample": result.sample,
        "calibration": _calibration(result, language),
        "scenario": table[["month", "run", "metric", "value"]].to_dict(orient="records"),
    }
    atomic_write_text(path, json.dumps(plain(payload), ensure_ascii=False, indent=1))


def write_csv(result: ScenarioResult, table: pd.DataFrame, path: Path, language: str) -> None:
    atomic_write_text(path, table.to_csv(index=False))


def write_xlsx(result: ScenarioResult, table: pd.DataFrame, path: Path, language: str) -> None:
    book = Workbook()
    calibration = pd.DataFrame(_calibration(result, language)).drop(columns="figures")
    sheets = [
        ("scenario", side_by_side(table)),
        ("calibration", calibration),
        (
            "levers",
            pd.DataFrame([{"lever": k, "value": str(v)} for k, v in _levers(result).items()]),
        ),
    ]
    book.remove(book.active)
    for name, frame in sheets:
        sheet = book.create_sheet(name)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append([neutralise(plain(v)) for v in row])
    atomic_write(path, lambda tmp: book.save(tmp))


def write_html(
    result: ScenarioResult,
    table: pd.DataFrame,
    path: Path,
    language: str,
    *,
    workshop: bool = False,
) -> None:
    """A page a chain partner can read: per metric, by name, a table of its months, base beside
    scenario, in the language's words and notation (in ``workshop`` mode the levers without the
    homes per week, :func:`~toolkit.scenario.labels.levers_text`)."""
    words = PAGE[language]
    chain = load_chain()
    wide = side_by_side(table)
    levers = result.levers
    day = day_text(result.start.tz_convert(AMSTERDAM).date(), language)
    parts = [
        f"<!doctype html><html lang='{language}'><meta charset='utf-8'>"
        f"<title>{html.escape(words['title'])}</title>",
        "<style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:right}"
        "td:first-child,th:first-child{text-align:left}</style>",
        f"<h1>{html.escape(words['heading'].format(day=day, months=result.months))}</h1>",
        "<p>"
        + html.escape(
            words["levers"].format(
                levers=levers_text(
                    levers, language, chain, None if workshop else result.calibration.capacities
                )
            )
        )
        + "</p>",
        f"<h2>{html.escape(words['calibration'])}</h2><table><tr>",
        "".join(f"<th>{html.escape(c)}</th>" for c in words["calibration_columns"]) + "</tr>",
        *(
            "<tr>"
            + "".join(f"<td>{html.escape(text)}</td>" for text in estimate_text(e, language))
            + "</tr>"
            for e in result.calibration.estimates
        ),
        "</table>",
    ]
    month, *runs = words["columns"]
    metrics = sorted(dict.fromkeys(wide["metric"]), key=lambda m: metric_order(str(m), chain))
    for metric in metrics:
        rows = wide[wide["metric"] == metric]
        share = str(metric).startswith("share")
        name = metric_label(str(metric), language, chain)
        parts.append(f"<h2>{html.escape(name)}</h2><table><tr><th>{month}</th>")
        parts.append("".join(f"<th>{html.escape(r)}</th>" for r in runs) + "</tr>")
        for row in rows.itertuples(index=False):
            cells = "".join(
                f"<td>{value_text(plain(getattr(row, r)), share, language)}</td>" for r in RUNS
            )
            parts.append(f"<tr><td>{html.escape(month_text(row.month, language))}</td>{cells}</tr>")
        parts.append("</table>")
    atomic_write_text(path, "\n".join(parts) + "</html>\n")


WRITERS = {".json": write_json, ".csv": write_csv, ".xlsx": write_xlsx, ".html": write_html}


def write_scenario(
    result: ScenarioResult,
    table: pd.DataFrame,
    path: Path,
    *,
    language: str = "nl",
    workshop: bool = False,
) -> None:
    """Write ``table`` (the result's, suppressed in ``workshop`` mode or not) by the file's
    extension; the words of the calibration and of the html page in ``language``."""
    suffix = Path(path).suffix.lower()
    if suffix not in WRITERS:
        raise ExportError(
            f"{path}: cannot export a scenario to {suffix or 'a file without extension'}; "
            f"use one of {', '.join(WRITERS)}"
        )
    if suffix == ".html":  # the one writer that words the levers
        write_html(result, table, Path(path), language_of(language), workshop=workshop)
    else:
        WRITERS[suffix](result, table, Path(path), language_of(language))
