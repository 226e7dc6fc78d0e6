"""Property tests: the parsers of dates, times, V-nummers, codes and cells take anything a cell can
hold (any text, any number, NaN and infinity, dates) and answer with a value or a quarantine
reason, never a traceback. Hypothesis generates the cells; its shrunk counterexample is the bug."""

from __future__ import annotations

import math
import unicodedata
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from toolkit.adapters import builtin_profiles
from toolkit.adapters import parsing as p
from toolkit.adapters.columns import Coded
from toolkit.adapters.mapping import _iso_timestamps, _pseudonyms, _vnummers, map_table
from toolkit.adapters.personal import personal_data
from toolkit.adapters.table import MAX_CELL_CHARS, ROW, RawTable, text_kinds
from toolkit.privacy import Pseudonymizer
from toolkit.terminal import UNSAFE_CATEGORIES, printable

KEY = Pseudonymizer(b"property-test-key-0123456789abcdef01234567")
PROFILES = builtin_profiles()
PATTERNS = sorted({pattern for prof in PROFILES.values() for pattern in prof.date_patterns})

# Everything a reader can hand on as one cell.
cells = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet="0123456789-/.: TZ+"),  # text that nearly is a date, time or number
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.timezones()),
    st.times(),
    st.timedeltas(),
)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parsed(result: p.Parsed) -> None:
    assert isinstance(result, p.Parsed)
    assert (result.value is None) != (result.reason is None)


@SETTINGS
@given(cells, st.booleans())
def test_dates(value, excel_serial):
    result = p.parse_date(value, tuple(PATTERNS), excel_serial=excel_serial)
    _parsed(result)
    assert result.value is None or isinstance(result.value, date)


@SETTINGS
@given(cells, st.sampled_from([None, "%H:%M", "%H%M"]))
def test_times(value, pattern):
    result = p.parse_time(value, pattern)
    _parsed(result)
    assert result.value is None or isinstance(result.value, time)


@SETTINGS
@given(cells)
def test_iso_timestamps(value):
    result = p.parse_iso_timestamp(value)
    _parsed(result)
    assert result.value is None or str(result.value.tz) == "UTC"


@SETTINGS
@given(cells)
def test_vnummers(value):
    result = p.normalise_vnummer(value)
    _parsed(result)
    if result.value is not None:
        assert result.value.isdigit() and len(result.value) == p.VNUMMER_DIGITS


# Identifiers as exports spell them: digits with separators, and cells of any other kind.
identifiers = st.lists(
    st.one_of(cells, st.text(alphabet="0123456789 -\u2010\u00a0\tZz"), st.text(max_size=3)),
    max_size=20,
)


@SETTINGS
@given(identifiers)
def test_identifier_columns_get_what_the_rules_give_each_value(values):
    """A column's V-nummers, household and case numbers (normalised in arrow where the spelling
    allows) and their pseudonyms are those of the rules applied value by value."""
    column = Coded(np.arange(len(values)), values)
    numbers, reasons, repairs = _vnummers(column)
    expected = [p.normalise_vnummer(v) for v in values]
    assert numbers.uniques.to_pylist() == [x.value for x in expected]
    assert reasons.uniques == [x.reason for x in expected]
    assert repairs.uniques == [x.repair for x in expected]
    cases = _pseudonyms(column, p.normalise_case_number, KEY.ind_cases).uniques.to_pylist()
    assert cases == [
        None if (n := p.normalise_case_number(v)) is None else KEY.ind_case(n) for v in values
    ]


# ISO timestamps as exports write them, near misses (a digit off, no offset, a space) among them.
iso_texts = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda t: t.replace(microsecond=0).isoformat()),
    st.from_regex(
        r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}\Z"
    ),
    st.text(alphabet="0123456789-:T+ Z", max_size=30),
)


@SETTINGS
@given(st.lists(st.one_of(iso_texts, cells), max_size=20))
@example(["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2024-02-30T10:15:00+01:00"])
def test_iso_timestamp_columns_get_what_the_rule_gives_each_value(values):
    """A column's timestamps (parsed in one column expression where the text allows) and
    reasons are those of the rule applied value by value."""
    stamps, reasons = _iso_timestamps(values)
    expected = [p.parse_iso_timestamp(v) for v in values]
    assert reasons == [x.reason for x in expected]
    assert stamps.tolist() == [pd.NaT if x.value is None else x.value for x in expected]


@SETTINGS
@given(
    st.lists(
        st.one_of(st.text(), st.text(alphabet=" \t\r\x0b\x0c\x1c\x1f\x85\xa0\u3000é")), unique=True
    )
)
def test_text_columns_are_blank_where_the_rule_says(texts):
    """Which distinct texts of a column are blank or too long, as arrow finds them, is what the
    blank rule and ``len`` say of each."""
    blank, oversized = text_kinds(pa.array(texts, pa.large_string()))
    assert blank.tolist() == [p.is_blank(t) for t in texts]
    assert oversized.tolist() == [len(t) > MAX_CELL_CHARS for t in texts]


@SETTINGS
@given(cells)
def test_case_numbers_municipality_codes_and_birth_years(value):
    number = p.normalise_case_number(value)
    assert number is None or (isinstance(number, str) and number)
    code = p.municipality_code(value)
    assert code is None or (code.startswith("GM") and len(code) == 6)
    band = p.birth_year_band(value)
    assert band is None or len(band) == len("1990-1994")


@SETTINGS
@given(st.sampled_from(sorted(PROFILES)), st.text(), st.one_of(st.none(), st.text()))
def test_codes(profile, code, outcome):
    activity = PROFILES[profile].activity_for(code, outcome)
    assert activity is None or activity in PROFILES[profile].activities


@SETTINGS
@given(cells, st.sampled_from(["name", "code"]))
def test_personal_data_check(value, kind):
    assert personal_data(value, kind) in (None, "email", "phone", "id_number",
                                          "two_capitalised_words")  # fmt: skip


@SETTINGS
@given(st.text())
def test_printable_names_hold_nothing_a_terminal_acts_on(name):
    shown = printable(name)
    assert not any(unicodedata.category(c) in UNSAFE_CATEGORIES for c in shown)
    if not any(unicodedata.category(c) in UNSAFE_CATEGORIES for c in name):
        assert shown == name


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(PROFILES)), st.data())
def test_a_whole_table_of_arbitrary_cells_maps_without_a_traceback(profile_name, data):
    """Rows of arbitrary cells: every row becomes an event or a quarantine entry."""
    profile = PROFILES[profile_name]
    n = data.draw(st.integers(min_value=1, max_value=6))
    frame = pd.DataFrame(
        {
            field: pd.Series(data.draw(st.lists(cells, min_size=n, max_size=n)), dtype=object)
            for field in profile.columns
        }
    )
    frame[ROW] = pd.Series(range(2, n + 2), dtype="int64")
    table = RawTable.from_frame(Path("x"), profile, frame)
    mapped = map_table(table, key=KEY, as_of=date(2025, 1, 1), source_file="x")
    assert len(mapped.events) + len(mapped.quarantine) == n


def test_the_edges_found_so_far():
    """Cells that once broke a parser, kept as plain examples."""
    for value in (math.inf, -math.inf, math.nan, 1e300, -0.0, True, timedelta(days=-1)):
        _parsed(p.normalise_vnummer(value))
        _parsed(p.parse_date(value, tuple(PATTERNS), excel_serial=True))
        _parsed(p.parse_time(value, None))
    assert p.municipality_code(math.inf) is None
    assert p.parse_date(datetime(2024, 1, 1), (), excel_serial=False).value == date(2024, 1, 1)
