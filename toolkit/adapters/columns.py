"""Column expressions for the adapters: a rule runs once per distinct value, never once per row.

An export of a million rows holds a few thousand distinct dates, a few hundred codes and places,
one V-nummer per person. Each column is dictionary-encoded (pandas' hash factorisation: a code per
row and the distinct values); the cleaning rules of :mod:`toolkit.adapters.parsing` run on the
distinct values only, and their results stay coded the same way (:class:`Coded`: the rows' codes
and a result per distinct value) until rows are picked with numpy. So the rules stay readable
Python, exact and tested value by value, while the work per row is columnar.

Distinct means distinct in type as well: the number cell ``1``, the text ``'1'`` and ``True`` are
different values (a rule may treat them differently). Example::

    >>> codes, values = distinct(np.array(["a", 1, "a", True], dtype=object))
    >>> codes.tolist(), values
    ([0, 1, 0, 2], ['a', 1, True])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd


def objects(values: Sequence[Any]) -> np.ndarray:
    """A one-dimensional object array of ``values`` (tuples stay elements, never become rows)."""
    return np.fromiter(values, dtype=object, count=len(values))


def _factorize(values: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """Codes and distinct values of values whose types cannot be equal to each other (an empty
    cell is None)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    out = uniques.tolist()
    for i in np.flatnonzero(pd.isna(uniques)):  # None, NaN; and whatever else pandas calls missing
        if _empty(out[i]):
            out[i] = None
    return codes.astype(np.intp, copy=False), out


def _factorize_one_type(values: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """:func:`_factorize` for a column of one type whose only empty cells are None or NaN."""
    codes, uniques = pd.factorize(values)
    codes = codes.astype(np.intp, copy=False)
    out = uniques.tolist()
    if (codes < 0).any():
        codes[codes < 0] = len(out)
        out.append(None)
    return codes, out


def _empty(value: object) -> bool:
    return value is None or (value.__class__ is float and value != value)


@dataclass(frozen=True)
class Coded:
    """A column as a code per row and the distinct values the codes point into."""

    codes: np.ndarray
    uniques: list[Any]

    def rows(self, which: np.ndarray) -> Coded:
        """The same column for some of its rows only (given as a mask or positions)."""
        return Coded(self.codes[which], self.uniques)

    def values(self, which: np.ndarray | None = None) -> np.ndarray:
        """The column's value in every row (or in the given rows), as an object array."""
        codes = self.codes if which is None else self.codes[which]
        return objects(self.uniques)[codes]

    def present(self) -> np.ndarray:
        """Per distinct value: whether it is not None (a row has a value where its code's is)."""
        return objects(self.uniques) != None  # noqa: E711 (elementwise on an object array)


Values = Sequence[Any] | np.ndarray | pd.Series | Coded


def distinct(values: Values) -> tuple[np.ndarray, list[Any]]:
    """A code per row and the distinct values the codes point into (empty cells are None)."""
    if isinstance(values, Coded):
        return values.codes, values.uniques
    array = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
    if not isinstance(array, np.ndarray) or array.dtype != object:
        array = objects(list(array))
    if len(array) == 0:
        return np.zeros(0, dtype=np.intp), []
    if pd.api.types.infer_dtype(array, skipna=True) in _ONE_TYPE:
        return _factorize_one_type(array)
    if sum(t not in _NEVER_EQUAL for t in set(map(type, array))) <= 1:
        return _factorize(array)  # hashing cannot mix types up
    kinds, types = pd.factorize(_TYPE(array))
    codes = np.empty(len(array), dtype=np.intp)
    uniques: list[Any] = []
    for k in range(len(types)):
        where = np.flatnonzero(kinds == k)
        part_codes, part_uniques = _factorize(array[where])
        codes[where] = part_codes + len(uniques)
        uniques.extend(part_uniques)
    return codes, uniques


_TYPE = np.frompyfunc(type, 1, 1)
# What pandas infers for a column of one Python type (besides empty cells).
_ONE_TYPE = frozenset({"string", "floating", "integer", "boolean", "empty"})
# Types whose values are never equal to a value of another type; the others (1 == 1.0 == True,
# a pandas Timestamp and a datetime) are told apart before hashing when two of them meet.
_NEVER_EQUAL = frozenset({type(None), str, date, datetime, time, timedelta})


def _results(results: list[Any], codes: np.ndarray, parts: int | None) -> Any:
    if parts is None:
        return Coded(codes, results)
    return tuple(Coded(codes, [r[i] for r in results]) for i in range(parts))


def per_value(
    values: Values,
    fn: Callable[[Any], Any],
    parts: int | None = None,
) -> Any:
    """``fn`` of every row's value, computed once per distinct value: a :class:`Coded` column
    with the rows' codes and a result per distinct value.

    With ``parts``, ``fn`` returns a tuple of that many items and each item becomes a column.
    """
    codes, uniques = distinct(values)
    return _results([fn(u) for u in uniques], codes, parts)


def per_pair(
    first: Values, second: Values, fn: Callable[[Any, Any], Any], parts: int | None = None
) -> Any:
    """``fn`` of every row's pair of values, computed once per distinct pair (see :func:`per_value`)."""
    codes_a, uniques_a = distinct(first)
    codes_b, uniques_b = distinct(second)
    width = max(len(uniques_b), 1)
    inverse, pairs = pd.factorize(codes_a.astype(np.int64) * width + codes_b, sort=True)
    results = [fn(uniques_a[int(k // width)], uniques_b[int(k % width)]) for k in pairs]
    return _results(results, inverse.astype(np.intp, copy=False), parts)
