"""Column helpers shared by the XES and OCEL writers: render each distinct value once.

A log of 2 million events holds few distinct values in most columns (activities, organisations,
locations), so a writer factorizes a column, renders its distinct values to text once and takes
the rendered text by code. Values that need no escaping (nearly all: pseudonyms, codes, names)
are wrapped by vectorised string addition; only the rare value with a special character goes
through the escaping function. That keeps the exports streaming and fast without a per-event
XML or JSON library call.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

# XES and OCEL times: ISO 8601 in UTC with milliseconds and an explicit offset. The log holds UTC;
# the local zone (Europe/Amsterdam) is a matter of display in the tool that reads the export.
UTC_OFFSET = "+00:00"
# The start of the epoch: the time of an object attribute that holds from the beginning (OCEL 2.0).
EPOCH = "1970-01-01T00:00:00.000" + UTC_OFFSET


def iso_times(stamps: pd.Series) -> np.ndarray:
    """UTC timestamps as ``2024-01-03T09:00:00.000+00:00`` (object array, None where empty)."""
    utc = pd.to_datetime(stamps, utc=True)
    naive = utc.dt.tz_localize(None).to_numpy(dtype="datetime64[ms]")
    out = np.datetime_as_string(naive, unit="ms").astype(object) + UTC_OFFSET
    out[utc.isna().to_numpy()] = None
    return out


def attribute_kind(values: pd.Series) -> str:
    """How a column is typed in an export: ``date``, ``int``, ``float``, ``boolean`` or ``string``."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return attribute_kind(pd.Series(dtype.categories))
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    return "string"


def _text(values: pd.Series) -> np.ndarray:
    """Each value as text in the export's notation (object array, None where empty)."""
    kind = attribute_kind(values)
    if kind == "date":
        return iso_times(values)
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(values.dtype.categories.dtype)
    out = values.to_numpy(dtype=object, na_value=None)
    if kind == "boolean":
        return np.array([None if v is None else str(bool(v)).lower() for v in out], dtype=object)
    if kind == "int":
        return np.array([None if v is None else str(int(v)) for v in out], dtype=object)
    return np.array([None if v is None else str(v) for v in out], dtype=object)


def plain_text(values: pd.Series) -> np.ndarray:
    """The values as text in the export's notation (object array, None where empty).

    Converted once per distinct value and taken by code: a column repeats its values.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = np.empty(len(uniques) + 1, dtype=object)
    text[:-1] = _text(pd.Series(uniques))
    text[-1] = None
    return text[codes]


def affix(
    values: pd.Series | np.ndarray,
    head: str,
    tail: str,
    *,
    special: re.Pattern[str],
    escape: Callable[[str], str],
    empty: str = "",
) -> np.ndarray:
    """Per row ``head + text + tail``, the text escaped where ``special`` finds a character.

    The column is factorized first and only its distinct values are turned into text (see
    :func:`plain_text`), so a column of 2 million times or codes costs a hash pass, not 2 million
    conversions. ``empty`` where the value is missing.
    """
    if not isinstance(values, pd.Series):
        values = pd.Series(values, dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = _text(pd.Series(uniques))
    for i in [i for i, hit in enumerate(map(special.search, text)) if hit]:
        text[i] = escape(text[i])
    rendered = np.empty(len(text) + 1, dtype=object)
    if len(text):
        rendered[:-1] = head + text + tail
    rendered[-1] = empty
    return rendered[codes]  # the sentinel -1 takes the last entry: ``empty``


def join_groups(fragments: np.ndarray, positions: np.ndarray, n: int, sep: str = "") -> list[str]:
    """For each of ``n`` groups, its fragments joined; ``positions`` (sorted) gives each group."""
    bounds = np.searchsorted(positions, np.arange(n + 1)).tolist()
    return [sep.join(fragments[a:b]) for a, b in itertools.pairwise(bounds)]
