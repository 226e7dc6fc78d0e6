"""Mapping profiles: one TOML file per source format, read by the adapters and the generator.

A profile declares a source format as data (file name, columns, codes, date patterns, encoding),
so that a partner whose export differs writes a profile instead of code. The synthetic generator
renders canonical events through the same profiles, which is why the two can never drift apart.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from toolkit.chain import Chain, load_chain
from toolkit.errors import ProfileError

PROFILE_DIR = Path(__file__).parent / "profiles"
FILE_KINDS = ("xlsx", "csv")
PERSONAL_KINDS = ("bsn", "name", "staff_id", "free_text")
# Fields a profile may map a source column to; anything else is a typo in the profile.
FIELDS = (
    "vnummer",
    "household",
    "birth_year",
    "sex",
    "nationality",
    "procedure",
    "track",
    "case_number",
    "description",
    "date",
    "time",
    "timestamp",
    "code",
    "outcome",
    "resource",
    "location_type",
    "municipality",
    "municipality_name",
)


def fold(text: str) -> str:
    """Case- and whitespace-folded form used to match labels that vary a little."""
    return " ".join(str(text).split()).casefold()


@dataclass(frozen=True, eq=False)
class Profile:
    """One source format. ``codes`` maps a source code (or ``CODE/OUTCOME``) to an activity."""

    name: str
    description: str
    source_system: str
    organisation: str
    file_kind: str
    file_name: str
    file_glob: str
    column_order: tuple[str, ...]
    columns: dict[str, str]
    personal: dict[str, str]
    codes: dict[str, str]
    outcome_separator: str = "/"
    code_descriptions: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    date_patterns: tuple[str, ...] = ()
    time_pattern: str | None = None
    excel_serial: bool = False
    timestamp_iso: bool = False
    timezone: str = "Europe/Amsterdam"
    sheet: str | None = None
    header: str | int = 1
    title: tuple[str, ...] = ()
    footer: str | None = None
    encoding: str = "utf-8"
    fallback_encodings: tuple[str, ...] = ()
    delimiter: str = ","
    line_terminator: str = "\n"
    path: Path | None = None
    _lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Codes and labels are matched after folding case and whitespace in every format.
        table = {fold(k): v for k, v in self.codes.items()}
        object.__setattr__(self, "_lookup", table)

    def column(self, field_name: str) -> str | None:
        """The source column mapped to a field, or None when the format does not carry it."""
        return self.columns.get(field_name)

    def code_key(self, code: str, outcome: str | None = None) -> str:
        """The key under which a code (and its outcome, if the code needs one) is mapped."""
        return f"{code}{self.outcome_separator}{outcome}" if outcome else code

    def activity_for(self, code: str, outcome: str | None = None) -> str | None:
        """The canonical activity of a source code, or None for an unknown code."""
        lookup = self._lookup
        code = fold(code)
        if outcome and fold(outcome):
            hit = lookup.get(self.code_key(code, fold(outcome)))
            if hit:
                return hit
        return lookup.get(code)

    def render_code(self, activity: str) -> tuple[str, str | None]:
        """The code (and outcome) the source system writes for an activity: the first mapping."""
        for key, act in self.codes.items():
            if act == activity:
                if self.outcome_separator in key and "outcome" in self.columns:
                    code, outcome = key.split(self.outcome_separator, 1)
                    return code, outcome
                return key, None
        raise ProfileError(f"profile {self.name}: no code for activity {activity!r}")

    @property
    def activities(self) -> frozenset[str]:
        return frozenset(self.codes.values())


def _err(path: Path, message: str) -> ProfileError:
    return ProfileError(f"profile {path.name}: {message}")


def load_profile(path: Path, chain: Chain | None = None) -> Profile:
    """Read one profile file and check it against the chain vocabulary."""
    chain = chain or load_chain()
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ProfileError(f"profile {path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise _err(path, f"not valid TOML ({exc})") from None

    required = ("name", "source_system", "organisation", "file_kind", "file_name", "file_glob")
    missing = [k for k in (*required, "columns", "codes", "column_order") if k not in data]
    if missing:
        raise _err(path, f"missing {', '.join(missing)}")
    if data["file_kind"] not in FILE_KINDS:
        raise _err(path, f"file_kind {data['file_kind']!r} is not one of {', '.join(FILE_KINDS)}")
    try:
        chain.organisation(data["organisation"])
    except KeyError:
        raise _err(path, f"unknown organisation {data['organisation']!r}") from None

    columns = dict(data["columns"])
    unknown_fields = sorted(set(columns) - set(FIELDS))
    if unknown_fields:
        raise _err(path, f"unknown field {unknown_fields[0]!r} in [columns]")
    if "vnummer" not in columns or "code" not in columns:
        raise _err(path, "[columns] must map vnummer and code")
    if "date" not in columns and "timestamp" not in columns:
        raise _err(path, "[columns] must map date or timestamp")
    personal = dict(data.get("personal", {}))
    bad_kind = [k for k, v in personal.items() if v not in PERSONAL_KINDS]
    if bad_kind:
        raise _err(path, f"personal column {bad_kind[0]!r} has an unknown kind")
    order = tuple(data["column_order"])
    accounted = set(columns.values()) | set(personal)
    if set(order) != accounted:
        stray = sorted(set(order) ^ accounted)
        raise _err(path, f"column {stray[0]!r} is not both in column_order and mapped/personal")

    codes_section = data["codes"]
    codes = dict(codes_section.get("map", {}))
    if not codes:
        raise _err(path, "[codes.map] is empty")
    known = chain.activity_ids
    for code, activity in codes.items():
        if activity not in known:
            raise _err(path, f"code {code!r} maps to unknown activity {activity!r}")
    folded = [fold(c) for c in codes]
    if len(set(folded)) != len(folded):
        raise _err(path, "two codes fold to the same text")

    dates = data.get("dates", {})
    title = tuple(data.get("title", ()))
    return Profile(
        name=data["name"],
        description=data.get("description", ""),
        source_system=data["source_system"],
        organisation=data["organisation"],
        file_kind=data["file_kind"],
        file_name=data["file_name"],
        file_glob=data["file_glob"],
        column_order=order,
        columns=columns,
        personal=personal,
        codes=codes,
        outcome_separator=codes_section.get("outcome_separator", "/"),
        code_descriptions=dict(codes_section.get("description", {})),
        values={k: dict(v) for k, v in data.get("values", {}).items()},
        date_patterns=tuple(dates.get("date_patterns", ())),
        time_pattern=dates.get("time_pattern"),
        excel_serial=dates.get("excel_serial", False),
        timestamp_iso=dates.get("timestamp_iso", False),
        timezone=dates.get("timezone", "Europe/Amsterdam"),
        sheet=data.get("sheet"),
        header=data.get("header", 1),
        title=title,
        footer=data.get("footer"),
        encoding=data.get("encoding", "utf-8"),
        fallback_encodings=tuple(data.get("fallback_encodings", ())),
        delimiter=data.get("delimiter", ","),
        line_terminator=data.get("line_terminator", "\n"),
        path=path,
    )


def profiles_with(extra_dirs: tuple[Path, ...] = ()) -> dict[str, Profile]:
    """The shipped profiles plus those in ``extra_dirs`` (a partner's own formats).

    A partner whose export differs writes a profile file in a folder of its own and passes that
    folder (``ketenlens ingest --profiles DIR``); nothing in the package changes.
    """
    profiles = dict(builtin_profiles())
    for folder in extra_dirs:
        folder = Path(folder)
        if not folder.is_dir():
            raise ProfileError(f"profile folder {folder}: not a directory")
        files = sorted(folder.glob("*.toml"))
        if not files:
            raise ProfileError(f"profile folder {folder}: no *.toml profile files in it")
        for path in files:
            profile = load_profile(path)
            if profile.name in profiles:
                raise ProfileError(
                    f"profile {path}: the name {profile.name!r} is already taken by "
                    f"{profiles[profile.name].path}; give it a name of its own"
                )
            profiles[profile.name] = profile
    return profiles


@cache
def builtin_profiles() -> dict[str, Profile]:
    """The profiles shipped with the toolkit, by name."""
    profiles = [load_profile(p) for p in sorted(PROFILE_DIR.glob("*.toml"))]
    by_name = {p.name: p for p in profiles}
    if len(by_name) != len(profiles):
        raise ProfileError(f"two profiles in {PROFILE_DIR} share a name")
    return by_name
