"""Reader for delimited text exports (IND Zaakmijlpalen, municipal gebeurtenissen).

The profile announces the encoding, but systems change and exports get re-saved: a file announced
as Windows-1252 that carries a UTF-8 byte-order mark, or multi-byte sequences that are valid UTF-8,
is UTF-8 (reading it as Windows-1252 would silently turn ``Syrië`` into ``SyriÃ«``). That check
comes first; the profile's fallback encodings are tried only when the announced one cannot decode
the bytes at all. Either way the file report says which encoding was used.

The text is cut into cells one of three ways, chosen by one rule on the text's UTF-8 bytes (an
ASCII file is its own UTF-8; other text is decoded and encoded again):

1. Plain lines (no quote character, no NUL, no carriage return outside a CRLF line end), none of
   them empty, and a delimiter of one ASCII character: the lines below the header are read by
   pyarrow's CSV reader, in one thread (files are read side by side in processes already). When
   it refuses them (a line with more or fewer fields than the header, a line longer than its
   block of 1 MiB, no line at all), or would drop a byte-order mark opening the first of them,
   the file goes the second way.
2. Other plain lines: pyarrow's string functions cut lines and fields.
3. Anything else: Python's csv module, which knows quoting.

All three give the csv module's cells and line numbers: for plain lines the csv module does
nothing but split them, and the lines where the CSV reader would differ (an empty line is a
record without cells to the csv module, and skipped by the CSV reader) never reach it. The rules
for header, title, blank and footer rows and oversized cells are the collector's
(:mod:`toolkit.adapters.table`), whichever way the cells came.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

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
# Every ASCII character, then the shifts of the encodings that keep a state (ISO-2022, HZ, UTF-7):
# an encoding that reads all of it as ASCII reads any ASCII file as ASCII.
_ASCII_PROBE = bytes(range(128)) + b"\x1b$B!!\x1b(B\x0e!!\x0f~{!!~}+AGE-"
LF, CR = ord("\n"), ord("\r")


def _is_utf8(name: str) -> bool:
    return codecs.lookup(name).name in {"utf-8", "utf-8-sig"}


def decode(path: Path, data: bytes, profile: Profile) -> tuple[str, str, str | None]:
    """The text of a file, the encoding used, and a note when it is not the announced one."""
    announced = profile.encoding
    if not _is_utf8(announced):
        if data.startswith(codecs.BOM_UTF8):
            mark = len(codecs.BOM_UTF8)
            try:
                text = data[mark:].decode(UTF8)
            except UnicodeDecodeError as exc:  # the position only: the bytes may be personal
                raise IngestError(
                    f"{path.name}: starts with a UTF-8 byte-order mark, but byte "
                    f"{mark + exc.start + 1} (counted from 1) is not UTF-8; re-export it in "
                    f"{announced} or in UTF-8"
                ) from None
            note = f"announced {announced} but starts with a UTF-8 byte-order mark: read as UTF-8"
            return text, UTF8_BOM, note
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
    body, encoding, note = utf8(path, data, profile)
    del data
    footer_pattern = re.compile(profile.footer) if profile.footer else None

    def footer(cells: Sequence[object]) -> tuple[bool, None]:
        return _footer(cells, footer_pattern)

    def table() -> RawTable:
        read = RawTable(path=path, profile=profile, encoding=encoding)
        if note:
            read.notes.append(note)
            read.repairs["encoding_mismatch"] += 1
        return read

    lines = _Lines.of(body)
    if not lines.plain():
        return _read_records(table(), body.decode(UTF8), footer)
    if lines.regular(profile.delimiter):
        read = _read_table(table(), lines, footer)
        if read is not None:
            return read
    return _read_lines(table(), lines, footer)


def utf8(path: Path, data: bytes, profile: Profile) -> tuple[bytes, str, str | None]:
    """The text of a file as UTF-8 bytes, the encoding used, and a note as :func:`decode` gives.

    ASCII bytes are the same text in every encoding that reads ASCII as ASCII, so such a file is
    its own UTF-8 and is not decoded; any other file is decoded and encoded again.
    """
    if data.isascii() and _reads_ascii(profile.encoding):
        return data, profile.encoding, None
    text, encoding, note = decode(path, data, profile)
    return text.encode(UTF8), encoding, note


def _reads_ascii(encoding: str) -> bool:
    """Whether an encoding reads ASCII bytes as those ASCII characters (see _ASCII_PROBE)."""
    try:
        return _ASCII_PROBE.decode(encoding) == _ASCII_PROBE.decode("ascii")
    except UnicodeDecodeError:
        return False


def _read_records(
    table: RawTable,
    text: str,
    footer: Callable[[Sequence[object]], tuple[bool, int | None]],
) -> RawTable:
    """Read any file through the csv module, which knows quoting."""
    limit = csv.field_size_limit(FIELD_LIMIT)
    try:
        records, lines = _records(text, table.profile.delimiter)
    except csv.Error as exc:
        raise IngestError(f"{table.path.name}: not a valid delimited file ({exc})") from None
    finally:
        csv.field_size_limit(limit)
    del text
    seen, collector = _header(table.path, table, records)
    collector.collect(table, records[seen:], lines[seen:], footer)
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


@dataclass(frozen=True)
class _Lines:
    """A file's text as UTF-8 bytes and where its lines end (found once, by numpy).

    The characters that shape lines and records (line feed, carriage return, quote, NUL, an ASCII
    delimiter) are single bytes in UTF-8 that no other character contains, so they are found in
    the bytes as they are.
    """

    body: bytes
    ends: np.ndarray  # the position of each line feed
    crlf: np.ndarray  # per line feed: whether a carriage return precedes it

    @classmethod
    def of(cls, body: bytes) -> _Lines:
        octets = np.frombuffer(body, dtype=np.uint8)
        ends = np.flatnonzero(octets == LF)
        return cls(body, ends, (ends > 0) & (octets[ends - 1] == CR))

    def __len__(self) -> int:
        """The number of lines (the last line end closes the last line, it opens none)."""
        return len(self.ends) + (not self.body.endswith(b"\n") and bool(self.body))

    def start(self, line: int) -> int:
        """Where a line (0-based) starts, or the end of the text after the last line."""
        if line == 0:
            return 0
        return int(self.ends[line - 1]) + 1 if line <= len(self.ends) else len(self.body)

    def text(self, line: int) -> str:
        """A line without its line end."""
        stop = int(self.ends[line]) if line < len(self.ends) else len(self.body)
        return self.body[self.start(line) : stop].decode(UTF8).removesuffix("\r")

    def plain(self) -> bool:
        """Whether every record is one line of unquoted fields, so that splitting each line at
        the delimiter gives what the csv module gives: no quote character, no NUL (which the csv
        module refuses), no carriage return other than in a CRLF line end."""
        return (
            bool(self.body)
            and b'"' not in self.body
            and b"\x00" not in self.body
            and self.body.count(b"\r") == np.count_nonzero(self.crlf)
        )

    def regular(self, delimiter: str) -> bool:
        """Whether plain lines have no empty line (the csv module makes it a record without
        cells, pyarrow's CSV reader skips it) and a delimiter of one ASCII character."""
        starts = np.concatenate(([0], self.ends[:-1] + 1))
        empty = self.ends - starts - self.crlf == 0
        return len(delimiter) == 1 and delimiter.isascii() and not empty.any()


def _fields(line: str, delimiter: str) -> list[str]:
    """A line's fields as the csv module reads them (an empty line is a record without fields)."""
    return line.split(delimiter) if line else []


def _head(lines: _Lines, table: RawTable) -> tuple[int, Collector, list[str]]:
    """The header found among the first lines of a file of plain lines: the number of lines up
    to and including it, its collector and its fields."""
    delimiter = table.profile.delimiter
    count = min(len(lines), _search_rows(table.profile))
    head = [_fields(lines.text(i), delimiter) for i in range(count)]
    seen, collector = _header(table.path, table, head)
    return seen, collector, head[seen - 1]


def _read_table(
    table: RawTable,
    lines: _Lines,
    footer: Callable[[Sequence[object]], tuple[bool, int | None]],
) -> RawTable | None:
    """Read a file of regular lines (:meth:`_Lines.regular`): pyarrow's CSV reader cuts the
    mapped columns out of the lines below the header, in one thread (files are read side by side
    in processes already), and they are dictionary-encoded.

    None where the reader would not give the csv module's cells: it refuses a line with more or
    fewer fields than the header or longer than its block (1 MiB), and a file with no line below
    the header; and it drops a byte-order mark at the start of the first line it reads, which
    the csv module keeps as a character of the first cell.
    """
    seen, collector, header = _head(lines, table)
    start = lines.start(seen)
    if lines.body.startswith(codecs.BOM_UTF8, start):
        return None
    names = [str(i) for i in range(len(header))]
    wanted = [names[p] for p in sorted(set(collector.positions))]
    try:
        rows = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(lines.body).slice(start)),
            read_options=pacsv.ReadOptions(use_threads=False, column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=table.profile.delimiter, quote_char=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(wanted, pa.string()),
                include_columns=wanted,
                strings_can_be_null=False,
                check_utf8=False,  # UTF-8 already: see utf8()
            ),
        )
    except pa.ArrowInvalid:  # its message may quote a line: never shown
        return None
    encoded, kinds = [], []
    for position in collector.positions:
        column = pc.dictionary_encode(rows.column(names[position])).combine_chunks()
        codes = column.indices.to_numpy().astype(np.intp)
        encoded.append(Coded(codes, column.dictionary.to_pylist()))
        kinds.append(text_kinds(column.dictionary))
    numbers = np.arange(seen + 1, seen + 1 + rows.num_rows, dtype=np.int64)

    def row(r: int) -> list[str]:
        return _fields(lines.text(seen + r), table.profile.delimiter)

    collector.collect_columns(table, encoded, numbers, row, footer, kinds)
    return table


def _read_lines(
    table: RawTable,
    lines: _Lines,
    footer: Callable[[Sequence[object]], tuple[bool, int | None]],
) -> RawTable:
    """Read a file of plain lines (:meth:`_Lines.plain`): the header found among its first
    lines, the lines below it cut into fields and the mapped columns dictionary-encoded by
    pyarrow's string functions."""
    delimiter = table.profile.delimiter
    seen, collector, _ = _head(lines, table)
    start = lines.start(seen)
    rest = pa.py_buffer(lines.body).slice(start)  # the lines below the header, not copied
    text = pa.Array.from_buffers(
        pa.large_string(), 1, [None, pa.array([0, rest.size], pa.int64()).buffers()[1], rest]
    )
    data = pc.split_pattern(text, "\n").flatten()
    if not rest.size or lines.body.endswith(b"\n"):  # the last line end closes the last record
        data = data.slice(0, len(data) - 1)
    if lines.body.find(b"\r", start) >= 0:
        data = pc.utf8_rtrim(data, characters="\r")
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
    return table


def csv_header(path: Path, delimiter: str | None = None) -> list[str]:
    """The first line's fields, to recognise a profile or to tell a user what the file has."""
    with Path(path).open("rb") as fh:
        first = fh.readline(64 * 1024)
    text = first.decode(UTF8_BOM, errors="replace").strip("\r\n")
    if delimiter is None:
        delimiter = max((";", ",", "\t", "|"), key=text.count)
    return next(csv.reader([text], delimiter=delimiter), [])
