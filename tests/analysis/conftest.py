"""Fixtures: the generated chain log (tests/conftest.py) analysed once for the whole run.

Generating, ingesting and analysing is the slow part, so it happens once per session; tests read
the results. Hand-built logs with known answers are in ``logs.py``.
"""

from __future__ import annotations

import pytest

from toolkit.analysis import Analysis, analyze, suppress_analysis
from toolkit.filters import LogFilter

# a municipality with a few dozen persons: most of its segments are under k
SMALL_MUNICIPALITY_MAX = 60


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
