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

# What a person's case attributes and row in the person table are computed from.
PERSON_COLUMNS = (CASE, TIMESTAMP, SOURCE_FILE, SOURCE_ROW, GROUP, MUNICIPALITY, *CASE_ATTRIBUTES)


@dataclass(frozen=True)
class Lineage:
    """Per new row: whether the log holds its event already, and from which file and row."""

    known: np.ndarray
    file: pd.Series
    row: pd.Series


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

    def has_source(self, system: str) -> bool:
        """Whether any event came from ``system`` (read: one column)."""
        for part in self.parts:
            column = pq.read_table(part, columns=[SOURCE_SYSTEM])[SOURCE_SYSTEM]
            if pc.any(pc.equal(column, system)).as_py():
                return True
        return False

    def lineage(self, ids: pd.Series) -> Lineage:
        """Which of ``ids`` the log holds, and the source file and row of each that it holds."""
        wanted = pa.array(ids.to_numpy(dtype=object), type=pa.string())
        known = np.zeros(len(ids), dtype=bool)
        file = pd.Series(None, index=ids.index, dtype="object")
        row = pd.Series(None, index=ids.index, dtype="object")
        for part in self.parts:  # an event id is in one part only
            table = pq.read_table(
                part, columns=[EVENT_ID, SOURCE_FILE, SOURCE_ROW], read_dictionary=[SOURCE_FILE]
            )
            found = pc.index_in(wanted, value_set=table[EVENT_ID].cast(pa.string()))
            hit = found.is_valid().to_numpy(zero_copy_only=False)
            if not hit.any():
                continue
            where = found.drop_null()
            known[hit] = True
            file[hit] = table[SOURCE_FILE].take(where).cast(pa.string()).to_pylist()
            row[hit] = table[SOURCE_ROW].take(where).to_pylist()
        return Lineage(known, file, row)

    def cases(self) -> pd.DataFrame:
        """The person table as stored."""
        return pd.read_parquet(self.cases_path)

    def person_events(self, persons: pd.Series, cases: pd.DataFrame) -> pd.DataFrame:
        """The events of ``persons`` (:data:`PERSON_COLUMNS`, in part order), with the case
        attributes each person has now."""
        wanted = pa.array(pd.unique(persons.to_numpy(dtype=object)), type=pa.string())
        frames = []
        for part in self.parts:
            table = pq.read_table(part, columns=list(PERSON_COLUMNS))
            table = table.filter(pc.is_in(table[CASE].cast(pa.string()), value_set=wanted))
            frame = table.to_pandas()
            for column in (GROUP, MUNICIPALITY):  # as the new events have them, for concat
                frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
            frames.append(frame)
        events = pd.concat(frames, ignore_index=True)
        return with_case_attributes(events, cases)

    def holders(self, activities: tuple[str, ...]) -> pd.DataFrame:
        """The events (case and activity only) whose activity is one of ``activities``."""
        frames = []
        for part in self.parts:
            table = pq.read_table(part, columns=[CASE, ACTIVITY])
            found = pc.is_in(table[ACTIVITY].cast(pa.string()), value_set=pa.array(activities))
            table = table.filter(found)
            frames.append(table.to_pandas())
        return pd.concat(frames, ignore_index=True)

    def link_into(self, folder: Path) -> int:
        """Hard-link the parts into ``folder`` (a new version's events folder), oldest first;
        return the number of the next part."""
        for number, part in enumerate(self.parts):
            os.link(part, folder / part_name(number))
        return len(self.parts)
