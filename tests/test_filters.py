"""LogFilter and apply_filter: one filter, pure, with the semantics its docstring promises."""

from datetime import date

import pandas as pd
import pytest

from toolkit.filters import LogFilter, apply_filter

LOCAL = "Europe/Amsterdam"


def _log() -> pd.DataFrame:
    # a: linked to Zaanstad (GM0479) only by its municipal event; lived at COA Gilze
    # b: linked to Utrecht (GM0344); lived at COA Sneek
    # c: no municipality; IND only
    rows = [
        ("a", "coa_instroom", "2024-03-01 10:00", "COA", "Gilze", None, "Syrië", "4"),
        ("a", "ind_aanvraag", "2024-03-31 23:30", "IND", "Ter Apel", None, "Syrië", "4"),
        ("a", "gem_woning_aangeboden", "2024-04-01 00:30", "GEMEENTE", "GM0479", "GM0479", "Syrië", "4"),
        ("b", "coa_instroom", "2024-02-01 10:00", "COA", "Sneek", None, "Eritrea", "2"),
        ("b", "gem_verhuisd", "2024-05-01 10:00", "GEMEENTE", "GM0344", "GM0344", "Eritrea", "2"),
        ("c", "ind_aanvraag", "2024-04-15 12:00", "IND", "Zevenaar", None, "Irak", "4"),
    ]  # fmt: skip
    frame = pd.DataFrame(
        rows,
        columns=[
            "case:concept:name", "concept:name", "local", "org:group", "org:resource",
            "municipality", "case:nationality", "case:track",
        ],
    )  # fmt: skip
    frame["time:timestamp"] = (
        pd.to_datetime(frame.pop("local")).dt.tz_localize(LOCAL).dt.tz_convert("UTC")
    )
    frame["org:group"] = frame["org:group"].astype("category")
    return frame


def _keys(log: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(log["case:concept:name"], log["concept:name"], strict=True))


def test_empty_filter_returns_the_log_unchanged():
    log = _log()
    assert apply_filter(log, LogFilter()) is log
    assert apply_filter(log, None) is log


def test_municipality_keeps_the_whole_journey_of_linked_persons():
    # a is linked to GM0479 by one event; all three of a's events stay (COA and IND too)
    out = apply_filter(_log(), LogFilter(municipality=["GM0479"]))
    assert _keys(out) == [
        ("a", "coa_instroom"),
        ("a", "ind_aanvraag"),
        ("a", "gem_woning_aangeboden"),
    ]


def test_location_keeps_persons_who_stayed_there_with_all_events():
    out = apply_filter(_log(), LogFilter(location=["Sneek"]))
    assert _keys(out) == [("b", "coa_instroom"), ("b", "gem_verhuisd")]
    # an IND office with the same name as nothing at COA selects nobody
    assert apply_filter(_log(), LogFilter(location=["Zevenaar"])).empty


def test_period_uses_amsterdam_calendar_days_inclusive():
    # 2024-03-31 23:30 local (21:30 UTC) is in March; 2024-04-01 00:30 local (22:30 UTC on
    # 31 March) is in April, although both are on 31 March in UTC
    out = apply_filter(_log(), LogFilter(period_from="2024-03-02", period_to="2024-03-31"))
    assert _keys(out) == [("a", "ind_aanvraag")]
    april = apply_filter(_log(), LogFilter(period_from=date(2024, 4, 1)))
    assert _keys(april) == [
        ("a", "gem_woning_aangeboden"),
        ("b", "gem_verhuisd"),
        ("c", "ind_aanvraag"),
    ]


def test_case_attributes_and_organisation_combine():
    out = apply_filter(_log(), LogFilter(track=["4"], organisation=["IND"]))
    assert _keys(out) == [("a", "ind_aanvraag"), ("c", "ind_aanvraag")]
    out = apply_filter(_log(), LogFilter(nationality="Eritrea"))
    assert set(out["case:concept:name"]) == {"b"}


def test_cohort_is_not_a_log_filter_but_a_window_for_intervals():
    f = LogFilter(cohort_from="2024-01-01", cohort_to="2024-03-31")
    assert len(apply_filter(_log(), f)) == len(_log())
    assert f.cohort == (date(2024, 1, 1), date(2024, 3, 31))
    assert LogFilter().cohort is None


def test_dict_round_trip_and_errors():
    f = LogFilter(municipality=["GM0479", "GM0344"], period_from="2024-01-01", track="4")
    d = f.to_dict()
    assert d == {
        "period_from": "2024-01-01",
        "municipality": ["GM0479", "GM0344"],
        "track": ["4"],
    }
    assert LogFilter.from_dict(d) == f
    with pytest.raises(ValueError, match="unknown field 'gemeente'"):
        LogFilter.from_dict({"gemeente": ["GM0479"]})
    with pytest.raises(ValueError, match="after"):
        LogFilter(period_from="2024-05-01", period_to="2024-04-01")
