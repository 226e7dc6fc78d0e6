"""A minimal xlsx writer for the synthetic exports: one sheet, inline strings, byte-reproducible.

openpyxl and xlsxwriter build a Python object per cell, which takes minutes for the million rows
of a full synthetic chain. Exports need only one sheet of text, numbers and dates, so this module
writes the SpreadsheetML by hand: every column is turned into cell XML with vectorised pyarrow
string kernels and streamed into a zip whose timestamps and document properties are fixed, so the
same seed gives byte-identical files. Strings are inline (``t="inlineStr"``), which needs no
shared-string table, and dates are numbers with a ``dd-mm-yyyy`` style, which is what makes
spreadsheet readers (openpyxl, python-calamine, Excel) return them as dates.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Cell kinds of a data cell.
EMPTY = 0
STRING = 1
NUMBER = 2
DATE = 3

EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
DATE_FORMAT = "dd-mm-yyyy"
# Zip entries carry this timestamp (the earliest a zip can hold), so that files do not depend on
# the moment they were written.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
CHUNK_ROWS = 50_000

_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
# Before the text of a cell and after it, by cell kind. The cell's own `<c r="A5"` precedes.
_PREFIX = ("/>", ' t="inlineStr"><is><t xml:space="preserve">', "><v>", ' s="1"><v>')
_SUFFIX = ("", "</t></is></c>", "</v></c>", "</v></c>")
# Characters XML 1.0 does not allow at all; they cannot be escaped, only left out.
_XML_ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]"


@dataclass(frozen=True)
class CellColumn:
    """One column of data cells: the text of each cell and its kind.

    For a NUMBER or DATE cell the text is the number as written in the XML (a date is its Excel
    serial, see :func:`excel_serial`); for an EMPTY cell the text is ignored, and an empty text
    is always an empty cell. ``kind`` is one kind
    for the whole column or an int8 array with one kind per row.
    """

    text: np.ndarray
    kind: np.ndarray | int = STRING

    def __len__(self) -> int:
        return len(self.text)


def excel_serial(dates: np.ndarray) -> np.ndarray:
    """Excel's day number (1900 date system) of ``datetime64`` dates, as int64.

    Excel counts from 1899-12-30 for every date after February 1900 (it treats 1900 as a leap
    year), so the serial of 2024-01-01 is 45292.
    """
    days = np.asarray(dates).astype("datetime64[D]")
    return (days - EXCEL_EPOCH).astype(np.int64)


def column_letter(index: int) -> str:
    """The spreadsheet letters of a zero-based column index: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def escape_xml(values: pa.Array) -> pa.Array:
    """XML-escape a string array and drop the characters XML 1.0 cannot carry at all."""
    if pc.any(pc.match_substring_regex(values, _XML_ILLEGAL)).as_py():
        values = pc.replace_substring_regex(values, _XML_ILLEGAL, "")
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        values = pc.replace_substring(values, raw, escaped)
    return values


def string_array(values: np.ndarray | Sequence[str]) -> pa.Array:
    """A pyarrow string array from Python strings; None becomes the empty string."""
    arr = pa.array(values, type=pa.string(), from_pandas=True)
    if arr.null_count:
        arr = pc.fill_null(arr, "")
    return arr


def concat_bytes(values: pa.Array) -> bytes:
    """The UTF-8 bytes of all strings of an array, concatenated, without a Python object each.

    A pyarrow string array keeps its strings back to back in one data buffer, so the
    concatenation is a slice of that buffer between the first and the last offset.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if len(values) == 0:
        return b""
    if values.null_count:
        values = pc.fill_null(values, "")
    if values.type == pa.large_string():
        offset_type: type[np.signedinteger] = np.int64
    else:
        values = values.cast(pa.string())
        offset_type = np.int32
    _, offsets_buf, data_buf = values.buffers()
    width = np.dtype(offset_type).itemsize
    offsets = np.frombuffer(
        offsets_buf, dtype=offset_type, count=len(values) + 1, offset=values.offset * width
    )
    start, end = int(offsets[0]), int(offsets[-1])
    return data_buf.slice(start, end - start).to_pybytes() if data_buf is not None else b""


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _string_row(row_number: int, values: Sequence[str]) -> str:
    """A row of inline-string cells for the few rows that are not data (title, header, footer)."""
    cells = "".join(
        f'<c r="{column_letter(i)}{row_number}" t="inlineStr"><is>'
        f'<t xml:space="preserve">{_xml_text(str(v))}</t></is></c>'
        for i, v in enumerate(values)
        if v is not None and str(v) != ""
    )
    return f'<row r="{row_number}">{cells}</row>' if cells else ""


def _blank_row(row_number: int) -> str:
    # An empty string cell, the way a spreadsheet keeps a row whose contents were deleted: the
    # row exists for a reader, but holds nothing.
    return (
        f'<row r="{row_number}"><c r="A{row_number}" t="inlineStr"><is>'
        '<t xml:space="preserve"></t></is></c></row>'
    )


def _column_fragments(column: CellColumn, start: int, stop: int) -> pa.Array:
    """The cell XML after ``<c r="A5"`` for rows ``start:stop`` of one column.

    A cell whose text is empty is written as an empty cell whatever its kind: an empty string
    cell would make readers see "" where a spreadsheet user sees nothing.
    """
    text = string_array(column.text[start:stop])
    if isinstance(column.kind, (int, np.integer)):
        kinds = np.full(stop - start, int(column.kind), dtype=np.int8)
    else:
        kinds = np.asarray(column.kind[start:stop], dtype=np.int8).copy()
    kinds[pc.equal(text, "").to_numpy(zero_copy_only=False)] = EMPTY
    if (kinds == kinds[0]).all() if len(kinds) else True:
        kind = int(kinds[0]) if len(kinds) else EMPTY
        if kind == EMPTY:
            return pa.array([_PREFIX[EMPTY]] * (stop - start), type=pa.string())
        body = escape_xml(text) if kind == STRING else text
        return pc.binary_join_element_wise(_PREFIX[kind], body, _SUFFIX[kind], "")
    prefix = pa.array(_PREFIX, type=pa.string()).take(pa.array(kinds))
    suffix = pa.array(_SUFFIX, type=pa.string()).take(pa.array(kinds))
    body = pc.if_else(pa.array(kinds == EMPTY), "", escape_xml(text))
    return pc.binary_join_element_wise(prefix, body, suffix, "")


def _data_chunks(columns: Sequence[CellColumn], first_row: int) -> Iterator[bytes]:
    n = len(columns[0]) if columns else 0
    letters = [column_letter(i) for i in range(len(columns))]
    for start in range(0, n, CHUNK_ROWS):
        stop = min(n, start + CHUNK_ROWS)
        numbers = pc.cast(pa.array(np.arange(first_row + start, first_row + stop)), pa.string())
        pieces: list[pa.Array | str] = ['<row r="', numbers, '">']
        for letter, column in zip(letters, columns, strict=True):
            pieces += [f'<c r="{letter}', numbers, '"', _column_fragments(column, start, stop)]
        pieces.append("</row>")
        yield concat_bytes(pc.binary_join_element_wise(*pieces, ""))


def _content_types() -> str:
    ct = "application/vnd.openxmlformats-officedocument"
    return (
        _XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        f'ContentType="{ct}.spreadsheetml.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{ct}.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{ct}.extended-properties+xml"/>'
        "</Types>"
    )


def _root_rels() -> str:
    od = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return (
        _XML_HEAD + f'<Relationships xmlns="{_PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{od}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{od}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    )


def _workbook(sheet: str) -> str:
    name = _xml_text(sheet).replace('"', "&quot;")
    return (
        _XML_HEAD + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def _workbook_rels() -> str:
    return (
        _XML_HEAD + f'<Relationships xmlns="{_PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL_NS}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )


def _styles() -> str:
    # Style 0 is the default, style 1 the date style that data cells of kind DATE refer to.
    return (
        _XML_HEAD + f'<styleSheet xmlns="{_MAIN_NS}">'
        f'<numFmts count="1"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="2">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
        "</cellStyles></styleSheet>"
    )


def _core(created: datetime) -> str:
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        _XML_HEAD + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:creator>Ketenlens synthetic generator</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _app() -> str:
    return (
        _XML_HEAD + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties"><Application>Ketenlens</Application></Properties>'
    )


def _entry(name: str, compresslevel: int) -> zipfile.ZipInfo:
    """A zip entry whose metadata does not depend on the machine or the moment of writing."""
    info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    # Python 3.13 renamed the private attribute to a public one; set whichever this version reads.
    level_attr = "compress_level" if hasattr(info, "compress_level") else "_compresslevel"
    setattr(info, level_attr, compresslevel)
    return info


def write_xlsx(
    path: Path,
    sheet: str,
    columns: Sequence[CellColumn],
    *,
    top: Sequence[Sequence[str]] = (),
    bottom: Sequence[Sequence[str]] = (),
    blank_rows: int = 0,
    created: datetime | date | None = None,
    compresslevel: int = 1,
) -> None:
    """Write one sheet: ``top`` rows, then the data columns, ``blank_rows`` empty rows, ``bottom``.

    ``top`` holds the rows above the data (title rows and the header); a row without any text is
    left out of the XML, which is how a spreadsheet stores an empty row. ``created`` goes into the
    document properties in place of the clock, so the file is reproducible.
    """
    lengths = {len(c) for c in columns}
    if len(lengths) > 1:
        raise ValueError(f"xlsx columns differ in length: {sorted(lengths)}")
    n_data = lengths.pop() if lengths else 0
    first_data = len(top) + 1
    last_row = len(top) + n_data + blank_rows + len(bottom)
    width = max([len(columns), *(len(r) for r in top), *(len(r) for r in bottom), 1])
    if isinstance(created, datetime):
        stamp = created
    elif isinstance(created, date):
        stamp = datetime(created.year, created.month, created.day)
    else:
        stamp = datetime(2000, 1, 1)
    dimension = f"A1:{column_letter(width - 1)}{max(last_row, 1)}"

    path = Path(path)
    parts = (
        ("[Content_Types].xml", _content_types()),
        ("_rels/.rels", _root_rels()),
        ("docProps/app.xml", _app()),
        ("docProps/core.xml", _core(stamp)),
        ("xl/workbook.xml", _workbook(sheet)),
        ("xl/_rels/workbook.xml.rels", _workbook_rels()),
        ("xl/styles.xml", _styles()),
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts:
            zf.writestr(_entry(name, compresslevel), text)
        with zf.open(_entry("xl/worksheets/sheet1.xml", compresslevel), "w") as fh:
            fh.write(
                (
                    _XML_HEAD + f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
                    f'<dimension ref="{dimension}"/><sheetData>'
                ).encode()
            )
            head = "".join(_string_row(i + 1, row) for i, row in enumerate(top))
            fh.write(head.encode())
            for chunk in _data_chunks(columns, first_data):
                fh.write(chunk)
            row = first_data + n_data
            tail = []
            for _ in range(blank_rows):
                tail.append(_blank_row(row))
                row += 1
            for values in bottom:
                tail.append(_string_row(row, values))
                row += 1
            fh.write(("".join(tail) + "</sheetData></worksheet>").encode())
