"""OCEL 2.0 JSON: the object-centric log as one JSON document, written as a stream.

The layout is the standard's (``objectTypes``, ``eventTypes``, ``objects``, ``events``), as
``pm4py.read_ocel2_json`` reads it and the OCEL 2.0 JSON schema checks it. Attribute values are
strings, typed by their declaration; an object attribute that holds from the start has the epoch
XX
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from toolkit.atomic import atomic_write
from toolkit.export.columns import EPOCH, affix, join_groups
from toolkit.export.ocel import Ocel

# Objects made into text at a time.
OBJECTS_PER_WRITE = 50_000
# Characters JSON must escape inside a string; any other value is written as it is.
_SPECIAL = re.compile('["\\\\\x00-\x1f]')


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _inner(text: str) -> str:
    """A string's JSON form without its quotes."""
    return _json(text)[1:-1]


def _quoted(values: np.ndarray | pd.Series, head: str, tail: str, empty: str = "") -> np.ndarray:
    """Per row ``head"value"tail`` with the value JSON-escaped; ``empty`` where missing."""
    return affix(values, head + '"', '"' + tail, special=_SPECIAL, escape=_inner, empty=empty)


def _type_list(types: dict[str, dict[str, str]]) -> str:
    entries = [
        {"name": name, "attributes": [{"name": a, "type": t} for a, t in attributes.items()]}
        for name, attributes in types.items()
    ]
    return ",\n".join("    " + _json(e) for e in entries)


def _relationships(objects: pd.Series, qualifiers: pd.Series) -> np.ndarray:
    """Per row ``,{"objectId":...,"qualifier":...}`` (a leading comma, stripped per group)."""
    out = np.empty(len(objects), dtype=object)
    for qualifier in pd.unique(qualifiers):
        rows = (qualifiers == qualifier).to_numpy()
        tail = ',"qualifier":' + _json(qualifier) + "}"
        out[rows] = _quoted(objects[rows].to_numpy(), ',{"objectId":', tail)
    return out


def _rows(parts: list[np.ndarray]) -> list[str]:
    """Per row, the parts joined (each part a fragment with a leading comma, or '')."""
    if not parts:
        return []
    return ["".join(row)[1:] for row in zip(*parts, strict=True)]


def _object_lines(ocel: Ocel) -> Iterator[list[str]]:
    """The objects' lines, :data:`OBJECTS_PER_WRITE` at a time (a type's objects in order)."""
    o2o = ocel.o2o
    position = pd.Index(ocel.objects["id"]).get_indexer(o2o["source"])
    order = np.argsort(position, kind="stable")
    links = _relationships(o2o["target"].iloc[order], o2o["qualifier"].iloc[order])
    position = position[order]
    tail = ',"time":"' + EPOCH + '"}'
    offset = 0  # the first object of the type in ``ocel.objects``
    for kind, objects in ocel.object_attributes.items():
        for start in range(0, len(objects), OBJECTS_PER_WRITE):
            frame = objects.iloc[start : start + OBJECTS_PER_WRITE]
            heads = _quoted(frame["id"].to_numpy(), '    {"id":', ',"type":' + _json(kind))
            parts = [
                _quoted(frame[name].to_numpy(), ',{"name":' + _json(name) + ',"value":', tail)
                for name in ocel.object_attribute_types[kind]
            ]
            attributes = _rows(parts) or [""] * len(frame)
            first = offset + start
            lo, hi = np.searchsorted(position, [first, first + len(frame)])
            related = join_groups(links[lo:hi], position[lo:hi] - first, len(frame))
            yield [
                f'{head},"attributes":[{attrs}],"relationships":[{r[1:]}]}}'
                for head, attrs, r in zip(heads, attributes, related, strict=True)
            ]
        offset += len(objects)


def _event_lines(table: pd.DataFrame, relations: pd.DataFrame, ocel: Ocel) -> list[str]:
    """The lines of a block of events (``table`` and ``relations`` from
    :meth:`Ocel.event_blocks`)."""
    ids = _quoted(table["id"].to_numpy(), '    {"id":', "")
    types = _quoted(table["type"].to_numpy(), ',"type":', "")
    times = _quoted(table["time"].to_numpy(), ',"time":', "")
    parts = [
        _quoted(table[name].to_numpy(), ',{"name":' + _json(name) + ',"value":', "}")
        for name in ocel.event_attribute_types
    ]
    attributes = _rows(parts) or [""] * len(table)
    links = _relationships(relations["object"], relations["qualifier"])
    related = join_groups(links, relations["event"].to_numpy(), len(table))
    return [
        f'{i}{t}{s},"attributes":[{a}],"relationships":[{r[1:]}]}}'
        for i, t, s, a, r in zip(ids, types, times, attributes, related, strict=True)
    ]


def _write_list(out: IO[str], pieces: Iterator[list[str]]) -> None:
    """The lines of a JSON list's items, a piece at a time, separated by commas."""
    separator = ""
    for lines in pieces:
        if lines:
            out.write(separator + ",\n".join(lines))
            separator = ",\n"


def write_ocel_json_stream(ocel: Ocel, out: IO[str]) -> None:
    """Write the OCEL 2.0 JSON document to an open text stream, a block of events at a time."""
    event_types = {
        name: {a: ocel.event_attribute_types[a] for a in attrs}
        for name, attrs in sorted(ocel.event_type_attributes.items())
    }
    out.write('{\n  "objectTypes": [\n' + _type_list(ocel.object_attribute_types) + "\n  ],\n")
    out.write('  "eventTypes": [\n' + _type_list(event_types) + "\n  ],\n")
    out.write('  "objects": [\n')
    _write_list(out, _object_lines(ocel))
    out.write("\n  ],\n")
    out.write('  "events": [\n')
    blocks = (_event_lines(table, rel, ocel) for table, rel in ocel.event_blocks())
    _write_list(out, blocks)
    out.write("\n  ]\n}\n")


def write_ocel_json(ocel: Ocel, path: Path) -> None:
    """Write an OCEL 2.0 JSON file atomically."""

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="\n") as out:
            write_ocel_json_stream(ocel, out)

    atomic_write(Path(path), write)
