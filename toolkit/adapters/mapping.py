"""Apply a profile to the rows a reader delivered: each row becomes an event or a quarantine entry.

The reader gave raw cells under field names; here they are normalised with the rules in
:mod:`toolkit.adapters.parsing` (applied once per distinct value, since dates, codes and V-nummers
repeat), the person and household numbers are replaced by keyed pseudonyms, and every row that
cannot become an event is set aside with the source column and the reason. A quarantine entry
carries no personal data: only file, row, column, reason and the activity when it is known.

Two checks come before all others, as they decide whether a row may be looked at at all: a cell
longer than a reader keeps (``oversized_cell``), and a mapped text column whose value looks like
personal data (``personal_data_in_<field>``, :mod:`toolkit.adapters.personal`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import numpy as np
import pandas as pd

from toolkit.adapters import parsing as p
from toolkit.adapters.event_id import content_ids
from toolkit.adapters.personal import checked_fields, personal_data, reason
from toolkit.adapters.profile import Profile, fold
from toolkit.adapters.table import OVERSIZED, OVERSIZED_CELL, ROW, RawTable
from toolkit.chain import Chain, Municipality, load_chain
from toolkit.privacy import Pseudonymizer

CODE_FOLDED = "code_folded"
# A COA location or IND office written under another spelling than its register name.
PLACE_NAME = "place_name"
# Which register a profile's resource column is checked against, by the profile's organisation.
PLACE_KINDS = {"COA": "coa", "IND": "ind"}
REPAIRS = "repairs"
# ``hint``: what the value most likely meant, from a register (never text from the export itself).
QUARANTINE_COLUMNS = ("file", "row", "column", "reason", "activity", "hint")
# Fields whose values a profile may translate through [values.<field>].
VALUE_FIELDS = ("sex", "procedure", "track", "location_type")


@dataclass
class Mapped:
    """The events and quarantine entries of one export, before deduplication.

    ``unknown_places``: COA locations or IND offices that the register does not list, with the
    number of event rows that name each; they are kept as written and reported, not quarantined.
    """

    events: pd.DataFrame
    quarantine: pd.DataFrame
    unknown_places: dict[str, int] = field(default_factory=dict)


def _cached(values: pd.Series, fn: Callable[[Any], Any]) -> list[Any]:
    """``fn`` of every value, computed once per distinct value (keyed by type, 1 is not '1')."""
    cache: dict[tuple[type, Any], Any] = {}
    out = []
    for v in values.tolist():
        try:
            k = (type(v), v)
            hit = cache.get(k, cache)
        except TypeError:
            out.append(fn(v))
            continue
        if hit is cache:
            hit = fn(v)
            cache[k] = hit
        out.append(hit)
    return out


def text(value: object) -> str | None:
    """A cell as trimmed text (a whole number without its '.0'), or None when empty."""
    if p.is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _Rows:
    """The per-row outcome while a table is mapped: the first reason found wins."""

    def __init__(self, table: RawTable) -> None:
        self.table = table
        self.n = len(table.frame)
        self.reason = np.full(self.n, None, dtype=object)
        self.column = np.full(self.n, None, dtype=object)
        self.hint = np.full(self.n, "", dtype=object)
        self.repairs: list[list[str]] = [[] for _ in range(self.n)]

    def flag(
        self, reasons: list[str | None], field_name: str, hints: list[str] | None = None
    ) -> None:
        source_column = self.table.profile.columns[field_name]
        for i, why in enumerate(reasons):
            if why is not None and self.reason[i] is None:
                self.reason[i] = why
                self.column[i] = source_column
                if hints is not None:
                    self.hint[i] = hints[i]

    def repair(self, repairs: list[str | None]) -> None:
        for i, kind in enumerate(repairs):
            if kind is not None:
                self.repairs[i].append(kind)

    @property
    def ok(self) -> np.ndarray:
        return np.array([r is None for r in self.reason], dtype=bool)


def _activities(table: RawTable, rows: _Rows) -> list[str | None]:
    profile = table.profile
    codes = table.frame["code"]
    outcomes = table.frame["outcome"] if "outcome" in table.frame else pd.Series([None] * rows.n)

    def lookup(pair: tuple[object, object]) -> tuple[str | None, str | None]:
        code, outcome = text(pair[0]), text(pair[1])
        if code is None:
            return None, p.UNKNOWN_CODE
        activity = profile.activity_for(code, outcome)
        if activity is None:
            return None, p.UNKNOWN_CODE
        raw = str(pair[0])
        exact = raw in profile.codes or (
            outcome is not None and profile.code_key(raw, str(pair[1])) in profile.codes
        )
        return activity, None if exact else CODE_FOLDED

    pairs = pd.Series(list(zip(codes.tolist(), outcomes.tolist(), strict=True)), dtype=object)
    found = _cached(pairs, lookup)
    rows.flag([None if a else p.UNKNOWN_CODE for a, _ in found], "code")
    rows.repair([r if a else None for a, r in found])
    return [a for a, _ in found]


def _local_times(table: RawTable, rows: _Rows) -> tuple[list[date | None], pd.Series]:
    """Local calendar dates (for the date checks) and UTC timestamps of every row."""
    profile = table.profile
    frame = table.frame
    if profile.timestamp_iso and "timestamp" in frame:
        parsed = _cached(frame["timestamp"], p.parse_iso_timestamp)
        rows.flag([x.reason for x in parsed], "timestamp")
        utc = pd.Series(
            [x.value if x.value is not None else pd.NaT for x in parsed],
            dtype="datetime64[us, UTC]",
        )
        local = utc.dt.tz_convert(profile.timezone)
        dates = [None if pd.isna(t) else t.date() for t in local]
        return dates, utc
    kind_xlsx = profile.file_kind == "xlsx"

    def one_date(value: object) -> p.Parsed:
        parsed = p.parse_date(value, profile.date_patterns, excel_serial=profile.excel_serial)
        if kind_xlsx and isinstance(value, str) and parsed.value and parsed.repair is None:
            return p.Parsed(parsed.value, repair=p.DATE_TEXT)
        return parsed

    parsed_dates = _cached(frame["date"], one_date)
    rows.flag([x.reason for x in parsed_dates], "date")
    rows.repair([x.repair if x.value else None for x in parsed_dates])
    if "time" in frame:
        parsed_times = _cached(frame["time"], lambda v: p.parse_time(v, profile.time_pattern))
        rows.flag([x.reason for x in parsed_times], "time")
        times = [x.value for x in parsed_times]
    else:
        times = [time(0, 0)] * rows.n
    local = [
        datetime.combine(d.value, t) if d.value is not None and t is not None else None
        for d, t in zip(parsed_dates, times, strict=True)
    ]
    localized = p.localize(pd.Series(local, dtype="datetime64[us]"), profile.timezone)
    rows.repair([p.DST_GAP if g else None for g in localized.gap])
    rows.repair([p.DST_OVERLAP if o else None for o in localized.overlap])
    return [d.value for d in parsed_dates], localized.utc


def _check_dates(dates: list[date | None], rows: _Rows, field_name: str, as_of: date) -> None:
    reasons: list[str | None] = []
    for d in dates:
        if d is None:
            reasons.append(None)
        elif d.year < p.EARLIEST_YEAR:
            reasons.append(p.DATE_BEFORE_2000)
        elif d > as_of:
            reasons.append(p.FUTURE_DATE)
        else:
            reasons.append(None)
    rows.flag(reasons, field_name)


def _municipalities(
    table: RawTable, rows: _Rows, chain: Chain, dates: list[date | None]
) -> list[str | None]:
    """The CBS code of each row's municipality, as it existed on the row's day.

    A code or name of a municipality that merged before the row's day becomes its successor's code
    (a repair); only a value the register never knew is quarantined, with the closest known
    municipality as the hint.
    """
    frame = table.frame
    register = chain.register
    if "municipality" in frame:
        field_name = "municipality"

        def find(value: object, day: date | None) -> Municipality | None:
            code = p.municipality_code(value)
            return register.get(code) if code else None

    elif "municipality_name" in frame:
        field_name = "municipality_name"

        def find(value: object, day: date | None) -> Municipality | None:
            return register.by_name(str(value).strip(), day)

    else:
        return [None] * rows.n

    def lookup(pair: tuple[object, date | None]) -> tuple[str | None, str | None, str | None, str]:
        value, day = pair
        if p.is_blank(value):
            return None, None, None, ""
        found = find(value, day)
        if found is None:
            close = register.closest(str(value))
            hint = f"closest: {close.name} ({close.code})" if close else ""
            return None, p.UNKNOWN_MUNICIPALITY, None, hint
        code = found.code if day is None else register.current_code(found.code, day)
        return code, None, p.MUNICIPALITY_SUCCESSOR if code != found.code else None, ""

    pairs = pd.Series(list(zip(frame[field_name].tolist(), dates, strict=True)), dtype=object)
    found = _cached(pairs, lookup)
    rows.flag([why for _, why, _, _ in found], field_name, [hint for *_, hint in found])
    rows.repair([repair for _, _, repair, _ in found])
    return [code for code, *_ in found]


def _places(table: RawTable, rows: _Rows, chain: Chain) -> tuple[list[str | None], list[bool]]:
    """Each row's COA location or IND office under its register name, and whether it is unknown.

    A place the register lists under another spelling or an alias gets its register name (a
    repair); a place it does not list is kept as written, since new locations open every month.
    """
    kind = PLACE_KINDS.get(table.profile.organisation)
    names = _optional(table.frame, "resource", text)
    if kind is None:
        return names, [False] * rows.n

    def lookup(name: str | None) -> tuple[str | None, bool]:
        if name is None:
            return None, False
        place = chain.places.find(kind, name)
        return (place.name, False) if place else (name, True)

    found = _cached(pd.Series(names, dtype=object), lookup)
    rows.repair([PLACE_NAME if n is not None and n != name else None
                 for (n, _), name in zip(found, names, strict=True)])  # fmt: skip
    return [n for n, _ in found], [unknown for _, unknown in found]


def _values(profile: Profile, field_name: str, column: pd.Series) -> list[str | None]:
    table = {fold(k): v for k, v in profile.values.get(field_name, {}).items()}

    def lookup(value: object) -> str | None:
        raw = text(value)
        if not table:
            return raw
        return table.get(fold(raw or "")) or None

    return _cached(column, lookup)


def _optional(frame: pd.DataFrame, field_name: str, fn: Callable[[Any], Any]) -> list[Any]:
    if field_name not in frame:
        return [None] * len(frame)
    return _cached(frame[field_name], fn)


def map_table(
    table: RawTable,
    *,
    key: Pseudonymizer,
    as_of: date,
    source_file: str,
    chain: Chain | None = None,
) -> Mapped:
    """Normalise, pseudonymise and check every row of one export."""
    chain = chain or load_chain()
    profile, frame = table.profile, table.frame
    rows = _Rows(table)
    for field_name in profile.columns:
        rows.flag(
            [OVERSIZED_CELL if v is OVERSIZED else None for v in frame[field_name]], field_name
        )
    _check_personal_data(frame, rows)
    vn = _cached(frame["vnummer"], p.normalise_vnummer)
    rows.flag([x.reason for x in vn], "vnummer")
    rows.repair([x.repair if x.value else None for x in vn])
    activities = _activities(table, rows)
    dates, utc = _local_times(table, rows)
    date_field = "timestamp" if profile.timestamp_iso and "timestamp" in frame else "date"
    _check_dates(dates, rows, date_field, as_of)
    municipalities = _municipalities(table, rows, chain, dates)

    resources, unknown_place = _places(table, rows, chain)

    ok = rows.ok
    keep = np.flatnonzero(ok)
    if "resource" not in frame:
        resources = municipalities
    unknown_places = Counter(resources[i] for i in keep if unknown_place[i])
    picked = {
        "case:concept:name": [key.person(vn[i].value) for i in keep],
        "concept:name": [activities[i] for i in keep],
        "org:group": [chain.activity(activities[i]).organisation for i in keep],
        "org:resource": [resources[i] for i in keep],
        "municipality": [municipalities[i] for i in keep],
    }
    extra = {
        "location_type": _values(profile, "location_type", _column(frame, "location_type")),
        "case:household": _optional(frame, "household", lambda v: _household(v, key)),
        "case:nationality": _optional(frame, "nationality", text),
        "case:birth_year_band": _optional(frame, "birth_year", p.birth_year_band),
        "case:sex": _values(profile, "sex", _column(frame, "sex")),
        "case:procedure": _values(profile, "procedure", _column(frame, "procedure")),
        "case:track": _values(profile, "track", _column(frame, "track")),
        "ind_case": _optional(frame, "case_number", lambda v: _ind_case(v, key)),
    }
    picked |= {name: [values[i] for i in keep] for name, values in extra.items()}
    events = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in picked.items()})
    events["time:timestamp"] = utc.iloc[keep].reset_index(drop=True)
    events["source_system"] = profile.source_system
    events["source_file"] = source_file
    events["source_row"] = frame[ROW].to_numpy()[keep]
    events[REPAIRS] = ["|".join(rows.repairs[i]) for i in keep]
    identity = ("case:concept:name", "concept:name", "time:timestamp", "org:resource")
    parts = [events[c] for c in (*identity, "municipality")]
    events["event_id"] = content_ids(profile.source_system, parts)
    bad = np.flatnonzero(~ok)
    quarantine = pd.DataFrame(
        {
            "file": source_file,
            "row": frame[ROW].to_numpy()[bad],
            "column": rows.column[bad],
            "reason": rows.reason[bad],
            "activity": [activities[i] or "" for i in bad],
            "hint": rows.hint[bad],
        },
        columns=list(QUARANTINE_COLUMNS),
    )
    return Mapped(
        events=events, quarantine=quarantine, unknown_places=dict(sorted(unknown_places.items()))
    )


def _check_personal_data(frame: pd.DataFrame, rows: _Rows) -> None:
    """Quarantine every row whose mapped text columns hold something shaped like personal data."""
    for field_name, kind in checked_fields().items():
        if field_name in frame:
            found = _cached(frame[field_name], lambda v, kind=kind: personal_data(text(v), kind))
            rows.flag([None if f is None else reason(field_name) for f in found], field_name)


def _column(frame: pd.DataFrame, field_name: str) -> pd.Series:
    if field_name in frame:
        return frame[field_name]
    return pd.Series([None] * len(frame), dtype=object)


def _household(value: object, key: Pseudonymizer) -> str | None:
    raw = text(value)
    return key.household(raw.upper().replace(" ", "")) if raw else None


def _ind_case(value: object, key: Pseudonymizer) -> str | None:
    number = p.normalise_case_number(value)
    return key.ind_case(number) if number else None


def count_repairs(repairs: pd.Series) -> Counter[str]:
    """How often each repair was needed, from the joined repair kinds of each row."""
    counts: Counter[str] = Counter()
    for joined in repairs.tolist():
        if joined:
            counts.update(joined.split("|"))
    return counts
