"""The mapping profiles against the reference export formats in source_exports.md.

The reference formats are specified in prose and tables in ../shared/design/source_exports.md. The
tests read that document itself, so that a code, label or column added there and forgotten in a
profile (or the other way round) fails here, not in a partner's first real export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from fnmatch import fnmatch
from pathlib import Path

import pytest

from toolkit.adapters import Profile, builtin_profiles, fold, load_profile
from toolkit.adapters.profile import PROFILE_DIR
from toolkit.chain import load_chain
from toolkit.errors import ProfileError

SOURCE_EXPORTS = (
    Path(__file__).resolve().parents[2].parent / "shared" / "design" / "source_exports.md"
)
PROFILE_NAMES = ("coa-xlsx", "ind-csv", "gemeente-xlsx", "gemeente-csv")
# Sample values for the placeholders in the documented file names.
FILE_NAME_SAMPLES = {"period": "2024-Q1", "name": "zaanstad", "GMcode": "GM0479"}
# The document lists the outcomes of BESCHIKKING and UITSPRAAK in the UITKOMST row, but says of
# NAREIS_BESLUIT only "decision with UITKOMST"; a nareis decision grants or rejects.
UNLISTED_OUTCOMES = {"NAREIS_BESLUIT": ("INWILLIGING", "AFWIJZING")}
# Dutch date and time patterns as the document writes them, and their strptime directives.
DATE_PARTS = {"jjjj": "%Y", "dd": "%d", "mm": "%m", "d": "%d", "m": "%m"}
TIME_PARTS = {"hh": "%H", "mm": "%M"}
_TICKED = re.compile(r"`([^`]*)`")


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    """One heading of the document with the text and tables under it."""

    title: str
    lines: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Format:
    """What the document says about one export format."""

    profile: Profile
    file_name: str
    sheet: str | None
    delimiter: str | None
    columns: dict[str, str]  # column -> its "content" cell, in document order
    codes: list[tuple[str, str]] = field(default_factory=list)  # (code column, code), doc order
    rows_by_code: dict[str, list[str]] = field(default_factory=dict)  # code -> its table row


def _ticked(cell: str) -> list[str]:
    return _TICKED.findall(cell)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _sections(text: str) -> list[Section]:
    sections: list[Section] = []
    table: Table | None = None
    for line in text.splitlines():
        if line.startswith("#"):
            sections.append(Section(line.lstrip("#").strip()))
            table = None
        elif not sections:
            continue
        elif line.startswith("|"):
            cells = _cells(line)
            if table is None:
                table = Table(cells, [])
                sections[-1].tables.append(table)
            elif not all(set(c) <= {"-", ":"} for c in cells):
                table.rows.append(cells)
        else:
            table = None
            sections[-1].lines.append(line)
    return sections


def _code_column(header_cell: str) -> str:
    """`Gebeurtenis` (3a) -> Gebeurtenis."""
    return re.sub(r"\(.*?\)", "", header_cell).replace("`", "").strip()


def _codes_in(cell: str) -> list[str]:
    """Codes are written in backticks; municipal labels are plain text."""
    return _ticked(cell) or [cell.strip()]


def _profile_for_file(file_name: str) -> Profile:
    matches = [p for p in builtin_profiles().values() if fnmatch(file_name, p.file_glob)]
    assert len(matches) == 1, f"{file_name} matches profiles {[p.name for p in matches]}"
    return matches[0]


@pytest.fixture(scope="module")
def formats() -> dict[str, Format]:
    """The four formats as the document describes them, keyed by the profile that reads them."""
    if not SOURCE_EXPORTS.is_file():  # read in place, never copied into the project
        pytest.skip("../shared/design/source_exports.md is not there")
    sections = _sections(SOURCE_EXPORTS.read_text(encoding="utf-8"))
    found: dict[str, Format] = {}
    for section in sections:
        file_line = next((x for x in section.lines if x.strip().startswith("- File:")), None)
        if file_line is None:
            continue
        documented = _ticked(file_line)[0]
        file_name = re.sub(r"<(\w+)>", lambda m: FILE_NAME_SAMPLES[m.group(1)], documented)
        profile = _profile_for_file(file_name)
        named = re.search(r"Profile `([\w-]+)`", section.title)
        if named:
            assert named.group(1) == profile.name, section.title
        sheet = re.search(r"sheet `([^`]+)`", file_line)
        delimiter = re.search(r"delimiter `([^`]+)`", file_line)
        column_table = next(t for t in section.tables if t.header[0] == "column")
        found[profile.name] = Format(
            profile=profile,
            file_name=file_name,
            sheet=sheet.group(1) if sheet else None,
            delimiter=delimiter.group(1) if delimiter else None,
            columns={_ticked(r[0])[0]: r[1] for r in column_table.rows},
        )
    # Code tables: a header cell that names a profile's code column lists that profile's codes.
    by_code_column = {f.profile.column("code"): f for f in found.values()}
    for section in sections:
        for table in section.tables:
            for i, header_cell in enumerate(table.header):
                fmt = by_code_column.get(_code_column(header_cell))
                if fmt is None:
                    continue
                for row in table.rows:
                    for code in _codes_in(row[i]):
                        fmt.codes.append((_code_column(header_cell), code))
                        fmt.rows_by_code[code] = row
    return found


@pytest.fixture(scope="module")
def outcomes(formats: dict[str, Format]) -> dict[str, tuple[str, ...]]:
    """Codes that need an outcome, with the outcomes the document lists for them."""
    ind = formats["ind-csv"]
    cell = ind.columns[ind.profile.column("outcome")]
    listed: dict[str, tuple[str, ...]] = {}
    for part in cell.split(";"):
        code, *values = _ticked(part)
        listed[code] = tuple(values)
    return {**listed, **UNLISTED_OUTCOMES}


def _documented_keys(fmt: Format, outcomes: dict[str, tuple[str, ...]]) -> set[str]:
    keys: set[str] = set()
    for _, code in fmt.codes:
        if fmt.profile.column("outcome") and code in outcomes:
            keys |= {fmt.profile.code_key(code, o) for o in outcomes[code]}
        else:
            keys.add(code)
    return keys


# ------------------------------------------------------------------ the document is read fully


def test_the_document_describes_every_builtin_profile(formats: dict[str, Format]) -> None:
    assert sorted(formats) == sorted(PROFILE_NAMES)
    assert sorted(builtin_profiles()) == sorted(PROFILE_NAMES)
    # The parse found the code tables: 7 COA mutations, 19 IND milestones, 12 municipal events.
    counts = {name: len(f.codes) for name, f in formats.items()}
    assert counts == {"coa-xlsx": 7, "ind-csv": 19, "gemeente-xlsx": 12, "gemeente-csv": 12}


def test_outcomes_are_read_from_the_uitkomst_row(outcomes: dict[str, tuple[str, ...]]) -> None:
    assert outcomes == {
        "BESCHIKKING": ("INWILLIGING", "AFWIJZING", "BUITEN_BEHANDELING", "INTREKKING"),
        "UITSPRAAK": ("GEGROND", "ONGEGROND"),
        "NAREIS_BESLUIT": ("INWILLIGING", "AFWIJZING"),
    }


def test_the_document_gives_nareis_besluit_an_outcome(formats: dict[str, Format]) -> None:
    ind = formats["ind-csv"]
    row = ind.rows_by_code["NAREIS_BESLUIT"]
    assert _ticked(row[0]) == ["NAREIS_AANVRAAG", "NAREIS_BESLUIT"]
    assert "`UITKOMST`" in row[1]


# ------------------------------------------------------------------ codes and labels


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_every_documented_code_maps_to_an_activity(
    name: str, formats: dict[str, Format], outcomes: dict[str, tuple[str, ...]]
) -> None:
    fmt = formats[name]
    profile = fmt.profile
    for _, code in fmt.codes:
        if profile.column("outcome") and code in outcomes:
            activities = [profile.activity_for(code, o) for o in outcomes[code]]
            assert None not in activities, f"{name}: {code} with {outcomes[code]} -> {activities}"
            assert len(set(activities)) == len(activities), f"{name}: {code} outcomes collide"
            # A decision without its outcome is not an activity: it goes to quarantine.
            assert profile.activity_for(code) is None, code
            assert profile.activity_for(code, "ONBEKEND") is None, code
        else:
            assert profile.activity_for(code) is not None, f"{name}: {code!r} maps to nothing"


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_the_profile_maps_exactly_the_documented_codes(
    name: str, formats: dict[str, Format], outcomes: dict[str, tuple[str, ...]]
) -> None:
    fmt = formats[name]
    assert set(fmt.profile.codes) == _documented_keys(fmt, outcomes)


def test_known_answers() -> None:
    profiles = builtin_profiles()
    assert profiles["coa-xlsx"].activity_for("KOP") == "coa_koppeling"
    assert profiles["coa-xlsx"].activity_for("UIT-GEM") == "coa_uitstroom_gemeente"
    assert profiles["coa-xlsx"].activity_for("UIT-MOB") == "coa_uitstroom_mob"
    ind = profiles["ind-csv"]
    assert ind.activity_for("AANVRAAG") == "ind_aanvraag"
    assert ind.activity_for("BESCHIKKING", "INWILLIGING") == "ind_beschikking_inwilliging"
    assert ind.activity_for("BESCHIKKING", "AFWIJZING") == "ind_beschikking_afwijzing"
    assert ind.activity_for("UITSPRAAK", "GEGROND") == "ind_uitspraak_gegrond"
    assert ind.activity_for("DUBLIN_CLAIM") == "ind_dublin_claim"
    assert ind.activity_for("DUBLIN_OVERDRACHT") == "ind_dublin_overdracht"
    assert ind.activity_for("NAREIS_AANVRAAG") == "ind_nareis_aanvraag"
    assert ind.activity_for("NAREIS_BESLUIT", "AFWIJZING") == "ind_nareis_besluit_afwijzing"
    assert ind.activity_for("NAREIZIGER_INREIS") == "ind_nareiziger_inreis"
    # An outcome on a code that needs none is ignored.
    assert ind.activity_for("AANVRAAG", "INWILLIGING") == "ind_aanvraag"
    assert profiles["gemeente-xlsx"].activity_for("Verhuisd naar gemeente") == "gem_verhuisd"
    assert profiles["gemeente-csv"].activity_for("PIP_VAST") == "gem_pip_vastgesteld"
    for profile in profiles.values():
        assert profile.activity_for("ONBEKEND") is None


def test_municipal_label_and_code_on_one_line_mean_the_same(formats: dict[str, Format]) -> None:
    xlsx, csv = formats["gemeente-xlsx"], formats["gemeente-csv"]
    labels = [code for _, code in xlsx.codes]
    codes = [code for _, code in csv.codes]
    assert len(labels) == len(codes) == 12
    for label, code in zip(labels, codes, strict=True):
        assert xlsx.rows_by_code[label] is csv.rows_by_code[code]
        assert xlsx.profile.activity_for(label) == csv.profile.activity_for(code), label


def test_label_matching_folds_case_and_whitespace() -> None:
    profiles = builtin_profiles()
    gemeente = profiles["gemeente-xlsx"]
    assert fold("Woning Aangeboden ") == "woning aangeboden"
    assert gemeente.activity_for("Woning Aangeboden ") == "gem_woning_aangeboden"
    assert gemeente.activity_for("  woning\taangeboden") == "gem_woning_aangeboden"
    assert gemeente.activity_for("HUURCONTRACT  GETEKEND") == "gem_huurcontract_getekend"
    assert profiles["coa-xlsx"].activity_for(" ovp") == "coa_overplaatsing"
    assert profiles["gemeente-csv"].activity_for("won_aanb ") == "gem_woning_aangeboden"
    ind = profiles["ind-csv"]
    assert ind.activity_for(" beschikking", "Afwijzing ") == "ind_beschikking_afwijzing"
    # Folding is not guessing: a misspelling stays unknown.
    assert gemeente.activity_for("Woning aangebod") is None


def test_every_mapped_activity_exists_in_the_chain_and_organisation() -> None:
    chain = load_chain()
    for profile in builtin_profiles().values():
        assert profile.activities, profile.name
        for activity in profile.activities:
            assert activity in chain.activity_ids, f"{profile.name}: {activity}"
            assert chain.activity(activity).organisation == profile.organisation, activity


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_render_code_round_trips(name: str) -> None:
    """The generator writes an activity with render_code; the adapter must read it back."""
    profile = builtin_profiles()[name]
    for activity in profile.activities:
        code, outcome = profile.render_code(activity)
        assert profile.activity_for(code, outcome) == activity


def test_every_ind_milestone_has_a_description(formats: dict[str, Format]) -> None:
    ind = formats["ind-csv"]
    assert set(ind.profile.code_descriptions) == {code for _, code in ind.codes}


# ------------------------------------------------------------------ columns


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_every_documented_column_is_in_the_column_order(
    name: str, formats: dict[str, Format]
) -> None:
    fmt = formats[name]
    assert tuple(fmt.columns) == fmt.profile.column_order


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_personal_columns_are_personal_and_never_mapped(
    name: str, formats: dict[str, Format]
) -> None:
    fmt = formats[name]
    documented = {
        column
        for column, content in fmt.columns.items()
        if "personal data" in content or "free text" in content
    }
    assert documented, name
    assert documented == set(fmt.profile.personal)
    assert not documented & set(fmt.profile.columns.values())


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_the_v_nummer_is_the_first_column_and_mapped(name: str, formats: dict[str, Format]) -> None:
    fmt = formats[name]
    assert fmt.profile.column("vnummer") == next(iter(fmt.columns))


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_file_name_sheet_and_delimiter_match(name: str, formats: dict[str, Format]) -> None:
    fmt = formats[name]
    profile = fmt.profile
    assert profile.file_kind == Path(fmt.file_name).suffix.lstrip(".")
    if profile.file_kind == "xlsx":
        assert fmt.sheet == profile.sheet
    else:
        assert fmt.delimiter == profile.delimiter


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_documented_values_are_known_to_the_profile(name: str, formats: dict[str, Format]) -> None:
    fmt = formats[name]
    for field_name, table in fmt.profile.values.items():
        content = fmt.columns[fmt.profile.columns[field_name]]
        for value in _ticked(content):
            assert value in table, f"{name}: {field_name} value {value!r}"
        if "or empty" in content:
            assert "" in table, f"{name}: {field_name} may be empty"


def _strptime_pattern(documented: str, parts: dict[str, str]) -> str:
    """dd-mm-jjjj -> %d-%m-%Y; longest parts first, so that dd is not read as d, d."""
    alternatives = "|".join(sorted(parts, key=len, reverse=True))
    return re.sub(alternatives, lambda m: parts[m.group(0)], documented)


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_documented_date_and_time_patterns_are_read(name: str, formats: dict[str, Format]) -> None:
    fmt = formats[name]
    profile = fmt.profile
    if profile.column("date"):
        content = fmt.columns[profile.column("date")]
        assert "Excel date" not in content or profile.excel_serial
        for documented in _ticked(content):
            assert _strptime_pattern(documented, DATE_PARTS) in profile.date_patterns, documented
    if profile.column("time"):
        for documented in _ticked(fmt.columns[profile.column("time")]):
            assert _strptime_pattern(documented, TIME_PARTS) == profile.time_pattern
    if profile.column("timestamp"):
        assert profile.timestamp_iso
        for example in _ticked(fmt.columns[profile.column("timestamp")]):
            assert datetime.fromisoformat(example).utcoffset() is not None


# ------------------------------------------------------------------ broken profiles


def _broken_copy(tmp_path: Path, source: str, old: str, new: str) -> Path:
    text = (PROFILE_DIR / source).read_text(encoding="utf-8")
    assert old in text, f"the shipped {source} no longer contains {old!r}; update this test"
    path = tmp_path / f"kapot-{source}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _refusal(path: Path) -> str:
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    message = str(caught.value)
    assert f"profile {path.name}" in message
    return message


def test_an_unmodified_copy_loads(tmp_path: Path) -> None:
    path = _broken_copy(tmp_path, "coa-xlsx.toml", 'name = "coa-xlsx"', 'name = "coa-xlsx"')
    profile = load_profile(path)
    assert profile.codes == builtin_profiles()["coa-xlsx"].codes
    assert profile.path == path


def test_refuses_an_unknown_activity(tmp_path: Path) -> None:
    path = _broken_copy(tmp_path, "coa-xlsx.toml", 'KOP = "coa_koppeling"', 'KOP = "coa_koppelen"')
    message = _refusal(path)
    assert "code 'KOP' maps to unknown activity 'coa_koppelen'" in message


def test_refuses_an_unknown_activity_with_an_outcome(tmp_path: Path) -> None:
    path = _broken_copy(
        tmp_path,
        "ind-csv.toml",
        '"UITSPRAAK/GEGROND" = "ind_uitspraak_gegrond"',
        '"UITSPRAAK/GEGROND" = "ind_beroep_gegrond"',
    )
    message = _refusal(path)
    assert "code 'UITSPRAAK/GEGROND' maps to unknown activity 'ind_beroep_gegrond'" in message


def test_refuses_an_unknown_field(tmp_path: Path) -> None:
    path = _broken_copy(
        tmp_path,
        "gemeente-xlsx.toml",
        'municipality_name = "Gemeente"',
        'gemeente_naam = "Gemeente"',
    )
    message = _refusal(path)
    assert "unknown field 'gemeente_naam' in [columns]" in message


def test_refuses_a_column_neither_mapped_nor_personal(tmp_path: Path) -> None:
    path = _broken_copy(tmp_path, "coa-xlsx.toml", '"Opmerking" = "free_text"', "")
    message = _refusal(path)
    assert "column 'Opmerking' is not both in column_order and mapped/personal" in message


def test_refuses_a_personal_column_missing_from_the_column_order(tmp_path: Path) -> None:
    path = _broken_copy(
        tmp_path,
        "gemeente-csv.toml",
        '"bsn" = "bsn"',
        '"bsn" = "bsn"\n"telefoon" = "free_text"',
    )
    message = _refusal(path)
    assert "column 'telefoon' is not both in column_order and mapped/personal" in message


def test_refuses_two_codes_that_fold_to_the_same_text(tmp_path: Path) -> None:
    path = _broken_copy(
        tmp_path,
        "gemeente-xlsx.toml",
        '"Woning geweigerd" = "gem_woning_geweigerd"',
        '"Woning geweigerd" = "gem_woning_geweigerd"\n"woning  GEWEIGERD" = "gem_woning_geweigerd"',
    )
    message = _refusal(path)
    assert "two codes fold to the same text" in message


def test_a_folder_of_own_profiles_is_added_and_a_taken_name_refused(tmp_path: Path) -> None:
    from toolkit.adapters import profiles_with
    from toolkit.errors import ProfileError

    own = tmp_path / "own"
    own.mkdir()
    shipped = builtin_profiles()["gemeente-csv"].path
    text = shipped.read_text(encoding="utf-8")
    (own / "partner.toml").write_text(
        text.replace('name = "gemeente-csv"', 'name = "gemeente-partner-csv"'), encoding="utf-8"
    )
    profiles = profiles_with((own,))
    assert set(profiles) == set(builtin_profiles()) | {"gemeente-partner-csv"}
    (own / "clash.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=r"clash\.toml.*'gemeente-csv' is already taken"):
        profiles_with((own,))
    with pytest.raises(ProfileError, match="not a directory"):
        profiles_with((tmp_path / "missing",))
