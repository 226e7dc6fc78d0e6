"""The names of the ingest report's codes (quarantine reasons, repairs, linkage) in a language.

The codes stay in the report, the quarantine and every export, where a program reads them; a
person reads names, in the terminal after ``ketenlens ingest`` and on the dashboard's
Datakwaliteit page alike, from ``report_labels.toml``. Example::

    >>> code_name("reason", "future_date", "nl")
    'Datum in de toekomst'
    >>> code_name("linkage", "ind_coa", "en")
    'IND and COA (no municipality)'
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LABELS_FILE = Path(__file__).with_name("report_labels.toml")
KINDS = ("reason", "repair", "linkage")


@cache
def _labels() -> dict[str, dict[str, dict[str, str]]]:
    with LABELS_FILE.open("rb") as handle:
        return tomllib.load(handle)


def code_name(kind: str, code: object, language: str | None) -> str:
    """The name of a code of ``kind`` (one of :data:`KINDS`) in the language (Dutch unless
    English is asked for); the code itself when it has no name."""
    names = _labels()["en" if language == "en" else "nl"].get(kind, {})
    return names.get(str(code), str(code))
