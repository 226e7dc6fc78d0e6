"""A session's helper process (toolkit/session.py, ``start_helper``): the slow segments of a
filter computed in a process of its own give the findings a session computes alone; before the
helper is ready, and once it has died or could not start, the session computes alone, with the
same findings."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from toolkit import helper as helper_module
from toolkit.analysis import section
from toolkit.filters import LogFilter
from toolkit.helper import HELPER_KINDS
from toolkit.session import AnalysisSession

FILTERS = [
    LogFilter(),
    LogFilter(municipality=["GM0479"]),
    LogFilter(track=["aa_va"]),
    LogFilter(period_from="2024-01-01", period_to="2024-12-31"),
]


def _records(findings) -> list[dict]:
    return [f.to_dict() for f in findings]


@pytest.fixture(scope="module")
def alone(chain_log_dir: Path) -> AnalysisSession:
    return AnalysisSession.open(chain_log_dir)


@pytest.fixture
def helped(chain_log_dir: Path):
    session = AnalysisSession.open(chain_log_dir)
    session.start_helper(wait=True)
    yield session
    session.close()


def _helper_pid(session: AnalysisSession) -> int:
    pid = session._helper.process_id
    assert pid is not None and pid != os.getpid()
    return pid


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a child that ended but was not reaped yet
        return stat.read().split(")")[-1].split()[0] != "Z"


def test_the_helper_computes_the_slow_segments_and_the_findings_are_the_same(helped, alone):
    pid = _helper_pid(helped)
    for f in FILTERS:
        expected = _records(alone.get(f, "findings"))
        assert _records(helped.get(f, "findings")) == expected, f
        # the slow segments were not computed in this process, and they are part of the answer
        assert ("findings", HELPER_KINDS) not in helped.scope(f).memo
    whole = helped.get(LogFilter(), "findings")
    assert any(finding.kind == "slow_segment" for finding in whole)
    assert _helper_pid(helped) == pid  # still the same helper


def test_an_export_reuses_the_findings_computed_with_the_helper(helped):
    f = LogFilter(municipality=["GM0479"])
    shown = helped.get(f, "findings")
    assert helped.analysis(f).findings is shown


def test_workshop_findings_with_a_helper_are_suppressed_as_without(chain_log_dir: Path):
    alone = AnalysisSession.open(chain_log_dir, workshop=True, k=40)
    helped = AnalysisSession.open(chain_log_dir, workshop=True, k=40)
    helped.start_helper(wait=True)
    try:
        f = LogFilter(track=["aa_va"])
        expected = alone.get(f, "findings")
        assert all(finding.persons >= 40 for finding in expected)
        assert _records(helped.get(f, "findings")) == _records(expected)
    finally:
        helped.close()


def test_when_the_helper_dies_the_session_computes_alone(helped, alone):
    os.kill(_helper_pid(helped), signal.SIGKILL)
    f = LogFilter(municipality=["GM0479"])
    assert _records(helped.get(f, "findings")) == _records(alone.get(f, "findings"))
    assert not helped._helper.ready
    # and goes on alone for the next filter
    g = LogFilter(track=["aa_va"])
    assert _records(helped.get(g, "findings")) == _records(alone.get(g, "findings"))
    assert list(helped.scope(g).memo) == ["findings"]  # all kinds at once, here


def test_close_stops_the_helper(chain_log_dir: Path):
    session = AnalysisSession.open(chain_log_dir)
    session.start_helper(wait=True)
    pid = _helper_pid(session)
    session.close()
    assert session._helper is None
    assert not _alive(pid)
    # without a helper the session still answers
    assert section(session.scope(LogFilter()), "findings") == session.get(LogFilter(), "findings")


def test_before_the_helper_is_ready_the_session_computes_alone(chain_log_dir: Path, alone):
    session = AnalysisSession.open(chain_log_dir)
    session.start_helper()  # in the background: ready or not, the findings are the same
    try:
        f = LogFilter(municipality=["GM0479"])
        assert _records(session.get(f, "findings")) == _records(alone.get(f, "findings"))
        session.start_helper(wait=True)  # started already: only waits
        assert session._helper.ready
        g = LogFilter(track=["aa_va"])
        assert _records(session.get(g, "findings")) == _records(alone.get(g, "findings"))
        assert ("findings", HELPER_KINDS) not in session.scope(g).memo
    finally:
        session.close()


def test_a_helper_that_cannot_start_leaves_the_session_alone(chain_log_dir: Path):
    # in workshop mode with k above everybody, the helper cannot compute the whole log
    session = AnalysisSession.open(chain_log_dir, workshop=True, k=10**6)
    session.start_helper(wait=True)
    assert not session._helper.ready
    session.close()


def test_closed_while_starting_the_helper_stops_once_started(chain_log_dir: Path):
    session = AnalysisSession.open(chain_log_dir)
    session.start_helper()
    helper = session._helper
    session.close()
    assert not helper.wait()  # started, and stopped at once


def test_a_helper_that_does_not_answer_in_time_is_left_alone(helped, alone, monkeypatch):
    monkeypatch.setattr(helper_module, "ANSWER_TIMEOUT", 0.5)
    helped._helper._pool.submit(time.sleep, 5)  # the helper is stuck with other work
    f = LogFilter(nationality=["Syrië"])
    assert _records(helped.get(f, "findings")) == _records(alone.get(f, "findings"))
    assert ("findings", HELPER_KINDS) in helped.scope(f).memo  # its part computed here
    assert not helped._helper.ready  # and it is not asked again
