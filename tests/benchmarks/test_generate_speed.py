"""Benchmark: how long `ketenlens generate` takes for 100,000 persons (printed, not asserted).

Run with `make bench`. The target is about a minute or less on a 2-core machine.
"""

import time
from pathlib import Path

import numpy as np

from toolkit.synthetic.config import load_config
from toolkit.synthetic.generate import add_personal_data
from toolkit.synthetic.simulation import simulate
from toolkit.synthetic.writers import write_exports

PERSONS = 100_000
SEED = 11


def test_generate_100k(tmp_path: Path) -> None:
    cfg = load_config()
    t0 = time.perf_counter()
    world = simulate(cfg, PERSONS, SEED)
    t1 = time.perf_counter()
    persons = add_personal_data(world.persons, np.random.default_rng([SEED, 1]))
    manifest = write_exports(world.events, persons, cfg, tmp_path, np.random.default_rng(SEED))
    t2 = time.perf_counter()
    rows = sum(f["data_rows"] for f in manifest["files"])
    size = sum(p.stat().st_size for p in tmp_path.iterdir()) / 1e6
    print(
        f"\ngenerate {PERSONS:,} persons: {len(world.persons):,} persons incl. nareizigers, "
        f"{len(world.events):,} events in the world\n"
        f"  simulation   {t1 - t0:6.1f} s\n"
        f"  exports      {t2 - t1:6.1f} s  ({rows:,} rows in {len(manifest['files'])} files, "
        f"{size:.0f} MB, {rows / (t2 - t1):,.0f} rows/s)\n"
        f"  total        {t2 - t0:6.1f} s  (target: about 60 s)"
    )
