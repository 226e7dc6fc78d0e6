"""The back-test: cut the log at an earlier moment, forecast the months after it and compare
with what the log says happened then.

The figure compared is the one a municipality plans with: persons linked to it per month.
Scores over every municipality and month:

* **WAPE** (weighted absolute percentage error): the sum of |forecast - actual| over the sum of
  actual, so large municipalities weigh as much as the persons they receive.
* **coverage**: the share of municipality-months whose actual count lies in the 80% interval
  (``low`` to ``high``, both included).
* **probability**: the mean of the intervals' own probability (the share of the runs within
  them, :mod:`toolkit.forecast.interval`), the coverage a calibrated forecast would score. It is
  above 80% by as much as the counts are small: where one count alone is more than 80% likely
  (nobody, in most small municipalities' months), the interval is that count.

The coverage of the other published rows is measured too (``coverage`` table): persons and
households linked and move-outs per municipality and month, and nationally those and the
permits, each with the share of actual counts below and above the interval. Two naive
forecasts set the bar for WAPE: ``recent`` (each municipality's own pace of the last six
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
from toolkit.forecast.pipeline import RUNS, SEED, forecast, moment_of, month_starts
from toolkit.forecast.state import unit_table

METRIC = "linked_persons"
# an interval that holds this share of the runs or more: one count alone (mostly nobody) is at
# least about this likely, and no interval of counts holds near 80%
NEAR = 0.9
# metric -> the unit's milestone that counts for it, and whether it counts persons (else units)
ACTUAL = {
    "linked_persons": ("koppeling", True),
    "linked_households": ("koppeling", False),
    "move_outs": ("move_out", True),
    "permits": ("permit", True),
}


@dataclass
class BackTest:
    """Per published row (month, municipality or the nation, metric): the forecast, its
    interval and what happened, and for persons linked per municipality the naive forecasts;
    ``scores`` sums up persons linked per municipality, ``coverage`` every metric."""

    table: pd.DataFrame
    scores: dict[str, float]
    coverage: pd.DataFrame

    def text(self) -> str:
        """The figures in a few lines, as the tests and the benchmark print them."""
        s = self.scores
        lines = [
            f"WAPE forecast {s['wape_forecast']:.3f}, last 6 months' pace {s['wape_recent']:.3f}, "
            f"taakstelling pro rata {s['wape_taakstelling']:.3f}; persons linked "
            f"{s['actual_persons']:.0f}, forecast {s['forecast_persons']:.0f}",
            f"80% intervals: national rows {s['national_coverage']:.1%} inside, households "
            f"per municipality {s['households_near_coverage']:.1%} where near 80%; actual count "
            "inside (intervals' own probability; below, above) | where the interval holds under "
            f"{NEAR:.0%} of the runs",
        ]
        for row in self.coverage.itertuples():
            lines.append(f"  {row.level:12} {row.metric:17} {row.cells:5} cells: "
                         f"{row.coverage:6.1%} ({row.probability:.1%}; {row.below:.1%}, "
                         f"{row.above:.1%}) | {row.near_cells:5} cells: {row.near_coverage:6.1%} "
                         f"({row.near_probability:.1%})")  # fmt: skip
        return "\n".join(lines)


def wape(forecast: pd.Series, actual: pd.Series) -> float:
    """Sum of absolute errors over the sum of actual values."""
    return float((forecast - actual).abs().sum() / max(float(actual.sum()), 1.0))


def _actual(units: pd.DataFrame, starts: list[pd.Timestamp]) -> pd.Series:
    """What happened per (month, municipality, metric); municipality "" for the nation."""
    parts = []
    for metric, (milestone, persons) in ACTUAL.items():
        done = units[(units[milestone] >= starts[0]) & (units[milestone] < starts[-1])]
        month = done[milestone].dt.tz_convert(LOCAL_TZ).dt.strftime("%Y-%m").rename("month")
        count = done["size"] if persons else pd.Series(1, index=done.index)
        local = count.groupby([month, done["municipality"].astype(str)]).sum()
        national = count.groupby(month).sum()
        national.index = pd.MultiIndex.from_arrays([national.index, [""] * len(national)])
        both = pd.concat([local, national])
        both.index = pd.MultiIndex.from_tuples([(m, c, metric) for m, c in both.index])
        parts.append(both)
    return pd.concat(parts)


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
    fc = forecast(log, as_of=as_of, months=months, runs=runs, seed=seed, chain=chain)
    moment = moment_of(log, as_of)
    starts = month_starts(moment, months)
    table = fc.rows[fc.rows["metric"].isin(list(ACTUAL))].reset_index(drop=True)
    keys = pd.MultiIndex.from_frame(table[["month", "municipality", "metric"]])
    table["actual"] = _actual(unit_table(log, starts[-1]), starts).reindex(keys,
                                                                           fill_value=0).to_numpy()  # fmt: skip
    recent_start = starts[0] - pd.DateOffset(months=RECENT_MONTHS)
    before = unit_table(log, starts[0])
    recent = before[(before["koppeling"] >= recent_start) & (before["koppeling"] < starts[0])]
    pace = recent.groupby("municipality")["size"].sum() / RECENT_MONTHS
    taak = fc.taakstelling.set_index(["period", "municipality"])["taakstelling"]
    per_month = {s.tz_convert(LOCAL_TZ).strftime("%Y-%m"): half_year(s) for s in starts[:-1]}
    planned = (table["metric"] == METRIC) & (table["municipality"] != "")
    table["recent"] = table["municipality"].map(pace).fillna(0.0).where(planned)
    table["taakstelling"] = pd.Series([
        taak.get((per_month[m], code), 0) / 6
        for m, code in zip(table["month"], table["municipality"], strict=True)
    ], index=table.index).where(planned)  # fmt: skip
    table.insert(0, "as_of", str(as_of))
    return BackTest(table, scores(table), coverage(table))


def coverage(table: pd.DataFrame) -> pd.DataFrame:
    """Per level (municipality, nation) and metric: the share of actual counts within the
    interval, below it and above it, and the intervals' mean own probability; the same over
    the rows whose interval holds under ``NEAR`` of the runs (``near_``: where the counts allow
    an interval near 80%; chosen by the forecast, not by what happened)."""
    frame = pd.DataFrame({
        "level": np.where(table["municipality"] == "", "nation", "municipality"),
        "metric": table["metric"],
        "inside": (table["low"] <= table["actual"]) & (table["actual"] <= table["high"]),
        "below": table["actual"] < table["low"], "above": table["actual"] > table["high"],
        "probability": table["probability"],
    })  # fmt: skip
    frame["near"] = frame["probability"] < NEAR
    frame["near_inside"] = frame["inside"].where(frame["near"])
    frame["near_probability"] = frame["probability"].where(frame["near"])
    out = frame.groupby(["level", "metric"], sort=False).agg(
        cells=("inside", "size"), coverage=("inside", "mean"), probability=("probability", "mean"),
        below=("below", "mean"), above=("above", "mean"), near_cells=("near", "sum"),
        near_coverage=("near_inside", "mean"), near_probability=("near_probability", "mean"))  # fmt: skip
    return out.reset_index()


def scores(table: pd.DataFrame) -> dict[str, float]:
    """WAPE of the forecast and of both naive forecasts of persons linked per municipality and
    month, and the coverage of their intervals (see :func:`coverage`), over every such row of
    ``table`` (one back-test, or several cuts put together); besides, the coverage of the
    national rows (``national_coverage``, every metric of :data:`ACTUAL` together: a world
    has few national months) and of households linked per municipality where the counts allow
    an interval near 80% (``households_near_coverage``)."""
    rows = table[(table["metric"] == METRIC) & (table["municipality"] != "")]
    cover = coverage(rows).iloc[0]
    national = table[table["municipality"] == ""]
    households = coverage(table[(table["metric"] == "linked_households")
                                & (table["municipality"] != "")]).iloc[0]  # fmt: skip
    return {
        "national_coverage": float(((national["low"] <= national["actual"])
                                    & (national["actual"] <= national["high"])).mean()),
        "households_near_coverage": float(households["near_coverage"]),
        "wape_forecast": wape(rows["expected"], rows["actual"]),
        "wape_recent": wape(rows["recent"], rows["actual"]),
        "wape_taakstelling": wape(rows["taakstelling"], rows["actual"]),
        **{key: float(cover[key]) for key in ("coverage", "probability", "near_coverage",
                                               "near_probability")},
        "near_share": float(cover["near_cells"] / cover["cells"]),
        "actual_persons": float(rows["actual"].sum()),
        "forecast_persons": float(np.round(rows["expected"].sum(), 1)),
    }  # fmt: skip


def backtest_cuts(log: pd.DataFrame, cuts: list[str], **kwargs) -> BackTest:
    """Back-tests at several cuts, scored together (a score over more months is steadier)."""
    tables = [backtest(log, as_of=cut, **kwargs).table for cut in cuts]
    table = pd.concat(tables, ignore_index=True)
    return BackTest(table, scores(table), coverage(table))
