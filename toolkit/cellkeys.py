"""Record keys: what the cell key method perturbs a count of persons by.

The cell key method (docs/method.md, "Disclosure control") gives each person a fixed random
number, their *record key*, and a count the sum of the record keys of the persons counted in it,
modulo 2^32: its *cell key*. The perturbation of a shown count is looked up with that key
(:mod:`toolkit.suppression`). So the same persons give the same shown count wherever they are
counted and however they were selected, and different persons give, almost always, a different
perturbation, even when they are as many.

A record key is an integer in [0, 2^32), so that sums are exact and add up: the key of two
disjoint groups together is the sum of their keys. Each function that counts persons in a
grouping sums their keys in the same grouping, into a column named :func:`key_of` the count
(``persons`` and ``persons_key``). Example::

    >>> keys = record_keys(pd.Series(["a0d7b3db12bbe6d615aa", "5c1f0e9a7d3b2e4c6a8f"]))
    >>> bool(((keys >= 0) & (keys < MODULUS)).all())
    True
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pandas as pd

MODULUS = 2**32
KEY_SUFFIX = "_key"
_RECORD_KEY = b"ketenlens-record-key:"
# The record keys of the last categories asked for: a session holds its log's persons as
# categories, and every view of it shares them.
_KEPT: dict[int, tuple[pd.Index, np.ndarray]] = {}
# Record keys by pseudonym, for columns of text (a few MB for a hundred thousand persons).
_BY_PERSON: dict[str, int] = {}
MAX_REMEMBERED = 2_000_000
# Whether record keys are wanted where the counts are computed (see keyless).
_WANTED: ContextVar[bool] = ContextVar("record_keys_wanted", default=True)


@contextmanager
def keyless(on: bool = True) -> Iterator[None]:
    """Within it (``on``), every record key is 0 and nothing is hashed or summed for the key
    columns: for figures that no one perturbs (analyst mode shows the counts as they are and
    drops the key columns). The counts, and every other figure, are the same either way; only
    the key columns are all 0.

    Example::

        >>> with keyless():
        ...     record_keys(pd.Series(["a0d7b3db12bbe6d615aa"])).tolist()
        [0]
    """
    token = _WANTED.set(not on)
    try:
        yield
    finally:
        _WANTED.reset(token)


def keys_wanted() -> bool:
    """Whether the record keys are computed here (outside :func:`keyless`)."""
    return _WANTED.get()


def key_of(count: str) -> str:
    """The column of the key sums of the count column ``count``."""
    return count + KEY_SUFFIX


def is_key(column: object) -> bool:
    """Whether a column (or a figure's name) holds key sums rather than a figure."""
    return isinstance(column, str) and column.endswith(KEY_SUFFIX)


def _hashed(persons: Iterable[object]) -> np.ndarray:
    """The record key of each of distinct ``persons``; each pseudonym hashed once while the
    memory lasts (the new ones together: their digests joined and read as one array)."""
    if len(_BY_PERSON) > MAX_REMEMBERED:
        _BY_PERSON.clear()
    values = persons.tolist() if hasattr(persons, "tolist") else list(persons)  # fast iteration
    values = [str(p) for p in values]
    new = [p for p in values if p not in _BY_PERSON]
    if new:
        sha256, prefix = hashlib.sha256, _RECORD_KEY
        digests = b"".join([sha256(prefix + p.encode()).digest()[:4] for p in new])
        _BY_PERSON.update(zip(new, np.frombuffer(digests, dtype=">u4").tolist(), strict=True))
    return np.fromiter(map(_BY_PERSON.__getitem__, values), np.int64, len(values))


def record_keys(cases: pd.Series | pd.Index | np.ndarray) -> np.ndarray:
    """Each person's record key in [0, 2^32) (int64), for a column of keyed pseudonyms.

    From the pseudonym alone: only who holds the log can compute them (the pseudonyms are made
    under the pseudonymisation key), and the same person always has the same one. Each distinct
    person is hashed once; a categorical column by its categories, remembered for the last ones.
    """
    if not _WANTED.get():
        return np.zeros(len(cases), dtype=np.int64)
    column = pd.Series(cases) if not isinstance(cases, pd.Series) else cases
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = column.cat.categories
        kept = _KEPT.get(id(categories))
        if kept is None or kept[0] is not categories:
            kept = (categories, _hashed(categories))
            _KEPT.clear()
            _KEPT[id(categories)] = kept
        codes = column.cat.codes.to_numpy()
        return np.where(codes >= 0, kept[1][np.maximum(codes, 0)], 0)
    codes, distinct = pd.factorize(column)
    return np.where(codes >= 0, _hashed(distinct)[np.maximum(codes, 0)], 0)


def key_sum(keys: np.ndarray | pd.Series) -> int:
    """The cell key of the persons with ``keys``: their sum modulo 2^32."""
    return int(np.sum(np.asarray(keys, dtype=np.int64)) % MODULUS)


def key_sums(
    frame: pd.DataFrame, by: str | list[str], case: str = "case", *, distinct: bool = True
) -> pd.Series:
    """Per group of ``by``, the sum of the record keys of its persons (``case``): each person
    once (``distinct``: the cell key of a count of persons), or once per row (of a count of
    events: each event keyed by its person's record key).

    Example::

        >>> frame = pd.DataFrame({"pair": ["x", "x", "y"], "case": ["a", "a", "b"]})
        >>> both = key_sums(frame, "pair", distinct=False)
        >>> bool(both["x"] == 2 * key_sums(frame, "pair")["x"])
        True
    """
    counted = keyed_counts(frame, by, case)
    return counted[key_of("persons") if distinct else key_of("rows")]


def keyed_counts(frame: pd.DataFrame, by: str | list[str], case: str = "case") -> pd.DataFrame:
    """Per group of ``by`` (groups with a missing key left out, in order of first appearance):
    ``persons`` (distinct ``case``), ``rows`` and beside each its key sum, in one pass over
    integer codes of the rows (the cell keys of a count of persons and of a count of events).

    Example::

        >>> frame = pd.DataFrame({"pair": ["x", "x", "y"], "case": ["a", "a", "b"]})
        >>> keyed_counts(frame, "pair")[["persons", "rows"]].values.tolist()
        [[1, 2], [1, 1]]
    """
    columns = [by] if isinstance(by, str) else list(by)
    group, index = _groups(frame, columns)
    wanted = _WANTED.get()
    keys = record_keys(frame[case]).astype(float) if wanted else None  # exact up to 2^53
    person, persons = _codes(frame[case])
    first = ~pd.Series(group * (len(persons) + 1) + person).duplicated().to_numpy()
    inside = group >= 0
    once = inside & first

    def per_group(rows: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        found = np.bincount(group[rows], None if weights is None else weights[rows],
                            minlength=len(index))  # fmt: skip
        return found.astype(np.int64)

    def key_sums_of(rows: np.ndarray) -> np.ndarray:
        return per_group(rows, keys) if keys is not None else np.zeros(len(index), np.int64)

    return pd.DataFrame(
        {
            "persons": per_group(once),
            key_of("persons"): key_sums_of(once),
            "rows": per_group(inside),
            key_of("rows"): key_sums_of(inside),
        },
        index=index,
    )


def _codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Each value's code (-1 missing) and the values: a categorical's own, else factorized."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy().astype(np.int64), column.cat.categories
    codes, values = pd.factorize(column)
    return codes.astype(np.int64), pd.Index(values)


def _groups(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, pd.Index]:
    """Each row's group (-1 where a key is missing, as a grouping drops it) in order of first
    appearance, and the groups' keys: one code per row from the columns' codes, not a
    grouping of text."""
    parts = [_codes(frame[c]) for c in columns]
    combined = np.zeros(len(frame), dtype=np.int64)
    missing = np.zeros(len(frame), dtype=bool)
    for codes, values in parts:
        combined = combined * (len(values) + 1) + codes + 1
        missing |= codes < 0
    group, found = pd.factorize(np.where(missing, -1, combined))
    labels, rest = [], np.asarray(found)
    for _, values in reversed(parts):  # the mixed-radix code, last column first
        labels.append(values[rest % (len(values) + 1) - 1])
        rest = rest // (len(values) + 1)
    labels.reverse()
    if (~missing).all():
        index = labels[0] if len(labels) == 1 else pd.MultiIndex.from_arrays(labels, names=columns)
        return group.astype(np.int64), index.rename(columns[0]) if len(labels) == 1 else index
    # the missing ones were numbered too: renumber the others, drop theirs
    keep = np.asarray(found) != -1
    renumber = np.full(len(found), -1)
    renumber[keep] = np.arange(int(keep.sum()))
    labels = [values[keep] for values in labels]
    index = labels[0] if len(labels) == 1 else pd.MultiIndex.from_arrays(labels, names=columns)
    return renumber[group], index.rename(columns[0]) if len(labels) == 1 else index


def at_least(days: np.ndarray, keys: np.ndarray, at: np.ndarray) -> np.ndarray:
    """For each of ``at``, the sum of the ``keys`` of the persons whose ``days`` are at least
    that long: the cell key of the persons still at risk then (one cumulative sum, as the
    count is one sorted search).

    Example::

        >>> at_least(np.array([3.0, 10.0]), np.array([1, 2]), np.array([0.0, 7.0, 14.0])).tolist()
        [3, 2, 0]
    """
    if not _WANTED.get():
        return np.zeros(len(at), dtype=np.int64)
    order = np.argsort(days, kind="stable")
    suffix = np.append(np.cumsum(keys[order][::-1])[::-1], 0)
    return suffix[np.searchsorted(days[order], at, side="left")]
