"""Freed memory back to the system between the steps of a large computation.

Reading Parquet decodes through Arrow's memory pool, and pandas keeps its texts there too; the
pool holds on to what was freed, for the next allocation, and so does the C library's ``malloc``
with the blocks of Python objects and numpy arrays. In a process that reads a log and then
analyses it, the decoding buffers and each finished step's intermediate tables would stay
resident under the next step's peak. :func:`give_back` returns them; the values in memory are
untouched. Example::

    >>> give_back()
"""

from __future__ import annotations

import ctypes
import ctypes.util

import pyarrow as pa


def _malloc_trim() -> ctypes._CFuncPtr | None:
    """glibc's ``malloc_trim`` (None where the C library has none, as on macOS or musl)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


_TRIM = _malloc_trim()


def give_back() -> None:
    """Return the memory freed so far by Arrow's pool and by ``malloc`` to the system."""
    pa.default_memory_pool().release_unused()
    if _TRIM is not None:
        _TRIM(0)
