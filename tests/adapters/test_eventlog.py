"""The event-log contract: the one validation every writer calls refuses what breaks it."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from toolkit import eventlog
from toolkit.errors import EventLogError
from toolkit.eventlog import (
    EVENT_COLUMNS,
    SORT_KEYS,
    case_table,
    events_parquet,
    factorized,
    first_occurrence,
    prepare,
    read_events,
    sort_order,
    spread_case_attributes,
    validate,
)
from toolkit.privacy import Pseudonymizer

KEY = Pseudonymizer(b"k" * 40)
A, B = KEY.person("0123456789"), KEY.person("9876543210")


def _raw() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case:concept:name": [B, A, A],
            "concept:name": ["coa_instroom", "ind_aanvraag", "ind_aanmelding"],
            "time:timestamp": pd.to_datetime(
                ["2024-01-05 10:00", "2024-01-03 10:00", "2024-01-02 10:00"], utc=True
            ),
            "org:group": ["COA", "IND", "IND"],
            "org:resource": ["Ter Apel", "Zevenaar", "Zevenaar"],
            "municipality": [None, None, None],
            "case:nationality": ["Eritrea", None, None],
            "event_id": ["e1", "e2", "e3"],
            "source_system": ["COA", "IND", "IND"],
            "source_file": ["coa.xlsx", "ind.csv", "ind.csv"],
            "source_row": [5, 3, 2],
        }
    )


def test_prepare_gives_the_contract_sorted_by_case_and_time():
    log = prepare(_raw())
    assert tuple(log.columns) == EVENT_COLUMNS
    by_a = ["ind_aanmelding", "ind_aanvraag"]
    expected = [*by_a, "coa_instroom"] if A < B else ["coa_instroom", *by_a]
    assert log["concept:name"].tolist() == expected
    assert str(log["time:timestamp"].dtype) == "datetime64[us, UTC]"
    assert list(log["org:group"].cat.categories)[:3] == ["IND", "COA", "GEMEENTE"]
    validate(log)


def test_a_column_outside_the_contract_is_refused():
    with pytest.raises(EventLogError, match="'BSN' is not part"):
        prepare(_raw().assign(BSN="123456782"))
    log = prepare(_raw())
    log["Achternaam"] = "Jansen"
    with pytest.raises(EventLogError, match="'Achternaam' is not part"):
        validate(log)


def test_naive_timestamps_are_refused():
    log = prepare(_raw())
    log["time:timestamp"] = log["time:timestamp"].dt.tz_localize(None)
    with pytest.raises(EventLogError, match="tz-aware UTC"):
        validate(log)


def test_unsorted_events_are_refused():
    log = prepare(_raw()).iloc[::-1].reset_index(drop=True)
    with pytest.raises(EventLogError, match="not sorted"):
        validate(log)


def test_a_raw_vnummer_as_case_id_is_refused():
    raw = _raw()
    raw["case:concept:name"] = ["0123456789", "0123456789", "0123456789"]
    with pytest.raises(EventLogError, match="pseudonyms"):
        validate(prepare(raw))


def test_the_ind_case_is_a_pseudonym_on_ind_events_only():
    case = KEY.ind_case("Z20240000001")
    log = prepare(_raw().assign(ind_case=[None, case, case]))
    validate(log)
    assert log.loc[log["org:group"] == "IND", "ind_case"].tolist() == [case, case]
    with pytest.raises(EventLogError, match="ind_case must hold pseudonyms only"):
        validate(prepare(_raw().assign(ind_case=[None, "Z20240000001", None])))
    with pytest.raises(EventLogError, match="ind_case is only for IND events"):
        validate(prepare(_raw().assign(ind_case=[case, None, None])))


def test_activities_and_organisations_come_from_the_chain():
    raw = _raw()
    raw.loc[0, "concept:name"] = "iets_anders"
    with pytest.raises(EventLogError, match="'iets_anders' is not in the chain"):
        validate(prepare(raw))
    raw = _raw()
    raw.loc[0, "org:group"] = "IND"  # coa_instroom is recorded by COA
    with pytest.raises(EventLogError, match="organisation of the activity"):
        validate(prepare(raw))
    # A log of another process is checked without the chain's vocabulary.
    validate(prepare(_raw().assign(**{"concept:name": "x"}), vocabulary=False), vocabulary=False)


def test_a_case_attribute_has_one_value_within_a_case():
    # A's two events: one nationality and one empty is one value; two nationalities are two
    validate(prepare(_raw().assign(**{"case:nationality": [None, "Syrië", None]})))
    validate(prepare(_raw().assign(**{"case:nationality": ["Eritrea", "Syrië", "Syrië"]})))
    with pytest.raises(EventLogError, match="more than one value within a case"):
        validate(prepare(_raw().assign(**{"case:nationality": [None, "Syrië", "Eritrea"]})))
    # neighbours of different cases may differ: B's value beside A's
    with pytest.raises(EventLogError, match="more than one value within a case"):
        validate(prepare(_raw().assign(**{"case:sex": ["M", "V", "M"]})))


def test_case_attributes_spread_over_the_persons_events():
    log = prepare(spread_case_attributes(_raw()))
    assert (
        log.groupby("case:concept:name")["case:nationality"].first().to_dict()
        == {
            B: "Eritrea",
            A: None,
        }
        or log["case:nationality"].isna().sum() == 2
    )
    assert log.loc[log["case:concept:name"] == B, "case:nationality"].tolist() == ["Eritrea"]


def test_written_logs_read_back_equal(tmp_path):
    log = validate(prepare(_raw()))
    (tmp_path / "events.parquet").write_bytes(events_parquet(log).to_pybytes())
    back = read_events(tmp_path / "events.parquet")
    plain = [frame.astype(object).where(frame.notna(), None) for frame in (back, log)]
    pd.testing.assert_frame_equal(*plain)
    assert str(back["time:timestamp"].dtype) == "datetime64[us, UTC]"


def test_case_table_lists_sources():
    cases = case_table(prepare(_raw())).set_index("case:concept:name")
    assert cases.loc[A, "sources"] == "IND"
    assert cases.loc[B, "sources"] == "COA"
    assert int(cases.loc[A, "events"]) == 2


def test_case_table_takes_first_attributes_and_last_municipality_in_any_order():
    raw = pd.DataFrame(
        {
            "case:concept:name": [A, A, A, B],
            "concept:name": ["coa_instroom", "gem_huisvesting", "gem_huisvesting", "ind_aanvraag"],
            "time:timestamp": pd.to_datetime(
                ["2024-01-02", "2024-03-01", "2024-02-01", "2024-01-05"], utc=True
            ),
            "org:group": ["COA", "GEMEENTE", "GEMEENTE", "IND"],
            "municipality": [None, "GM0363", "GM0518", None],
            "case:nationality": [None, "Syrië", "Eritrea", None],
            "event_id": ["e1", "e2", "e3", "e4"],
            "source_system": ["COA", "GEMEENTE", "GEMEENTE", "IND"],
            "source_file": ["coa.xlsx", "gem.csv", "gem.csv", "ind.csv"],
            "source_row": [2, 3, 2, 2],
        }
    )
    log = prepare(raw)
    cases = case_table(log).set_index("case:concept:name")
    # A's events by time: COA (no nationality), Feb (GM0518, Eritrea), Mar (GM0363, Syrië)
    assert cases.loc[A, "case:nationality"] == "Eritrea"
    assert cases.loc[A, "case:municipality"] == "GM0363"
    assert cases.loc[A, "sources"] == "COA+GEMEENTE"
    assert (cases.loc[A, "first_event"], cases.loc[A, "last_event"]) == (
        pd.Timestamp("2024-01-02", tz="UTC"),
        pd.Timestamp("2024-03-01", tz="UTC"),
    )
    assert pd.isna(cases.loc[B, "case:nationality"]) and pd.isna(cases.loc[B, "case:municipality"])
    assert int(cases.loc[A, "events"]) == 3 and int(cases.loc[B, "events"]) == 1
    # events out of order are the same persons (each person's events keep their order)
    later = log["case:concept:name"] == max(A, B)
    shuffled = pd.concat([log[later], log[~later]])
    pd.testing.assert_frame_equal(case_table(shuffled), case_table(log))
    assert case_table(log.iloc[:0]).empty


def _hex_ids(count: int) -> list[str]:
    return [hashlib.sha256(str(i).encode()).hexdigest()[:24] for i in range(count)]


@pytest.mark.parametrize(
    ("values", "as_words"),
    [
        (_hex_ids(5) + _hex_ids(2), True),  # event ids, two of them again
        ([*_hex_ids(3), "z" * 24, _hex_ids(1)[0], "z" * 24], True),  # one not hex, as long
        (["a" * 20, "b" * 20, "a" * 20], True),  # a length that is not whole words
        (["ä" * 12, "a" * 24, "ä" * 12], True),  # one length in bytes, not in characters
        ([*_hex_ids(3), "e1", _hex_ids(1)[0]], False),  # one of another length
        (["", ""], False),
    ],
)
def test_text_is_numbered_as_pandas_numbers_its_values(values, as_words):
    text = pd.Series(values, dtype="str")
    codes, count = factorized(text)
    expected, uniques = pd.factorize(np.array(values, dtype=object))
    assert codes.tolist() == expected.tolist()
    assert count == len(uniques)
    assert first_occurrence(text).tolist() == (~pd.Series(values).duplicated()).tolist()
    # values of one length in bytes are numbered as integers, the others as text
    assert (eventlog._fixed_width_factorized(text) is not None) == as_words


def test_values_that_share_a_hash_are_still_told_apart(monkeypatch):
    # without mixing, values with the same last eight bytes hash alike; the check catches it
    monkeypatch.setattr(eventlog, "_MIX", np.uint64(0))
    values = ["aaaaaaaa" + "x" * 16, "bbbbbbbb" + "x" * 16, "aaaaaaaa" + "x" * 16]
    assert factorized(pd.Series(values, dtype="str"))[0].tolist() == [0, 1, 0]


@pytest.mark.parametrize("in_source_order", [True, False])
def test_the_sort_order_is_that_of_a_stable_sort_by_the_keys(in_source_order):
    """The known answer: pandas' stable ``sort_values`` by case, time, file and row (an empty
    time last), for events that tie on case and time, in source order and out of it."""
    rng = np.random.default_rng(7)
    n = 3000
    stamps = pd.Series(
        pd.to_datetime("2024-01-01", utc=True) + pd.to_timedelta(rng.integers(0, 5, n), unit="D")
    )
    stamps[rng.random(n) < 0.02] = pd.NaT
    events = pd.DataFrame(
        {
            "case:concept:name": pd.Series(rng.choice([A, B, "c" * 16], n), dtype="str"),
            "time:timestamp": stamps.dt.as_unit("us"),
            "source_file": pd.Series(rng.choice(["b.csv", "a.xlsx", "a/c.csv"], n), dtype="str"),
            "source_row": rng.integers(2, 200, n),
        }
    )
    if in_source_order:
        events = events.sort_values(["source_file", "source_row"], kind="stable")
    events = events.reset_index(drop=True)
    expected = events.sort_values(list(SORT_KEYS), kind="stable").index.to_numpy()
    assert sort_order(events).tolist() == expected.tolist()


def test_event_ids_are_unique():
    log = prepare(_raw().assign(event_id=_hex_ids(3)))
    validate(log)
    twice = _hex_ids(2) + _hex_ids(1)
    with pytest.raises(EventLogError, match="event_id must be present and unique"):
        validate(prepare(_raw().assign(event_id=twice)))
    with pytest.raises(EventLogError, match="event_id must be present and unique"):
        validate(prepare(_raw().assign(event_id=["z" * 24, "y" * 24, "z" * 24])))
    with pytest.raises(EventLogError, match="event_id must be present and unique"):
        validate(prepare(_raw().assign(event_id=[_hex_ids(1)[0], None, "e3"])))


def test_prepare_spreads_case_attributes_as_spreading_after_it_does():
    raw = _raw().assign(**{"case:nationality": ["Eritrea", None, "Syrië"], "case:sex": "V"})
    raw["case:sex"] = raw["case:sex"].astype("category")
    spread = prepare(raw, spread=True)
    pd.testing.assert_frame_equal(spread, spread_case_attributes(prepare(raw)))
    assert (
        spread.loc[spread["case:concept:name"] == A, "case:nationality"].tolist() == ["Syrië"] * 2
    )
    # a case left empty cannot be a run of neighbours: spread by grouping, as spreading after does
    raw.loc[0, "case:concept:name"] = None
    pd.testing.assert_frame_equal(prepare(raw, spread=True), spread_case_attributes(prepare(raw)))


def test_prepare_of_kept_rows_equals_prepare_of_those_rows():
    """``rows`` picks the rows to keep; the known answer is ``prepare`` of those rows alone
    (spread afterwards where asked), a category present only in a dropped row included."""
    later = _raw().assign(
        **{
            "case:concept:name": [A, B, B],
            "concept:name": ["coa_instroom", "coa_overplaatsing", "coa_overplaatsing"],
            "time:timestamp": pd.to_datetime(
                ["2024-02-01 09:00", "2024-02-03 09:00", "2024-02-02 09:00"], utc=True
            ),
            "org:group": "COA",
            "org:resource": ["Budel", "Budel", "Dronten"],
            "case:nationality": [None, "Eritrea", None],
            "event_id": ["e4", "e5", "e6"],
            "source_system": "COA",
            "source_file": "coa2.xlsx",
            "source_row": [7, 9, 8],
        }
    )
    raw = pd.concat([_raw(), later], ignore_index=True)
    rows = np.array([0, 2, 3, 4])  # row 5, the only one at Dronten, is dropped
    for spread in (False, True):
        got = prepare(raw, rows=rows, spread=spread)
        plain = prepare(raw.iloc[rows].reset_index(drop=True))
        if spread:
            plain = spread_case_attributes(plain)
        pd.testing.assert_frame_equal(got, plain)
