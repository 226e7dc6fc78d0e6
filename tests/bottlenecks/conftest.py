"""Fixtures: one simulated world for the whole run (simulating is the slow part)."""

from __future__ import annotations

import pytest
from chain_logs import PERSONS, SEED, world_log

from toolkit.synthetic.config import load_config
from toolkit.synthetic.simulation import simulate


@pytest.fixture(scope="session")
def default_world():
    """The default config (with its three injected bottlenecks) at 20,000 persons."""
    cfg = load_config()
    world = simulate(cfg, PERSONS, SEED)
    return cfg, world, world_log(world, cfg)
