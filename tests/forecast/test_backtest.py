"""The back-test on generated worlds: cut the log 12 and 6 months before its end, forecast the
next 6 months, compare with what the log says happened. The forecast of persons linked per
municipality and month must beat both naive forecasts (each municipality's pace of the last six
months; the taakstelling spread evenly) on three seeds by a tenth. Its 80% intervals must hold
the actual count in 70-90% of the municipality-months, and as often as they say (within 8
points of their own probability); in 70-90% also where the counts allow an interval near 80%
(the interval holds under 90% of the runs), for households linked per municipality there, and
over the national rows (permits, persons and households linked, move-outs per month). The
municipality the generator made three times slower is forecast to wait 2-4 times as long as the
nation, and the others as long as the nation. Prints the figures of every metric the forecast
publishes (run with -s)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from toolkit.adapters.ingest import ingest
from toolkit.chain import load_chain
from toolkit.eventlog import read_events
from toolkit.forecast.backtest import backtest_cuts
from toolkit.forecast.model import fit
from toolkit.forecast.pipeline import moment_of
from toolkit.forecast.state import unit_table
from toolkit.privacy import DEMO_KEY, Pseudonymizer
from toolkit.synthetic.generate import generate

PERSONS = 12_000  # about 2,400 persons linked in the 12 months compared
SEEDS = (11, 12, 13)
CUTS = ("2024-06-30", "2024-12-31")  # the generated exports end on 2025-06-30
RUNS = 100


@pytest.fixture(scope="module", params=SEEDS)
def world(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"world{request.param}")
    generate(persons=PERSONS, seed=request.param, out=root / "raw")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ingest(root / "raw", root / "log", key=Pseudonymizer(DEMO_KEY))
    truth = json.loads((root / "raw" / "ground_truth.json").read_text("utf-8"))
    return request.param, read_events(root / "log" / "events.parquet"), truth


@pytest.mark.slow
def test_forecast_beats_both_naive_forecasts_and_its_intervals_hold_what_they_say(world):
    seed, log, _truth = world
    result = backtest_cuts(log, list(CUTS), runs=RUNS)
    print(f"\nseed {seed}, {PERSONS:,} persons: {result.text()}")
    s = result.scores
    assert s["wape_forecast"] < 0.9 * s["wape_recent"]
    assert s["wape_forecast"] < 0.9 * s["wape_taakstelling"]
    assert 0.70 <= s["coverage"] <= 0.90
    assert abs(s["coverage"] - s["probability"]) <= 0.08
    assert 0.70 <= s["near_coverage"] <= 0.90
    assert 0.70 <= s["households_near_coverage"] <= 0.90
    assert 0.70 <= s["national_coverage"] <= 0.90


@pytest.mark.slow
def test_the_slow_municipality_is_forecast_to_house_as_slowly_as_it_was_made_to(world):
    # the generator makes one municipality take `factor` times as long from koppeling to offer;
    # with too few move-outs for a curve of its own, the forecast stretches the nation's
    seed, log, truth = world
    (slow,) = [b for b in truth["bottlenecks"] if b["kind"] == "slow_municipality"]
    chain = load_chain()
    for cut in CUTS:
        moment = moment_of(log, cut)
        model = fit(unit_table(log, moment), moment, chain)
        ratios = model.housing_ratio
        others = np.array([r for code, r in ratios.items() if code != slow["municipality"]])
        print(f"\nseed {seed}, {cut}: {slow['municipality']} {ratios[slow['municipality']]:.2f} "
              f"times the national wait (made {slow['factor']}), the others "
              f"{np.quantile(others, [0.05, 0.5, 0.95]).round(2)} (5%, median, 95%)")  # fmt: skip
        assert 2 / 3 <= ratios[slow["municipality"]] / slow["factor"] <= 4 / 3
        assert ((others > 0.8) & (others < 1.25)).mean() >= 0.95
