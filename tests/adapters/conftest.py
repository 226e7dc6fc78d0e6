"""Fixtures shared by the adapter tests; the export-file builders are in export_files.py."""

from __future__ import annotations

import pytest
from export_files import TEST_KEY

from toolkit.privacy import Pseudonymizer


@pytest.fixture
def key() -> Pseudonymizer:
    return Pseudonymizer(TEST_KEY)
