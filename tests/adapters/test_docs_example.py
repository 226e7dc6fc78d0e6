"""The worked example of docs/adapters.md really works: its profile, its sample and its commands.

The profile and the sample export are taken from the page's fenced blocks marked
``profile=<file>`` and ``sample=<file>``, so the page cannot drift from what the code does. Ingest
finds the profile through ``--profiles``, in a folder beside the exports, as the page says.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from toolkit.adapters import builtin_profiles, load_profile
from toolkit.cli import build_parser, main
from toolkit.eventlog import read_events
from toolkit.privacy import Pseudonymizer

DOC = Path(__file__).resolve().parents[2] / "docs" / "adapters.md"
BLOCK = re.compile(r"^```(\w+)(?: (\w+)=(\S+))?\n(.*?)^```", re.MULTILINE | re.DOTALL)
KEY = "3f" * 32
V1, V2 = "0123456789", "9876543210"


def _blocks() -> list[tuple[str, str | None, str | None, str]]:
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


def _marked(marker: str) -> tuple[str, str]:
    found = [(name, text) for _, kind, name, text in _blocks() if kind == marker]
    assert len(found) == 1, f"docs/adapters.md needs exactly one block marked {marker}=<file>"
    return found[0]


def _commands(prefix: str) -> list[str]:
    lines = [
        line.strip() for lang, _, _, text in _blocks() if lang == "sh" for line in text.split("\n")
    ]
    return [line for line in lines if line.startswith(prefix)]


def _example_command() -> str:
    found = [c for c in _commands("ketenlens ingest event_logs/zwolle/raw ")]
    assert len(found) == 1
    return found[0]


@pytest.fixture
def profile_file(tmp_path: Path) -> Path:
    name, text = _marked("profile")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example's layout: the sample in event_logs/zwolle/raw/, the key in ~/ketenlens.key."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "ketenlens.key").write_text(KEY + "\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("KETENLENS_KEY", raising=False)
    work = tmp_path / "work"
    raw = work / "event_logs" / "zwolle" / "raw"
    raw.mkdir(parents=True)
    name, text = _marked("sample")
    (raw / name).write_text(text, encoding="utf-8")
    profiles = work / "profiles"
    profiles.mkdir()
    name, text = _marked("profile")
    (profiles / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(work)
    return work


def test_the_profile_loads_and_maps_every_code(profile_file: Path) -> None:
    profile = load_profile(profile_file)
    assert profile.name == "gemeente-zwolle-csv"
    assert (profile.file_kind, profile.delimiter, profile.organisation) == ("csv", ";", "GEMEENTE")
    assert profile.column_order == ("Vnr", "Datum", "Tijd", "Actie", "Gemeente")
    assert profile.activity_for("KOPP") == "gem_koppeling_ontvangen"
    assert profile.activity_for(" sleutel") == "gem_verhuisd"
    assert profile.activity_for("BIJST-B") == "gem_besluit_bijstand"
    assert profile.activity_for("VERH") is None
    # The same twelve municipal activities as the reference municipal formats.
    assert profile.activities == builtin_profiles()["gemeente-csv"].activities


def test_the_load_check_command_of_the_page_runs(profile_file: Path) -> None:
    commands = _commands(".venv/bin/python -c ")
    assert len(commands) == 1
    argv = shlex.split(commands[0])
    done = subprocess.run(
        [sys.executable, *argv[1:]], cwd=profile_file.parent, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "gem_verhuisd" in done.stdout


def test_every_ketenlens_command_on_the_page_parses() -> None:
    commands = _commands("ketenlens ")
    assert len(commands) >= 5
    for command in commands:
        build_parser().parse_args(shlex.split(command)[1:])


def test_the_sample_is_not_read_without_the_profile(workspace: Path, capsys) -> None:
    argv = [os.path.expanduser(a) for a in shlex.split(_example_command())[1:]]
    at = argv.index("--profiles")
    argv = argv[:at] + argv[at + 2 :]
    assert main(argv) == 1
    message = " ".join(capsys.readouterr().err.split())
    assert "matches no profile (by name or header)" in message
    assert "Vnr, Datum, Tijd, Actie, Gemeente" in message


def test_the_example_command_ingests_the_sample_as_documented(workspace: Path) -> None:
    argv = [os.path.expanduser(a) for a in shlex.split(_example_command())[1:]]
    assert main(argv) == 0
    out = workspace / "event_logs" / "zwolle"
    report = json.loads((out / "ingest_report.json").read_text(encoding="utf-8"))
    (f,) = report["files"]
    assert f["path"] == "zwolle_statushouders_2024-05.csv"
    assert f["profile"] == "gemeente-zwolle-csv"
    assert (f["rows_read"], f["events"], f["duplicates"], f["quarantined"]) == (12, 6, 1, 5)
    assert f["repairs"] == {
        "code_folded": 1,
        "date_other_pattern": 1,
        "dst_gap": 1,
        "vnummer_separators": 1,
        "vnummer_zero_padded": 1,
    }
    assert report["persons"] == 2
    assert report["as_of"] == "2024-06-01"
    assert report["demo_key"] is False
    assert report["linkage"]["gemeente_only"] == 2

    quarantine = pd.read_csv(out / "quarantine.csv", dtype=str, keep_default_na=False)
    assert quarantine[["row", "column", "reason"]].values.tolist() == [
        ["9", "Actie", "unknown_code"],
        ["10", "Vnr", "missing_vnummer"],
        ["11", "Datum", "impossible_date"],
        ["12", "Datum", "future_date"],
        ["13", "Gemeente", "unknown_municipality"],
    ]
    assert quarantine["hint"].tolist()[-1] == "closest: Zwolle (GM0193)"

    key = Pseudonymizer(KEY.encode())
    events = read_events(out / "events.parquet")
    got = [
        (r["case:concept:name"], r["concept:name"], r["time:timestamp"], r["source_row"])
        for _, r in events.iterrows()
    ]
    utc = lambda text: pd.Timestamp(text, tz="UTC")  # noqa: E731
    p1, p2 = key.person(V1), key.person(V2)
    expected = [
        (p1, "gem_koppeling_ontvangen", utc("2024-03-04 08:15"), 2),
        (p1, "gem_woning_aangeboden", utc("2024-04-18 12:00"), 3),
        (p1, "gem_woning_geweigerd", utc("2024-04-25 08:00"), 5),
        (p1, "gem_huurcontract_getekend", utc("2024-05-01 22:00"), 6),
        (p1, "gem_verhuisd", utc("2024-05-15 08:30"), 7),
        (p2, "gem_koppeling_ontvangen", utc("2024-03-31 01:30"), 8),
    ]
    assert sorted(got) == sorted(expected)
    assert set(events["org:group"].astype(str)) == {"GEMEENTE"}
    assert set(events["municipality"].astype(str)) == {"GM0193"}
    assert set(events["org:resource"].astype(str)) == {"GM0193"}
    assert set(events["source_system"]) == {"GEMEENTE"}

    # The same command again adds nothing.
    assert main(argv) == 0
    again = json.loads((out / "ingest_report.json").read_text(encoding="utf-8"))
    assert (again["events_added"], again["events"]) == (0, 6)


def test_the_page_states_the_accounting_of_the_sample() -> None:
    text = " ".join(DOC.read_text(encoding="utf-8").split())
    assert "`rows_read` 12 = 6 events + 1 duplicate + 5 quarantined, for 2 persons" in text
