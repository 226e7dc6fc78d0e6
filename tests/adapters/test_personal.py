"""Personal data typed into mapped text columns, unknown column headers, oversized cells and file
names with terminal codes: each set aside or made safe, and never written or printed."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from export_files import COA_COLUMNS, TEST_KEY, coa_row, ind_row, write_coa, write_ind

from toolkit.adapters.cli_ingest import add_ingest_parser
from toolkit.adapters.personal import checked_fields, personal_data
from toolkit.cli import main as ketenlens
from toolkit.terminal import printable

AS_OF = "2024-12-31"
BSN = "123456782"
PLANTED = {
    # field: (source column, profile, value); each row holds one
    "resource": ("Locatie", "coa", "j.jansen@coa.nl"),
    "nationality": ("Nationaliteit", "coa", "123 456 782"),
    "location_type": ("Locatietype", "coa", "Jan Jansen"),
    "sex": ("Geslacht", "coa", "Piet de Vries"),
    "procedure": ("PROCEDURE", "ind", "+31 6 1234 5678"),
    "track": ("SPOOR", "ind", "06-12345678"),
}
NEEDLES = ("jansen", "123 456 782", "Jan Jansen", "Piet de Vries", "1234 5678", "12345678", "Bel")


@pytest.mark.parametrize(
    ("value", "kind", "found"),
    [
        ("Jan Jansen", "code", "two_capitalised_words"),
        ("Anna van der Berg", "code", "two_capitalised_words"),
        ("123456782", "name", "id_number"),  # a BSN
        ("12345678", "name", "id_number"),  # a BSN that lost its leading zero
        ("0123-456-789", "name", "phone"),  # a V-nummer with a leading 0 has a phone's shape
        ("Ter Apel 1234567890", "name", "id_number"),
        ("m.devries@gemeente.nl", "name", "email"),
        ("+31 6 12345678", "name", "phone"),
        ("020 123 4567", "name", "phone"),
        ("Ter Apel", "name", None),
        ("Den Bosch", "name", None),
        ("Sri Lanka", "name", None),
        ("Syrië", "name", None),
        ("AZC", "code", None),
        ("NOODOPVANG", "code", None),
        ("ASIEL", "code", None),
        ("4", "code", None),
        ("Z20240001234", "name", None),
    ],
)
def test_the_shapes_of_personal_data(value, kind, found):
    assert personal_data(value, kind) == found


def test_no_place_office_or_nationality_of_the_generated_chain_looks_personal(chain_log):
    for column, field in (("org:resource", "resource"), ("case:nationality", "nationality")):
        values = chain_log[column].dropna().astype(str).unique()
        assert len(values) > 5
        kind = checked_fields()[field]
        assert [v for v in values if personal_data(v, kind)] == []


def _raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    coa = [coa_row("0123456789", "INS", date(2024, 1, 3))]
    ind = [ind_row("0123456789", "AANMELDING", "02-01-2024")]
    for source, _profile, value in (v for v in PLANTED.values()):
        target = coa if _profile == "coa" else ind
        make = coa_row if _profile == "coa" else ind_row
        day = date(2024, 2, 1) if _profile == "coa" else "01-02-2024"
        target.append(make("9876543210", "INS" if _profile == "coa" else "AANVRAAG", day,
                           **{source: value}))  # fmt: skip
    write_coa(raw / "coa_bewonersmutaties_2024Q1.xlsx", coa)
    write_ind(raw / "ind_zaakmijlpalen_2024Q1.csv", ind)
    # a column the profile does not know, with a header someone typed and a note in it
    book = openpyxl.load_workbook(raw / "coa_bewonersmutaties_2024Q1.xlsx")
    sheet = book.active
    header_row = next(r for r in sheet.iter_rows() if r[0].value == COA_COLUMNS[0])[0].row
    sheet.cell(header_row, len(COA_COLUMNS) + 1, "Notitie van J. Jansen")
    sheet.cell(header_row + 1, len(COA_COLUMNS) + 1, "Bel mevrouw Jansen")
    book.save(raw / "coa_bewonersmutaties_2024Q1.xlsx")
    return raw


def _everything_written(out: Path) -> str:
    parts = []
    for path in (p for p in out.rglob("*") if p.is_file() and not p.is_symlink()):
        parts.append(path.read_bytes().decode("utf-8", errors="replace"))
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
            parts += [" ".join(map(str, frame[c].astype(object).tolist())) for c in frame]
    return "\n".join(parts)


def test_personal_data_in_a_mapped_column_is_quarantined_and_written_nowhere(
    tmp_path, capsys, monkeypatch
):
    raw, out = _raw(tmp_path), tmp_path / "log"
    monkeypatch.setenv("KETENLENS_KEY", TEST_KEY.decode())
    assert ketenlens(["ingest", str(raw), "--out", str(out), "--as-of", AS_OF]) == 0
    printed = capsys.readouterr()
    quarantine = pd.read_csv(out / "quarantine.csv", dtype=str, keep_default_na=False)
    assert list(quarantine.columns) == ["file", "row", "column", "reason", "activity", "hint"]
    found = dict(zip(quarantine["reason"], quarantine["column"], strict=True))
    assert found == {f"personal_data_in_{f}": column for f, (column, _, _) in PLANTED.items()}
    events = pd.read_parquet(out / "events.parquet")
    assert len(events) == 2  # the clean rows
    written = _everything_written(out)
    for needle in NEEDLES:
        assert needle not in written, needle
        assert needle not in printed.out + printed.err, needle
    # the unknown column is reported by its position and a hash
    assert "column 13 (#" in written and "column 13 (#" in " ".join(printed.out.split())


def test_an_oversized_cell_quarantines_its_row_not_the_file(tmp_path, key):
    from toolkit.adapters.ingest import ingest

    raw = tmp_path / "raw"
    raw.mkdir()
    huge = "x" * 200_000
    write_ind(
        raw / "ind_zaakmijlpalen_2024Q1.csv",
        [
            ind_row("0123456789", "AANMELDING", "02-01-2024"),
            ind_row("0123456789", "AANVRAAG", "03-01-2024", OMSCHRIJVING=huge),  # line 3
            ind_row("0123456789", "NADER_GEHOOR", "04-01-2024", MEDEWERKER_ID=huge),  # not read
        ],
    )
    write_coa(
        raw / "coa_bewonersmutaties_2024Q1.xlsx",
        [
            coa_row("0123456789", "INS", date(2024, 1, 5), Locatie="L" * 20_000),  # row 5
            coa_row("0123456789", "OVP", date(2024, 1, 6)),
        ],
    )
    report = ingest(raw, tmp_path / "log", key=key, as_of=date(2024, 12, 31))
    assert report.events == 3
    quarantine = pd.read_csv(tmp_path / "log" / "quarantine.csv", dtype=str)
    rows = quarantine[["file", "row", "column", "reason"]].values.tolist()
    assert rows == [
        ["coa_bewonersmutaties_2024Q1.xlsx", "5", "Locatie", "oversized_cell"],
        ["ind_zaakmijlpalen_2024Q1.csv", "3", "OMSCHRIJVING", "oversized_cell"],
    ]
    assert "xxxx" not in _everything_written(tmp_path / "log")


def test_file_names_with_terminal_codes_are_printed_and_reported_escaped(tmp_path, capsys, key):
    raw = tmp_path / "raw"
    raw.mkdir()
    name = "ind_zaakmijlpalen_2024\x1b[2J\x1b]0;pwned\x07\u202e.csv"
    write_ind(raw / name, [ind_row("0123456789", "AANMELDING", "02-01-2024")])
    (raw / "notes\x1b[31m.txt").write_text("niet een export")
    key_file = tmp_path / "sleutel"
    key_file.write_bytes(TEST_KEY)
    parser = argparse.ArgumentParser()
    add_ingest_parser(parser.add_subparsers())
    args = parser.parse_args(["ingest", str(raw), "--out", str(tmp_path / "log"),
                              "--key-file", str(key_file), "--as-of", AS_OF])  # fmt: skip
    assert args.func(args) == 0
    printed = capsys.readouterr()
    report = (tmp_path / "log" / "ingest_report.json").read_text(encoding="utf-8")
    for text in (printed.out, printed.err, report):
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert printable(name).replace("\\", "\\\\") in report  # JSON doubles the backslash
    # a file that cannot be read is named, escaped, in the one-line error
    (raw / "kapot\x1b[2J.xlsx").write_bytes(b"no spreadsheet")
    assert ketenlens(["ingest", str(raw), "--out", str(tmp_path / "log2"),
                      "--key-file", str(key_file), "--as-of", AS_OF]) == 1  # fmt: skip
    said = capsys.readouterr().err
    assert "kapot\\x1b[2J.xlsx" in said and "\x1b[2J" not in said


def test_the_new_reasons_have_names_in_both_languages():
    from toolkit.adapters.personal import reason
    from toolkit.adapters.report_labels import code_name
    from toolkit.adapters.table import OVERSIZED_CELL

    reasons = [OVERSIZED_CELL, *(reason(field) for field in checked_fields())]
    for language in ("nl", "en"):
        missing = [r for r in reasons if code_name("reason", r, language) == r]
        assert missing == []
