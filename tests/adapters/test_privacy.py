"""Keyed pseudonyms, key handling, and the privacy guarantee of ingest as a whole.

The last test plants V-nummers (in every spelling), BSNs, surnames, caseworker names, staff ids,
household numbers and phone numbers in every input format, runs the `ingest` command, and looks
for each of them in every byte ingest writes and in everything it prints.
"""

from __future__ import annotations

import argparse
import gzip
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
from export_files import (
    coa_row,
    ind_row,
    write_coa,
    write_gemeente_csv,
    write_gemeente_xlsx,
    write_ind,
)

from toolkit.adapters.cli_ingest import add_ingest_parser
from toolkit.errors import IngestError
from toolkit.privacy import DEMO_KEY, KEY_ENV, PSEUDONYM_LENGTH, Pseudonymizer, load_key

KEY_A = b"a" * 32 + b"-key-one"
KEY_B = b"b" * 32 + b"-key-two"


def test_pseudonyms_are_keyed_hmacs_of_fixed_length():
    a, b = Pseudonymizer(KEY_A), Pseudonymizer(KEY_B)
    assert a.person("0123456789") == Pseudonymizer(KEY_A).person("0123456789")
    assert a.person("0123456789") != b.person("0123456789")
    assert len(a.person("0123456789")) == PSEUDONYM_LENGTH
    assert int(a.person("0123456789"), 16) >= 0  # hex
    # A household number and a V-nummer written alike never share a pseudonym; nor an IND case.
    assert a.person("0123456789") != a.household("0123456789")
    assert len({a.person("Z2024"), a.case("Z2024"), a.ind_case("Z2024")}) == 3


def test_known_pseudonym():
    # HMAC-SHA256(key, "vnummer:0123456789"), first 20 hex characters.
    import hashlib
    import hmac

    expected = hmac.new(KEY_A, b"vnummer:0123456789", hashlib.sha256).hexdigest()[:20]
    assert Pseudonymizer(KEY_A).person("0123456789") == expected


def test_pseudonyms_equal_the_standard_librarys_hmac_for_keys_of_every_length():
    """Keys shorter than SHA-256's block, as long, and longer (hashed first, RFC 2104)."""
    import hashlib
    import hmac

    for length in (32, 63, 64, 65, 100, 200):
        key = bytes(range(256))[:length] if length <= 256 else b""
        got = Pseudonymizer(key).persons(pa.array(["0123456789", "", "ÄÖ 12"]))
        want = [hmac.new(key, b"vnummer:" + v.encode(), hashlib.sha256).hexdigest()[:20]
                for v in ("0123456789", "", "ÄÖ 12")]  # fmt: skip
        assert got.to_pylist() == want, length


def test_a_short_key_is_refused():
    with pytest.raises(IngestError, match="at least 32"):
        Pseudonymizer(b"kort")


def test_key_from_the_environment_or_a_file(tmp_path):
    assert load_key(environ={KEY_ENV: " " + KEY_A.decode() + "\n"}) == KEY_A
    key_file = tmp_path / "ketenlens.key"
    key_file.write_text(KEY_B.decode() + "\n")
    assert load_key(key_file, environ={KEY_ENV: KEY_A.decode()}) == KEY_B


def test_without_a_key_the_refusal_says_how_to_make_one():
    with pytest.raises(IngestError, match=r"secrets\.token_hex\(32\)"):
        load_key(environ={})


def test_an_empty_key_file_is_refused(tmp_path):
    empty = tmp_path / "leeg.key"
    empty.write_text("\n")
    with pytest.raises(IngestError, match="empty"):
        load_key(empty, environ={})


def test_demo_key_is_recognised_and_fingerprints_differ():
    assert Pseudonymizer(DEMO_KEY).is_demo
    assert not Pseudonymizer(KEY_A).is_demo
    assert Pseudonymizer(KEY_A).fingerprint != Pseudonymizer(KEY_B).fingerprint


# --- the privacy guarantee of ingest --------------------------------------------------------

VNUMMERS = ("0481516234", "2718281828", "0314159265", "0161803398")
BSN = ("123456782", "987654321")
NAMES = ("Verhoeven-Plantinga", "Xandra Zwaagstra", "Quirijn Oosterhuis", "Bakhuizen")
STAFF = ("MW7731", "MW8842")
PHONES = ("06-87654321", "0687654321", "+31 6 12121212")
HOUSEHOLDS = ("HH7654321",)
# IND case numbers (ZAAKNUMMER): only their pseudonym, the event attribute `ind_case`, may pass.
CASE_NUMBERS = ("Z20247777123", "Z20248888456")


def _spellings(vnummer: str) -> set[str]:
    """Every form in which a V-nummer could leak."""
    stripped = vnummer.lstrip("0")
    return {
        vnummer,
        stripped,
        f"{vnummer[:3]} {vnummer[3:6]} {vnummer[6:]}",
        f"{vnummer[:3]}-{vnummer[3:6]}-{vnummer[6:]}",
        f"{int(vnummer)}.0",
    }


NEEDLES = sorted(
    {s for v in VNUMMERS for s in _spellings(v)}
    | {*BSN, *NAMES, *STAFF, *PHONES, *HOUSEHOLDS, *CASE_NUMBERS}
    | {c[1:] for c in CASE_NUMBERS}
)


def _plant(raw: Path) -> None:
    v1, v2, v3, v4 = VNUMMERS
    spaced = f"{v1[:3]} {v1[3:6]} {v1[6:]}"
    dashed = f"{v2[:3]}-{v2[3:6]}-{v2[6:]}"
    remark = f"{NAMES[0]} belt {PHONES[0]}"
    coa = [
        coa_row(v1, "INS", date(2024, 1, 3), Opmerking=remark, Huishoudnummer=HOUSEHOLDS[0]),
        coa_row(int(v1), "OVP", date(2024, 1, 9), Opmerking=PHONES[1], Locatie="Zweeloo"),
        coa_row(spaced, "KOP", date(2024, 2, 1), Gemeentecode="0479"),
        coa_row(dashed, "INS", date(2024, 2, 1), Opmerking=f"tolk {NAMES[3]}"),
        coa_row(v3, "ONBEKEND", date(2024, 2, 2), Opmerking=PHONES[2]),  # quarantined
        coa_row(v4, "INS", "31-02-2024", Opmerking=NAMES[0]),  # quarantined
    ]
    write_coa(raw / "coa_bewonersmutaties_2024Q1.xlsx", coa)
    z1, z2 = CASE_NUMBERS
    ind = [
        ind_row(v1, "AANMELDING", "02-01-2024", MEDEWERKER_ID=STAFF[0], ZAAKNUMMER=z1),
        ind_row(str(int(v1)), "AANVRAAG", "03-01-2024", MEDEWERKER_ID=STAFF[1], ZAAKNUMMER=z1),
        ind_row(
            v2,
            "BESCHIKKING",
            "05-03-2024",
            UITKOMST="INWILLIGING",
            MEDEWERKER_ID=STAFF[0],
            ZAAKNUMMER=f"{z2[:5].lower()} {z2[5:]}",  # another spelling of the same case
        ),
        ind_row(v2, "VERGUNNING_UITGEREIKT", "12-03-2024", ZAAKNUMMER=z2),
        ind_row(dashed, "GEHOOR_X", "06-03-2024", MEDEWERKER_ID=STAFF[1]),  # quarantined
        ind_row(v3, "AANMELDING", "06-03-1924", MEDEWERKER_ID=STAFF[0]),  # quarantined
    ]
    write_ind(raw / "ind_zaakmijlpalen_2024Q1.csv", ind)
    gem = [
        {
            "Vreemdelingennummer": v1,
            "BSN": BSN[0],
            "Achternaam": NAMES[0],
            "Gebeurtenis": "Woning aangeboden",
            "Datum": date(2024, 4, 2),
            "Gemeente": "Zaanstad",
            "Medewerker": NAMES[1],
        },
        {
            "Vreemdelingennummer": int(v1),
            "BSN": int(BSN[0]),
            "Achternaam": NAMES[0],
            "Gebeurtenis": "Woning aangebodn",  # quarantined
            "Datum": date(2024, 4, 3),
            "Gemeente": "Zaanstad",
            "Medewerker": NAMES[2],
        },
    ]
    write_gemeente_xlsx(raw / "gemeente_zaanstad_statushouders.xlsx", gem)
    gem_csv = [
        {
            "v_nummer": v2,
            "bsn": BSN[1],
            "gebeurtenis_code": "KOP_ONTV",
            "tijdstip": "2024-03-05T10:15:00+01:00",
            "gemeentecode": "GM0479",
        },
        {
            "v_nummer": "",
            "bsn": BSN[1],
            "gebeurtenis_code": "WON_AANB",
            "tijdstip": "2024-03-06T10:15:00+01:00",
            "gemeentecode": "GM0479",
        },
    ]
    write_gemeente_csv(raw / "gemeente_GM0479_gebeurtenissen.csv", gem_csv)


def _input_text(raw: Path) -> str:
    """Everything the planted exports hold, as text, to show the needles really are in them."""
    parts = []
    for path in raw.iterdir():
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path)
            for row in book.active.iter_rows(values_only=True):
                parts.append(" ".join("" if c is None else str(c) for c in row))
        else:
            parts.append(path.read_bytes().decode("cp1252"))
    return "\n".join(parts)


def _strings_in_parquet(path: Path) -> str:
    frame = pd.read_parquet(path)
    parts = [" ".join(map(str, frame.columns))]
    for column in frame.columns:
        parts.append(" ".join(map(str, frame[column].astype(object).tolist())))
    return "\n".join(parts)


def test_no_personal_data_in_anything_ingest_writes_or_prints(tmp_path, capsys):
    raw, out = tmp_path / "raw", tmp_path / "log"
    raw.mkdir()
    _plant(raw)
    planted = _input_text(raw)
    planted_ids = (*VNUMMERS, *BSN, *NAMES, *STAFF, *PHONES, *HOUSEHOLDS, *CASE_NUMBERS[:1])
    assert all(n in planted for n in planted_ids)
    key_file = tmp_path / "ketenlens.key"
    key_file.write_text(KEY_A.decode())

    parser = argparse.ArgumentParser()
    add_ingest_parser(parser.add_subparsers())
    args = parser.parse_args(
        [
            "ingest",
            str(raw),
            "--out",
            str(out),
            "--key-file",
            str(key_file),
            "--as-of",
            "2024-06-30",
        ]
    )
    assert args.func(args) == 0
    printed = capsys.readouterr()
    texts = {"stdout": printed.out, "stderr": printed.err}

    written = sorted(p for p in out.rglob("*") if p.is_file() and not p.is_symlink())
    assert {p.name for p in written} == {
        "part-00000.parquet",  # the events: one part
        "cases.parquet",
        "quarantine.csv",
        "ingest_report.json",
        "ingest.lock",
    }
    for path in written:
        texts[f"{path.name} (bytes)"] = path.read_bytes().decode("utf-8", errors="replace")
        if path.suffix == ".parquet":
            texts[f"{path.name} (values)"] = _strings_in_parquet(path)

    quarantine = pd.read_csv(out / "quarantine.csv", dtype=str)
    assert list(quarantine.columns) == ["file", "row", "column", "reason", "activity", "hint"]
    assert len(quarantine) == 6  # the planted rows really went to quarantine
    events = pd.read_parquet(out / "events.parquet")
    assert len(events) > 0
    # The IND cases pass as pseudonyms on IND events only; two spellings give one pseudonym.
    ind = events["org:group"] == "IND"
    assert events.loc[ind, "ind_case"].notna().all()
    assert events.loc[~ind, "ind_case"].isna().all()
    assert events.loc[ind, "ind_case"].nunique() == len(CASE_NUMBERS)

    # The exports for other tools read only the log, so they hold nothing more than it does.
    from toolkit.export import export_log

    for name in ("log.xes", "log.xes.gz", "log.jsonocel", "log.sqlite"):
        exported = tmp_path / "exports" / name
        export_log(out, exported, "xes" if ".xes" in name else "ocel")
        data = exported.read_bytes()
        if name.endswith(".gz"):
            data = gzip.decompress(data)
        texts[name] = data.decode("utf-8", errors="replace")

    leaks = [(needle, where) for needle in NEEDLES for where, t in texts.items() if needle in t]
    assert leaks == []


def test_error_messages_show_a_header_but_never_a_data_row(tmp_path, key):
    from toolkit.adapters.ingest import ingest

    raw = tmp_path / "raw"
    raw.mkdir()
    # An export without a header row: its first line is a person's data.
    (raw / "export.csv").write_text(f"{VNUMMERS[0]};{NAMES[0]};02-01-2024;{BSN[0]}\n")
    with pytest.raises(IngestError) as caught:
        ingest(raw, tmp_path / "log", key=key)
    message = str(caught.value)
    assert "export.csv" in message
    assert not [n for n in NEEDLES if n in message]
    # With a header, the message names its columns, so the user can write a profile.
    (raw / "export.csv").write_text(f"nummer;naam;datum;bsn\n{VNUMMERS[0]};{NAMES[0]};x;y\n")
    with pytest.raises(IngestError, match="nummer, naam, datum, bsn"):
        ingest(raw, tmp_path / "log", key=key)


def test_a_log_of_another_process_keeps_no_case_id_or_attribute(tmp_path, capsys):
    raw, out = tmp_path / "raw", tmp_path / "log"
    raw.mkdir()
    lines = ["case:concept:name,concept:name,time:timestamp,org:resource,patient,telefoon"]
    for i, vnummer in enumerate(VNUMMERS):
        stamp = f"2024-01-0{i + 1}T10:00:00+01:00"
        lines.append(f"{vnummer},intake,{stamp},{STAFF[0]},{NAMES[i]},{PHONES[0]}")
    (raw / "zorgproces.csv").write_text("\n".join(lines) + "\n")
    key_file = tmp_path / "ketenlens.key"
    key_file.write_text(KEY_A.decode())
    parser = argparse.ArgumentParser()
    add_ingest_parser(parser.add_subparsers())
    args = parser.parse_args(
        ["ingest", str(raw), "--out", str(out), "--key-file", str(key_file), "--profile", "generic"]
    )
    assert args.func(args) == 0
    printed = capsys.readouterr()
    texts = {"stdout": printed.out, "stderr": printed.err}
    for path in (p for p in out.rglob("*") if p.is_file() and not p.is_symlink()):
        texts[path.name] = path.read_bytes().decode("utf-8", errors="replace")
        if path.suffix == ".parquet":
            texts[f"{path.name} (values)"] = _strings_in_parquet(path)
    assert len(pd.read_parquet(out / "events.parquet")) == len(VNUMMERS)
    leaks = [(needle, where) for needle in NEEDLES for where, t in texts.items() if needle in t]
    assert leaks == []
