"""`ketenlens generate`: simulate the chain and write its raw exports, truth and dirt manifest.

Example::

    >>> from pathlib import Path
    >>> from toolkit.synthetic.generate import generate
    >>> result = generate(persons=300, seed=1, out=Path("/tmp/k"))  # doctest: +SKIP
    >>> result.realised.approval  # doctest: +SKIP
    0.68
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.synthetic.config import GeneratorConfig, load_config
from toolkit.synthetic.personal import generate_bsns, surnames_for
from toolkit.synthetic.simulation import World, simulate
from toolkit.synthetic.truth import Realised, bottleneck_effects, durations, realised
from toolkit.synthetic.writers import write_exports

GROUND_TRUTH = "ground_truth.json"
MANIFEST = "dirt_manifest.json"


@dataclass(frozen=True)
class GenerationResult:
    out: Path
    files: list[str]
    persons: int
    households: int
    events_world: int
    realised: Realised
    checks: dict[str, bool]
    targets: dict


def add_personal_data(persons: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """BSN and surname per person: planted personal data that the adapters must never pass on."""
    return persons.assign(
        bsn=generate_bsns(rng, len(persons)),
        surname=surnames_for(rng, persons["nationality"].tolist()),
    )


def _jsonable(value: object) -> object:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _durations_table(truth: pd.DataFrame) -> dict:
    """Columnar, so that 100,000 persons stay a file of a few megabytes."""
    cols = ["vnummer", "household", "norm", "start", "end", "days", "open_at_cutoff"]
    table = truth[cols].copy()
    for c in ("start", "end"):
        table[c] = table[c].dt.strftime("%Y-%m-%dT%H:%M")
    table["days"] = table["days"].round(3)
    rows = table.astype(object).where(table.notna(), None).to_numpy().tolist()
    return {"columns": cols, "rows": rows}


def _write_json_atomic(path: Path, payload: dict) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(payload, fh, ensure_ascii=False, separators=(",", ":"))
    os.replace(tmp, path)


def write_ground_truth(
    world: World,
    cfg: GeneratorConfig,
    truth: pd.DataFrame,
    figures: Realised,
    out: Path,
    *,
    persons: int,
    seed: int,
) -> None:
    cut = pd.Timestamp(cfg.cutoff) + pd.Timedelta(days=1)
    exported = int((world.events["local_time"] < cut).sum())
    nareizigers = int((world.persons["procedure"] == "NAREIS").sum())
    payload = {
        "generator": {"persons_requested": persons, "seed": seed, "config": cfg.source},
        "world": {
            "start": cfg.start.isoformat(),
            "cutoff": cfg.cutoff.isoformat(),
            "run_until": cfg.run_until.isoformat(),
        },
        "parameters": _jsonable(cfg.raw),
        "capacities": {k: round(v, 3) for k, v in world.capacities.items()},
        "bottlenecks": bottleneck_effects(world, truth),
        "counts": {
            "persons": len(world.persons),
            "nareizigers": nareizigers,
            "households": world.households,
            "events_world": len(world.events),
            "events_until_cutoff": exported,
        },
        "realised": {
            "figures": asdict(figures),
            "targets": _jsonable(cfg.raw["targets"]),
            "within_targets": figures.checks(cfg.raw["targets"]),
        },
        "taakstelling": world.taakstelling.to_dict(orient="records"),
        "durations": _durations_table(truth),
    }
    _write_json_atomic(out / GROUND_TRUTH, payload)


def generate(
    *,
    persons: int,
    seed: int,
    out: Path,
    config: Path | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> GenerationResult:
    """Simulate, write the exports into `out` (replacing earlier generated files) and the truth."""
    cfg = load_config(config)
    report = progress or (lambda _step, _share: None)
    world = simulate(cfg, persons, seed, progress=lambda share: report("simulation", share))
    rng = np.random.default_rng([seed, 1])
    world.persons = add_personal_data(world.persons, rng)
    out = Path(out)
    if out.exists():
        for old in out.iterdir():
            if old.is_file() and (old.suffix in {".xlsx", ".csv", ".json"}):
                old.unlink()
            elif old.is_dir() and old.name.endswith(".tmp"):
                shutil.rmtree(old)
    out.mkdir(parents=True, exist_ok=True)
    report("exports", 0.0)
    manifest = write_exports(
        world.events,
        world.persons,
        cfg,
        out,
        rng,
        progress=lambda name: report(f"exports: {name}", 0.5),
    )
    report("exports", 1.0)
    truth = durations(world, cfg)
    figures = realised(world, truth)
    write_ground_truth(world, cfg, truth, figures, out, persons=persons, seed=seed)
    report("ground truth", 1.0)
    return GenerationResult(
        out=out,
        files=[f["path"] for f in manifest["files"]],
        persons=len(world.persons),
        households=world.households,
        events_world=len(world.events),
        realised=figures,
        checks=figures.checks(cfg.raw["targets"]),
        targets=cfg.raw["targets"],
    )
