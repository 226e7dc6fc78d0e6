"""Arrow's pool for a block: malloc within it, the pool before it after it, even on an error."""

from __future__ import annotations

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
