"""Benchmark: the forecast's back-test on three generated worlds of 24,000 persons (printed and
checked; run with `.venv/bin/python -m pytest tests/benchmarks/test_forecast_accuracy.py -s
--benchmarks`).

Each world is cut 12 and 6 months before the end of its exports; the next 6 months are forecast
(500 runs) and compared with the log. Persons linked per municipality and month: WAPE of the
forecast and of the two naive forecasts (each municipality's pace of the last six months; the
taakstelling spread evenly over the half-year), which it must beat by a tenth, and the share of
municipality-months whose actual count lies in the 80% interval (70-90%, and within 8 points of
the intervals' own probability; 70-90% also where the counts allow an interval near 80%).
Printed for every metric the forecast publishes, per municipality and nationally: that share,
the intervals' own probability, the shares below and above, and the same where the interval
holds under 90% of the runs (see toolkit.forecast.backtest). Also printed: the seconds one
forecast takes.
"""

from __future__ import annotations

import subprocess
import sys
import time
import warnings

import pytest

from toolkit.adapters.ingest import ingest
from toolkit.eventlog import read_events
from toolkit.forecast.backtest import backtest_cuts
from toolkit.forecast.pipeline import forecast
from toolkit.privacy import DEMO_KEY, Pseudonymizer

PERSONS = 24_000
SEEDS = (11, 12, 13)
CUTS = ["2024-06-30", "2024-12-31"]
GENERATE = (
    "import sys; from pathlib import Path; from toolkit.synthetic.generate import generate; "
    "generate(persons=int(sys.argv[1]), seed=int(sys.argv[2]), out=Path(sys.argv[3]))"
)


@pytest.mark.parametrize("seed", SEEDS)
def test_forecast_backtest(seed, tmp_path):
    subprocess.run([sys.executable, "-c", GENERATE, str(PERSONS), str(seed), str(tmp_path / "raw")],
                   check=True)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ingest(tmp_path / "raw", tmp_path / "log", key=Pseudonymizer(DEMO_KEY))
    log = read_events(tmp_path / "log" / "events.parquet")
    started = time.perf_counter()
    forecast(log, as_of=CUTS[-1], months=12)
    seconds = time.perf_counter() - started
    result = backtest_cuts(log, CUTS)
    print(f"\nforecast back-test, seed {seed}, {PERSONS:,} persons: {result.text()}\n"
          f"one 12-month forecast {seconds:.1f} s")  # fmt: skip
    s = result.scores
    assert s["wape_forecast"] < 0.9 * min(s["wape_recent"], s["wape_taakstelling"])
    assert 0.70 <= s["coverage"] <= 0.90
    assert 0.70 <= s["near_coverage"] <= 0.90
    assert abs(s["coverage"] - s["probability"]) <= 0.08
