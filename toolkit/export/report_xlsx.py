"""The analysis as an Excel workbook: one sheet per table, ready to filter, sort and chart.

Sheets: Summary, Findings, Norms, Norms per month, Throughput times (the milestone intervals),
Case duration, Work in progress, Flow per week, Transitions, Handovers, Variants, Conformance,
Rework and Method. Every sheet has a frozen, bold header row and an autofilter; columns get a
width that fits their content and a number format by meaning (days with one decimal, shares as
percentages, counts with a thousands separator, calendar days as dates). Charts where they help:
the findings by excess person-days, the intervals against their norms, work in progress per day.

Text from the log (activity names, locations, segment values) goes through
:func:`toolkit.export.report_csv.neutralise`, so a value such as ``=HYPERLINK(...)`` is stored
as text and never as a live formula. Moments are written as Amsterdam local time without a zone
(Excel has no time zones).

Without ``readable`` the workbook is for machines as much as for people: English sheet names,
the toolkit's own column names and codes. A front end that speaks a language (the dashboard)
passes a :class:`Readable` with its translations: sheet names, headers, chart titles and the
tables with their codes named (activities, organisations, municipalities). Formats and charts
follow the toolkit's column names, so they are the same in every language. Example::

    >>> write_xlsx(analysis, Path("findings.xlsx"))  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from toolkit.analysis import Analysis
from toolkit.atomic import atomic_write
from toolkit.export.report_csv import neutralise
from toolkit.export.report_json import plain
from toolkit.filters import LOCAL_TZ

DAYS_FORMAT = "#,##0.0"
SHARE_FORMAT = "0.0%"
COUNT_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"
MOMENT_FORMAT = "yyyy-mm-dd hh:mm"
NUMBER_FORMAT = "#,##0.00"
MIN_WIDTH, MAX_WIDTH = 8, 60
# widths are measured on the first rows only: enough to fit the content of a sorted table
WIDTH_SAMPLE = 200
CHART_ROWS = 10
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
HEADER_FONT = Font(bold=True)


@dataclass(frozen=True)
class Readable:
    """How a workbook reads for people in one language.

    ``text`` gives a sheet's name, a column's header or a chart's title for the toolkit's own
    (English) text; ``values`` returns a sheet's table with its codes named (it may drop
    columns, not rename them).
    """

    text: Callable[[str], str]
    values: Callable[[str, pd.DataFrame], pd.DataFrame]


PLAIN = Readable(text=lambda name: name, values=lambda sheet, table: table)


def _sheets(analysis: Analysis) -> list[tuple[str, pd.DataFrame]]:
    return [
        ("Summary", analysis.summary_table()),
        ("Findings", analysis.findings_table()),
        ("Norms", analysis.norms),
        ("Norms per month", analysis.norms_by_month),
        ("Throughput times", analysis.intervals),
        *([("Curves per cohort", analysis.cohort_curves)] if analysis.is_chain else []),
        ("Case duration", analysis.throughput),
        ("Work in progress", analysis.wip),
        ("Flow per week", analysis.flow),
        ("Transitions", analysis.transitions),
        *([("Service times", analysis.service_times)] if len(analysis.service_times) else []),
        ("Handovers", analysis.handovers),
        ("Variants", analysis.variants),
        ("Conformance", analysis.deviations),
        ("Rework", analysis.rework),
        ("Method", pd.DataFrame(analysis.method, columns=["topic", "note"])),
    ]


def number_format(column: str, values: pd.Series) -> str | None:
    """The Excel number format for a column, chosen by its name and type."""
    name = column.lower()
    if pd.api.types.is_datetime64_any_dtype(values):
        naive = values.dt.tz is None if hasattr(values.dt, "tz") else True
        midnight = naive and bool((values.dropna() == values.dropna().dt.normalize()).all())
        return DATE_FORMAT if midnight else MOMENT_FORMAT
    if "share" in name:
        return SHARE_FORMAT
    if "days" in name or name in {"norm_days", "median", "p90"}:
        return DAYS_FORMAT
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    if len(numbers) and (numbers == numbers.round()).all() and values.dtype != float:
        return COUNT_FORMAT
    if len(numbers):
        return NUMBER_FORMAT
    return None


def cell_value(value: Any) -> Any:
    """A value openpyxl can store: plain, local naive moments, JSON for dicts, neutralised text."""
    if isinstance(value, pd.Timestamp):
        if value is pd.NaT:
            return None
        if value.tzinfo is not None:
            value = value.tz_convert(LOCAL_TZ).tz_localize(None)
        return value.to_pydatetime()
    value = plain(value)
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return neutralise(value)


def write_sheet(sheet: Worksheet, table: pd.DataFrame, readable: Readable = PLAIN) -> None:
    """Header, rows, frozen header, autofilter, widths and number formats for one table."""
    columns = [str(c) for c in table.columns]
    headers = [readable.text(c) for c in columns]
    sheet.append([neutralise(c) for c in headers])
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="top")
    for row in table.itertuples(index=False, name=None):
        sheet.append([cell_value(v) for v in row])
    sheet.freeze_panes = "A2"
    last = get_column_letter(max(len(columns), 1))
    sheet.auto_filter.ref = f"A1:{last}{max(len(table) + 1, 1)}"
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        fmt = number_format(column, table[column]) if len(table) else None
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = fmt
        sample = [len(str(v)) for v in table[column].head(WIDTH_SAMPLE).tolist() if v is not None]
        width = max([len(headers[index - 1]), *sample]) + 2
        sheet.column_dimensions[letter].width = min(max(width, MIN_WIDTH), MAX_WIDTH)


def _column(table: pd.DataFrame, name: str) -> int | None:
    """The sheet column (1-based) of a toolkit column of ``table``."""
    columns = [str(c) for c in table.columns]
    return columns.index(name) + 1 if name in columns else None


def _findings_chart(sheet: Worksheet, table: pd.DataFrame, text: Callable[[str], str]) -> None:
    rows = len(table)
    value, label = _column(table, "excess_person_days"), _column(table, "rank")
    if not rows or value is None or label is None:
        return
    last = min(rows, CHART_ROWS) + 1
    chart = BarChart()
    chart.type = "bar"
    chart.title = text("Top findings by excess person-days")
    chart.y_axis.title = text("person-days")
    chart.x_axis.title = text("rank")
    chart.add_data(Reference(sheet, min_col=value, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=label, min_row=2, max_row=last))
    chart.height, chart.width = 9, 18
    sheet.add_chart(chart, f"{get_column_letter(sheet.max_column + 2)}2")


def _intervals_chart(sheet: Worksheet, table: pd.DataFrame, text: Callable[[str], str]) -> None:
    rows = len(table)
    label, median, norm = (_column(table, c) for c in ("interval", "median_days", "norm_days"))
    if not rows or None in (label, median, norm):
        return
    chart = BarChart()
    chart.title = text("Median (Kaplan-Meier) against the norm, in days")
    chart.y_axis.title = text("days")
    for col in (median, norm):
        chart.add_data(
            Reference(sheet, min_col=col, min_row=1, max_row=rows + 1), titles_from_data=True
        )
    chart.set_categories(Reference(sheet, min_col=label, min_row=2, max_row=rows + 1))
    chart.height, chart.width = 9, 20
    sheet.add_chart(chart, f"A{rows + 4}")


def _wip_chart(sheet: Worksheet, table: pd.DataFrame, text: Callable[[str], str]) -> None:
    rows = len(table)
    if not rows or sheet.max_column < 2:
        return
    chart = LineChart()
    chart.title = text("Persons in each phase, per day")
    chart.y_axis.title = text("persons")
    chart.x_axis.number_format = DATE_FORMAT
    last_phase = sheet.max_column - 1 if _column(table, "suppressed") else sheet.max_column
    data = Reference(sheet, min_col=2, max_col=last_phase, min_row=1, max_row=rows + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=rows + 1))
    chart.height, chart.width = 10, 24
    sheet.add_chart(chart, f"{get_column_letter(sheet.max_column + 2)}2")


CHARTS: dict[str, Callable[[Worksheet, pd.DataFrame, Callable[[str], str]], None]] = {
    "Findings": _findings_chart,
    "Throughput times": _intervals_chart,
    "Work in progress": _wip_chart,
}


def workbook(analysis: Analysis, readable: Readable = PLAIN) -> Workbook:
    """The workbook in memory (see the module docstring for its sheets)."""
    book = Workbook()
    book.remove(book.active)
    for title, table in _sheets(analysis):
        table = readable.values(title, table)
        sheet = book.create_sheet(readable.text(title))
        write_sheet(sheet, table, readable)
        if title in CHARTS:
            CHARTS[title](sheet, table, readable.text)
    return book


def write_xlsx(analysis: Analysis, path: Path, readable: Readable = PLAIN) -> Path:
    """Write the workbook to ``path`` atomically."""
    book = workbook(analysis, readable)
    atomic_write(Path(path), lambda tmp: book.save(tmp))
    return Path(path)
