"""`ketenlens export`: the command writes what it says, and refuses bad input in one line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from toolkit.cli import build_parser, main

pytestmark = pytest.mark.filterwarnings("ignore:Install the optional requirement")


def _one_line(text: str) -> str:
    """Rich wraps long lines at the console width; the message itself is one line."""
    return re.sub(r"\s*\n\s*", " ", text.strip())


@pytest.mark.parametrize(
    ("fmt", "name", "kind"),
    [
        ("xes", "log.xes", "XES"),
        ("xes", "log.xes.gz", "XES, gzip"),
        ("ocel", "log.jsonocel", "OCEL 2.0 JSON"),
        ("ocel", "log.json", "OCEL 2.0 JSON"),
        ("ocel", "log.sqlite", "OCEL 2.0 SQLite"),
    ],
)
def test_export_writes_the_file_and_a_summary(
    chain_log, chain_events, tmp_path, capsys, fmt, name, kind
):
    out = tmp_path / "exports" / name
    assert main(["export", str(chain_log), "--format", fmt, "--out", str(out)]) == 0
    assert out.is_file() and out.stat().st_size > 0
    printed = _one_line(capsys.readouterr().out)
    cases, events = chain_events["case:concept:name"].nunique(), len(chain_events)
    assert f"({kind}): {cases:,} cases, {events:,} events" in printed
    if fmt == "ocel":
        assert f"{cases:,} person" in printed and "municipality" in printed


def test_the_format_is_case_insensitive(chain_log, tmp_path):
    out = tmp_path / "log.xes"
    assert main(["export", str(chain_log), "--format", "XES", "--out", str(out)]) == 0


@pytest.mark.parametrize(
    ("log", "fmt", "name", "message"),
    [
        ("missing", "xes", "x.xes", "no such event log directory"),
        ("empty", "xes", "x.xes", "holds no events.parquet"),
        ("log", "csv", "x.csv", "unknown export format 'csv'; choose one of xes, ocel"),
        ("log", "xes", "x.xml", "an XES file is named *.xes or *.xes.gz"),
        ("log", "ocel", "x.xes", "an OCEL file is named *.jsonocel, *.json or *.sqlite"),
    ],
)
def test_bad_input_gives_one_line_and_writes_nothing(
    chain_log, tmp_path, capsys, log, fmt, name, message
):
    (tmp_path / "empty").mkdir()
    folder = {"missing": tmp_path / "missing", "empty": tmp_path / "empty", "log": chain_log}[log]
    out = tmp_path / "out" / name
    assert main(["export", str(folder), "--format", fmt, "--out", str(out)]) == 1
    err = _one_line(capsys.readouterr().err)
    assert message in err
    assert err.startswith("ketenlens:") and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_the_format_is_required(capsys):
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["export", "event_logs/x", "--out", "x.xes"])
    assert stopped.value.code == 2
    assert "--format" in capsys.readouterr().err


@pytest.mark.parametrize(("fmt", "suffix"), [("xes", ".xes.gz"), ("ocel", ".jsonocel")])
def test_without_out_the_export_goes_beside_the_log(chain_log, tmp_path, fmt, suffix):
    log = tmp_path / "naast"
    log.mkdir()
    shutil.copytree(Path(chain_log) / "events.parquet", log / "events.parquet")
    assert main(["export", str(log), "--format", fmt]) == 0
    assert (log / f"naast{suffix}").is_file()


def test_help_names_the_formats_and_object_types(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["export", "--help"])
    text = _one_line(capsys.readouterr().out)
    for word in ("xes, ocel", ".xes.gz", ".jsonocel", ".sqlite", "household", "coa_location"):
        assert word in text


def test_the_export_reads_only_the_log(chain_log, tmp_path):
    """Only events.parquet is opened: a log directory holding nothing else exports the same."""
    bare = tmp_path / "bare" / Path(chain_log).name  # the log's name is the directory's
    bare.mkdir(parents=True)
    shutil.copytree(Path(chain_log) / "events.parquet", bare / "events.parquet")
    for folder, name in ((chain_log, "a.xes.gz"), (bare, "b.xes.gz")):
        assert main(["export", str(folder), "--format", "xes", "--out", str(tmp_path / name)]) == 0
    assert (tmp_path / "a.xes.gz").read_bytes() == (tmp_path / "b.xes.gz").read_bytes()


def test_a_log_with_a_column_outside_the_contract_is_refused(chain_events, tmp_path, capsys):
    log = tmp_path / "handmade"
    log.mkdir()
    chain_events.assign(bsn="123456782").to_parquet(log / "events.parquet")
    out = tmp_path / "x.xes"
    assert main(["export", str(log), "--format", "xes", "--out", str(out)]) == 1
    assert "column 'bsn' is not part of the event-log contract" in _one_line(
        capsys.readouterr().err
    )
    assert not out.exists()
