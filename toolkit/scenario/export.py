"""A scenario written to a file: json, csv, xlsx or a standalone html page.

Shape of the json::

    {"format": "ketenlens-scenario", "version": 1, "start": ..., "months": 24,
     "levers": {"inflow": 4.0, "ind_capacity": 1.0, "homes": {}},
     "calibration": [{"parameter", "value", "how"}],
     "scenario": [{"month": "2025-07", "run": "base"|"scenario", "metric", "value"}]}

The csv is the ``scenario`` table; the workbook has the sheets ``scenario`` (one column per
run), ``calibration`` and ``levers``. Suppressed figures (workshop mode) are empty.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from toolkit.atomic import atomic_write, atomic_write_text
from toolkit.errors import ExportError
from toolkit.export.report_csv import neutralise
from toolkit.export.report_json import plain
from toolkit.scenario.run import ScenarioResult

FORMAT = "ketenlens-scenario"
VERSION = 1
RUNS = ("base", "scenario")


def _levers(result: ScenarioResult) -> dict:
    return asdict(result.levers)


def side_by_side(table: pd.DataFrame) -> pd.DataFrame:
    """``month``, ``metric``, ``base``, ``scenario``: the two runs in columns."""
    wide = table.pivot_table(
        index=["metric", "month"], columns="run", values="value", aggfunc="first", sort=False
    )
    return wide.reindex(columns=list(RUNS)).reset_index()[["month", "metric", *RUNS]]


def write_json(result: ScenarioResult, table: pd.DataFrame, path: Path) -> None:
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "start": result.start,
        "months": result.months,
        "levers": _levers(result),
        "sample": result.sample,
        "calibration": [asdict(e) for e in result.calibration.estimates],
        "scenario": table[["month", "run", "metric", "value"]].to_dict(orient="records"),
    }
    atomic_write_text(path, json.dumps(plain(payload), ensure_ascii=False, indent=1))


def write_csv(result: ScenarioResult, table: pd.DataFrame, path: Path) -> None:
    atomic_write_text(path, table.to_csv(index=False))


def write_xlsx(result: ScenarioResult, table: pd.DataFrame, path: Path) -> None:
    book = Workbook()
    sheets = [
        ("scenario", side_by_side(table)),
        ("calibration", pd.DataFrame([asdict(e) for e in result.calibration.estimates])),
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


def write_html(result: ScenarioResult, table: pd.DataFrame, path: Path) -> None:
    wide = side_by_side(table)
    parts = [
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>Ketenlens scenario</title>",
        "<style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:right}"
        "td:first-child,th:first-child{text-align:left}</style>",
        f"<h1>Scenario from {html.escape(str(result.start.date()))}, {result.months} months</h1>",
        f"<p>Levers: {html.escape(json.dumps(_levers(result)))}</p>",
        "<h2>Calibration</h2><table><tr><th>parameter</th><th>value</th><th>how</th></tr>",
        *(
            f"<tr><td>{html.escape(e.parameter)}</td><td>{html.escape(e.value)}</td>"
            f"<td>{html.escape(e.how)}</td></tr>"
            for e in result.calibration.estimates
        ),
        "</table>",
    ]
    for metric, rows in wide.groupby("metric", sort=False):
        parts.append(f"<h2>{html.escape(str(metric))}</h2><table><tr><th>month</th>")
        parts.append("".join(f"<th>{r}</th>" for r in RUNS) + "</tr>")
        for row in rows.itertuples(index=False):
            cells = "".join(f"<td>{_cell(getattr(row, r))}</td>" for r in RUNS)
            parts.append(f"<tr><td>{html.escape(row.month)}</td>{cells}</tr>")
        parts.append("</table>")
    atomic_write_text(path, "\n".join(parts) + "</html>\n")


def _cell(value: object) -> str:
    value = plain(value)
    if value is None:
        return ""
    return (
        f"{value:,.2f}" if isinstance(value, float) and not value.is_integer() else f"{value:,.0f}"
    )


WRITERS = {".json": write_json, ".csv": write_csv, ".xlsx": write_xlsx, ".html": write_html}


def write_scenario(result: ScenarioResult, table: pd.DataFrame, path: Path) -> None:
    """Write ``table`` (the result's, suppressed or not) by the file's extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in WRITERS:
        raise ExportError(
            f"{path}: cannot export a scenario to {suffix or 'a file without extension'}; "
            f"use one of {', '.join(WRITERS)}"
        )
    WRITERS[suffix](result, table, Path(path))
