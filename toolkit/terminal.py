"""File names made safe to print: a name is data from outside, not instructions to a terminal.

A file called ``export\\x1b[2J.csv`` would clear the screen of whoever runs ``ingest``, and one
with a right-to-left override (U+202E) shows ``exe.csv`` as ``vsc.exe``. Every file name the
toolkit prints or writes into a report passes through :func:`printable`, which writes control
and format characters as visible escapes (``\\x1b``, ``\\u202e``), as Python's ``repr`` does.

Example::

    >>> printable("kwartaal\\x1b[31m.csv")
    'kwartaal\\\\x1b[31m.csv'
"""

from __future__ import annotations

import unicodedata
from pathlib import PurePath

# Control (Cc), format (Cf: bidi overrides, zero-width), separators other than space (Zl, Zp),
# surrogates and unassigned code points.
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(name: str | PurePath) -> str:
    """``name`` with every character a terminal could act on written as a visible escape."""
    return "".join(
        _escape(char) if unicodedata.category(char) in UNSAFE_CATEGORIES else char
        for char in str(name)
    )
