"""Hex digests written at once are the hex digests ``hashlib`` writes one by one."""

from __future__ import annotations

import hashlib
import hmac

from toolkit.digests import hex_prefixes


def test_prefixes_are_those_of_hexdigest():
    messages = [b"", b"a", b"vnummer:0123456789", "Syri\u00eb".encode()]
    digests = b"".join(hashlib.sha256(m).digest() for m in messages)
    for chars in (1, 8, 20, 24, 64):
        assert hex_prefixes(digests, len(messages), chars).to_pylist() == [
            hashlib.sha256(m).hexdigest()[:chars] for m in messages
        ]


def test_known_hmac_prefix():
    # `printf abc | openssl dgst -sha256 -hmac key` prints 9c196e32dc0175f86f4b1cb8...
    digest = hmac.new(b"key", b"abc", hashlib.sha256).digest()
    assert hex_prefixes(digest, 1, 20).to_pylist() == ["9c196e32dc0175f86f4b"]


def test_no_digests():
    assert hex_prefixes(b"", 0, 20).to_pylist() == []
