"""Findings: the record, the ranking, a log from outside the chain, and the injected bottlenecks."""

import json

import numpy as np
import pandas as pd
import pytest
from chain_logs import hand_log

from toolkit.bottlenecks import find_bottlenecks, interval_summary
from toolkit.bottlenecks.findings import KINDS, rank
from toolkit.filters import LogFilter, apply_filter


def _generic_log() -> pd.DataFrame:
    # 40 cases of a process outside the chain: register -> pay.
    # cases 0-19 pay after 1 day, 20-29 after 11 days, 30-39 after 31 days:
    # median (1 + 11) / 2 = 6, mean (20 * 1 + 10 * 11 + 10 * 31) / 40 = 11,
    # beyond the median 10 * 5 + 10 * 25 = 300 person-days for 20 cases.
    # cases 0-29 register twice (same moment): 30 repeated cases, waits of 0 days.
    rows = []
    for i in range(40):
        case = f"c{i:02d}"
        rows.append((case, "register", "2024-01-01 10:00"))
        if i < 30:
            rows.append((case, "register", "2024-01-01 10:00"))
        paid = "2024-01-02" if i < 20 else "2024-01-12" if i < 30 else "2024-02-01"
        rows.append((case, "pay", f"{paid} 10:00"))
    return hand_log(rows)


def test_a_log_outside_the_chain_gets_waits_and_repeats_only():
    findings = find_bottlenecks(_generic_log())
    assert [f.kind for f in findings] == ["long_wait", "rework"]
    wait, repeat = findings
    assert wait.place == "transition register -> pay"
    assert (wait.value, wait.benchmark) == (11.0, 6.0)
    assert wait.excess_person_days == pytest.approx(300.0)
    assert wait.persons == 20
    assert wait.confidence == "descriptive"
    assert repeat.place == "activity register"
    assert repeat.value == pytest.approx(30 / 40)
    assert repeat.excess_events == 30
    assert repeat.excess_person_days == 0.0
    # fewer repeated cases than min_group: no rework finding
    assert [f.kind for f in find_bottlenecks(_generic_log(), min_group=31)] == ["long_wait"]


def test_findings_are_json_ready_and_carry_their_filter():
    f = LogFilter(period_from="2024-01-01")
    findings = find_bottlenecks(_generic_log(), filter=f)
    record = findings[0].to_dict()
    assert json.loads(json.dumps(record))["filter"] == {"period_from": "2024-01-01"}
    assert LogFilter.from_dict(record["filter"]) == f
    assert find_bottlenecks(_generic_log(), filter=LogFilter(period_from="2025-01-01")) == []


@pytest.fixture(scope="module")
def findings(default_world):
    cfg, _, log = default_world
    return find_bottlenecks(log, as_of=cfg.cutoff)


def _of(findings, kind, dimension=None):
    return [
        f
        for f in findings
        if f.kind == kind and (dimension is None or (f.segment and f.segment[0] == dimension))
    ]


def test_findings_of_some_kinds_ranked_together_are_all_findings(default_world, findings):
    cfg, _, log = default_world
    assert {f.kind for f in findings} == set(KINDS)  # every kind is there to be split off
    segments = find_bottlenecks(log, as_of=cfg.cutoff, kinds=["slow_segment"])
    assert segments and {f.kind for f in segments} == {"slow_segment"}
    rest = find_bottlenecks(log, as_of=cfg.cutoff, kinds=[k for k in KINDS if k != "slow_segment"])
    assert "slow_segment" not in {f.kind for f in rest}
    assert [f.to_dict() for f in rank(rest + segments)] == [f.to_dict() for f in findings]
    with pytest.raises(ValueError, match="unknown kind of finding 'slow'"):
        find_bottlenecks(log, kinds=["slow"])


def test_ranked_by_excess_person_days(findings):
    with_days = [f.excess_person_days for f in findings if f.kind != "rework"]
    assert with_days == sorted(with_days, reverse=True)
    assert {f.kind for f in findings} == {"norm_breach", "slow_segment", "long_wait", "rework"}
    assert findings[-1].kind == "rework"  # no person-days: after the rest


def test_zaanstad_is_found_as_slow_municipality(findings):
    slow = _of(findings, "slow_segment")
    munis = _of(findings, "slow_segment", "municipality")
    assert munis[0].segment == ("municipality", "GM0479")
    assert munis[0].interval in {"N11", "N13"}
    assert munis[0] in slow[:10]
    assert {f.interval for f in munis if f.segment[1] == "GM0479"} == {"N11", "N13"}


def test_den_bosch_is_found_as_slow_ind_office(findings):
    offices = _of(findings, "slow_segment", "office")
    assert offices[0].segment == ("office", "Den Bosch")
    assert offices[0] in _of(findings, "slow_segment")[:5]


def test_gilze_is_the_top_relocation_finding(findings):
    rework = _of(findings, "rework")
    assert rework[0].segment == ("location", "Gilze")
    assert rework[0].value > 2 * rework[0].benchmark


def test_norm_breach_findings_cover_the_housing_norm(findings):
    housing = [f for f in _of(findings, "norm_breach") if f.interval == "N13"]
    assert len(housing) == 1
    assert housing[0].value > 0.5  # most status holders wait beyond 14 weeks
    assert housing[0].persons > 0


def test_a_finding_is_reproduced_by_its_filter(default_world, findings):
    cfg, _, log = default_world
    zaanstad = next(f for f in findings if f.segment == ("municipality", "GM0479"))
    view = apply_filter(log, LogFilter.from_dict(zaanstad.filter))
    row = interval_summary(view, norms=[zaanstad.interval], as_of=cfg.cutoff).iloc[0]
    assert row["median_days"] == pytest.approx(zaanstad.value, rel=0.02)


def test_long_waits_are_the_transitions_with_most_waiting_beyond_their_median(
    default_world, findings
):
    """The long-wait findings against a plain grouping of the waits by their activities' text:
    per transition its median, mean, days beyond the median and the persons with such days."""
    from toolkit.bottlenecks.findings import WAIT_FINDINGS
    from toolkit.bottlenecks.waits import person_waits

    _, _, log = default_world
    waits = person_waits(log).astype({"from_activity": str, "to_activity": str})
    grouped = waits.groupby(["from_activity", "to_activity"])["days"]
    median = grouped.transform("median")
    beyond = (waits["days"] - median).clip(lower=0.0)
    table = pd.DataFrame({"n": grouped.size(), "median": grouped.median(),
                          "mean": grouped.mean()})  # fmt: skip
    table["excess"] = beyond.groupby([waits["from_activity"], waits["to_activity"]]).sum()
    over = waits[beyond > 0]
    table["affected"] = over.groupby(["from_activity", "to_activity"])["case"].nunique()
    table = table[(table["n"] >= 30) & (table["excess"] > 0)]
    expected = table.sort_values("excess", ascending=False, kind="stable").head(WAIT_FINDINGS)
    found = [f for f in findings if f.kind == "long_wait"]
    assert [f.place for f in found] == [f"transition {a} -> {b}" for a, b in expected.index]
    for f, (_, row) in zip(found, expected.iterrows(), strict=True):
        assert (f.value, f.benchmark) == (row["mean"], row["median"])  # to the bit
        assert f.excess_person_days == row["excess"]
        assert f.persons == row["affected"]


def test_pair_statistics_are_those_of_a_pandas_grouping_to_the_bit():

    rng = np.random.default_rng(3)
    pair = rng.integers(0, 40, 20_000)
    days = rng.exponential(30.0, 20_000) * rng.choice([1e-3, 1.0, 1e3], 20_000)
    days[::97] = np.nan  # missing days count as waits, but not in the statistics
    pair[:50] = 42  # a pair whose days are all missing
    days[pair == 42] = np.nan
    _check_pair_statistics(pair, days)
    # pairs in order without missing days: pandas' other way of adding
    order = np.argsort(pair, kind="stable")
    pair, days = pair[order], np.nan_to_num(days[order], nan=1.5)
    _check_pair_statistics(pair, days)


def _check_pair_statistics(pair: np.ndarray, days: np.ndarray) -> None:
    from toolkit.bottlenecks.findings import _pair_statistics

    count, median, mean, excess, beyond = _pair_statistics(pair, days, 45)
    grouped = pd.Series(days).groupby(pair)
    present = np.flatnonzero(count)
    assert present.tolist() == grouped.size().index.tolist()
    assert count[present].tolist() == grouped.size().tolist()
    assert np.array_equal(median[present], grouped.median().to_numpy(), equal_nan=True)
    assert np.array_equal(mean[present], grouped.mean().to_numpy(), equal_nan=True)
    expected = (pd.Series(days) - grouped.transform("median")).clip(lower=0.0)
    assert np.array_equal(beyond, expected.to_numpy(), equal_nan=True)
    assert np.array_equal(excess[present], expected.groupby(pair).sum().to_numpy())
