"""What a reader hands on: the mapped cells of an export's data rows, and how the file was read.

Readers (xlsx, csv) differ in how they find the header and decode text; after them every format
looks the same. Personal columns are not part of a :class:`RawTable`: a reader drops them while it
reads each row, so they never exist in a frame that could be written, logged or printed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from toolkit.adapters.parsing import is_blank
from toolkit.adapters.profile import Profile, fold
from toolkit.errors import IngestError

ROW = "row"
MIN_HEADER_CELLS = 2
_DIGIT_RUN = re.compile(r"\d{4}")


@dataclass
class RawTable:
    """The data rows of one export, mapped columns only, under their field names.

    ``frame`` has one column per mapped field (raw cell values, as the reader got them) and
    ``row``: the row number a user sees in the source (spreadsheet row, or CSV line).
    """

    path: Path
    profile: Profile
    frame: pd.DataFrame
    skipped: Counter[str] = field(default_factory=Counter)
    repairs: Counter[str] = field(default_factory=Counter)
    created: datetime | None = None
    encoding: str | None = None
    footer_total: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.frame)


class RowCollector:
    """Collects data rows, keeping only the profile's mapped columns of each row as it arrives."""

    def __init__(self, path: Path, profile: Profile, header: Sequence[object]) -> None:
        names = [str(h).strip() if not is_blank(h) else "" for h in header]
        positions = {fold(name): i for i, name in enumerate(names) if name}
        missing = [c for c in profile.columns.values() if fold(c) not in positions]
        if missing:
            raise IngestError(
                f"{path.name}: the header lacks column(s) {', '.join(missing)} of profile "
                f"{profile.name}; {describe_header(header)}"
            )
        known = {fold(c) for c in (*profile.columns.values(), *profile.personal)}
        # A column the profile does not know is never read; saying so keeps it from passing
        # unnoticed (a partner's system may have started exporting something new).
        self.unknown_columns = [n for n in names if n and fold(n) not in known]
        self._fields = list(profile.columns)
        self._index = [positions[fold(profile.columns[f])] for f in self._fields]
        self._width = len(names)
        self._columns: list[list[object]] = [[] for _ in self._fields]
        self._rows: list[int] = []

    def note_unknown_columns(self, table: RawTable) -> None:
        """Add a note to the table's report naming the columns that were not read."""
        if self.unknown_columns:
            table.notes.append(
                f"columns not in profile {table.profile.name}, not read: "
                + ", ".join(self.unknown_columns)
            )

    def add(self, row_number: int, cells: Sequence[object]) -> None:
        """Keep the mapped cells of one data row; the row's other cells are not stored."""
        width = len(cells)
        for values, i in zip(self._columns, self._index, strict=True):
            values.append(cells[i] if i < width else None)
        self._rows.append(row_number)

    def frame(self) -> pd.DataFrame:
        data: dict[str, object] = {
            f: pd.Series(v, dtype=object) for f, v in zip(self._fields, self._columns, strict=True)
        }
        data[ROW] = pd.Series(self._rows, dtype="int64")
        return pd.DataFrame(data)


def header_matches(profile: Profile, header: Sequence[object]) -> bool:
    """Whether a row holds every column the profile maps (order and case do not matter)."""
    present = {fold(str(h)) for h in header if not is_blank(h)}
    return all(fold(c) in present for c in profile.columns.values())


def looks_like_header(cells: Sequence[object]) -> bool:
    """Whether a row reads as column names rather than data.

    An error message may show a header, but never a data row: that would print a V-nummer or a
    name. Data rows of the chain's exports hold V-nummers and dates, so a row with a number cell
    or with four digits in a row is taken for data.
    """
    filled = [c for c in cells if not is_blank(c)]
    if len(filled) < MIN_HEADER_CELLS:
        return False
    return all(isinstance(c, str) and not _DIGIT_RUN.search(c) for c in filled)


def describe_header(cells: Sequence[object]) -> str:
    """The header's column names for an error message, or a remark when the row is data."""
    if not looks_like_header(cells):
        return "no row that looks like a header"
    return "the header has: " + ", ".join(str(c).strip() for c in cells if not is_blank(c))


def is_blank_row(cells: Sequence[object]) -> bool:
    """Whether every cell of a row is empty (checked for every row, so kept cheap)."""
    for cell in cells:
        if cell.__class__ is str:
            if cell.strip():  # type: ignore[attr-defined]
                return False
        elif not is_blank(cell):
            return False
    return True
