"""OCEL 2.0 export: valid JSON, the SQLite layout pm4py reads, and the objects the log implies.

Known answers come from events.parquet: one person object per case, one household per household
pseudonym, one IND case per ``ind_case`` pseudonym, one COA location per location in COA events,
one municipality per code; every event related to its person, every IND event to exactly one IND
case, every COA event to exactly one location.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
from export_reference import REFERENCE_LOGS

import toolkit.export.ocel as ocel_module
import toolkit.export.ocel_json as ocel_json
from toolkit.eventlog import ACTIVITY, CASE, EVENT_ID, TIMESTAMP
from toolkit.export import export_log
from toolkit.export.ocel import OBJECT_TYPES, build_ocel
from toolkit.export.ocel_json import write_ocel_json
from toolkit.export.ocel_sqlite import table_names, write_ocel_sqlite

CONTAINERS = ["log.jsonocel", "log.sqlite"]
REFERENCE_SQLITE = REFERENCE_LOGS / "ocel" / "ocel20_example.sqlite"
# Events per block and objects per write in the exports read back below: the test log then spans
# many blocks, and blocks end inside a person's events.
SMALL_BLOCKS = 97


@pytest.fixture(scope="module")
def exports(chain_log: Path, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("ocel")
    out = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ocel_module, "EVENTS_PER_BLOCK", SMALL_BLOCKS)
        patch.setattr(ocel_json, "OBJECTS_PER_WRITE", SMALL_BLOCKS)
        for name in CONTAINERS:
            export_log(chain_log, folder / name, "ocel")
            out[name] = folder / name
    return out


def _rows(path: Path) -> dict[str, list[tuple]]:
    """Every table of a SQLite file with its rows sorted, and the schema."""
    with sqlite3.connect(path) as db:
        tables = {
            "": db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY rowid").fetchall()
        }
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            tables[name] = sorted(db.execute(f'SELECT * FROM "{name}"'), key=repr)
    return tables


def test_the_blocks_of_events_do_not_change_the_export(exports, chain_log, chain_events, tmp_path):
    assert len(chain_events) > 50 * SMALL_BLOCKS
    assert chain_events["case:concept:name"].nunique() > 3 * SMALL_BLOCKS
    for name in CONTAINERS:
        whole = tmp_path / name  # the log in one block
        export_log(chain_log, whole, "ocel")
        if name.endswith(".sqlite"):
            assert _rows(whole) == _rows(exports[name])
        else:
            assert whole.read_bytes() == exports[name].read_bytes()


@pytest.fixture(scope="module", params=CONTAINERS)
def read_back(request, exports, pm4py):
    path = exports[request.param]
    reader = pm4py.read_ocel2_sqlite if path.suffix == ".sqlite" else pm4py.read_ocel2_json
    return reader(str(path))


def _expected_objects(events: pd.DataFrame) -> dict[str, int]:
    coa = events["org:group"] == "COA"
    return {
        "person": events[CASE].nunique(),
        "household": events["case:household"].nunique(),
        "ind_case": events["ind_case"].nunique(),
        "coa_location": events.loc[coa, "org:resource"].nunique(),
        "municipality": events["municipality"].nunique(),
    }


def test_the_json_satisfies_the_ocel2_schema(exports, ocel_schema):
    document = json.loads(exports["log.jsonocel"].read_text(encoding="utf-8"))
    checker = jsonschema.FormatChecker()
    jsonschema.validate(document, ocel_schema, format_checker=checker)
    assert {t["name"] for t in document["objectTypes"]} == set(OBJECT_TYPES)
    # "date-time" is checked only when rfc3339-validator is installed; check it here regardless.
    stamps = {e["time"] for e in document["events"]}
    stamps |= {a["time"] for o in document["objects"] for a in o["attributes"]}
    assert all(datetime.fromisoformat(t).utcoffset() is not None for t in stamps)


def test_pm4py_reads_every_event_and_the_objects_per_type(read_back, chain_events):
    assert len(read_back.events) == len(chain_events)
    assert set(read_back.events["ocel:eid"]) == set(chain_events[EVENT_ID])
    counts = read_back.objects["ocel:type"].value_counts().to_dict()
    assert counts == _expected_objects(chain_events)
    assert counts["person"] == chain_events[CASE].nunique()


def test_event_types_are_the_activities_and_times_are_kept(read_back, chain_events):
    assert set(read_back.events["ocel:activity"]) == set(chain_events[ACTIVITY])
    read = read_back.events.set_index("ocel:eid")
    log = chain_events.set_index(EVENT_ID)
    times = read.loc[log.index, "ocel:timestamp"].dt.tz_convert("UTC")
    assert (times == log[TIMESTAMP]).all()
    assert (read.loc[log.index, "ocel:activity"] == log[ACTIVITY]).all()
    assert (read.loc[log.index, "source_row"].astype(int) == log["source_row"]).all()


def test_each_event_is_related_to_its_objects(read_back, chain_events):
    relations = read_back.relations
    per_event = relations.groupby(["ocel:eid", "ocel:type"]).size().unstack(fill_value=0)
    per_event = per_event.reindex(chain_events[EVENT_ID]).fillna(0).astype(int)
    group = chain_events["org:group"].astype(object).to_numpy()
    assert (per_event["person"] == 1).all()
    assert (per_event.loc[group == "IND", "ind_case"] == 1).all()
    assert (per_event.loc[group != "IND", "ind_case"] == 0).all()
    assert (per_event.loc[group == "COA", "coa_location"] == 1).all()
    assert (per_event.loc[group != "COA", "coa_location"] == 0).all()
    has_municipality = chain_events["municipality"].notna().to_numpy()
    assert (per_event["municipality"] == has_municipality.astype(int)).all()
    # The relation points at the event's own person and IND case.
    person = relations[relations["ocel:type"] == "person"].set_index("ocel:eid")["ocel:oid"]
    want = "person:" + chain_events.set_index(EVENT_ID)[CASE]
    assert (person.loc[want.index] == want).all()
    ind = chain_events[group == "IND"].set_index(EVENT_ID)["ind_case"]
    case = relations[relations["ocel:type"] == "ind_case"].set_index("ocel:eid")["ocel:oid"]
    assert (case.loc[ind.index] == "ind_case:" + ind).all()


def test_objects_carry_their_attributes_and_links(read_back, chain_events):
    objects = read_back.objects.set_index("ocel:oid")
    first = chain_events.drop_duplicates(CASE).set_index(CASE)
    people = objects.loc["person:" + first.index]
    assert people["nationality"].tolist() == first["case:nationality"].tolist()
    assert people["birth_year_band"].tolist() == first["case:birth_year_band"].tolist()
    households = objects[objects["ocel:type"] == "household"]
    assert households["persons"].astype(int).sum() == first["case:household"].notna().sum()
    municipalities = objects[objects["ocel:type"] == "municipality"]
    assert municipalities["name"].notna().all()
    o2o = read_back.o2o
    member = o2o[o2o["ocel:qualifier"] == "member of"]
    assert member["ocel:oid"].is_unique  # a person is in one household
    concerns = o2o[o2o["ocel:qualifier"] == "concerns"]
    assert len(concerns) == chain_events["ind_case"].nunique()


def test_json_and_sqlite_hold_the_same_log(exports, pm4py):
    json_log = pm4py.read_ocel2_json(str(exports["log.jsonocel"]))
    sqlite_log = pm4py.read_ocel2_sqlite(str(exports["log.sqlite"]))
    columns = ["ocel:eid", "ocel:oid", "ocel:qualifier"]

    def triples(log) -> set[tuple[str, str, str]]:
        return set(log.relations[columns].itertuples(index=False, name=None))

    assert triples(json_log) == triples(sqlite_log)
    assert set(json_log.objects["ocel:oid"]) == set(sqlite_log.objects["ocel:oid"])


@pytest.mark.skipif(not REFERENCE_SQLITE.is_file(), reason="../shared/reference_logs is not there")
def test_sqlite_has_the_standard_tables_of_the_reference_example(exports):
    def columns(path: Path) -> dict[str, list[str]]:
        with sqlite3.connect(path) as db:
            names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            return {n: [c[1] for c in db.execute(f'PRAGMA table_info("{n}")')] for n in names}

    ours, reference = columns(exports["log.sqlite"]), columns(REFERENCE_SQLITE)
    base = ("event", "object", "event_object", "object_object", "event_map_type")
    for table in (*base, "object_map_type"):
        assert ours[table] == reference[table], table
    assert ours["event_ind_aanmelding"][:2] == ["ocel_id", "ocel_time"]
    assert ours["object_person"][0] == "ocel_id"
    assert ours["object_person"][-2:] == ["ocel_time", "ocel_changed_field"]


def test_the_running_example_gives_persons_only(running_example_log, tmp_path, pm4py):
    out = tmp_path / "running-example.jsonocel"
    summary = export_log(running_example_log, out, "ocel")
    assert (summary.cases, summary.events, summary.objects) == (6, 42, {"person": 6})
    read = pm4py.read_ocel2_json(str(out))
    assert (len(read.events), len(read.objects)) == (42, 6)
    assert read.events["ocel:activity"].nunique() == 8


def test_table_names_are_identifiers_and_unique():
    names = table_names(["register request", "register-request", "ind_aanmelding", "!!"])
    assert names == {
        "register request": "registerrequest",
        "register-request": "registerrequest2",
        "ind_aanmelding": "ind_aanmelding",
        "!!": "type",
    }


def test_writing_replaces_an_old_file_whole(chain_events, tmp_path):
    path = tmp_path / "log.sqlite"
    ocel = build_ocel(chain_events)
    write_ocel_sqlite(ocel, path)
    small = build_ocel(chain_events.head(10))
    write_ocel_sqlite(small, path)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM event").fetchone()[0] == 10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.sqlite"]


@pytest.mark.parametrize("name", CONTAINERS)
def test_an_empty_log_gives_an_empty_valid_ocel(chain_events, tmp_path, ocel_schema, name):
    ocel = build_ocel(chain_events.head(0))
    assert ocel.object_counts() == {}
    path = tmp_path / name
    if name.endswith(".sqlite"):
        write_ocel_sqlite(ocel, path)
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT COUNT(*) FROM event").fetchone()[0] == 0
    else:
        write_ocel_json(ocel, path)
        document = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.validate(document, ocel_schema)
        assert document["events"] == [] and document["objects"] == []
