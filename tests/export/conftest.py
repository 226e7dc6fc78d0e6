"""Event logs for the export tests: a generated chain log and a public reference log, built once.

The chain log is generated (300 persons) and ingested with the demo key, as a user would; the
reference log is van der Aalst's running example through the generic profile. The schemas the
exports must satisfy are read from ../shared/reference_logs/schemas in place.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest
from export_reference import OCEL_SCHEMA, RUNNING_EXAMPLE

from toolkit.adapters.ingest import ingest
from toolkit.eventlog import read_events
from toolkit.privacy import DEMO_KEY, Pseudonymizer
from toolkit.synthetic.generate import generate

PERSONS = 300
SEED = 5
# Real-looking data is never pseudonymised with the public demo key, not even in a test.
TEST_KEY = b"export-test-key-0123456789abcdef0123456789"


@pytest.fixture(scope="session")
def chain_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated and ingested chain event log (directory with events.parquet)."""
    raw = tmp_path_factory.mktemp("raw")
    generate(persons=PERSONS, seed=SEED, out=raw)
    out = tmp_path_factory.mktemp("log") / "keten"
    ingest(raw, out, key=Pseudonymizer(DEMO_KEY))
    return out


@pytest.fixture(scope="session")
def chain_events(chain_log: Path) -> pd.DataFrame:
    return read_events(chain_log / "events.parquet")


@pytest.fixture(scope="session")
def running_example_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The running example (6 cases, 42 events) ingested through the generic profile."""
    if not RUNNING_EXAMPLE.is_file():
        pytest.skip("../shared/reference_logs is not there")
    raw = tmp_path_factory.mktemp("running_raw")
    (raw / RUNNING_EXAMPLE.name).symlink_to(RUNNING_EXAMPLE)
    out = tmp_path_factory.mktemp("running") / "running-example"
    ingest(raw, out, key=Pseudonymizer(TEST_KEY), profile="generic")
    return out


@pytest.fixture(scope="session")
def ocel_schema() -> dict:
    if not OCEL_SCHEMA.is_file():
        pytest.skip("../shared/reference_logs is not there")
    return json.loads(OCEL_SCHEMA.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def pm4py():
    """pm4py, imported quietly (it prints a banner and warns on import)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py

    return pm4py
