"""Ingest reconciles exactly with the generator's dirt manifest, file by file.

The generator plants known dirt in known rows and writes what a correct adapter must make of every
file (events, removed duplicates, quarantined rows by reason) to dirt_manifest.json. That is the
known answer here, for a generated set of 3000 persons (generated once for the module).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from toolkit.adapters.ingest import ingest
from toolkit.eventlog import read_events
from toolkit.privacy import DEMO_KEY, Pseudonymizer
from toolkit.synthetic.generate import generate

PERSONS = 3000
SEED = 11
# The repair an adapter counts for each kind of dirt that it repairs (outcome "event").
REPAIR_OF_DIRT = {
    "vnummer_spaced": "vnummer_separators",
    "vnummer_dashed": "vnummer_separators",
    "vnummer_lost_zeros": "vnummer_zero_padded",
    "date_as_text": "date_as_text",
    "date_excel_serial": "date_excel_serial",
    "date_other_pattern": "date_other_pattern",
    "time_dst_gap": "dst_gap",
    "time_dst_overlap": "dst_overlap",
    "code_case_whitespace": "code_folded",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    generate(persons=PERSONS, seed=SEED, out=out)
    return out


@pytest.fixture(scope="module")
def ingested(generated: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("log")
    report = ingest(generated, out, key=Pseudonymizer(DEMO_KEY))
    return report, out


@pytest.fixture(scope="module")
def manifest(generated: Path) -> dict:
    return json.loads((generated / "dirt_manifest.json").read_text(encoding="utf-8"))


def test_every_file_reconciles_with_the_manifest(ingested, manifest):
    report, _ = ingested
    files = {f.path: f for f in report.files}
    assert set(files) == {e["path"] for e in manifest["files"]}
    for entry in manifest["files"]:
        f = files[entry["path"]]
        assert f.profile == entry["profile"], entry["path"]
        assert f.rows_read == entry["data_rows"], entry["path"]
        got = {
            "events": f.events,
            "duplicates": f.duplicates,
            "quarantined": f.quarantined,
            "quarantine_reasons": f.quarantine_reasons,
        }
        assert got == entry["expected"], entry["path"]


def test_every_repair_is_counted(ingested, manifest):
    report, _ = ingested
    files = {f.path: f for f in report.files}
    for entry in manifest["files"]:
        expected: Counter[str] = Counter()
        for kind, count in entry["dirt"].items():
            if kind in REPAIR_OF_DIRT:
                expected[REPAIR_OF_DIRT[kind]] += count
        repairs = {k: v for k, v in files[entry["path"]].repairs.items() if k in expected}
        assert repairs == dict(expected), entry["path"]
        if entry["encoding"] != "cp1252" and entry["profile"] == "ind-csv":
            assert files[entry["path"]].notes, entry["path"]


def test_totals_and_the_log(ingested, manifest):
    report, out = ingested
    expected = manifest["totals"]["expected"]
    assert report.events == expected["events"]
    assert report.duplicates == expected["duplicates"]
    assert report.quarantined == expected["quarantined"]
    assert report.quarantine_reasons() == expected["quarantine_reasons"]
    assert report.as_of == "2025-07-01"  # the day after the generated cut-off
    assert report.demo_key
    events = read_events(out / "events.parquet")
    assert len(events) == expected["events"]
    assert events["case:concept:name"].nunique() == report.persons
    link = report.linkage
    assert (
        sum(link[k] for k in ("ind_only", "coa_only", "gemeente_only"))
        + sum(link[k] for k in ("ind_coa", "ind_gemeente", "coa_gemeente", "all_three"))
        == report.persons
    )
    assert link["permit_holders_in_gemeente"] <= link["permit_holders_in_coa"]
