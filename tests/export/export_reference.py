"""Where the reference material for the export tests lives (../shared, read in place)."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
REFERENCE_LOGS = SHARED / "reference_logs"
SCHEMAS = REFERENCE_LOGS / "schemas"
XES_SCHEMA = SCHEMAS / "xes-ieee-1849-2016.xsd"
OCEL_SCHEMA = SCHEMAS / "ocel2-json-schema.json"
RUNNING_EXAMPLE = REFERENCE_LOGS / "xes" / "running-example.xes"

needs_reference = pytest.mark.skipif(
    not SCHEMAS.is_dir(), reason="../shared/reference_logs is not there"
)
