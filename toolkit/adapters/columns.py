"""Column expressions for the adapters: a rule runs once per distinct value, never once per row.

An export of a million rows holds a few thousand distinct dates, a few hundred codes and places,
one V-nummer per person. Each column is dictionary-encoded with pyarrow (a code per row and the
distinct values); the cleaning rules of :mod:`toolkit.adapters.parsing` run on the distinct values
only, and their results go back to the rows with one numpy ``take``. So the rules stay readable
Python, exact and tested value by value, while the work per row is columnar.

Distinct means distinct in type as well: the number cell ``1``, the text ``'1'`` and ``True`` are
different values (a rule may treat them differently). Example::

    >>> codes, values = distinct(np.array(["a", 1, "a", True], dtype=object))
    >>> codes.tolist(), values
    ([0, 1, 0, 2], ['a', 1, True])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa


def objects(values: Sequence[Any]) -> np.ndarray:
    """A one-dimensional object array of ``values`` (tuples stay elements, never become rows)."""
    return np.fromiter(values, dtype=object, count=len(values))


def _encode(values: np.ndarray) -> tuple[np.ndarray, list[Any]] | None:
    """Dictionary-encode values of one Python type with pyarrow; None when arrow cannot hold them."""
    try:
        encoded = pa.array(values, from_pandas=True).dictionary_encode(null_encoding="encode")
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        return None
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp, copy=False)
    return codes, encoded.dictionary.to_pylist()


def _encode_by_type(values: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """Dictionary-encode a column of mixed types: each type on its own, so 1 and '1' stay apart."""
    kinds, types = pd.factorize(np.frompyfunc(type, 1, 1)(values))
    codes = np.empty(len(values), dtype=np.intp)
    uniques: list[Any] = []
    for k in range(len(types)):
        where = np.flatnonzero(kinds == k)
        part = values[where]
        encoded = _encode(part) if len(types) > 1 else None
        if encoded is None:  # values arrow cannot hold (an integer past 64 bits): a dict does
            index: dict[Any, int] = {}
            part_codes = np.fromiter(
                (index.setdefault(v, len(index)) for v in part), dtype=np.intp, count=len(part)
            )
            encoded = part_codes, list(index)
        codes[where] = encoded[0] + len(uniques)
        uniques.extend(encoded[1])
    return codes, uniques


def distinct(values: Sequence[Any] | np.ndarray | pd.Series) -> tuple[np.ndarray, list[Any]]:
    """A code per row and the distinct values the codes point into (empty cells are None)."""
    array = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
    if not isinstance(array, np.ndarray) or array.dtype != object:
        array = objects(list(array))
    if len(array) == 0:
        return np.zeros(0, dtype=np.intp), []
    encoded = _encode(array)
    if encoded is not None and _keeps_types(array, encoded[1]):
        return encoded
    return _encode_by_type(array)


def _keeps_types(array: np.ndarray, uniques: list[Any]) -> bool:
    """Whether arrow kept each value's Python type (it turns 1 among floats into 1.0)."""
    present = {type(u) for u in uniques if u is not None}
    if len(present) != 1:
        return not present
    kind = present.pop()
    if kind is float:
        # NaN is an empty cell like None; any int among the floats is a type arrow changed
        return not np.frompyfunc(lambda v: v.__class__ is int, 1, 1)(array).any()
    return True


def _results(results: list[Any], codes: np.ndarray, parts: int | None) -> Any:
    if parts is None:
        return objects(results)[codes]
    return tuple(objects([r[i] for r in results])[codes] for i in range(parts))


def per_value(
    values: Sequence[Any] | np.ndarray | pd.Series,
    fn: Callable[[Any], Any],
    parts: int | None = None,
) -> Any:
    """``fn`` of every row's value as an object array, computed once per distinct value.

    With ``parts``, ``fn`` returns a tuple of that many items and each item becomes an array.
    """
    codes, uniques = distinct(values)
    return _results([fn(u) for u in uniques], codes, parts)


def per_pair(
    first: np.ndarray, second: np.ndarray, fn: Callable[[Any, Any], Any], parts: int | None = None
) -> Any:
    """``fn`` of every row's pair of values, computed once per distinct pair (see :func:`per_value`)."""
    codes_a, uniques_a = distinct(first)
    codes_b, uniques_b = distinct(second)
    width = max(len(uniques_b), 1)
    pairs, inverse = np.unique(codes_a.astype(np.int64) * width + codes_b, return_inverse=True)
    results = [fn(uniques_a[int(k // width)], uniques_b[int(k % width)]) for k in pairs]
    return _results(results, inverse.reshape(-1), parts)
