"""Reader for spreadsheet exports (COA Bewonersmutaties, municipal Volgregistratie).

python-calamine reads the sheet (fast, and it returns date cells as dates). The header row is the
profile's row number, or, with ``header = "detect"``, the first row that holds every mapped column:
COA puts a varying number of title rows above it. Blank rows and a total line (``Totaal: N
regels``) are skipped and counted, never taken for data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
from python_calamine import CalamineWorkbook

from toolkit.adapters.parsing import is_blank
from toolkit.adapters.profile import Profile
from toolkit.adapters.table import Collector, RawTable, header_matches
from toolkit.errors import IngestError

DETECT = "detect"
# How far down a header is looked for: title blocks are a few rows, never a page.
HEADER_SEARCH_ROWS = 50
CREATED_FORMATS = ("%d-%m-%Y %H:%M", "%d-%m-%Y")


def _rows(path: Path, profile: Profile) -> tuple[int, list[list[object]]]:
    """The sheet's rows, and the number of empty rows above the first one calamine yields."""
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own types for every kind of broken file
        raise IngestError(f"{path.name}: not a readable spreadsheet ({exc})") from None
    names = book.sheet_names
    sheet = profile.sheet or names[0]
    if sheet not in names:
        raise IngestError(
            f"{path.name}: no sheet {sheet!r} (profile {profile.name}); sheets: {', '.join(names)}"
        )
    data = book.get_sheet_by_name(sheet)
    first_row = data.start[0] if data.start else 0
    return first_row, data.to_python()


def _title_regexes(profile: Profile) -> list[re.Pattern[str]]:
    """Regexes that capture ``{created}`` from the profile's title lines."""
    out = []
    for line in profile.title:
        if "{created}" not in line:
            continue
        text = re.escape(line).replace(re.escape("{created}"), r"(?P<created>.+)")
        text = re.sub(r"\\\{\w+\\\}", ".*", text)
        out.append(re.compile(f"^{text}$"))
    return out


def _created(cells: Sequence[object], regexes: list[re.Pattern[str]]) -> datetime | None:
    for cell in cells:
        if is_blank(cell):
            continue
        for regex in regexes:
            match = regex.match(str(cell).strip())
            if not match:
                continue
            for fmt in CREATED_FORMATS:
                try:
                    return datetime.strptime(match.group("created").strip(), fmt)
                except ValueError:
                    continue
    return None


def _footer(cells: Sequence[object], footer: re.Pattern[str] | None) -> tuple[bool, int | None]:
    """Whether a row is the total line, and the N it states (None when it states none)."""
    if footer is None:
        return False, None
    filled = [str(c).strip() for c in cells if not is_blank(c)]
    if len(filled) != 1 or not footer.match(filled[0]):
        return False, None
    digits = re.search(r"\d+", filled[0])
    return True, int(digits.group()) if digits else None


def read_xlsx(path: Path, profile: Profile) -> RawTable:
    """The data rows of a spreadsheet export, mapped columns only."""
    path = Path(path)
    offset, rows = _rows(path, profile)
    regexes = _title_regexes(profile)
    footer = re.compile(profile.footer) if profile.footer else None
    table = RawTable(path=path, profile=profile)
    for index, cells in enumerate(rows):
        number = offset + 1 + index
        wanted = profile.header
        is_header = header_matches(profile, cells) if wanted == DETECT else number == int(wanted)
        if is_header:
            collector = Collector(path, profile, cells)
            table.skipped["header"] += 1
            collector.note_unknown_columns(table)
            data = rows[index + 1 :]
            numbers = np.arange(number + 1, number + 1 + len(data))
            collector.collect(table, data, numbers, lambda cells: _footer(cells, footer))
            return table
        limit = HEADER_SEARCH_ROWS if wanted == DETECT else int(wanted)
        if number >= limit:
            break
        table.created = table.created or _created(cells, regexes)
        table.skipped["title"] += 1
    raise IngestError(
        f"{path.name}: no header row with the columns of profile {profile.name} "
        f"({', '.join(profile.columns.values())}) in the first {HEADER_SEARCH_ROWS} rows"
    )


def xlsx_header(path: Path, sheet: str | None, rows: int = HEADER_SEARCH_ROWS) -> list[list[str]]:
    """The first rows of a sheet as text, to recognise a profile or to tell a user what is there."""
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own types for every kind of broken file
        raise IngestError(f"{path.name}: not a readable spreadsheet ({exc})") from None
    name = sheet if sheet in book.sheet_names else book.sheet_names[0]
    out = []
    data = book.get_sheet_by_name(name)
    first_row = data.start[0] if data.start else 0
    for i, cells in enumerate(data.iter_rows(), start=first_row):
        if i >= rows:
            break
        out.append(["" if is_blank(c) else str(c).strip() for c in cells])
    return out
