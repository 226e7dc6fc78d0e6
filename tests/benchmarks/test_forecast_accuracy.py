"""Benchmark: the forecast's back-test on generated worlds of 12,000 and 24,000 persons, seeds
11, 12 and 13 (those the model was developed on) and a fourth, 29 (printed and checked; run with
`.venv/bin/python -m pytest tests/benchmarks/test_forecast_accuracy.py -s --benchmarks`).

Each world is cut 12 and 6 months before the end of its exports; the next 6 months are forecast
(500 runs) and compared with the log. Persons linked per municipality and month: WAPE of the
forecast and of the two naive forecasts (each municipality's pace of the last six months; the
taakstelling spread evenly over the half-year), which it must beat by a tenth, and the share of
municipality-months whose actual count lies in the 80% interval (70-90%, and within 8 points of
the intervals' own probability; 70-90% also where the counts allow an interval near 80%).
The national rows (permits, persons and households linked, move-outs; 48 per world) and the
households linked per municipality where an interval near 80% is possible must hold the actual
count 70-90% of the time too. Printed: one table row per world, then for every metric the
forecast publishes, per municipality and nationally, that share, the intervals' own
probability, the shares below and above, and the same where the interval holds under 90% of
the runs (see toolkit.forecast.backtest); and the seconds one 12-month forecast takes.
"""

from __future__ import annotations

import subprocess
import sys
import time
import warnings

import pytest

from toolkit.adapters.ingest import ingest
from toolkit.eventlog import read_events
from toolkit.forecast.backtest import BackTest, backtest_cuts
from toolkit.forecast.pipeline import forecast
from toolkit.privacy import DEMO_KEY, Pseudonymizer

WORLDS = [(persons, seed) for persons in (12_000, 24_000) for seed in (11, 12, 13, 29)]
CUTS = ["2024-06-30", "2024-12-31"]
GENERATE = (
    "import sys; from pathlib import Path; from toolkit.synthetic.generate import generate; "
    "generate(persons=int(sys.argv[1]), seed=int(sys.argv[2]), out=Path(sys.argv[3]))"
)
HEADER = ("| world | WAPE forecast | last 6 months' pace | taakstelling pro rata | inside "
          "(own probability) | where near 80% | national rows | households where near 80% |\n"
          "|---|---|---|---|---|---|---|---|")  # fmt: skip


def row(persons: int, seed: int, result: BackTest) -> str:
    """The world's line of the table in docs/method.md."""
    s = result.scores
    return (f"| {persons:,} persons, seed {seed} | {s['wape_forecast']:.3f} | "
            f"{s['wape_recent']:.3f} | {s['wape_taakstelling']:.3f} | {s['coverage']:.1%} "
            f"({s['probability']:.1%}) | {s['near_coverage']:.1%} | "
            f"{s['national_coverage']:.1%} | {s['households_near_coverage']:.1%} |")  # fmt: skip


@pytest.mark.parametrize(("persons", "seed"), WORLDS)
def test_forecast_backtest(persons, seed, tmp_path):
    subprocess.run([sys.executable, "-c", GENERATE, str(persons), str(seed), str(tmp_path / "raw")],
                   check=True)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ingest(tmp_path / "raw", tmp_path / "log", key=Pseudonymizer(DEMO_KEY))
    log = read_events(tmp_path / "log" / "events.parquet")
    started = time.perf_counter()
    forecast(log, as_of=CUTS[-1], months=12)
    seconds = time.perf_counter() - started
    result = backtest_cuts(log, CUTS)
    print(f"\nforecast back-test, seed {seed}, {persons:,} persons:\n{HEADER}\n"
          f"{row(persons, seed, result)}\n{result.text()}\none 12-month forecast {seconds:.1f} s")  # fmt: skip
    s = result.scores
    assert s["wape_forecast"] < 0.9 * min(s["wape_recent"], s["wape_taakstelling"])
    assert 0.70 <= s["coverage"] <= 0.90
    assert abs(s["coverage"] - s["probability"]) <= 0.08
    assert 0.70 <= s["near_coverage"] <= 0.90
    assert 0.70 <= s["national_coverage"] <= 0.90
    assert 0.70 <= s["households_near_coverage"] <= 0.90
