"""The person filter on activities and paths of the process map: the persons it keeps are those a
plain pandas walk over each person's events finds, and as many as the map's path counts."""

from __future__ import annotations

import argparse
import json

import pandas as pd
import pytest

from toolkit.analysis import make_scope, section
from toolkit.analyze_cli import add_analyze_parser, log_filter
from toolkit.filters import LogFilter, apply_filter

CASE, ACTIVITY, TIME = "case:concept:name", "concept:name", "time:timestamp"
RELOCATION = "coa_overplaatsing"


def passed_path(log: pd.DataFrame, source: str, target: str) -> set[str]:
    """Plain pandas: per person, the next activity after each one, relocations left out."""
    steps = log[log[ACTIVITY].astype(str) != RELOCATION].sort_values([CASE, TIME], kind="stable")
    following = steps.groupby(CASE, observed=True)[ACTIVITY].shift(-1).astype(object)
    hit = (steps[ACTIVITY].astype(str) == source) & (following == target)
    return set(steps.loc[hit, CASE].astype(str))


def persons(log: pd.DataFrame) -> set[str]:
    return set(log[CASE].astype(str).unique())


def _hand_log() -> pd.DataFrame:
    rows = [
        ("a", "x", "2024-01-01"), ("a", RELOCATION, "2024-01-02"), ("a", "y", "2024-01-03"),
        ("b", "x", "2024-01-01"), ("b", "z", "2024-01-02"), ("b", "y", "2024-01-03"),
        ("c", "y", "2024-01-01"), ("c", "x", "2024-01-01"), ("c", "y", "2024-01-05"),
        ("d", RELOCATION, "2024-01-01"), ("d", "z", "2024-01-02"),
    ]  # fmt: skip
    log = pd.DataFrame(rows, columns=[CASE, ACTIVITY, "day"])
    log[TIME] = pd.to_datetime(log.pop("day"), utc=True)
    return log


def test_a_path_skips_relocations_and_keeps_whole_journeys():
    log = _hand_log()
    kept = apply_filter(log, LogFilter(path=["x:y"]))
    # a: x, relocation, y; c: y and x at the same moment keep their order, then y
    assert persons(kept) == {"a", "c"}
    assert len(kept) == 6  # every event of a and c
    assert persons(apply_filter(log, LogFilter(path=["y:x"]))) == {"c"}
    assert persons(apply_filter(log, LogFilter(path=["x:z", "z:y"]))) == {"b"}
    # the self-loop of the relocations: the persons relocated
    assert persons(apply_filter(log, LogFilter(path=[f"{RELOCATION}:{RELOCATION}"]))) == {"a", "d"}
    assert persons(apply_filter(log, LogFilter(activity=["z"]))) == {"b", "d"}


def test_a_path_must_name_two_activities():
    with pytest.raises(ValueError, match="two activities"):
        LogFilter(path=["ind_aanvraag"])
    assert LogFilter.from_dict(LogFilter(path=["x:y"], activity="x").to_dict()) == LogFilter(
        path=("x:y",), activity=("x",)
    )


def test_the_path_filter_keeps_the_persons_plain_pandas_finds(chain_log):
    graph = section(make_scope(chain_log), "dfg")
    edges = graph.edges[graph.edges["source"] != graph.edges["target"]]
    # the busiest paths, a rare one, and a path between organisations
    picked = [*edges.head(3).itertuples(), edges.iloc[len(edges) // 2]]
    picked += [next(edges[edges["source"].str[:3] != edges["target"].str[:3]].itertuples())]
    for row in picked:
        f = LogFilter(path=[f"{row.source}:{row.target}"])
        expected = passed_path(chain_log, row.source, row.target)
        assert persons(apply_filter(chain_log, f)) == expected, (row.source, row.target)
        # the persons the map counts on that path
        assert row.cases == len(expected)


def test_the_activity_filter_keeps_the_persons_with_that_activity(chain_log):
    expected = set(chain_log.loc[chain_log[ACTIVITY] == "gem_woning_geweigerd", CASE].astype(str))
    kept = apply_filter(chain_log, LogFilter(activity=["gem_woning_geweigerd"]))
    assert persons(kept) == expected and expected


def test_analyze_takes_the_path_from_its_flags(chain_log, chain_log_dir, tmp_path):
    parser = argparse.ArgumentParser(prog="ketenlens")
    add_analyze_parser(parser.add_subparsers(dest="command"))
    target = tmp_path / "out.json"
    args = parser.parse_args(["analyze", str(chain_log_dir), "--path",
                              "coa_koppeling:coa_uitstroom_gemeente", "--activity",
                              "ind_aanvraag", "--export", str(target)])  # fmt: skip
    assert log_filter(args) == LogFilter(
        path=["coa_koppeling:coa_uitstroom_gemeente"], activity=["ind_aanvraag"]
    )
    assert args.func(args) == 0
    summary = json.loads(target.read_text(encoding="utf-8"))["summary"]
    expected = passed_path(chain_log, "coa_koppeling", "coa_uitstroom_gemeente") & set(
        chain_log.loc[chain_log[ACTIVITY] == "ind_aanvraag", CASE].astype(str)
    )
    assert summary["persons"] == len(expected)
