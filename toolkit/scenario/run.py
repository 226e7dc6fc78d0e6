"""Base and scenario: the calibrated chain run on from the state at the end of the data.

The engine is the generator's (:class:`toolkit.synthetic.simulation.Simulation`); here it gets a
config and capacities estimated from the log (:mod:`toolkit.scenario.calibrate`) and the
households still in the chain (:mod:`toolkit.scenario.state`). A scenario changes levers on that
calibration: inflow, IND interview capacity, homes per municipality. Base and scenario use the
same seed, so their difference is the levers' effect, not chance.

A run can simulate a sample of the chain (``sample`` < 1, what the dashboard does on a large log
so a scenario answers within seconds): a share of the households, drawn once with the seed, with
their past, the arrivals and every capacity (IND interviews per office, homes per municipality)
scaled by the same share. Queues then hold the same share of households and are served at the
same share of the pace, so waits, shares over a norm and the allocation under the taakstelling
keep their meaning; counts (persons in the chain, in COA, arriving, ...) are divided by the share.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from toolkit.chain import load_chain
from toolkit.eventlog import ACTIVITY, CASE, GROUP, HOUSEHOLD, MUNICIPALITY, RESOURCE, TIMESTAMP
from toolkit.filters import local_day_end
from toolkit.scenario.calibrate import Calibration, calibrate, household_or_person
from toolkit.scenario.report import AMSTERDAM, COUNT_PREFIXES, monthly_metrics
from toolkit.scenario.state import initial_state
from toolkit.synthetic.config import GeneratorConfig
from toolkit.synthetic.simulation import NAREIS_STAGES, Simulation, Waiting

LOG_COLUMNS = [CASE, ACTIVITY, TIMESTAMP, GROUP, RESOURCE, MUNICIPALITY, "location_type"]
SIMULATED_PREFIX = "sim-"
# the dashboard simulates about this many persons' households of a larger log (a run in seconds)
SAMPLE_PERSONS = 6_000


@dataclass(frozen=True)
class Levers:
    """What a scenario changes: factors on inflow, IND interview capacity and homes.

    ``homes`` maps a CBS code (or ``*`` for every municipality) to a factor on its supply.
    """

    inflow: float = 1.0
    ind_capacity: float = 1.0
    homes: dict[str, float] = field(default_factory=dict)

    def is_base(self) -> bool:
        return self.inflow == 1.0 and self.ind_capacity == 1.0 and not self.homes


@dataclass
class ScenarioResult:
    start: pd.Timestamp
    months: int
    levers: Levers
    calibration: Calibration
    state_persons: int
    table: pd.DataFrame  # month, run, metric, value
    sample: float = 1.0  # share of the households simulated (counts are scaled back)


def scenario_start(log: pd.DataFrame) -> pd.Timestamp:
    """The first midnight (Amsterdam) after the log's last event: where a scenario begins."""
    last = log[TIMESTAMP].max().tz_convert(AMSTERDAM)
    return local_day_end(last.date())


def simulate_window(
    log: pd.DataFrame,
    cal: Calibration,
    state: tuple[Waiting, ...],
    months: int,
    levers: Levers,
    seed: int,
    progress: Callable[[float], None] | None = None,
) -> pd.DataFrame:
    """The simulated events after the start, in the event log's columns (UTC timestamps);
    ``progress`` hears the share of the window simulated so far."""
    raw = copy.deepcopy(cal.config.raw)
    start = cal.as_of.tz_convert(AMSTERDAM).date()
    end = (pd.Timestamp(start) + pd.DateOffset(months=months)).date()
    raw["world"] = {"start": start, "cutoff": end - pd.Timedelta(days=1), "run_until": end}
    first_month = start.month - 1
    raw["inflow"]["monthly"] = [cal.season[(first_month + k) % 12] for k in range(months)]
    cfg = GeneratorConfig(raw=raw, dirt=cal.config.dirt, source=cal.config.source)
    cap = cal.capacities
    cap = replace(
        cap,
        aanmeldgehoor=cap.aanmeldgehoor * levers.ind_capacity,
        nader_gehoor={k: v * levers.ind_capacity for k, v in cap.nader_gehoor.items()},
        housing={
            k: v * levers.homes.get(k, levers.homes.get("*", 1.0)) for k, v in cap.housing.items()
        },
    )
    expected = cal.persons_per_month * sum(raw["inflow"]["monthly"]) * levers.inflow
    persons = max(1, round(expected))
    sim = Simulation(cfg, persons, np.random.default_rng(seed), capacities=cap, state=state)
    world = sim.run(progress)
    return _as_log(world.events, sim.existing, cal.as_of)


def _as_log(events: pd.DataFrame, existing: dict[int, str], start: pd.Timestamp) -> pd.DataFrame:
    chain = load_chain()
    organisation = {a.id: a.organisation for a in chain.activities}
    person = pd.Series(events["person"].to_numpy())
    known = person.map(existing)  # a person of the state keeps its case id
    case = known.where(known.notna(), SIMULATED_PREFIX + person.astype(str)).to_numpy(dtype=object)
    stamps = pd.DatetimeIndex(events["local_time"]).tz_localize(
        AMSTERDAM, ambiguous="NaT", nonexistent="shift_forward"
    )
    frame = pd.DataFrame(
        {
            CASE: pd.Series(case.astype(str), dtype="str"),
            ACTIVITY: events["activity"].astype("str"),
            TIMESTAMP: stamps.tz_convert("UTC").as_unit("us"),
            GROUP: events["activity"].map(organisation).astype("str"),
            RESOURCE: events["resource"].astype("str"),
            MUNICIPALITY: _text(events["municipality"]),
            "location_type": _text(events["location_type"]),
        }
    )
    return frame[frame[TIMESTAMP] >= start].reset_index(drop=True)


def _text(values: pd.Series) -> pd.Series:
    """Text with the engine's empty strings as missing, as in an ingested log."""
    text = values.astype("str")
    return text.where(text != "")


def combined_log(log: pd.DataFrame, simulated: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    """The real log before ``start`` followed by the simulation, in (case, time) order."""
    past = log.loc[log[TIMESTAMP] < start, [c for c in LOG_COLUMNS if c in log.columns]]
    past = past.astype({c: "str" for c in past.columns if c != TIMESTAMP})
    both = pd.concat([past, simulated.reindex(columns=past.columns)], ignore_index=True)
    return both.sort_values([CASE, TIMESTAMP], kind="stable").reset_index(drop=True)


def sampled_log(log: pd.DataFrame, share: float, seed: int) -> pd.DataFrame:
    """The events of a share of the households (a person without one is a household alone),
    drawn with ``seed``: a referent and the family that follows stay together."""
    if share >= 1.0:
        return log
    household = household_or_person(log.get(HOUSEHOLD), log[CASE])
    codes, uniques = pd.factorize(household, sort=True)
    keep = np.random.default_rng([seed, 2]).random(len(uniques)) < share
    return log[keep[codes]].reset_index(drop=True)


def scaled_calibration(cal: Calibration, share: float) -> Calibration:
    """The calibration of a sample: arrivals and every capacity times ``share``."""
    if share >= 1.0:
        return cal
    cap = cal.capacities
    capacities = replace(
        cap,
        aanmeldgehoor=cap.aanmeldgehoor * share,
        nader_gehoor={k: v * share for k, v in cap.nader_gehoor.items()},
        housing={k: v * share for k, v in cap.housing.items()},
        share=share,
    )
    return replace(
        cal,
        capacities=capacities,
        households_per_month=cal.households_per_month * share,
        persons_per_month=cal.persons_per_month * share,
    )


def scaled_counts(table: pd.DataFrame, share: float) -> pd.DataFrame:
    """Counts of a sample as counts of the whole chain (medians and shares stay)."""
    if share >= 1.0:
        return table
    counts = table["metric"].astype(str).str.startswith(COUNT_PREFIXES)
    values = table["value"].where(~counts, (table["value"] / share).round())
    return table.assign(value=values)


def sample_share(log: pd.DataFrame, persons: int) -> float:
    """The share of households that simulates about ``persons`` persons of ``log`` (1: all)."""
    total = log[CASE].nunique()
    return 1.0 if total <= persons else persons / total


def persons_in_chain(state: tuple[Waiting, ...]) -> int:
    """Persons of the state in the main chain (a pending nareis is its referent's second entry)."""
    return sum(len(w.members) for w in state if w.stage not in NAREIS_STAGES)


class ScenarioModel:
    """The calibrated chain of one log: calibrated once, the base run kept, scenarios on demand.

    The dashboard keeps one per log, so a scenario costs one run, not a calibration and two.
    Example::

        >>> model = ScenarioModel(log, months=24)  # doctest: +SKIP
        >>> model.result(Levers(inflow=4.0)).table  # doctest: +SKIP
    """

    def __init__(
        self,
        log: pd.DataFrame,
        *,
        months: int = 24,
        seed: int = 1,
        start: pd.Timestamp | None = None,
        sample: float = 1.0,
        calibration: Calibration | None = None,
        state: tuple[Waiting, ...] | None = None,
        base: pd.DataFrame | None = None,
    ) -> None:
        """``calibration``, ``state`` and ``base``, where given, are those computed before for
        the same log and settings (:mod:`toolkit.scenario.store` keeps them)."""
        self.months = months
        self.seed = seed
        self.sample = min(sample, 1.0)
        self.start = start if start is not None else scenario_start(log)
        # calibrated on the whole log, the sample's share of it simulated (see the module)
        if calibration is None:
            calibration = scaled_calibration(calibrate(log, self.start), self.sample)
        self.calibration = calibration
        self.log = sampled_log(log, self.sample, seed)
        if state is None:
            state = initial_state(self.log, self.start, np.random.default_rng([seed, 0]))
        self.state = state
        self._base = base
        self._lock = threading.Lock()

    def run(self, levers: Levers, progress: Callable[[float], None] | None = None) -> pd.DataFrame:
        """Monthly figures (``month``, ``metric``, ``value``) of one run with ``levers``;
        ``progress`` hears the share of the months simulated so far."""
        simulated = simulate_window(
            self.log, self.calibration, self.state, self.months, levers, self.seed, progress
        )
        table = monthly_metrics(
            combined_log(self.log, simulated, self.start),
            self.start,
            self.months,
            municipalities=tuple(self.calibration.capacities.housing),
        )
        return scaled_counts(table, self.sample)

    def base(self, progress: Callable[[float], None] | None = None) -> pd.DataFrame:
        """The base run, computed once."""
        with self._lock:
            if self._base is None:
                self._base = self.run(Levers(), progress)
            return self._base

    def result(
        self, levers: Levers, progress: Callable[[str, float], None] | None = None
    ) -> ScenarioResult:
        """Base and scenario, one below the other with ``run`` = ``base`` or ``scenario``;
        ``progress`` hears the step (``base``, ``scenario``) and the share of it done."""
        report = progress or (lambda _step, _done: None)
        base = self.base(lambda done: report("base", done))
        scenario = (
            base if levers.is_base() else self.run(levers, lambda done: report("scenario", done))
        )
        table = pd.concat(
            [base.assign(run="base"), scenario.assign(run="scenario")], ignore_index=True
        )[["month", "run", "metric", "value"]]
        persons = round(persons_in_chain(self.state) / self.sample)
        return ScenarioResult(
            self.start, self.months, levers, self.calibration, persons, table, self.sample
        )


def run_scenario(
    log: pd.DataFrame,
    levers: Levers,
    *,
    months: int = 24,
    seed: int = 1,
    start: pd.Timestamp | None = None,
    sample: float = 1.0,
    progress: Callable[[str, float], None] | None = None,
) -> ScenarioResult:
    """Calibrate on ``log``, then run base and scenario for ``months`` from ``start``.

    Example::

        >>> run_scenario(log, Levers(inflow=4.0), months=24).table.head()  # doctest: +SKIP
    """
    report = progress or (lambda _step, _done: None)
    report("calibration", 0.0)
    model = ScenarioModel(log, months=months, seed=seed, start=start, sample=sample)
    return model.result(levers, progress=report)
