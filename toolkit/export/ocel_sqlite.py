"""OCEL 2.0 SQLite: the object-centric log as the standard's relational tables.

Tables as in the OCEL 2.0 specification and pm4py's own example: ``event`` and ``object`` (id,
type), ``event_object`` and ``object_object`` (qualified relations), ``event_map_type`` and
``object_map_type`` (each type's table-name part), and per type an ``event_<Type>`` table (id,
time, attributes) or ``object_<Type>`` table (id, attributes, time, changed field). Integer
attributes are stored as integers. The events come a block at a time
(:meth:`toolkit.export.ocel.Ocel.event_blocks`) into temporary tables on disk, and are then
copied into their tables sorted on the key, which SQLite does on disk too. The database is built
in a temporary file without a journal (nothing to recover: an interrupted export leaves no file)
and moved into place when complete.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.atomic import atomic_write
from toolkit.export.columns import EPOCH
from toolkit.export.ocel import Ocel

SQL_TYPES = {"string": "TEXT", "integer": "INTEGER", "float": "REAL", "boolean": "BOOLEAN"}
SQL_TYPES["time"] = "TIMESTAMP"
_NOT_IDENTIFIER = re.compile(r"[^0-9A-Za-z_]")

# The standard's tables. Those keyed by id are WITHOUT ROWID: the rows live in the key's B-tree
# itself, and rows inserted in key order append to it, which makes a 5-million-row event_object
# three times faster to write than a table plus a separate key index.
SCHEMA = """
CREATE TABLE event_map_type (ocel_type TEXT, ocel_type_map TEXT, PRIMARY KEY (ocel_type));
CREATE TABLE object_map_type (ocel_type TEXT, ocel_type_map TEXT, PRIMARY KEY (ocel_type));
CREATE TABLE event (ocel_id TEXT, ocel_type TEXT, PRIMARY KEY (ocel_id),
    FOREIGN KEY (ocel_type) REFERENCES event_map_type (ocel_type)) WITHOUT ROWID;
CREATE TABLE object (ocel_id TEXT, ocel_type TEXT, PRIMARY KEY (ocel_id),
    FOREIGN KEY (ocel_type) REFERENCES object_map_type (ocel_type)) WITHOUT ROWID;
CREATE TABLE event_object (ocel_event_id TEXT, ocel_object_id TEXT, ocel_qualifier TEXT,
    PRIMARY KEY (ocel_event_id, ocel_object_id, ocel_qualifier),
    FOREIGN KEY (ocel_event_id) REFERENCES event (ocel_id),
    FOREIGN KEY (ocel_object_id) REFERENCES object (ocel_id)) WITHOUT ROWID;
CREATE TABLE object_object (ocel_source_id TEXT, ocel_target_id TEXT, ocel_qualifier TEXT,
    PRIMARY KEY (ocel_source_id, ocel_target_id, ocel_qualifier),
    FOREIGN KEY (ocel_source_id) REFERENCES object (ocel_id),
    FOREIGN KEY (ocel_target_id) REFERENCES object (ocel_id)) WITHOUT ROWID;
"""


def table_names(names: list[str]) -> dict[str, str]:
    """Each type's table-name part: letters, digits and _ only (as pm4py maps them), unique."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        base = _NOT_IDENTIFIER.sub("", name) or "type"
        candidate, n = base, 1
        while candidate.lower() in used:
            n += 1
            candidate = f"{base}{n}"
        used.add(candidate.lower())
        out[name] = candidate
    return out


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _values(column: pd.Series, ocel_type: str = "string") -> list[object]:
    """A text column as the SQLite values of its OCEL type (None where empty)."""
    text = column.to_numpy(dtype=object, na_value=None)
    if ocel_type == "integer":
        return [None if v is None else int(v) for v in text]
    if ocel_type == "float":
        return [None if v is None else float(v) for v in text]
    if ocel_type == "boolean":
        return [None if v is None else int(v == "true") for v in text]
    return text.tolist()


def _insert(db: sqlite3.Connection, table: str, columns: list[list[object]]) -> None:
    marks = ", ".join("?" * len(columns))
    db.executemany(f"INSERT INTO {table} VALUES ({marks})", zip(*columns, strict=True))


def _key_order(ids: pd.Series) -> np.ndarray:
    """Row positions in the order of ``ids`` (the order a key's B-tree is appended in)."""
    return pd.Series(ids.to_numpy(dtype=object), dtype="str").argsort(kind="stable").to_numpy()


def _staged(db: sqlite3.Connection, target: str, columns: list[str]) -> str:
    """A temporary table with the columns of ``target`` (without its key), filled block by block
    and copied into ``target`` in key order by :func:`_copy_in_key_order`; its name."""
    stage = _q("stage_" + target.strip('"'))
    db.execute(f"CREATE TEMP TABLE {stage} ({', '.join(columns)})")
    return stage


def _copy_in_key_order(db: sqlite3.Connection, stage: str, target: str, key: str) -> None:
    """Move a staged table into its target sorted on the key: SQLite sorts on disk, and the rows
    then append to the key's B-tree."""
    db.execute(f"INSERT INTO {target} SELECT * FROM temp.{stage} ORDER BY {key}")
    db.execute(f"DROP TABLE temp.{stage}")


def _write_events(db: sqlite3.Connection, ocel: Ocel) -> None:
    names = table_names(sorted(ocel.event_type_attributes))
    _insert(db, "event_map_type", [list(names), list(names.values())])
    targets = {}
    for name, part in names.items():
        attrs = ocel.event_type_attributes[name]
        types = [ocel.event_attribute_types[a] for a in attrs]
        columns = ["ocel_id TEXT", "ocel_time TIMESTAMP"]
        columns += [f"{_q(a)} {SQL_TYPES[t]}" for a, t in zip(attrs, types, strict=True)]
        target = _q("event_" + part)
        db.execute(
            f"CREATE TABLE {target} ({', '.join(columns)}, PRIMARY KEY (ocel_id)) WITHOUT ROWID"
        )
        targets[name] = (target, _staged(db, target, columns), attrs, types)
    events = _staged(db, "event", ["ocel_id TEXT", "ocel_type TEXT"])
    relations = _staged(
        db, "event_object", ["ocel_event_id TEXT", "ocel_object_id TEXT", "ocel_qualifier TEXT"]
    )
    for table, rel in ocel.event_blocks():
        _insert(db, events, [_values(table["id"]), _values(table["type"])])
        for name, part in table.groupby("type", sort=True):
            _, stage, attrs, types = targets[str(name)]
            values = [_values(part["id"]), _values(part["time"])]
            values += [_values(part[a], t) for a, t in zip(attrs, types, strict=True)]
            _insert(db, stage, values)
        event_ids = table["id"].to_numpy(dtype=object)[rel["event"].to_numpy()]
        _insert(
            db, relations, [event_ids.tolist(), _values(rel["object"]), _values(rel["qualifier"])]
        )
    _copy_in_key_order(db, events, "event", "ocel_id")
    for target, stage, _, _ in targets.values():
        _copy_in_key_order(db, stage, target, "ocel_id")
    key = "ocel_event_id, ocel_object_id, ocel_qualifier"
    _copy_in_key_order(db, relations, "event_object", key)


def _write_objects(db: sqlite3.Connection, ocel: Ocel) -> None:
    names = table_names(list(ocel.object_attributes))
    _insert(db, "object_map_type", [list(names), list(names.values())])
    objects = ocel.objects.iloc[_key_order(ocel.objects["id"])]
    _insert(db, "object", [_values(objects["id"]), _values(objects["type"])])
    for kind, frame in ocel.object_attributes.items():
        types = ocel.object_attribute_types[kind]
        columns = ["ocel_id TEXT", *(f"{_q(a)} {SQL_TYPES[t]}" for a, t in types.items())]
        columns += ["ocel_time TIMESTAMP", "ocel_changed_field TEXT"]
        target = _q("object_" + names[kind])
        db.execute(f"CREATE TABLE {target} ({', '.join(columns)})")
        values = [_values(frame["id"]), *(_values(frame[a], t) for a, t in types.items())]
        values += [[EPOCH] * len(frame), [None] * len(frame)]
        _insert(db, target, values)
    o2o = ocel.o2o
    columns = [_values(o2o["source"]), _values(o2o["target"]), _values(o2o["qualifier"])]
    _insert(db, "object_object", columns)


def write_ocel_sqlite(ocel: Ocel, path: Path) -> None:
    """Write an OCEL 2.0 SQLite database atomically (a new file, never merged into an old one)."""

    def write(tmp: Path) -> None:
        tmp.unlink(missing_ok=True)
        connection = sqlite3.connect(tmp)
        try:
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute("PRAGMA temp_store = FILE")  # the staged events, on disk
            with connection:
                connection.executescript(SCHEMA)
                _write_objects(connection, ocel)
                _write_events(connection, ocel)
        finally:
            connection.close()

    atomic_write(Path(path), write)
