"""Which profile reads a file: found from the file name (the profile's glob) and its header.

A file is never guessed at. The name proposes a profile and the header must confirm it; a file
whose name matches nothing is recognised by a header that holds exactly one profile's columns; a
XES log, or a table with the generic columns, goes to the generic profile. Anything else is
reported by name with the headers it has, so the user can write a profile for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from toolkit.adapters.csv import csv_header
from toolkit.adapters.generic import GENERIC, GenericColumns, is_generic_file, is_xes
from toolkit.adapters.profile import Profile
from toolkit.adapters.table import describe_header, header_matches, looks_like_header
from toolkit.adapters.xlsx import xlsx_header
from toolkit.errors import IngestError

EXPORT_SUFFIXES = (".xlsx", ".csv", ".parquet", ".xes", ".xes.gz")
# Lock and temporary files spreadsheet programs leave beside an open file.
IGNORED_PREFIXES = (".", "~$")


@dataclass(frozen=True)
class Source:
    """A file to ingest and the profile that reads it (None: the generic profile)."""

    path: Path
    name: str
    profile: Profile | None

    @property
    def profile_name(self) -> str:
        return self.profile.name if self.profile else GENERIC


def is_export(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith(EXPORT_SUFFIXES) and not path.name.startswith(IGNORED_PREFIXES)


def _headers(path: Path, profile: Profile | None) -> list[list[str]]:
    if path.suffix.lower() == ".xlsx":
        return xlsx_header(path, profile.sheet if profile else None)
    if path.suffix.lower() == ".csv":
        if profile is not None:
            return [csv_header(path, profile.delimiter)]
        return [csv_header(path, d) for d in (";", ",", "\t", "|")]
    return []


def _kind(path: Path) -> str | None:
    suffix = path.suffix.lower()
    return suffix.lstrip(".") if suffix in (".xlsx", ".csv") else None


def _confirmed(path: Path, profile: Profile) -> bool:
    return any(header_matches(profile, row) for row in _headers(path, profile))


def _describe(path: Path) -> str:
    """The file's header for an error message: never a data row (it may hold personal data)."""
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        try:
            return "the columns are: " + ", ".join(pq.read_schema(path).names)
        except Exception:  # a broken parquet file: say so rather than fail on the message
            return "not a readable parquet file"
    rows = [r for r in _headers(path, None) if looks_like_header(r)]
    if not rows:
        return "no row that looks like a header"
    widest = max(rows, key=lambda r: sum(1 for c in r if c))
    return describe_header(widest)


def _generic_columns_present(path: Path, columns: GenericColumns) -> bool:
    if path.suffix.lower() == ".csv":
        return any(set(columns.names()) <= set(h) for h in _headers(path, None))
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        try:
            names = pq.read_schema(path).names
        except Exception:  # a broken parquet file is reported by the reader, with the reason
            return True
        return set(columns.names()) <= set(names)
    return False


def detect(
    path: Path,
    profiles: dict[str, Profile],
    *,
    forced: str | None = None,
    columns: GenericColumns | None = None,
    name: str | None = None,
) -> Source:
    """The source description of one file, or :class:`IngestError` when no profile fits."""
    name = name or path.name
    columns = columns or GenericColumns()
    if forced == GENERIC:
        if not is_generic_file(path):
            raise IngestError(f"{name}: the generic profile reads XES, CSV or Parquet logs only")
        return Source(path, name, None)
    if forced is not None:
        if forced not in profiles:
            known = ", ".join([*sorted(profiles), GENERIC])
            raise IngestError(f"unknown profile {forced!r}; profiles: {known}")
        return Source(path, name, profiles[forced])
    kind = _kind(path)
    by_name = [
        p for p in profiles.values() if p.file_kind == kind and fnmatch(path.name, p.file_glob)
    ]
    if len(by_name) == 1:
        # The name decides; the reader confirms the header (and names what is wrong with it),
        # so a large workbook is not opened twice.
        return Source(path, name, by_name[0])
    for profile in by_name:
        if _confirmed(path, profile):
            return Source(path, name, profile)
    if by_name:
        profile = by_name[0]
        raise IngestError(
            f"{name}: the name fits profile {profile.name}, but no header row holds its columns "
            f"({', '.join(profile.columns.values())}); {_describe(path)}"
        )
    by_header = [p for p in profiles.values() if p.file_kind == kind and _confirmed(path, p)]
    if len(by_header) == 1:
        return Source(path, name, by_header[0])
    if is_xes(path) or _generic_columns_present(path, columns):
        return Source(path, name, None)
    raise IngestError(
        f"{name}: matches no profile (by name or header); {_describe(path)}. "
        "Write a profile for it, or pass --profile"
    )
