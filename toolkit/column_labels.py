"""The names of the analysis' table columns as a reader sees them, from ``columns.toml``.

One list for every front end: the html report of ``ketenlens analyze``, the dashboard's tables and
its workbook name a column alike. Example::

    >>> column_label("share_over_norm", "nl")
    'Aandeel personen boven de norm'
    >>> column_label("something_new", "en")
    'something new'
    >>> value_label("family", "rework", "nl")
    'herhaald werk'
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

COLUMNS_FILE = Path(__file__).with_name("columns.toml")


@cache
def _file() -> dict:
    with COLUMNS_FILE.open("rb") as handle:
        return tomllib.load(handle)


def column_labels() -> dict[str, dict[str, str]]:
    """Per language (``nl``, ``en``) the name of each column that has one."""
    data = _file()
    return {"nl": data["nl"], "en": data["en"]}


def column_label(name: str, language: str) -> str:
    """A column's name in ``language`` (Dutch unless ``en``); its own, spaced, when it has none."""
    labels = column_labels()["en" if language == "en" else "nl"]
    return labels.get(name, name.replace("_", " "))


def value_label(column: str, value: object, language: str) -> object:
    """A coded value of a column (a finding's ``family``, a norm's ``kind``) in ``language``'s
    words; any other value as it is."""
    words = _file()["values"]["en" if language == "en" else "nl"].get(column, {})
    return words.get(value, value) if isinstance(value, str) else value
