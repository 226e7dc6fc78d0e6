"""Many digests as one column of hex text: event ids and pseudonyms.

A hash of the standard library gives one digest per call, and that call is the only work per
value. The digests' bytes are joined and written as hex at once; the first characters of each
become an arrow text column, so no text object is made per value. Example::

    >>> import hashlib
    >>> digests = b"".join(hashlib.sha256(m).digest() for m in (b"a", b"b"))
    >>> hex_prefixes(digests, count=2, chars=6).to_pylist()
    ['ca9781', '3e23e8']
"""

from __future__ import annotations

import binascii

import numpy as np
import pyarrow as pa


def hex_prefixes(digests: bytes, count: int, chars: int) -> pa.Array:
    """The first ``chars`` hex characters (lower case, as ``hexdigest``) of each of ``count``
    digests of equal length, joined in ``digests``; large text."""
    if count == 0:
        return pa.array([], pa.large_string())
    width = len(digests) // count
    if width * count != len(digests) or chars > 2 * width:
        raise ValueError(f"{count} digests of {width} bytes have no {chars} hex characters each")
    kept = np.frombuffer(digests, dtype=np.uint8).reshape(count, width)[:, : (chars + 1) // 2]
    hexed = np.frombuffer(binascii.hexlify(kept.tobytes()), dtype=np.uint8)
    text = hexed.reshape(count, -1)[:, :chars]
    offsets = np.arange(0, (count + 1) * chars, chars, dtype=np.int64)
    return pa.LargeStringArray.from_buffers(
        count, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(text))
    )
