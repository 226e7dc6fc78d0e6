"""The delimited-text reader's three ways of cutting a file give the csv module's table.

A regular file goes through pyarrow's CSV reader, other plain lines through pyarrow's string
functions, anything else through Python's csv module (:mod:`toolkit.adapters.csv`). The csv
module is the reference: whatever a file holds (quotes, CRLF, empty and blank lines, short and
long lines, title and footer lines, a byte-order mark, Windows-1252, oversized cells), the table
read the usual way must be the one the csv module gives: the same cells per row, row numbers,
skipped rows, encoding, notes and repairs, or the same error.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import pytest
from export_files import ind_row, write_ind
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.adapters import builtin_profiles
from toolkit.adapters import csv as reader
from toolkit.adapters.table import MAX_CELL_CHARS, RawTable
from toolkit.errors import IngestError

PROFILES = builtin_profiles()
IND = PROFILES["ind-csv"]
GEM = PROFILES["gemeente-csv"]
# The IND layout with title lines above the header and a total line below the rows.
IND_TITLED = dataclasses.replace(IND, header="detect", footer=PROFILES["coa-xlsx"].footer)
CSV_MODULE, SPLIT, USUAL = "csv module", "split", "usual"
TITLE = ["Zaakmijlpalen IND", "Aangemaakt op: 05-01-2024"]


def read(path: Path, profile, way: str = USUAL) -> RawTable | str:
    """The table read_csv gives (or its error), the way told: as usual, with plain lines cut by
    pyarrow's string functions, or with every file going through the csv module."""
    with pytest.MonkeyPatch.context() as patch:
        if way == CSV_MODULE:
            patch.setattr(reader._Lines, "plain", lambda self: False)
        if way == SPLIT:
            patch.setattr(reader._Lines, "regular", lambda self, delimiter: False)
        try:
            return reader.read_csv(path, profile)
        except IngestError as exc:
            return str(exc)


def seen(table: RawTable | str) -> object:
    """Everything of a table a user or the mapping sees."""
    if isinstance(table, str):
        return table
    return (
        dict(table.skipped),
        dict(table.repairs),
        table.encoding,
        table.notes,
        table.footer_total,
        table.unknown_columns,
        table.numbers.tolist(),
        {name: column.values().tolist() for name, column in table.coded.items()},
    )


def coded(table: RawTable | str) -> object:
    """The encoded columns as they are: codes and distinct values."""
    if isinstance(table, str):
        return table
    return {name: (c.codes.tolist(), c.uniques) for name, c in table.coded.items()}


def assert_as_csv_module(path: Path, profile) -> None:
    expected = seen(read(path, profile, CSV_MODULE))
    usual, split = read(path, profile), read(path, profile, SPLIT)
    assert seen(usual) == expected
    assert seen(split) == expected
    assert coded(usual) == coded(split)  # the two pyarrow ways encode alike


CELLS = [
    "",
    " ",
    "0123456789",
    "AANMELDING",
    "Ter Apel",
    "02-01-2024",
    " ASIEL ",
    "Syrië",
    "é",
    "\ufeff0123456789",
]
IRREGULAR = [
    "quote",  # a quoted field, holding the delimiter or a line break
    "empty line",
    "short line",
    "long line",
    "stray carriage return",
    "NUL",
    "title lines",
    "footer alone",  # the total line as the only field: a short line
]
REGULAR = [
    "blank line",  # every field empty
    "footer with delimiters",
    "oversized cell",
    "unknown column",
    "no final line end",
    "header alone",
]


@st.composite
def exports(draw: st.DrawFn) -> tuple[bytes, object]:
    """A delimited export: header, rows of ordinary cells, and some of the ways files differ."""
    profile = draw(st.sampled_from([IND, IND_TITLED, GEM]))
    delimiter = profile.delimiter
    header = list(profile.column_order)
    rows = draw(
        st.lists(
            st.lists(st.sampled_from(CELLS), min_size=len(header), max_size=len(header)),
            max_size=6,
        )
    )
    kinds = draw(st.sets(st.sampled_from(IRREGULAR + REGULAR), max_size=3))
    if "unknown column" in kinds:
        header.append("NOTITIE")
        rows = [[*row, "Bel mevrouw Jansen"] for row in rows]
    lines = [delimiter.join(row) for row in rows]

    def somewhere(line: str) -> None:
        lines.insert(draw(st.integers(0, len(lines))), line)

    def alter(change) -> None:
        if lines:
            at = draw(st.integers(0, len(lines) - 1))
            lines[at] = change(lines[at])

    if "quote" in kinds:
        quoted = draw(st.sampled_from(['"a;b,c"', '"regel 1\nregel 2"', '"Ter ""Apel"""']))
        alter(lambda line: quoted + line[line.find(delimiter) :])
    if "empty line" in kinds:
        somewhere("")
    if "short line" in kinds:
        alter(lambda line: line.rsplit(delimiter, draw(st.integers(1, len(header) - 1)))[0])
    if "long line" in kinds:
        alter(lambda line: line + delimiter + "extra")
    if "stray carriage return" in kinds:
        alter(lambda line: line.replace(delimiter, "\r" + delimiter, 1))
    if "NUL" in kinds:
        alter(lambda line: "\x00" + line)
    if "blank line" in kinds:
        somewhere(delimiter * (len(header) - 1))
    if "oversized cell" in kinds:
        alter(lambda line: "x" * (MAX_CELL_CHARS + 1) + line)
    footer = "Totaal: 7 regels"
    if "footer alone" in kinds:
        lines.append(footer)
    if "footer with delimiters" in kinds:
        lines.append(footer + delimiter * (len(header) - 1))
    if "header alone" in kinds:
        lines.clear()
    lines.insert(0, delimiter.join(header))
    if "title lines" in kinds:
        lines[:0] = draw(st.sampled_from([TITLE, [TITLE[0], "", TITLE[1]]]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines) + ("" if "no final line end" in kinds else newline)
    unicode = ["utf-8", "utf-8-sig"]  # a byte-order mark in a cell has no Windows-1252 byte
    encoding = draw(st.sampled_from(unicode if "\ufeff" in text else ["cp1252", *unicode]))
    return text.encode(encoding), profile


@settings(max_examples=200, deadline=None)
@given(exports())
def test_every_way_gives_the_csv_modules_table(export):
    data, profile = export
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_bytes(data)
        assert_as_csv_module(path, profile)


@pytest.mark.parametrize(
    "kind", [*IRREGULAR, *REGULAR, "line longer than a block", "byte-order mark below the header"]
)
def test_each_way_files_differ_gives_the_csv_modules_table(tmp_path, kind):
    """Each kind of difference on its own, so that every one is checked on every run."""
    rows = [
        ind_row("0123456789", "AANMELDING", "02-01-2024", KANTOOR="Zevenaar é"),
        ind_row("0123456789", "BESCHIKKING", "02-04-2024", UITKOMST="INWILLIGING"),
    ]
    path = write_ind(tmp_path / "ind.csv", rows)
    head, body = path.read_bytes().split(b"\r\n", 1)
    changed = {
        "quote": body.replace(b"ASIEL", b'"AS;IEL"', 1),
        "empty line": body.replace(b"\r\n", b"\r\n\r\n", 1),
        "short line": body.replace(b";09:30", b"", 1),
        "long line": body.replace(b"\r\n", b";extra\r\n", 1),
        "stray carriage return": body.replace(b"ASIEL", b"AS\rIEL", 1),
        "NUL": body.replace(b"ASIEL", b"AS\x00IEL", 1),
        "title lines": body,
        "footer alone": body + b"Totaal: 2 regels\r\n",
        "blank line": body + b";" * 10 + b"\r\n",
        "footer with delimiters": body + b"Totaal: 2 regels" + b";" * 10 + b"\r\n",
        "oversized cell": body.replace(b"ASIEL", b"x" * (MAX_CELL_CHARS + 1), 1),
        "unknown column": body.replace(b"\r\n", b";Jansen\r\n"),
        "no final line end": body.removesuffix(b"\r\n"),
        "header alone": b"",
        # pyarrow's CSV reader takes a file in blocks of 1 MiB and refuses a longer line
        "line longer than a block": body.replace(b"ASIEL", b"x" * 2**20, 1),
        # pyarrow's CSV reader drops a byte-order mark at the start of what it reads
        "byte-order mark below the header": b"\xef\xbb\xbf" + body,
    }[kind]
    if kind == "unknown column":
        head += b";NOTITIE"
    if kind == "title lines":
        head = "\r\n".join([*TITLE, ""]).encode() + head
    path.write_bytes(head + b"\r\n" + changed if changed else head)
    assert_as_csv_module(path, IND_TITLED)


def test_a_regular_file_is_read_by_pyarrows_csv_reader(tmp_path, monkeypatch):
    """The chain's exports are regular: with the other two ways taken away they are still read
    (a byte-order mark, CRLF, a blank line, a column not in the profile, non-ASCII text)."""
    rows = [
        ind_row("0123456789", "AANMELDING", "02-01-2024", KANTOOR="Zevenaar é"),
        ind_row("0123456789", "BESCHIKKING", "02-04-2024", UITKOMST="INWILLIGING"),
    ]
    path = write_ind(tmp_path / "ind.csv", rows, encoding="utf-8-sig")
    header, first, rest = path.read_bytes().split(b"\r\n", 2)
    blank = b";" * (len(IND.column_order) - 1)
    last = rest.replace(b"\r\n", b";\r\n")
    lines = [header + b";NOTITIE", first + b";Bel mevrouw Jansen", blank + b";", last]
    path.write_bytes(b"\r\n".join(lines))
    expected = seen(read(path, IND, CSV_MODULE))

    def refuse(*args: object) -> None:
        raise AssertionError("a regular file was not read by pyarrow's CSV reader")

    monkeypatch.setattr(reader, "_read_lines", refuse)
    monkeypatch.setattr(reader, "_read_records", refuse)
    table = reader.read_csv(path, IND)
    assert seen(table) == expected
    assert table.numbers.tolist() == [2, 4]
    assert dict(table.skipped) == {"header": 1, "blank": 1}
    assert table.frame.loc[0, "resource"] == "Zevenaar é"
    assert table.unknown_columns == [(len(IND.column_order) + 1, "NOTITIE")]


def test_ascii_bytes_in_an_encoding_with_shifts_are_decoded(tmp_path):
    """ASCII bytes are read as they are only in an encoding that reads them as ASCII: in
    ISO-2022-JP an escape sequence shifts to two-byte characters ('!!' is a wide space)."""
    profile = dataclasses.replace(GEM, encoding="iso2022_jp", fallback_encodings=())
    path = tmp_path / "gemeente_GM0479_gebeurtenissen.csv"
    header = ",".join(GEM.column_order).encode()
    path.write_bytes(header + b"\n0123456789,1,WON_AANB,2024-03-05,GM0479\x1b$B!!\x1b(B\n")
    table = reader.read_csv(path, profile)
    assert table.frame.loc[0, "municipality"] == "GM0479\u3000"
    assert seen(table) == seen(read(path, profile, CSV_MODULE))
