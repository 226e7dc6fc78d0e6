"""Known answers: the injected bottlenecks of generated worlds are found, in their family and
near the top; worlds without them flag no unit."""

from pathlib import Path

import pytest
from chain_logs import world_log

from toolkit.findings import FAMILIES, find_bottlenecks
from toolkit.synthetic.config import load_config
from toolkit.synthetic.simulation import simulate

PERSONS = 10_000
# the default's three kinds of bottleneck, moved to other units and another year
MOVED = """
[[bottleneck]]
kind = "slow_municipality"
municipality = "GM0344"
factor = 3.0
description = "Utrecht houses status holders three times slower than its share"

[[bottleneck]]
kind = "office_capacity_loss"
office = "Zevenaar"
factor = 0.5
start = "2023-10-01"
end = "2024-09-30"
description = "IND Zevenaar loses half its interview capacity for a year"

[[bottleneck]]
kind = "relocating_location"
location = "Dronten"
factor = 4.0
description = "COA Dronten relocates its residents four times as often"
"""
# which family and kind of unit finds each kind of injected bottleneck
FOUND_AS = {
    "slow_municipality": ("who", "municipality"),
    "office_capacity_loss": ("who", "office"),
    "relocating_location": ("rework", "location"),
}


def _findings(cfg, seed):
    return find_bottlenecks(world_log(simulate(cfg, PERSONS, seed), cfg), as_of=cfg.cutoff)


def _unit(bottleneck: dict) -> str:
    return bottleneck.get("municipality") or bottleneck.get("office") or bottleneck["location"]


def _check_found(cfg, findings) -> None:
    for bottleneck in cfg.raw["bottleneck"]:
        family, dimension = FOUND_AS[bottleneck["kind"]]
        about = [f for f in findings if f.family == family and f.segment
                 and f.segment[0] == dimension]  # fmt: skip
        assert about, bottleneck
        first = about[0]
        assert first.segment[1] == _unit(bottleneck), (bottleneck, [f.title_en for f in about])
        assert first.rank <= 10, (bottleneck, first.rank)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_injected_bottleneck_is_the_first_of_its_family_and_in_the_top_ten(seed):
    _check_found(load_config(), _findings(load_config(), seed))


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bottlenecks_moved_to_other_units_are_found_there(tmp_path: Path, seed):
    path = tmp_path / "moved.toml"
    path.write_text(MOVED, encoding="utf-8")
    cfg = load_config(path)
    assert {_unit(b) for b in cfg.raw["bottleneck"]} == {"GM0344", "Zevenaar", "Dronten"}
    _check_found(cfg, _findings(cfg, seed))


@pytest.mark.slow
def test_without_bottlenecks_no_unit_is_flagged_in_nine_of_ten_seeds(tmp_path: Path):
    path = tmp_path / "none.toml"
    path.write_text("bottleneck = []\n", encoding="utf-8")
    cfg = load_config(path)
    flagged = {}
    for seed in range(1, 11):
        units = [f.segment for f in _findings(cfg, seed) if f.segment is not None]
        if units:
            flagged[seed] = units
    assert len(flagged) <= 1, flagged


@pytest.fixture(scope="module")
def default_findings():
    return _findings(load_config(), 1)


def test_families_interleave_and_each_is_ranked_by_its_own_impact(default_findings):
    findings = default_findings
    assert [f.rank for f in findings] == list(range(1, len(findings) + 1))
    assert [f.family for f in findings[:4]] == list(FAMILIES)
    for family in FAMILIES:
        mine = [f.impact for f in findings if f.family == family]
        assert mine == sorted(mine, reverse=True)
    record = findings[1].to_dict()
    assert (record["family"], record["rank"]) == ("who", 2)


def test_where_lists_legs_that_do_not_overlap(default_findings):
    where = [f for f in default_findings if f.family == "where"]
    legs = [f.interval for f in where]
    assert len(legs) == len(set(legs))
    assert "N13" not in legs and "N05" not in legs  # headline, and the interval of N04
    assert {"N04", "N10", "N11"} <= set(legs)
    decision = next(f for f in where if f.interval == "N04")
    assert "(457 days)" in decision.explanation_en  # N05 is told inside N04's finding


def test_track_cohort_and_groups_are_never_who_findings(default_findings):
    dimensions = {f.segment[0] for f in default_findings if f.segment}
    assert dimensions <= {"municipality", "location", "office"}


def test_no_wait_is_compared_with_its_own_median(default_findings):
    assert not [f for f in default_findings if "median" in f.metric and f.family == "where"]


def test_titles_say_what_is_measured(default_findings):
    decision = next(f for f in default_findings if f.interval == "N04" and f.family == "where")
    share = f"{decision.value:.0%}"
    assert decision.title_nl == (
        f"Beslistermijn asiel: naar schatting {share} van de personen boven de norm van 183 dagen"
    )
    assert (
        decision.title_en
        == f"Statutory decision period: an estimated {share} of persons over the norm of 183 days"
    )
    assert all("langer dan de norm" not in f.title_nl for f in default_findings)


def test_the_demo_world_shows_all_three_injected_bottlenecks():
    from toolkit.dashboard_cli import DEMO_CONFIG, DEMO_PERSONS, DEMO_SEED

    cfg = load_config(DEMO_CONFIG)
    log = world_log(simulate(cfg, DEMO_PERSONS, DEMO_SEED), cfg)
    _check_found(cfg, find_bottlenecks(log, as_of=cfg.cutoff))
