"""The canonical chain event log: its schema, the one validation every writer calls, and storage.

Columns follow pm4py's names, so every pm4py function takes the log as it is (see the contract in
ARCHITECTURE.md). Invariants, checked by :func:`validate` before anything is written: timestamps
are tz-aware UTC; there is no column outside the contract (so no personal-data column can be
written by accident); case ids are pseudonyms, not raw identifiers; events are sorted stably by
case, time and source order (pm4py results depend on order); activities, organisations and
municipalities come from the chain vocabulary.

Example::

    >>> from toolkit.eventlog import read_events
    >>> log = read_events(Path("event_logs/demo/events.parquet"))  # doctest: +SKIP
    >>> log["concept:name"].value_counts().head(3)  # doctest: +SKIP
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pandas.api.extensions import ExtensionArray

from toolkit.atomic import atomic_write
from toolkit.chain import Chain, load_chain
from toolkit.errors import EventLogError
from toolkit.logdir import CASES_FILE
from toolkit.memory import give_back
from toolkit.privacy import PSEUDONYM_LENGTH

CASE = "case:concept:name"
ACTIVITY = "concept:name"
TIMESTAMP = "time:timestamp"
# the XES life-cycle transition (start, complete, ...) of a generic log's events; empty in a
# chain log, whose sources record moments, not the work on them
LIFECYCLE = "lifecycle:transition"
# pm4py's name for the start of an activity instance (a start joined with its complete)
START = "start_timestamp"
GROUP = "org:group"
HOUSEHOLD = "case:household"
RESOURCE = "org:resource"
MUNICIPALITY = "municipality"
EVENT_ID = "event_id"
SOURCE_SYSTEM = "source_system"
SOURCE_FILE = "source_file"
SOURCE_ROW = "source_row"

# Case attributes: one value per person, repeated on each of the person's events (pm4py's way).
CASE_ATTRIBUTES = (
    HOUSEHOLD,
    "case:nationality",
    "case:birth_year_band",
    "case:sex",
    "case:procedure",
    "case:track",
)
# The IND case (pseudonym of the ZAAKNUMMER) on IND events, empty elsewhere. An event attribute,
# not a case attribute: one person can have several IND cases (asylum, then nareis as referent).
IND_CASE = "ind_case"
# `location_type` (COL, AZC, ...) is not personal and the relocation analysis needs it.
EVENT_COLUMNS = (
    CASE,
    ACTIVITY,
    TIMESTAMP,
    LIFECYCLE,
    GROUP,
    RESOURCE,
    MUNICIPALITY,
    "location_type",
    IND_CASE,
    *CASE_ATTRIBUTES,
    EVENT_ID,
    SOURCE_SYSTEM,
    SOURCE_FILE,
    SOURCE_ROW,
)
CATEGORY_COLUMNS = (GROUP, RESOURCE, MUNICIPALITY, "location_type")
SORT_KEYS = (CASE, TIMESTAMP, SOURCE_FILE, SOURCE_ROW)
# The organisations whose exports the adapters read, in the order `sources` names them.
CHAIN_SOURCES = ("IND", "COA", "GEMEENTE")
UTC = "UTC"
TIME_UNIT = "us"
PARQUET_COMPRESSION = "zstd"
# A stored log is a folder of parts (``part-00000.parquet``, ...), one per ingest that added events.
PART_PREFIX = "part-"
PART_DIGITS = 5
_PSEUDONYM = re.compile(rf"^[0-9a-f]{{{PSEUDONYM_LENGTH}}}$")


def _categories(column: str, values: pd.Series, chain: Chain, vocabulary: bool) -> list[str]:
    if vocabulary and column == GROUP:
        return [o.id for o in chain.organisations]
    return sorted({str(v) for v in values.dropna().unique()})


def prepare(
    events: pd.DataFrame,
    *,
    chain: Chain | None = None,
    vocabulary: bool = True,
    spread: bool = False,
    rows: np.ndarray | None = None,
) -> pd.DataFrame:
    """The events in the contract's columns, types and order (missing columns become empty).

    ``vocabulary=False`` is for logs of other processes (the generic profile), whose activities
    and organisations are not the chain's. With ``spread`` each person's case attributes are
    spread over the person's events (:func:`spread_case_attributes`) once they are sorted, and
    before a categorical attribute is made text: its numbers are taken, not its texts.

    ``rows`` (positions in ``events``) keeps only those events: each column is taken once, in
    the sorted order, instead of a copy of the events kept that is then sorted.
    """
    chain = chain or load_chain()
    stray = [c for c in events.columns if c not in EVENT_COLUMNS]
    if stray:
        raise EventLogError(f"column {stray[0]!r} is not part of the event-log contract")
    keys = {column: _converted(events, column, chain, vocabulary) for column in SORT_KEYS}
    order = _sort_order(keys, rows)  # positions in ``rows`` when given
    taken = order if rows is None else rows[order]  # positions in ``events``
    # a category column's categories are the values present: it is converted once kept
    kept = events[[c for c in CATEGORY_COLUMNS if c in events]]
    kept = kept if rows is None else kept.iloc[rows]
    out = pd.DataFrame(index=pd.RangeIndex(len(order)))
    person = None

    def in_order(column: str, values: ExtensionArray) -> ExtensionArray:
        """One column sorted, its case attribute spread, its categorical text made text. Each
        call works on its own column and on objects it makes from it, and only reads what is
        shared (the order, the person runs), so two columns are made at a time, in two threads
        (arrow and numpy let go of the interpreter's lock while they take)."""
        values = values.take(order if column in CATEGORY_COLUMNS else taken)
        if column in CASE_ATTRIBUTES and person is not None:
            values = _last_filled(pd.Series(values), person).array
        if column not in CATEGORY_COLUMNS and isinstance(values.dtype, pd.CategoricalDtype):
            values = _text_of(values)
        return values

    out[CASE] = in_order(CASE, keys.pop(CASE).array)
    if spread and len(out):
        person = _case_runs(out[CASE])
    rest = [c for c in EVENT_COLUMNS if c != CASE]
    unsorted = (  # converted in this thread (pandas), taken in the pool (arrays only)
        (
            keys.pop(c)
            if c in keys
            else _converted(kept if c in CATEGORY_COLUMNS else events, c, chain, vocabulary)
        ).array
        for c in rest
    )
    with ThreadPoolExecutor(max_workers=2) as pool:
        for column, values in zip(rest, pool.map(in_order, rest, unsorted), strict=True):
            out[column] = values
    if spread and person is None:  # cases that are not runs (an empty case): by grouping
        out = spread_case_attributes(out)
    return out


def order_keys(columns: pd.Index | list[str]) -> list[str]:
    """The columns that order a frame's events: :data:`SORT_KEYS` that it has, and for activity
    instances (a start joined with its complete) the start first, as pm4py orders interval logs.

    Example::

        >>> order_keys([CASE, TIMESTAMP, START])
        ['case:concept:name', 'start_timestamp', 'time:timestamp']
    """
    keys = [key for key in SORT_KEYS if key in columns]
    return [CASE, START, *keys[1:]] if START in columns and keys[:1] == [CASE] else keys


def event_order(log: pd.DataFrame, rows: np.ndarray | None = None) -> np.ndarray:
    """The positions of ``log``'s rows (or of ``rows``, positions in it) in the contract's order.

    The order of :func:`~toolkit.bottlenecks.common.sort_events` and of every pm4py call
    (:func:`toolkit.mining.ordering.sorted_log`). An ingested log is stored in
    it and every filter keeps it, so this first compares neighbours (milliseconds on a million
    events) and sorts only rows that are not in order: the sort factorizes the case strings,
    most of a second on a million events.

    Example::

        >>> log.iloc[event_order(log)]  # the rows of sort_events(log)  # doctest: +SKIP
    """
    keys = order_keys(log.columns)
    # rows in their order of a log in order are in order
    if (rows is None or bool(np.all(np.diff(rows) > 0))) and _in_order(log[keys]):
        return np.arange(len(log)) if rows is None else rows
    part = log[keys] if rows is None else log[keys].iloc[rows]
    if _in_order(part):
        positions = np.arange(len(part))
    else:
        positions = part.reset_index(drop=True).sort_values(keys, kind="stable").index.to_numpy()
    return positions if rows is None else rows[positions]


def _in_order(keys: pd.DataFrame) -> bool:
    """Whether no row sorts before its predecessor, so that a stable sort keeps every row."""
    tied = np.ones(max(len(keys) - 1, 0), dtype=bool)  # neighbours equal on the keys so far
    for _, values in keys.items():
        if values.hasnans:  # where a sort puts missing values is the sort's business
            return False
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.cat.codes  # a sort orders a categorical by its categories
        earlier, later = values.array[:-1], values.array[1:]
        if (tied & np.asarray(earlier > later, dtype=bool)).any():
            return False
        tied &= np.asarray(earlier == later, dtype=bool)
    return True


def _converted(events: pd.DataFrame, column: str, chain: Chain, vocabulary: bool) -> pd.Series:
    """One column of the contract in its type (a missing column becomes empty)."""
    if column not in events and column not in (TIMESTAMP, SOURCE_ROW, *CATEGORY_COLUMNS):
        return pd.Series(np.nan, index=events.index, dtype=_TEXT)
    values = events[column] if column in events else pd.Series(None, index=events.index)
    if column == TIMESTAMP:
        return pd.to_datetime(values, utc=True).dt.as_unit(TIME_UNIT)
    if column == SOURCE_ROW:
        return values.astype("int64")
    categorical = isinstance(values.dtype, pd.CategoricalDtype)
    if column in CATEGORY_COLUMNS:
        if categorical:
            cats = _categories(column, values, chain, vocabulary)
            return values.cat.set_categories(cats)
        if not _is_text(values):
            values = values.astype(object).where(values.notna(), None)
        cats = _categories(column, values, chain, vocabulary)
        return pd.Series(pd.Categorical(values, categories=cats), index=events.index)
    if categorical and _is_text(values.cat.categories):
        return values  # text of few values: made text after the sort by :func:`prepare`
    if _is_text(values):
        return values
    return values.astype(object).where(values.notna(), None).astype("str")


def _text_of(values: pd.Categorical) -> pd.api.extensions.ExtensionArray:
    """A categorical of text as text: its categories taken by its codes, in arrow (pandas'
    ``astype`` makes a Python object of every value first)."""
    categories = pa.array(values.categories, pa.large_string())
    codes = values.codes
    taken = categories.take(pa.array(codes, mask=codes < 0))
    return taken.to_pandas(types_mapper={pa.large_string(): _TEXT}.get).array


def _is_text(values: pd.Series) -> bool:
    """Whether a column already has the log's text type (pandas' ``str``: empty is NaN)."""
    return values.dtype == _TEXT


_TEXT = pd.StringDtype(na_value=np.nan)


def sort_order(events: pd.DataFrame) -> np.ndarray:
    """Positions that sort ``events`` stably by case, time and source order (:data:`SORT_KEYS`)."""
    return _sort_order({column: events[column] for column in SORT_KEYS})


def _sort_order(keys: dict[str, pd.Series], rows: np.ndarray | None = None) -> np.ndarray:
    """Positions that sort the events (or the events at ``rows``, positions in ``rows``) stably
    by case, time and source order (:data:`SORT_KEYS`).

    Text keys are sorted as codes of their sorted distinct values, so the sort itself runs on
    integers; an empty key sorts last, as in ``sort_values``.
    """
    codes = []
    for column in reversed(SORT_KEYS):
        values = keys[column]
        if column == TIMESTAMP:
            stamps = values.array.asi8
            code = np.where(values.isna().to_numpy(), np.iinfo(np.int64).max, stamps)
        elif column == SOURCE_ROW:
            code = values.to_numpy()
        else:
            code = _ranks(values)
        codes.append(code if rows is None else code[rows])
    return np.lexsort(codes)


def _ranks(values: pd.Series) -> np.ndarray:
    """Integers that sort as ``values`` sort, an empty value last: the rank of each value among
    the distinct values (a categorical's categories ranked by value, not by their order)."""
    if isinstance(values.dtype, pd.CategoricalDtype) and _is_text(values.cat.categories):
        found, uniques = values.cat.codes.to_numpy(), pa.array(values.cat.categories)
    elif _is_text(values):
        found, uniques = _encoded(values)
    else:
        found, sorted_uniques = pd.factorize(values, sort=True)
        return np.where(found < 0, len(sorted_uniques), found)
    rank = np.empty(len(uniques) + 1, dtype=np.int64)
    rank[pc.sort_indices(uniques).to_numpy()] = np.arange(len(uniques))
    rank[-1] = len(uniques)  # code -1: empty, after every value
    return rank[found]


def factorized(values: pd.Series) -> tuple[np.ndarray, int]:
    """A number per row, the distinct values numbered in order of first appearance (-1 for an
    empty value), and how many there are: ``pd.factorize``, with text hashed by arrow itself
    (pandas adds its own passes over arrow text), or as integers when its values all have one
    length (:func:`_fixed_width_factorized`)."""
    if _is_text(values):
        fixed = _fixed_width_factorized(values)
        if fixed is not None:
            return fixed
        found, uniques = _encoded(values)
        return found, len(uniques)
    found, uniques = pd.factorize(values)
    return found, len(uniques)


def first_occurrence(values: pd.Series) -> np.ndarray:
    """Per row: whether no earlier row holds the same value (``~duplicated(keep="first")``)."""
    return _firsts(factorized(values)[0])


def _firsts(codes: np.ndarray) -> np.ndarray:
    """Per row of numbers in order of first appearance: whether it is the first of its number,
    which is exactly when its number exceeds every number before it."""
    before = np.maximum.accumulate(codes)
    return codes > np.concatenate(([-1], before[:-1]))


def _fixed_width_factorized(values: pd.Series) -> tuple[np.ndarray, int] | None:
    """:func:`factorized` of text whose values (none empty) all have one length in bytes, as event
    ids and pseudonyms have; None for other text.

    Each value's bytes are read in place as 64-bit words and the rows numbered by a hash of their
    words: integers are hashed, not text. The numbers are kept only when every row's words equal
    those of the first row of its number, so the numbering is exact: when two values share a hash
    this gives None, and the caller numbers the text itself.
    """
    array = _one_array(values)
    if not len(array) or array.null_count or array.type not in _OFFSETS:
        return None
    at, data = _value_bytes(array)
    width = int(at[1] - at[0])
    if not width or bool((np.diff(at) != width).any()):
        return None
    words = data[at[0] : at[-1]].reshape(len(array), width)
    if width % _WORD:
        padded = np.zeros((len(array), -(-width // _WORD) * _WORD), dtype=np.uint8)
        padded[:, :width] = words
        words = padded
    words = words.view(np.uint64)
    hashed = words[:, 0].copy()
    for column in range(1, words.shape[1]):
        hashed *= _MIX
        hashed += words[:, column]
    codes, uniques = pd.factorize(hashed)
    if len(uniques) < len(codes):
        first_row = np.flatnonzero(_firsts(codes))  # the first rows, in the order of their numbers
        if not (words == words[first_row[codes]]).all():
            return None
    return codes.astype(np.int64, copy=False), len(uniques)


def _one_array(values: pd.Series) -> pa.Array:
    """Text as one arrow array (it is in chunks when concatenated from parts)."""
    array = pa.array(values)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


# Bytes per word of :func:`_fixed_width_factorized`, and the odd number its hash multiplies by.
_WORD = 8
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _encoded(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
    encoded = pc.dictionary_encode(_one_array(values))
    return pc.fill_null(encoded.indices, -1).to_numpy().astype(np.int64), encoded.dictionary


def _fail(message: str) -> EventLogError:
    return EventLogError(f"event log: {message}")


def validate(
    events: pd.DataFrame, *, chain: Chain | None = None, vocabulary: bool = True
) -> pd.DataFrame:
    """Check the contract; return the log unchanged or raise :class:`EventLogError`.

    Every writer of an event log calls this, so a log on disk always satisfies the invariants.
    """
    chain = chain or load_chain()
    columns = tuple(events.columns)
    if columns != EVENT_COLUMNS:
        extra = [c for c in columns if c not in EVENT_COLUMNS]
        missing = [c for c in EVENT_COLUMNS if c not in columns]
        if extra:
            raise _fail(f"column {extra[0]!r} is not part of the contract (never write it)")
        if missing:
            raise _fail(f"column {missing[0]!r} is missing")
        raise _fail("columns are not in the contract's order")
    stamps = events[TIMESTAMP]
    if not isinstance(stamps.dtype, pd.DatetimeTZDtype) or str(stamps.dtype.tz) != UTC:
        raise _fail(f"{TIMESTAMP} must be tz-aware UTC, not {stamps.dtype}")
    if stamps.isna().any():
        raise _fail(f"{TIMESTAMP} has empty values")
    cases = events[CASE]
    if cases.isna().any() or not _pseudonyms_only(cases):
        raise _fail(f"{CASE} must hold pseudonyms ({PSEUDONYM_LENGTH} hex characters) only")
    for column in (HOUSEHOLD, IND_CASE):
        if not _pseudonyms_only(events[column].dropna()):
            raise _fail(f"{column} must hold pseudonyms only")
    ids = events[EVENT_ID]
    if ids.isna().any() or factorized(ids)[1] != len(ids):
        raise _fail(f"{EVENT_ID} must be present and unique")
    for column in CATEGORY_COLUMNS:
        if not isinstance(events[column].dtype, pd.CategoricalDtype):
            raise _fail(f"{column} must be categorical")
    if not _sorted(events):
        raise _fail("events are not sorted by case, time and source order")
    if (events[IND_CASE].notna() & (events[GROUP] != "IND")).any():
        raise _fail(f"{IND_CASE} is only for IND events")
    if vocabulary:
        _check_vocabulary(events, chain)
    if not _one_value_per_case(events):
        raise _fail("a case attribute has more than one value within a case")
    return events


def _pseudonyms_only(values: pd.Series) -> bool:
    """Whether every value (none empty) is a pseudonym: :data:`PSEUDONYM_LENGTH` lower-case hex
    characters. Arrow text is checked on its bytes: the length of each value, then every byte of
    the values at once against the hex digits."""
    array = pa.array(values) if _is_text(values) else None
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    if array is None or array.null_count or not all(_OFFSETS.get(c.type) for c in chunks):
        return bool(values.str.fullmatch(_PSEUDONYM).all())
    for chunk in chunks:
        if not len(chunk):
            continue
        lengths = pc.min_max(pc.binary_length(chunk))
        if lengths["min"].as_py() != PSEUDONYM_LENGTH or lengths["max"].as_py() != PSEUDONYM_LENGTH:
            return False
        at, data = _value_bytes(chunk)
        if not _HEX[data[at[0] : at[-1]]].all():
            return False
    return True


def _value_bytes(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The offsets of arrow text (where each value starts, and where the last one ends) and the
    bytes they point into: its buffers seen from numpy, not copied."""
    _, offsets, data = chunk.buffers()
    at = np.frombuffer(offsets, dtype=_OFFSETS[chunk.type])[
        chunk.offset : chunk.offset + len(chunk) + 1
    ]
    return at, np.frombuffer(data if data is not None else b"", dtype=np.uint8)


# The offset type of arrow's text types, and which bytes are lower-case hex digits.
_OFFSETS = {pa.string(): np.int32, pa.large_string(): np.int64}
_HEX = np.zeros(256, dtype=bool)
_HEX[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = True


def _sorted(events: pd.DataFrame) -> bool:
    """Whether the events are sorted by :data:`SORT_KEYS` (neighbours compared; with empty keys,
    as a MultiIndex of them would say)."""
    keys = events[list(SORT_KEYS)]
    if any(keys[k].hasnans for k in SORT_KEYS):
        return pd.MultiIndex.from_arrays([keys[k] for k in SORT_KEYS]).is_monotonic_increasing
    return _in_order(keys)


def _one_value_per_case(events: pd.DataFrame) -> bool:
    """Whether no case attribute has two values within one case, in events sorted by case.

    A case's events are neighbours, and so are its filled values of an attribute: two values
    within a case show as a filled value unlike the filled value before it, of the same case
    (cases numbered once by their runs, so the pseudonyms are compared once, not per attribute).
    """
    person = _runs(events[CASE])
    for column in CASE_ATTRIBUTES:
        filled = events[column].notna().to_numpy()
        values, owner = events[column].array[filled], person[filled]
        if len(values) < 2:
            continue
        differs = np.asarray(values[1:] != values[:-1], dtype=bool)
        if (differs & (owner[1:] == owner[:-1])).any():
            return False
    return True


def _check_vocabulary(events: pd.DataFrame, chain: Chain) -> None:
    activities = chain.activity_ids
    unknown = sorted(set(events[ACTIVITY].unique()) - activities)
    if unknown:
        raise _fail(f"activity {unknown[0]!r} is not in the chain vocabulary")
    organisations = {o.id for o in chain.organisations}
    if set(events[GROUP].cat.categories) - organisations:
        raise _fail(f"{GROUP} has a category outside the chain's organisations")
    # each distinct (activity, organisation) pair once
    activity, names = pd.factorize(events[ACTIVITY])
    groups = events[GROUP].cat.categories
    width = len(groups) + 1  # code 0: no organisation
    for pair in np.unique(activity.astype(np.int64) * width + events[GROUP].cat.codes + 1):
        owner = chain.activity(names[pair // width]).organisation
        if pair % width == 0 or groups[pair % width - 1] != owner:
            raise _fail(f"{GROUP} does not match the organisation of the activity")
    codes = {m.code for m in chain.municipalities}
    if set(events[MUNICIPALITY].cat.categories) - codes:
        raise _fail(f"{MUNICIPALITY} has a code that is not a chain municipality")


def spread_case_attributes(events: pd.DataFrame) -> pd.DataFrame:
    """Give every event of a person the person's case attributes, whichever source held them.

    COA knows household, birth year, sex and nationality; IND knows procedure and track. The
    value taken is the last one known in time order (a track assigned later replaces none), so
    ``events`` come sorted by case, time and source order, as :func:`prepare` leaves them.
    """
    present = [c for c in CASE_ATTRIBUTES if c in events]
    if not present or events.empty:
        return events
    person = _case_runs(events[CASE])
    if person is not None:
        return events.assign(**{c: _last_filled(events[c], person) for c in present})
    # groupby().last() takes the last non-empty value of each column within each case.
    grouped = events.groupby(CASE, sort=False, observed=True)
    last = grouped[present].last()
    # each event's person as a row of ``last`` (groups numbered in order of appearance)
    positions = grouped.ngroup().fillna(-1).to_numpy().astype(np.intp)
    spread = {c: pd.Series(last[c].array.take(positions), index=events.index) for c in present}
    return events.assign(**spread)


def _case_runs(cases: pd.Series) -> np.ndarray | None:
    """Each event's person numbered 0, 1, ... in order of appearance, found by comparing
    neighbours, when a person's events are neighbours (sorted by case, none empty); else None."""
    if not _in_order(cases.to_frame()):
        return None
    return _runs(cases)


def _runs(values: pd.Series) -> np.ndarray:
    """Each row's run of equal neighbours numbered 0, 1, ... (the rows of a value are one run
    when the values are sorted)."""
    differs = np.asarray(values.array[1:] != values.array[:-1], dtype=bool)
    return np.concatenate(([0], np.cumsum(differs)))[: len(values)]


def _last_filled(values: pd.Series, person: np.ndarray) -> pd.Series:
    """Per event: the last non-empty value of its person (``person`` from :func:`_case_runs`)."""
    at = _filled_at(values, person, last=True)
    return pd.Series(values.array.take(at[person], allow_fill=True), index=values.index)


def _filled_at(values: pd.Series, person: np.ndarray, *, last: bool) -> np.ndarray:
    """Per person (numbered by runs, :func:`_runs`): the row of its first or last non-empty
    value, -1 when it has none."""
    rows = np.flatnonzero(values.notna().to_numpy())
    owner = person[rows]
    changes = owner[1:] != owner[:-1]
    edge = np.concatenate((changes, [True]) if last else ([True], changes))[: len(rows)]
    at = np.full(int(person[-1]) + 1 if len(person) else 0, -1, dtype=np.intp)
    at[owner[edge]] = rows[edge]
    return at


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write a frame to parquet atomically and reproducibly (same frame, same bytes)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)

    def write(tmp: Path) -> None:
        pq.write_table(table, tmp, compression=PARQUET_COMPRESSION)

    atomic_write(Path(path), write)


# The event columns without Parquet statistics (each row group's min and max, by which DuckDB or
# Spark skip row groups): random unique text and pseudonyms outside the sort key, whose min and
# max span nearly everything in every row group. The sorted and few-valued columns keep them.
_NO_STATISTICS = (EVENT_ID, HOUSEHOLD, IND_CASE)


def events_parquet(events: pd.DataFrame) -> pa.Buffer:
    """An event log as the bytes of one parquet file, reproducibly (same log, same bytes); not
    validated: a writer validates the log (:func:`validate`) before the bytes reach a file."""
    table = pa.Table.from_pandas(events, preserve_index=False)
    statistics = [c for c in table.column_names if c not in _NO_STATISTICS]
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression=PARQUET_COMPRESSION, write_statistics=statistics)
    return sink.getvalue()


def part_name(number: int) -> str:
    """The file name of a stored log's part ``number``: names sort in the order parts were added."""
    return f"{PART_PREFIX}{number:0{PART_DIGITS}d}.parquet"


def event_parts(path: Path) -> list[Path]:
    """The parts of a stored event log, oldest first: the files of a folder, or a single file."""
    path = Path(path)
    if not path.is_dir():
        return [path]
    return sorted(p for p in path.iterdir() if p.name.startswith(PART_PREFIX))


def read_events(
    path: Path, columns: tuple[str, ...] | None = None, *, as_categories: bool = False
) -> pd.DataFrame:
    """Read an event log as ingest writes it (:func:`events_parquet`, validated before): one file,
    or a folder of parts; with
    ``columns``, only those of them that it has (Parquet stores column by column, so the others
    are never read). With ``as_categories`` every text column is read as categories, straight
    from Parquet's dictionaries: a million pseudonyms are never made into texts, and sorting,
    grouping and cutting views work on integer codes (the values, and so every figure, are the
    same).

    A folder holds one part per ingest that added events (each sorted and validated on its own);
    read together they are the log that one ingest of everything in that order would have
    written: the parts one after the other, sorted stably by case, time and source order, each
    category column with its categories in one order, and each person's case attributes as they
    stand now (a later part can tell more about a person, say the track; ``cases.parquet``
    beside the folder holds them).

    The decoding buffers (several times the columns read) go back to the system before it
    returns (:func:`toolkit.memory.give_back`).
    """
    events = _read_events(path, columns, as_categories)
    give_back()
    return events


def _read_events(path: Path, columns: tuple[str, ...] | None, as_categories: bool) -> pd.DataFrame:
    parts = event_parts(path)
    wanted = read = None
    try:
        if columns is not None and parts:
            stored = set(pq.read_schema(parts[0]).names)
            wanted = [c for c in columns if c in stored]
            # several parts are sorted together: their sort keys are read too, then dropped
            extra = [c for c in SORT_KEYS if c not in wanted] if len(parts) > 1 else []
            read = wanted + extra
        texts = None
        if as_categories and parts:
            schema = pq.read_schema(parts[0])
            texts = [f.name for f in schema if pa.types.is_string(f.type) or
                     pa.types.is_large_string(f.type)]  # fmt: skip
        frames = [pd.read_parquet(part, columns=read, read_dictionary=texts) for part in parts]
    except (OSError, pa.ArrowInvalid) as exc:
        raise EventLogError(f"{path}: not a readable event log ({exc})") from None
    if texts:
        # in text order, as a session's categories (a sort or groupby by codes follows them)
        frames = [_texts_in_order(frame, texts) for frame in frames]
    if len(frames) == 1:
        return frames[0]
    if not frames:
        raise EventLogError(f"{path}: an event log folder without parts")
    for column in frames[0].columns:
        kinds = [frame[column].dtype for frame in frames]
        if not any(isinstance(kind, pd.CategoricalDtype) for kind in kinds):
            continue
        if any(kind != kinds[0] for kind in kinds):
            # a part where the column is empty may read it back as plain values, all missing
            found = [kind.categories for kind in kinds if isinstance(kind, pd.CategoricalDtype)]
            common = pd.CategoricalDtype(sorted(set().union(*found)))
            frames = [frame.assign(**{column: frame[column].astype(common)}) for frame in frames]
    events = pd.concat(frames, ignore_index=True)
    del frames
    order = sort_order(events)
    out = pd.DataFrame(index=pd.RangeIndex(len(events)))
    attributes = tuple(c for c in CASE_ATTRIBUTES if c in events.columns)
    keep = None if wanted is None else {*wanted, CASE}
    for column in list(events.columns):  # one column at a time: the unsorted copy goes as it goes
        if keep is None or column in keep:
            out[column] = events[column].array.take(order)
        del events[column]
    if attributes:
        out = with_case_attributes(out, _read_cases(Path(path).parent / CASES_FILE, attributes))
    return out if wanted is None else out[wanted]


def _texts_in_order(frame: pd.DataFrame, texts: list[str]) -> pd.DataFrame:
    """``frame`` with the categories of its ``texts`` columns (read from Parquet's
    dictionaries, in the order first met) sorted."""
    ordered = {}
    for column in texts:
        if column in frame.columns and not frame[column].cat.categories.is_monotonic_increasing:
            values = frame[column]
            ordered[column] = values.cat.reorder_categories(values.cat.categories.sort_values())
    return frame.assign(**ordered) if ordered else frame


def _read_cases(path: Path, attributes: tuple[str, ...] = CASE_ATTRIBUTES) -> pd.DataFrame:
    try:
        return pd.read_parquet(path, columns=[CASE, *attributes])
    except (OSError, pa.ArrowInvalid) as exc:
        raise EventLogError(
            f"{path}: the persons of a log of several parts cannot be read ({exc})"
        ) from None


def with_case_attributes(events: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """``events`` with each person's case attributes from ``cases`` (one row per person; the
    attributes ``cases`` holds)."""
    positions = pd.Index(cases[CASE]).get_indexer(events[CASE])
    if (positions < 0).any():
        raise EventLogError("a person of the event log is missing from its cases")
    spread = {c: pd.Series(cases[c].array.take(positions), index=events.index)
              for c in CASE_ATTRIBUTES if c in cases.columns}  # fmt: skip
    return events.assign(**spread)


def case_table(events: pd.DataFrame) -> pd.DataFrame:
    """One row per person: case attributes, the sources the person appears in, first and last event.

    ``sources`` lists the organisations that recorded the person (``COA+IND``), the basis of the
    linkage figures: who is seen by which partner. A person's case attributes are the first
    value each has among the person's events, the municipality the last one.

    In a log a person's events are neighbours (sorted by case), so each person is a run of rows
    and is found by comparing neighbours, without hashing the pseudonyms; events in another
    order are first sorted by case (stably: each person's events keep their order).
    """
    if events[CASE].hasnans:
        events = events[events[CASE].notna()]
    person = _case_runs(events[CASE])
    if person is None:
        used = [CASE, *CASE_ATTRIBUTES, GROUP, TIMESTAMP, MUNICIPALITY]
        events = events[used].take(np.argsort(_ranks(events[CASE]), kind="stable"))
        person = _runs(events[CASE])
    starts = np.flatnonzero(np.concatenate(([True], person[1:] != person[:-1])))[: len(person)]
    out = pd.DataFrame({CASE: _as_text(pd.Series(events[CASE].array.take(starts)))})
    for column in CASE_ATTRIBUTES:
        at = _filled_at(events[column], person, last=False)
        out[column] = _as_text(pd.Series(events[column].array.take(at, allow_fill=True)))
    org_codes, org_names = pd.factorize(events[GROUP])
    sources = pd.Series("", index=out.index, dtype=object)
    for org in CHAIN_SOURCES:
        has = np.zeros(len(out), dtype=bool)
        if org in org_names:
            has[person[org_codes == list(org_names).index(org)]] = True
        out[f"in_{org.lower()}"] = has
        sources = sources.where(~has, sources + np.where(sources == "", "", "+") + org)
    out["sources"] = _as_text(sources)
    out["events"] = np.diff(np.append(starts, len(events))).astype(np.int64)
    out["first_event"], out["last_event"] = _first_and_last(events[TIMESTAMP], starts)
    at = _filled_at(events[MUNICIPALITY], person, last=True)
    out["case:municipality"] = _as_text(
        pd.Series(events[MUNICIPALITY].array.take(at, allow_fill=True))
    )
    return out


def _as_text(values: pd.Series) -> pd.Series:
    """A column as the log's text type, empty values NaN."""
    if _is_text(values):
        return values
    return values.astype(object).where(values.notna(), None).astype("str")


def _first_and_last(stamps: pd.Series, starts: np.ndarray) -> tuple[pd.Series, pd.Series]:
    """The earliest and the latest timestamp of each run of rows beginning at ``starts`` (an
    empty timestamp counts only where a run has nothing else)."""
    moments = stamps.array.asi8
    empty = stamps.isna().to_numpy()
    latest = np.maximum.reduceat(moments, starts) if len(starts) else moments[:0]  # NaT is least
    earliest = (
        np.minimum.reduceat(np.where(empty, np.iinfo(np.int64).max, moments), starts)
        if len(starts)
        else moments[:0]
    )
    earliest = np.where(earliest == np.iinfo(np.int64).max, latest, earliest)

    def as_stamps(values: np.ndarray) -> pd.Series:
        naive = pd.Series(values.view(f"datetime64[{stamps.array.unit}]"))
        tz = getattr(stamps.dtype, "tz", None)
        return naive.dt.tz_localize(tz) if tz is not None else naive

    return as_stamps(earliest), as_stamps(latest)
