"""Freed memory back to the system between the steps of a large computation.

Reading Parquet decodes through Arrow's memory pool, and pandas keeps its texts there too; the
pool holds on to what was freed, for its next allocations. Freed Python objects and numpy
arrays go back to glibc's arenas, not to the system. In a process that reads a log and then
analyses it, the decoding buffers and each finished step's intermediate tables would stay
resident under the next step's peak. The values in memory are untouched. Example::

    >>> give_back()
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyarrow as pa


def _malloc_trim() -> Any:
    """glibc's ``malloc_trim``, or None where the C library has none (another libc)."""
    name = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    if trim is not None:
        trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_TRIM = _malloc_trim()


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
