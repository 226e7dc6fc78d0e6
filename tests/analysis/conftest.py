"""Fixtures: one generated chain log (3,000 persons, seed 11) analysed once for the whole run.

Generating, ingesting and analysing is the slow part, so it happens once per session; tests read
the results. Hand-built logs with known answers are in ``logs.py``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from toolkit.adapters.ingest import ingest
from toolkit.analysis import Analysis, analyze, suppress_analysis
from toolkit.eventlog import read_events
from toolkit.filters import LogFilter
from toolkit.privacy import DEMO_KEY, Pseudonymizer
from toolkit.synthetic.generate import generate

PERSONS = 3000
SEED = 11
# a municipality with a few dozen persons: most of its segments are under k
SMALL_MUNICIPALITY_MAX = 60


@pytest.fixture(scope="session")
def chain_log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """event_logs/NAME of the generated chain: 3,000 persons, seed 11, the demo key."""
    root = tmp_path_factory.mktemp("chain")
    generate(persons=PERSONS, seed=SEED, out=root / "raw")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ingest(root / "raw", root / "log", key=Pseudonymizer(DEMO_KEY))
    return root / "log"


@pytest.fixture(scope="session")
def chain_log(chain_log_dir: Path):
    return read_events(chain_log_dir / "events.parquet")


@pytest.fixture(scope="session")
def chain_analysis(chain_log) -> Analysis:
    return analyze(chain_log)


@pytest.fixture(scope="session")
def workshop_analysis(chain_analysis: Analysis) -> Analysis:
    return suppress_analysis(chain_analysis, 10)


@pytest.fixture(scope="session")
def small_municipality(chain_log) -> str:
    """A municipality linked to few persons, so that most of its figures are under k."""
    per = (
        chain_log.dropna(subset=["municipality"])
        .groupby("municipality", observed=True)["case:concept:name"]
        .nunique()
    )
    small = per[(per >= 15) & (per <= SMALL_MUNICIPALITY_MAX)].sort_values()
    return str(small.index[len(small) // 2])


@pytest.fixture(scope="session")
def small_workshop(chain_log, small_municipality: str) -> Analysis:
    """Workshop mode on one small municipality: the log with small segments."""
    return analyze(chain_log, filter=LogFilter(municipality=[small_municipality]), workshop=True)


@pytest.fixture(scope="session")
def small_open(chain_log, small_municipality: str) -> Analysis:
    """The same municipality without suppression, to show that it does have small figures."""
    return analyze(chain_log, filter=LogFilter(municipality=[small_municipality]))
