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

from toolkit.eventlog import ACTIVITY, CASE

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

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["duplicates"] = self.duplicates
        out["quarantined"] = self.quarantined
        out["quarantine_reasons"] = self.quarantine_reasons()
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
    holders = set(events.loc[events[ACTIVITY].isin(PERMIT_ACTIVITIES), CASE])
    is_holder = cases[CASE].isin(holders)
    out["permit_holders"] = int(is_holder.sum())
    out["permit_holders_in_coa"] = int((is_holder & coa).sum())
    out["permit_holders_in_gemeente"] = int((is_holder & gem).sum())
    return out
