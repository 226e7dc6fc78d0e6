"""The repair kinds of each row, joined: what joining each row's kinds one by one gives, with the
combinations as categories in the order they first occur."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.adapters import builtin_profiles, mapping
from toolkit.adapters.columns import Coded
from toolkit.adapters.mapping import _Rows
from toolkit.adapters.table import RawTable

PROFILE = builtin_profiles()["coa-xlsx"]
KINDS = ["vnummer_separators", "date_as_text", "dst_gap", "place_name"]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def repair_columns(draw):
    n = draw(st.integers(0, 30))
    columns = []
    for _ in range(draw(st.integers(0, 5))):
        uniques = draw(st.lists(st.sampled_from([None, *KINDS]), min_size=1, max_size=4))
        codes = draw(st.lists(st.integers(0, len(uniques) - 1), min_size=n, max_size=n))
        columns.append(Coded(np.array(codes, dtype=np.intp), uniques))
    rows = np.array(sorted(draw(st.sets(st.integers(0, max(n - 1, 0)), max_size=n))), dtype=int)
    return n, columns, rows[rows < n]


def _joined_row_by_row(columns, rows):
    return [
        "|".join(c.uniques[c.codes[r]] for c in columns if c.uniques[c.codes[r]] is not None)
        for r in rows
    ]


def _repairs(n, columns, rows):
    table = RawTable(path=Path("x.xlsx"), profile=PROFILE, numbers=np.arange(n, dtype=np.int64))
    outcome = _Rows(table)
    for column in columns:
        outcome.repair(column)
    return outcome.repairs(rows)


@SETTINGS
@given(repair_columns(), st.booleans())
def test_joined_kinds_are_those_of_each_row(drawn, renumber):
    n, columns, rows = drawn
    with pytest.MonkeyPatch.context() as patch:
        if renumber:  # numbering the combinations afresh after every column changes nothing
            patch.setattr(mapping, "_KEY_LIMIT", 1)
        result = _repairs(n, columns, rows)
    expected = _joined_row_by_row([c for c in columns if c.present().any()], rows)
    assert result.astype(str).tolist() == expected
    assert list(result.cat.categories) == list(dict.fromkeys(expected))


def test_known_combinations():
    separators = Coded(np.array([0, 1, 1, 0]), [None, "vnummer_separators"])
    text = Coded(np.array([1, 1, 0, 0]), ["date_as_text", None])
    result = _repairs(4, [separators, text], np.arange(4))
    assert result.tolist() == [
        "",
        "vnummer_separators",
        "vnummer_separators|date_as_text",
        "date_as_text",
    ]
    assert list(result.cat.categories) == result.tolist()
