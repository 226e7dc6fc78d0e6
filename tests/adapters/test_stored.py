"""A log built in two ingests: the second writes one more part and leaves the first as it is,
and the log reads as one, in order, with what the later export tells about a person."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from export_files import TEST_KEY, coa_row, ind_row, write_coa, write_ind

from toolkit.adapters.ingest import ingest
from toolkit.adapters.stored import StoredLog
from toolkit.eventlog import ACTIVITY, CASE, MUNICIPALITY
from toolkit.eventlog import read_events as read
from toolkit.logdir import current_files
from toolkit.privacy import Pseudonymizer

AS_OF = date(2024, 12, 31)
V1, V2 = "0123456789", "9876543210"


@pytest.fixture
def log(tmp_path):
    """A log of COA events (no track known), then an IND export with the track of one of them."""
    key = Pseudonymizer(TEST_KEY)
    first, later, out = tmp_path / "q1", tmp_path / "q2", tmp_path / "log"
    first.mkdir()
    later.mkdir()
    write_coa(
        first / "coa_bewonersmutaties_2024Q1.xlsx",
        [
            coa_row(V1, "INS", date(2024, 1, 3)),
            coa_row(V1, "OVP", date(2024, 2, 1), Locatie="Zweeloo", Locatietype="AZC"),
            coa_row(V2, "INS", date(2024, 1, 5)),
        ],
    )
    ingest(first, out, key=key, as_of=AS_OF)
    stored = current_files(out) / "events.parquet" / "part-00000.parquet"
    before = (stored.stat().st_ino, stored.read_bytes())
    write_ind(  # an application a day before the first COA event, and the track
        later / "ind_zaakmijlpalen_2024Q2.csv", [ind_row(V1, "AANMELDING", "02-01-2024")]
    )
    report = ingest(later, out, key=key, as_of=AS_OF)
    return {"out": out, "key": key, "first_part": before, "report": report}


def test_the_second_ingest_adds_a_part_and_links_the_first(log):
    parts = sorted((current_files(log["out"]) / "events.parquet").iterdir())
    assert [p.name for p in parts] == ["part-00000.parquet", "part-00001.parquet"]
    assert (parts[0].stat().st_ino, parts[0].read_bytes()) == log["first_part"]
    stored = StoredLog.at(current_files(log["out"]))
    assert stored.rows == log["report"].events == 4
    assert log["report"].events_added == 1


def test_the_parts_read_as_one_log_in_order_with_the_later_track(log):
    events = read(log["out"] / "events.parquet")
    keys = ["case:concept:name", "time:timestamp", "source_file", "source_row"]
    assert events.equals(events.sort_values(keys, kind="stable", ignore_index=True))
    person = events[events["case:concept:name"] == log["key"].person(V1)]
    assert person[ACTIVITY].tolist() == ["ind_aanmelding", "coa_instroom", "coa_overplaatsing"]
    assert person["case:track"].tolist() == ["aa_va"] * 3
    other = events[events["case:concept:name"] == log["key"].person(V2)]
    assert other["case:track"].isna().all()


def test_some_columns_of_the_parts_are_those_columns_of_the_whole_log(log):
    whole = read(log["out"] / "events.parquet")
    for columns in ((ACTIVITY, "case:track"), ("case:track",), (ACTIVITY, "no such column")):
        some = read(log["out"] / "events.parquet", columns=columns)
        present = [c for c in columns if c in whole.columns]
        pd.testing.assert_frame_equal(some, whole[present])


def test_duckdb_reads_the_folder_as_it_is(log):
    duckdb = pytest.importorskip("duckdb")
    folder = log["out"] / "events.parquet"
    count = duckdb.sql(f"SELECT count(*) AS n FROM read_parquet('{folder}/*.parquet')").df()
    assert count["n"].tolist() == [4]


def test_parts_that_number_their_categories_in_other_widths_read_together(tmp_path):
    """A part of many municipalities stores their numbers in 16 bits, a part of few in 8: the
    events of the persons asked for come from both parts (the rows of each in order)."""
    many = [f"GM{i:04d}" for i in range(200)]
    parts = []
    for number, (persons, places, width) in enumerate(
        [(["a", "b", "a"], many[:3], pa.int16()), (["b", "c"], ["GM0001", "GM0002"], pa.int8())]
    ):
        places_array = pa.DictionaryArray.from_arrays(
            pa.array([many.index(p) for p in places], width), pa.array(many)
        )
        part = tmp_path / f"part-{number:05d}.parquet"
        pq.write_table(pa.table({CASE: persons, MUNICIPALITY: places_array}), part)
        parts.append(part)
    stored = StoredLog(tuple(parts), tmp_path / "cases.parquet")
    rows = stored._rows([CASE, MUNICIPALITY], CASE, pa.array(["a", "b"]))
    assert rows[CASE].tolist() == ["a", "b", "a", "b"]
    assert rows[MUNICIPALITY].astype(str).tolist() == ["GM0000", "GM0001", "GM0002", "GM0001"]
