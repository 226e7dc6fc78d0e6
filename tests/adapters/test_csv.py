"""The delimited-text reader: announced encoding, checked fallback, line numbers, blank lines."""

from __future__ import annotations

import codecs
import csv
import io

import pytest
from export_files import IND_COLUMNS, ind_row, write_gemeente_csv, write_ind

from toolkit.adapters import builtin_profiles
from toolkit.adapters.csv import read_csv
from toolkit.errors import IngestError

IND = builtin_profiles()["ind-csv"]
GEM = builtin_profiles()["gemeente-csv"]


def _rows():
    return [
        ind_row("0123456789", "AANMELDING", "02-01-2024", KANTOOR="Ter Apel"),
        ind_row("0123456789", "BESCHIKKING", "02-04-2024", UITKOMST="INWILLIGING"),
    ]


def test_windows_1252_as_announced(tmp_path):
    rows = [ind_row("0123456789", "AANMELDING", "02-01-2024", KANTOOR="Den Bosch é")]
    table = read_csv(write_ind(tmp_path / "ind.csv", rows), IND)
    assert table.encoding == "cp1252"
    assert table.frame.loc[0, "resource"] == "Den Bosch é"
    assert not table.notes


def test_announced_windows_1252_but_utf8_with_bom_is_read_as_utf8(tmp_path):
    rows = [ind_row("0123456789", "AANMELDING", "02-01-2024", KANTOOR="Den Bosch é")]
    path = write_ind(tmp_path / "ind.csv", rows, encoding="utf-8-sig")
    table = read_csv(path, IND)
    assert table.encoding == "utf-8-sig"
    assert table.frame.loc[0, "resource"] == "Den Bosch é"  # not 'Ã©'
    assert table.frame.loc[0, "vnummer"] == "0123456789"  # the BOM is not in the first field
    assert "UTF-8" in table.notes[0]
    assert table.repairs["encoding_mismatch"] == 1


def test_announced_windows_1252_but_utf8_without_bom_is_read_as_utf8(tmp_path):
    rows = [ind_row("0123456789", "AANMELDING", "02-01-2024", KANTOOR="Den Bosch é")]
    path = write_ind(tmp_path / "ind.csv", rows, encoding="utf-8")
    table = read_csv(path, IND)
    assert table.encoding == "utf-8"
    assert table.frame.loc[0, "resource"] == "Den Bosch é"


def test_gemeente_utf8_file_that_is_windows_1252_falls_back(tmp_path):
    text = "v_nummer,bsn,gebeurtenis_code,tijdstip,gemeentecode\n"
    text += "0123456789,123456782,WON_AANB,2024-03-05T10:15:00+01:00,GM0479 é\n"
    path = tmp_path / "gemeente_GM0479_gebeurtenissen.csv"
    path.write_bytes(text.encode("cp1252"))
    table = read_csv(path, GEM)
    assert table.encoding == "cp1252"
    assert table.frame.loc[0, "municipality"] == "GM0479 é"
    assert "cp1252" in table.notes[0]


def test_line_numbers_count_the_header_and_blank_lines(tmp_path):
    path = write_ind(tmp_path / "ind.csv", _rows())
    data = path.read_bytes() + b";;;;;;;;;;\r\n\r\n"
    data += ";".join(ind_row("0123456789", "AANVRAAG", "03-04-2024").values()).encode() + b"\r\n"
    path.write_bytes(data)
    table = read_csv(path, IND)
    assert table.frame["row"].tolist() == [2, 3, 6]
    assert dict(table.skipped) == {"header": 1, "blank": 2}


def test_a_quoted_field_with_a_line_break_keeps_the_numbering_right(tmp_path):
    rows = [
        ind_row("0123456789", "AANMELDING", "02-01-2024", OMSCHRIJVING="regel 1\nregel 2"),
        ind_row("0123456789", "AANVRAAG", "03-01-2024"),
    ]
    table = read_csv(write_ind(tmp_path / "ind.csv", rows), IND)
    assert table.frame["row"].tolist() == [2, 4]


def test_staff_ids_never_enter_the_table(tmp_path):
    table = read_csv(write_ind(tmp_path / "ind.csv", _rows()), IND)
    assert "MEDEWERKER_ID" not in table.frame.columns
    assert "MW000001" not in table.frame.astype(str).to_string()


def test_columns_found_by_name_in_any_order(tmp_path):
    reordered = list(reversed(IND_COLUMNS))
    lines = [";".join(reordered)]
    row = ind_row("0123456789", "AANMELDING", "02-01-2024")
    lines.append(";".join(str(row[c]) for c in reordered))
    path = tmp_path / "ind.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    table = read_csv(path, IND)
    assert table.frame.loc[0, "code"] == "AANMELDING"
    assert table.frame.loc[0, "vnummer"] == "0123456789"


def test_a_header_without_the_profile_columns_is_refused(tmp_path):
    path = tmp_path / "ind_zaakmijlpalen_x.csv"
    path.write_bytes(b"A;B\r\n1;2\r\n")
    with pytest.raises(IngestError, match=r"ind_zaakmijlpalen_x.csv: .*VNUMMER"):
        read_csv(path, IND)


def test_bytes_no_encoding_can_read_are_refused(tmp_path):
    path = tmp_path / "gemeente_GM0479_gebeurtenissen.csv"
    header = ",".join(GEM.column_order).encode()
    path.write_bytes(header + b"\n\x81\x8d\x8f,\xff\n")  # invalid UTF-8 and undefined in cp1252
    with pytest.raises(IngestError, match=r"cannot be decoded"):
        read_csv(path, GEM)


def test_a_byte_order_mark_before_bytes_that_are_not_utf8_is_refused(tmp_path):
    path = tmp_path / "ind_zaakmijlpalen_2024Q1.csv"
    header = ";".join(IND.column_order).encode()
    data = codecs.BOM_UTF8 + header + b"\r\n0123456789;Caf\xe9\r\n"  # a Windows-1252 é
    path.write_bytes(data)
    at = data.index(b"\xe9") + 1
    with pytest.raises(IngestError, match=rf"2024Q1.csv: starts with a UTF-8 .*byte {at} "):
        read_csv(path, IND)


def test_gemeente_csv_with_bom(tmp_path):
    rows = [
        {
            "v_nummer": "0123456789",
            "bsn": "123456782",
            "gebeurtenis_code": "WON_AANB",
            "tijdstip": "2024-03-05T10:15:00+01:00",
            "gemeentecode": "GM0479",
        }
    ]
    path = write_gemeente_csv(tmp_path / "gemeente_GM0479_gebeurtenissen.csv", rows)
    assert path.read_bytes().startswith(codecs.BOM_UTF8)
    table = read_csv(path, GEM)
    assert table.frame.loc[0, "vnummer"] == "0123456789"
    assert table.encoding == "utf-8-sig"
    assert not table.notes


def test_a_column_the_profile_does_not_know_is_not_read_but_kept_by_position(tmp_path):
    path = tmp_path / "ind.csv"
    header = ";".join([*IND_COLUMNS, "NOTITIE"])
    body = ";".join(["0123456789"] + [""] * (len(IND_COLUMNS) - 1) + ["Bel mevrouw Jansen"])
    path.write_bytes(f"{header}\r\n{body}\r\n".encode("cp1252"))
    table = read_csv(path, IND)
    assert table.notes == []
    assert [i for i, _ in table.unknown_columns] == [len(IND_COLUMNS) + 1]
    assert "Jansen" not in table.frame.to_string()


@pytest.mark.parametrize("quoted", [False, True])
def test_the_cells_are_those_of_the_csv_module(tmp_path, quoted):
    """A file of plain lines is split by pyarrow, one with a quote by the csv module; the cells
    and line numbers are the csv module's either way: short and long rows, empty and blank
    lines, spaces kept, CRLF line ends."""
    path = write_ind(tmp_path / "ind.csv", _rows())
    lines = [
        "0123456789;Z2024000002; ASIEL ;;AANVRAAG;x;03-04-2024;10:00;;Ter Apel",  # one short
        "",
        ";;;;;;;;;;",
        " 0123456789 ;Z2024000003;ASIEL;;NADER_GEHOOR;y;04-04-2024;;;Zevenaar;MW1;extra",
        "0123456789;Z2024000004;ASIEL",  # many short
    ]
    if quoted:
        lines.append('0123456789;"Z2024000005";ASIEL;;AANVRAAG;z;05-04-2024;;;Zevenaar;MW2')
    data = path.read_bytes() + "\r\n".join(lines).encode("cp1252") + b"\r\n"
    path.write_bytes(data)
    table = read_csv(path, IND)

    records = list(csv.reader(io.StringIO(data.decode("cp1252"), newline=""), delimiter=";"))
    header = records[0]
    kept = [(n, r) for n, r in enumerate(records[1:], start=2) if any(c.strip() for c in r)]
    assert table.frame["row"].tolist() == [n for n, _ in kept]
    for field, column in IND.columns.items():
        at = header.index(column)
        expected = [r[at] if at < len(r) else None for _, r in kept]
        assert table.frame[field].tolist() == expected, field
    assert dict(table.skipped) == {"header": 1, "blank": 2}
