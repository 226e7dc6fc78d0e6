"""Keyed pseudonyms: the only form in which a person or household identifier leaves an adapter.

A pseudonym is HMAC-SHA256 of the normalised identifier under a secret key. Partners that share the
key get linkable logs; without the key nobody can recompute or reverse them, unlike a plain hash of
a 10-digit number, which anyone can brute-force. The digest is truncated for readability: 20 hex
characters (80 bits) leave collisions out of reach for any realistic number of persons.

Example::

    >>> p = Pseudonymizer(b"0123456789abcdef0123456789abcdef")
    >>> p.person("0123456789")
    'a0d7b3db12bbe6d615aa'
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.digests import hex_prefixes
from toolkit.errors import IngestError

KEY_ENV = "KETENLENS_KEY"
PSEUDONYM_LENGTH = 20
FINGERPRINT_LENGTH = 12
# A key shorter than this is guessable; `secrets.token_hex(32)` gives 64 characters.
MIN_KEY_LENGTH = 32
MAKE_KEY_HINT = (
    'make one with: python -c "import secrets; print(secrets.token_hex(32))" > ketenlens.key, '
    f"then pass --key-file ketenlens.key or set {KEY_ENV}"
)
# Public on purpose: it exists only so that the generated demo data can be ingested without
# setting up a key. Pseudonyms made with it protect nothing, which the CLI says loudly.
DEMO_KEY = b"ketenlens-public-demo-key--only-for-generated-data"

# Each kind of identifier has its own domain, so a household number can never produce the same
# pseudonym as a V-nummer that happens to be written alike.
_PERSON = b"vnummer:"
_HOUSEHOLD = b"household:"
_CASE = b"case:"
# An IND case (ZAAKNUMMER) has its own domain: a person can have several (asylum, then nareis as
# referent), so it is an event attribute and must never collide with a person's pseudonym.
_IND_CASE = b"ind-case:"
_COLUMN = b"column:"
COLUMN_HASH_LENGTH = 8
_FINGERPRINT = b"ketenlens-key-fingerprint"
_TEXT = pa.large_string()
_BYTES = pa.large_binary()
_NOTHING = pa.scalar(b"", _BYTES)
_EMPTY = pa.array([], _TEXT)


def _hmac_states(key: bytes) -> tuple[Any, Any]:
    """HMAC-SHA256's two hashes with the padded key already fed in (RFC 2104): the outer hash of
    the inner hash of a message is its HMAC. Copying these two states per value costs less than
    ``hmac``'s copy, which also keeps a Python object per value."""
    block = hashlib.sha256().block_size
    padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))
    return inner, outer


class Pseudonymizer:
    """Turns identifiers into pseudonyms under one key; each identifier is hashed once per key
    (identifiers repeat per event and per export)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_LENGTH:
            raise IngestError(
                f"the pseudonymisation key is {len(key)} characters; it needs at least "
                f"{MIN_KEY_LENGTH}; {MAKE_KEY_HINT}"
            )
        self._key = key
        self._inner, self._outer = _hmac_states(key)  # copied per value: the key set up once
        # Per domain: the identifiers hashed so far and their pseudonyms, as two arrow arrays.
        self._known: dict[bytes, tuple[pa.Array, pa.Array]] = {}

    def __reduce__(self) -> tuple[type[Pseudonymizer], tuple[bytes]]:
        # a worker process started without fork gets the key and builds its own look-ups
        return Pseudonymizer, (self._key,)

    def _hash(self, domain: bytes, values: pa.Array) -> pa.Array:
        """The pseudonyms of texts (none of them null) in one domain: HMAC-SHA256 of the domain
        and the text's UTF-8, its first :data:`PSEUDONYM_LENGTH` hex characters."""
        messages = pc.binary_join_element_wise(
            pa.scalar(domain, _BYTES), values.cast(_TEXT).cast(_BYTES), _NOTHING
        )
        inner, outer = self._inner, self._outer
        digests = []
        for message in messages.to_pylist():
            keyed = inner.copy()
            keyed.update(message)
            mac = outer.copy()
            mac.update(keyed.digest())
            digests.append(mac.digest())
        return hex_prefixes(b"".join(digests), len(digests), PSEUDONYM_LENGTH)

    def _digest(self, domain: bytes, value: str) -> str:
        return self._hash(domain, pa.array([value], _TEXT))[0].as_py()

    def _many(self, domain: bytes, values: pa.Array) -> pa.Array:
        """The pseudonyms of a text array in one domain (null stays null); only identifiers not
        seen before under this key are hashed.

        The identifiers seen before are kept as arrow arrays; the array's distinct values, few
        beside them, are the side that is put in a hash table for the look-up.
        """
        encoded = pc.dictionary_encode(values.cast(_TEXT))
        distinct = encoded.dictionary
        known, pseudonyms = self._known.get(domain, (_EMPTY, _EMPTY))
        found = pc.fill_null(pc.index_in(known, value_set=distinct), -1).to_numpy()
        at = np.full(len(distinct), -1, dtype=np.int64)
        hits = np.flatnonzero(found >= 0)
        at[found[hits]] = hits
        new = np.flatnonzero(at < 0)
        if len(new):
            fresh = distinct.take(pa.array(new))
            hashed = self._hash(domain, fresh)
            at[new] = len(known) + np.arange(len(new))
            known, pseudonyms = (
                pa.concat_arrays([known, fresh]),
                pa.concat_arrays([pseudonyms, hashed]),
            )
            self._known[domain] = (known, pseudonyms)
        return pseudonyms.take(pa.array(at)).take(encoded.indices)

    def persons(self, vnummers: pa.Array) -> pa.Array:
        """Pseudonyms of many normalised V-nummers (:meth:`person` of each; null stays null)."""
        return self._many(_PERSON, vnummers)

    def households(self, households: pa.Array) -> pa.Array:
        """Pseudonyms of many household numbers (:meth:`household` of each)."""
        return self._many(_HOUSEHOLD, households)

    def ind_cases(self, case_numbers: pa.Array) -> pa.Array:
        """Pseudonyms of many normalised IND case numbers (:meth:`ind_case` of each)."""
        return self._many(_IND_CASE, case_numbers)

    def person(self, vnummer: str) -> str:
        """Pseudonym of a normalised (10-digit) V-nummer."""
        return self._digest(_PERSON, vnummer)

    def household(self, household: str) -> str:
        """Pseudonym of a household number."""
        return self._digest(_HOUSEHOLD, household)

    def case(self, case_id: str) -> str:
        """Pseudonym of a case id of a log from another process (it may identify a person)."""
        return self._digest(_CASE, case_id)

    def ind_case(self, case_number: str) -> str:
        """Pseudonym of a normalised IND case number (ZAAKNUMMER); the number itself never passes."""
        return self._digest(_IND_CASE, case_number)

    def column(self, header: str) -> str:
        """A short keyed hash of a column header: the same unknown column is recognisable across
        files and runs without its text (which may be anything someone typed) being shown."""
        return self._digest(_COLUMN, header)[:COLUMN_HASH_LENGTH]

    @property
    def fingerprint(self) -> str:
        """A short public tag of the key, so that logs made with different keys are not merged."""
        digest = hmac.new(self._key, _FINGERPRINT, hashlib.sha256).hexdigest()
        return digest[:FINGERPRINT_LENGTH]

    @property
    def is_demo(self) -> bool:
        return hmac.compare_digest(self._key, DEMO_KEY)


def load_key(key_file: Path | None = None, environ: Mapping[str, str] | None = None) -> bytes:
    """The secret key from a key file or ``KETENLENS_KEY``; refuse, with a how-to, when neither.

    The key file wins over the environment, because passing it is the more explicit choice.
    """
    environ = os.environ if environ is None else environ
    if key_file is not None:
        try:
            text = Path(key_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise IngestError(f"key file {key_file}: cannot be read ({exc.strerror})") from None
        if not text:
            raise IngestError(f"key file {key_file} is empty; {MAKE_KEY_HINT}")
        return text.encode("utf-8")
    text = environ.get(KEY_ENV, "").strip()
    if text:
        return text.encode("utf-8")
    raise IngestError(f"no pseudonymisation key; {MAKE_KEY_HINT}")
