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
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.adapters import parsing as p
from toolkit.adapters.columns import Coded, distinct, objects, per_pair, per_value
from toolkit.adapters.event_id import content_ids
from toolkit.adapters.personal import checked_fields, personal_data, reason
from toolkit.adapters.profile import Profile, fold
from toolkit.adapters.table import OVERSIZED, OVERSIZED_CELL, RawTable
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
# How many parsed dates and times are kept (a day for every date of a century fits).
PARSED_KEPT = 50_000


@dataclass
class Mapped:
    """The events and quarantine entries of one export, before deduplication.

    ``unknown_places``: COA locations or IND offices that the register does not list, with the
    number of event rows that name each; they are kept as written and reported, not quarantined.
    """

    events: pd.DataFrame
    quarantine: pd.DataFrame
    unknown_places: dict[str, int] = field(default_factory=dict)


def text(value: object) -> str | None:
    """A cell as trimmed text (a whole number without its '.0'), or None when empty."""
    if p.is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True)
class _Texts:
    """A column of many distinct texts (identifiers, pseudonyms): a code per row and the
    distinct texts as one arrow array (null for none), so that no text is a Python object."""

    codes: np.ndarray
    uniques: pa.Array


def _arrow_text(values: list[Any]) -> pa.Array:
    """The distinct values that are text as arrow text; null for the others (None, a number
    cell), which the rules then look at one by one."""
    try:
        return pa.array(values, _ARROW_TEXT)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([v if v.__class__ is str else None for v in values], _ARROW_TEXT)


def _mask(condition: pa.Array) -> np.ndarray:
    """An arrow yes/no array as a numpy mask (null counts as no)."""
    return pc.fill_null(condition, False).to_numpy(zero_copy_only=False)


def _vnummers(column: Coded) -> tuple[_Texts, Coded, Coded]:
    """:func:`~toolkit.adapters.parsing.normalise_vnummer` of each distinct value: the V-nummers,
    and the reason and repair columns.

    Text of ASCII digits with spaces or dashes between them (nearly every value; most often ten
    digits and nothing else) is what the rule makes of it in arrow: the digits, padded to ten
    when fewer (``vnummer_zero_padded``), ``vnummer_separators`` when it had any, invalid when
    more than ten. Only the other values (number cells, other separators) go through the rule.
    """
    uniques = column.uniques
    texts = _arrow_text(uniques)
    digits = pc.replace_substring_regex(texts, _SEPARATORS, "")
    spelled = _mask(pc.match_substring_regex(texts, _DIGITS_AND_SEPARATORS))
    length = pc.fill_null(pc.utf8_length(digits), 0).to_numpy()
    separated = length != pc.fill_null(pc.binary_length(texts), 0).to_numpy()
    none = [None] * len(uniques)
    if (spelled & (length == p.VNUMMER_DIGITS) & ~separated).all():
        return _Texts(column.codes, texts), Coded(column.codes, none), Coded(column.codes, none)
    kept = spelled & (length <= p.VNUMMER_DIGITS)
    numbers = pc.if_else(
        pa.array(kept), pc.utf8_lpad(digits, p.VNUMMER_DIGITS, "0"), pa.scalar(None, _ARROW_TEXT)
    )
    reasons = np.full(len(uniques), None, dtype=object)
    repairs = np.full(len(uniques), None, dtype=object)
    reasons[spelled & (length > p.VNUMMER_DIGITS)] = p.INVALID_VNUMMER
    repairs[kept & separated] = p.SEPARATORS
    repairs[kept & (length < p.VNUMMER_DIGITS)] = p.ZERO_PADDED
    others = np.flatnonzero(~spelled)
    if len(others):
        parsed = [p.normalise_vnummer(uniques[i]) for i in others]
        numbers = _replaced(numbers, spelled, [x.value for x in parsed])
        reasons[others] = objects([x.reason for x in parsed])
        repairs[others] = objects([x.repair for x in parsed])
    codes = column.codes
    return _Texts(codes, numbers), Coded(codes, reasons.tolist()), Coded(codes, repairs.tolist())


def _replaced(texts: pa.Array, kept: np.ndarray, others: list[str | None]) -> pa.Array:
    """``texts`` where ``kept``, and the given values in order at the other places."""
    return pc.replace_with_mask(texts, pa.array(~kept), pa.array(others, _ARROW_TEXT))


class _Rows:
    """The per-row outcome while a table is mapped: the first reason found wins.

    Reasons and repairs come as :class:`Coded` columns (a result per distinct value), so a check
    that finds nothing costs nothing per row, and one that finds something touches its rows only.
    """

    def __init__(self, table: RawTable) -> None:
        self.table = table
        self.n = table.rows_read
        self.ok = np.ones(self.n, dtype=bool)
        self.reason = np.full(self.n, None, dtype=object)
        self.column = np.full(self.n, None, dtype=object)
        self.hint = np.full(self.n, "", dtype=object)
        self._repairs: list[Coded] = []

    def flag(self, reasons: Coded, field_name: str, hints: Coded | None = None) -> None:
        """Quarantine the rows, not yet quarantined, whose value has a reason."""
        has = reasons.present()
        if not has.any():
            return
        rows = np.flatnonzero(has[reasons.codes] & self.ok)
        self.reason[rows] = reasons.values(rows)
        self.column[rows] = self.table.profile.columns[field_name]
        if hints is not None:
            self.hint[rows] = hints.values(rows)
        self.ok[rows] = False

    def repair(self, repairs: Coded) -> None:
        """One repair kind (or None) per distinct value."""
        if repairs.present().any():
            self._repairs.append(repairs)

    def repairs(self, rows: np.ndarray) -> pd.Series:
        """The repair kinds of the given rows, joined with ``|`` ('' for none), as categories.

        Rows are grouped by their combination of repair kinds (a few combinations); each
        combination is joined once.
        """
        key = np.zeros(len(rows), dtype=np.int64)  # a number per combination of kinds
        size = 1  # how many numbers the key can take so far
        columns = []  # per repair column: each row's kind number (-1 for none), and the kinds
        for repairs in self._repairs:
            which, kinds = pd.factorize(objects(repairs.uniques))
            per_row = which[repairs.codes[rows]]
            columns.append((per_row, kinds.tolist()))
            if size > _KEY_LIMIT // (len(kinds) + 1):  # numbered afresh, to stay within int64
                key, size = pd.factorize(key)[0].astype(np.int64), len(rows)
            key = key * (len(kinds) + 1) + per_row + 1
            size *= len(kinds) + 1
        combination = pd.factorize(key)[0]  # numbered in the order the combinations first occur
        # so each one first occurs where the highest number so far goes up
        first = np.flatnonzero(np.diff(np.maximum.accumulate(combination), prepend=-1) > 0)
        joined = [
            "|".join(kinds[per_row[r]] for per_row, kinds in columns if per_row[r] >= 0)
            for r in first
        ]
        codes, texts = pd.factorize(pd.array(joined, dtype=_TEXT))
        return pd.Series(pd.Categorical.from_codes(codes[combination], categories=texts))


# The largest number a combination of repair kinds is given before they are numbered afresh.
_KEY_LIMIT = 2**62


def _only(values: Coded, where: np.ndarray) -> Coded:
    """The column with None for the distinct values where ``where`` (per distinct value) is False."""
    return Coded(
        values.codes, [v if w else None for v, w in zip(values.uniques, where, strict=True)]
    )


def _row_flags(flags: np.ndarray, kind: str) -> Coded:
    """A per-row yes/no as a column: ``kind`` where yes, None where no."""
    return Coded(flags.astype(np.intp), [None, kind])


def _column(table: RawTable, field_name: str) -> Coded:
    """A field's raw cells, encoded (all None when the profile does not map it)."""
    if not table.has(field_name):
        return Coded(np.zeros(table.rows_read, dtype=np.intp), [None])
    return table.coded[field_name]


def _activities(table: RawTable, rows: _Rows) -> Coded:
    profile = table.profile

    def lookup(code_cell: object, outcome_cell: object) -> tuple[str | None, str | None]:
        code, outcome = text(code_cell), text(outcome_cell)
        if code is None:
            return None, p.UNKNOWN_CODE
        activity = profile.activity_for(code, outcome)
        if activity is None:
            return None, p.UNKNOWN_CODE
        raw = str(code_cell)
        exact = raw in profile.codes or (
            outcome is not None and profile.code_key(raw, str(outcome_cell)) in profile.codes
        )
        return activity, None if exact else CODE_FOLDED

    activities, repairs = per_pair(
        _column(table, "code"), _column(table, "outcome"), lookup, parts=2
    )
    found = activities.present()
    rows.flag(Coded(activities.codes, [None if f else p.UNKNOWN_CODE for f in found]), "code")
    rows.repair(_only(repairs, found))
    return activities


def _local_times(table: RawTable, rows: _Rows) -> tuple[Coded, pd.Series]:
    """Local calendar dates (date objects, None when absent) and UTC timestamps of every row."""
    profile = table.profile
    if profile.timestamp_iso and table.has("timestamp"):
        codes, uniques = distinct(_column(table, "timestamp"))
        stamps, reasons = _iso_timestamps(uniques)
        for i in np.flatnonzero(stamps.notna() & ~p.on_calendar(stamps, profile.timezone)):
            stamps.iloc[i], reasons[i] = pd.NaT, p.IMPOSSIBLE_DATE
        rows.flag(Coded(codes, reasons), "timestamp")
        local = stamps.dt.tz_convert(profile.timezone).dt.tz_localize(None)
        days = local.to_numpy().astype("datetime64[D]").tolist()  # dates, None for none
        naive = stamps.dt.tz_localize(None).to_numpy()
        utc = pd.Series(naive[codes]).dt.tz_localize(p.UTC)
        return Coded(codes, days), utc
    kind_xlsx = profile.file_kind == "xlsx"

    def one_date(value: object) -> tuple[Any, str | None, str | None]:
        parsed = _parse_date(value, profile.date_patterns, profile.excel_serial)
        repair = parsed.repair if parsed.value else None
        if kind_xlsx and isinstance(value, str) and parsed.value and parsed.repair is None:
            repair = p.DATE_TEXT
        return parsed.value, parsed.reason, repair

    dates, reasons, repairs = per_value(_column(table, "date"), one_date, parts=3)
    rows.flag(reasons, "date")
    rows.repair(repairs)
    day_values = np.array(
        [np.datetime64("NaT") if d is None else np.datetime64(d, "D") for d in dates.uniques],
        dtype="datetime64[D]",
    )
    days = day_values[dates.codes].astype("datetime64[us]")
    offsets = np.zeros(rows.n, dtype="timedelta64[us]")
    if table.has("time"):
        seconds, reasons = per_value(
            _column(table, "time"),
            lambda v: _seconds(_parse_time(v, profile.time_pattern)),
            parts=2,
        )
        rows.flag(reasons, "time")
        per_time = np.array(seconds.uniques, dtype=float)
        missing_u = np.isnan(per_time)
        micros = (np.where(missing_u, 0, per_time) * 1_000_000).astype(np.int64)
        offsets = micros[seconds.codes].astype(offsets.dtype)
        offsets[missing_u[seconds.codes]] = np.timedelta64("NaT")
    localized = p.localize(pd.Series(days + offsets), profile.timezone)
    rows.repair(_row_flags(localized.gap, p.DST_GAP))
    rows.repair(_row_flags(localized.overlap, p.DST_OVERLAP))
    return dates, localized.utc


def _iso_timestamps(uniques: list[Any]) -> tuple[pd.Series, list[str | None]]:
    """:func:`~toolkit.adapters.parsing.parse_iso_timestamp` of each distinct value: the UTC
    timestamps (NaT where none) and the reasons.

    Text of one exact shape, seconds and offset included (nearly every value), is parsed in one
    column expression; a value of that shape that names no real moment, and every other value,
    goes through the rule.
    """
    texts = _arrow_text(uniques)
    shaped = _mask(pc.match_substring_regex(texts, _ISO_PLAIN))
    stamps = pd.Series(pd.NaT, index=range(len(uniques)), dtype="datetime64[us, UTC]")
    parsed = pd.to_datetime(
        pd.Series(texts.filter(pa.array(shaped)), dtype=object),
        format=_ISO_PLAIN_FORMAT,
        utc=True,
        errors="coerce",
    )
    stamps.iloc[np.flatnonzero(shaped)] = parsed.dt.as_unit("us").array
    reasons: list[str | None] = [None] * len(uniques)
    for i in np.flatnonzero(stamps.isna().to_numpy()):
        result = p.parse_iso_timestamp(uniques[i])
        reasons[i] = result.reason
        if result.value is not None:
            stamps.iloc[i] = result.value
    return stamps, reasons


# The rules' results by value, kept across the files of an ingest (a time of day recurs in every
# export, a day in the exports of several organisations); ``typed``: 1, 1.0 and True differ.
_parse_date = lru_cache(maxsize=PARSED_KEPT, typed=True)(
    lambda value, patterns, excel_serial: p.parse_date(value, patterns, excel_serial=excel_serial)
)
_parse_time = lru_cache(maxsize=PARSED_KEPT, typed=True)(p.parse_time)


def _seconds(parsed: p.Parsed) -> tuple[float, str | None]:
    """A parsed time as seconds after midnight (NaN when it has none), and its reason."""
    if parsed.value is None:
        return np.nan, parsed.reason
    t = parsed.value
    return float(t.hour * 3600 + t.minute * 60 + t.second), parsed.reason


def _check_dates(dates: Coded, rows: _Rows, field_name: str, as_of: date) -> None:
    def check(d: date | None) -> str | None:
        if d is None:
            return None
        if d.year < p.EARLIEST_YEAR:
            return p.DATE_BEFORE_2000
        return p.FUTURE_DATE if d > as_of else None

    rows.flag(per_value(dates, check), field_name)


def _municipalities(table: RawTable, rows: _Rows, chain: Chain, dates: Coded) -> Coded:
    """The CBS code of each row's municipality, as it existed on the row's day.

    A code or name of a municipality that merged before the row's day becomes its successor's code
    (a repair); only a value the register never knew is quarantined, with the closest known
    municipality as the hint.
    """
    register = chain.register
    if table.has("municipality"):
        field_name = "municipality"

        def find(value: object, day: date | None) -> Municipality | None:
            code = p.municipality_code(value)
            return register.get(code) if code else None

    elif table.has("municipality_name"):
        field_name = "municipality_name"

        def find(value: object, day: date | None) -> Municipality | None:
            return register.by_name(str(value).strip(), day)

    else:
        return Coded(np.zeros(rows.n, dtype=np.intp), [None])

    def lookup(value: object, day: date | None) -> tuple[str | None, str | None, str | None, str]:
        if p.is_blank(value):
            return None, None, None, ""
        found = find(value, day)
        if found is None:
            close = register.closest(str(value))
            hint = f"closest: {close.name} ({close.code})" if close else ""
            return None, p.UNKNOWN_MUNICIPALITY, None, hint
        code = found.code if day is None else register.current_code(found.code, day)
        return code, None, p.MUNICIPALITY_SUCCESSOR if code != found.code else None, ""

    def same_every_day(value: object) -> bool:
        """Whether a code's lookup does not depend on the day: it names no merged municipality."""
        found = None if p.is_blank(value) else find(value, None)
        return found is None or found.valid_until is None

    values = _column(table, field_name)
    codes, reasons, repairs, hints = per_value(values, lambda v: lookup(v, None), parts=4)
    # a name can be that of several municipalities over time; a code needs the day only when
    # its municipality merged
    fixed = np.array(
        [field_name == "municipality" and same_every_day(u) for u in values.uniques], dtype=bool
    )
    by_day = np.flatnonzero(~fixed[values.codes])
    if len(by_day):
        pairs = per_pair(values.rows(by_day), dates.rows(by_day), lookup, parts=4)
        codes, reasons, repairs, hints = (
            _overlay(whole, part, by_day)
            for whole, part in zip((codes, reasons, repairs, hints), pairs, strict=True)
        )
    rows.flag(reasons, field_name, hints)
    rows.repair(repairs)
    return codes


def _overlay(whole: Coded, part: Coded, rows: np.ndarray) -> Coded:
    """``whole`` with the given rows' values taken from ``part`` (a column of those rows only)."""
    codes = whole.codes.copy()
    codes[rows] = part.codes + len(whole.uniques)
    return Coded(codes, [*whole.uniques, *part.uniques])


def _places(table: RawTable, rows: _Rows, chain: Chain) -> tuple[Coded, Coded]:
    """Each row's COA location or IND office under its register name, and whether it is unknown.

    A place the register lists under another spelling or an alias gets its register name (a
    repair); a place it does not list is kept as written, since new locations open every month.
    """
    kind = PLACE_KINDS.get(table.profile.organisation)

    def lookup(value: object) -> tuple[str | None, bool, str | None]:
        name = text(value)
        if name is None or kind is None:
            return name, False, None
        place = chain.places.find(kind, name)
        if place is None:
            return name, True, None
        return place.name, False, PLACE_NAME if place.name != name else None

    names, unknown, repairs = per_value(_column(table, "resource"), lookup, parts=3)
    rows.repair(repairs)
    return names, unknown


def _values(profile: Profile, field_name: str, column: Coded) -> Coded:
    table = {fold(k): v for k, v in profile.values.get(field_name, {}).items()}

    def lookup(value: object) -> str | None:
        raw = text(value)
        if not table:
            return raw
        return table.get(fold(raw or "")) or None

    return per_value(column, lookup)


def _optional(table: RawTable, field_name: str, fn: Callable[[Any], Any]) -> Coded:
    return per_value(_column(table, field_name), fn)


def _filled(values: Coded, fn: Callable[[list[Any]], list[Any]]) -> Coded:
    """``fn`` of the distinct values that are not None, all at once (None stays None)."""
    where = [i for i, v in enumerate(values.uniques) if v is not None]
    results: list[Any] = [None] * len(values.uniques)
    for i, result in zip(where, fn([values.uniques[i] for i in where]), strict=True):
        results[i] = result
    return Coded(values.codes, results)


def _text(values: _Texts, rows: np.ndarray) -> pd.Series:
    """The given rows of a text column as the log's text type, built in arrow (no object per row)."""
    taken = values.uniques.take(pa.array(values.codes[rows]))
    return taken.to_pandas(types_mapper={_ARROW_TEXT: _TEXT}.get)


_TEXT = pd.StringDtype(na_value=np.nan)
_ARROW_TEXT = pa.large_string()
# A V-nummer spelled with ASCII digits, perhaps with spaces or dashes between them.
_DIGITS_AND_SEPARATORS = r"^[0-9]([0-9 \-]*[0-9])?$"
_SEPARATORS = r"[ \-]"
# An ISO 8601 timestamp with seconds and a UTC offset, its fields within their ranges (the day of
# the month is checked by the parser; years far from ours are left to the rule, as pandas'
# parser does not refuse every one outside its range), and the format that parses that shape.
_ISO_PLAIN = (
    r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"[+\-]([01][0-9]|2[0-3]):[0-5][0-9]$"
)
_ISO_PLAIN_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
# The event columns with a value per person or per event; the others hold a few distinct values
# and stay categorical until the log is sorted (:func:`toolkit.eventlog.prepare` makes them
# text), a small fraction of the memory of the text.
_MANY = frozenset({"case:concept:name", "case:household", "ind_case"})


def _categorical(values: Coded, rows: np.ndarray | None) -> pd.Series:
    """The given rows (None: all) of a column of few distinct values, as a categorical of text."""
    texts = pd.array([None if v is None else str(v) for v in values.uniques], dtype=_TEXT)
    which, categories = pd.factorize(texts)
    codes = values.codes if rows is None else values.codes[rows]
    dtype = pd.CategoricalDtype(categories)  # the codes are its own: no check of every one
    return pd.Series(pd.Categorical.from_codes(which[codes], dtype=dtype, validate=False))


def _oversized(values: Coded) -> Coded:
    """``oversized_cell`` for the value a reader kept in place of a cell too long to be a value."""
    reasons = [
        OVERSIZED_CELL if v.__class__ is str and v == OVERSIZED else None for v in values.uniques
    ]
    return Coded(values.codes, reasons)


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
    profile = table.profile
    rows = _Rows(table)
    for field_name in profile.columns:
        column = _column(table, field_name)
        if OVERSIZED in column.uniques:  # a C loop of comparisons; rarely true
            rows.flag(_oversized(column), field_name)
    _check_personal_data(table, rows)
    vnummers, reasons, repairs = _vnummers(_column(table, "vnummer"))
    rows.flag(reasons, "vnummer")
    rows.repair(_only(repairs, _mask(pc.is_valid(vnummers.uniques))))
    activities = _activities(table, rows)
    dates, utc = _local_times(table, rows)
    date_field = "timestamp" if profile.timestamp_iso and table.has("timestamp") else "date"
    _check_dates(dates, rows, date_field, as_of)
    municipalities = _municipalities(table, rows, chain, dates)

    places, unknown_place = _places(table, rows, chain)
    resources = places if table.has("resource") else municipalities

    keep = np.flatnonzero(rows.ok)
    unknown = np.array([bool(u) for u in unknown_place.uniques], dtype=bool)
    named = keep[unknown[unknown_place.codes[keep]]]
    unknown_places = Counter(places.values(named).tolist())
    coded = {
        "case:concept:name": _Texts(vnummers.codes, key.persons(vnummers.uniques)),
        "concept:name": activities,
        "org:group": _filled(
            activities, lambda names: [chain.activity(a).organisation for a in names]
        ),
        "org:resource": resources,
        "municipality": municipalities,
        "location_type": _values(profile, "location_type", _column(table, "location_type")),
        "case:household": _pseudonyms(_column(table, "household"), _household, key.households),
        "case:nationality": _optional(table, "nationality", text),
        "case:birth_year_band": _optional(table, "birth_year", p.birth_year_band),
        "case:sex": _values(profile, "sex", _column(table, "sex")),
        "case:procedure": _values(profile, "procedure", _column(table, "procedure")),
        "case:track": _values(profile, "track", _column(table, "track")),
        "ind_case": _pseudonyms(
            _column(table, "case_number"), p.normalise_case_number, key.ind_cases
        ),
    }
    events = pd.DataFrame(
        {
            name: _text(values, keep) if name in _MANY else _categorical(values, keep)
            for name, values in coded.items()
        }
    )
    events["time:timestamp"] = utc.iloc[keep].reset_index(drop=True)
    for name, value in (("source_system", profile.source_system), ("source_file", source_file)):
        events[name] = _categorical(Coded(np.zeros(len(keep), dtype=np.intp), [value]), None)
    events["source_row"] = table.numbers[keep]
    events[REPAIRS] = rows.repairs(keep)
    identity = ("case:concept:name", "concept:name", "time:timestamp", "org:resource")
    parts = [events[c] for c in (*identity, "municipality")]
    events["event_id"] = content_ids(profile.source_system, parts)
    bad = np.flatnonzero(~rows.ok)
    activity = activities.values(bad)
    quarantine = pd.DataFrame(
        {
            "file": source_file,
            "row": table.numbers[bad],
            "column": rows.column[bad],
            "reason": rows.reason[bad],
            "activity": np.where(activity != None, activity, ""),  # noqa: E711
            "hint": rows.hint[bad],
        },
        columns=list(QUARANTINE_COLUMNS),
    )
    return Mapped(
        events=events, quarantine=quarantine, unknown_places=dict(sorted(unknown_places.items()))
    )


def _check_personal_data(table: RawTable, rows: _Rows) -> None:
    """Quarantine every row whose mapped text columns hold something shaped like personal data."""
    for field_name, kind in checked_fields().items():
        if table.has(field_name):
            why = reason(field_name)
            found = per_value(
                _column(table, field_name),
                lambda v, kind=kind, why=why: None if personal_data(text(v), kind) is None else why,
            )
            rows.flag(found, field_name)


def _household(value: object) -> str | None:
    """A household number in one spelling: upper case, no spaces (None when empty)."""
    raw = text(value)
    return raw.upper().replace(" ", "") if raw else None


def _pseudonyms(
    column: Coded,
    normalise: Callable[[Any], str | None],
    pseudonyms: Callable[[pa.Array], pa.Array],
) -> _Texts:
    """The pseudonym of each distinct identifier after ``normalise`` (None when it gives none).

    An identifier of ASCII letters and digits only (nearly every one) is what the normalisations
    make of it, in upper case: they remove spaces and separators and fold case. It skips them.
    """
    uniques = column.uniques
    texts = _arrow_text(uniques)
    simple = _mask(pc.ascii_is_alnum(texts))
    texts = pc.ascii_upper(texts)
    others = [normalise(uniques[i]) or None for i in np.flatnonzero(~simple)]
    numbers = _replaced(texts, simple, others) if others else texts
    return _Texts(column.codes, pseudonyms(numbers))


def count_repairs(repairs: pd.Series) -> Counter[str]:
    """How often each repair was needed, from the joined repair kinds of each row.

    The rows hold a few distinct joined values; each is split once and counted as often as it
    occurs.
    """
    counts: Counter[str] = Counter()
    for joined, n in repairs.value_counts().items():
        for kind in str(joined).split("|") if joined and n else ():
            counts[kind] += int(n)
    return counts
