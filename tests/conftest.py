"""Shared test setup: where the reference material lives, the opt-in benchmarks, and one
generated chain log (3,000 persons, seed 11, the demo key) made once for the whole run."""

import os
import warnings
from pathlib import Path

import pytest

from toolkit.adapters.ingest import ingest
from toolkit.eventlog import read_events
from toolkit.privacy import DEMO_KEY, Pseudonymizer
from toolkit.synthetic.generate import generate

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PERSONS = 3000
SEED = 11


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--benchmarks",
        action="store_true",
        default=False,
        help="run tests/benchmarks (they print figures and take minutes)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist (`make test` runs two workers) each worker's browser-test servers take
    ports from a range of their own: dash.testing counts up from one fixed port in every process."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    from dash.testing.application_runners import BaseDashRunner

    BaseDashRunner._next_port = 58050 + 1000 * int(worker.removeprefix("gw"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--benchmarks"):
        return
    skip = pytest.mark.skip(reason="benchmark: run with `make bench` (pytest --benchmarks)")
    for item in items:
        if "benchmarks" in item.path.parts:
            item.add_marker(skip)


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
