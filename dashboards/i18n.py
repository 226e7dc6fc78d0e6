"""Dutch and English texts of the dashboard, read from ``translations/*.toml``.

Dutch is the default: chain partners in a workshop speak Dutch; the English switch is for
analysts and visitors. Texts live in TOML files (``common.toml`` for the frame, one file per
page) so that a partner can reword a label without touching code; a key that one language lacks
falls back to the other and is caught by the tests, and a key defined twice is refused.
Example::

    >>> t("page_normen", "en")
    'Norms'
    >>> t("workshop_banner", "nl", k=10)
    'Workshopmodus: cijfers over minder dan 10 personen zijn verborgen.'
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from toolkit.column_labels import column_labels

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
TRANSLATIONS = Path(__file__).with_name("translations")


@cache
def texts() -> dict[str, dict[str, Any]]:
    """Both languages' tables, ``{"nl": {...}, "en": {...}}``, merged from every file."""
    # the columns of the analysis' tables are named once for every front end (toolkit/columns.toml)
    merged: dict[str, dict[str, Any]] = {
        lang: {"columns": dict(column_labels()[lang])} for lang in LANGUAGES
    }
    for path in sorted(TRANSLATIONS.glob("*.toml")):
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        for lang in LANGUAGES:
            for key, value in data.get(lang, {}).items():
                target = merged[lang]["columns"] if key == "columns" else merged[lang]
                items = value.items() if key == "columns" else [(key, value)]
                for name, text in items:
                    if name in target and target[name] != text:
                        raise ValueError(f"{path}: {lang}.{name} is already defined elsewhere")
                    target[name] = text
    return merged


def language_of(value: str | None) -> str:
    """A supported language code; anything else is the default."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, language: str | None, **values: Any) -> str:
    """The text for ``key`` in ``language``, with ``{name}`` fields filled from ``values``."""
    table = texts()
    lang = language_of(language)
    other = "en" if lang == "nl" else "nl"
    text = table[lang].get(key, table[other].get(key, key))
    return text.format(**values) if values else text


def column(name: str, language: str | None) -> str:
    """The header of a toolkit table column (its own name when none is written)."""
    lang = language_of(language)
    return texts()[lang].get("columns", {}).get(name, name)


def label(item: Any, language: str | None) -> str:
    """The label of a chain item (activity, phase, norm, organisation) in ``language``."""
    return item.label_en if language_of(language) == "en" else item.label_nl
