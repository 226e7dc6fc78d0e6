"""A log shaped like BPIC 2015's municipal permit processes, for the tests and benchmarks of
discovery and conformance on logs of hundreds of activities (the real logs are not in
../shared/reference_logs)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def permit_log(cases: int, activities: int = 389, seed: int = 0) -> pd.DataFrame:
    """A log shaped like BPIC 2015's municipal permit processes: hundreds of activities, a core
    of thirty that nearly every case passes and many rare optional ones, one in ten neighbours
    swapped, so that nearly every case is its own variant."""
    rng = np.random.default_rng(seed)
    chance = np.concatenate([rng.uniform(0.85, 1.0, 30), rng.beta(0.5, 4, activities - 30)])
    order = rng.permutation(activities)
    start = pd.Timestamp("2012-01-01", tz="UTC")
    rows = []
    for case in range(cases):
        path = [a for a in order if rng.random() < chance[a]]
        for i in range(len(path) - 1):
            if rng.random() < 0.1:
                path[i], path[i + 1] = path[i + 1], path[i]
        moment = start + pd.Timedelta(days=int(rng.integers(0, 1000)))
        for activity in path:
            moment += pd.Timedelta(hours=float(rng.exponential(30)))
            rows.append((f"c{case}", f"{activity // 100:02d}_HOOFD_{activity:03d}", moment))
    return pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"])
