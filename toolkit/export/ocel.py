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

This module finds the objects of that log and makes its events into OCEL's text a block of rows
at a time (:class:`Ocel`); :mod:`toolkit.export.ocel_json` and :mod:`toolkit.export.ocel_sqlite`
write them, block by block, in the OCEL 2.0 layouts pm4py reads
(``pm4py.read_ocel2_json``, ``pm4py.read_ocel2_sqlite``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

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
# Events made into text at a time: big enough for speed, small enough for memory.
EVENTS_PER_BLOCK = 50_000


@dataclass
class Ocel:
    """An object-centric log: what both containers (JSON, SQLite) are written from.

    The objects and their links are few (persons, households, cases, places) and held as tables:
    ``objects`` (``id``, ``type``); ``object_attributes``, per type a frame of ``id`` and its
    attributes (text), in the order of ``objects``; ``o2o`` (``source``, ``target``,
    ``qualifier``). The events are many, so they are made a block at a time by
    :meth:`event_blocks`, each from its own rows of the log: the text of the whole log is never in
    memory at once. Attribute types are OCEL's.
    """

    log: pd.DataFrame
    event_attribute_types: dict[str, str]
    event_type_attributes: dict[str, list[str]]
    objects: pd.DataFrame
    object_attributes: dict[str, pd.DataFrame]
    object_attribute_types: dict[str, dict[str, str]]
    o2o: pd.DataFrame

    def object_counts(self) -> dict[str, int]:
        """Objects per type, in the order of :data:`OBJECT_TYPES`."""
        counts = self.objects["type"].value_counts()
        return {t: int(counts[t]) for t in OBJECT_TYPES if t in counts}

    def event_blocks(self) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
        """The events, :data:`EVENTS_PER_BLOCK` at a time and in the log's order, as two tables.

        ``events``: ``id``, ``type``, ``time`` (ISO text) and one text column per event
        attribute. ``relations``: one row per event-object pair, ``event`` (row number in the
        block's ``events``), ``object`` and ``qualifier``, in event order.
        """
        for start in range(0, len(self.log), EVENTS_PER_BLOCK):
            block = self.log.iloc[start : start + EVENTS_PER_BLOCK]
            yield (
                _event_table(block, self.event_attribute_types),
                _relations(_object_columns(block)),
            )


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
    """The ids that are there, each once, in order of first appearance."""
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


def _event_table(events: pd.DataFrame, attribute_types: dict[str, str]) -> pd.DataFrame:
    """The events as OCEL text: ``id``, ``type``, ``time`` and the attributes."""
    table = pd.DataFrame(
        {
            "id": events[EVENT_ID].to_numpy(dtype=object),
            "type": events[ACTIVITY].to_numpy(dtype=object),
            "time": iso_times(events[TIMESTAMP]),
        },
        dtype=object,
    )
    for column in attribute_types:
        table[column] = pd.Series(plain_text(events[column]), dtype=object)
    return table


@dataclass
class _Seen:
    """What one pass over the blocks of a log finds: each type's objects in order of first
    appearance, the object-to-object pairs per qualifier, (object, location type) per COA event,
    each person's first event (its case attributes) and the attributes each event type carries.
    A block's findings are few, so they are kept; the blocks' events are not."""

    ids: dict[str, list[pd.Series]] = field(default_factory=dict)
    pairs: dict[str, list[pd.DataFrame]] = field(default_factory=dict)
    located: list[pd.DataFrame] = field(default_factory=list)
    firsts: list[pd.DataFrame] = field(default_factory=list)
    present: list[pd.DataFrame] = field(default_factory=list)

    def add(self, block: pd.DataFrame, attributes: list[str]) -> None:
        columns = _object_columns(block)
        for kind, ids in columns.items():
            self.ids.setdefault(kind, []).append(_distinct(ids))
        for qualifier, pairs in _o2o(columns).items():
            self.pairs.setdefault(qualifier, []).append(pairs)
        if COA_LOCATION in columns and LOCATION_TYPE in block:
            types = block[LOCATION_TYPE].astype(object).to_numpy()
            self.located.append(pd.DataFrame({"id": columns[COA_LOCATION], "t": types}).dropna())
        case_columns = [c for c in block.columns if c.startswith(CASE_PREFIX)]
        self.firsts.append(block[case_columns].drop_duplicates(CASE))
        kinds = block[ACTIVITY].to_numpy(dtype=object)
        self.present.append(block[attributes].notna().groupby(kinds).any())

    def distinct(self, kind: str) -> pd.Series:
        """The objects of ``kind`` in the whole log, in order of first appearance."""
        found = self.ids.get(kind, [])
        return _distinct(np.concatenate(found)) if found else pd.Series([], dtype=object)

    def o2o(self) -> pd.DataFrame:
        """The distinct pairs, those of a household before those of an IND case."""
        found = [pd.DataFrame(columns=["source", "target", "qualifier"])]
        found += [pd.concat(f, ignore_index=True).drop_duplicates() for f in self.pairs.values()]
        return pd.concat(found, ignore_index=True).astype(object)

    def first_events(self, events: pd.DataFrame) -> pd.DataFrame:
        """Each person's first event (of ``events``, the log), its case columns only, in order
        of first appearance."""
        found = self.firsts or [events.iloc[:0]]
        return pd.concat(found, ignore_index=True).drop_duplicates(CASE)

    def type_attributes(self, attributes: list[str]) -> dict[str, list[str]]:
        """Per event type (sorted), the attributes that one of its events has a value for."""
        if not self.present:
            return {}
        present = pd.concat(self.present).groupby(level=0).any()
        return {t: [c for c in attributes if present.loc[t, c]] for t in present.index}


def _object_tables(
    events: pd.DataFrame, seen: _Seen, chain: Chain
) -> tuple[dict[str, pd.DataFrame], dict[str, dict[str, str]]]:
    """Per object type, its objects with their attributes, and the attributes' types."""
    first = seen.first_events(events)
    people = pd.DataFrame({"id": _ids(PERSON, first[CASE])})
    types: dict[str, dict[str, str]] = {PERSON: {}}
    for column in events.columns:
        if column.startswith(CASE_PREFIX) and column not in (CASE, HOUSEHOLD_COLUMN):
            name = column[len(CASE_PREFIX) :]
            people[name] = pd.Series(plain_text(first[column]), dtype=object)
            types[PERSON][name] = OCEL_TYPES[attribute_kind(first[column])]
    tables = {PERSON: people}
    if HOUSEHOLD_COLUMN in events:
        members = pd.Series(_ids(HOUSEHOLD, first[HOUSEHOLD_COLUMN]), dtype=object).value_counts()
        ids = seen.distinct(HOUSEHOLD)
        tables[HOUSEHOLD] = pd.DataFrame({"id": ids, "persons": ids.map(members).astype(str)})
        types[HOUSEHOLD] = {"persons": "integer"}
    if IND_CASE in events:
        tables[IND_CASE_TYPE] = pd.DataFrame({"id": seen.distinct(IND_CASE_TYPE)})
        types[IND_CASE_TYPE] = {}
    if RESOURCE in events and GROUP in events:
        tables[COA_LOCATION] = _locations(seen, LOCATION_TYPE in events)
        types[COA_LOCATION] = {LOCATION_TYPE: "string"}
    if MUNICIPALITY in events:
        names = {f"{MUNICIPALITY_TYPE}:{m.code}": m.name for m in chain.municipalities}
        ids = seen.distinct(MUNICIPALITY_TYPE)
        tables[MUNICIPALITY_TYPE] = pd.DataFrame({"id": ids, "name": ids.map(names)})
        types[MUNICIPALITY_TYPE] = {"name": "string"}
    tables = {t: f.astype(object).where(f.notna(), None) for t, f in tables.items() if len(f)}
    return tables, {t: types[t] for t in tables}


def _locations(seen: _Seen, typed: bool) -> pd.DataFrame:
    """Each COA location with its most frequent location type (COL, AZC, ...)."""
    frame = pd.DataFrame({"id": seen.distinct(COA_LOCATION)})
    if not typed:
        frame[LOCATION_TYPE] = None
        return frame
    found = seen.located or [pd.DataFrame(columns=["id", "t"])]
    # most frequent first; ties in a stable order
    counts = pd.concat(found, ignore_index=True).value_counts()
    common = counts.reset_index().drop_duplicates("id").set_index("id")["t"]
    frame[LOCATION_TYPE] = frame["id"].map(common)
    return frame


def _o2o(columns: dict[str, np.ndarray]) -> dict[str, pd.DataFrame]:
    """A person is a member of a household; an IND case concerns a person (distinct pairs)."""
    person = columns[PERSON]
    pairs = {}
    if HOUSEHOLD in columns:
        pairs[MEMBER_OF] = pd.DataFrame({"source": person, "target": columns[HOUSEHOLD]})
    if IND_CASE_TYPE in columns:
        pairs[CONCERNS] = pd.DataFrame({"source": columns[IND_CASE_TYPE], "target": person})
    for qualifier, frame in pairs.items():
        frame["qualifier"] = qualifier
    return {q: frame.dropna().drop_duplicates() for q, frame in pairs.items()}


def build_ocel(events: pd.DataFrame, *, chain: Chain | None = None) -> Ocel:
    """The objects and attributes of an event log, its events to be made block by block (what
    both writers use)."""
    chain = chain or load_chain()
    events = events.reset_index(drop=True)
    attribute_columns = [
        c for c in events.columns if c not in NOT_EVENT_ATTRIBUTES and not c.startswith(CASE_PREFIX)
    ]
    attribute_types = {c: OCEL_TYPES[attribute_kind(events[c])] for c in attribute_columns}
    seen = _Seen()
    for start in range(0, len(events), EVENTS_PER_BLOCK):
        seen.add(events.iloc[start : start + EVENTS_PER_BLOCK], attribute_columns)
    tables, types = _object_tables(events, seen, chain)
    objects = pd.concat(
        [pd.DataFrame(columns=["id", "type"], dtype=object)]
        + [pd.DataFrame({"id": f["id"], "type": t}, dtype=object) for t, f in tables.items()],
        ignore_index=True,
    )
    return Ocel(
        log=events,
        event_attribute_types=attribute_types,
        event_type_attributes=seen.type_attributes(attribute_columns),
        objects=objects,
        object_attributes=tables,
        object_attribute_types=types,
        o2o=seen.o2o(),
    )
