"""The back-test on generated worlds: cut the log 12 and 6 months before its end, forecast the
next 6 months, compare with what the log says happened (persons linked per municipality and
month). The forecast must beat both naive forecasts (each municipality's pace of the last six
months; the taakstelling spread evenly) on three seeds by a tenth, and its 80% intervals must be
calibrated: 70-90% coverage as a calibrated forecast of counts scores it (``pit_coverage``; the
share of actual counts inside the interval, printed too, is higher by as much as the counts are
small, see toolkit.forecast.backtest). Prints the figures (run with -s)."""

from __future__ import annotations

import warnings

import pytest

from toolkit.adapters.ingest import ingest
from toolkit.eventlog import read_events
from toolkit.forecast.backtest import backtest_cuts
from toolkit.privacy import DEMO_KEY, Pseudonymizer
from toolkit.synthetic.generate import generate

PERSONS = 12_000  # about 2,300 persons linked in the 12 months compared
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
    return request.param, read_events(root / "log" / "events.parquet")


@pytest.mark.slow
def test_forecast_beats_both_naive_forecasts_with_calibrated_intervals(world):
    seed, log = world
    s = backtest_cuts(log, list(CUTS), runs=RUNS).scores
    print(
        f"\nseed {seed}: WAPE forecast {s['wape_forecast']:.3f}, last 6 months' pace "
        f"{s['wape_recent']:.3f}, taakstelling pro rata {s['wape_taakstelling']:.3f}; "
        f"80% interval coverage {s['pit_coverage']:.1%} (counts inside {s['coverage']:.1%}); "
        f"persons linked {s['actual_persons']:.0f}, "
        f"forecast {s['forecast_persons']:.0f}"
    )
    assert s["wape_forecast"] < 0.9 * s["wape_recent"]
    assert s["wape_forecast"] < 0.9 * s["wape_taakstelling"]
    assert 0.70 <= s["pit_coverage"] <= 0.90
