"""The event log already in an ingest's ``out``, read only as far as adding new events needs.

A stored log is a folder of parts (:func:`toolkit.eventlog.event_parts`); adding a month must not
read or write the whole of it. So deduplication reads only the id and lineage columns, part by
part; the persons the new events concern are read with the few columns their case attributes
and their row in ``cases.parquet`` depend on; the permit holders (for the linkage figures) with
two columns of the permit events. Everything else stays on disk, and the new version of the log
links the old parts instead of copying them.

Example::

    >>> stored = StoredLog.at(Path("event_logs/demo/.ketenlens/current"))  # doctest: +SKIP
    >>> stored.rows  # doctest: +SKIP
    52105
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from toolkit.eventlog import (
    ACTIVITY,
    CASE,
    CASE_ATTRIBUTES,
    EVENT_ID,
    GROUP,
    MUNICIPALITY,
    SOURCE_FILE,
    SOURCE_ROW,
    SOURCE_SYSTEM,
    TIMESTAMP,
    event_parts,
    part_name,
    with_case_attributes,
)
from toolkit.logdir import CASES_FILE, EVENTS_FILE

# Rows read at a time from a stored part: few batches, as each batch's look-up first hashes the
# values looked for again (a month's event ids), and a batch of a million rows is still small
# (more values than this are looked up once for all batches: :meth:`StoredLog._table`).
BATCH_ROWS = 1_048_576
# What a person's case attributes and row in the person table are computed from.
PERSON_COLUMNS = (CASE, TIMESTAMP, SOURCE_FILE, SOURCE_ROW, GROUP, MUNICIPALITY, *CASE_ATTRIBUTES)


@dataclass(frozen=True)
class Lineage:
    """Per new row: whether the log holds its event already, and from which file and row (null
    where it does not), in arrow: a row per new event, no Python object per value."""

    known: np.ndarray
    file: pa.Array
    row: pa.Array

    def same(self, files: pd.Series, rows: pd.Series) -> np.ndarray:
        """Per new row: whether the log holds its event from this very file and row."""
        file = pc.equal(self.file.cast(pa.string()), _text(files))
        row = pc.equal(self.row, pa.array(rows.to_numpy(dtype=np.int64)))
        return pc.fill_null(pc.and_(file, row), False).to_numpy(zero_copy_only=False)


def _text(values: pd.Series) -> pa.Array:
    """A column of text (or of categories of text) as one arrow string array."""
    array = pa.array(values.array)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    return array.cast(pa.string())


@dataclass(frozen=True)
class StoredLog:
    """The parts and person table of one version of a log (see :mod:`toolkit.logdir`)."""

    parts: tuple[Path, ...]
    cases_path: Path

    @classmethod
    def at(cls, files: Path) -> StoredLog:
        """The log whose files are in ``files`` (a version folder, or a plain log folder)."""
        return cls(tuple(event_parts(files / EVENTS_FILE)), files / CASES_FILE)

    @property
    def rows(self) -> int:
        """The number of events (from the parts' footers)."""
        return sum(pq.ParquetFile(part).metadata.num_rows for part in self.parts)

    def _batches(self, columns: list[str]) -> Iterator[pa.RecordBatch]:
        """The log's ``columns``, a batch at a time: memory holds one batch, not the log."""
        for part in self.parts:
            yield from pq.ParquetFile(part).iter_batches(batch_size=BATCH_ROWS, columns=columns)

    def has_source(self, system: str) -> bool:
        """Whether any event came from ``system``."""
        return any(
            pc.any(pc.equal(batch[SOURCE_SYSTEM], system)).as_py()
            for batch in self._batches([SOURCE_SYSTEM])
        )

    def lineage(self, ids: pd.Series) -> Lineage:
        """Which of ``ids`` the log holds, and the source file and row of each that it holds."""
        wanted = _text(ids)
        held = self._table([EVENT_ID, SOURCE_FILE, SOURCE_ROW], EVENT_ID, pc.unique(wanted))
        at = pc.index_in(wanted, value_set=held[EVENT_ID].cast(pa.string()))
        return Lineage(
            known=at.is_valid().to_numpy(zero_copy_only=False),
            file=held[SOURCE_FILE].take(at).combine_chunks(),
            row=held[SOURCE_ROW].take(at).combine_chunks(),
        )

    def cases(self) -> pd.DataFrame:
        """The person table as stored."""
        return pd.read_parquet(self.cases_path)

    def person_events(self, persons: pd.Series, cases: pd.DataFrame) -> pd.DataFrame:
        """The events of ``persons`` (:data:`PERSON_COLUMNS`, in the log's order), with the case
        attributes each person has now."""
        wanted = pa.array(pd.unique(persons.to_numpy(dtype=object)), type=pa.string())
        events = self._rows(list(PERSON_COLUMNS), CASE, wanted)
        for column in (GROUP, MUNICIPALITY):  # as the new events have them, for concat
            events[column] = events[column].astype(object).where(events[column].notna(), None)
        return with_case_attributes(events, cases)

    def holders(self, activities: tuple[str, ...]) -> pd.DataFrame:
        """The events (case and activity only) whose activity is one of ``activities``."""
        return self._rows([CASE, ACTIVITY], ACTIVITY, pa.array(activities, type=pa.string()))

    def _rows(self, columns: list[str], key: str, values: pa.Array) -> pd.DataFrame:
        """The log's ``columns`` of the events whose ``key`` is one of ``values``."""
        return self._table(columns, key, values).to_pandas()

    def _table(self, columns: list[str], key: str, values: pa.Array) -> pa.Table:
        """The log's ``columns`` of the events whose ``key`` is one of ``values``, as a table.

        Each look-up hashes ``values`` first. A few of them (a month's ids or persons) are
        looked up batch by batch, as the batches are read. More values than a batch holds (the
        ids of a log's own exports ingested again) are looked up once, in the key column of
        every batch at once, and the batches read again are filtered by that: hashing millions
        of values again for every batch took longer than reading the batches.
        """
        picked = self._picked(key, values) if len(values) > BATCH_ROWS else None
        tables, start = [], 0
        for batch in self._batches(columns):
            if picked is None:
                mask = pc.is_in(batch[key], value_set=values.cast(batch.schema.field(key).type))
            else:
                mask = picked.slice(start, batch.num_rows)
            tables.append(pa.Table.from_batches([batch]).filter(mask))
            start += batch.num_rows
        if not tables:  # a log without events
            tables = [pq.read_table(self.parts[0], columns=columns)]
        # each part has the categories of its own events, and so may number them in integers of
        # another width (a part of 200 municipalities in 16 bits, one of 20 in 8)
        return pa.concat_tables(tables, promote_options="permissive")

    def _picked(self, key: str, values: pa.Array) -> pa.Array:
        """Per event of the log, in its order: whether its ``key`` is one of ``values`` (the key
        column of the whole log is held at once, one column instead of a batch's)."""
        keys = [batch[key] for batch in self._batches([key])]
        if not keys:
            return pa.array([], pa.bool_())
        column = pa.chunked_array([k.cast(keys[0].type) for k in keys])  # string or large_string
        return pc.is_in(column, value_set=values.cast(column.type)).combine_chunks()

    def link_into(self, folder: Path) -> int:
        """Hard-link the parts into ``folder`` (a new version's events folder), oldest first;
        return the number of the next part."""
        for number, part in enumerate(self.parts):
            os.link(part, folder / part_name(number))
        return len(self.parts)
