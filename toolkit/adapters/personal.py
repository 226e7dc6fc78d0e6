"""Personal data typed into a mapped text column: found by its shape, before anything is written.

Adapters copy only mapped columns, but a mapped column can still hold what does not belong there:
a caseworker who types a name into Locatie, a BSN into Nationaliteit, an e-mail address into
KANTOOR. Such a value would flow into events.parquet, XES, OCEL and the dashboard's lists. The
patterns and which fields they apply to are data (``personal_data.toml``); this module only
applies them. Example::

    >>> personal_data("Jan Jansen", "code")
    'two_capitalised_words'
    >>> personal_data("Ter Apel", "name") is None
    True
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

RULES_FILE = Path(__file__).with_name("personal_data.toml")
REASON_PREFIX = "personal_data_in_"


@dataclass(frozen=True)
class Rules:
    """Compiled patterns per kind of column, and the kind of each checked field."""

    kinds: dict[str, tuple[tuple[str, re.Pattern[str]], ...]]
    fields: dict[str, str]


@cache
def rules(path: Path = RULES_FILE) -> Rules:
    """The rules of ``personal_data.toml``, compiled once."""
    with Path(path).open("rb") as fh:
        data = tomllib.load(fh)
    patterns = {name: re.compile(text) for name, text in data["patterns"].items()}
    kinds = {kind: tuple((n, patterns[n]) for n in names) for kind, names in data["kinds"].items()}
    fields = dict(data["fields"])
    unknown = sorted(set(fields.values()) - set(kinds))
    if unknown:
        raise ValueError(f"{path.name}: field kind {unknown[0]!r} has no patterns")
    return Rules(kinds=kinds, fields=fields)


def personal_data(value: object, kind: str) -> str | None:
    """The name of the first pattern of ``kind`` that ``value`` matches, or None."""
    if value is None:
        return None
    text = str(value)
    for name, pattern in rules().kinds[kind]:
        if pattern.search(text):
            return name
    return None


def reason(field_name: str) -> str:
    """The quarantine reason for personal data in a field: ``personal_data_in_<field>``."""
    return f"{REASON_PREFIX}{field_name}"


def checked_fields() -> dict[str, str]:
    """The fields whose values are checked, with their kind (``name`` or ``code``)."""
    return dict(rules().fields)
