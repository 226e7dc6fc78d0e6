"""The forecast of an event log: state at the moment, model, simulation, and the tables.

:func:`forecast` is the one computation behind ``ketenlens forecast``, its exports and the
dashboard's Vooruitblik page. Its tables:

* ``forecast``: one row per month, municipality (empty for the nation) and metric, with the
  ``expected`` value (mean over the runs), the 80% interval (``low``, ``high``: the 10th and
  90th percentiles as counts, an end count left out where the interval then holds nearer 80% of
  the runs, :mod:`~toolkit.forecast.interval`) and its ``probability`` (the share of the runs it
  holds: 80% as nearly as the counts allow). Metrics: ``permits`` (nation only), ``linked_persons``,
  ``linked_households``, ``households_size_1`` .. ``households_size_5`` (5 = five or more),
  ``move_outs`` and, nationally, ``waiting_<phase>`` (persons still waiting at the month's end,
  per chain phase).
* ``taakstelling``: per half-year of the horizon and municipality, the taakstelling, the persons
  linked before the forecast began and the persons expected linked by the end of the half-year
  (with its interval, as above).
* ``waits``: the waits to expect (median and 80th percentile, days) that the model learnt.

A month is a calendar month in Amsterdam. When the as-of moment falls inside a month, that month
counts what the log already holds before the moment plus what the forecast adds after it.
Example::

    >>> fc = forecast(log, as_of="2024-12-31", months=6)  # doctest: +SKIP
    >>> fc.rows.query("metric == 'linked_persons' and municipality == ''")  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from toolkit.analysis import is_chain_log
from toolkit.cellkeys import is_key, key_of
from toolkit.chain import load_chain
from toolkit.chain.model import Chain
from toolkit.errors import EventLogError
from toolkit.eventlog import TIMESTAMP
from toolkit.filters import LOCAL_TZ, local_day_end
from toolkit.forecast.interval import LEVEL, interval
from toolkit.forecast.model import Model, fit, half_year, half_year_start
from toolkit.forecast.simulation import PHASES, Runs, simulate
from toolkit.forecast.state import DAY, UNKNOWN, unit_table, waiting_phases
from toolkit.suppression import DEFAULT_K, suppress_small

RUNS = 500
SEED = 15
MONTHS = 12
ROW_LABELS = ("month", "municipality", "metric")
METHOD = [
    (
        "state",
        "Every household unit at the as-of moment: its phase (waiting for a decision, "
        "rejected, granted, waiting for a koppeling, waiting for a home) and the days it has "
        "waited there. Nothing after the moment is read.",
    ),
    (
        "waits",
        "Kaplan-Meier curves of the waits under way in the 12 months before the moment "
        "(delayed entry, censored where still waiting); each unit's remaining wait is drawn given "
        "the days it has already waited. The wait for a home is a municipality's own where it "
        "had at least 20 move-outs; else the national curve stretched by the municipality's "
        "time ratio (how many times as long its waits take, fitted to its waits in the window, "
        "those still running included, and nearer 1 the fewer they are), so a slow municipality "
        "is not given the nation's speed.",
    ),
    (
        "pace",
        "Grants, other decisions and move-outs come at their pace of the last 6 months (they "
        "are bound by capacity); the curves and each household's outcome decide who goes first. "
        "Nareizigers join their referent's home and need none of their own.",
    ),
    (
        "municipality",
        "Share of new koppelingen: Dirichlet posterior of the persons linked in the "
        "last 12 months with the taakstelling (population) share as prior; the prior's weight is "
        "estimated from how unevenly the municipalities realised their shares (empirical Bayes). "
        "Within a run each household goes to a municipality drawn in proportion to its share "
        "times exp(behind / spread), as COA links under the taakstelling: behind is its share "
        "of every person linked from the moment on plus the backlog (or minus the surplus) it "
        "carried at the moment, from every half-year in the log, minus what it received; the "
        "spread (persons) is learnt from the log's koppelingen of the last 12 months (maximum "
        "likelihood); nareizigers join their referent's municipality.",
    ),
    (
        "interval",
        "Seeded runs (their number and seed in the summary); expected is the mean; low and "
        "high the 80% interval: the 10th and "
        "90th percentiles as counts, an end count left out where the interval then holds "
        "nearer 80% of the runs; probability the share of the runs it holds (80% as nearly as "
        "whole counts allow; where one count alone, such as 0 persons in a small "
        "municipality's month, is more likely, the interval is that count and its "
        "probability higher).",
    ),
    (
        "taakstelling",
        "National taakstelling per half-year: as given, else the persons permitted "
        "in the half-year before; each municipality's part is its population share.",
    ),
    ("details", "docs/method.md, section Vooruitblik."),
]


@dataclass
class Forecast:
    """The forecast's tables (see the module) and what it was made from."""

    rows: pd.DataFrame
    taakstelling: pd.DataFrame
    waits: pd.DataFrame
    summary: dict[str, Any]
    method: list[tuple[str, str]] = field(default_factory=list)
    # the cell keys of the taakstelling's counts of persons (toolkit.cellkeys), row by row:
    # what a workshop perturbs them by; never shown
    keys: pd.DataFrame | None = None

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"forecast": self.rows, "taakstelling": self.taakstelling, "waits": self.waits}

    def for_municipality(self, code: str | None) -> Forecast:
        """The national rows and one municipality's rows (all rows for ``None``)."""
        if not code:
            return self
        keep = self.rows["municipality"].isin(("", code))
        mine = self.taakstelling["municipality"].isin(("", code)).to_numpy()
        return Forecast(self.rows[keep].reset_index(drop=True),
                        self.taakstelling[mine].reset_index(drop=True),
                        self.waits[self.waits["municipality"].isin(("", code))]
                        .reset_index(drop=True),
                        {**self.summary, "municipality": code}, self.method,
                        None if self.keys is None else self.keys[mine].reset_index(drop=True))  # fmt: skip

    def suppressed(self, k: int = DEFAULT_K) -> Forecast:
        """Workshop mode: every figure about fewer than ``k`` persons emptied."""
        rows = suppress_small(self.rows, [], k, group="expected", keep=ROW_LABELS)
        keyed = self.taakstelling if self.keys is None else self.taakstelling.join(self.keys)
        taak = suppress_small(keyed, ["linked_before"], k, group="expected",
                              keep=("period", "municipality", "taakstelling", "until"))  # fmt: skip
        waits = suppress_small(self.waits, ["ended"], k, group="watched",
                               keep=("municipality", "wait", "basis"))  # fmt: skip
        return Forecast(rows, taak, waits, {**self.summary, "workshop": True, "k": k},
                        self.method)  # fmt: skip


def moment_of(log: pd.DataFrame, as_of: date | str | None) -> pd.Timestamp:
    """The as-of moment: the end of that day in Amsterdam, else just after the last event."""
    if as_of is None:
        return pd.Timestamp(log[TIMESTAMP].max()) + pd.Timedelta(microseconds=1)
    return local_day_end(as_of)


def month_starts(moment: pd.Timestamp, months: int) -> list[pd.Timestamp]:
    """The Amsterdam month starts of the horizon (and the end of its last month), in UTC."""
    local = moment.tz_convert(LOCAL_TZ)
    first = pd.Timestamp(year=local.year, month=local.month, day=1)
    return [(first + pd.DateOffset(months=i)).tz_localize(LOCAL_TZ).tz_convert("UTC")
            for i in range(months + 1)]  # fmt: skip


def _summarise(values: np.ndarray) -> tuple[np.ndarray, ...]:
    """Mean, the 80% interval and its probability over the runs (axis 0)."""
    return (values.mean(axis=0), *interval(values, LEVEL))


def _rows(runs: Runs, months: list[str]) -> pd.DataFrame:
    parts = []
    for metric, values in runs.national.items():
        mean, low, high, probability = _summarise(values)
        parts.append(pd.DataFrame({"month": months, "municipality": "", "metric": metric,
                                   "expected": mean, "low": low, "high": high,
                                   "probability": probability}))  # fmt: skip
    phase_names = waiting_phases()
    for phase in PHASES:
        mean, low, high, probability = _summarise(runs.waiting[phase])
        parts.append(pd.DataFrame({"month": months, "municipality": "",
                                   "metric": f"waiting_{phase_names[phase]}",
                                   "expected": mean, "low": low, "high": high,
                                   "probability": probability}))  # fmt: skip
    for metric, values in runs.local.items():
        mean, low, high, probability = _summarise(values)
        n_munis, n_months = mean.shape
        parts.append(pd.DataFrame({
            "month": np.tile(months, n_munis),
            "municipality": np.repeat(runs.codes, n_months),
            "metric": metric,
            "expected": mean.ravel(), "low": low.ravel(), "high": high.ravel(),
            "probability": probability.ravel(),
        }))  # fmt: skip
    rows = pd.concat(parts, ignore_index=True)
    return rows.round({"expected": 2, "low": 2, "high": 2, "probability": 3})


def _previous(label: str) -> str:
    year, part = label.split("-")
    return f"{int(year) - 1}-II" if part == "I" else f"{year}-I"


def _taakstelling(units, runs: Runs, model: Model, starts, moment, national: int | None):
    """Progress on the half-yearly taakstelling of every half-year the horizon touches."""
    periods = sorted({half_year(s) for s in starts[:-1]})
    month_period = [half_year(s) for s in starts[:-1]]
    permits_mean = runs.national["permits"].mean(axis=0)
    share = pd.Series(model.population_share, index=list(model.municipalities))
    rows = []
    for period in periods:
        begin = half_year_start(period)
        before_begin = half_year_start(_previous(period))
        if national is None:  # the persons permitted in the half-year before
            observed = units["permit"].between(before_begin, min(begin, moment), inclusive="left")
            target = float((units.loc[observed, "size"]).sum())
            target += sum(permits_mean[i] for i, s in enumerate(starts[:-1])
                          if before_begin <= s < begin and s >= moment)  # fmt: skip
        else:
            target = float(national)
        first_month = starts[0]
        linked = units[
            (units["koppeling"] >= begin) & (units["koppeling"] < max(first_month, begin))
        ]
        before = linked.groupby("municipality")["size"].sum()
        before_key = linked.groupby("municipality")["key"].sum()  # the cell keys (cellkeys)
        in_period = [i for i, p in enumerate(month_period) if p == period]
        simulated = runs.local["linked_persons"][:, :, in_period].sum(axis=2)
        totals = simulated + before.reindex(list(runs.codes), fill_value=0).to_numpy()[None, :]
        mean, low, high, probability = _summarise(totals)
        until = starts[in_period[-1] + 1].tz_convert(LOCAL_TZ).date() - pd.Timedelta(days=1)
        national_total = totals.sum(axis=1)
        n_mean, n_low, n_high, n_probability = _summarise(national_total[:, None])
        rows.append({"period": period, "municipality": "", "taakstelling": round(target),
                     "linked_before": int(before.sum()),
                     key_of("linked_before"): int(before_key.sum()),
                     "expected": n_mean[0], "low": n_low[0],
                     "high": n_high[0], "probability": n_probability[0],
                     "until": until})  # fmt: skip
        for i, code in enumerate(runs.codes):
            rows.append({"period": period, "municipality": code,
                         "taakstelling": round(target * float(share.get(code, 0.0))),
                         "linked_before": int(before.get(code, 0)),
                         key_of("linked_before"): int(before_key.get(code, 0)),
                         "expected": mean[i],
                         "low": low[i], "high": high[i], "probability": probability[i],
                         "until": until})  # fmt: skip
    table = pd.DataFrame(rows)
    table["expected_share"] = (table["expected"] / table["taakstelling"].where(
        table["taakstelling"] > 0)).round(3)  # fmt: skip
    return table.round({"expected": 1, "low": 1, "high": 1, "probability": 3})


def _waits(model: Model, chain: Chain) -> pd.DataFrame:
    """The waits the model learnt: the household units ``watched`` waiting in the window, how
    many of their waits ``ended`` there, and what the curve is (``basis``): the waits' ``own``,
    or for a municipality with few move-outs the national curve ``stretched`` by its
    ``time_ratio`` (its waits take that many times as long), or without a wait in the window
    the ``national`` one as it is."""

    def row(code: str, wait: str, km, basis: str, ratio: float | None = None) -> dict:
        median, p80 = km.quantile(0.5), km.quantile(0.8)
        return {
            "municipality": code,
            "wait": wait,
            "median_days": None if median is None else round(median, 1),
            "p80_days": None if p80 is None else round(p80, 1),
            "watched": km.persons,
            "ended": km.completed,
            "basis": basis,
            "time_ratio": None if ratio is None else round(ratio, 2),
        }

    rows = [row("", "application_to_decision", model.decision[UNKNOWN], "own"),
            row("", "permit_to_koppeling", model.permit_to_koppeling, "own"),
            row("", "koppeling_to_move_out", model.housing[UNKNOWN], "own")]  # fmt: skip
    for code in model.municipalities:
        ratio = model.housing_ratio.get(code)
        basis = "stretched" if ratio is not None else "own" if code in model.housing else "national"
        rows.append(row(code, "koppeling_to_move_out", model.housing_for(code), basis, ratio))
    return pd.DataFrame(rows)


def forecast(
    log: pd.DataFrame,
    *,
    as_of: date | str | None = None,
    months: int = MONTHS,
    runs: int = RUNS,
    seed: int = SEED,
    chain: Chain | None = None,
    taakstelling: int | None = None,
) -> Forecast:
    """Forecast the next ``months`` calendar months from the log as it stood at ``as_of``
    (default: its last event); ``taakstelling`` is the national taakstelling per half-year
    (default: the persons permitted in the half-year before)."""
    if months < 1 or runs < 2:
        raise ValueError("forecast: months must be at least 1 and runs at least 2")
    chain = chain or load_chain()
    if len(log) and not is_chain_log(log, chain):
        raise EventLogError(
            "this is a log of another process: the forecast runs the asylum chain forward and "
            "needs a chain event log, made by `ketenlens ingest` from COA, IND and municipal "
            "exports"
        )
    moment = moment_of(log, as_of)
    units = unit_table(log, moment)
    if units.empty:
        raise EventLogError(f"no events before {moment}: nothing to forecast from")
    model = fit(units, moment, chain)
    starts = month_starts(moment, months)
    edges = np.array([(s - moment) / DAY for s in starts])
    result = simulate(units, model, moment, edges, runs=runs, seed=seed)
    labels = [s.tz_convert(LOCAL_TZ).strftime("%Y-%m") for s in starts[:-1]]
    waiting = units[units["phase"].isin((*PHASES, "granted"))]
    summary = {
        "as_of": moment.isoformat(),
        "months": labels,
        "runs": runs,
        "seed": seed,
        "persons_waiting": int(waiting["size"].sum()),
        "households_waiting": len(waiting),
        "arrivals_per_month": round(model.arrivals_per_day * 365.25 / 12, 1),
        "grant_share": round(model.grant_overall, 3),
        # the national taakstelling as given, or the forecast's own estimate of it
        "taakstelling_given": taakstelling is not None,
    }
    taak = _taakstelling(units, result, model, starts, moment, taakstelling)
    keys = [c for c in taak.columns if is_key(c)]
    return Forecast(
        rows=_rows(result, labels),
        taakstelling=taak.drop(columns=keys),
        waits=_waits(model, chain),
        summary=summary,
        method=list(METHOD),
        keys=taak[keys],
    )
