"""Known-answer tests of the export writers: a hand-built world, written with and without dirt.

The world is small enough to count by hand (a few dozen persons over the first half of 2023, with
events past the cut-off, near the March DST change, in the overlap of the two quarters, with an
appeal and a ruling, and with V-nummers that start with a zero). Every file is read back with
openpyxl, python-calamine or the csv module, and a small reference reader classifies each row the
way a correct adapter would (event, duplicate, quarantine with reason), which must give exactly
the counts of dirt_manifest.json.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import tomllib
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import openpyxl
import pandas as pd
import pytest
import python_calamine

from toolkit.adapters import Profile, builtin_profiles
from toolkit.chain import load_chain
from toolkit.synthetic import personal
from toolkit.synthetic.config import DIRT_FILE, GeneratorConfig, load_config
from toolkit.synthetic.writers import (
    MANIFEST_NAME,
    amsterdam_offsets,
    export_periods,
    municipality_slug,
    write_csv,
    write_exports,
)
from toolkit.synthetic.xlsx import DATE, EMPTY, NUMBER, STRING, CellColumn, write_xlsx

CUTOFF = date(2023, 6, 30)
PERSONS = 24
GM_XLSX, GM_CSV = "GM0479", "GM0599"
EXPECTED_FILES = {
    "coa_bewonersmutaties_2023Q1.xlsx",
    "coa_bewonersmutaties_2023Q2.xlsx",
    "ind_zaakmijlpalen_2023Q1.csv",
    "ind_zaakmijlpalen_2023Q2.csv",
    "gemeente_zaanstad_statushouders.xlsx",
    f"gemeente_{GM_CSV}_gebeurtenissen.csv",
}
ROW_KINDS = list(tomllib.loads(DIRT_FILE.read_text(encoding="utf-8"))["kind"])
FILE_KINDS = list(tomllib.loads(DIRT_FILE.read_text(encoding="utf-8"))["file"])
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


# ------------------------------------------------------------------------------------------
# The hand-built world


def build_world() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Persons every five days from 2 January 2023, each through the same short chain.

    Every third person is rejected, appeals and loses (a ruling after an appeal); the others are
    granted, linked alternately to Zaanstad (xlsx) and Rotterdam (csv) and housed there. The last
    events of the later persons fall after the cut-off.
    """
    rng = np.random.default_rng(5)
    nationalities = ["Syrië", "Eritrea", "Somalië", "Turkije"]
    rows: list[dict[str, Any]] = []
    people = []
    for i in range(PERSONS):
        vnummer = f"0{100000000 + 7919 * i:09d}" if i % 4 == 0 else f"{2000000000 + 104729 * i}"
        people.append(
            {
                "person": i,
                "vnummer": vnummer,
                "household": f"HH{1000000 + i:07d}",
                "case_number": f"Z2023{i:07d}",
                "procedure": "ASIEL",
                "birth_year": 1980 + i,
                "sex": "MVX"[i % 3],
                "nationality": nationalities[i % 4],
            }
        )
        base = date(2023, 1, 2) + timedelta(days=5 * i)

        def add(
            activity: str,
            offset: int,
            resource: str,
            k: int,
            *,
            i: int = i,
            base: date = base,
            **extra: Any,
        ) -> None:
            when = datetime.combine(base + timedelta(days=offset), datetime.min.time())
            when += timedelta(hours=8 + (i + k) % 9, minutes=(7 * i + 11 * k) % 60)
            rows.append(
                {
                    "person": i,
                    "activity": activity,
                    "local_time": when,
                    "has_time": (i + k) % 5 != 0,
                    "resource": resource,
                    "location_type": extra.get("location_type", ""),
                    "municipality": extra.get("municipality", ""),
                    "track": extra.get("track", ""),
                }
            )

        office = "Ter Apel" if i % 2 else "Zevenaar"
        add("ind_aanmelding", 0, office, 0)
        add("coa_instroom", 0, "Ter Apel", 1, location_type="COL")
        add("ind_aanvraag", 1, office, 2)
        add("ind_aanmeldgehoor", 3, office, 3)
        add("ind_spoortoedeling", 4, office, 4, track="4")
        add("coa_overplaatsing", 6, "Ter Apel POL", 5, location_type="POL")
        add("ind_rvt_start", 5, office, 6, track="4")
        add("ind_nader_gehoor", 12, office, 7, track="4")
        add("coa_overplaatsing", 20, "Gilze", 8, location_type="AZC")
        if i % 3 == 0:
            add("ind_beschikking_afwijzing", 30, office, 9, track="4")
            add("ind_beroep_ingesteld", 35, office, 10, track="4")
            add("ind_uitspraak_ongegrond", 60, office, 11, track="4")
            add("coa_uitstroom_vertrek", 80, "Gilze", 12, location_type="AZC")
        else:
            gm = GM_XLSX if i % 2 == 0 else GM_CSV
            add("ind_beschikking_inwilliging", 30, office, 9, track="4")
            add("ind_vergunning_uitgereikt", 37, office, 10, track="4")
            add("coa_koppeling", 40, "Gilze", 11, location_type="AZC", municipality=gm)
            add("gem_koppeling_ontvangen", 42, gm, 12, municipality=gm)
            add("gem_woning_aangeboden", 55, gm, 13, municipality=gm)
            add("gem_huurcontract_getekend", 62, gm, 14, municipality=gm)
            add("coa_uitstroom_gemeente", 70, "Gilze", 15, location_type="AZC", municipality=gm)
            add("gem_verhuisd", 70, gm, 16, municipality=gm)
            add("gem_inschrijving_brp", 73, gm, 17, municipality=gm)
            add("gem_start_brede_intake", 90, gm, 18, municipality=gm)
    persons = pd.DataFrame(people)
    persons["bsn"] = personal.generate_bsns(rng, len(persons))
    persons["surname"] = personal.surnames_for(rng, persons["nationality"].tolist())
    events = pd.DataFrame(rows)
    events["local_time"] = pd.to_datetime(events["local_time"])
    events = events.sort_values(["local_time", "person"], kind="stable").reset_index(drop=True)
    events["seq"] = np.arange(len(events), dtype=np.int64)
    return events, persons


EVENTS, PERSONS_FRAME = build_world()
CHAIN = load_chain()
ORG = EVENTS["activity"].map(lambda a: CHAIN.activity(a).organisation)
event_day = EVENTS["local_time"].dt.date


def write_config(
    tmp_path: Path, rates: dict[str, float] | None, factor: float = 1.0, cutoff: date = CUTOFF
) -> Path:
    """A config over the default: 2023 up to the cut-off, two municipalities, given dirt rates."""
    lines = [
        "[world]",
        'start = "2023-01-01"',
        f'cutoff = "{cutoff.isoformat()}"',
        'run_until = "2024-12-31"',
        "[export]",
        'period = "quarter"',
        "overlap_days = 5",
        "[municipalities]",
        f'"gemeente-xlsx" = ["{GM_XLSX}"]',
        f'"gemeente-csv" = ["{GM_CSV}"]',
        "[dirt]",
        f"rate_factor = {factor}",
    ]
    if rates is not None:
        lines.append("[dirt.rates]")
        lines += [f"{k} = {v}" for k, v in rates.items()]
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def only(**nonzero: float) -> dict[str, float]:
    """Rates that are zero for every kind of dirt except the ones given."""
    return {k: nonzero.get(k, 0.0) for k in ROW_KINDS + FILE_KINDS}


def run(
    tmp_path: Path,
    rates: dict[str, float] | None,
    factor: float = 1.0,
    seed: int = 3,
    *,
    events: pd.DataFrame = EVENTS,
    cutoff: date = CUTOFF,
) -> tuple[dict[str, Any], Path, GeneratorConfig]:
    cfg = load_config(write_config(tmp_path, rates, factor, cutoff))
    out = tmp_path / "out"
    messages: list[str] = []
    manifest = write_exports(
        events, PERSONS_FRAME, cfg, out, np.random.default_rng(seed), progress=messages.append
    )
    assert len(messages) == len(manifest["files"]) + 1
    return manifest, out, cfg


HIGH = {
    **{k: 0.04 for k in ROW_KINDS},
    "vnummer_lost_zeros": 0.5,
    "time_dst_gap": 0.5,
    "time_dst_overlap": 0.5,
    "out_of_order": 0.5,
    "municipality_code_variant": 0.5,
    "trailing_empty_rows": 1.0,
    "total_row": 1.0,
    "wrong_encoding": 0.5,
}


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    manifest, out, _ = run(tmp_path_factory.mktemp("clean"), None, factor=0.0)
    return manifest, out


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    manifest, out, _ = run(tmp_path_factory.mktemp("dirty"), HIGH)
    return manifest, out


# ------------------------------------------------------------------------------------------
# Reading the files back


def profile_of(entry: dict[str, Any]) -> Profile:
    return builtin_profiles()[entry["profile"]]


def is_blank(row: list[Any]) -> bool:
    return all(v is None or str(v).strip() == "" for v in row)


def read_xlsx(path: Path, profile: Profile) -> dict[str, Any]:
    """Title rows, header, data rows, blank rows and footer of an xlsx export (via openpyxl)."""
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [profile.sheet]
    rows = [list(r) for r in wb[profile.sheet].iter_rows(values_only=True)]
    header_at = len(profile.title)
    footer = None
    if profile.footer and rows and rows[-1][0] and re.fullmatch(profile.footer, str(rows[-1][0])):
        footer = rows.pop()[0]
    data = rows[header_at + 1 :]
    blank = 0
    while data and is_blank(data[-1]):
        data.pop()
        blank += 1
    return {
        "title": rows[:header_at],
        "header": rows[header_at],
        "data": data,
        "blank": blank,
        "footer": footer,
    }


def read_csv(path: Path, profile: Profile, encoding: str) -> dict[str, Any]:
    raw = path.read_bytes()
    text = raw.decode(encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=profile.delimiter)
    rows = list(reader)
    data = rows[1:]
    blank = 0
    while data and is_blank(data[-1]):
        data.pop()
        blank += 1
    return {"raw": raw, "text": text, "header": rows[0], "data": data, "blank": blank}


def read(entry: dict[str, Any], out: Path) -> dict[str, Any]:
    profile = profile_of(entry)
    if profile.file_kind == "xlsx":
        return read_xlsx(out / entry["path"], profile)
    return read_csv(out / entry["path"], profile, entry["encoding"])


def parse_date(value: Any, profile: Profile) -> date | None:
    """The date of a cell as an adapter would read it; None when it cannot be a date."""
    if isinstance(value, datetime):
        return value.date()
    text = str(value).strip()
    if profile.timestamp_iso:
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            return None
    if profile.excel_serial and text.isdigit():
        return date(1899, 12, 30) + timedelta(days=int(text))
    for pattern in profile.date_patterns:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def classify(manifest: dict[str, Any], out: Path) -> dict[str, Counter[str]]:
    """Per file: events, duplicates and quarantine reasons, as a correct adapter finds them."""
    result: dict[str, Counter[str]] = {}
    previous: dict[str, set[tuple[Any, ...]]] = {}
    cutoff = date.fromisoformat(manifest["cutoff"])
    for entry in manifest["files"]:  # sorted by path: periods in order within a profile
        profile = profile_of(entry)
        content = read(entry, out)
        header = list(content["header"])
        col = {name: header.index(name) for name in header}
        date_col = profile.column("date") or profile.column("timestamp")
        seen = set(previous.get(profile.name, set()))
        mine: set[tuple[Any, ...]] = set()
        counts: Counter[str] = Counter()
        for row in content["data"]:
            key = tuple(row)
            mine.add(key)
            if key in seen:
                counts["duplicates"] += 1
                continue
            seen.add(key)
            vn = row[col[profile.column("vnummer")]]
            code = row[col[profile.column("code")]]
            outcome_col = profile.column("outcome")
            outcome = row[col[outcome_col]] if outcome_col else None
            day = parse_date(row[col[date_col]], profile)
            if vn is None or str(vn).strip() == "":
                counts["missing_vnummer"] += 1
            elif profile.activity_for(str(code), outcome) is None:
                counts["unknown_code"] += 1
            elif day is None:
                counts["impossible_date"] += 1
            elif day < date(2000, 1, 1):
                counts["date_before_2000"] += 1
            elif day > cutoff + timedelta(days=1):
                counts["future_date"] += 1
            else:
                counts["events"] += 1
        previous[profile.name] = mine
        result[entry["path"]] = counts
    return result


# ------------------------------------------------------------------------------------------
# File names, layout and the manifest


def test_periods_and_slugs() -> None:
    periods = export_periods("quarter", date(2023, 1, 1), CUTOFF)
    assert [(p.label, p.start, p.end) for p in periods] == [
        ("2023Q1", date(2023, 1, 1), date(2023, 3, 31)),
        ("2023Q2", date(2023, 4, 1), date(2023, 6, 30)),
    ]
    months = export_periods("month", date(2023, 1, 15), date(2023, 3, 10))
    assert [(p.label, p.end) for p in months] == [
        ("2023-01", date(2023, 1, 31)),
        ("2023-02", date(2023, 2, 28)),
        ("2023-03", date(2023, 3, 10)),
    ]
    assert [p.label for p in export_periods("year", date(2022, 5, 1), CUTOFF)] == ["2022", "2023"]
    assert municipality_slug("'s-Gravenhage") == "s-gravenhage"
    assert municipality_slug("Bergen op Zoom") == "bergen-op-zoom"


def test_file_names_and_manifest_shape(clean: tuple[dict[str, Any], Path]) -> None:
    manifest, out = clean
    assert {p.name for p in out.iterdir()} == EXPECTED_FILES | {MANIFEST_NAME}
    paths = [f["path"] for f in manifest["files"]]
    assert paths == sorted(EXPECTED_FILES)
    assert json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8")) == manifest
    for f in manifest["files"]:
        exp = f["expected"]
        assert f["data_rows"] == exp["events"] + exp["duplicates"] + exp["quarantined"]
        assert exp["quarantined"] == sum(exp["quarantine_reasons"].values())


def test_clean_files_hold_exactly_the_exported_events(clean: tuple[dict[str, Any], Path]) -> None:
    manifest, out = clean
    by_path = {f["path"]: f for f in manifest["files"]}
    q1 = (event_day >= date(2023, 1, 1)) & (event_day <= date(2023, 3, 31))
    q2 = (event_day >= date(2023, 4, 1)) & (event_day <= CUTOFF)
    tail_q1 = (event_day >= date(2023, 3, 27)) & (event_day <= date(2023, 3, 31))
    expected = {
        "coa_bewonersmutaties_2023Q1.xlsx": ((ORG == "COA") & q1).sum(),
        "coa_bewonersmutaties_2023Q2.xlsx": ((ORG == "COA") & (q2 | tail_q1)).sum(),
        "ind_zaakmijlpalen_2023Q1.csv": ((ORG == "IND") & q1).sum(),
        "ind_zaakmijlpalen_2023Q2.csv": ((ORG == "IND") & (q2 | tail_q1)).sum(),
        "gemeente_zaanstad_statushouders.xlsx": (
            (EVENTS["municipality"] == GM_XLSX) & (ORG == "GEMEENTE") & (event_day <= CUTOFF)
        ).sum(),
        f"gemeente_{GM_CSV}_gebeurtenissen.csv": (
            (EVENTS["municipality"] == GM_CSV) & (ORG == "GEMEENTE") & (event_day <= CUTOFF)
        ).sum(),
    }
    overlap = {
        "coa_bewonersmutaties_2023Q2.xlsx": ((ORG == "COA") & tail_q1).sum(),
        "ind_zaakmijlpalen_2023Q2.csv": ((ORG == "IND") & tail_q1).sum(),
    }
    assert all(overlap.values())
    for path, rows in expected.items():
        entry = by_path[path]
        content = read(entry, out)
        assert entry["data_rows"] == rows == len(content["data"]), path
        assert entry["overlap_rows"] == overlap.get(path, 0)
        assert entry["dirt"] == {}
        assert entry["blank_rows"] == content["blank"] == 0
        assert not entry["total_row"]
        assert entry["expected"]["quarantined"] == 0
        assert entry["expected"]["duplicates"] == entry["overlap_rows"]
    totals = manifest["totals"]
    assert totals["exported_events"] == (event_day <= CUTOFF).sum()
    assert totals["expected"]["events"] == totals["exported_events"]


def test_coa_xlsx_layout_openpyxl_and_calamine(clean: tuple[dict[str, Any], Path]) -> None:
    manifest, out = clean
    profile = builtin_profiles()["coa-xlsx"]
    entry = next(f for f in manifest["files"] if f["path"].endswith("2023Q1.xlsx"))
    content = read(entry, out)
    assert content["title"][0][0] == "COA Bewonersmutaties 01-01-2023 t/m 31-03-2023"
    created = datetime.strptime(content["title"][1][0], "Aangemaakt op: %d-%m-%Y %H:%M")
    assert date(2023, 4, 1) <= created.date() <= date(2023, 4, 6)
    assert is_blank(content["title"][2])
    assert content["header"] == list(profile.column_order)
    col = {name: i for i, name in enumerate(profile.column_order)}
    coa_q1 = EVENTS[(ORG == "COA") & (event_day <= date(2023, 3, 31))]
    assert len(content["data"]) == len(coa_q1)
    for row, (_, event) in zip(content["data"], coa_q1.iterrows(), strict=True):
        person = PERSONS_FRAME.loc[event["person"]]
        assert row[col["V-nummer"]] == person["vnummer"]
        assert isinstance(row[col["Mutatiedatum"]], datetime)
        assert row[col["Mutatiedatum"]] == event["local_time"].normalize().to_pydatetime()
        stamp = event["local_time"].strftime("%H:%M") if event["has_time"] else None
        assert row[col["Mutatietijd"]] == stamp
        assert row[col["Geboortejaar"]] == person["birth_year"]
        assert row[col["Mutatiecode"]] == profile.render_code(event["activity"])[0]
        municipality = event["municipality"][2:] if event["municipality"] else None
        assert row[col["Gemeentecode"]] == municipality
    # The same sheet through calamine: header on row 4, dates as dates.
    sheet = python_calamine.CalamineWorkbook.from_path(out / entry["path"]).get_sheet_by_name(
        "Mutaties"
    )
    rows = sheet.to_python()
    assert rows[0][0] == content["title"][0][0]
    assert rows[3] == list(profile.column_order)
    data = rows[4:]
    assert len(data) == len(coa_q1)
    assert all(isinstance(r[col["Mutatiedatum"]], date) for r in data)
    assert [r[col["V-nummer"]] for r in data] == [r[col["V-nummer"]] for r in content["data"]]


def test_gemeente_xlsx_layout(clean: tuple[dict[str, Any], Path]) -> None:
    manifest, out = clean
    profile = builtin_profiles()["gemeente-xlsx"]
    entry = next(f for f in manifest["files"] if f["profile"] == "gemeente-xlsx")
    content = read(entry, out)
    assert content["title"] == []
    assert content["header"] == list(profile.column_order)
    col = {name: i for i, name in enumerate(profile.column_order)}
    for row in content["data"]:
        assert row[col["Gemeente"]] == "Zaanstad"
        assert isinstance(row[col["Datum"]], datetime)
        assert personal.bsn_is_valid(row[col["BSN"]])
        assert profile.activity_for(row[col["Gebeurtenis"]]) is not None
        assert row[col["Medewerker"]] and row[col["Achternaam"]]
    rows = python_calamine.CalamineWorkbook.from_path(out / entry["path"]).get_sheet_by_name(
        "Volgregistratie"
    )
    assert len(rows.to_python()) == len(content["data"]) + 1


def test_ind_csv_cp1252_semicolon_crlf(clean: tuple[dict[str, Any], Path]) -> None:
    manifest, out = clean
    profile = builtin_profiles()["ind-csv"]
    for entry in (f for f in manifest["files"] if f["profile"] == "ind-csv"):
        assert entry["encoding"] == "cp1252"
        content = read(entry, out)
        raw = content["raw"]
        assert not raw.startswith(codecs.BOM_UTF8)
        assert raw.count(b"\n") == raw.count(b"\r\n") == len(content["data"]) + 1
        assert content["header"] == list(profile.column_order)
        col = {name: i for i, name in enumerate(profile.column_order)}
        for row in content["data"]:
            assert len(row) == len(profile.column_order)
            assert re.fullmatch(r"\d{10}", row[col["VNUMMER"]])
            assert re.fullmatch(r"\d{2}-\d{2}-\d{4}", row[col["DATUM"]])
            assert re.fullmatch(r"(\d{2}:\d{2})?", row[col["TIJD"]])
            assert re.fullmatch(r"MW\d{6}", row[col["MEDEWERKER_ID"]])
            code = row[col["MIJLPAAL"]]
            assert row[col["OMSCHRIJVING"]] == profile.code_descriptions[code]
            if code in ("BESCHIKKING", "UITSPRAAK"):
                assert row[col["UITKOMST"]]
            assert profile.activity_for(code, row[col["UITKOMST"]]) is not None


def test_gemeente_csv_bom_and_offsets(clean: tuple[dict[str, Any], Path]) -> None:
    manifest, out = clean
    entry = next(f for f in manifest["files"] if f["profile"] == "gemeente-csv")
    raw = (out / entry["path"]).read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    assert b"\r\n" not in raw
    content = read(entry, out)
    assert content["header"] == ["v_nummer", "bsn", "gebeurtenis_code", "tijdstip", "gemeentecode"]
    offsets = Counter()
    for row in content["data"]:
        stamp = datetime.fromisoformat(row[3])
        local = stamp.replace(tzinfo=None)
        assert stamp.utcoffset() == local.replace(tzinfo=AMSTERDAM).utcoffset()
        offsets[row[3][-6:]] += 1
        assert row[4] == GM_CSV
    # Koppelingen in March are winter time, the later steps summer time.
    assert offsets["+01:00"] and offsets["+02:00"]


def test_offsets_match_zoneinfo() -> None:
    stamps = pd.date_range("2021-01-01", "2027-01-01", freq="37min")
    stamps = stamps[(stamps.hour < 2) | (stamps.hour >= 3)]  # leave out the DST gap/overlap hour
    days = stamps.to_numpy().astype("datetime64[D]")
    secs = (stamps.to_numpy() - days).astype("timedelta64[s]").astype(np.int64)
    ours = amsterdam_offsets(days, secs)
    theirs = [
        "+02:00" if s.to_pydatetime().replace(tzinfo=AMSTERDAM).dst() else "+01:00" for s in stamps
    ]
    assert list(ours) == theirs


def test_overlap_rows_appear_in_two_files(clean: tuple[dict[str, Any], Path]) -> None:
    manifest, out = clean
    by_path = {f["path"]: f for f in manifest["files"]}
    for first, second in (
        ("coa_bewonersmutaties_2023Q1.xlsx", "coa_bewonersmutaties_2023Q2.xlsx"),
        ("ind_zaakmijlpalen_2023Q1.csv", "ind_zaakmijlpalen_2023Q2.csv"),
    ):
        a = [tuple(r) for r in read(by_path[first], out)["data"]]
        b = [tuple(r) for r in read(by_path[second], out)["data"]]
        shared = set(a) & set(b)
        assert len(shared) == by_path[second]["overlap_rows"] > 0
        assert b[: len(shared)] == a[-len(shared) :]


# ------------------------------------------------------------------------------------------
# Dirt


def test_dirty_manifest_matches_a_reference_reader(dirty: tuple[dict[str, Any], Path]) -> None:
    manifest, out = dirty
    found = classify(manifest, out)
    kinds_seen: Counter[str] = Counter()
    for entry in manifest["files"]:
        content = read(entry, out)
        exp = entry["expected"]
        assert entry["data_rows"] == len(content["data"])
        assert entry["data_rows"] == exp["events"] + exp["duplicates"] + exp["quarantined"]
        assert entry["blank_rows"] == content["blank"]
        counts = found[entry["path"]]
        assert counts["events"] == exp["events"], entry["path"]
        assert counts["duplicates"] == exp["duplicates"], entry["path"]
        reasons = {k: v for k, v in counts.items() if k not in ("events", "duplicates")}
        assert reasons == exp["quarantine_reasons"], entry["path"]
        kinds_seen.update(entry["dirt"])
    totals = manifest["totals"]
    assert (
        totals["expected"]["events"] + totals["expected"]["quarantined"]
        == (totals["exported_events"])
    )
    # With these rates every kind of row dirt in dirt.toml occurs somewhere in the small world,
    # except a time in the October DST overlap: the world is cut off in June.
    assert set(ROW_KINDS) - {"time_dst_overlap"} <= set(kinds_seen)


def test_dirty_file_level_dirt(dirty: tuple[dict[str, Any], Path]) -> None:
    manifest, out = dirty
    for entry in manifest["files"]:
        profile = profile_of(entry)
        content = read(entry, out)
        if entry["profile"] == "coa-xlsx":
            assert entry["total_row"]
            assert content["footer"] == f"Totaal: {entry['data_rows']} regels"
        else:
            assert not entry["total_row"]
        if entry["profile"] in ("coa-xlsx", "gemeente-xlsx", "ind-csv"):
            assert 1 <= entry["blank_rows"] == content["blank"]
        if profile.file_kind == "csv":
            bom = (out / entry["path"]).read_bytes().startswith(codecs.BOM_UTF8)
            assert bom == (entry["encoding"] == "utf-8-sig")
            assert entry["encoding"] in ("cp1252", "utf-8-sig")


def test_no_row_after_the_cutoff_except_future_dates(dirty: tuple[dict[str, Any], Path]) -> None:
    manifest, out = dirty
    for entry in manifest["files"]:
        profile = profile_of(entry)
        content = read(entry, out)
        column = content["header"].index(profile.column("date") or profile.column("timestamp"))
        late = sum(
            1
            for row in content["data"]
            if (d := parse_date(row[column], profile)) is not None and d > CUTOFF
        )
        assert late == entry["dirt"].get("date_future", 0), entry["path"]


def test_xlsx_cells_carry_the_dirt_types(dirty: tuple[dict[str, Any], Path]) -> None:
    manifest, out = dirty
    entry = next(f for f in manifest["files"] if f["path"] == "coa_bewonersmutaties_2023Q1.xlsx")
    content = read(entry, out)
    col = {name: i for i, name in enumerate(content["header"])}
    vns = [r[col["V-nummer"]] for r in content["data"]]
    assert sum(isinstance(v, int) for v in vns) == entry["dirt"]["vnummer_lost_zeros"]
    assert sum(v is None for v in vns) == entry["dirt"].get("vnummer_missing", 0)
    dates = [r[col["Mutatiedatum"]] for r in content["data"]]
    text_dates = sum(
        entry["dirt"].get(k, 0) for k in ("date_as_text", "date_other_pattern", "date_impossible")
    )
    assert sum(isinstance(d, str) for d in dates) == text_dates


def test_dst_times_land_on_the_change(tmp_path: Path) -> None:
    manifest, out, _ = run(tmp_path, only(time_dst_gap=1.0, time_dst_overlap=1.0))
    moved = 0
    for entry in manifest["files"]:
        if entry["profile"] not in ("coa-xlsx", "ind-csv"):
            assert entry["dirt"] == {}
            continue
        content = read(entry, out)
        col = {name: i for i, name in enumerate(content["header"])}
        date_col = col["Mutatiedatum" if entry["profile"] == "coa-xlsx" else "DATUM"]
        time_col = col["Mutatietijd" if entry["profile"] == "coa-xlsx" else "TIJD"]
        at_change = [
            r
            for r in content["data"]
            if parse_date(r[date_col], profile_of(entry)) == date(2023, 3, 26)
        ]
        assert all(re.fullmatch(r"02:[0-5]\d", r[time_col]) for r in at_change)
        assert len(at_change) == entry["dirt"].get("time_dst_gap", 0)
        assert "time_dst_overlap" not in entry["dirt"]  # no October before the cut-off
        moved += len(at_change)
    # Every unprotected COA/IND row from 19 March to 2 April moved (none are on the 26th itself).
    window = (
        (event_day >= date(2023, 3, 19))
        & (event_day <= date(2023, 4, 2))
        & ORG.isin(["COA", "IND"])
    )
    protected = (event_day >= date(2023, 3, 27)) & (event_day <= date(2023, 3, 31))
    assert moved == (window & ~protected).sum() > 0


def test_dst_overlap_in_october_and_empty_periods(tmp_path: Path) -> None:
    # The same world 210 days later (August to November 2023), cut off at the end of 2023.
    shifted = EVENTS.assign(local_time=EVENTS["local_time"] + pd.Timedelta(days=210))
    cutoff = date(2023, 12, 31)
    manifest, out, _ = run(tmp_path, only(time_dst_overlap=1.0), events=shifted, cutoff=cutoff)
    by_path = {f["path"]: f for f in manifest["files"]}
    # The first two quarters hold no events but are still delivered, as a header only.
    for label in ("2023Q1", "2023Q2"):
        entry = by_path[f"ind_zaakmijlpalen_{label}.csv"]
        assert entry["data_rows"] == 0
        assert read(entry, out)["data"] == []
        entry = by_path[f"coa_bewonersmutaties_{label}.xlsx"]
        assert entry["data_rows"] == len(read(entry, out)["data"]) == 0
    day = shifted["local_time"].dt.date
    sunday = date(2023, 10, 29)
    window = (day >= sunday - timedelta(days=7)) & (day <= sunday + timedelta(days=7))
    # None of those days is in the last five days of September (the overlap), so all move.
    expected = (window & ORG.isin(["COA", "IND"])).sum()
    moved = 0
    for entry in manifest["files"]:
        if entry["profile"] not in ("coa-xlsx", "ind-csv"):
            continue
        content = read(entry, out)
        col = {name: i for i, name in enumerate(content["header"])}
        coa = entry["profile"] == "coa-xlsx"
        date_col, time_col = (
            (col["Mutatiedatum"], col["Mutatietijd"]) if coa else (col["DATUM"], col["TIJD"])
        )
        at_change = [
            r for r in content["data"] if parse_date(r[date_col], profile_of(entry)) == sunday
        ]
        assert all(re.fullmatch(r"02:[0-5]\d", r[time_col]) for r in at_change)
        assert len(at_change) == entry["dirt"].get("time_dst_overlap", 0)
        moved += len(at_change)
    assert moved == expected > 0
    dirt = manifest["totals"]["dirt"]
    assert {k: v for k, v in dirt.items() if k != "municipality_code_variant"} == {
        "time_dst_overlap": expected
    }


def test_ruling_dated_before_its_appeal(tmp_path: Path) -> None:
    manifest, out, _ = run(tmp_path, only(out_of_order=1.0))
    rulings = EVENTS[EVENTS["activity"] == "ind_uitspraak_ongegrond"]
    rulings = rulings[rulings["local_time"].dt.date <= CUTOFF]
    appeals = EVENTS[EVENTS["activity"] == "ind_beroep_ingesteld"].set_index("person")
    vn_of = dict(zip(PERSONS_FRAME["vnummer"], PERSONS_FRAME["person"], strict=True))
    seen = 0
    for entry in (f for f in manifest["files"] if f["profile"] == "ind-csv"):
        content = read(entry, out)
        col = {name: i for i, name in enumerate(content["header"])}
        for row in content["data"]:
            if row[col["MIJLPAAL"]] != "UITSPRAAK":
                continue
            person = vn_of[row[col["VNUMMER"]]]
            appeal = appeals.loc[person, "local_time"].date()
            ruling = datetime.strptime(row[col["DATUM"]], "%d-%m-%Y").date()
            assert 1 <= (appeal - ruling).days <= 20
            seen += 1
    assert seen == len(rulings) == manifest["totals"]["dirt"]["out_of_order"] > 0


def test_lost_zeros_only_on_leading_zero_vnummers(tmp_path: Path) -> None:
    manifest, out, _ = run(tmp_path, only(vnummer_lost_zeros=1.0))
    stripped = {v.lstrip("0") for v in PERSONS_FRAME["vnummer"] if v.startswith("0")}
    for entry in manifest["files"]:
        content = read(entry, out)
        column = content["header"].index(profile_of(entry).column("vnummer"))
        values = [r[column] for r in content["data"]]
        lost = [v for v in values if str(v) in stripped]
        assert len(lost) == entry["dirt"].get("vnummer_lost_zeros", 0)
        if profile_of(entry).file_kind == "xlsx":
            assert all(isinstance(v, int) for v in lost)
    assert manifest["totals"]["dirt"]["vnummer_lost_zeros"] > 0


def test_personal_data_planted_in_remarks(tmp_path: Path) -> None:
    manifest, out, _ = run(tmp_path, only(personal_data_in_text=1.0))
    # Every planted remark names the resident or a caseworker (a Dutch surname) or has a phone.
    names = set(PERSONS_FRAME["surname"]) | set(personal.DUTCH_SURNAMES)
    planted = 0
    for entry in (f for f in manifest["files"] if f["profile"] == "coa-xlsx"):
        content = read(entry, out)
        column = content["header"].index("Opmerking")
        for row in content["data"]:
            remark = row[column]
            if remark and remark not in personal.HARMLESS_REMARKS:
                assert personal.PHONE_PATTERN.search(remark) or any(n in remark for n in names)
                planted += 1
    assert planted == manifest["totals"]["dirt"]["personal_data_in_text"] > 0


def test_municipality_code_variants(tmp_path: Path) -> None:
    # A rate of 1 varies every eligible row (outside the overlap, which never gets dirt).
    manifest, out, _ = run(tmp_path, only(municipality_code_variant=1.0))
    varied = 0
    for entry in (f for f in manifest["files"] if f["profile"] == "coa-xlsx"):
        content = read(entry, out)
        column = content["header"].index("Gemeentecode")
        codes = [r[column] for r in content["data"] if r[column] is not None]
        unvaried = entry["overlap_rows"] and [c for c in codes if re.fullmatch(r"0\d{3}", c)]
        assert set(codes) - {"0479", "0599"} <= {"479", "GM0479", "599", "GM0599"}
        assert len(codes) - len(unvaried or []) == entry["dirt"]["municipality_code_variant"]
        assert entry["expected"]["quarantined"] == 0
        varied += entry["dirt"]["municipality_code_variant"]
    koppelingen = EVENTS["activity"].isin(["coa_koppeling", "coa_uitstroom_gemeente"])
    assert varied == (koppelingen & (event_day <= CUTOFF)).sum()


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    _, out_a, _ = run(tmp_path / "a", HIGH, seed=9)
    _, out_b, _ = run(tmp_path / "b", HIGH, seed=9)
    _, out_c, _ = run(tmp_path / "c", HIGH, seed=10)
    names = sorted(p.name for p in out_a.iterdir())
    assert names == sorted(p.name for p in out_b.iterdir())
    for name in names:
        assert (out_a / name).read_bytes() == (out_b / name).read_bytes(), name
    assert any((out_a / n).read_bytes() != (out_c / n).read_bytes() for n in names)


# ------------------------------------------------------------------------------------------
# The building blocks


def test_xlsx_writer_cells(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    columns = [
        CellColumn(
            np.array(["0123", "45", "a<b&c>", ""], dtype=object),
            np.array([STRING, NUMBER, STRING, EMPTY], dtype=np.int8),
        ),
        CellColumn(
            np.array(["45292", "1", "x", "45000"], dtype=object),
            np.array([DATE, NUMBER, STRING, DATE], dtype=np.int8),
        ),
        CellColumn(np.array([" ovp ", "Syrië", "", "ok"], dtype=object)),
    ]

    def write() -> None:
        write_xlsx(
            path,
            "Blad",
            columns,
            top=[["Kop", "B"]],
            bottom=[["Totaal: 4 regels"]],
            blank_rows=2,
            created=datetime(2024, 1, 2, 3, 4),
        )

    write()
    rows = [list(r) for r in openpyxl.load_workbook(path)["Blad"].iter_rows(values_only=True)]
    assert rows[0] == ["Kop", "B", None]
    assert rows[1] == ["0123", datetime(2024, 1, 1), " ovp "]
    assert rows[2] == [45, 1, "Syrië"]
    assert rows[3] == ["a<b&c>", "x", None]
    assert rows[4] == [None, datetime(2023, 3, 15), "ok"]
    assert rows[5][0] in ("", None) and rows[6][0] in ("", None)
    assert rows[7][0] == "Totaal: 4 regels"
    calamine = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_name("Blad")
    crows = calamine.to_python()
    assert crows[1][1] == date(2024, 1, 1)
    assert crows[2][0] == 45
    first = path.read_bytes()
    write()
    assert path.read_bytes() == first


def test_csv_quoting_and_encoding(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    values = ["gewoon", "met;puntkomma", 'met "aanhalingstekens"', "twee\nregels", "Syrië"]
    write_csv(
        path,
        ["A", "B;C"],
        [np.array(values, dtype=object), np.array(["1", "2", "3", "4", "5"], dtype=object)],
        delimiter=";",
        line_terminator="\r\n",
        encoding="cp1252",
        blank_rows=2,
    )
    raw = path.read_bytes()
    assert raw.startswith(b'A;"B;C"\r\n')
    assert "Syrië".encode("cp1252") in raw
    rows = list(csv.reader(io.StringIO(raw.decode("cp1252"), newline=""), delimiter=";"))
    assert rows[0] == ["A", "B;C"]
    assert [r[0] for r in rows[1:6]] == values
    assert rows[6:] == [["", ""], ["", ""]]
    write_csv(
        path,
        ["A"],
        [np.array(["x"], dtype=object)],
        delimiter=",",
        line_terminator="\n",
        encoding="utf-8-sig",
    )
    assert path.read_bytes() == codecs.BOM_UTF8 + b"A\nx\n"


def test_personal_data_generators() -> None:
    rng = np.random.default_rng(1)
    bsns = personal.generate_bsns(rng, 2000)
    assert len(set(bsns)) == 2000
    assert all(personal.bsn_is_valid(b) for b in bsns)
    assert personal.bsn_is_valid("111222333")
    assert not personal.bsn_is_valid("123456789")
    ids = personal.staff_ids(rng, 50)
    assert len(set(ids)) == 50 and all(re.fullmatch(r"MW\d{6}", i) for i in ids)
    phones = personal.phone_numbers(rng, 200)
    assert all(personal.PHONE_PATTERN.fullmatch(p) for p in phones)
    names = personal.surnames_for(rng, ["Eritrea", "Onbekendland"])
    assert names[0] in personal.FOREIGN_SURNAMES["eritrean"]
    assert names[1]
    remarks = personal.planted_remarks(rng, ["Tesfaye"] * 100, ["S. de Vries"])
    assert all(
        personal.PHONE_PATTERN.search(r) or "Tesfaye" in r or "S. de Vries" in r for r in remarks
    )
    same = personal.generate_bsns(np.random.default_rng(1), 2000)
    assert list(same) == list(bsns)
