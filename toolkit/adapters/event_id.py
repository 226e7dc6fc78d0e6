"""Deterministic event ids: the same fact gets the same id, whichever export it came from.

The id is a hash of the source system and the event's normalised content (pseudonym, activity,
UTC timestamp, resource, municipality), never of the file or the row. So the same COA mutation in
two overlapping monthly exports is one event, and ingesting an export again adds nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pandas as pd

EVENT_ID_LENGTH = 24
_SEP = "\x1f"


def _text(values: pd.Series) -> list[str]:
    return ["" if v is None or v is pd.NA or v != v else str(v) for v in values.tolist()]


def content_ids(source_system: str, parts: Sequence[pd.Series]) -> pd.Series:
    """One id per row from the text of each part; a timestamp part is written as UTC microseconds.

    ``parts`` are equally long Series in a fixed order; empty values hash as empty text, so an
    event without a municipality and one with an empty municipality are the same event.
    """
    columns: list[list[str]] = []
    index = parts[0].index if parts else pd.RangeIndex(0)
    for part in parts:
        if isinstance(part.dtype, pd.DatetimeTZDtype):
            micros = part.dt.tz_convert("UTC").dt.as_unit("us").astype("int64")
            columns.append([str(m) for m in micros.tolist()])
        else:
            columns.append(_text(part))
    prefix = source_system + _SEP
    ids = [
        hashlib.sha256((prefix + _SEP.join(row)).encode("utf-8")).hexdigest()[:EVENT_ID_LENGTH]
        for row in zip(*columns, strict=True)
    ]
    return pd.Series(ids, index=index, dtype="str")


def occurrence(keys: pd.Series) -> pd.Series:
    """0 for the first row with a key, 1 for the second, ...: tells repeated identical events apart.

    Used for logs of other processes, where two identical events in one trace are what the log
    says happened (pm4py counts both), not a copy from an overlapping export.
    """
    return keys.groupby(keys, sort=False).cumcount()
