"""Ingest end to end on small hand-made exports whose every row's fate is known in advance."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from export_files import (
    coa_row,
    ind_row,
    write_coa,
    write_gemeente_csv,
    write_gemeente_xlsx,
    write_ind,
)

from toolkit.adapters import stored
from toolkit.adapters.ingest import ingest, json_member, resolve_as_of
from toolkit.errors import IngestError
from toolkit.eventlog import EVENT_COLUMNS, read_events
from toolkit.privacy import Pseudonymizer

AS_OF = date(2024, 12, 31)
V1, V2, V3 = "0123456789", "9876543210", "0555555555"
COA_Q1 = "coa_bewonersmutaties_2024Q1.xlsx"
COA_Q2 = "coa_bewonersmutaties_2024Q2.xlsx"
IND_FILE = "ind_zaakmijlpalen_2024.csv"


def _coa_q1() -> list[dict]:
    return [
        coa_row(V1, "INS", date(2024, 1, 3), "10:00"),  # row 5: event
        coa_row(123456789, "OVP", date(2024, 1, 9), "", Locatie="Zweeloo", Locatietype="AZC"),
        coa_row(V1, "INS", date(2024, 1, 3), "10:00"),  # row 7: duplicate of row 5
        coa_row(V2, "INS", date(2024, 3, 31), "02:30"),  # row 8: DST gap
        coa_row("", "INS", date(2024, 3, 1)),  # row 9: missing_vnummer
        coa_row(V3, "XYZ", date(2024, 3, 1)),  # row 10: unknown_code
        coa_row(V3, "INS", "31-02-2024"),  # row 11: impossible_date
        coa_row(V3, "INS", date(2025, 2, 1)),  # row 12: future_date
        coa_row(V3, "INS", date(1998, 5, 1)),  # row 13: date_before_2000
        coa_row("987-654-3210", "kop ", "29-03-2024", "11:00", Gemeentecode="479"),  # row 14
    ]


def _coa_q2() -> list[dict]:
    # Overlaps Q1: the KOP of 29 March again (another spelling, same fact), plus a new month.
    return [
        coa_row(V2, "KOP", date(2024, 3, 29), "11:00", Gemeentecode="GM0479"),  # row 5: dup
        coa_row(V2, "UIT-GEM", date(2024, 5, 2), "09:00", Gemeentecode="0479"),  # row 6: new
    ]


def _ind() -> list[dict]:
    return [
        ind_row(V1, "AANMELDING", "02-01-2024", "09:30"),  # line 2
        ind_row(V1, "BESCHIKKING", "05-03-2024", "14:00", UITKOMST="INWILLIGING"),  # line 3
        ind_row(V2, "AANMELDING", "27-10-2024", "02:30"),  # line 4: DST overlap
        ind_row(V2, " aanvraag ", "2024-10-28", "08:00"),  # line 5: folded code, ISO date
        ind_row(V2, "NADER_GEHOOR", "45594", ""),  # line 6: Excel serial 2024-10-29
    ]


def _gemeente(raw: Path) -> None:
    write_gemeente_csv(
        raw / "gemeente_GM0479_gebeurtenissen.csv",
        [
            {
                "v_nummer": V2,
                "bsn": "123456782",
                "gebeurtenis_code": "KOP_ONTV",
                "tijdstip": "2024-04-02T10:00:00+02:00",
                "gemeentecode": "GM0479",
            }
        ],
    )
    write_gemeente_xlsx(
        raw / "gemeente_zaanstad_statushouders.xlsx",
        [
            {
                "Vreemdelingennummer": V2,
                "BSN": "123456782",
                "Achternaam": "Jansen",
                "Gebeurtenis": "Woning Aangeboden ",
                "Datum": "2-5-2024",
                "Gemeente": "Zaanstad",
                "Medewerker": "Piet",
            }
        ],
    )


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    write_coa(folder / COA_Q1, _coa_q1())
    write_ind(folder / IND_FILE, _ind())
    _gemeente(folder)
    return folder


def _by_path(report) -> dict:
    return {f.path: f for f in report.files}


def test_every_row_is_an_event_a_duplicate_or_quarantined(raw, tmp_path, key):
    report = ingest(raw, tmp_path / "log", key=key, as_of=AS_OF)
    files = _by_path(report)
    coa = files[COA_Q1]
    assert (coa.rows_read, coa.events, coa.duplicates, coa.quarantined) == (10, 4, 1, 5)
    assert coa.quarantine_reasons == {
        "date_before_2000": 1,
        "future_date": 1,
        "impossible_date": 1,
        "missing_vnummer": 1,
        "unknown_code": 1,
    }
    assert coa.repairs == {
        "code_folded": 1,
        "date_as_text": 1,
        "dst_gap": 1,
        "vnummer_separators": 1,
        "vnummer_zero_padded": 1,
    }
    assert coa.skipped_rows == {"blank": 2, "footer": 1, "header": 1, "title": 3}
    ind = files[IND_FILE]
    assert (ind.rows_read, ind.events, ind.duplicates, ind.quarantined) == (5, 5, 0, 0)
    assert ind.repairs == {
        "code_folded": 1,
        "date_excel_serial": 1,
        "date_other_pattern": 1,
        "dst_overlap": 1,
    }
    for f in report.files:
        assert f.rows_read == f.events + f.duplicates + f.quarantined
    assert report.events == 4 + 5 + 1 + 1
    assert report.persons == 2


def test_quarantine_names_file_row_column_reason(raw, tmp_path, key):
    ingest(raw, tmp_path / "log", key=key, as_of=AS_OF)
    quarantine = pd.read_csv(tmp_path / "log" / "quarantine.csv", dtype=str, keep_default_na=False)
    assert quarantine["hint"].eq("").all()
    assert quarantine.drop(columns="hint").values.tolist() == [
        [COA_Q1, "9", "V-nummer", "missing_vnummer", "coa_instroom"],
        [COA_Q1, "10", "Mutatiecode", "unknown_code", ""],
        [COA_Q1, "11", "Mutatiedatum", "impossible_date", "coa_instroom"],
        [COA_Q1, "12", "Mutatiedatum", "future_date", "coa_instroom"],
        [COA_Q1, "13", "Mutatiedatum", "date_before_2000", "coa_instroom"],
    ]


def test_events_carry_normalised_content(raw, tmp_path, key):
    ingest(raw, tmp_path / "log", key=key, as_of=AS_OF)
    events = read_events(tmp_path / "log" / "events.parquet")
    assert tuple(events.columns) == EVENT_COLUMNS
    v1, v2 = key.person(V1), key.person(V2)

    def at(case: str, activity: str) -> pd.Series:
        rows = events[(events["case:concept:name"] == case) & (events["concept:name"] == activity)]
        assert len(rows) == 1
        return rows.iloc[0]

    utc = lambda text: pd.Timestamp(text, tz="UTC")  # noqa: E731
    assert at(v1, "coa_instroom")["time:timestamp"] == utc("2024-01-03 09:00")
    assert at(v1, "coa_overplaatsing")["time:timestamp"] == utc("2024-01-08 23:00")  # midnight
    assert at(v1, "coa_overplaatsing")["org:resource"] == "Zweeloo"
    assert at(v2, "coa_instroom")["time:timestamp"] == utc("2024-03-31 01:30")  # DST gap
    assert at(v2, "coa_koppeling")["municipality"] == "GM0479"
    assert at(v2, "ind_aanmelding")["time:timestamp"] == utc("2024-10-27 00:30")  # first 02:30
    assert at(v2, "ind_aanvraag")["time:timestamp"] == utc("2024-10-28 07:00")
    assert at(v2, "ind_nader_gehoor")["time:timestamp"] == utc("2024-10-28 23:00")
    assert at(v1, "ind_beschikking_inwilliging")["org:group"] == "IND"
    kop = at(v2, "gem_koppeling_ontvangen")
    assert kop["time:timestamp"] == utc("2024-04-02 08:00")
    assert (kop["org:group"], kop["org:resource"], kop["municipality"]) == (
        "GEMEENTE",
        "GM0479",
        "GM0479",
    )
    offer = at(v2, "gem_woning_aangeboden")
    assert offer["municipality"] == "GM0479"  # the name Zaanstad, through the chain
    assert offer["time:timestamp"] == utc("2024-05-01 22:00")
    # Case attributes from COA reach the person's IND events too; the birth year only as a band.
    assert set(events.loc[events["case:concept:name"] == v1, "case:birth_year_band"]) == {
        "1990-1994"
    }
    assert set(events.loc[events["case:concept:name"] == v1, "case:procedure"]) == {"asiel"}
    assert set(events["case:household"]) == {key.household("HH1234567")}
    keys = events[["case:concept:name", "time:timestamp"]].apply(tuple, axis=1).tolist()
    assert keys == sorted(keys)


def test_cases_and_linkage(raw, tmp_path, key):
    report = ingest(raw, tmp_path / "log", key=key, as_of=AS_OF)
    cases = pd.read_parquet(tmp_path / "log" / "cases.parquet")
    assert len(cases) == 2
    by_case = cases.set_index("case:concept:name")
    assert by_case.loc[key.person(V1), "sources"] == "IND+COA"
    assert by_case.loc[key.person(V2), "sources"] == "IND+COA+GEMEENTE"
    assert by_case.loc[key.person(V2), "case:municipality"] == "GM0479"
    assert report.linkage == {
        "ind_only": 0,
        "coa_only": 0,
        "gemeente_only": 0,
        "ind_coa": 1,
        "ind_gemeente": 0,
        "coa_gemeente": 0,
        "all_three": 1,
        "permit_holders": 1,
        "permit_holders_in_coa": 1,
        "permit_holders_in_gemeente": 0,
    }
    written = json.loads((tmp_path / "log" / "ingest_report.json").read_text())
    assert written["linkage"] == report.linkage
    assert written["files"][0]["path"] == COA_Q1
    assert set(written["files"][0]) >= {
        "path",
        "profile",
        "rows_read",
        "events",
        "duplicates",
        "quarantined",
        "quarantine_reasons",
        "repairs",
    }


def _contents(log: Path) -> dict:
    """Each file of a log (the events folder: each of its parts) and its bytes."""
    files = {p.name: p.read_bytes() for p in log.iterdir() if p.is_file()}
    files["events.parquet"] = {p.name: p.read_bytes() for p in (log / "events.parquet").iterdir()}
    return files


@pytest.fixture(params=["batches of a million rows", "batches of one row"])
def batch_rows(request, monkeypatch):
    """The stored log read a million rows at a time (every look-up batch by batch), or one row
    at a time (more ids and persons looked up than a batch holds: once for all batches)."""
    if request.param == "batches of one row":
        monkeypatch.setattr(stored, "BATCH_ROWS", 1)


def test_ingesting_again_changes_nothing(raw, tmp_path, key, batch_rows):
    out = tmp_path / "log"
    first = ingest(raw, out, key=key, as_of=AS_OF)
    before = _contents(out)
    second = ingest(raw, out, key=key, as_of=AS_OF)
    after = _contents(out)
    assert after["events.parquet"] == before["events.parquet"]
    for name in ("cases.parquet", "quarantine.csv"):
        assert after[name] == before[name]
    again, once = (json.loads(r["ingest_report.json"]) for r in (after, before))
    assert (again.pop("events_added"), again.pop("events_before")) == (0, first.events)
    assert (once.pop("events_added"), once.pop("events_before")) == (first.events, 0)
    assert again == once
    assert second.events_added == 0
    assert [f.events for f in second.files] == [f.events for f in first.files]


def test_the_same_fact_in_overlapping_exports_is_one_event(raw, tmp_path, key):
    write_coa(raw / COA_Q2, _coa_q2())
    report = ingest(raw, tmp_path / "log", key=key, as_of=AS_OF)
    q2 = _by_path(report)[COA_Q2]
    assert (q2.rows_read, q2.events, q2.duplicates) == (2, 1, 1)
    events = read_events(tmp_path / "log" / "events.parquet")
    assert events["event_id"].is_unique
    koppeling = events[events["concept:name"] == "coa_koppeling"]
    assert len(koppeling) == 1
    assert koppeling["source_file"].tolist() == [COA_Q1]  # the earlier file keeps it


def test_a_new_month_adds_only_its_new_events(raw, tmp_path, key, batch_rows):
    out = tmp_path / "log"
    first = ingest(raw, out, key=key, as_of=AS_OF)
    old = read_events(out / "events.parquet")
    write_coa(raw / COA_Q2, _coa_q2())
    second = ingest(raw, out, key=key, as_of=AS_OF)
    new = read_events(out / "events.parquet")
    assert second.events_before == first.events
    assert second.events_added == 1
    assert set(old["event_id"]) < set(new["event_id"])
    added = new[~new["event_id"].isin(old["event_id"])]
    assert added["concept:name"].tolist() == ["coa_uitstroom_gemeente"]


def test_only_the_new_export_into_an_existing_log(raw, tmp_path, key, batch_rows):
    out = tmp_path / "log"
    ingest(raw, out, key=key, as_of=AS_OF)
    later = tmp_path / "later"
    later.mkdir()
    write_coa(later / COA_Q2, _coa_q2())
    report = ingest(later, out, key=key, as_of=AS_OF)
    q2 = report.files[0]
    assert (q2.events, q2.duplicates) == (1, 1)  # the overlap is already in the log
    assert report.events_added == 1
    quarantine = pd.read_csv(out / "quarantine.csv", dtype=str)
    assert len(quarantine) == 5  # the earlier run's quarantine is kept


def test_the_same_rows_of_another_file_are_duplicates(raw, tmp_path, key, batch_rows):
    """An export's events at the very rows another file holds them (a copy under another name)
    are duplicates: the log's row is the same fact only from the same file."""
    out = tmp_path / "log"
    first = _by_path(ingest(raw, out, key=key, as_of=AS_OF))[COA_Q1]
    later = tmp_path / "later"
    later.mkdir()
    shutil.copy(raw / COA_Q1, later / COA_Q2)
    report = ingest(later, out, key=key, as_of=AS_OF)
    copy = report.files[0]
    assert (copy.events, copy.duplicates) == (0, first.events + first.duplicates)
    assert report.events_added == 0


def test_a_log_made_with_another_key_is_not_merged(raw, tmp_path, key):
    out = tmp_path / "log"
    ingest(raw, out, key=key, as_of=AS_OF)
    with pytest.raises(IngestError, match="another key"):
        ingest(raw, out, key=Pseudonymizer(b"z" * 40), as_of=AS_OF)


def test_a_file_matching_no_profile_is_named_with_its_headers(raw, tmp_path, key):
    (raw / "export_onbekend.csv").write_text("naam;adres;datum\nx;y;z\n")
    with pytest.raises(IngestError, match=r"export_onbekend\.csv: matches no profile.*naam"):
        ingest(raw, tmp_path / "log", key=key, as_of=AS_OF)


def test_a_file_whose_name_fits_but_header_does_not(raw, tmp_path, key):
    (raw / "ind_zaakmijlpalen_kapot.csv").write_text("A;B\n1;2\n")
    with pytest.raises(
        IngestError, match=r"ind_zaakmijlpalen_kapot\.csv: the header lacks column\(s\) VNUMMER"
    ):
        ingest(raw, tmp_path / "log", key=key, as_of=AS_OF)


def test_profile_recognised_by_header_or_forced(tmp_path, key):
    raw = tmp_path / "raw"
    raw.mkdir()
    write_ind(raw / "mijlpalen_export.csv", _ind())  # a name no profile's glob fits
    report = ingest(raw, tmp_path / "a", key=key, as_of=AS_OF)
    assert report.files[0].profile == "ind-csv"
    report = ingest(raw, tmp_path / "b", key=key, as_of=AS_OF, profile="ind-csv")
    assert report.files[0].events == 5
    with pytest.raises(IngestError, match="unknown profile 'bestaat-niet'"):
        ingest(raw, tmp_path / "c", key=key, as_of=AS_OF, profile="bestaat-niet")


def test_as_of_comes_from_the_generated_cutoff(tmp_path):
    (tmp_path / "ground_truth.json").write_text(json.dumps({"world": {"cutoff": "2025-06-30"}}))
    resolved = resolve_as_of(tmp_path, None)
    assert resolved.day == date(2025, 7, 1)
    assert resolve_as_of(tmp_path, date(2024, 1, 1)).day == date(2024, 1, 1)
    assert resolve_as_of(tmp_path / "leeg", None, today=date(2026, 1, 2)).day == date(2026, 1, 2)


def test_the_cutoff_is_read_from_the_start_of_the_ground_truth(tmp_path):
    # as the generator writes it (the world second), with a tail that a whole read would choke
    # on: a truncated file still gives its cut-off, so the tail was never decoded
    truth = {"generator": {"persons_requested": 5, "seed": 1, "config": 'a "world": {}'},
             "world": {"start": "2022-01-01", "cutoff": "2025-06-30"},
             "durations": [{"case": f"P{n}", "days": n} for n in range(50_000)]}  # fmt: skip
    text = json.dumps(truth, ensure_ascii=False, separators=(",", ":"))
    (tmp_path / "ground_truth.json").write_text(text[: len(text) // 2])
    assert resolve_as_of(tmp_path, None).day == date(2025, 7, 1)
    with pytest.raises(json.JSONDecodeError):
        json.loads((tmp_path / "ground_truth.json").read_text())
    # any member, whatever the layout and wherever a chunk ends (a number cut in two as well)
    path = tmp_path / "laid_out.json"
    path.write_text(json.dumps({"n": 1234567, "a": [1, {"b": "}"}], "world": {"cutoff": 1}},
                               indent=3))  # fmt: skip
    for chunk in (1, 2, 3, 5, 1 << 16):
        assert json_member(path, "n", chunk) == 1234567
        assert json_member(path, "a", chunk) == [1, {"b": "}"}]
        assert json_member(path, "world", chunk) == {"cutoff": 1}
    with pytest.raises(KeyError):
        json_member(path, "cutoff")
    (tmp_path / "ground_truth.json").write_text('{"generator": {}, "counts": {}}')
    with pytest.raises(IngestError, match=r"world\.cutoff"):
        resolve_as_of(tmp_path, None)
    (tmp_path / "ground_truth.json").write_text("[1, 2]")
    with pytest.raises(IngestError, match=r"world\.cutoff"):
        resolve_as_of(tmp_path, None)


def test_no_temporary_files_are_left_behind(raw, tmp_path, key):
    for _ in range(2):
        ingest(raw, tmp_path / "log", key=key, as_of=AS_OF)
    log = tmp_path / "log"
    assert sorted(p.name for p in log.iterdir()) == [
        ".ketenlens",
        "cases.parquet",
        "events.parquet",
        "ingest_report.json",
        "quarantine.csv",
    ]
    state = sorted(p.name for p in (log / ".ketenlens").iterdir())
    # the version the second run replaced stays until the next run (a reader may hold it)
    assert state[:2] == ["current", "ingest.lock"]
    assert len(state) == 4
    assert all(name.startswith("v-") for name in state[2:])


def test_an_error_while_encoding_the_events_leaves_no_new_version(raw, tmp_path, key, monkeypatch):
    """The events are encoded in a second thread; its error is raised before the commit begins,
    so the log keeps its current version and no half-written one lies beside it."""
    ingest(raw, tmp_path / "log", key=key, as_of=AS_OF)
    state = tmp_path / "log" / ".ketenlens"
    before = sorted(p.name for p in state.iterdir())
    current = (state / "current").resolve()

    def fail(events):
        raise RuntimeError("the disk of the encoder is gone")

    monkeypatch.setattr("toolkit.adapters.ingest.events_parquet", fail)
    with pytest.raises(RuntimeError, match="encoder"):
        ingest(raw, tmp_path / "log", key=key, as_of=AS_OF)
    assert sorted(p.name for p in state.iterdir()) == before
    assert (state / "current").resolve() == current


def test_an_empty_directory_is_refused(tmp_path, key):
    (tmp_path / "raw").mkdir()
    with pytest.raises(IngestError, match="no export files"):
        ingest(tmp_path / "raw", tmp_path / "log", key=key)


def test_a_log_written_inside_the_raw_directory_is_not_read_back(raw, tmp_path, key):
    first = ingest(raw, raw / "log", key=key, as_of=AS_OF)
    (raw / ".cache").mkdir()
    (raw / ".cache" / "kopie.csv").write_text("iets;anders\n")
    second = ingest(raw, raw / "log", key=key, as_of=AS_OF)
    assert [f.path for f in second.files] == [f.path for f in first.files]
    assert second.events_added == 0


def test_raw_exports_inside_the_log_folder_are_read_and_the_log_files_are_not(tmp_path, key):
    # the workspace layout: event_logs/<name>/raw/ holds the exports, event_logs/<name>/ the log
    log = tmp_path / "demo"
    raw = log / "raw"
    raw.mkdir(parents=True)
    _gemeente(raw)
    first = ingest(raw, log, key=key, as_of=AS_OF)
    assert first.events > 0
    again = ingest(raw, log, key=key, as_of=AS_OF)
    assert [f.path for f in again.files] == [f.path for f in first.files]
    assert again.events == first.events


def test_timestamps_beyond_the_calendar_are_impossible_dates(tmp_path, key):
    """A moment that falls outside the years 1 to 9999 in UTC or in the profile's zone (Europe/
    Amsterdam) has no date: its row is quarantined, the other rows are read."""
    stamps = [
        "2024-02-01T10:00:00+01:00",  # row 2: event
        "9999-12-31T23:59:59-01:00",  # row 3: the year 10000 in UTC
        "0001-01-01T00:00:00+01:00",  # row 4: the year 0 in UTC
        "9999-12-31T23:30:00+00:00",  # row 5: the year 10000 in Amsterdam
        "9999-12-31T23:59:59+01:00",  # row 6: a day, in the future
    ]
    raw = tmp_path / "raw"
    raw.mkdir()
    name = "gemeente_GM0479_gebeurtenissen.csv"
    rows = [{"v_nummer": V1, "bsn": "", "gebeurtenis_code": "KOP_ONTV", "tijdstip": stamp,
             "gemeentecode": "GM0479"} for stamp in stamps]  # fmt: skip
    write_gemeente_csv(raw / name, rows)
    ingest(raw, tmp_path / "log", key=key, as_of=AS_OF)
    quarantine = pd.read_csv(tmp_path / "log" / "quarantine.csv", dtype=str, keep_default_na=False)
    assert quarantine[["file", "row", "column", "reason"]].values.tolist() == [
        [name, "3", "tijdstip", "impossible_date"],
        [name, "4", "tijdstip", "impossible_date"],
        [name, "5", "tijdstip", "impossible_date"],
        [name, "6", "tijdstip", "future_date"],
    ]
    report = json.loads((tmp_path / "log" / "ingest_report.json").read_text(encoding="utf-8"))
    (read,) = report["files"]
    assert (read["rows_read"], read["events"], read["quarantined"]) == (5, 1, 4)
