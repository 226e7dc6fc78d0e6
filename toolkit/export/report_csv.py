"""The analysis as CSV: the ranked findings in FILE, every other table in a file beside it.

``findings.csv`` holds the findings; ``findings.intervals.csv``, ``findings.norms.csv``, ... hold
the tables behind them (empty tables are skipped). The files are UTF-8 with a byte-order mark and
a comma separator, so Excel opens them with the accents intact.

A CSV file is opened in a spreadsheet, and a spreadsheet runs a cell that starts with ``=``,
``+``, ``-`` or ``@`` as a formula (CSV injection). Activity names, locations and segment values
come from source exports that anyone may have typed into, so every text cell that starts with one
of those characters (or a tab or carriage return) gets a leading apostrophe, which spreadsheets
show as text. :func:`neutralise` is the one place this happens; the xlsx report uses it too.
Example::

    >>> neutralise('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> write_csv(analysis, Path("findings.csv"))  # doctest: +SKIP
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.analysis import Analysis
from toolkit.atomic import atomic_write
from toolkit.export.report_json import plain

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ENCODING = "utf-8-sig"


def neutralise(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_ready(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with plain values (ISO moments, dicts as JSON) and every text cell neutralised."""
    out = {}
    for column in table.columns:
        values = [plain(v) for v in table[column].tolist()]
        values = [json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                  for v in values]  # fmt: skip
        out[str(neutralise(column))] = pd.Series([neutralise(v) for v in values], dtype=object)
    return pd.DataFrame(out, columns=list(out))


def table_path(path: Path, name: str) -> Path:
    """Where the table ``name`` goes beside the findings file ``path``."""
    return path.with_name(f"{path.stem}.{name}{path.suffix}")


def _write_table(table: pd.DataFrame, path: Path) -> None:
    ready = csv_ready(table)
    atomic_write(path, lambda tmp: ready.to_csv(tmp, index=False, encoding=ENCODING))


def write_csv(analysis: Analysis, path: Path) -> list[Path]:
    """Write the findings to ``path`` and the other non-empty tables beside it; return the paths."""
    path = Path(path)
    written = []
    tables = {
        **analysis.tables(),
        "summary": analysis.summary_table(),
        "method": pd.DataFrame(analysis.method, columns=["topic", "note"]),
    }
    for name, table in tables.items():
        if name != "findings" and table.empty:
            continue
        target = path if name == "findings" else table_path(path, name)
        _write_table(table, target)
        written.append(target)
    return written
