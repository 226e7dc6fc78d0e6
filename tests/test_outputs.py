"""What the toolkit writes, and where it may not: every file readable by its owner only, every
folder it makes private; an ``--out`` that cannot be written refused before any input is read."""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
import traceback
from pathlib import Path

import pytest

import toolkit.analyze_cli
import toolkit.export.logs
from toolkit.analysis import load_and_analyze
from toolkit.cli import main as ketenlens
from toolkit.export.report_csv import write_csv
from toolkit.export.report_html import write_html
from toolkit.export.report_json import write_json

REPO = Path(__file__).resolve().parents[1]
NOBODY = 65534


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small world written by the commands themselves: generate, ingest, every export."""
    root = tmp_path_factory.mktemp("outputs") / "werk"
    assert (
        ketenlens(["generate", "--persons", "40", "--seed", "5", "--out", str(root / "raw")]) == 0
    )
    assert ketenlens(["ingest", str(root / "raw"), "--out", str(root / "log"), "--demo"]) == 0
    argv = ["analyze", str(root / "log"), "--export", str(root / "uit" / "rapport.xlsx")]
    assert ketenlens(argv) == 0
    analysis = load_and_analyze(root / "log")  # the other report writers, without analysing again
    for name, write in (("rapport.html", write_html), ("rapport.json", write_json),
                        ("bevindingen.csv", write_csv)):  # fmt: skip
        write(analysis, root / "uit" / name)
    for fmt, name in (("xes", "log.xes.gz"), ("ocel", "log.jsonocel"), ("ocel", "log.sqlite")):
        argv = ["export", str(root / "log"), "--format", fmt, "--out", str(root / "uit" / name)]
        assert ketenlens(argv) == 0
    return root


def test_every_file_the_toolkit_writes_is_readable_by_its_owner_only(workspace: Path):
    files = [p for p in workspace.rglob("*") if p.is_file() and not p.is_symlink()]
    folders = [workspace, *(p for p in workspace.rglob("*") if p.is_dir() and not p.is_symlink())]
    assert len(files) > 40  # raw exports, the log's files, reports, exports
    assert {p.suffix for p in files} >= {".xlsx", ".csv", ".parquet", ".json", ".gz", ".sqlite"}
    loose = [(p, oct(stat.S_IMODE(p.stat().st_mode))) for p in files if p.stat().st_mode & 0o077]
    assert loose == []
    open_dirs = [p for p in folders if p.stat().st_mode & 0o077]
    assert open_dirs == []


def test_the_library_writers_are_private_without_the_command(workspace: Path, tmp_path: Path):
    from toolkit.adapters.ingest import ingest
    from toolkit.privacy import DEMO_KEY, Pseudonymizer

    umask = os.umask(0o022)  # what a Python session usually has
    try:
        ingest(workspace / "raw", tmp_path / "a" / "log", key=Pseudonymizer(DEMO_KEY))
        toolkit.export.logs.export_log(tmp_path / "a" / "log", tmp_path / "b" / "l.xes", "xes")
    finally:
        os.umask(umask)
    made = [p for p in (tmp_path / "a", tmp_path / "b") if p.exists()]
    for top in made:
        for path in [top, *top.rglob("*")]:
            if not path.is_symlink():
                assert not path.stat().st_mode & 0o077, path


def _refused(argv: list[str], capsys) -> str:
    assert ketenlens(argv) == 1
    said = capsys.readouterr()
    assert "Traceback" not in said.err
    return " ".join(said.err.split())


def test_an_out_that_is_a_file_is_refused_before_input_is_read(
    workspace, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("KETENLENS_KEY", "k" * 40)
    a_file = tmp_path / "bestaand.txt"
    a_file.write_text("geen map\n")
    broken = tmp_path / "raw"
    broken.mkdir()
    (broken / "coa_bewonersmutaties_2024Q1.xlsx").write_bytes(b"no spreadsheet at all")
    said = _refused(["ingest", str(broken), "--out", str(a_file)], capsys)
    assert "is a file, not a folder" in said and "xlsx" not in said
    said = _refused(["generate", "--persons", "5", "--out", str(a_file)], capsys)
    assert "is a file, not a folder" in said


def test_analyze_and_export_check_their_file_before_reading_the_log(
    workspace, tmp_path, capsys, monkeypatch
):
    def not_yet(*args, **kwargs):
        raise AssertionError("the log was read before the output was checked")

    monkeypatch.setattr(toolkit.analyze_cli, "load_and_analyze", not_yet)
    monkeypatch.setattr(toolkit.export.logs, "read_events", not_yet)
    a_file = tmp_path / "bestaand.txt"
    a_file.write_text("geen map\n")
    log = str(workspace / "log")
    said = _refused(["analyze", log, "--export", str(a_file / "rapport.xlsx")], capsys)
    assert "is a file, not a folder" in said
    (tmp_path / "map.xlsx").mkdir()
    said = _refused(["analyze", log, "--export", str(tmp_path / "map.xlsx")], capsys)
    assert "is a folder" in said
    said = _refused(["export", log, "--format", "xes", "--out", str(a_file / "l.xes")], capsys)
    assert "is a file, not a folder" in said


def _as_nobody(argv: list[str], said: Path) -> int:
    """Run the command in a child process that gave up root for the user nobody."""
    import toolkit.synthetic.generate  # noqa: F401  (the child may not read root's Python)

    pid = os.fork()
    if pid == 0:  # the child: never returns into the test run
        code = 99
        try:
            sys.stderr = said.open("w", encoding="utf-8")
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            code = ketenlens(argv)
        except BaseException:
            traceback.print_exc(file=sys.stderr)
        finally:
            sys.stderr.flush()
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


@pytest.mark.skipif(os.geteuid() != 0, reason="runs a command as another user (needs root)")
def test_an_out_without_write_permission_is_refused_before_input_is_read(workspace, tmp_path):
    """As an ordinary user (nobody) writing into a folder only root may write to; the inputs
    are root's (private) files, so had they been read first the error would be about them."""
    shared = Path(tempfile.mkdtemp(prefix="ketenlens-perm-"))
    try:
        os.chmod(shared, 0o755)
        closed = shared / "alleen-lezen"
        closed.mkdir(mode=0o755)
        cases = [
            ["ingest", str(workspace / "raw"), "--out", str(closed / "log"), "--demo"],
            ["analyze", str(workspace / "log"), "--export", str(closed / "r.xlsx")],
            ["export", str(workspace / "log"), "--format", "xes", "--out", str(closed / "l.xes")],
            ["generate", "--persons", "5", "--out", str(closed / "raw")],
        ]
        for i, argv in enumerate(cases):
            output = tmp_path / f"stderr-{i}.txt"
            code = _as_nobody(argv, output)
            said = " ".join(output.read_text(encoding="utf-8").split())
            assert code == 1, said
            assert "cannot write there (Permission denied)" in said, said
            assert "Traceback" not in said
    finally:
        shutil.rmtree(shared, ignore_errors=True)
