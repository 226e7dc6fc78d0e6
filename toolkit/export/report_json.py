"""The analysis as one JSON document, for other tools and for scripts.

Shape (every table a list of records with the column names of :mod:`toolkit.analysis`)::

    {"format": "ketenlens-analysis", "version": 1,
     "summary": {...}, "conformance": {...},
     "findings": [{"rank", "family", "kind", "title_nl", "title_en", "segment", "metric", "value",
                   "benchmark", "persons", "excess_person_days", "confidence", "filter", ...}],
     "intervals": [{"interval", "from_activity", "to_activity", "persons", "still_open",
                    "median_days", "median_days_completed_only", "p90_days", "norm_days",
                    "share_over_norm", "inferred_end", ...}],
     "cohort_curves": [{"interval", "cohort", "days", "survival", "at_risk", "persons"}],
     "norms": [...], "norms_by_month": [...], "throughput": [...], "wip": [...], "flow": [...],
     "transitions": [...], "service_times": [...], "handovers": [...], "variants": [...],
     "deviations": [...], "rework": [...], "method": [{"topic", "note"}]}

Missing and suppressed figures are ``null`` (never NaN, which is not JSON); moments are ISO 8601
in UTC, calendar days (work in progress, weeks) are ``YYYY-MM-DD``. Example::

    >>> write_json(analysis, Path("findings.json"))  # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit.analysis import Analysis
from toolkit.atomic import atomic_write_text

FORMAT = "ketenlens-analysis"
VERSION = 1


def plain(value: Any) -> Any:
    """A JSON-ready Python value: numpy scalars unwrapped, NaN/NaT as None, moments as ISO text."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, pd.Timestamp | datetime):
        return _moment(pd.Timestamp(value))
    if isinstance(value, date):
        return value.isoformat()
    return value


def _moment(stamp: pd.Timestamp) -> str:
    """A tz-aware moment as ISO UTC; a naive midnight (a calendar day) as the day."""
    if stamp.tzinfo is None and stamp == stamp.normalize():
        return stamp.date().isoformat()
    return stamp.isoformat()


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``table`` as JSON-ready dicts."""
    return [{str(k): plain(v) for k, v in row.items()} for row in table.to_dict(orient="records")]


def document(analysis: Analysis) -> dict[str, Any]:
    """The analysis as the JSON document described in the module docstring."""
    out: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "summary": plain(analysis.summary),
        "conformance": plain(analysis.conformance),
    }
    for name, table in analysis.tables().items():
        out[name] = records(table)
    out["method"] = plain(analysis.method)
    return out


def write_json(analysis: Analysis, path: Path) -> Path:
    """Write the analysis to ``path`` atomically (UTF-8, indented, strict JSON)."""
    text = json.dumps(document(analysis), ensure_ascii=False, indent=1, allow_nan=False)
    atomic_write_text(Path(path), text + "\n")
    return Path(path)
