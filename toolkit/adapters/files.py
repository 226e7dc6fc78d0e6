"""Read and map the export files of one ingest, in worker processes when there is enough to read.

Files are independent until their events are deduplicated against each other, so each is read,
normalised and pseudonymised on its own: a worker hands back the file's mapped events, its
quarantine and its report, never the raw cells. The results come back in the files' order, so
what follows (deduplication in sorted path order) is the same as when the files are read one
after the other in this process, and so are the pseudonyms and event ids: both depend on the key
and the values alone.

Workers are started by forking where the platform allows it (nothing is imported again); the
number of workers is fixed, so the memory of reading does not grow with the number of files or
processors: each worker holds one file's cells at a time.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from datetime import date

from toolkit.adapters.csv import read_csv
from toolkit.adapters.detect import Source
from toolkit.adapters.generic import GenericColumns, map_log, read_log
from toolkit.adapters.mapping import Mapped, map_table
from toolkit.adapters.report import FileReport
from toolkit.adapters.table import RawTable, unknown_columns_note
from toolkit.adapters.xlsx import read_xlsx
from toolkit.errors import IngestError
from toolkit.memory import keep_freed
from toolkit.privacy import Pseudonymizer

Progress = Callable[[int, int, str], None]

# Worker processes reading at once: two keep a laptop's memory for reading at two files' cells.
WORKERS = 2
# Below this many bytes of exports a worker process costs more than it saves.
PARALLEL_FROM_BYTES = 8_000_000


def read_file(
    source: Source, key: Pseudonymizer, as_of: date, columns: GenericColumns
) -> tuple[Mapped, FileReport]:
    """Read and map one file: its mapped rows, and its report so far (the reader's accounting;
    events and duplicates are counted once all files are in)."""
    report = FileReport(path=source.name, profile=source.profile_name)
    if source.profile is None:
        log = read_log(source.path, columns)
        report.rows_read = log.rows_read
        return map_log(log, key=key, source_file=source.name), report
    reader = read_xlsx if source.profile.file_kind == "xlsx" else read_csv
    with _no_cycle_collection():
        table: RawTable = reader(source.path, source.profile)
        mapped = map_table(table, key=key, as_of=as_of, source_file=source.name)
    report.rows_read = table.rows_read
    report.skipped_rows = dict(sorted(table.skipped.items()))
    report.encoding = table.encoding
    report.created = table.created.isoformat(timespec="minutes") if table.created else None
    report.footer_total = table.footer_total
    report.notes = list(table.notes)
    unknown = unknown_columns_note(table, key.column)
    if unknown:
        report.notes.append(unknown)
    report.repairs = dict(table.repairs)
    return mapped, report


def read_files(
    sources: list[Source],
    key: Pseudonymizer,
    as_of: date,
    columns: GenericColumns,
    progress: Progress | None = None,
) -> Iterator[tuple[Mapped, FileReport]]:
    """:func:`read_file` of every source, in the sources' order; ``progress`` hears each file
    as it is done (how many are done, of how many, and the file's name).

    A worker process that stops without an answer (killed, or out of memory) is an
    :class:`IngestError` naming the first file not read: nothing has been written by then."""
    total = len(sources)
    if progress:
        progress(0, total, "")
    with _workers(sources, key, as_of, columns) as pool:
        if pool is None:
            results = (read_file(s, key, as_of, columns) for s in sources)
        else:
            results = pool.map(_read_nth, range(total))
        done = 0
        try:
            for done, result in enumerate(results, start=1):
                if progress:
                    progress(done, total, sources[done - 1].name)
                yield result
        except BrokenProcessPool:
            raise IngestError(
                "a process reading the exports stopped before it was done (killed, or the "
                f"machine ran out of memory), while reading {sources[done].name} or a file after "
                "it; nothing was written. Run ingest again, with fewer export files at a time if "
                "memory is short."
            ) from None


# What a worker reads from: set in the worker when it starts (a key is never written to disk
# or a pipe where the start method allows it: forked workers inherit it).
_task: tuple[list[Source], Pseudonymizer, date, GenericColumns] | None = None


def _start(sources: list[Source], key: Pseudonymizer, as_of: date, columns: GenericColumns) -> None:
    global _task
    _task = (sources, key, as_of, columns)
    keep_freed()  # a worker makes and drops a file's columns, file after file


def _read_nth(i: int) -> tuple[Mapped, FileReport]:
    assert _task is not None, "a worker reads only after it started"
    sources, key, as_of, columns = _task
    return read_file(sources[i], key, as_of, columns)


@contextmanager
def _workers(
    sources: list[Source], key: Pseudonymizer, as_of: date, columns: GenericColumns
) -> Iterator[Executor | None]:
    """A pool of worker processes for the sources, or None when one process is the better choice:
    a single file, little to read, or a single processor."""
    size = sum(s.path.stat().st_size for s in sources)
    processors = (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    )
    workers = min(WORKERS, len(sources), processors or 1)
    if workers < 2 or size < PARALLEL_FROM_BYTES:
        yield None
        return
    # fork on Linux: workers start at once with everything imported; elsewhere the default
    method = "fork" if sys.platform == "linux" else None
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_start,
        initargs=(sources, key, as_of, columns),
    )
    try:
        yield pool
    finally:  # after an error in one file the files not yet begun are not read
        pool.shutdown(cancel_futures=True)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a file is read and mapped.

    A reader creates millions of small objects at once (cells, rows), none of them in a cycle; the
    collector would scan the growing heap again and again for nothing. Reference counting frees
    them as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
