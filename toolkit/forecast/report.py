"""The forecast as a file: xlsx, csv, json or a standalone html report.

The writers of :mod:`toolkit.export` do the formatting (number formats and neutralised text in
Excel, plain JSON values, spreadsheet-safe CSV), so a forecast file looks and behaves like an
``analyze`` export; the html report is a document for a reader, in Dutch by default
(:mod:`toolkit.forecast.report_html`). JSON holds ``summary``,
``forecast`` (rows ``{month, municipality, metric, expected, low, high}``; municipality empty for
the nation), ``taakstelling``, ``waits`` and ``method``. CSV writes the forecast rows to the file
and the other tables beside it (``NAME.taakstelling.csv``, ...). Example::

    >>> write_forecast(fc, Path("vooruitblik.xlsx"))  # doctest: +SKIP
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from toolkit.atomic import atomic_write, atomic_write_text
from toolkit.errors import ExportError
from toolkit.export.report_csv import ENCODING, csv_ready, table_path
from toolkit.export.report_json import plain, records
from toolkit.export.report_xlsx import write_sheet
from toolkit.forecast.pipeline import Forecast
from toolkit.forecast.report_html import forecast_html

FORMAT = "ketenlens-forecast"
VERSION = 1
SUFFIXES = (".xlsx", ".csv", ".json", ".html")


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
        atomic_write_text(path, forecast_html(fc, language=language))
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
