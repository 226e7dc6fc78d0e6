"""Files read and mapped in worker processes: the same accounting, log and pseudonyms as in one.

The known answer is the generator's dirt manifest (what every file must give: events, duplicates,
quarantined rows by reason); the worker path must also give the log, person table, quarantine and
report that one process gives, since pseudonyms and event ids depend on the key and values alone.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pandas as pd
import pytest

from toolkit.adapters import files
from toolkit.adapters.ingest import ingest
from toolkit.errors import IngestError
from toolkit.eventlog import read_events
from toolkit.privacy import DEMO_KEY, Pseudonymizer
from toolkit.synthetic.generate import generate

PERSONS = 400
SEED = 5


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    generate(persons=PERSONS, seed=SEED, out=out)
    return out


def _ingest(raw: Path, out: Path, monkeypatch: pytest.MonkeyPatch, *, workers: bool):
    with monkeypatch.context() as patch:
        patch.setattr(files, "PARALLEL_FROM_BYTES", 0 if workers else float("inf"))
        seen: list[tuple[int, int, str]] = []
        report = ingest(raw, out, key=Pseudonymizer(DEMO_KEY), progress=lambda *a: seen.append(a))
    return report, seen


def test_workers_give_the_manifest_and_the_log_of_one_process(generated, tmp_path, monkeypatch):
    apart, seen = _ingest(generated, tmp_path / "apart", monkeypatch, workers=True)
    alone, _ = _ingest(generated, tmp_path / "alone", monkeypatch, workers=False)

    manifest = json.loads((generated / "dirt_manifest.json").read_text(encoding="utf-8"))
    by_path = {f.path: f for f in apart.files}
    assert [f.path for f in apart.files] == sorted(by_path)  # in the files' order
    for entry in manifest["files"]:
        f = by_path[entry["path"]]
        got = {
            "events": f.events,
            "duplicates": f.duplicates,
            "quarantined": f.quarantined,
            "quarantine_reasons": f.quarantine_reasons,
        }
        assert got == entry["expected"], entry["path"]
    # progress: each file once, as it is done, in order
    total = len(apart.files)
    assert seen == [(0, total, ""), *((i + 1, total, f.path) for i, f in enumerate(apart.files))]

    assert {**apart.to_dict(), "out": ""} == {**alone.to_dict(), "out": ""}
    assert read_events(tmp_path / "apart" / "events.parquet").equals(
        read_events(tmp_path / "alone" / "events.parquet")
    )
    assert pd.read_parquet(tmp_path / "apart" / "cases.parquet").equals(
        pd.read_parquet(tmp_path / "alone" / "cases.parquet")
    )
    assert (tmp_path / "apart" / "quarantine.csv").read_text() == (
        tmp_path / "alone" / "quarantine.csv"
    ).read_text()


def _first_ind(generated: Path) -> str:
    return sorted(p.name for p in generated.glob("ind_*.csv"))[0]


def _ingest_failing_at(generated: Path, out: Path, monkeypatch, fail) -> None:
    """Ingest through worker processes whose mapping of the first IND file calls ``fail(name)``
    (forked workers inherit the patch); nothing may be written."""
    mapped, first = files.map_table, _first_ind(generated)

    def map_table(table, **kwargs):
        if kwargs["source_file"] == first:
            fail(first)
        return mapped(table, **kwargs)

    monkeypatch.setattr(files, "map_table", map_table)
    monkeypatch.setattr(files, "PARALLEL_FROM_BYTES", 0)
    try:
        ingest(generated, out, key=Pseudonymizer(DEMO_KEY))
    finally:
        assert not (out / "events.parquet").exists()


def test_an_error_in_a_worker_reaches_the_caller(generated, tmp_path, monkeypatch):
    """A file that cannot be read stops the ingest with its message, as in one process."""

    def fail(name: str) -> None:
        raise IngestError(f"{name}: cannot be read")

    with pytest.raises(IngestError, match=f"{_first_ind(generated)}: cannot be read"):
        _ingest_failing_at(generated, tmp_path / "log", monkeypatch, fail)


def test_a_worker_that_dies_is_a_clear_error_and_nothing_is_written(
    generated, tmp_path, monkeypatch
):
    """A reading process killed mid-file (as the kernel does when memory runs out) stops the
    ingest with a message that names a file and what to do, not a traceback of the pool."""

    def fail(name: str) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(IngestError, match=r"stopped before it was done.*Run ingest again"):
        _ingest_failing_at(generated, tmp_path / "log", monkeypatch, fail)
