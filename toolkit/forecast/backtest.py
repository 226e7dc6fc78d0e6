"""The back-test: cut the log at an earlier moment, forecast the months after it and compare
with what the log says happened then.

The figure compared is the one a municipality plans with: persons linked to it per month.
Scores over every municipality and month:

* **WAPE** (weighted absolute percentage error): the sum of |forecast - actual| over the sum of
  actual, so large municipalities weigh as much as the persons they receive.
* **coverage**: the share of municipality-months whose actual count lies in the 80% interval.
* **pit_coverage**: the same for counts, as a calibrated forecast would score it. A count is
  discrete: where a municipality receives nobody in nine months of ten, the interval is 0 to 0
  and holds the actual count nine times in ten, whatever the forecast; so an interval of a
  count holds more than 80% of the actual counts, by as much as the counts are small. Here a
  count at the interval's edge counts for the part of the forecast's probability of that count
  that lies within the central 80% (the non-randomised probability integral transform for
  counts, Czado, Gneiting and Held 2009): 80% when the forecast is calibrated.

Two naive forecasts set the bar: ``recent`` (each municipality's own pace of the last six
months, as if nothing changed) and ``taakstelling`` (the half-year's taakstelling spread evenly
over its months: every municipality links exactly its share). Example::

    >>> result = backtest_cuts(log, ["2024-06-30", "2024-12-31"], months=6)  # doctest: +SKIP
    >>> result.scores["wape_forecast"] < result.scores["wape_recent"]  # doctest: +SKIP
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from toolkit.chain.model import Chain
from toolkit.filters import LOCAL_TZ
from toolkit.forecast.model import RECENT_MONTHS, half_year
from toolkit.forecast.pipeline import HIGH, LOW, RUNS, SEED, forecast, moment_of, month_starts
from toolkit.forecast.state import unit_table

METRIC = "linked_persons"


@dataclass
class BackTest:
    """Per municipality and month: the forecast, its interval, the naive forecasts and what
    happened; ``scores`` sums them up."""

    table: pd.DataFrame
    scores: dict[str, float]


def wape(forecast: pd.Series, actual: pd.Series) -> float:
    """Sum of absolute errors over the sum of actual values."""
    return float((forecast - actual).abs().sum() / max(float(actual.sum()), 1.0))


def backtest(
    log: pd.DataFrame,
    *,
    as_of: date | str,
    months: int = RECENT_MONTHS,
    runs: int = RUNS,
    seed: int = SEED,
    chain: Chain | None = None,
) -> BackTest:
    """Forecast ``months`` months from the log cut at ``as_of``; compare with the full log."""
    fc = forecast(log, as_of=as_of, months=months, runs=runs, seed=seed, chain=chain,
                  keep_runs=True)  # fmt: skip
    moment = moment_of(log, as_of)
    starts = month_starts(moment, months)
    later = unit_table(log, starts[-1])
    linked = later[(later["koppeling"] >= starts[0]) & (later["koppeling"] < starts[-1])]
    month = linked["koppeling"].dt.tz_convert(LOCAL_TZ).dt.strftime("%Y-%m")
    actual = linked.groupby([month.rename("month"), "municipality"])["size"].sum()
    rows = fc.rows[(fc.rows["metric"] == METRIC) & (fc.rows["municipality"] != "")]
    table = rows.drop(columns="metric").reset_index(drop=True)
    keys = pd.MultiIndex.from_frame(table[["month", "municipality"]])
    table["actual"] = actual.reindex(keys, fill_value=0).to_numpy()
    recent_start = starts[0] - pd.DateOffset(months=RECENT_MONTHS)
    before = unit_table(log, starts[0])
    recent = before[(before["koppeling"] >= recent_start) & (before["koppeling"] < starts[0])]
    pace = recent.groupby("municipality")["size"].sum() / RECENT_MONTHS
    table["recent"] = table["municipality"].map(pace).fillna(0.0)
    taak = fc.taakstelling.set_index(["period", "municipality"])["taakstelling"]
    period = [half_year(s) for s in starts[:-1]]
    per_month = dict(zip([s.tz_convert(LOCAL_TZ).strftime("%Y-%m") for s in starts[:-1]],
                         period, strict=True))  # fmt: skip
    table["taakstelling"] = [
        taak.get((per_month[m], code), 0) / 6 for m, code in zip(table["month"],
                                                               table["municipality"], strict=True)
    ]  # fmt: skip
    table["pit_inside"] = pit_inside(fc, table)
    table.insert(0, "as_of", str(as_of))
    return BackTest(table, scores(table))


def pit_inside(fc, table: pd.DataFrame) -> np.ndarray:
    """Per row, the part of the forecast's probability of the actual count that lies within the
    central 80% of its distribution (see the module)."""
    runs = fc.linked_runs  # runs x municipalities x months
    codes = {code: i for i, code in enumerate(fc.rows.loc[fc.rows["municipality"] != "",
                                                          "municipality"].unique())}  # fmt: skip
    months = {month: j for j, month in enumerate(fc.summary["months"])}
    values = runs[:, table["municipality"].map(codes).to_numpy(), table["month"].map(months)]
    actual = table["actual"].to_numpy()[None, :]
    below, upto = (values < actual).mean(axis=0), (values <= actual).mean(axis=0)
    lo, hi = LOW / 100, HIGH / 100
    overlap = np.clip(np.minimum(upto, hi) - np.maximum(below, lo), 0.0, None)
    mass = upto - below
    return np.where(
        mass > 0, overlap / np.where(mass > 0, mass, 1.0), (below >= lo) & (below <= hi)
    )


def scores(table: pd.DataFrame) -> dict[str, float]:
    """WAPE of the forecast and of both naive forecasts, and the interval coverage, over every
    row of ``table`` (one back-test, or several cuts put together)."""
    inside = (table["low"] <= table["actual"]) & (table["actual"] <= table["high"])
    return {
        "wape_forecast": wape(table["expected"], table["actual"]),
        "wape_recent": wape(table["recent"], table["actual"]),
        "wape_taakstelling": wape(table["taakstelling"], table["actual"]),
        "coverage": float(inside.mean()),
        "pit_coverage": float(table["pit_inside"].mean()),
        "actual_persons": float(table["actual"].sum()),
        "forecast_persons": float(np.round(table["expected"].sum(), 1)),
    }


def backtest_cuts(log: pd.DataFrame, cuts: list[str], **kwargs) -> BackTest:
    """Back-tests at several cuts, scored together (a score over more months is steadier)."""
    tables = [backtest(log, as_of=cut, **kwargs).table for cut in cuts]
    table = pd.concat(tables, ignore_index=True)
    return BackTest(table, scores(table))
