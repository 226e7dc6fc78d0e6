"""The benchmarks' shared log: a generated chain of about a million events, ingested once per
run for every benchmark that measures on it (or the ingested log in KETENLENS_BENCH_LOG)."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from toolkit.adapters.ingest import ingest
from toolkit.privacy import DEMO_KEY, Pseudonymizer

PERSONS = 68_000  # about one million events
SEED = 11
# generated in a child process: the generator's world is large and the benchmark's own process
# should not hold it while measuring
GENERATE = (
    "import sys; from pathlib import Path; from toolkit.synthetic.generate import generate; "
    "generate(persons=int(sys.argv[1]), seed=int(sys.argv[2]), out=Path(sys.argv[3]))"
)


@pytest.fixture(scope="session")
def million_event_log(tmp_path_factory) -> Path:
    given = os.environ.get("KETENLENS_BENCH_LOG")
    if given:
        return Path(given)
    root = tmp_path_factory.mktemp("million_events")
    subprocess.run(
        [sys.executable, "-c", GENERATE, str(PERSONS), str(SEED), str(root / "raw")], check=True
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ingest(root / "raw", root / "log", key=Pseudonymizer(DEMO_KEY))
    return root / "log"
