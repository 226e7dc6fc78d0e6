"""One event log held in memory and analysed per filter, one section at a time.

The dashboard shows one page at a time, and a page needs a few sections of the analysis (the
work in progress and the intervals for the home page, the process map for another). Computing
the whole :func:`toolkit.analysis.analyze` on every filter change would take ten seconds on a
million events; a session computes only the sections asked for, with the same functions
``analyze`` uses (:func:`toolkit.analysis.section`), and keeps the last few filters' results.
So a figure on the screen is the figure ``analyze`` gives for the same filter, and the xlsx
export of the screen is :func:`toolkit.analysis.analysis_of` on the very same scope.
The home pages of the large filters of one value (an organisation, the largest track, a year) can
be computed before the first visitor and kept (:meth:`AnalysisSession.compute_ahead`): on
millions of events they are the slow ones, and the first a chain manager tries.

A session is shared by the threads of a web server; one lock makes sure a section is computed
once, not by two requests at the same time. Example::

    >>> session = AnalysisSession.open(Path("event_logs/demo"), workshop=True)  # doctest: +SKIP
    >>> session.get(LogFilter(track=["4"]), "kpis")["waiting_for_home"]  # doctest: +SKIP
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from toolkit.analysis import (
    Analysis,
    Scope,
    analysis_of,
    keyed_section,
    log_as_of,
    make_scope,
    on_persons,
    section,
    smallest_group,
    suppress_section,
)
from toolkit.bottlenecks.common import local_dates
from toolkit.chain import Chain, load_chain
from toolkit.errors import EventLogError
from toolkit.eventlog import (
    CASE,
    EVENT_ID,
    GROUP,
    IND_CASE,
    MUNICIPALITY,
    RESOURCE,
    SOURCE_SYSTEM,
    TIMESTAMP,
    event_parts,
    read_events,
)
from toolkit.filters import COA, NATIONALITY, TRACK, LogFilter, in_window
from toolkit.logdir import EVENTS_FILE, REPORT_FILE, current_files
from toolkit.memory import trim
from toolkit.suppression import DEFAULT_K, disclosure_key

T = TypeVar("T")

# Filters whose sections are kept; a workshop goes back and forth between a handful.
KEEP_FILTERS = 12
# ... and the tables they hold besides the whole log's, at most this many times the log as held:
# a year's period holds a copy of its events and its own per-person tables, a large track rows of
# every whole-log table, a small municipality little; bounded by count alone, a process's memory
# would rise and fall by hundreds of MB with the mix of its last filters.
KEEP_LOG_TIMES = 8
KEEP_BYTES_AT_LEAST = 128 * 2**20  # a small log's filters are bounded by their number alone
# Columns of the event log that no analysis reads: never read from disk, so that neither opening
# the log nor cutting a filter's view out of it holds them (the event id alone is a million
# distinct strings).
NOT_ANALYSED = (EVENT_ID, SOURCE_SYSTEM, IND_CASE, "case:birth_year_band", "case:sex",
                "case:procedure")  # fmt: skip
# What the home page needs: computed for the whole log before the first visitor arrives.
HOME_SECTIONS = ("kpis", "intervals", "findings")
# A filter of one value whose view holds at least this many events has its home page computed
# before the first visitor too, and kept (AnalysisSession.compute_ahead): the home page's work
# grows with the view's events, and a chain manager's first click is on the large values
# (the organisation COA, the largest track, a year).
AHEAD_EVENTS = 400_000


def release_memory() -> None:
    """Give freed memory back to the system once a filter's sections are dropped.

    Freed memory goes back to glibc's per-thread arenas, not to the system; with a web
    server's threads each computing on views of a million events, a process would keep the
    high-water mark of every thread's last computations, scattered between live objects, and
    its resident memory would creep up filter after filter although it holds no more.
    ``malloc_trim`` returns the free pages of every arena (ctypes releases the interpreter
    lock meanwhile, so other requests go on). Not after every section: it walks every arena
    while the other threads wait for theirs, which under load costs more than it gives back.
    """
    trim()


def table_bytes(value: Any, shared: Collection[int] = ()) -> int:
    """The bytes of the tables and arrays in ``value`` (looking into dicts, lists and tuples),
    leaving out the objects whose ids are in ``shared`` (the whole log's, which a filter's scope
    may hold too). Texts, numbers and findings are small beside them and not counted; a column
    of Python objects counts its references only."""
    if id(value) in shared:
        return 0
    if isinstance(value, pd.DataFrame):  # column by column: names may repeat
        return table_bytes(value.index) + sum(
            int(column.memory_usage(index=False, deep=False)) for _, column in value.items()
        )
    if isinstance(value, pd.Series | pd.Index):
        return int(value.memory_usage(deep=False))
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, dict):
        return sum(table_bytes(v, shared) for v in value.values())
    if isinstance(value, list | tuple):
        return sum(table_bytes(v, shared) for v in value)
    return 0


def held(log: pd.DataFrame) -> pd.DataFrame:
    """The log as a session holds it: its text columns as categories.

    Every filter change cuts a view out of the log; with categories it copies integer codes
    instead of a million strings (a view of most of a million events: 0.1 s instead of 0.7 s),
    and a person's membership is looked up by code (:func:`toolkit.filters.member_of`).
    The values, and so every figure, stay the same.
    """
    text = [c for c in log.columns if pd.api.types.is_string_dtype(log[c].dtype)
            and not isinstance(log[c].dtype, pd.CategoricalDtype)]  # fmt: skip
    return log.astype(dict.fromkeys(text, "category"))


def _codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """A column's integer codes (-1 for missing) and the values they stand for."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy().astype(np.int64), column.cat.categories
    codes, values = pd.factorize(column)
    return codes.astype(np.int64), pd.Index(values)


def events_of_persons_with(
    log: pd.DataFrame, column: str, where: pd.Series | None = None
) -> pd.Series:
    """Per value of ``column``: the events of the persons with an event of that value (among
    ``where``), which is what a filter on it keeps (a municipality, a COA location)."""
    person, _ = _codes(log[CASE])
    value, values = _codes(log[column])
    keep = value >= 0 if where is None else (value >= 0) & where.to_numpy(dtype=bool)
    per_person = np.bincount(person)
    pairs = pd.unique(person[keep] * len(values) + value[keep])
    events = np.bincount(pairs % len(values), weights=per_person[pairs // len(values)],
                         minlength=len(values))  # fmt: skip
    return pd.Series(events.astype(np.int64), index=values)


class SmallSelectionError(EventLogError):
    """A filter that keeps fewer than k persons, refused in workshop mode."""


@dataclass(frozen=True)
class FilterOptions:
    """The values a filter bar offers, from the log itself: ``(value, label)`` pairs."""

    organisation: list[tuple[str, str]]
    municipality: list[tuple[str, str]]
    location: list[tuple[str, str]]
    nationality: list[tuple[str, str]]
    track: list[tuple[str, str]]
    first_day: str
    last_day: str


class AnalysisSession:
    """An event log, its chain and the analyses of its recent filters (see the module)."""

    def __init__(
        self,
        log: pd.DataFrame,
        *,
        chain: Chain | None = None,
        as_of: str | None = None,
        workshop: bool = False,
        k: int = DEFAULT_K,
        report: dict[str, Any] | None = None,
        files: Path | None = None,
    ) -> None:
        self.log = log
        self.files = files  # the folder the log was read from (its version); None: made in memory
        self.chain = chain or load_chain()
        self.as_of = as_of
        self.workshop = workshop
        self.k = k
        self.report = report or {}
        self._scopes: OrderedDict[LogFilter, Scope] = OrderedDict()
        self._lock = threading.Lock()  # guards the dicts; computing happens outside it
        self._computing: dict[LogFilter, dict[tuple, threading.Lock]] = {}
        self._making: dict[LogFilter, threading.Lock] = {}  # one scope made at a time per filter
        self._kept: dict[str, Any] = {}
        # per kept filter: the bytes of its tables (table_bytes) and the sections counted in them
        self._bytes: dict[LogFilter, int] = {}
        self._counted: dict[LogFilter, set] = {}
        self._budget = max(KEEP_LOG_TIMES * table_bytes(log), KEEP_BYTES_AT_LEAST)
        # the home pages computed ahead (compute_ahead): filter -> section -> answer; made before
        # the server answers and only read afterwards
        self._ahead: dict[LogFilter, dict[str, Any]] = {}

    @classmethod
    def open(cls, log_dir: Path, **kwargs: Any) -> AnalysisSession:
        """The session of an ingested log folder (``events.parquet`` and its ingest report).

        The end of the data is the export cut-off (:func:`toolkit.analysis.log_as_of`), as for
        :func:`toolkit.analysis.load_and_analyze`; without it, the last event.
        """
        log_dir = Path(log_dir)
        files = current_files(log_dir)  # events and report of one version
        path = files / EVENTS_FILE
        if not path.exists():
            raise EventLogError(
                f"{log_dir / EVENTS_FILE}: no event log here; run `ketenlens ingest DIR --out "
                f"{log_dir}` first"
            )
        report_path = files / REPORT_FILE
        report = json.loads(report_path.read_text("utf-8")) if report_path.is_file() else {}
        kwargs.setdefault("as_of", log_as_of(log_dir))
        parts = event_parts(path)
        stored = pq.read_schema(parts[0]).names if parts else []
        log = read_events(path, tuple(c for c in stored if c not in NOT_ANALYSED))
        return cls(held(log), report=report, files=files, **kwargs)

    def scope(self, f: LogFilter) -> Scope:
        """The scope of a filter: the one already made for it, or a new one (oldest dropped).

        In workshop mode a selection of fewer than k persons is refused as a whole: what is
        left of such a group after suppression (which days someone was in which phase, where a
        single duration falls) still describes those few people.
        """
        with self._lock:
            making = self._making.setdefault(f, threading.Lock())
        # the callbacks of one filter change arrive together: one of them cuts the view
        with making:
            with self._lock:
                if f in self._scopes:
                    self._scopes.move_to_end(f)
                    return self._scopes[f]
            # a filter on persons takes its per-person tables as rows of the whole log's
            whole = self.scope(LogFilter()) if on_persons(f) and not f.is_empty() else None
            try:
                # analyst mode perturbs nothing: its counts need no key sums
                made = make_scope(
                    self.log, f, chain=self.chain, as_of=self.as_of, whole=whole,
                    keyed=self.workshop, min_group=smallest_group(self.workshop, self.k),
                )  # fmt: skip
            except EventLogError:  # a filter that keeps nothing is not remembered
                self._forget(f)
                raise
            if self.workshop and int(made.view[CASE].nunique()) < self.k:
                self._forget(f)  # nor is a refused one
                raise SmallSelectionError(
                    f"the filter {f.to_dict()} keeps fewer than {self.k} persons; workshop mode "
                    "shows nothing about so small a group: widen the filter"
                )
            with self._lock:
                self._scopes[f] = made
                dropped = self._count(f, made)
            if dropped:
                del dropped  # the last references to the dropped filters' sections
                release_memory()
            return made

    def _count(self, f: LogFilter, scope: Scope) -> list[Scope]:
        """Count the tables ``scope`` holds by now (those not counted yet), then drop the least
        recent filters beyond :data:`KEEP_FILTERS` or the bytes budget (never ``f``, nor the
        whole log's: the filters on persons are cut from it); the dropped scopes. Called with
        the lock held."""
        if self._scopes.get(f) is not scope:
            return []  # dropped meanwhile by another request
        if not f.is_empty():
            whole = self._scopes.get(LogFilter())
            shared = {id(whole.view), *map(id, whole.memo.values())} if whole else set()
            counted = self._counted.setdefault(f, set())
            new = [key for key in list(scope.memo) if key not in counted]
            counted.update(new)
            added = table_bytes([scope.memo[key] for key in new], shared)
            if f not in self._bytes:
                added += table_bytes(scope.view, shared)
            self._bytes[f] = self._bytes.get(f, 0) + added
        dropped = []
        while len(self._scopes) > KEEP_FILTERS or sum(self._bytes.values()) > self._budget:
            oldest = next((g for g in self._scopes if not g.is_empty() and g != f), None)
            if oldest is None:
                break
            dropped.append(self._scopes.pop(oldest))
            for kept in (self._computing, self._making, self._bytes, self._counted):
                kept.pop(oldest, None)
        return dropped

    def _forget(self, f: LogFilter) -> None:
        with self._lock:
            for kept in (self._computing, self._making, self._bytes, self._counted):
                kept.pop(f, None)

    def get(self, f: LogFilter, name: str, *args: Any) -> Any:
        """One section for a filter, suppressed in workshop mode exactly as ``analyze`` does.

        Sections of different filters, or different sections of one, are computed side by side
        (a slow list of findings does not hold up the tiles of the next filter); the same
        section is computed once, the second request waiting for the first.
        """
        ahead = self._ahead.get(f)
        if ahead is not None and not args and name in ahead:
            return ahead[name]
        with self._lock:
            lock = self._computing.setdefault(f, {}).setdefault((name, args), threading.Lock())
        with lock:
            scope = self.scope(f)
            known = len(scope.memo)
            value = (
                keyed_section(scope, name, *args) if self.workshop else section(scope, name, *args)
            )
            if len(scope.memo) > known:  # computed now: count what the filter holds
                with self._lock:
                    dropped = self._count(f, scope)
                if dropped:  # the last references to the dropped filters' sections
                    del dropped
                    release_memory()
            if not self.workshop:
                return value
            norms = section(scope, "norms") if name == "findings" else None
        with disclosure_key(self.log):
            return suppress_section(name, value, self.k, norms=norms)

    def analysis(self, f: LogFilter) -> Analysis:
        """The whole analysis of a filter (for an export), reusing every section computed."""
        scope = self.scope(f)
        with self._lock:
            lock = self._computing.setdefault(f, {}).setdefault(("analysis", ()), threading.Lock())
        with lock:
            if not self.workshop:
                return analysis_of(scope)
            with disclosure_key(self.log):
                return analysis_of(scope, workshop=True, k=self.k)

    def warm(self, names: Iterable[str] = HOME_SECTIONS, f: LogFilter | None = None) -> None:
        """Compute sections ahead of the first request (the whole log's home page by default,
        and the filter bar's choices)."""
        self.options()
        for name in names:
            self.get(f or LogFilter(), name)

    def ahead_filters(self, at_least: int = AHEAD_EVENTS) -> list[LogFilter]:
        """The filters of one value the filter bar offers (an organisation, a track, a
        nationality, a municipality, a COA location, a calendar year's months as period or as
        cohort) whose view holds at least ``at_least`` events, largest first."""
        log = self.log
        if len(log) < at_least:  # no view is that large
            return []
        options = self.options()
        sizes: dict[LogFilter, int] = {}
        for name, column in (("organisation", GROUP), ("track", TRACK),
                             ("nationality", NATIONALITY)):  # fmt: skip
            if column in log.columns:
                counts = log[column].value_counts(sort=False)
                sizes.update({LogFilter(**{name: [str(v)]}): int(n) for v, n in counts.items()})
        for name, column in (("municipality", MUNICIPALITY), ("location", RESOURCE)):
            if column in log.columns and (name != "location" or GROUP in log.columns):
                where = log[GROUP].astype(object).eq(COA) if name == "location" else None
                counts = events_of_persons_with(log, column, where)
                sizes.update({LogFilter(**{name: [str(v)]}): int(n) for v, n in counts.items()})
        first, last = date.fromisoformat(options.first_day), date.fromisoformat(options.last_day)
        for year in range(first.year, last.year + 1):
            # the bar's ranges are of whole months: a year is its first month to its last
            start = max(date(year, 1, 1), first.replace(day=1))
            end = min(date(year, 12, 31), (pd.Timestamp(last) + pd.offsets.MonthEnd(0)).date())
            period = int(in_window(log[TIMESTAMP], (start, end)).sum())
            sizes[LogFilter(period_from=start, period_to=end)] = period
            sizes[LogFilter(cohort_from=start, cohort_to=end)] = len(log)  # keeps every event
        large = [(n, f) for f, n in sizes.items() if n >= at_least]
        return [f for _, f in sorted(large, key=lambda pair: -pair[0])]

    def compute_ahead(self, filters: Iterable[LogFilter] | None = None) -> list[LogFilter]:
        """Compute the home page of each of ``filters`` (default: :meth:`ahead_filters`) now and
        keep its answers (what :meth:`get` returns for them, suppressed in workshop mode as on
        demand), not their scopes: a first click on a large organisation, track or year then
        answers at once, and the server's workers, forked after this, share them. The filters
        whose answers are kept.

        Computed one after another, each filter's scope dropped once its answers are kept; a
        filter that keeps nothing or is refused (workshop mode) keeps no answers, so asking
        for it again fails as it would have."""
        done: list[LogFilter] = []
        for f in self.ahead_filters() if filters is None else filters:
            try:
                answers = {name: self.get(f, name) for name in HOME_SECTIONS}
            except EventLogError:
                continue
            finally:
                with self._lock:
                    dropped = self._scopes.pop(f, None)
                self._forget(f)
                del dropped
            self._ahead[f] = answers
            done.append(f)
        release_memory()
        return done

    def kept(self, name: str, make: Callable[[], T]) -> T:
        """What ``make`` returns, made once per session: something of the whole log that every
        app over the session shares (the scenario page's calibrated model)."""
        with self._lock:
            if name not in self._kept:
                self._kept[name] = make()
            return self._kept[name]

    def options(self) -> FilterOptions:
        """The filter bar's choices: values present in the log, labelled from the chain; made
        once (every page's filter bar asks, and on millions of events it takes seconds)."""
        return self.kept("options", self._options)

    def _options(self) -> FilterOptions:
        log = self.log

        def values(column: str, where: pd.Series | None = None) -> list[str]:
            if column not in log.columns:
                return []
            data = log.loc[where, column] if where is not None else log[column]
            return sorted(str(v) for v in data.dropna().astype(object).unique())

        coa = log[GROUP].astype(object).eq(COA) if GROUP in log.columns else None
        days = local_dates(log[TIMESTAMP])
        return FilterOptions(
            organisation=[(v, v) for v in values(GROUP)],
            municipality=[(v, self.municipality_label(v)) for v in values(MUNICIPALITY)],
            location=[(v, v) for v in values(RESOURCE, coa)] if coa is not None else [],
            nationality=[(v, v) for v in values(NATIONALITY)],
            track=[(v, v) for v in values(TRACK)],
            first_day=days.min().date().isoformat(),
            last_day=days.max().date().isoformat(),
        )

    def municipality_label(self, code: str) -> str:
        """``Zaanstad (GM0479)``; the bare code for a municipality the chain does not list."""
        try:
            return f"{self.chain.municipality(code).name} ({code})"
        except KeyError:
            return code

    @property
    def persons(self) -> int:
        return int(self.log[CASE].nunique())
