"""A helper process for the dashboard's session: the slow segments of a new filter, computed on
the other processor core.

A filter change computes the tiles, the journey and the findings at once, but pandas holds
Python's interpreter lock for most of that work, so threads of one process take turns on one
core. The helper tests the segments (the largest part of the findings) meanwhile, with the same
function (:func:`toolkit.bottlenecks.findings.findings_in`); the findings ranked together are the same.

It is a process of its own with a copy of the log, not a fork: a forked copy shares the server's
memory until either side writes, and the first large filters then pay for copying it page by
page. It starts in the background (importing the toolkit, reading the copy, computing the whole
log's blocks the segments of a filter are cut from: a few seconds). Until it is ready, once it
has died, or when it could not start, the session computes everything itself. It ends with the
server's process, however that ends. Starting it needs the ``if __name__ == "__main__"`` guard
around a script's own code, as every spawned process does. Example::

    >>> helper = Helper(session)  # doctest: +SKIP
    >>> helper.wait()  # doctest: +SKIP
    True
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING

from toolkit.analysis import section
from toolkit.bottlenecks.findings import Finding
from toolkit.errors import EventLogError
from toolkit.filters import LogFilter

if TYPE_CHECKING:
    from toolkit.session import AnalysisSession

# The kinds of findings the helper computes: the slow-segment tests are the largest part of a
# filter change, and need little of what the tiles and the other kinds compute.
HELPER_KINDS = ("slow_segment",)
# Seconds to wait for the helper's answer (a fraction of a second on a million events) before it
# counts as stuck: its part is then computed here, and it is not asked again.
ANSWER_TIMEOUT = 60.0


class Helper:
    """A helper process for one session, started in the background (see the module)."""

    def __init__(self, session: AnalysisSession) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False
        self._lock = threading.Lock()
        self._started = threading.Event()
        arguments = (session.log, session.chain, session.as_of, session.workshop, session.k)
        # the copy of the log goes down a pipe as fast as the new process reads it: a thread of
        # its own waits for that, so the caller goes on (computing the home page, say)
        threading.Thread(target=self._start, args=(arguments,), daemon=True).start()

    def _start(self, arguments: tuple) -> None:
        pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            1, multiprocessing.get_context("spawn"), initializer=_adopt, initargs=arguments
        )
        try:
            pool.submit(int).result()  # answered once the helper is ready
        except Exception:  # it could not start: the session computes alone
            pool.shutdown(wait=False, cancel_futures=True)
            pool = None
        with self._lock:
            if self._closed and pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
                pool = None
            self._pool = pool
        self._started.set()

    def wait(self) -> bool:
        """Wait until the helper has started (or failed to); whether it is ready now."""
        self._started.wait()
        return self.ready

    @property
    def ready(self) -> bool:
        return self._pool is not None

    @property
    def process_id(self) -> int | None:
        """The helper's process id while it is ready (to watch it, as the tests do)."""
        pool = self._pool
        return next(iter(pool._processes), None) if pool is not None else None

    def ask(self, f: LogFilter) -> Future | None:
        """Ask for the helper's findings of a filter; None when it is not ready."""
        pool = self._pool
        if pool is None:
            return None
        try:
            return pool.submit(_findings_of, f)
        except Exception:  # it died, or was closed meanwhile
            self._forget(pool)
            return None

    def answer(self, asked: Future) -> list[Finding] | None:
        """The findings asked for; None when the helper failed for a reason of its own (it
        died, was closed, or is stuck), after which it is not asked again. A problem of the
        filter itself (:class:`~toolkit.errors.EventLogError`) is raised as the session
        raises it."""
        pool = self._pool
        try:
            return asked.result(timeout=ANSWER_TIMEOUT)
        except EventLogError:
            raise
        except Exception:
            self._forget(pool)
            return None

    def _forget(self, pool: ProcessPoolExecutor | None) -> None:
        with self._lock:
            if self._pool is pool and pool is not None:
                self._pool = None
                pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the helper (one still starting stops once it has)."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(cancel_futures=True)


# In a helper process: its own session on the copy of the log.
_helped: AnalysisSession | None = None


def _adopt(log, chain, as_of, workshop, k) -> None:  # pragma: no cover (runs in the helper)
    """Start of a helper process. Ctrl+C is for the server, which stops its helper; a helper
    that cannot start ends without a word (a traceback could quote the log), and the server
    computes alone."""
    global _helped
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with_the_server, daemon=True).start()
    from toolkit.session import AnalysisSession

    try:
        _helped = AnalysisSession(log, chain=chain, as_of=as_of, workshop=workshop, k=k)
        _findings_of(LogFilter())  # the whole log's blocks the filters are cut from
    except Exception:
        os._exit(1)


def _end_with_the_server() -> None:  # pragma: no cover (runs in the helper)
    """End when the server's process ends, however it ends: stopped without a word (``kill``,
    a closed terminal), it cannot stop its helper, which would otherwise wait for work for good,
    holding its copy of the log."""
    server = multiprocessing.parent_process()
    if server is not None:
        server.join()
        os._exit(0)


def _findings_of(f: LogFilter) -> list[Finding]:  # pragma: no cover (runs in the helper)
    """The kinds of findings the helper computes, for a filter."""
    return section(_helped.scope(f), "findings", HELPER_KINDS)
