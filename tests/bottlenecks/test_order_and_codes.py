"""Waits and relocations from positions and codes: the same tables whatever form the log takes.

The fast paths skip the sort of a log already in the contract's order and group integer codes
instead of text; a shuffled log, or one whose text columns are categories (as a dashboard
session holds them), must give the very same numbers.
"""

import pandas as pd
import pytest

from toolkit.bottlenecks.common import event_order, sort_events, text_values
from toolkit.bottlenecks.rework import relocation_rates
from toolkit.bottlenecks.waits import person_waits
from toolkit.eventlog import CASE
from toolkit.findings import find_bottlenecks
from toolkit.session import held

# columns that order the events keep their categories in text order; the others get them the
# other way round, so that a table ordered by category instead of by text shows
ORDERING = [CASE, "source_file"]
OTHER_TEXT = ["concept:name", "org:resource", "location_type", "case:household"]


def _shuffled(log: pd.DataFrame) -> pd.DataFrame:
    return log.sample(frac=1, random_state=1)


def _categories(log: pd.DataFrame) -> pd.DataFrame:
    backwards = {
        c: pd.CategoricalDtype(sorted(log[c].dropna().unique(), reverse=True)) for c in OTHER_TEXT
    }
    return log.astype({**dict.fromkeys(ORDERING, "category"), **backwards})


@pytest.fixture(scope="module")
def world(default_world):
    cfg, _, log = default_world
    return cfg, sort_events(log).reset_index(drop=True)


def test_event_order_is_the_sort(world):
    _, log = world
    assert (event_order(log) == range(len(log))).all()  # in order: nothing to sort
    shuffled = _shuffled(log.head(5000))
    expected = sort_events(shuffled).index
    assert (shuffled.index[event_order(shuffled)] == expected).all()
    some = event_order(shuffled, pd.RangeIndex(0, 5000, 3).to_numpy())
    assert (shuffled.index[some] == expected[expected.isin(shuffled.index[::3])]).all()


def test_text_values_are_astype_str():
    values = pd.Series(["b", None, "a"], dtype=pd.CategoricalDtype(["a", "b", "unused"]))
    pd.testing.assert_series_equal(text_values(values), values.astype(str))


@pytest.mark.parametrize("form", [_shuffled, _categories])
def test_relocation_rates_whatever_the_form(world, form):
    cfg, log = world
    expected = relocation_rates(log, as_of=cfg.cutoff)
    pd.testing.assert_frame_equal(relocation_rates(form(log), as_of=cfg.cutoff), expected)


@pytest.mark.parametrize("form", [_shuffled, _categories])
def test_person_waits_whatever_the_form(world, form):
    _, log = world
    waits = person_waits(form(log)).astype({"case": str})
    pd.testing.assert_frame_equal(waits, person_waits(log))


@pytest.mark.parametrize("form", [_shuffled, _categories, held])
def test_findings_whatever_the_form(world, form):
    """Every kind of finding, its figures and its rank, also on the log as a session holds it
    (all text as categories, whose codes are small integers)."""
    cfg, log = world
    expected = [f.to_dict() for f in find_bottlenecks(log, as_of=cfg.cutoff)]
    assert [f.to_dict() for f in find_bottlenecks(form(log), as_of=cfg.cutoff)] == expected
