"""Ingest against the municipal register and the register of places: known answers per row."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
from export_files import (
    coa_row,
    ind_row,
    write_coa,
    write_gemeente_csv,
    write_gemeente_xlsx,
    write_ind,
)

from toolkit.adapters.ingest import ingest
from toolkit.eventlog import read_events

AS_OF = date(2024, 12, 31)
V1, V2 = "0123456789", "9876543210"


def _gem_csv(code: str, stamp: str) -> dict:
    return {"v_nummer": V1, "bsn": "", "gebeurtenis_code": "KOP_ONTV", "tijdstip": stamp,
            "gemeentecode": code}  # fmt: skip


def _gem_xlsx(name: str, day: str) -> dict:
    return {"Vreemdelingennummer": V2, "Gebeurtenis": "Woning aangeboden", "Datum": day,
            "Gemeente": name}  # fmt: skip


def _ingest(raw: Path, out: Path, key) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    ingest(raw, out, key=key, as_of=AS_OF)
    report = json.loads((out / "ingest_report.json").read_text(encoding="utf-8"))
    quarantine = pd.read_csv(out / "quarantine.csv", dtype=str, keep_default_na=False)
    return report, read_events(out / "events.parquet"), quarantine


def test_codes_and_names_are_read_on_the_events_day(tmp_path, key):
    raw = tmp_path / "raw"
    raw.mkdir()
    write_gemeente_csv(
        raw / "gemeente_GM0457_gebeurtenissen.csv",
        [
            _gem_csv("GM0457", "2022-03-01T10:00:00+01:00"),  # Weesp still existed: kept
            _gem_csv("GM0457", "2023-05-01T10:00:00+02:00"),  # Weesp had joined Amsterdam
            _gem_csv("GM0505", "2024-02-01T10:00:00+01:00"),  # Dordrecht
            _gem_csv("GM0480", "2024-02-02T10:00:00+01:00"),  # never a municipality
        ],
    )
    write_gemeente_xlsx(
        raw / "gemeente_diverse_statushouders.xlsx",
        [
            _gem_xlsx("Sudwest Fryslan", "1-2-2024"),
            _gem_xlsx("Den Haag", "2-2-2024"),
            _gem_xlsx("Uden", "3-2-2024"),  # in Maashorst since 2022
            _gem_xlsx("Zaanstadt", "4-2-2024"),  # misspelt: quarantined, Zaanstad as hint
        ],
    )
    report, events, quarantine = _ingest(raw, tmp_path / "log", key)
    files = {f["path"]: f for f in report["files"]}
    by_code = files["gemeente_GM0457_gebeurtenissen.csv"]
    by_name = files["gemeente_diverse_statushouders.xlsx"]
    for f in (by_code, by_name):
        assert f["rows_read"] == f["events"] + f["duplicates"] + f["quarantined"]
    assert by_code["repairs"]["municipality_successor"] == 1
    assert by_name["repairs"]["municipality_successor"] == 1
    assert by_code["quarantine_reasons"] == {"unknown_municipality": 1}
    assert by_name["quarantine_reasons"] == {"unknown_municipality": 1}

    got = events.sort_values("source_row").groupby("source_file", observed=True)["municipality"]
    assert got.get_group("gemeente_GM0457_gebeurtenissen.csv").astype(str).tolist() == [
        "GM0457", "GM0363", "GM0505",
    ]  # fmt: skip
    assert got.get_group("gemeente_diverse_statushouders.xlsx").astype(str).tolist() == [
        "GM1900", "GM0518", "GM1991",
    ]  # fmt: skip
    hints = dict(zip(quarantine["column"], quarantine["hint"], strict=True))
    assert hints == {
        "gemeentecode": "closest: Wormerland (GM0880)",
        "Gemeente": "closest: Zaanstad (GM0479)",
    }


def test_an_unknown_location_is_kept_and_reported_not_quarantined(tmp_path, key):
    raw = tmp_path / "raw"
    raw.mkdir()
    write_coa(
        raw / "coa_bewonersmutaties_2024Q1.xlsx",
        [
            coa_row(V1, "INS", date(2024, 1, 3)),
            coa_row(V1, "OVP", date(2024, 1, 9), Locatie="Nieuwplaats", Locatietype="AZC"),
            coa_row(V1, "OVP", date(2024, 2, 9), Locatie="Nieuwplaats", Locatietype="AZC"),
            coa_row(V1, "OVP", date(2024, 3, 9), Locatie="budel", Locatietype="COL"),
        ],
    )
    write_ind(
        raw / "ind_zaakmijlpalen_2024.csv",
        [ind_row(V1, "AANMELDING", "02-01-2024", KANTOOR="Nergens")],
    )
    report, events, quarantine = _ingest(raw, tmp_path / "log", key)
    assert quarantine.empty
    assert report["unknown_places"] == [
        {"name": "Nergens", "type": "unknown", "rows": 1},
        {"name": "Nieuwplaats", "type": "unknown", "rows": 2},
    ]
    coa = {f["path"]: f for f in report["files"]}["coa_bewonersmutaties_2024Q1.xlsx"]
    assert coa["repairs"]["place_name"] == 1  # budel is the register's Budel-Cranendonck
    assert set(events["org:resource"].astype(str)) == {
        "Ter Apel", "Nieuwplaats", "Budel-Cranendonck", "Nergens",
    }  # fmt: skip
