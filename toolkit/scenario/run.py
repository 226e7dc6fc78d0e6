"""Base and scenario: the calibrated chain run on from the state at the end of the data.

The engine is the generator's (:class:`toolkit.synthetic.simulation.Simulation`); here it gets a
config and capacities estimated from the log (:mod:`toolkit.scenario.calibrate`) and the
households still in the chain (:mod:`toolkit.scenario.state`). A scenario changes levers on that
calibration: inflow, IND interview capacity, homes per municipality. Base and scenario use the
same seed, so their difference is the levers' effect, not chance.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from toolkit.chain import load_chain
from toolkit.eventlog import ACTIVITY, CASE, GROUP, MUNICIPALITY, RESOURCE, TIMESTAMP
from toolkit.filters import local_day_end
from toolkit.scenario.calibrate import Calibration, calibrate
from toolkit.scenario.report import AMSTERDAM, monthly_metrics
from toolkit.scenario.state import initial_state
from toolkit.synthetic.config import GeneratorConfig
from toolkit.synthetic.simulation import NAREIS_STAGES, Simulation, Waiting

LOG_COLUMNS = [CASE, ACTIVITY, TIMESTAMP, GROUP, RESOURCE, MUNICIPALITY, "location_type"]
SIMULATED_PREFIX = "sim-"


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
) -> pd.DataFrame:
    """The simulated events after the start, in the event log's columns (UTC timestamps)."""
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
    world = sim.run()
    return _as_log(world.events, sim.existing, cal.as_of)


def _as_log(events: pd.DataFrame, existing: list[str], start: pd.Timestamp) -> pd.DataFrame:
    chain = load_chain()
    organisation = {a.id: a.organisation for a in chain.activities}
    person = events["person"].to_numpy()
    known = np.array(existing, dtype=object)
    case = np.where(
        person < len(known),
        known[np.minimum(person, max(len(known) - 1, 0))] if len(known) else "",
        np.char.add(SIMULATED_PREFIX, person.astype(str)),
    )
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
    ) -> None:
        self.log = log
        self.months = months
        self.seed = seed
        self.start = start if start is not None else scenario_start(log)
        self.calibration = calibrate(log, self.start)
        self.state = initial_state(log, self.start, np.random.default_rng([seed, 0]))
        self._base: pd.DataFrame | None = None
        self._lock = threading.Lock()

    def run(self, levers: Levers) -> pd.DataFrame:
        """Monthly figures (``month``, ``metric``, ``value``) of one run with ``levers``."""
        simulated = simulate_window(
            self.log, self.calibration, self.state, self.months, levers, self.seed
        )
        return monthly_metrics(
            combined_log(self.log, simulated, self.start),
            self.start,
            self.months,
            municipalities=tuple(self.calibration.capacities.housing),
        )

    def base(self) -> pd.DataFrame:
        with self._lock:
            if self._base is None:
                self._base = self.run(Levers())
            return self._base

    def result(
        self, levers: Levers, progress: Callable[[str], None] | None = None
    ) -> ScenarioResult:
        """Base and scenario, one below the other with ``run`` = ``base`` or ``scenario``."""
        report = progress or (lambda _step: None)
        report("base")
        base = self.base()
        report("scenario")
        scenario = base if levers.is_base() else self.run(levers)
        table = pd.concat(
            [base.assign(run="base"), scenario.assign(run="scenario")], ignore_index=True
        )[["month", "run", "metric", "value"]]
        persons = persons_in_chain(self.state)
        return ScenarioResult(self.start, self.months, levers, self.calibration, persons, table)


def run_scenario(
    log: pd.DataFrame,
    levers: Levers,
    *,
    months: int = 24,
    seed: int = 1,
    start: pd.Timestamp | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScenarioResult:
    """Calibrate on ``log``, then run base and scenario for ``months`` from ``start``.

    Example::

        >>> run_scenario(log, Levers(inflow=4.0), months=24).table.head()  # doctest: +SKIP
    """
    report = progress or (lambda _step: None)
    report("calibration")
    model = ScenarioModel(log, months=months, seed=seed, start=start)
    return model.result(levers, progress=report)
