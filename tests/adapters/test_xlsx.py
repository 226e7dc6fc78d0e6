"""The spreadsheet reader: header found by looking, title/blank/footer rows skipped and counted."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest
from export_files import coa_row, write_coa, write_gemeente_xlsx

from toolkit.adapters import builtin_profiles
from toolkit.adapters.xlsx import read_xlsx
from toolkit.errors import IngestError

COA = builtin_profiles()["coa-xlsx"]
GEM = builtin_profiles()["gemeente-xlsx"]


def _rows():
    return [
        coa_row("0123456789", "INS", date(2024, 1, 3), Opmerking="belt 06-12345678"),
        coa_row(123456789, "OVP", "04-01-2024", "", Locatie="Zweeloo", Locatietype="AZC"),
        coa_row("123 456 7890", "KOP", date(2024, 2, 1), Gemeentecode="479"),
    ]


def test_coa_title_rows_header_footer(tmp_path):
    path = write_coa(tmp_path / "coa_bewonersmutaties_2024Q1.xlsx", _rows(), blank_rows=2)
    table = read_xlsx(path, COA)
    assert table.rows_read == 3
    # Title rows 1-3, header row 4, data rows 5-7, then two blank rows and the total line.
    assert table.frame["row"].tolist() == [5, 6, 7]
    assert dict(table.skipped) == {"title": 3, "header": 1, "blank": 2, "footer": 1}
    assert table.footer_total == 3
    assert table.created == datetime(2024, 4, 3, 9, 12)


def test_coa_header_is_found_whatever_the_number_of_title_rows(tmp_path):
    title = ("COA Bewonersmutaties", "extra regel", "Aangemaakt op: 03-04-2024 09:12", "", "")
    path = write_coa(tmp_path / "coa_bewonersmutaties_x.xlsx", _rows(), title=title)
    table = read_xlsx(path, COA)
    assert table.frame["row"].tolist() == [7, 8, 9]
    assert table.skipped["title"] == 5


def test_cells_arrive_as_the_spreadsheet_holds_them(tmp_path):
    table = read_xlsx(write_coa(tmp_path / "coa.xlsx", _rows()), COA)
    frame = table.frame
    assert frame.loc[0, "date"] == date(2024, 1, 3)
    assert frame.loc[1, "date"] == "04-01-2024"
    assert frame.loc[1, "vnummer"] == 123456789
    assert frame.loc[2, "municipality"] == "479"


def test_personal_columns_never_enter_the_table(tmp_path):
    table = read_xlsx(write_coa(tmp_path / "coa.xlsx", _rows()), COA)
    assert "Opmerking" not in table.frame.columns
    assert set(table.frame.columns) == {*COA.columns, "row"}
    assert "06-12345678" not in table.frame.astype(str).to_string()


def test_gemeente_header_on_row_one(tmp_path):
    rows = [
        {
            "Vreemdelingennummer": "0123456789",
            "BSN": "123456782",
            "Achternaam": "Jansen",
            "Gebeurtenis": "Woning aangeboden",
            "Datum": date(2024, 5, 1),
            "Gemeente": "Zaanstad",
            "Medewerker": "Piet Pietersen",
        }
    ]
    table = read_xlsx(write_gemeente_xlsx(tmp_path / "gemeente_zaanstad.xlsx", rows), GEM)
    assert table.frame["row"].tolist() == [2]
    assert {"BSN", "Achternaam", "Medewerker"}.isdisjoint(table.frame.columns)


def test_a_sheet_without_the_header_is_refused_with_the_file_name(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Mutaties"
    book.active.append(["iets", "anders"])
    path = tmp_path / "coa_bewonersmutaties_kapot.xlsx"
    book.save(path)
    with pytest.raises(IngestError, match=r"coa_bewonersmutaties_kapot.xlsx: no header row"):
        read_xlsx(path, COA)


def test_a_missing_sheet_is_named(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Blad1"
    path = tmp_path / "coa.xlsx"
    book.save(path)
    with pytest.raises(IngestError, match=r"no sheet 'Mutaties'.*Blad1"):
        read_xlsx(path, COA)


def test_a_file_that_is_no_spreadsheet(tmp_path):
    path = tmp_path / "coa.xlsx"
    path.write_text("dit is geen spreadsheet")
    with pytest.raises(IngestError, match=r"coa.xlsx: not a readable spreadsheet"):
        read_xlsx(path, COA)
