"""Benchmark: how long `ketenlens generate` takes for 100,000 persons (printed, not asserted).

Run with `make bench`. The target is about a minute or less on a 2-core machine.
"""

import json
import time
from pathlib import Path

from toolkit.synthetic.generate import generate

PERSONS = 100_000
SEED = 11


def test_generate_100k(tmp_path: Path) -> None:
    stages: dict[str, float] = {}
    started = time.perf_counter()

    def progress(step: str, _share: float) -> None:
        stages[step.split(":")[0]] = time.perf_counter() - started

    result = generate(persons=PERSONS, seed=SEED, out=tmp_path, progress=progress)
    total = time.perf_counter() - started
    manifest = json.loads((tmp_path / "dirt_manifest.json").read_text(encoding="utf-8"))
    rows = manifest["totals"]["data_rows"]
    size = sum(p.stat().st_size for p in tmp_path.iterdir()) / 1e6
    sim, exports = stages["simulation"], stages["exports"] - stages["simulation"]
    print(
        f"\ngenerate {PERSONS:,}: {result.persons:,} persons incl. nareizigers, "
        f"{result.events_world:,} events in the simulated world\n"
        f"  simulation    {sim:6.1f} s\n"
        f"  exports       {exports:6.1f} s  ({rows:,} rows in {len(result.files)} files, "
        f"{rows / exports:,.0f} rows/s)\n"
        f"  ground truth  {total - stages['exports']:6.1f} s\n"
        f"  total         {total:6.1f} s  ({size:.0f} MB written; target: about 60 s)"
    )
