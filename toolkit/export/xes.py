"""The chain event log as an IEEE 1849-2016 XES file, for ProM, Disco, Celonis and pm4py.

One trace per person (``concept:name`` is the person's pseudonym, the ``case:*`` columns are trace
attributes without their prefix, as XES and pm4py's reader expect); one event per row, every other
column an attribute typed by its column (``date``, ``int``, ``float``, ``boolean``, ``string``);
empty values are left out, since XES has no null. The log declares the concept, time and org
extensions, the attributes every trace and event carries (globals) and an activity classifier,
so the file validates against the IEEE schema, which tools rely on.

The XML is written directly, streaming, with each distinct value escaped once: pm4py's exporter
builds an object per event first, which for 2 million events costs minutes and gigabytes. A name
ending in ``.xes.gz`` is gzip-compressed. The file is written atomically.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from toolkit.atomic import atomic_write
from toolkit.errors import ExportError
from toolkit.eventlog import ACTIVITY, CASE, GROUP, RESOURCE, TIMESTAMP
from toolkit.export.columns import affix, attribute_kind

XES_VERSION = "2.0"  # IEEE 1849-2016 is XES 2.0; the schema types the version as a decimal
XES_NAMESPACE = "http://www.xes-standard.org/"
GZIP_SUFFIX = ".xes.gz"
GZIP_LEVEL = 6  # gzip's usual trade-off; Python's default 9 is slower for little gain
CASE_PREFIX = "case:"
# The extensions whose attributes the log uses: (name, prefix, definition).
EXTENSIONS = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
)
# Classifier names are NCNames in the schema: no spaces.
CLASSIFIERS = (
    ("Activity", (ACTIVITY,)),
    ("Activity_and_organisation", (ACTIVITY, GROUP)),
)
# A global declares a default per type; pm4py and OpenXES use this marker for "no value".
GLOBAL_DEFAULTS = {
    "string": "__INVALID__",
    "date": "1970-01-01T00:00:00.000+00:00",
    "int": "0",
    "float": "0.0",
    "boolean": "false",
}
# Traces per write to the file: big enough for speed, small enough for memory.
TRACES_PER_WRITE = 5000
# Characters XML 1.0 does not allow; they cannot come from a parquet string legitimately.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Any character that escaping changes: a value without one is written as it is.
_SPECIAL = re.compile('[&<>"\x00-\x1f\ufffe\uffff]')
_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#9;",
    }
)


def escape(text: str) -> str:
    """Text for a double-quoted XML attribute; line breaks kept as references, so they survive."""
    return _NOT_XML.sub("\ufffd", text).translate(_ESCAPES)


def _element(kind: str, key: str) -> tuple[str, str]:
    return f'<{kind} key="{escape(key)}" value="', '"/>'


def _fragments(values: pd.Series, key: str) -> np.ndarray:
    """Per row the attribute element of ``values`` under ``key``, or '' where the value is empty."""
    head, tail = _element(attribute_kind(values), key)
    return affix(values, head, tail, special=_SPECIAL, escape=escape)


def _event_columns(events: pd.DataFrame) -> list[str]:
    """The event attributes in writing order: activity and time first, as tools show them."""
    first = [c for c in (ACTIVITY, TIMESTAMP, GROUP, RESOURCE) if c in events]
    rest = [c for c in events.columns if c not in first and c != CASE and c[:5] != CASE_PREFIX]
    return first + rest


def _trace_columns(events: pd.DataFrame) -> list[str]:
    return [c for c in events.columns if c.startswith(CASE_PREFIX) and c != CASE]


def _header(events: pd.DataFrame, name: str, event_columns: list[str]) -> str:
    """Extensions, globals, classifiers and log attributes, in the order the schema demands."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<log xes.version="{XES_VERSION}" xmlns="{XES_NAMESPACE}">',
    ]
    lines += [f'\t<extension name="{n}" prefix="{p}" uri="{u}"/>' for n, p, u in EXTENSIONS]
    lines.append('\t<global scope="trace">')
    lines.append(f'\t\t<string key="concept:name" value="{GLOBAL_DEFAULTS["string"]}"/>')
    lines.append("\t</global>")
    lines.append('\t<global scope="event">')
    for column in event_columns:
        if len(events) and events[column].notna().all():
            kind = attribute_kind(events[column])
            head, tail = _element(kind, column)
            lines.append(f"\t\t{head}{GLOBAL_DEFAULTS[kind]}{tail}")
    lines.append("\t</global>")
    for label, keys in CLASSIFIERS:
        if all(k in events for k in keys):
            lines.append(f'\t<classifier name="{label}" keys="{" ".join(keys)}"/>')
    lines.append(f'\t<string key="concept:name" value="{escape(name)}"/>')
    lines.append('\t<string key="source" value="ketenlens chain event log"/>')
    return "\n".join(lines) + "\n"


def _case_starts(events: pd.DataFrame) -> np.ndarray:
    """Row numbers where a case starts (the log is grouped by case), compared column-wise
    rather than as a million Python strings."""
    cases = events[CASE]
    return np.flatnonzero(cases.ne(cases.shift()).to_numpy(dtype=bool, na_value=True))


def _chunks(events: pd.DataFrame) -> Iterator[str]:
    """The traces as XML text, ``TRACES_PER_WRITE`` traces per piece: each piece is made from
    its own rows only, so the text in memory is one piece's, whatever the size of the log."""
    event_columns = _event_columns(events)
    trace_columns = _trace_columns(events)
    starts = _case_starts(events) if len(events) else np.empty(0, dtype=np.int64)
    bounds = [*starts.tolist(), len(events)]
    for first in range(0, len(starts), TRACES_PER_WRITE):
        last = min(first + TRACES_PER_WRITE, len(starts))
        block = events.iloc[bounds[first] : bounds[last]]
        parts = [_fragments(block[c], c) for c in event_columns]
        lines = ["\t\t<event>" + "".join(row) + "</event>\n" for row in zip(*parts, strict=True)]
        offsets = [b - bounds[first] for b in bounds[first : last + 1]]
        heads = block.iloc[offsets[:-1]]
        trace_parts = [_fragments(heads[CASE], "concept:name")]
        trace_parts += [_fragments(heads[c], c[len(CASE_PREFIX) :]) for c in trace_columns]
        piece: list[str] = []
        for i, row in enumerate(zip(*trace_parts, strict=True)):
            piece.append("\t<trace>\n\t\t" + "".join(row) + "\n")
            piece.extend(lines[offsets[i] : offsets[i + 1]])
            piece.append("\t</trace>\n")
        yield "".join(piece)


def _check_sorted_by_case(events: pd.DataFrame) -> None:
    cases = events[CASE]
    if cases.isna().any():
        raise ExportError(f"{CASE} has empty values")
    if (cases.duplicated() & (cases != cases.shift())).any():
        raise ExportError("events of one case are not together; sort the log by case first")


def write_xes_stream(events: pd.DataFrame, out: IO[str], *, name: str) -> None:
    """Write ``events`` (an event log sorted by case) as XES text to an open text stream."""
    _check_sorted_by_case(events)
    out.write(_header(events, name, _event_columns(events)))
    for chunk in _chunks(events):
        out.write(chunk)
    out.write("</log>\n")


def write_xes(events: pd.DataFrame, path: Path, *, name: str) -> None:
    """Write an event log to ``path`` as XES, gzip-compressed when the name ends in .xes.gz."""
    path = Path(path)
    compressed = path.name.lower().endswith(GZIP_SUFFIX)

    def write(tmp: Path) -> None:
        if compressed:
            # mtime=0 and no file name in the header: the same log gives the same bytes.
            with (
                open(tmp, "wb") as raw,
                gzip.GzipFile(
                    filename="", fileobj=raw, mode="wb", compresslevel=GZIP_LEVEL, mtime=0
                ) as zipped,
                _text(zipped) as text,
            ):
                write_xes_stream(events, text, name=name)
        else:
            with open(tmp, "w", encoding="utf-8", newline="\n") as text:
                write_xes_stream(events, text, name=name)

    atomic_write(path, write)


def _text(binary: IO[bytes]) -> IO[str]:
    return io.TextIOWrapper(binary, encoding="utf-8", newline="\n")
