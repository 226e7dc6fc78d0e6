"""Arrow's pool for a block: malloc within it, the pool before it after it, even on an error.
And malloc that keeps freed blocks: counted in page faults, in a process of its own."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys

import pyarrow as pa
import pytest

from toolkit.memory import arrow_through_malloc


def test_arrow_allocates_through_malloc_within_the_block_only():
    before = pa.default_memory_pool().backend_name
    with arrow_through_malloc():
        assert pa.default_memory_pool().backend_name == "system"
        kept = pa.array(["a", "b"] * 1000).take(pa.array([0, 1]))
    assert pa.default_memory_pool().backend_name == before
    assert kept.to_pylist() == ["a", "b"]  # freed later to the pool it came from
    with pytest.raises(ValueError), arrow_through_malloc():
        raise ValueError("a failing step")
    assert pa.default_memory_pool().backend_name == before


# A column of 64 MB made and dropped five times; prints the page faults it took. (Not numpy:
# it asks for huge pages, a few faults per column either way.)
_FAULTS = """
import ctypes, resource, sys
from toolkit.memory import keep_freed, malloc_keeps_freed
# no transparent huge pages for this process (where they are on for every allocation, a block
# is faulted in 2 MiB at a time): PR_SET_THP_DISABLE
ctypes.CDLL(None).prctl(41, 1, 0, 0, 0)
def faults():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(5):
        column = bytearray(64_000_000)  # malloc, then every page written
        del column
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
if sys.argv[1] == "keep":
    keep_freed()
if sys.argv[1] == "block":
    with malloc_keeps_freed():
        print(faults())
else:
    print(faults())
"""


def _faults(how: str) -> int:
    run = subprocess.run(
        [sys.executable, "-c", _FAULTS, how], capture_output=True, text=True, check=True
    )
    return int(run.stdout)


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or ctypes.util.find_library("c") is None,
    reason="glibc's malloc",
)
def test_freed_columns_are_kept_for_the_next_ones():
    pages = 64_000_000 // 4096
    assert _faults("default") >= 4 * pages  # each column mapped and faulted in anew
    assert _faults("keep") < 2 * pages  # the first one only
    assert _faults("block") < 2 * pages
