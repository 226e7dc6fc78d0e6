"""Slow segments: a hand-built known answer, the injected bottlenecks, and honest error rates."""

import numpy as np
import pandas as pd
import pytest
from chain_logs import case_id, hand_log, null_config, world_log

from toolkit.bottlenecks.persons import person_attributes
from toolkit.bottlenecks.segments import slow_segments
from toolkit.chain import load_chain
from toolkit.chain.intervals import interval_bounds
from toolkit.eventlog import ACTIVITY, CASE, TIMESTAMP
from toolkit.synthetic.simulation import simulate

NULL_PERSONS = 6_000
NULL_INTERVALS = ("N01", "N04", "N11", "N13")
NULL_SEEDS = (1, 2, 3)
STRUCTURAL = ("municipality", "location", "office")


def _two_municipalities(households: dict[str, str] | None = None) -> pd.DataFrame:
    # N11 (koppeling -> offer), in winter time so that a day is 24 hours.
    # GM0479: 40 persons linked 1 Nov 2023, offers after 100, 101, ..., 139 days
    # GM0344: 40 persons linked 1 Nov 2023, offers after 50, 51, ..., 89 days
    start = pd.Timestamp("2023-11-01 10:00")
    rows = []
    for code, first, prefix in (("GM0479", 100, "z"), ("GM0344", 50, "u")):
        for i in range(40):
            case = f"{prefix}{i:02d}"
            offer = start + pd.Timedelta(days=first + i)
            rows.append((case, "coa_koppeling", str(start), "Gilze", code))
            rows.append((case, "gem_woning_aangeboden", str(offer), code, code))
    extra = {"case:household": households} if households else {}
    return hand_log(rows, **extra)


def test_slow_municipality_by_hand():
    table = slow_segments(_two_municipalities(), ["N11"], dimensions=["municipality"])
    table = table.set_index("value")
    slow, fast = table.loc["GM0479"], table.loc["GM0344"]
    # no censoring, so the KM median is the 20th of 40 sorted durations: 119 and 69 days
    assert slow["median_days"] == 119.0
    assert slow["median_rest"] == 69.0
    assert slow["effect_days"] == 50.0
    assert slow["effect_kind"] == "median"
    assert slow["relative_effect"] == pytest.approx(50 / 69)
    # excess: sum of (100 + i - 69) for i = 0..39 = 40 * 31 + 780 = 2020 person-days
    assert slow["excess_days"] == pytest.approx(2020.0)
    assert slow["p_value"] < 1e-6
    assert bool(slow["significant"]) and bool(slow["bottleneck"])
    # the faster one is tested too, one-sided, and is no bottleneck
    assert fast["effect_days"] == -50.0
    assert not bool(fast["slower"]) and not bool(fast["bottleneck"])
    assert fast["p_value"] > 0.99


def test_min_group_counts_persons_and_households_are_one_observation():
    # the same 80 persons in households of 20: two households per municipality. The effect is
    # unchanged, but the test sees 2 against 2 observations instead of 40 against 40.
    households = {f"{p}{i:02d}": f"{p}{i // 20}" for p in "zu" for i in range(40)}
    table = slow_segments(_two_municipalities(households), ["N11"], dimensions=["municipality"])
    slow = table.set_index("value").loc["GM0479"]
    assert slow[["persons", "households"]].tolist() == [40, 2]
    assert slow["effect_days"] == 50.0
    persons = slow_segments(_two_municipalities(), ["N11"], dimensions=["municipality"])
    assert slow["p_value"] > 1e4 * persons.set_index("value").loc["GM0479", "p_value"]
    assert slow["p_value"] > 0.01
    # with min_group above 40 persons nothing is tested
    assert slow_segments(_two_municipalities(), ["N11"], min_group=41).empty


def test_median_not_reached_uses_the_restricted_mean():
    # GM0479: only 10 of 40 get an offer (after 100..109 days) before as_of (1 May 2024,
    # 182 days): the KM median is not reached, so the effect is the difference in restricted
    # mean survival time up to the shorter follow-up (182 days). Rest as before.
    log = _two_municipalities()
    late = log["case:concept:name"].str.startswith("z") & log["concept:name"].eq(
        "gem_woning_aangeboden"
    )
    late &= log["case:concept:name"].str[1:].astype(int) >= 10
    log = log[~late]
    as_of = pd.Timestamp("2024-05-01 10:00", tz="Europe/Amsterdam")
    slow = slow_segments(log, ["N11"], dimensions=["municipality"], as_of=as_of)
    slow = slow.set_index("value").loc["GM0479"]
    assert slow["effect_kind"] == "rmst"
    assert np.isnan(slow["median_days"])
    # RMST segment: 100 days at S=1, then S falls by 1/40 per day over 100..109, then 0.75 to
    # 182: 100 + sum_{k=1..9} (1 - k/40) + 0.75 * (182 - 109) = 100 + 7.875 + 54.75 = 162.625;
    # RMST rest: 50 + sum_{k=1..39} (1 - k/40) = 50 + 19.5 = 69.5
    assert slow["effect_days"] == pytest.approx(162.625 - 69.5, abs=0.05)


def test_zaanstad_is_the_slowest_municipality_on_koppeling_to_offer(default_world):
    cfg, _, log = default_world
    table = slow_segments(log, ["N11"], as_of=cfg.cutoff)
    munis = table[(table["dimension"] == "municipality") & table["bottleneck"]]
    assert munis.iloc[0]["value"] == "GM0479"
    zaanstad = munis.iloc[0]
    # the true factor is 3 (ground truth); Kaplan-Meier on data cut at the cut-off understates
    # the slow group more, since more of it is still waiting
    assert zaanstad["median_days"] > 1.75 * zaanstad["median_rest"]


def test_den_bosch_is_the_slow_ind_office_in_its_capacity_loss_year(default_world):
    cfg, _, log = default_world
    cohort = ("2023-04-01", "2024-03-31")
    table = slow_segments(log, ["N01", "N04"], as_of=cfg.cutoff, cohort=cohort)
    offices = table[(table["dimension"] == "office") & table["bottleneck"]]
    assert set(offices["value"]) == {"Den Bosch"}
    assert set(offices["interval"]) == {"N01", "N04"}


def _shuffled(attributes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The attributes with the municipalities shuffled between households (a true null)."""
    linked = attributes.dropna(subset=["municipality"]).drop_duplicates("household")
    shuffled = dict(
        zip(linked["household"], rng.permutation(linked["municipality"].to_numpy()), strict=True)
    )
    return attributes.assign(municipality=attributes["household"].map(shuffled))


def test_false_positive_rate_on_shuffled_municipalities(default_world):
    # shuffling municipalities between households leaves no difference to find: a one-sided
    # test per municipality, BH-corrected, errs in about alpha = 5% of such runs
    cfg, _, log = default_world
    household = log.drop_duplicates(CASE).set_index(CASE)["case:household"]
    attributes = person_attributes(log, as_of=cfg.cutoff)
    attributes["household"] = attributes["case"].map(household)
    rng = np.random.default_rng(2024)
    runs = 10
    flagged = 0
    for _ in range(runs):
        table = slow_segments(
            log,
            ["N11"],
            dimensions=["municipality"],
            as_of=cfg.cutoff,
            attributes=_shuffled(attributes, rng),
        )
        flagged += int(table["significant"].any())
    # P(3 or more of 10 runs | 5% each) is about 1%
    assert flagged <= 2


def _true_ratio(world, cfg, log, interval: str, dimension: str, value: str) -> float:
    """Median of the segment over median of the rest, all persons followed to the world's end."""
    events = world.events.rename(
        columns={"person": CASE, "activity": ACTIVITY, "local_time": TIMESTAMP}
    )
    truth = interval_bounds(events, load_chain().norm(interval))
    truth = truth[truth["start"] < pd.Timestamp(cfg.cutoff) + pd.Timedelta(days=1)]
    days = ((truth["end"] - truth["start"]).dt.total_seconds() / 86_400).fillna(np.inf)
    segment = person_attributes(log).set_index("case")[dimension]
    inside = case_id(truth["case"]).map(segment).eq(value).to_numpy()
    return float(np.median(days[inside]) / np.median(days[~inside]))


@pytest.fixture(scope="module")
def null_flags(tmp_path_factory):
    """Material slow segments flagged in worlds without injected bottlenecks, with the true
    ratio of medians (segment / rest, every person followed to the end of the world)."""
    cfg = null_config(tmp_path_factory.mktemp("null"))
    flagged = []
    for seed in NULL_SEEDS:
        world = simulate(cfg, NULL_PERSONS, seed)
        log = world_log(world, cfg)
        table = slow_segments(log, NULL_INTERVALS, dimensions=STRUCTURAL, as_of=cfg.cutoff)
        for row in table[table["bottleneck"]].itertuples():
            ratio = _true_ratio(world, cfg, log, row.interval, row.dimension, row.value)
            flagged.append((seed, row.interval, row.dimension, row.value, round(ratio, 2)))
    return flagged


def test_without_injected_bottlenecks_flagged_segments_are_real_differences(null_flags):
    # Without injected bottlenecks, municipalities and IND offices are fed and served pro rata,
    # so their queues stay alike; what must never happen is a flag where the truth (everyone
    # followed to the end of the world) shows no material difference.
    assert all(ratio >= 1.25 for *_, ratio in null_flags), null_flags


def test_without_injected_bottlenecks_at_most_one_flag_per_world(null_flags):
    # BH at alpha = 5% over the segments of a world: about one false flag in twenty worlds
    assert len(null_flags) <= len(NULL_SEEDS), null_flags


def test_excess_days_are_summed_as_numpy_sums_them() -> None:
    """The compiled sum of days beyond the rest's median is numpy's own, to the last bit: the
    ranking of segments with equal excess does not depend on how they are added up."""
    from toolkit.bottlenecks.segments import _excess

    rng = np.random.default_rng(5)
    for n in [*range(0, 300, 7), *rng.integers(300, 60_000, 20)]:
        days = rng.exponential(200, n) * rng.choice([1.0, 1 / 24, 1e3], n)
        groups = rng.integers(-1, 4, n)
        benchmark = rng.uniform(50, 300, 4)
        summed = _excess(groups, days, benchmark, 4)
        for g in range(4):
            assert summed[g] == np.clip(days[groups == g] - benchmark[g], 0.0, None).sum()
