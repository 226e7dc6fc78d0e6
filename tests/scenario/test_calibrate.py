"""Calibration against the generator's known capacities, and the state against the toolkit's WIP."""

import json

import numpy as np
import pandas as pd
import pytest

from toolkit.bottlenecks.wip import wip_per_day
from toolkit.errors import EventLogError
from toolkit.eventlog import CASE, HOUSEHOLD
from toolkit.scenario.calibrate import Estimate, calibrate
from toolkit.scenario.labels import estimate_text
from toolkit.scenario.run import scenario_start
from toolkit.scenario.state import initial_state
from toolkit.session import held
from toolkit.synthetic.simulation import NAREIS_STAGES

TOLERANCE = 0.10  # throughput of a queue that never runs empty is its capacity, up to chance


@pytest.fixture(scope="module")
def truth(chain_log_dir):
    return json.loads((chain_log_dir.parent / "raw" / "ground_truth.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def calibration(chain_log):
    return calibrate(chain_log, scenario_start(chain_log))


def test_interview_capacities_match_the_generators(calibration, truth):
    cap = truth["capacities"]
    got = calibration.capacities
    assert got.aanmeldgehoor == pytest.approx(cap["aanmeldgehoor_per_week"], rel=TOLERANCE)
    total = sum(got.nader_gehoor.values())
    assert total == pytest.approx(cap["nader_gehoor_per_week"], rel=TOLERANCE)
    # the offices' shares of the interviews are the config's shares
    shares = {o["name"]: o["share"] for o in truth["parameters"]["office"]}
    for office, per_week in got.nader_gehoor.items():
        assert per_week / total == pytest.approx(shares[office], abs=0.05)


def test_housing_supply_matches_the_generators(calibration, truth):
    supply = sum(calibration.capacities.housing.values())
    assert supply == pytest.approx(truth["capacities"]["housing_persons_per_week"], rel=TOLERANCE)


def test_every_estimate_says_how(calibration):
    assert len(calibration.estimates) >= 10
    for estimate in calibration.estimates:
        dutch, english = estimate_text(estimate, "nl"), estimate_text(estimate, "en")
        for text in (*dutch, *english):
            assert text and "{" not in text and "_" not in text, (estimate.parameter, text)
        assert dutch[0] != english[0] or estimate.parameter in ("dublin", "koppeling",
                                                                "taakstelling")  # fmt: skip
    assert calibration.config.raw["bottleneck"] == []
    assert np.mean(calibration.season) == pytest.approx(1.0)


def test_estimates_are_written_in_each_languages_notation():
    arrivals = Estimate("arrivals", {"households": 1229.46, "persons": 49.2})
    assert estimate_text(arrivals, "nl")[1] == "1.229,5 huishoudens (49,2 personen) per maand"
    assert estimate_text(arrivals, "en")[1] == "1,229.5 households (49.2 persons) per month"
    appeals = Estimate("appeals", {"appeal_share": 0.6534, "upheld_share": 0.15,
                                   "weeks": [13.52, 43.0]})  # fmt: skip
    assert (
        estimate_text(appeals, "nl")[1]
        == "65,3% in beroep, 15,0% gegrond, uitspraak na 13,5–43 weken"
    )
    offices = Estimate("nader_gehoor_capacity", {"offices": {"Ter Apel": 2.34, "Budel": 1.0}})
    assert estimate_text(offices, "nl")[1] == "Ter Apel 2,3; Budel 1,0 huishoudens per week"
    sizes = Estimate("household_sizes", {"sizes": {"1": 0.751, "2": 0.2, "6": 0.028}})
    assert estimate_text(sizes, "en")[1] == "1 person: 75.1%; 2 persons: 20.0%; 6 or more: 2.8%"
    assert estimate_text(sizes, "nl")[1] == "1 persoon: 75,1%; 2 personen: 20,0%; 6 of meer: 2,8%"


def test_state_holds_everyone_in_work_in_progress(chain_log):
    """Everyone the toolkit counts in the chain at the end, except those already past COA."""
    start = scenario_start(chain_log)
    everything = initial_state(chain_log, start, np.random.default_rng(1))
    state = [w for w in everything if w.stage not in NAREIS_STAGES]
    wip = wip_per_day(chain_log, as_of=start).iloc[-1]
    assert sum(len(w.members) for w in state) == wip["total"] - wip["start_gemeente"]
    members = [c for w in state for c in w.members]
    assert len(members) == len(set(members))
    assert all(w.since <= 0 and w.remaining >= 0 for w in state)
    # status holders: linking and housing together (a lost koppeling event moves one to the other)
    holders = sum(len(w.members) for w in state if w.stage in ("koppeling", "housing", "moving"))
    assert holders == wip["koppeling"] + wip["huisvesting"]
    # a pending family reunification belongs to one status holder who applied for it
    applied = set(chain_log.loc[chain_log["concept:name"] == "ind_nareis_aanvraag", CASE])
    nareis = [w for w in everything if w.stage in NAREIS_STAGES]
    assert nareis and all(len(w.members) == 1 and w.members[0] in applied for w in nareis)


def test_nothing_after_the_cut_is_used(chain_log):
    start = pd.Timestamp("2024-06-30 22:00", tz="UTC")
    assert (
        calibrate(chain_log, start).capacities
        == calibrate(chain_log[chain_log["time:timestamp"] < start], start).capacities
    )


def test_a_log_without_the_chain_gets_a_clear_answer(chain_log):
    other = chain_log[~chain_log["concept:name"].isin(["ind_nader_gehoor", "coa_koppeling"])]
    with pytest.raises(EventLogError, match="ind_nader_gehoor, coa_koppeling"):
        calibrate(other, scenario_start(chain_log))


def test_the_dashboards_log_of_categories_calibrates_alike(chain_log):
    """The dashboard holds the log's text as categories (toolkit.session.held); persons in the
    chain without a household, nationality or track are read alike from both."""
    start = scenario_start(chain_log)
    waiting = [w.members[0] for w in initial_state(chain_log, start, np.random.default_rng(0))]
    someone = chain_log[CASE].isin(waiting[:20])  # in the chain at the end: in the state
    log = chain_log.assign(**{column: chain_log[column].mask(someone)
                              for column in (HOUSEHOLD, "case:nationality", "case:track")})  # fmt: skip
    text, categories = calibrate(log, start), calibrate(held(log), start)
    assert categories.capacities == text.capacities
    assert categories.estimates == text.estimates
    state = initial_state(log, start, np.random.default_rng(0))
    assert initial_state(held(log), start, np.random.default_rng(0)) == state
