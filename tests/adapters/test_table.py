"""The collector's columns: each mapped column holds the row's cell at that column's position, the
very objects the reader gave, for rows of equal and of unequal width."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.adapters import builtin_profiles
from toolkit.adapters.table import Collector

PROFILE = builtin_profiles()["coa-xlsx"]
HEADER = [*PROFILE.column_order]

# What a spreadsheet reader hands on as one cell.
cells = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.floats(allow_nan=True),
    st.integers(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.tuples(st.integers()),  # a cell that is itself a sequence stays one cell
)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _expected(collector: Collector, rows: list[list[object]]) -> list[list[object]]:
    padded = [[*row, *([None] * (collector.width - len(row)))] for row in rows]
    return [[row[i] for row in padded] for i in collector.positions]


def _same(columns, expected) -> None:
    assert [len(c) for c in columns] == [len(e) for e in expected]
    for column, cells_ in zip(columns, expected, strict=True):
        assert all(a is b for a, b in zip(column.tolist(), cells_, strict=True))


@SETTINGS
@given(st.integers(0, 3), st.lists(st.lists(cells, min_size=15, max_size=15), max_size=12))
def test_a_rectangle_is_cut_into_its_columns(extra, rows):
    header = [*HEADER, *(f"extra {i}" for i in range(extra))]
    collector = Collector(Path("x.xlsx"), PROFILE, header)
    rows = [row[: len(header)] for row in rows]
    _same(collector._mapped(rows), _expected(collector, rows))


@SETTINGS
@given(st.lists(st.lists(cells, min_size=0, max_size=14), max_size=12))
def test_short_and_long_rows_give_the_same_columns(rows):
    collector = Collector(Path("x.xlsx"), PROFILE, HEADER)
    _same(collector._mapped(rows), _expected(collector, rows))


def test_known_columns():
    row = ["0123456789", "HH1", 1990.0, "M", "Syrië", date(2024, 3, 5), "09:15", "INS"]
    row += ["Ter Apel", "AZC", "GM0014", "vrije tekst"]
    columns = Collector(Path("x.xlsx"), PROFILE, HEADER)._mapped([row, row])
    assert [c.tolist() for c in columns] == [[v, v] for v in row[:11]]
