"""Small export files in the reference formats (source_exports.md), written by hand for tests.

Each builder writes one file that a reader can open in a spreadsheet program or editor; the rows
are plain dicts with the source's own column names, so a test reads like the export it describes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import openpyxl

from toolkit.adapters import builtin_profiles

TEST_KEY = b"test-key-0123456789abcdef0123456789abcdef"
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
REFERENCE_LOGS = SHARED / "reference_logs"

COA_COLUMNS = builtin_profiles()["coa-xlsx"].column_order
IND_COLUMNS = builtin_profiles()["ind-csv"].column_order
GEM_XLSX_COLUMNS = builtin_profiles()["gemeente-xlsx"].column_order
GEM_CSV_COLUMNS = builtin_profiles()["gemeente-csv"].column_order

Row = dict[str, object]


def write_coa(
    path: Path,
    rows: Sequence[Row],
    *,
    title: Sequence[str] = (
        "COA Bewonersmutaties 01-01-2024 t/m 31-03-2024",
        "Aangemaakt op: 03-04-2024 09:12",
        "",
    ),
    footer: bool = True,
    blank_rows: int = 2,
) -> Path:
    """A COA Bewonersmutaties workbook: title rows, header, data, blank rows, total line."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Mutaties"
    for line in title:
        sheet.append([line] if line else [])
    sheet.append(list(COA_COLUMNS))
    for row in rows:
        sheet.append([row.get(c) for c in COA_COLUMNS])
    for _ in range(blank_rows):
        sheet.append([])
    if footer:
        sheet.append([f"Totaal: {len(rows)} regels"])
    book.save(path)
    return path


def write_gemeente_xlsx(path: Path, rows: Sequence[Row]) -> Path:
    """A municipal Volgregistratie workbook, header on row 1."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Volgregistratie"
    sheet.append(list(GEM_XLSX_COLUMNS))
    for row in rows:
        sheet.append([row.get(c) for c in GEM_XLSX_COLUMNS])
    book.save(path)
    return path


def _delimited(columns: Sequence[str], rows: Sequence[Row], delimiter: str, newline: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return buffer.getvalue()


def write_ind(path: Path, rows: Sequence[Row], *, encoding: str = "cp1252") -> Path:
    """An IND Zaakmijlpalen CSV: ';', CRLF, Windows-1252 unless told otherwise."""
    path.write_bytes(_delimited(IND_COLUMNS, rows, ";", "\r\n").encode(encoding))
    return path


def write_gemeente_csv(path: Path, rows: Sequence[Row]) -> Path:
    """A municipal gebeurtenissen CSV: ',', UTF-8 with BOM."""
    path.write_bytes(_delimited(GEM_CSV_COLUMNS, rows, ",", "\n").encode("utf-8-sig"))
    return path


def coa_row(vnummer: object, code: str, day: object, clock: str = "10:00", **extra: object) -> Row:
    row: Row = {
        "V-nummer": vnummer,
        "Huishoudnummer": "HH1234567",
        "Geboortejaar": 1992,
        "Geslacht": "V",
        "Nationaliteit": "Syrië",
        "Mutatiedatum": day,
        "Mutatietijd": clock,
        "Mutatiecode": code,
        "Locatie": "Ter Apel",
        "Locatietype": "COL",
        "Gemeentecode": None,
        "Opmerking": None,
    }
    row.update(extra)
    return row


def ind_row(vnummer: object, code: str, day: str, clock: str = "09:30", **extra: object) -> Row:
    row: Row = {
        "VNUMMER": vnummer,
        "ZAAKNUMMER": "Z2024000001",
        "PROCEDURE": "ASIEL",
        "SPOOR": "4",
        "MIJLPAAL": code,
        "OMSCHRIJVING": "",
        "DATUM": day,
        "TIJD": clock,
        "UITKOMST": "",
        "KANTOOR": "Zevenaar",
        "MEDEWERKER_ID": "MW000001",
    }
    row.update(extra)
    return row
