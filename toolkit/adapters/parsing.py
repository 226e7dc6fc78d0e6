"""Parsing and normalising export values: the one place where every adapter's cleaning rules live.

Each function takes one raw cell as a reader delivers it (text, a number, a date from a spreadsheet
cell, or None) and returns the normalised value, or the quarantine reason why it has none, plus the
kind of repair it needed (so the ingest report can say how dirty a file was). Readers call these
through :mod:`toolkit.adapters.mapping`, which applies them once per distinct value.

Example::

    >>> normalise_vnummer("123-456-7890").value
    '1234567890'
    >>> normalise_vnummer(123456789.0)
    Parsed(value='0123456789', reason=None, repair='vnummer_zero_padded')
    >>> municipality_code("479")
    'GM0479'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd

VNUMMER_DIGITS = 10
YEAR_BAND = 5
# Excel's day 0 in the 1900 date system as every modern spreadsheet counts it (1900 is treated
# as a leap year, so serials after February 1900 count from 1899-12-30).
EXCEL_EPOCH = date(1899, 12, 30)
# Serials of 1 January 1900 and 31 December 9999: anything outside is not an Excel date.
EXCEL_SERIAL_RANGE = (1, 2_958_465)
EARLIEST_YEAR = 2000
# The first and last moments a calendar date can name (years 1 to 9999).
CALENDAR = (pd.Timestamp(datetime.min), pd.Timestamp(datetime.max))
UTC = "UTC"

# Quarantine reasons: what a user reads in quarantine.csv and the ingest report.
MISSING_VNUMMER = "missing_vnummer"
INVALID_VNUMMER = "invalid_vnummer"
MISSING_DATE = "missing_date"
INVALID_DATE = "invalid_date"
IMPOSSIBLE_DATE = "impossible_date"
FUTURE_DATE = "future_date"
DATE_BEFORE_2000 = "date_before_2000"
INVALID_TIME = "invalid_time"
UNKNOWN_CODE = "unknown_code"
UNKNOWN_MUNICIPALITY = "unknown_municipality"

# Repairs: values that were wrong in form but not in content, and were normalised.
SEPARATORS = "vnummer_separators"
ZERO_PADDED = "vnummer_zero_padded"
DATE_SERIAL = "date_excel_serial"
DATE_TEXT = "date_as_text"
DATE_OTHER_PATTERN = "date_other_pattern"
DST_GAP = "dst_gap"
DST_OVERLAP = "dst_overlap"
MUNICIPALITY_SUCCESSOR = "municipality_successor"

_SEPARATOR_CHARS = re.compile(r"[\s\-\u2010-\u2015\u00a0]")
_GM_CODE = re.compile(r"^(?:GM)?\s*(\d{1,4})$", re.IGNORECASE)
_DIGITS = re.compile(r"^\d+(?:\.0+)?$")
_ISO_SHAPE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}[T ]")
_PATTERN_PARTS = {"%d": r"\d{1,2}", "%m": r"\d{1,2}", "%Y": r"\d{4}", "%H": r"\d{1,2}"}
_PATTERN_PARTS |= {"%M": r"\d{1,2}", "%S": r"\d{1,2}", "%y": r"\d{2}"}


@dataclass(frozen=True)
class Parsed:
    """A normalised value, or the quarantine reason why there is none; and the repair it needed."""

    value: Any = None
    reason: str | None = None
    repair: str | None = None


def _whole(number: float | int | np.integer | np.floating) -> bool:
    """Whether a number cell holds a whole number (NaN and infinity do not)."""
    if isinstance(number, int | np.integer):
        return True
    return math.isfinite(number) and float(number).is_integer()


def is_blank(value: object) -> bool:
    """Whether a cell is empty: None, NaN or only whitespace."""
    if value.__class__ is str:
        return not value.strip()  # type: ignore[attr-defined]
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def normalise_vnummer(value: object) -> Parsed:
    """The 10-digit V-nummer behind any spelling the chain's exports use.

    Spaces and dashes are removed; a number that lost its leading zeros (a spreadsheet number cell,
    or plain digits in a CSV) is padded back to 10 digits. Anything else is not a V-nummer.
    """
    if is_blank(value):
        return Parsed(reason=MISSING_VNUMMER)
    if isinstance(value, bool):
        return Parsed(reason=INVALID_VNUMMER)
    if isinstance(value, int | float | np.integer | np.floating):
        if not _whole(value) or value < 0:
            return Parsed(reason=INVALID_VNUMMER)
        text, repair = str(int(value)), None
    else:
        raw = str(value).strip()
        text = _SEPARATOR_CHARS.sub("", raw)
        repair = SEPARATORS if text != raw else None
    if not text.isdigit() or not text.isascii() or len(text) > VNUMMER_DIGITS:
        return Parsed(reason=INVALID_VNUMMER)
    if len(text) < VNUMMER_DIGITS:
        return Parsed(text.zfill(VNUMMER_DIGITS), repair=ZERO_PADDED)
    return Parsed(text, repair=repair)


def normalise_case_number(value: object) -> str | None:
    """An IND case number (ZAAKNUMMER) in one spelling: upper case, no spaces or dashes.

    The same case written ``z2024 0001234`` in one export and ``Z20240001234`` in the next must
    give one pseudonym. A number cell loses nothing but its ``.0``. Empty gives None.
    """
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _SEPARATOR_CHARS.sub("", str(value).strip()).upper()
    return text or None


def municipality_code(value: object) -> str | None:
    """The CBS code ``GMxxxx`` of a code written as ``479``, ``0479`` or ``GM0479``; else None."""
    if is_blank(value):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        if not _whole(value):
            return None
        value = str(int(value))
    match = _GM_CODE.match(str(value).strip())
    return f"GM{int(match.group(1)):04d}" if match else None


def birth_year_band(value: object, width: int = YEAR_BAND) -> str | None:
    """The five-year band of a birth year (1992 -> '1990-1994'): never the exact year."""
    if is_blank(value):
        return None
    try:
        year = int(float(str(value).strip()))
    except (ValueError, OverflowError):  # not a number, or infinity
        return None
    if not 1900 <= year <= 2100:
        return None
    start = year - year % width
    return f"{start}-{start + width - 1}"


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    text = re.escape(pattern)
    for directive, part in _PATTERN_PARTS.items():
        text = text.replace(re.escape(directive), part)
    return re.compile(f"^{text}$")


def excel_serial_date(serial: float) -> Parsed:
    """The date of an Excel serial number (45292 -> 2024-01-01)."""
    low, high = EXCEL_SERIAL_RANGE
    if not low <= serial <= high:
        return Parsed(reason=INVALID_DATE)
    return Parsed(EXCEL_EPOCH + timedelta(days=int(serial)), repair=DATE_SERIAL)


def parse_date(value: object, patterns: tuple[str, ...], *, excel_serial: bool) -> Parsed:
    """A calendar date from a date cell, an Excel serial (cell or digits) or text in a pattern.

    The first pattern is the format's own; text in another pattern is repaired and counted. Text
    that has the shape of a pattern but names no real day (31-02-2024) is an impossible date;
    text of no known shape is an invalid one.
    """
    if is_blank(value):
        return Parsed(reason=MISSING_DATE)
    if isinstance(value, datetime):
        return Parsed(value.date())
    if isinstance(value, date):
        return Parsed(value)
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return excel_serial_date(float(value)) if excel_serial else Parsed(reason=INVALID_DATE)
    text = str(value).strip()
    if excel_serial and _DIGITS.match(text) and len(text.split(".")[0]) <= len("2958465"):
        return excel_serial_date(float(text))
    for i, pattern in enumerate(patterns):
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return Parsed(parsed, repair=None if i == 0 else DATE_OTHER_PATTERN)
    if any(_pattern_regex(p).match(text) for p in patterns):
        return Parsed(reason=IMPOSSIBLE_DATE)
    return Parsed(reason=INVALID_DATE)


def parse_time(value: object, pattern: str | None) -> Parsed:
    """A time of day from a time cell, a day fraction or text; empty means midnight.

    A missing time is not an error: most exports record only the day for some mutations.
    """
    if is_blank(value):
        return Parsed(time(0, 0))
    if isinstance(value, datetime):
        return Parsed(value.time().replace(microsecond=0))
    if isinstance(value, time):
        return Parsed(value.replace(microsecond=0))
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        if 0 <= seconds < 86400:
            return Parsed(time(seconds // 3600, seconds % 3600 // 60, seconds % 60))
        return Parsed(reason=INVALID_TIME)
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        if 0 <= value < 1:
            seconds = round(float(value) * 86400)
            return Parsed(time(seconds // 3600 % 24, seconds % 3600 // 60, seconds % 60))
        return Parsed(reason=INVALID_TIME)
    text = str(value).strip()
    for candidate in (pattern, "%H:%M", "%H:%M:%S", "%H.%M"):
        if candidate is None:
            continue
        try:
            return Parsed(datetime.strptime(text, candidate).time())
        except ValueError:
            continue
    return Parsed(reason=INVALID_TIME)


def parse_iso_timestamp(value: object) -> Parsed:
    """A tz-aware UTC timestamp from ISO 8601 text with an offset (``2024-03-05T10:15:00+01:00``).

    Text without an offset is not accepted here: its zone would be a guess.
    """
    if is_blank(value):
        return Parsed(reason=MISSING_DATE)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return Parsed(pd.Timestamp(value).tz_convert(UTC))
    text = str(value).strip()
    try:
        stamp = pd.Timestamp(datetime.fromisoformat(text))
    except ValueError:
        return Parsed(reason=IMPOSSIBLE_DATE if _ISO_SHAPE.match(text) else INVALID_DATE)
    if stamp.tzinfo is None:
        return Parsed(reason=INVALID_DATE)
    stamp = stamp.tz_convert(UTC)
    if not CALENDAR[0] <= stamp.tz_localize(None) <= CALENDAR[1]:
        return Parsed(reason=IMPOSSIBLE_DATE)
    return Parsed(stamp)


def on_calendar(stamps: pd.Series, timezone: str = UTC) -> np.ndarray:
    """Whether each UTC moment falls on a calendar day (years 1 to 9999) in ``timezone``.

    ``9999-12-31T23:59:59-01:00`` is a moment of the year 10000 in UTC, and the first hour of the
    year 1 in Amsterdam lies in the year 0 in UTC: no date names them. NaT is on no day.
    """
    first, last = CALENDAR
    naive = stamps.dt.tz_localize(None)
    inside = np.array(naive.between(first, last), dtype=bool)  # NaT is between nothing
    if timezone == UTC:
        return inside
    # A zone is less than a day off UTC: only moments within a day of either end can leave it.
    day = pd.Timedelta(days=1)
    safe = naive.between(first + day, last - day).to_numpy()
    for i in np.flatnonzero(inside & ~safe):
        try:
            local = stamps.iloc[i].tz_convert(timezone).tz_localize(None)
        except (NotImplementedError, OverflowError, ValueError):  # beyond Python's datetime
            local = None
        inside[i] = local is not None and first <= local <= last
    return inside


@dataclass(frozen=True)
class Localized:
    """Wall-clock times converted to UTC, with which of them fell in a DST gap or overlap."""

    utc: pd.Series
    gap: np.ndarray
    overlap: np.ndarray


def localize(local: pd.Series, timezone: str) -> Localized:
    """Convert naive wall-clock times in ``timezone`` to UTC, resolving DST transitions.

    A time inside the spring gap (02:30 on the last Sunday of March) did not exist: a clock that
    was not yet put forward wrote it, so it is read with the winter offset, which moves it forward
    by the gap (02:30 -> 03:30 CEST = 01:30 UTC). A time in the autumn overlap happened twice; the
    first occurrence (summer time) is taken, since exports keep no hint of the second.
    """
    local = pd.to_datetime(local).astype("datetime64[us]")
    aware = local.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
    # The rows in a gap or an overlap (a few, around the clock changes) are resolved apart.
    unsure = np.flatnonzero(aware.isna().to_numpy() & local.notna().to_numpy())
    gap = np.zeros(len(local), dtype=bool)
    overlap = np.zeros(len(local), dtype=bool)
    if len(unsure):
        few = local.iloc[unsure]
        first = np.ones(len(few), dtype=bool)
        in_gap = few.dt.tz_localize(timezone, ambiguous=first, nonexistent="NaT").isna()
        gap[unsure], overlap[unsure] = in_gap.to_numpy(), ~in_gap.to_numpy()
        shift = pd.Timedelta(hours=1)
        resolved = few.dt.tz_localize(timezone, ambiguous=first, nonexistent=shift)
        aware.iloc[unsure] = resolved.array
    return Localized(aware.dt.tz_convert(UTC), gap, overlap)
