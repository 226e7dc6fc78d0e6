"""The chain event log as an OCEL 2.0 object-centric log (JSON or SQLite), for OCPM tools and pm4py.

A chain event concerns more than a person: the household moves together, an IND event belongs to
an IND case (a person can have several: asylum, then nareis as referent), a COA event happens at
a location, a housing event in a municipality. OCEL keeps all of them as objects, so an analyst
can follow a household or a location instead of a person. Object types and their ids:

========================  ====================================  ===============================
object type               from                                  attributes
========================  ====================================  ===============================
``person``                ``case:concept:name``                 the ``case:*`` attributes
``household``             ``case:household``                    ``persons`` (in the log)
``ind_case``              ``ind_case`` (IND events)             (none)
``coa_location``          ``org:resource`` of COA events        ``location_type``
``municipality``          ``municipality``                      ``name`` (chain vocabulary)
========================  ====================================  ===============================

An object id is ``<type>:<value>``, so ids of different types never clash. Each event is related
to its objects with the object type as qualifier; a person is ``member of`` a household and an IND
case ``concerns`` a person (object-to-object). Event types are the activities, each with the event
attributes it carries. Everything comes from the pseudonymised log: no personal data can enter.

This module builds the tables of that log (:class:`Ocel`); :mod:`toolkit.export.ocel_json` and
:mod:`toolkit.export.ocel_sqlite` write them in the OCEL 2.0 layouts pm4py reads
(``pm4py.read_ocel2_json``, ``pm4py.read_ocel2_sqlite``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.chain import Chain, load_chain
from toolkit.eventlog import (
    ACTIVITY,
    CASE,
    EVENT_ID,
    GROUP,
    IND_CASE,
    MUNICIPALITY,
    RESOURCE,
    TIMESTAMP,
)
from toolkit.export.columns import attribute_kind, iso_times, plain_text

PERSON = "person"
HOUSEHOLD = "household"
IND_CASE_TYPE = "ind_case"
COA_LOCATION = "coa_location"
MUNICIPALITY_TYPE = "municipality"
OBJECT_TYPES = (PERSON, HOUSEHOLD, IND_CASE_TYPE, COA_LOCATION, MUNICIPALITY_TYPE)
HOUSEHOLD_COLUMN = "case:household"
LOCATION_TYPE = "location_type"
CASE_PREFIX = "case:"
COA = "COA"
MEMBER_OF = "member of"
CONCERNS = "concerns"
# Columns that become objects (or the event's id, type and time), not event attributes.
NOT_EVENT_ATTRIBUTES = (CASE, ACTIVITY, TIMESTAMP, EVENT_ID, IND_CASE, MUNICIPALITY)
# The OCEL 2.0 attribute types for the kinds of columns the log has.
OCEL_TYPES = {"string": "string", "int": "integer", "float": "float", "boolean": "boolean"}
OCEL_TYPES["date"] = "time"


@dataclass
class Ocel:
    """An object-centric log as tables: what both containers (JSON, SQLite) are written from.

    ``events``: ``id``, ``type``, ``time`` (ISO text) and one text column per event attribute.
    ``relations``: one row per event-object pair, ``event`` (row number in ``events``),
    ``object`` and ``qualifier``, in event order. ``objects``: ``id`` and ``type``.
    ``object_attributes``: per type a frame of ``id`` and its attributes (text), in the order of
    ``objects``. ``o2o``: ``source``, ``target``, ``qualifier``. Attribute types are OCEL's.
    """

    events: pd.DataFrame
    event_attribute_types: dict[str, str]
    event_type_attributes: dict[str, list[str]]
    relations: pd.DataFrame
    objects: pd.DataFrame
    object_attributes: dict[str, pd.DataFrame]
    object_attribute_types: dict[str, dict[str, str]]
    o2o: pd.DataFrame

    def object_counts(self) -> dict[str, int]:
        """Objects per type, in the order of :data:`OBJECT_TYPES`."""
        counts = self.objects["type"].value_counts()
        return {t: int(counts[t]) for t in OBJECT_TYPES if t in counts}


def _ids(kind: str, values: pd.Series, keep: np.ndarray | None = None) -> np.ndarray:
    """Object ids ``kind:value`` per row (None where empty or not kept), made per distinct value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    ids = np.array([*(f"{kind}:{u}" if str(u) else None for u in uniques), None], dtype=object)
    if keep is not None:
        codes = np.where(keep, codes, -1)
    return ids[codes]


def _object_columns(events: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per object type, the id of the event's object of that type (None where it has none)."""
    columns = {PERSON: _ids(PERSON, events[CASE])}
    if HOUSEHOLD_COLUMN in events:
        columns[HOUSEHOLD] = _ids(HOUSEHOLD, events[HOUSEHOLD_COLUMN])
    if IND_CASE in events:
        columns[IND_CASE_TYPE] = _ids(IND_CASE_TYPE, events[IND_CASE])
    if RESOURCE in events and GROUP in events:
        coa = (events[GROUP].astype(object) == COA).to_numpy()
        columns[COA_LOCATION] = _ids(COA_LOCATION, events[RESOURCE], keep=coa)
    if MUNICIPALITY in events:
        columns[MUNICIPALITY_TYPE] = _ids(MUNICIPALITY_TYPE, events[MUNICIPALITY])
    return columns


def _distinct(ids: np.ndarray) -> pd.Series:
    return pd.Series(pd.unique(ids[pd.notna(ids)]), dtype=object)


def _relations(object_columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """Event-object pairs in event order; within an event in the order of OBJECT_TYPES."""
    rows, objects, qualifiers = [], [], []
    for kind, ids in object_columns.items():
        present = np.flatnonzero(pd.notna(ids))
        rows.append(present)
        objects.append(ids[present])
        qualifiers.append(np.full(len(present), kind, dtype=object))
    row = np.concatenate(rows)
    order = np.argsort(row, kind="stable")
    relations = pd.DataFrame({"event": row[order]})
    relations["object"] = pd.Series(np.concatenate(objects)[order], dtype=object)
    relations["qualifier"] = pd.Series(np.concatenate(qualifiers)[order], dtype=object)
    return relations


def _object_tables(
    events: pd.DataFrame, columns: dict[str, np.ndarray], chain: Chain
) -> tuple[dict[str, pd.DataFrame], dict[str, dict[str, str]]]:
    """Per object type, its objects with their attributes, and the attributes' types."""
    first = events.drop_duplicates(CASE)
    people = pd.DataFrame({"id": _ids(PERSON, first[CASE])})
    types: dict[str, dict[str, str]] = {PERSON: {}}
    for column in events.columns:
        if column.startswith(CASE_PREFIX) and column not in (CASE, HOUSEHOLD_COLUMN):
            name = column[len(CASE_PREFIX) :]
            people[name] = pd.Series(plain_text(first[column]), dtype=object)
            types[PERSON][name] = OCEL_TYPES[attribute_kind(first[column])]
    tables = {PERSON: people}
    if HOUSEHOLD in columns:
        members = pd.Series(_ids(HOUSEHOLD, first[HOUSEHOLD_COLUMN]), dtype=object).value_counts()
        ids = _distinct(columns[HOUSEHOLD])
        tables[HOUSEHOLD] = pd.DataFrame({"id": ids, "persons": ids.map(members).astype(str)})
        types[HOUSEHOLD] = {"persons": "integer"}
    if IND_CASE_TYPE in columns:
        tables[IND_CASE_TYPE] = pd.DataFrame({"id": _distinct(columns[IND_CASE_TYPE])})
        types[IND_CASE_TYPE] = {}
    if COA_LOCATION in columns:
        tables[COA_LOCATION] = _locations(events, columns[COA_LOCATION])
        types[COA_LOCATION] = {LOCATION_TYPE: "string"}
    if MUNICIPALITY_TYPE in columns:
        names = {f"{MUNICIPALITY_TYPE}:{m.code}": m.name for m in chain.municipalities}
        ids = _distinct(columns[MUNICIPALITY_TYPE])
        tables[MUNICIPALITY_TYPE] = pd.DataFrame({"id": ids, "name": ids.map(names)})
        types[MUNICIPALITY_TYPE] = {"name": "string"}
    tables = {t: f.astype(object).where(f.notna(), None) for t, f in tables.items() if len(f)}
    return tables, {t: types[t] for t in tables}


def _locations(events: pd.DataFrame, ids: np.ndarray) -> pd.DataFrame:
    """Each COA location with its most frequent location type (COL, AZC, ...)."""
    frame = pd.DataFrame({"id": _distinct(ids)})
    if LOCATION_TYPE not in events:
        frame[LOCATION_TYPE] = None
        return frame
    pairs = pd.DataFrame({"id": ids, "t": events[LOCATION_TYPE].astype(object).to_numpy()})
    counts = pairs.dropna().value_counts()  # most frequent first; ties in a stable order
    common = counts.reset_index().drop_duplicates("id").set_index("id")["t"]
    frame[LOCATION_TYPE] = frame["id"].map(common)
    return frame


def _o2o(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """A person is a member of a household; an IND case concerns a person."""
    person = columns[PERSON]
    pairs = [pd.DataFrame(columns=["source", "target", "qualifier"])]
    if HOUSEHOLD in columns:
        pairs.append(pd.DataFrame({"source": person, "target": columns[HOUSEHOLD]}))
        pairs[-1]["qualifier"] = MEMBER_OF
    if IND_CASE_TYPE in columns:
        pairs.append(pd.DataFrame({"source": columns[IND_CASE_TYPE], "target": person}))
        pairs[-1]["qualifier"] = CONCERNS
    found = [p.dropna().drop_duplicates() for p in pairs]
    return pd.concat(found, ignore_index=True).astype(object)


def build_ocel(events: pd.DataFrame, *, chain: Chain | None = None) -> Ocel:
    """The objects, relations and attributes of an event log (the tables both writers use)."""
    chain = chain or load_chain()
    events = events.reset_index(drop=True)
    columns = _object_columns(events)
    attribute_columns = [
        c for c in events.columns if c not in NOT_EVENT_ATTRIBUTES and not c.startswith(CASE_PREFIX)
    ]
    table = pd.DataFrame(
        {
            "id": events[EVENT_ID].to_numpy(dtype=object),
            "type": events[ACTIVITY].to_numpy(dtype=object),
            "time": iso_times(events[TIMESTAMP]),
        },
        dtype=object,
    )
    attribute_types = {}
    for column in attribute_columns:
        table[column] = pd.Series(plain_text(events[column]), dtype=object)
        attribute_types[column] = OCEL_TYPES[attribute_kind(events[column])]
    present = table[attribute_columns].notna().groupby(table["type"]).any()
    per_type = {t: [c for c in attribute_columns if present.loc[t, c]] for t in present.index}
    tables, types = _object_tables(events, columns, chain)
    objects = pd.concat(
        [pd.DataFrame(columns=["id", "type"], dtype=object)]
        + [pd.DataFrame({"id": f["id"], "type": t}, dtype=object) for t, f in tables.items()],
        ignore_index=True,
    )
    return Ocel(
        events=table,
        event_attribute_types=attribute_types,
        event_type_attributes=per_type,
        relations=_relations(columns),
        objects=objects,
        object_attributes=tables,
        object_attribute_types=types,
        o2o=_o2o(columns),
    )
