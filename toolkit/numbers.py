"""Numbers and calendar dates in the notation of a language, by Babel: 1.234,5 in Dutch,
1,234.5 in English; juli 2025 and 1 juli 2025, July 2025 and 1 July 2025.

A finding's text, a tile and an axis tick say the same number, so they are written by the same
functions: here for the texts the toolkit builds (findings, in both languages), and through
``dashboards.components`` for the screen. Example::

    >>> number(270153.8, "nl"), number(12.34, "nl", 1), number(1234, "en")
    ('270.154', '12,3', '1,234')
    >>> q_text(0.0123, "nl"), q_text(3.5e-72, "nl")
    ('q = 0,012', 'q < 1e-16')
    >>> month_text("2025-07", "nl"), day_text("2025-12-31", "nl")
    ('juli 2025', '31 december 2025')
    >>> cohort_text("2023H2", "nl"), cohort_text("2023H2", "en")
    ('2e helft 2023', 'second half of 2023')
"""

from __future__ import annotations

import math

import pandas as pd
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal

# Dutch as written in the Netherlands, British English.
LOCALES = {"nl": "nl_NL", "en": "en_GB"}
# The zone in which the chain's days begin and end.
AMSTERDAM = "Europe/Amsterdam"
# Below this a q-value cannot be told from zero in double precision.
TINY_Q = 1e-16


def number(value: float, language: str, decimals: int = 0) -> str:
    """``value`` rounded to ``decimals`` in the language's notation, with thousands separators."""
    rounded = round(float(value), decimals) + 0.0  # no "-0"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(rounded, format=pattern, locale=LOCALES.get(language, LOCALES["en"]))


def q_text(q: float, language: str = "en") -> str:
    """A q-value with two significant digits (``q = 0,012``), or ``q < 1e-16``."""
    if q < TINY_Q:
        return f"q < {TINY_Q:.0e}"
    digits = max(0, 1 - math.floor(math.log10(q)))
    return f"q = {number(q, language, digits)}"


def month_text(value: object, language: str) -> str:
    """A calendar month (``2025-07``, or any day in it) as the language names it."""
    day = pd.Timestamp(value).date()
    return format_skeleton("yMMMM", day, locale=LOCALES.get(language, LOCALES["en"]))


# A half-year as a reader names it.
HALF_YEAR = {"nl": ("1e helft {year}", "2e helft {year}"),
             "en": ("first half of {year}", "second half of {year}")}  # fmt: skip


def half_year_text(year: int | str, half: int, language: str) -> str:
    """The first (``half`` 1) or second half of a year: ``1e helft 2025``, ``second half of
    2025``."""
    return HALF_YEAR.get(language, HALF_YEAR["en"])[half - 1].format(year=year)


def cohort_text(cohort: str, language: str) -> str:
    """A half-year cohort (``2023H2``, the half-year in which persons started an interval) as a
    reader names it: ``2e helft 2023``; anything else as it is."""
    year, _, half = str(cohort).partition("H")
    if not year.isdigit() or half not in ("1", "2"):
        return str(cohort)
    return half_year_text(year, int(half), language)


def day_text(value: object, language: str, width: str = "long") -> str:
    """A calendar day as the language writes it: ``long`` 31 december 2025, ``medium``
    31 dec. 2025 (where a table is narrow)."""
    day = pd.Timestamp(value).date()
    return format_date(day, format=width, locale=LOCALES.get(language, LOCALES["en"]))


def through_text(moment: object, language: str, width: str = "long") -> str:
    """The data up to a moment, as the last Amsterdam calendar day they hold: an end of the data
    is the first moment after them (``2025-06-30T22:00Z``, midnight in Amsterdam, is "30 juni
    2025"; an end just after an event at 17:42 is that event's day)."""
    local = pd.Timestamp(moment).tz_convert(AMSTERDAM)
    return day_text((local - pd.Timedelta(microseconds=1)).date(), language, width)
