"""Fixtures for the tests of toolkit/mining: the reference logs, read once per session."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import pandas as pd
import pytest
from mining_logs import XES


def _reference(name: str) -> Path:
    """A reference log of ../shared, read in place; its tests skip where it is not there."""
    path = XES / name
    if not path.is_file():
        pytest.skip("../shared/reference_logs is not there")
    return path


@pytest.fixture(scope="session")
def running_example() -> pd.DataFrame:
    import pm4py

    path = _reference("running-example.xes")
    with warnings.catch_warnings():
        # "install r4pm to import faster": advice, not a problem with the log.
        warnings.simplefilter("ignore", UserWarning)
        return pm4py.read_xes(str(path))


@pytest.fixture(scope="session")
def bpic2012() -> pd.DataFrame:
    import pm4py

    path = _reference("bpic2012.xes.gz")
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        # pm4py's line-by-line parser gives the same frame as the default iterparse one for
        # this flat log, in a third of the time (about 6 s instead of 18 s).
        log = pm4py.read_xes(str(path), variant="line_by_line")
    print(f"\nbpic2012.xes.gz: read in {time.perf_counter() - started:.1f} s")
    return log
