"""What a reader hands on: the mapped cells of an export's data rows, and how the file was read.

Readers (xlsx, csv) differ in how they find the header and decode text; after them every format
looks the same. Personal columns are not part of a :class:`RawTable`: a reader drops them while it
reads each row, so they never exist in a frame that could be written, logged or printed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from toolkit.adapters.parsing import is_blank
from toolkit.adapters.personal import personal_data
from toolkit.adapters.profile import Profile, fold
from toolkit.errors import IngestError

ROW = "row"
MIN_HEADER_CELLS = 2
_DIGIT_RUN = re.compile(r"\d{4}")
# A cell longer than this is no code, date or name: it is not kept (its row is quarantined with
# file, row and column), so one pasted document cannot stop a whole file or fill the memory.
MAX_CELL_CHARS = 10_000
OVERSIZED_CELL = "oversized_cell"
# What a reader keeps in place of such a cell; compared by identity.
OVERSIZED = "\x00oversized cell\x00"
# Column titles are words, so only numbers, addresses and phone numbers count as personal there.
HEADER_KIND = "name"


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
    # (1-based position, header) of the columns the profile does not know: never shown as text
    unknown_columns: list[tuple[int, str]] = field(default_factory=list)

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
        self.unknown_columns = [
            (i + 1, n) for i, n in enumerate(names) if n and fold(n) not in known
        ]
        self._fields = list(profile.columns)
        self._index = [positions[fold(profile.columns[f])] for f in self._fields]
        self._width = len(names)
        self._columns: list[list[object]] = [[] for _ in self._fields]
        self._rows: list[int] = []

    def note_unknown_columns(self, table: RawTable) -> None:
        """Hand the table the columns that were not read, for :func:`unknown_columns_note`."""
        table.unknown_columns = list(self.unknown_columns)

    def add(self, row_number: int, cells: Sequence[object]) -> None:
        """Keep the mapped cells of one data row; the row's other cells are not stored."""
        width = len(cells)
        for values, i in zip(self._columns, self._index, strict=True):
            cell = cells[i] if i < width else None
            if cell.__class__ is str and len(cell) > MAX_CELL_CHARS:  # type: ignore[arg-type]
                cell = OVERSIZED
            values.append(cell)
        self._rows.append(row_number)

    def frame(self) -> pd.DataFrame:
        data: dict[str, object] = {
            f: pd.Series(v, dtype=object) for f, v in zip(self._fields, self._columns, strict=True)
        }
        data[ROW] = pd.Series(self._rows, dtype="int64")
        return pd.DataFrame(data)


def unknown_columns_note(table: RawTable, column_hash: Callable[[str], str]) -> str | None:
    """The report's note on the columns not read: by position and a keyed hash of the header.

    A header is text someone typed (a surname as a column title happens), so it is not echoed;
    the hash lets a user see that the same column turns up in every file.
    """
    if not table.unknown_columns:
        return None
    shown = ", ".join(
        f"column {i} (#{column_hash(fold(name))})" for i, name in table.unknown_columns
    )
    return f"columns not in profile {table.profile.name}, not read: {shown}"


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
    shown = [
        f"column {i} (looks like personal data, not shown)"
        if personal_data(str(c), HEADER_KIND)
        else str(c).strip()
        for i, c in enumerate(cells, start=1)
        if not is_blank(c)
    ]
    return "the header has: " + ", ".join(shown)


def is_blank_row(cells: Sequence[object]) -> bool:
    """Whether every cell of a row is empty (checked for every row, so kept cheap)."""
    for cell in cells:
        if cell.__class__ is str:
            if cell.strip():  # type: ignore[attr-defined]
                return False
        elif not is_blank(cell):
            return False
    return True
