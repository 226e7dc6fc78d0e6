"""The ingest report: what happened to every row of every file, and how well the sources link.

Every data row ends up as an event, a removed duplicate or a quarantine entry, so for each file
``rows_read == events + duplicates + quarantined``; the report states it per file so that a user
can check it against the row count of the export. The linkage figures say how many persons each
partner sees and how many status holders can be followed from the IND into COA and a municipality,
which is the first thing to ask of a chain log before trusting any duration in it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.chain.register import UNKNOWN_TYPE
from toolkit.eventlog import ACTIVITY, CASE
from toolkit.suppression import protect_parts, suppress_small

# A person holds a residence permit once the IND granted the application (or handed out the
# document, for a grant that the export period cut off).
PERMIT_ACTIVITIES = ("ind_beschikking_inwilliging", "ind_vergunning_uitgereikt")
LINKAGE_KEYS = (
    "ind_only",
    "coa_only",
    "gemeente_only",
    "ind_coa",
    "ind_gemeente",
    "coa_gemeente",
    "all_three",
)


@dataclass
class FileReport:
    """The accounting of one export file."""

    path: str
    profile: str
    rows_read: int = 0
    events: int = 0
    duplicates: int = 0
    quarantined: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    repairs: dict[str, int] = field(default_factory=dict)
    skipped_rows: dict[str, int] = field(default_factory=dict)
    encoding: str | None = None
    created: str | None = None
    footer_total: int | None = None
    notes: list[str] = field(default_factory=list)
    unknown_places: dict[str, int] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.events + self.duplicates + self.quarantined


@dataclass
class IngestReport:
    """The whole run: per file accounting, the resulting log's size and the linkage of sources."""

    out: str
    as_of: str
    as_of_source: str
    key_fingerprint: str
    demo_key: bool
    files: list[FileReport]
    persons: int
    events: int
    events_added: int
    events_before: int
    linkage: dict[str, int]
    ignored_files: list[str] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    @property
    def quarantined(self) -> int:
        return sum(f.quarantined for f in self.files)

    def quarantine_reasons(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for f in self.files:
            total.update(f.quarantine_reasons)
        return dict(sorted(total.items()))

    def unknown_places(self) -> dict[str, int]:
        """COA locations and IND offices the register does not list, with their event rows."""
        total: Counter[str] = Counter()
        for f in self.files:
            total.update(f.unknown_places)
        return dict(sorted(total.items()))

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["duplicates"] = self.duplicates
        out["quarantined"] = self.quarantined
        out["quarantine_reasons"] = self.quarantine_reasons()
        out["unknown_places"] = [
            {"name": name, "type": UNKNOWN_TYPE, "rows": rows}
            for name, rows in self.unknown_places().items()
        ]
        return out


def linkage(cases: pd.DataFrame, events: pd.DataFrame) -> dict[str, int]:
    """Persons by the combination of sources that recorded them, and status holders' follow-up.

    The seven combinations partition the persons (``ind_coa`` is IND and COA but no
    municipality); ``permit_holders_in_coa`` and ``..._in_gemeente`` are the permit holders that
    can be followed into reception and into a municipality.
    """
    ind, coa, gem = (cases[c].astype(bool) for c in ("in_ind", "in_coa", "in_gemeente"))
    combos = {
        "ind_only": ind & ~coa & ~gem,
        "coa_only": ~ind & coa & ~gem,
        "gemeente_only": ~ind & ~coa & gem,
        "ind_coa": ind & coa & ~gem,
        "ind_gemeente": ind & ~coa & gem,
        "coa_gemeente": ~ind & coa & gem,
        "all_three": ind & coa & gem,
    }
    out = {k: int(v.sum()) for k, v in combos.items()}
    holders = events.loc[events[ACTIVITY].isin(PERMIT_ACTIVITIES), CASE].unique()
    # in arrow: pandas' isin makes a Python set of the holders and looks at them one by one
    is_holder = pd.Series(
        pc.is_in(_text(cases[CASE]), value_set=_text(holders)).to_numpy(zero_copy_only=False),
        index=cases.index,
    )
    out["permit_holders"] = int(is_holder.sum())
    out["permit_holders_in_coa"] = int((is_holder & coa).sum())
    out["permit_holders_in_gemeente"] = int((is_holder & gem).sum())
    return out


def _text(values: Any) -> pa.Array | pa.ChunkedArray:
    """Pseudonyms as arrow text, whatever pandas holds them in (text, categories, objects)."""
    return pa.array(values).cast(pa.large_string())


def _file_name(path: str) -> str:
    """The name of an export file without its folders (a path may name a person's home folder)."""
    return str(path).replace("\\", "/").rsplit("/", 1)[-1]


def report_tables(report: dict[str, Any], k: int | None = None) -> dict[str, pd.DataFrame]:
    """The ingest report (:meth:`IngestReport.to_dict`, as in ``ingest_report.json``) as tables.

    ``files``: per file (its name only) rows read, events, duplicates, quarantined and whether
    they add up; ``reasons``: quarantined rows per reason over all files; ``repairs``: rows
    repaired per kind of repair; ``skipped``: non-data rows skipped per kind; ``linkage``: persons
    per combination of sources and the permit holders' follow-up (``measure``, ``persons``).
    With ``k`` (workshop mode) every count of 1 to k-1 is hidden: linkage counts persons, and a
    handful of quarantined or repaired rows are a handful of persons' records too. In linkage one
    more of the seven combinations is hidden when a single hidden one could be worked out from
    the total of persons. Example::

        >>> report_tables(json.loads(Path("ingest_report.json").read_text()))["files"]  # doctest: +SKIP
    """
    files = report.get("files") or []
    counts = ("rows_read", "events", "duplicates", "quarantined")
    rows = [
        {
            "file": _file_name(f.get("path", "")),
            "profile": f.get("profile"),
            **{c: int(f.get(c) or 0) for c in counts},
        }
        for f in files
    ]
    table = pd.DataFrame(rows, columns=["file", "profile", *counts])
    table["balanced"] = (
        table["rows_read"] == table["events"] + table["duplicates"] + table["quarantined"]
    )

    def totals(key: str, name: str) -> pd.DataFrame:
        total: Counter[str] = Counter()
        for f in files:
            total.update({k: int(v) for k, v in (f.get(key) or {}).items()})
        out = pd.DataFrame(sorted(total.items()), columns=[name, "count"])
        return out.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)

    link: dict[str, Any] = {key: int(v) for key, v in (report.get("linkage") or {}).items()}
    if k is not None:
        wide = suppress_small(pd.DataFrame([link]), list(link), k)
        wide = protect_parts(wide, [key for key in LINKAGE_KEYS if key in link])
        link = {key: None if pd.isna(v) else int(v) for key, v in wide.iloc[0].items()}
    order = [*LINKAGE_KEYS, "permit_holders", "permit_holders_in_coa", "permit_holders_in_gemeente"]
    linkage_table = pd.DataFrame(
        [{"measure": key, "persons": link[key]} for key in order if key in link],
        columns=["measure", "persons"],
    )
    linkage_table["persons"] = linkage_table["persons"].astype("Int64")
    tables = {
        "files": table,
        "reasons": totals("quarantine_reasons", "reason"),
        "repairs": totals("repairs", "repair"),
        "skipped": totals("skipped_rows", "kind"),
    }
    if k is not None:
        tables = {
            name: suppress_small(frame, counts if name == "files" else ["count"], k)
            for name, frame in tables.items()
        }
    return {**tables, "linkage": linkage_table}


def report_summary(report: dict[str, Any]) -> dict[str, Any]:
    """The headline figures of an ingest report, with no folder names (a path may name a person).

    ``persons``, ``events``, ``duplicates``, ``quarantined``, ``as_of``, ``as_of_source``,
    ``demo_key``, ``files`` (how many), ``unbalanced_files`` (how many do not add up) and
    ``ignored_files`` (names only).
    """
    files = report.get("files") or []
    unbalanced = sum(
        1
        for f in files
        if int(f.get("rows_read") or 0)
        != sum(int(f.get(c) or 0) for c in ("events", "duplicates", "quarantined"))
    )
    source = report.get("as_of_source")
    return {
        "persons": report.get("persons"),
        "events": report.get("events"),
        "duplicates": report.get("duplicates", sum(int(f.get("duplicates") or 0) for f in files)),
        "quarantined": report.get(
            "quarantined", sum(int(f.get("quarantined") or 0) for f in files)
        ),
        "as_of": report.get("as_of"),
        "as_of_source": " ".join(_file_name(part) for part in str(source).split(" "))
        if source
        else None,
        "demo_key": bool(report.get("demo_key")),
        "files": len(files),
        "unbalanced_files": unbalanced,
        "ignored_files": [_file_name(name) for name in report.get("ignored_files") or []],
    }
