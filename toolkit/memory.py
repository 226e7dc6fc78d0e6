"""Freed memory given back to the system between the steps of a large computation, or kept
for the next arrays within one.

Reading Parquet decodes through Arrow's memory pool, and pandas keeps its texts there too; the
pool holds on to what was freed, for its next allocations. Freed Python objects and numpy
arrays go back to glibc's arenas, not to the system. In a process that reads a log and then
analyses it, the decoding buffers and each finished step's intermediate tables would stay
resident under the next step's peak. The values in memory are untouched. Example::

    >>> give_back()

Within a step that makes and drops many large arrays (ingest's reading and its last stage), the
opposite is cheaper: keeping what was freed (:func:`keep_freed`, :func:`malloc_keeps_freed`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyarrow as pa


def _glibc(function: str, argtypes: list[Any]) -> Any:
    """A function of glibc's ``malloc``, or None where the C library has none (another libc)."""
    name = ctypes.util.find_library("c")
    found = getattr(ctypes.CDLL(name), function, None) if name else None
    if found is not None:
        found.argtypes, found.restype = argtypes, ctypes.c_int
    return found


_TRIM = _glibc("malloc_trim", [ctypes.c_size_t])
_MALLOPT = _glibc("mallopt", [ctypes.c_int, ctypes.c_int])
# mallopt's parameters: above this size a block is mapped from the kernel on its own (and
# unmapped when freed); free memory above this much at the top of the heap is given back.
_M_MMAP_THRESHOLD, _M_TRIM_THRESHOLD = -3, -1
# glibc's starting value of both (to which :func:`malloc_keeps_freed` returns them), and what
# :func:`keep_freed` raises them to: more than any one column.
_GLIBC_THRESHOLD = 128 * 1024
_KEEP = 1 << 30


def trim() -> None:
    """Return the free pages of every glibc arena to the system (nothing on another libc).

    It walks every arena while other threads wait for theirs: in a server, once in a while,
    not after every step. ctypes releases the interpreter lock meanwhile.
    """
    if _TRIM is not None:
        _TRIM(0)


def give_back() -> None:
    """Return what Arrow's pool and ``malloc`` hold free to the system (:func:`trim`)."""
    pa.default_memory_pool().release_unused()
    trim()


@contextmanager
def arrow_through_malloc() -> Iterator[None]:
    """Within the block Arrow allocates through ``malloc`` (its system pool); after it, through
    the pool it used before (each buffer is freed to the pool it came from).

    For a step that makes many large arrays that live briefly, such as sorting a million events
    and turning their columns into text. Arrow's default pool (mimalloc) asks the kernel for
    transparent huge pages for them where the system allows it, and a fresh huge page can make
    the kernel clear and compact memory first, in the process's own time; ``malloc`` maps
    ordinary pages. The pool is the process's: for a command's own process, not a server's
    threads.
    """
    before = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(before)


def keep_freed() -> bool:
    """From now on ``malloc`` takes large blocks from its heap and keeps what is freed for the
    next ones, for the rest of this process (one that does one job, then ends: a worker that
    reads export files). Whether glibc took the setting (nothing happens on another C library).

    By default glibc maps each large block (a column of a file's or a log's events) from the
    kernel on its own and unmaps it when it is freed, so the next column of that size is faulted
    in page by page again, in the process's own time. In work that makes and drops many such
    columns, keeping them is cheaper. The peak can be somewhat higher: a freed block stays in the
    process, also where the next block does not fit in it.
    """
    if _MALLOPT is None:
        return False
    return bool(_MALLOPT(_M_MMAP_THRESHOLD, _KEEP)) and bool(_MALLOPT(_M_TRIM_THRESHOLD, _KEEP))


@contextmanager
def malloc_keeps_freed() -> Iterator[None]:
    """:func:`keep_freed` within the block; after it, what is free goes back to the system
    (:func:`trim`) and the thresholds are glibc's starting values, no longer adjusted by glibc
    as it goes: for a command's own process, not a server's."""
    changed = keep_freed()
    try:
        yield
    finally:
        if changed:
            _MALLOPT(_M_MMAP_THRESHOLD, _GLIBC_THRESHOLD)
            _MALLOPT(_M_TRIM_THRESHOLD, _GLIBC_THRESHOLD)
        trim()
