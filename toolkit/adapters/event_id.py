"""Deterministic event ids: the same fact gets the same id, whichever export it came from.

The id is a hash of the source system and the event's normalised content (pseudonym, activity,
UTC timestamp, resource, municipality), never of the file or the row. So the same COA mutation in
two overlapping monthly exports is one event, and ingesting an export again adds nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.digests import hex_prefixes

EVENT_ID_LENGTH = 24
_SEP = "\x1f"
_TEXT = pa.large_string()
_AS_STR = {_TEXT: pd.StringDtype(na_value=np.nan)}


def _text(values: pd.Series) -> pa.Array:
    """A part as arrow text: a timestamp as UTC microseconds, text as it is, anything else as
    ``str`` of the value; empty values are null (they are joined as empty text)."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        micros = values.dt.tz_convert("UTC").dt.as_unit("us").astype("int64")
        return pa.array(micros.to_numpy()).cast(_TEXT)
    if values.dtype == "str":
        return pa.array(values).cast(_TEXT)
    if isinstance(values.dtype, pd.CategoricalDtype) and values.cat.categories.dtype == "str":
        return pa.array(values).dictionary_decode().cast(_TEXT)
    return pa.array(
        [None if v is None or v is pd.NA or v != v else str(v) for v in values.tolist()], _TEXT
    )


def content_ids(source_system: str, parts: Sequence[pd.Series]) -> pd.Series:
    """One id per row from the text of each part; a timestamp part is written as UTC microseconds.

    ``parts`` are equally long Series in a fixed order; empty values hash as empty text, so an
    event without a municipality and one with an empty municipality are the same event. The text
    of each row is joined in arrow; only the hash runs once per row (its digests are written as
    hex at once, :func:`~toolkit.digests.hex_prefixes`).
    """
    if not parts:
        return pd.Series([], dtype="str")
    index = parts[0].index
    joined = pc.binary_join_element_wise(
        pa.scalar(source_system, _TEXT),
        *(_text(part) for part in parts),
        pa.scalar(_SEP, _TEXT),
        null_handling="replace",
        null_replacement="",
    )
    sha256 = hashlib.sha256
    rows = joined.cast(pa.large_binary()).to_pylist()
    ids = hex_prefixes(b"".join([sha256(row).digest() for row in rows]), len(rows), EVENT_ID_LENGTH)
    return ids.to_pandas(types_mapper=_AS_STR.get).set_axis(index)


def occurrence(keys: pd.Series) -> pd.Series:
    """0 for the first row with a key, 1 for the second, ...: tells repeated identical events apart.

    Used for logs of other processes, where two identical events in one trace are what the log
    says happened (pm4py counts both), not a copy from an overlapping export.
    """
    return keys.groupby(keys, sort=False).cumcount()
