"""Reader for delimited text exports (IND Zaakmijlpalen, municipal gebeurtenissen).

The profile announces the encoding, but systems change and exports get re-saved: a file announced
as Windows-1252 that carries a UTF-8 byte-order mark, or multi-byte sequences that are valid UTF-8,
is UTF-8 (reading it as Windows-1252 would silently turn ``Syrië`` into ``SyriÃ«``). That check
comes first; the profile's fallback encodings are tried only when the announced one cannot decode
the bytes at all. Either way the file report says which encoding was used.

An export whose records are plain lines (no quote character, no NUL, no carriage return outside a
line end: every chain export we have seen) is cut into lines and fields by pyarrow, in columns;
any other file goes through Python's csv module, which knows quoting. Both give the same cells
and line numbers, since for plain lines the csv module does nothing but split them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.adapters.columns import Coded
from toolkit.adapters.parsing import is_blank
from toolkit.adapters.profile import Profile
from toolkit.adapters.table import Collector, RawTable, header_matches, text_kinds
from toolkit.errors import IngestError

DETECT = "detect"
HEADER_SEARCH_ROWS = 50
# Python's csv module stops at a field of 128 KiB; a longer cell is read (and then set aside by
# the collector, row quarantined) rather than stopping the whole file.
FIELD_LIMIT = 2**31 - 1
UTF8 = "utf-8"
UTF8_BOM = "utf-8-sig"


def _is_utf8(name: str) -> bool:
    return codecs.lookup(name).name in {"utf-8", "utf-8-sig"}


def decode(path: Path, data: bytes, profile: Profile) -> tuple[str, str, str | None]:
    """The text of a file, the encoding used, and a note when it is not the announced one."""
    announced = profile.encoding
    if not _is_utf8(announced):
        if data.startswith(codecs.BOM_UTF8):
            note = f"announced {announced} but starts with a UTF-8 byte-order mark: read as UTF-8"
            return data.decode(UTF8_BOM), UTF8_BOM, note
        if not data.isascii():
            try:
                text = data.decode(UTF8)
            except UnicodeDecodeError:
                pass
            else:
                return text, UTF8, f"announced {announced} but is valid UTF-8: read as UTF-8"
    for i, encoding in enumerate((announced, *profile.fallback_encodings)):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == UTF8 and text.startswith("\ufeff"):
            text = text[1:]
        note = None if i == 0 else f"announced {announced} does not decode it: read as {encoding}"
        return text, encoding, note
    tried = ", ".join((announced, *profile.fallback_encodings))
    raise IngestError(f"{path.name}: cannot be decoded as {tried}; re-export it in {announced}")


def _records(text: str, delimiter: str) -> tuple[list[list[str]], np.ndarray]:
    """Every record and the line where it starts: the line a user sees in an editor."""

    def reader() -> Iterator[list[str]]:
        return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')

    records = reader()
    fields = list(records)
    if records.line_num == len(fields):  # no quoted line breaks: record i is on line i + 1
        return fields, np.arange(1, len(fields) + 1)
    starts, previous = [], 0
    records = reader()
    for _ in records:
        starts.append(previous + 1)
        previous = records.line_num
    return fields, np.array(starts, dtype=np.int64)


def _footer(fields: Sequence[object], footer: re.Pattern[str] | None) -> tuple[bool, None]:
    """Whether a record is the total line (a delimited export's total is not kept)."""
    if footer is None:
        return False, None
    filled = [str(f).strip() for f in fields if not is_blank(f)]
    return len(filled) == 1 and bool(footer.match(filled[0])), None


def read_csv(path: Path, profile: Profile) -> RawTable:
    """The data rows of a delimited export, mapped columns only."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path.name}: cannot be read ({exc.strerror})") from None
    text, encoding, note = decode(path, data, profile)
    del data
    table = RawTable(path=path, profile=profile, encoding=encoding)
    if note:
        table.notes.append(note)
        table.repairs["encoding_mismatch"] += 1
    footer = re.compile(profile.footer) if profile.footer else None
    if _plain_lines(text):
        _read_lines(path, table, text, lambda cells: _footer(cells, footer))
        return table
    limit = csv.field_size_limit(FIELD_LIMIT)
    try:
        records, lines = _records(text, profile.delimiter)
    except csv.Error as exc:
        raise IngestError(f"{path.name}: not a valid delimited file ({exc})") from None
    finally:
        csv.field_size_limit(limit)
    del text
    seen, collector = _header(path, table, records)
    collector.collect(table, records[seen:], lines[seen:], lambda cells: _footer(cells, footer))
    return table


def _header(path: Path, table: RawTable, records: Sequence[list[str]]) -> tuple[int, Collector]:
    """The number of records up to and including the header, and the header's collector."""
    profile = table.profile
    wanted = profile.header
    for index, fields in enumerate(records):
        seen = index + 1
        if header_matches(profile, fields) if wanted == DETECT else seen == int(wanted):
            collector = Collector(path, profile, fields)
            table.skipped["header"] += 1
            collector.note_unknown_columns(table)
            return seen, collector
        if seen >= _search_rows(profile):
            break
        table.skipped["title"] += 1
    raise IngestError(
        f"{path.name}: no header row with the columns of profile {profile.name} "
        f"({', '.join(profile.columns.values())})"
    )


def _search_rows(profile: Profile) -> int:
    return HEADER_SEARCH_ROWS if profile.header == DETECT else int(profile.header)


def _plain_lines(text: str) -> bool:
    """Whether every record is one line of unquoted fields, so that splitting each line at the
    delimiter gives what the csv module gives: no quote character, no NUL (which the csv module
    refuses), no carriage return other than in a CRLF line end."""
    return (
        bool(text)
        and '"' not in text
        and "\x00" not in text
        and (text.count("\r") == text.count("\r\n"))
    )


def _fields(line: str, delimiter: str) -> list[str]:
    """A line's fields as the csv module reads them (an empty line is a record without fields)."""
    return line.split(delimiter) if line else []


def _read_lines(
    path: Path,
    table: RawTable,
    text: str,
    footer: Callable[[Sequence[object]], tuple[bool, int | None]],
) -> None:
    """Read a file of plain lines (:func:`_plain_lines`): the header found among its first
    lines, the mapped columns cut out and dictionary-encoded by pyarrow."""
    delimiter = table.profile.delimiter
    lines = pc.split_pattern(pa.array([text], pa.large_string()), "\n").flatten()
    if text.endswith("\n"):  # the last line end closes the last record, it opens none
        lines = lines.slice(0, len(lines) - 1)
    if "\r" in text:
        lines = pc.utf8_rtrim(lines, characters="\r")
    head = [
        _fields(line, delimiter) for line in lines.slice(0, _search_rows(table.profile)).to_pylist()
    ]
    seen, collector = _header(path, table, head)
    data = lines.slice(seen)
    n = len(data)
    cells = pc.list_slice(
        pc.split_pattern(data, delimiter), 0, collector.width, return_fixed_size_list=True
    )
    empty = pc.equal(pc.binary_length(data), 0).to_numpy(zero_copy_only=False)
    encoded, kinds = [], []
    for position in collector.positions:
        column = pc.dictionary_encode(pc.list_element(cells, position))
        uniques = column.dictionary.to_pylist()
        blank, oversized = text_kinds(column.dictionary)
        codes = pc.fill_null(column.indices, len(uniques)).to_numpy().astype(np.intp)
        codes[empty] = len(uniques)  # the csv module gives an empty line no cells at all
        if (codes == len(uniques)).any():
            uniques.append(None)
            blank, oversized = np.append(blank, True), np.append(oversized, False)
        encoded.append(Coded(codes, uniques))
        kinds.append((blank, oversized))
    numbers = np.arange(seen + 1, seen + 1 + n, dtype=np.int64)

    def row(r: int) -> list[str]:
        return _fields(data[r].as_py(), delimiter)

    collector.collect_columns(table, encoded, numbers, row, footer, kinds)


def csv_header(path: Path, delimiter: str | None = None) -> list[str]:
    """The first line's fields, to recognise a profile or to tell a user what the file has."""
    with Path(path).open("rb") as fh:
        first = fh.readline(64 * 1024)
    text = first.decode(UTF8_BOM, errors="replace").strip("\r\n")
    if delimiter is None:
        delimiter = max((";", ",", "\t", "|"), key=text.count)
    return next(csv.reader([text], delimiter=delimiter), [])
