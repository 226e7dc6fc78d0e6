"""Event ids: a hash of the source system and the event's normalised content, known answers."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from toolkit.adapters.event_id import EVENT_ID_LENGTH, content_ids


def test_known_ids():
    parts = [
        pd.Series(["a0d7b3db12bbe6d615aa", "a0d7b3db12bbe6d615aa"], dtype="str"),
        pd.Series(["coa_instroom", "coa_overplaatsing"], dtype="category"),
        pd.Series(pd.to_datetime(["2024-03-05T09:15:00Z", "2024-03-06T10:00:00Z"], utc=True)),
        pd.Series(["Ter Apel", None], dtype="str"),
        pd.Series([np.nan, "GM0014"], dtype="str"),
    ]
    ids = content_ids("COA", parts)
    # the parts joined with the unit separator, a timestamp as UTC microseconds, empty as '':
    # `printf 'COA\x1fa0d7...\x1fcoa_instroom\x1f1709630100000000\x1fTer Apel\x1f' | sha256sum`
    assert ids.tolist() == ["e88a0446b8c6bf48c3ac6ca3", "472332fe89cdaa9a0f0bedb8"]
    joined = "COA\x1fa0d7b3db12bbe6d615aa\x1fcoa_overplaatsing\x1f1709719200000000\x1f\x1fGM0014"
    assert ids.iloc[1] == hashlib.sha256(joined.encode()).hexdigest()[:EVENT_ID_LENGTH]
    assert ids.index.equals(parts[0].index)
