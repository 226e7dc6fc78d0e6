"""The scenario model of a log, kept beside the log: calibrated once per log version, read back.

Calibrating the chain on a large log, finding who waits where at its end and running the base
take most of a minute; a scenario then costs one run. What that takes depends only on the log and
the run's settings (months, seed, sample share), so :class:`KeptModel` writes it to the log's
folder the first time (``scenario_model.json``: the calibration, the state and the base run's
figures) and reads it back on every later start.

The file goes into the folder the log was read from, its version's
(:func:`toolkit.logdir.current_files`): a new ingest switches to a new version that has none,
and the old one is removed with its version. A log of plain files (no versions) keeps it beside
``events.parquet``. Either way the file names the events it was computed from (each part's size
and modification time), the settings and the toolkit's version; a file that does not match them, or cannot be read, is computed anew.
It is written as the rest of the log folder is: atomically, readable by its owner only. A folder
that cannot be written keeps nothing, and the model is computed at every start. Example::

    >>> files = current_files(Path("event_logs/demo"))  # doctest: +SKIP
    >>> log = read_events(files / EVENTS_FILE)  # doctest: +SKIP
    >>> kept = KeptModel(log, files, months=24)  # doctest: +SKIP
    >>> kept.model().result(Levers(inflow=4.0)).table  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
import weakref
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit import __version__
from toolkit.atomic import atomic_write_text
from toolkit.errors import EventLogError
from toolkit.eventlog import event_parts
from toolkit.logdir import EVENTS_FILE
from toolkit.scenario.calibrate import Calibration, Estimate, world_at
from toolkit.scenario.run import ScenarioModel
from toolkit.synthetic.config import GeneratorConfig, load_config
from toolkit.synthetic.simulation import Capacities, Waiting

MODEL_FILE = "scenario_model.json"
FORMAT = 2  # of the file; a file of another format is computed anew

logger = logging.getLogger(__name__)

# what a preparation is doing, for a progress line: reading back, calibrating, running the base
STEP_READING = "reading"
STEP_CALIBRATION = "calibration"
STEP_BASE = "base"


def _key(files: Path, months: int, seed: int, sample: float) -> dict[str, Any]:
    """What a kept model was computed from: the events file, the settings, the toolkit."""
    parts = [(part.name, os.stat(part)) for part in event_parts(Path(files) / EVENTS_FILE)]
    return {
        "format": FORMAT,
        "toolkit": __version__,
        "events": [
            {"part": name, "size": found.st_size, "mtime_ns": found.st_mtime_ns}
            for name, found in parts
        ],
        "months": months,
        "seed": seed,
        "sample": sample,
    }


def _calibration_json(cal: Calibration) -> dict[str, Any]:
    raw = {k: v for k, v in cal.config.raw.items() if k != "world"}  # (dates, from as_of)
    return {
        "as_of": cal.as_of.isoformat(),
        "raw": raw,
        "capacities": asdict(cal.capacities),
        "households_per_month": cal.households_per_month,
        "persons_per_month": cal.persons_per_month,
        "season": cal.season,
        "estimates": [asdict(e) for e in cal.estimates],
    }


def _calibration(data: dict[str, Any]) -> Calibration:
    as_of = pd.Timestamp(data["as_of"])
    raw = {**data["raw"], "world": world_at(as_of)}
    config = GeneratorConfig(raw=raw, dirt=load_config().dirt, source="calibrated")
    return Calibration(
        as_of,
        config,
        Capacities(**data["capacities"]),
        data["households_per_month"],
        data["persons_per_month"],
        data["season"],
        [Estimate(**e) for e in data["estimates"]],
    )


def _waiting(data: dict[str, Any]) -> Waiting:
    return Waiting(
        **{
            **data,
            "members": tuple(data["members"]),
            "birth_years": tuple(data["birth_years"]),
        }
    )


def save_model(model: ScenarioModel, files: Path) -> None:
    """Keep ``model`` (with its base run) in ``files``, the folder its log was read from; a
    folder that refuses it keeps none."""
    base = model.base()
    path = Path(files) / MODEL_FILE
    try:
        payload = {
            "key": _key(files, model.months, model.seed, model.sample),
            "start": model.start.isoformat(),
            "calibration": _calibration_json(model.calibration),
            "state": [asdict(w) for w in model.state],
            "base": {column: base[column].tolist() for column in base.columns},
        }
        atomic_write_text(path, json.dumps(payload))
    except OSError as exc:  # a read-only folder, or a version an ingest just removed
        logger.warning("%s: the scenario model is not kept (%s)", path, exc.strerror or exc)


def load_model(
    log: pd.DataFrame, files: Path, *, months: int, seed: int, sample: float
) -> ScenarioModel | None:
    """The model kept in ``files`` for ``log`` (read from there) and these settings, or None."""
    path = Path(files) / MODEL_FILE
    try:
        payload = json.loads(path.read_text("utf-8"))
        if payload.get("key") != _key(files, months, seed, sample):
            return None
        return ScenarioModel(
            log,
            months=months,
            seed=seed,
            start=pd.Timestamp(payload["start"]),
            sample=sample,
            calibration=_calibration(payload["calibration"]),
            state=tuple(_waiting(w) for w in payload["state"]),
            base=pd.DataFrame(payload["base"]),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:  # unreadable: computed anew
        logger.warning("%s: not read back, computed anew (%s)", path, exc)
        return None


class Progress:
    """What a computation is doing, for a progress line: its step (``""`` when none), the share
    of the step done and since when (``time.perf_counter``)."""

    def __init__(self) -> None:
        self.step, self.done, self.began = "", 0.0, 0.0

    def report(self, step: str, done: float = 0.0) -> None:
        if step != self.step:
            self.began = time.perf_counter()
        self.step, self.done = step, done


# Every kept model of this process, to be made fit for a forked worker (``_forked``).
_KEPT: weakref.WeakSet[KeptModel] = weakref.WeakSet()


def _after_fork() -> None:
    for kept in list(_KEPT):
        kept._forked()


os.register_at_fork(after_in_child=_after_fork)


class KeptModel:
    """The scenario model of one log, prepared once and shared by a web server's threads.

    :meth:`model` reads the kept model back, or calibrates, runs the base and keeps the result;
    :meth:`prepare` does that in a background thread, so a dashboard can start it before the
    first visitor asks. ``progress`` says what a preparation under way is doing (one of the
    ``STEP_*``).
    """

    def __init__(
        self,
        log: pd.DataFrame,
        files: Path | None,
        *,
        months: int = 24,
        seed: int = 1,
        sample: float = 1.0,
    ) -> None:
        self.log, self.files = log, files  # the folder the log was read from, if any
        self.months, self.seed, self.sample = months, seed, sample
        self.progress = Progress()
        self._model: ScenarioModel | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        _KEPT.add(self)

    def _forked(self) -> None:
        """In a forked worker: the preparing thread stayed behind in the parent, and its lock
        would stay held here for ever. The worker starts afresh; a model the parent has kept by
        the time it is asked for is read back (:meth:`model`)."""
        self._lock = threading.Lock()
        if self._model is None:
            self._thread = None
            self.progress = Progress()

    def model(self) -> ScenarioModel:
        """The model, prepared at the first call (a second caller waits for the first)."""
        with self._lock:
            if self._model is None:
                try:
                    self._model = self._prepare()
                finally:
                    self.progress.report("")
            return self._model

    def _prepare(self) -> ScenarioModel:
        settings = {"months": self.months, "seed": self.seed, "sample": self.sample}
        if self.files is not None:
            self.progress.report(STEP_READING)
            kept = load_model(self.log, self.files, **settings)
            if kept is not None:
                return kept
        self.progress.report(STEP_CALIBRATION)
        model = ScenarioModel(self.log, **settings)
        model.base(lambda done: self.progress.report(STEP_BASE, done))
        if self.files is not None:
            save_model(model, self.files)
        return model

    def prepare(self) -> threading.Thread:
        """Prepare the model in a background thread, once however often asked (a log that is no
        chain log is left be: :meth:`model` raises its error when it is asked for)."""

        def work() -> None:
            with contextlib.suppress(EventLogError):
                self.model()

        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=work, name="scenario-model", daemon=True)
                self._thread.start()
            return self._thread
