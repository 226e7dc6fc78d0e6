"""What a reader hands on: the mapped cells of an export's data rows, and how the file was read.

Readers (xlsx, csv) differ in how they find the header and decode text; after them every format
looks the same. Personal columns are not part of a :class:`RawTable`: a reader takes only the
mapped columns out of the rows it read, so they never exist in a frame that could be written,
logged or printed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from operator import itemgetter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.adapters.columns import Coded, distinct, objects
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
# What a reader keeps in place of such a cell: text no export holds (it starts with a NUL).
OVERSIZED = "\x00oversized cell\x00"
# The ASCII characters that str.isspace (and so the blank rule) calls whitespace.
_ASCII_SPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
# Column titles are words, so only numbers, addresses and phone numbers count as personal there.
HEADER_KIND = "name"


@dataclass
class RawTable:
    """The data rows of one export, mapped columns only, under their field names.

    ``coded``: each mapped column dictionary-encoded as the reader found it (raw cell values),
    and ``numbers``: the row number a user sees in the source (spreadsheet row, or CSV line).
    """

    path: Path
    profile: Profile
    skipped: Counter[str] = field(default_factory=Counter)
    repairs: Counter[str] = field(default_factory=Counter)
    created: datetime | None = None
    encoding: str | None = None
    footer_total: int | None = None
    notes: list[str] = field(default_factory=list)
    # (1-based position, header) of the columns the profile does not know: never shown as text
    unknown_columns: list[tuple[int, str]] = field(default_factory=list)
    coded: dict[str, Coded] = field(default_factory=dict)
    numbers: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @classmethod
    def from_frame(cls, path: Path, profile: Profile, frame: pd.DataFrame) -> RawTable:
        """A table of cells given as a frame (a column per mapped field, and ``row``)."""
        coded = {f: Coded(*distinct(frame[f])) for f in frame.columns if f != ROW}
        numbers = frame[ROW].to_numpy(dtype=np.int64)
        return cls(path=path, profile=profile, coded=coded, numbers=numbers)

    @property
    def rows_read(self) -> int:
        return len(self.numbers)

    @property
    def frame(self) -> pd.DataFrame:
        """The cells as a frame, a Python object per cell (made when asked for: for a user
        looking at what was read; mapping works on the encoded columns)."""
        data = {f: pd.Series(c.values(), dtype=object) for f, c in self.coded.items()}
        data[ROW] = pd.Series(self.numbers, dtype="int64")
        return pd.DataFrame(data)

    def has(self, field_name: str) -> bool:
        """Whether the table has a column for the field (the profile maps it)."""
        return field_name in self.coded


class Collector:
    """Takes the data rows of an export at once and keeps only the profile's mapped columns."""

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

    def note_unknown_columns(self, table: RawTable) -> None:
        """Hand the table the columns that were not read, for :func:`unknown_columns_note`."""
        table.unknown_columns = list(self.unknown_columns)

    def _mapped(self, rows: list[Sequence[object]]) -> list[np.ndarray]:
        """The mapped cells of every row, column by column (a short row's missing cells: None)."""
        if not rows:
            return [np.full(0, None, dtype=object) for _ in self._index]
        needed = max(self._index) + 1
        widths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        if widths.min() == widths.max() >= needed:  # a rectangle (a sheet): numpy cuts it up
            width = int(widths[0])
            cells = chain.from_iterable(rows)  # read as one run of cells, with no check per row
            grid = np.fromiter(cells, dtype=object, count=len(rows) * width)
            grid = grid.reshape(len(rows), width)
            return [grid[:, i].copy() for i in self._index]  # the rest of the grid is dropped
        if widths.min() < needed:
            rows = list(rows)
            for r in np.flatnonzero(widths < needed):
                rows[r] = [*rows[r], *([None] * (needed - int(widths[r])))]
        picked = map(itemgetter(*self._index), rows)
        if len(self._index) == 1:
            return [objects(list(picked))]
        return [objects(column) for column in zip(*picked, strict=True)]

    @property
    def width(self) -> int:
        """How many cells a row needs to hold every mapped column."""
        return max(self._index) + 1

    @property
    def positions(self) -> list[int]:
        """The 0-based position of each mapped column in a row, in the profile's field order."""
        return list(self._index)

    def collect(
        self,
        table: RawTable,
        rows: list[Sequence[object]],
        numbers: np.ndarray,
        footer: Callable[[Sequence[object]], tuple[bool, int | None]],
    ) -> None:
        """Set the table's columns from the rows below the header (see :meth:`collect_columns`)."""
        encoded = [Coded(*distinct(column)) for column in self._mapped(rows)]
        self.collect_columns(table, encoded, numbers, rows.__getitem__, footer)

    def collect_columns(
        self,
        table: RawTable,
        encoded: list[Coded],
        numbers: np.ndarray,
        row: Callable[[int], Sequence[object]],
        footer: Callable[[Sequence[object]], tuple[bool, int | None]],
        kinds: list[tuple[np.ndarray, np.ndarray]] | None = None,
    ) -> None:
        """Set the table's columns from the mapped columns of the rows below the header, encoded,
        and their row numbers; count blank and footer rows.

        A blank row or a total line has at most one filled cell among the mapped columns, so
        only such rows are looked at whole (``row`` gives a row's cells, ``footer`` says whether
        a row is the total line and the number it states). A cell too long to be a value becomes
        :data:`OVERSIZED`. ``kinds``: the :func:`_cell_kinds` of each column's distinct values,
        when the reader has them already.
        """
        n = len(numbers)
        filled = np.zeros(n, dtype=np.int64)
        for i, column in enumerate(encoded):
            codes, uniques = column.codes, column.uniques
            blank, oversized = _cell_kinds(uniques) if kinds is None else kinds[i]
            filled += ~blank[codes]
            if oversized.any():
                uniques = [
                    OVERSIZED if long else u for u, long in zip(uniques, oversized, strict=True)
                ]
                encoded[i] = Coded(codes, uniques)
        keep = np.ones(n, dtype=bool)
        for r in np.flatnonzero(filled <= 1):
            cells = row(int(r))
            if is_blank_row(cells):
                table.skipped["blank"] += 1
                keep[r] = False
                continue
            is_footer, total = footer(cells)
            if is_footer:
                table.skipped["footer"] += 1
                table.footer_total = total
                keep[r] = False
        table.coded = {f: c.rows(keep) for f, c in zip(self._fields, encoded, strict=True)}
        table.numbers = np.asarray(numbers, dtype=np.int64)[keep]


def _cell_kinds(cells: list[object]) -> tuple[np.ndarray, np.ndarray]:
    """Which cells are blank, and which are too long to be kept.

    Text is measured with str methods in C; only empty text and cells that are no text (None,
    numbers, dates: a few distinct values) go through the blank rule one by one.
    """
    try:  # only text, as in most columns: measured as it is
        blank = np.fromiter(map(str.isspace, cells), dtype=bool, count=len(cells))
        text = cells
    except TypeError:  # other cells among the text: measured as empty text
        text = [c if c.__class__ is str else "" for c in cells]
        blank = np.fromiter(map(str.isspace, text), dtype=bool, count=len(text))
    lengths = np.fromiter(map(len, text), dtype=np.int64, count=len(text))
    for i in np.flatnonzero(lengths == 0):
        blank[i] = is_blank(cells[i])
    return blank, lengths > MAX_CELL_CHARS


def text_kinds(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_cell_kinds` of texts held in arrow (none of them null), as column expressions.

    Text of ASCII characters is blank when nothing is left after trimming what ``str.isspace``
    calls whitespace; other text goes through ``str.isspace`` one by one.
    """
    lengths = pc.utf8_length(texts).to_numpy(zero_copy_only=False)
    trimmed = pc.ascii_trim(texts, _ASCII_SPACE)
    blank = np.array(pc.equal(pc.binary_length(trimmed), 0).to_numpy(zero_copy_only=False))
    for i in np.flatnonzero(~pc.string_is_ascii(texts).to_numpy(zero_copy_only=False)):
        blank[i] = texts[int(i)].as_py().isspace()
    return blank, lengths > MAX_CELL_CHARS


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
    """Whether every cell of a row is empty."""
    for cell in cells:
        if cell.__class__ is str:
            if cell.strip():  # type: ignore[attr-defined]
                return False
        elif not is_blank(cell):
            return False
    return True
