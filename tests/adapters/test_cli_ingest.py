"""`ketenlens ingest` on the command line: key handling, the demo key's warning, the summary."""

from __future__ import annotations

import argparse
import json
from datetime import date

import pytest
from export_files import ind_row, write_ind

from toolkit.adapters.cli_ingest import add_ingest_parser
from toolkit.errors import IngestError
from toolkit.privacy import KEY_ENV


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_ingest_parser(parser.add_subparsers())
    return parser.parse_args(["ingest", *argv])


@pytest.fixture
def raw(tmp_path):
    folder = tmp_path / "raw"
    folder.mkdir()
    write_ind(
        folder / "ind_zaakmijlpalen_2024.csv", [ind_row("0123456789", "AANMELDING", "02-01-2024")]
    )
    return folder


def test_without_a_key_it_refuses_and_says_how_to_make_one(raw, tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    args = _args(str(raw), "--out", str(tmp_path / "log"))
    with pytest.raises(IngestError, match=r"secrets\.token_hex"):
        args.func(args)
    assert not (tmp_path / "log").exists()


def test_the_demo_key_only_for_generated_data(raw, tmp_path):
    args = _args(str(raw), "--out", str(tmp_path / "log"), "--demo")
    with pytest.raises(IngestError, match="only for generated data"):
        args.func(args)


def test_the_demo_key_is_announced_loudly(raw, tmp_path, capsys):
    (raw / "ground_truth.json").write_text(json.dumps({"world": {"cutoff": "2024-06-30"}}))
    args = _args(str(raw), "--out", str(tmp_path / "log"), "--demo")
    assert args.func(args) == 0
    printed = capsys.readouterr()
    assert "DEMOSLEUTEL IN GEBRUIK" in printed.err
    assert "1 gebeurtenissen van 1 personen" in " ".join(printed.out.split())
    report = json.loads((tmp_path / "log" / "ingest_report.json").read_text())
    assert report["demo_key"] is True
    assert report["as_of"] == "2024-07-01"


def test_key_from_the_environment_and_as_of(raw, tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "e" * 64)
    args = _args(str(raw), "--out", str(tmp_path / "log"), "--as-of", "2023-12-31")
    assert args.as_of == date(2023, 12, 31)
    assert args.func(args) == 0
    report = json.loads((tmp_path / "log" / "ingest_report.json").read_text())
    assert report["files"][0]["quarantine_reasons"] == {"future_date": 1}


def test_a_bad_as_of_date_is_an_argument_error(raw, tmp_path):
    with pytest.raises(SystemExit):
        _args(str(raw), "--out", str(tmp_path / "log"), "--as-of", "31-12-2023")


def test_the_printed_report_names_reasons_and_never_cuts_a_file_name(raw, tmp_path, monkeypatch):
    from rich.console import Console

    from toolkit.adapters.cli_ingest import print_report
    from toolkit.adapters.ingest import ingest
    from toolkit.privacy import Pseudonymizer

    long_name = "ind_zaakmijlpalen_2024_eerste_halfjaar_regio_noord_oost.csv"
    (raw / "ind_zaakmijlpalen_2024.csv").rename(raw / long_name)
    report = ingest(raw, tmp_path / "log", key=Pseudonymizer(b"e" * 64), as_of=date(2023, 12, 31))
    for width, language in ((70, "nl"), (200, "en")):
        console = Console(record=True, width=width)
        print_report(report, console, language)
        text = console.export_text()
        # the first column of the files table, its folded lines joined again
        lines = text[: text.index("┘") if "┘" in text else len(text)].splitlines()
        cells = [line.split("│")[1].strip() for line in lines if line.startswith("│")]
        assert long_name in "".join(cells), width
        words = " ".join(text.replace("│", " ").split())  # the cells' words, without borders
        if language == "nl":
            assert "Datum in de toekomst: 1" in words and "future_date" not in words
            assert "Alleen IND 0" in words and "ind_only" not in words
        else:
            assert "Date in the future: 1" in words and "IND only 0" in words


def test_the_printed_report_notes_empty_exports_and_files_it_did_not_read(raw, tmp_path):
    from rich.console import Console

    from toolkit.adapters.cli_ingest import print_report
    from toolkit.adapters.ingest import ingest
    from toolkit.privacy import Pseudonymizer

    write_ind(raw / "ind_zaakmijlpalen_2025.csv", [])  # the header only
    (raw / "toelichting.docx").write_bytes(b"PK")
    (raw / "~$coa_bewonersmutaties.xlsx").write_bytes(b"lock")  # left by an open spreadsheet
    report = ingest(raw, tmp_path / "log", key=Pseudonymizer(b"e" * 64), as_of=date(2024, 12, 31))
    console = Console(record=True, width=200)
    print_report(report, console, "nl")
    words = " ".join(console.export_text().split())
    assert "let op zonder gegevensrijen: ind_zaakmijlpalen_2025.csv;" in words
    assert (
        "let op niet gelezen, geen export (.xlsx, .csv, .xes of .parquet): toelichting.docx"
        in words
    )
    assert "~$" not in words and "ind_zaakmijlpalen_2024.csv;" not in words
