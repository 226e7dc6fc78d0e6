"""Ingest as a transaction: killed at every step of its commit, the log is the old one or the new
one, whole; the next ingest succeeds; two ingests into one log at once lose no events.

The ingest runs in a child process that kills itself (SIGKILL, no cleanup of any kind) right
after the commit step under test, named by the ``on_step`` hook: no timing is involved.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "adapters"))
from export_files import TEST_KEY, coa_row, ind_row, write_coa, write_ind

from toolkit.adapters.ingest import ingest
from toolkit.eventlog import read_events
from toolkit.logdir import (
    CASES_FILE,
    COMMIT_STEPS,
    CURRENT,
    EVENTS_FILE,
    LOG_FILES,
    QUARANTINE_FILE,
    REPORT_FILE,
    STATE_DIR,
    current_files,
)
from toolkit.privacy import Pseudonymizer

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2024, 12, 31)
KILLED = -9
# The child: ingest RAW into OUT; kill itself after step KILL; at step PAUSE write a marker and
# wait for a go file; when it has to wait for the lock, write a marker.
CHILD = """
import os, signal, sys, time
from datetime import date
from pathlib import Path
from toolkit.adapters.ingest import ingest
from toolkit.privacy import Pseudonymizer

raw, out, kill, pause, marks = sys.argv[1:6]
marks = Path(marks)

def on_step(name):
    if name == kill:
        os.kill(os.getpid(), signal.SIGKILL)
    if name == pause:
        (marks / "paused").touch()
        while not (marks / "go").exists():
            time.sleep(0.01)

def on_wait():
    (marks / "waiting").touch()

ingest(Path(raw), Path(out), key=Pseudonymizer(os.environb[b"TEST_KEY"]),
       as_of=date(2024, 12, 31), on_step=on_step, on_wait=on_wait)
"""


def _child(raw: Path, out: Path, marks: Path, kill: str = "", pause: str = "") -> subprocess.Popen:
    marks.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(REPO), "TEST_KEY": TEST_KEY.decode()}
    argv = [sys.executable, "-c", CHILD, str(raw), str(out), kill, pause, str(marks)]
    return subprocess.Popen(argv, env=env, stderr=subprocess.PIPE)


def _raw(folder: Path, quarter: int) -> Path:
    """Exports of one quarter: distinct events per quarter, one quarantined row each."""
    folder.mkdir(parents=True)
    month = 3 * quarter - 2
    write_coa(
        folder / f"coa_bewonersmutaties_2024Q{quarter}.xlsx",
        [
            coa_row("0123456789", "INS", date(2024, month, 3)),
            coa_row("9876543210", "INS", date(2024, month, 4)),
            coa_row("", "INS", date(2024, month, 5)),  # missing_vnummer
        ],
    )
    write_ind(
        folder / f"ind_zaakmijlpalen_2024Q{quarter}.csv",
        [ind_row("0123456789", "AANMELDING", f"02-{month:02d}-2024")],
    )
    return folder


def _snapshot(log: Path) -> dict | None:
    """What a reader sees through the one function; None when there is no log."""
    files = current_files(log)
    if not (files / EVENTS_FILE).exists():
        assert not (files / REPORT_FILE).exists()
        return None
    report = json.loads((files / REPORT_FILE).read_text("utf-8"))
    events = read_events(files / EVENTS_FILE)
    cases = pd.read_parquet(files / CASES_FILE)
    quarantine = pd.read_csv(files / QUARANTINE_FILE, dtype=str, keep_default_na=False)
    # complete and consistent: the report's figures are those of the files beside it
    assert report["events"] == len(events)
    assert report["persons"] == len(cases) == events["case:concept:name"].nunique()
    for f in report["files"]:
        assert (quarantine["file"] == f["path"]).sum() == f["quarantined"]
    report.pop("out")
    return {"events": sorted(events["event_id"]), "report": report}


def _bytes(path: Path) -> bytes | dict[str, bytes]:
    """A file's bytes; a folder's (the events' parts): each file's name and bytes."""
    if path.is_dir():
        return {p.name: p.read_bytes() for p in sorted(path.iterdir())}
    return path.read_bytes()


def _content(snapshot: dict) -> dict:
    """A log's events and report, without what says how it came about (added in which run)."""
    report = {k: v for k, v in snapshot["report"].items() if not k.startswith("events_")}
    return {"events": snapshot["events"], "report": report}


def _ingest(raw: Path, out: Path) -> None:
    ingest(raw, out, key=Pseudonymizer(TEST_KEY), as_of=AS_OF)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Raw exports of two quarters, and the logs of each (old) and of both (new)."""
    root = tmp_path_factory.mktemp("commit")
    q1, q2 = _raw(root / "q1", 1), _raw(root / "q2", 2)
    both = root / "both"
    shutil.copytree(q1, both)
    shutil.copytree(q2, both, dirs_exist_ok=True)
    _ingest(q1, root / "old")
    shutil.copytree(root / "old", root / "new_from_old", symlinks=True)
    _ingest(both, root / "new_from_old")
    _ingest(both, root / "new_from_nothing")
    return {
        "root": root,
        "both": both,
        "old": root / "old",
        "new_from_old": _snapshot(root / "new_from_old"),
        "new_from_nothing": _snapshot(root / "new_from_nothing"),
        "old_snapshot": _snapshot(root / "old"),
    }


def _legacy(log: Path, target: Path) -> None:
    """The log as plain files, as toolkit versions without versions wrote it."""
    target.mkdir()
    for name in LOG_FILES:
        source = current_files(log) / name
        if source.is_dir():  # the events of one ingest: one part, then a single file
            (source,) = source.iterdir()
        shutil.copyfile(source, target / name)


@pytest.mark.parametrize("start", ["empty", "versioned", "plain files"])
def test_killed_at_every_commit_step_the_log_is_old_or_new_and_the_next_ingest_succeeds(
    world: dict, tmp_path: Path, start: str
):
    old = None if start == "empty" else world["old_snapshot"]
    new = world["new_from_nothing"] if start == "empty" else world["new_from_old"]
    seen = set()
    for step in COMMIT_STEPS:
        out = tmp_path / step.replace(" ", "_")
        if start == "versioned":
            shutil.copytree(world["old"], out, symlinks=True)
        elif start == "plain files":
            _legacy(world["old"], out)
        child = _child(world["both"], out, tmp_path / "marks", kill=step)
        _, err = child.communicate(timeout=120)
        assert child.returncode == KILLED, err.decode()
        state = _snapshot(out)
        assert state in (old, new), step
        seen.add("new" if state == new else "old")
        _ingest(world["both"], out)  # the next ingest succeeds and cleans up
        assert _content(_snapshot(out)) == _content(new)
        for name in LOG_FILES:  # the links a person or another tool reads are in place
            assert _bytes(out / name) == _bytes(current_files(out) / name)
        versions = [p for p in (out / STATE_DIR).iterdir() if p.name.startswith("v-")]
        assert len(versions) <= 2  # the current one and the one it replaced
        assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    assert seen == {"old", "new"}  # the switch lies between the steps, as it should


def test_two_ingests_into_one_log_at_once_lose_no_events(world: dict, tmp_path: Path):
    root = world["root"]
    out = tmp_path / "log"
    first = _child(root / "q1", out, tmp_path / "a", pause=COMMIT_STEPS[0])
    while not (tmp_path / "a" / "paused").exists():  # the first holds the lock, mid-commit
        assert first.poll() is None, first.stderr.read().decode()
        time.sleep(0.05)
    second = _child(root / "q2", out, tmp_path / "b")
    while not (tmp_path / "b" / "waiting").exists():  # the second waits for it
        assert second.poll() is None, second.stderr.read().decode()
        time.sleep(0.05)
    (tmp_path / "a" / "go").touch()
    for child in (first, second):
        _, err = child.communicate(timeout=120)
        assert child.returncode == 0, err.decode()
    state = _snapshot(out)
    assert state is not None
    assert state["events"] == world["new_from_nothing"]["events"]


def test_a_log_is_read_from_one_version(world: dict, tmp_path: Path):
    out = tmp_path / "log"
    shutil.copytree(world["old"], out, symlinks=True)
    files = current_files(out)
    assert files.parent == out / STATE_DIR
    assert os.readlink(out / STATE_DIR / CURRENT) == files.name
    assert (out / EVENTS_FILE).resolve() == (files / EVENTS_FILE).resolve()
