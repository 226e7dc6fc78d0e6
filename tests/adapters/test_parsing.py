"""Known answers for the shared parsing rules: V-nummers, municipality codes, dates, DST."""

from __future__ import annotations

from datetime import date, datetime, time

import pandas as pd
import pytest

from toolkit.adapters import parsing as p

PATTERNS = ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y")
AMS = "Europe/Amsterdam"


@pytest.mark.parametrize(
    ("raw", "value", "repair"),
    [
        ("1234567890", "1234567890", None),
        (" 1234567890 ", "1234567890", None),
        ("123 456 7890", "1234567890", p.SEPARATORS),
        ("123-456-7890", "1234567890", p.SEPARATORS),
        ("012-345 6789", "0123456789", p.SEPARATORS),
        (123456789.0, "0123456789", p.ZERO_PADDED),  # a number cell that lost its zero
        (123456789, "0123456789", p.ZERO_PADDED),
        ("123456789", "0123456789", p.ZERO_PADDED),  # plain digits in a CSV
        ("0012345678", "0012345678", None),
    ],
)
def test_vnummer_spellings_normalise_to_ten_digits(raw, value, repair):
    parsed = p.normalise_vnummer(raw)
    assert (parsed.value, parsed.reason, parsed.repair) == (value, None, repair)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, p.MISSING_VNUMMER),
        ("", p.MISSING_VNUMMER),
        ("   ", p.MISSING_VNUMMER),
        (float("nan"), p.MISSING_VNUMMER),
        ("12345678901", p.INVALID_VNUMMER),
        ("V123456789", p.INVALID_VNUMMER),
        ("123456789.5", p.INVALID_VNUMMER),
        (1234.5, p.INVALID_VNUMMER),
        ("١٢٣٤٥٦٧٨٩٠", p.INVALID_VNUMMER),  # Arabic-Indic digits are not ASCII digits
    ],
)
def test_vnummer_that_is_not_one_is_quarantined(raw, reason):
    assert p.normalise_vnummer(raw) == p.Parsed(reason=reason)


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("Z20240001234", "Z20240001234"),
        (" z2024 000-1234 ", "Z20240001234"),
        (20240001234.0, "20240001234"),
        ("", None),
        (None, None),
    ],
)
def test_ind_case_numbers_normalise_to_one_spelling(raw, number):
    assert p.normalise_case_number(raw) == number


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("479", "GM0479"),
        ("0479", "GM0479"),
        ("GM0479", "GM0479"),
        ("gm0479", "GM0479"),
        (479.0, "GM0479"),
        ("34", "GM0034"),
        ("", None),
        ("Zaanstad", None),
        ("GM12345", None),
    ],
)
def test_municipality_codes(raw, code):
    assert p.municipality_code(raw) == code


@pytest.mark.parametrize(
    ("raw", "expected", "repair"),
    [
        (date(2024, 3, 5), date(2024, 3, 5), None),
        (datetime(2024, 3, 5, 0, 0), date(2024, 3, 5), None),
        ("05-03-2024", date(2024, 3, 5), None),
        ("5-3-2024", date(2024, 3, 5), None),
        ("2024-03-05", date(2024, 3, 5), p.DATE_OTHER_PATTERN),
        ("05/03/2024", date(2024, 3, 5), p.DATE_OTHER_PATTERN),
        ("05.03.2024", date(2024, 3, 5), p.DATE_OTHER_PATTERN),
        (45292, date(2024, 1, 1), p.DATE_SERIAL),  # a number cell
        (45292.0, date(2024, 1, 1), p.DATE_SERIAL),
        ("45292", date(2024, 1, 1), p.DATE_SERIAL),  # digits in a text column
        ("45356", date(2024, 3, 5), p.DATE_SERIAL),
    ],
)
def test_dates_in_every_written_form(raw, expected, repair):
    parsed = p.parse_date(raw, PATTERNS, excel_serial=True)
    assert (parsed.value, parsed.reason, parsed.repair) == (expected, None, repair)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("31-02-2024", p.IMPOSSIBLE_DATE),
        ("30-2-2023", p.IMPOSSIBLE_DATE),
        ("2024-04-31", p.IMPOSSIBLE_DATE),
        ("gisteren", p.INVALID_DATE),
        ("", p.MISSING_DATE),
        (None, p.MISSING_DATE),
    ],
)
def test_dates_that_cannot_be_read(raw, reason):
    assert p.parse_date(raw, PATTERNS, excel_serial=True).reason == reason


def test_serial_digits_are_not_a_date_where_the_profile_has_no_serials():
    assert p.parse_date("45292", PATTERNS, excel_serial=False).reason == p.INVALID_DATE


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10:15", time(10, 15)),
        ("9:05", time(9, 5)),
        ("10:15:30", time(10, 15, 30)),
        (time(10, 15), time(10, 15)),
        (0.5, time(12, 0)),
        ("", time(0, 0)),
        (None, time(0, 0)),
    ],
)
def test_times(raw, expected):
    assert p.parse_time(raw, "%H:%M").value == expected


def test_a_time_that_is_not_one():
    assert p.parse_time("25:99", "%H:%M").reason == p.INVALID_TIME


@pytest.mark.parametrize(
    ("local", "utc", "gap", "overlap"),
    [
        # Winter time: UTC+1.
        ("2024-01-15 12:00", "2024-01-15 11:00", False, False),
        # Summer time: UTC+2.
        ("2024-07-01 12:00", "2024-07-01 10:00", False, False),
        # Last minute before the spring change, still winter time.
        ("2024-03-31 01:59", "2024-03-31 00:59", False, False),
        # 02:30 on 31 March 2024 does not exist: read with the winter offset -> 01:30 UTC.
        ("2024-03-31 02:30", "2024-03-31 01:30", True, False),
        ("2024-03-31 02:00", "2024-03-31 01:00", True, False),
        # 03:00 is the first summer-time minute.
        ("2024-03-31 03:00", "2024-03-31 01:00", False, False),
        # 02:30 on 27 October 2024 happened twice: the first (summer, UTC+2) is taken.
        ("2024-10-27 02:30", "2024-10-27 00:30", False, True),
        # 03:00 on 27 October is winter time again.
        ("2024-10-27 03:00", "2024-10-27 02:00", False, False),
        ("2024-10-27 01:59", "2024-10-26 23:59", False, False),
    ],
)
def test_amsterdam_wall_clock_to_utc(local, utc, gap, overlap):
    result = p.localize(pd.Series(pd.to_datetime([local])), AMS)
    assert result.utc.iloc[0] == pd.Timestamp(utc, tz="UTC")
    assert str(result.utc.dtype) == "datetime64[us, UTC]"
    assert (bool(result.gap[0]), bool(result.overlap[0])) == (gap, overlap)


def test_localize_keeps_missing_times_missing():
    result = p.localize(pd.Series([pd.NaT, pd.Timestamp("2024-03-31 02:30")]), AMS)
    assert result.utc.isna().tolist() == [True, False]
    assert result.gap.tolist() == [False, True]


@pytest.mark.parametrize(
    ("raw", "utc"),
    [
        ("2024-03-05T10:15:00+01:00", "2024-03-05 09:15"),
        ("2024-07-05T10:15:00+02:00", "2024-07-05 08:15"),
        ("2024-07-05T08:15:00Z", "2024-07-05 08:15"),
    ],
)
def test_iso_timestamps_with_offset(raw, utc):
    assert p.parse_iso_timestamp(raw).value == pd.Timestamp(utc, tz="UTC")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("2024-02-30T10:15:00+01:00", p.IMPOSSIBLE_DATE),
        ("2024-03-05T10:15:00", p.INVALID_DATE),  # no offset: the zone would be a guess
        ("morgen", p.INVALID_DATE),
        ("", p.MISSING_DATE),
    ],
)
def test_iso_timestamps_that_cannot_be_read(raw, reason):
    assert p.parse_iso_timestamp(raw).reason == reason


@pytest.mark.parametrize(
    ("year", "band"),
    [(1992, "1990-1994"), (1995, "1995-1999"), ("2004", "2000-2004"), (1999.0, "1995-1999")],
)
def test_birth_year_becomes_a_five_year_band(year, band):
    assert p.birth_year_band(year) == band


def test_birth_year_that_is_no_year_gives_no_band():
    assert p.birth_year_band("onbekend") is None
    assert p.birth_year_band(None) is None
