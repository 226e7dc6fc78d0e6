"""An analysis' method notes in the reader's language, from ``method_notes.toml``.

The analysis writes each note in English beside its topic (``end of the data``, ``findings``);
the html report and the dashboard's workbook give the note in Dutch or English from the file, by
the topic's words joined with underscores. Example::

    >>> method_note("end of the data", "Everything is measured up to ...", "nl", as_of="30 juni 2025")[:36]
    'Alles is gemeten tot en met 30 juni '
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

NOTES_FILE = Path(__file__).with_name("method_notes.toml")


@cache
def _notes() -> dict[str, dict[str, str]]:
    with NOTES_FILE.open("rb") as handle:
        return tomllib.load(handle)


def topic_key(topic: str) -> str:
    """A topic's key in the file: its words, lower case, joined by underscores."""
    return "_".join("".join(c if c.isalnum() else " " for c in topic.lower()).split())


def method_note(topic: str, note: str, language: str, **values: Any) -> str:
    """The note on ``topic`` in ``language`` with ``{name}`` filled from ``values``; the
    analysis' own (English) ``note`` when the file has none for it, or when the note is not the
    one the file translates (``[match]``: the start of the note it is written for)."""
    key = topic_key(topic)
    written = _notes()["en" if language == "en" else "nl"].get(key)
    if written is None or not note.startswith(_notes().get("match", {}).get(key, "")):
        return note
    return written.format(**values)


def topic_name(topic: str, language: str) -> str:
    """A topic's name in ``language`` ("wie loopt achter"); its own where the file has none."""
    names = _notes()["topics"]["en" if language == "en" else "nl"]
    return names.get(topic_key(topic), topic)
