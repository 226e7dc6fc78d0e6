"""The back-test: the calibrated simulation against what happened, and against pm4py's play-out."""

import pytest

from toolkit.scenario.fidelity import backtest

WIP_TOLERANCE = 0.30  # summed absolute WIP error over phases and months / summed real WIP


@pytest.fixture(scope="module")
def fidelity(chain_log):
    return backtest(chain_log, seed=1)


def test_work_in_progress_within_tolerance(fidelity):
    measures = fidelity.measures.set_index("measure")
    assert measures.loc["wip_error", "ketenlens"] < WIP_TOLERANCE
    assert len(fidelity.wip["month"].unique()) == 12


def test_beats_pm4py_on_every_measure(fidelity):
    for row in fidelity.measures.itertuples():
        assert row.ketenlens < row.pm4py, row.measure
