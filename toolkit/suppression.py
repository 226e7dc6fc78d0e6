"""Small-group suppression: in workshop mode no figure about fewer than k persons leaves the tool.

Why. A chain workshop shows the dashboard and the exports on a shared screen to a mixed audience.
A count of 3 persons in one municipality, or the median wait of those 3, lets someone who knows
the municipality recognise the people behind it. The rule (ARCHITECTURE.md, "Privacy by design")
is the usual statistical-disclosure rule: any figure about fewer than ``k`` persons (default 10)
is suppressed.

How. Two kinds of suppression, applied per table:

* **cells**: a count of persons between 1 and k-1 is replaced by an empty value (None). A zero is
  kept: it says that nobody is in that cell, which identifies no one.
* **rows**: when the group a row describes has fewer than k persons (its ``group`` column), every
  figure of the row is emptied (a median of 3 durations is 3 persons' durations), or the row is
  dropped when its label itself could identify a person (a rare variant is one person's path).

Every suppressed table gets a boolean column ``suppressed`` so a reader sees that a gap is a
suppression and not missing data. Example::

    >>> import pandas as pd
    >>> t = pd.DataFrame({"segment": ["a", "b"], "persons": [25, 4], "median_days": [30.0, 12.0]})
    >>> suppress_small(t, ["persons"], k=10, group="persons")[["persons", "median_days"]].values.tolist()
    [[25, 30.0], [None, None]]

Suppression alone falls to differencing: Amsterdam plus a small municipality against Amsterdam
alone gives the small one's counts by subtraction, and so does a cohort widened by a day, or a
closed count beside its part over the norm. So in workshop mode every count that is shown is
also perturbed by the cell key method (ABS TableBuilder, ONS; docs/method.md, "Disclosure
control"): a small, consistent amount of noise, looked up in a perturbation table
(``ptable.csv``) by the true count and its cell key, the sum of the record keys of the persons
behind it (:mod:`toolkit.cellkeys`; a table carries it beside the count, ``persons_key`` beside
``persons``). The same persons are shown the same count wherever and however they are counted,
so repeating or varying a query averages nothing away, and a difference of two shown counts no
longer says how many persons make it. A count without key sums (a table made by hand) is keyed
by its place (column and row labels) under a secret of the log (:func:`disclosure_key`). A count
and its complement (closed against closed over the norm) never both show when the complement is
small, and the durations of groups of fewer than ``NEAR_SMALL`` times k persons are rounded to
whole weeks.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from toolkit.cellkeys import MODULUS, is_key, key_of, key_sum, record_keys
from toolkit.eventlog import CASE
from toolkit.numbers import number

DEFAULT_K = 10
SUPPRESSED = "suppressed"
# Durations of a group of k to NEAR_SMALL*k - 1 persons are rounded to ROUND_DAYS.
NEAR_SMALL = 2
ROUND_DAYS = 7
# A count and a part of it whose difference is a group of its own (of persons not in the part):
# when that difference is small, the part is hidden as well.
COMPLEMENTS = (
    ("persons", "completed"),
    ("persons", "still_open"),
    ("persons", "closed"),
    ("closed", "closed_over"),
    ("still_open", "overdue_now"),
    ("cases", "cases_repeated"),
    ("watched", "ended"),
)
# A count in a finding's text: a whole number followed by what it counts (Dutch and English).
# Counts of a thousand and more carry the language's thousands separator (1.234 / 1,234).
_COUNT_IN_TEXT = re.compile(
    r"\b(\d{1,3}(?:[.,]\d{3})+|\d+)(?= (personen|persons|overgangen|transitions|herhalingen"
    r"|repeats|zaken|cases|afgerond|finished|wachten|still|verlieten|left|met|with|bereikten"
    r"|reached|overplaatsingen|relocations|van|of|bewoners|residents)\b)"
)
# The words after a count that say its text is Dutch (the others are English).
_DUTCH_COUNT_WORDS = frozenset({"personen", "overgangen", "herhalingen", "zaken", "afgerond",
                                "wachten", "verlieten", "met", "bereikten", "overplaatsingen",
                                "van", "bewoners"})  # fmt: skip
# the hash that spreads a sum of record keys over [0, 1) (cell_key)
_CELL_KEY = b"ketenlens-cell"
# The secret of the log being shown (None: counts are suppressed but not perturbed).
_SECRET: ContextVar[bytes | None] = ContextVar("cell_key_secret", default=None)
_SECRETS: dict[tuple[int, int], tuple[pd.DataFrame, bytes]] = {}


def is_small(values: pd.Series, k: int) -> pd.Series:
    """True for counts of 1 to k-1 (a zero identifies nobody; empty values stay empty)."""
    numbers = pd.to_numeric(values, errors="coerce")
    return (numbers > 0) & (numbers < k)


@cache
def ptable() -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per true count: the perturbations it may get and the upper ends of their cell key ranges.

    A count above the last one listed uses the last row (``ptable.csv``).
    """
    text = resources.files("toolkit").joinpath("ptable.csv").read_text("utf-8")
    rows = [line.split(",") for line in text.splitlines() if line and not line.startswith("#")]
    table = pd.DataFrame(rows[1:], columns=rows[0]).astype(float)
    out = {}
    for count, group in table.groupby("count", sort=True):
        weights = group["weight"].to_numpy()
        out[int(count)] = (
            group["perturbation"].to_numpy().astype(int),
            np.cumsum(weights) / weights.sum(),
        )
    return out


def log_secret(log: pd.DataFrame) -> bytes:
    """The secret of a log for counts without key sums: a hash of the sum of the record keys
    of all its persons, mod 2^32.

    Remembered for the last log, since a dashboard asks for it with every section.
    """
    hit = _SECRETS.get((id(log), len(log)))
    if hit is not None and hit[0] is log:
        return hit[1]
    total = key_sum(record_keys(pd.Series(log[CASE].unique())))
    secret = hashlib.sha256(repr(total).encode()).digest()
    _SECRETS.clear()
    _SECRETS[(id(log), len(log))] = (log, secret)
    return secret


@contextmanager
def disclosure_key(log: pd.DataFrame) -> Iterator[None]:
    """Within this block, shown counts are perturbed: by their cell keys, or, for a count
    without key sums, under the secret of ``log`` (the whole log, not a selection: a count is
    then shown the same whatever the filter)."""
    token = _SECRET.set(log_secret(log))
    try:
        yield
    finally:
        _SECRET.reset(token)


def cell_key(count: int, *place: object, key: int | None = None) -> float:
    """The cell key in [0, 1) of a true ``count``.

    ``key`` is the sum of the record keys of its persons mod 2^32 (:mod:`toolkit.cellkeys`),
    spread by a hash before the ptable lookup: the ptable's ranges are ordered by perturbation,
    and one person added shifts the sum by that person's key, so without it the perturbations
    of a cell with and without that person would differ predictably. The same persons still
    give the same cell key. A count without record keys (see docs/method.md) is keyed by its
    ``place`` (column, row labels) under the current log secret.
    """
    if key is not None:
        sum_ = (int(key) % MODULUS).to_bytes(4) + int(count).to_bytes(8, signed=True)
        digest = hashlib.blake2b(sum_, digest_size=8, person=_CELL_KEY).digest()
        return int.from_bytes(digest) / 2**64
    secret = _SECRET.get() or b""
    digest = hashlib.blake2b(repr((count, place)).encode(), key=secret[:64]).digest()
    return int.from_bytes(digest[:8]) / 2**64


def perturb(count: int, k: int = DEFAULT_K, *place: object, key: int | None = None) -> int:
    """A true count of at least ``k`` as shown: plus its ptable perturbation, never below ``k``.

    ``key`` is the sum of the record keys of the persons counted (:func:`cell_key`).

    Without a log secret (outside :func:`disclosure_key`) the count is returned as it is.
    Example::

        >>> perturb(75, 10, "persons", "N12")  # no secret: unchanged
        75
    """
    if _SECRET.get() is None or count <= 0:
        return count
    table = ptable()
    changes, upper = table[min(count, max(table))]
    at = cell_key(count, *place, key=key)
    change = changes[min(int(np.searchsorted(upper, at, side="right")),
                         len(changes) - 1)]  # fmt: skip
    return max(int(count + change), k if count >= k else 1)


def suppress_small(
    table: pd.DataFrame,
    count_columns: Sequence[str],
    k: int = DEFAULT_K,
    *,
    group: str | None = None,
    keep: Iterable[str] = (),
) -> pd.DataFrame:
    """``table`` with person counts under ``k`` emptied, and whole rows about small groups.

    ``count_columns`` hold counts of persons; each value from 1 to k-1 becomes None. ``group`` is
    the column with the number of persons a row is about: if it is under k, every column except
    ``keep`` (the row's labels, such as the interval id) is emptied. Columns become ``object`` so
    that None survives every writer (JSON null, an empty spreadsheet cell). A ``suppressed`` column
    marks the rows that lost a figure.
    """
    out = table.copy()
    flags = pd.Series(False, index=out.index)
    present = [c for c in count_columns if c in out.columns]
    # every mask is decided on the true counts, before any is perturbed
    hidden = {column: is_small(out[column], k) for column in present}
    for total, part in COMPLEMENTS:
        if part in hidden and total in out.columns:
            rest = pd.to_numeric(out[total], errors="coerce") - pd.to_numeric(out[part])
            hidden[part] = hidden[part] | ((rest > 0) & (rest < k))
    small_group = None
    if group is not None and group in out.columns:
        size = pd.to_numeric(out[group], errors="coerce")
        small_group = is_small(size, k)
        near = (size >= k) & (size < NEAR_SMALL * k)
        for column in [c for c in out.columns if c.endswith("_days")]:
            out[column] = _weeks_where(out[column], near)
    if _SECRET.get() is not None:
        places = _places(table)
        for column in present:
            out[column] = _perturbed(out[column], k, column, places, _keys(table, column))
    out = without_keys(out)
    if small_group is not None:
        labels = set(keep)
        for column in out.columns:
            if column in labels:
                continue
            out[column] = _empty_where(out[column], small_group)
        flags |= small_group
    for column, mask in hidden.items():
        out[column] = _empty_where(out[column], mask)
        flags |= mask
    out[SUPPRESSED] = flags.to_numpy()
    return out


def suppress_derived(table: pd.DataFrame, figures: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """Empty each figure that is computed from, or gives away, a count that was suppressed.

    ``figures`` maps a figure column to the count columns it depends on. The median of finished
    persons only is about the ``completed`` persons: if fewer than k finished (their count is
    hidden), so is that median. A share gives its count away: ``closed_over / closed`` times
    ``closed`` is ``closed_over``. Call this after :func:`suppress_small` and
    :func:`protect_parts`, so that it sees every count that ended up hidden.
    """
    out = table.copy()
    for figure, counts in figures.items():
        present = [c for c in counts if c in out.columns]
        if figure in out.columns and present:
            hidden = out[present].isna().any(axis=1)
            out[figure] = _empty_where(out[figure], hidden)
            if SUPPRESSED in out.columns:
                out[SUPPRESSED] = out[SUPPRESSED] | hidden
    return out


def protect_parts(table: pd.DataFrame, parts: Sequence[str]) -> pd.DataFrame:
    """Secondary suppression: a row's one hidden part is not left to be worked out from the rest.

    ``parts`` are counts that add up to a total shown elsewhere in the row (completed, still
    waiting and left add up to ``persons``). If exactly one of them was suppressed, it equals the
    total minus the others; so the smallest other non-zero part is hidden as well. Then only the
    sum of the two hidden parts can be worked out, which is at least the hidden one plus another.
    """
    present = [c for c in parts if c in table.columns]
    if len(present) < 2 or table.empty:
        return table
    out = table.copy()
    for column in present:
        out[column] = out[column].astype(object)
    hidden = out[present].isna().sum(axis=1)
    for index in out.index[(hidden == 1).to_numpy()]:
        shown = pd.to_numeric(out.loc[index, present], errors="coerce").dropna()
        shown = shown[shown > 0]
        if len(shown):
            out.loc[index, shown.idxmin()] = None
            if SUPPRESSED in out.columns:
                out.loc[index, SUPPRESSED] = True
    return out


def drop_small(table: pd.DataFrame, group: str, k: int = DEFAULT_K) -> tuple[pd.DataFrame, int]:
    """The rows about at least ``k`` persons, and how many rows were dropped.

    For tables whose row label can itself point at a person (a variant is a path; a rare path is
    one person's history), emptying the figures is not enough: the row goes.
    """
    counts = pd.to_numeric(table[group], errors="coerce")
    keep = counts >= k
    kept = table[keep.to_numpy()].reset_index(drop=True)
    if _SECRET.get() is not None and len(kept):
        kept[group] = _perturbed(kept[group], k, group, _places(kept), _keys(kept, group))
    return without_keys(kept), int((~keep).sum())


def share_gives_away(share: float | None, base: float | None, k: int = DEFAULT_K) -> bool:
    """Whether a share of a group points at fewer than k of its persons (on either side).

    90 % of 12 persons over a norm is 11 over and 1 under: the share says who the one is
    as well as a count would. Example::

        >>> share_gives_away(11 / 12, 12, 10), share_gives_away(0.5, 40, 10)
        (True, False)
    """
    if share is None or base is None or pd.isna(share) or pd.isna(base):
        return False
    over = round(float(share) * float(base))
    under = round((1.0 - float(share)) * float(base))
    return 0 < over < k or 0 < under < k


def suppress_shares(table: pd.DataFrame, share: str, base: str, k: int = DEFAULT_K) -> pd.DataFrame:
    """``share`` emptied in the rows where it gives away fewer than k of ``base`` persons."""
    if table.empty or share not in table.columns or base not in table.columns:
        return table
    hide = [share_gives_away(s, b, k) for s, b in zip(table[share], table[base], strict=True)]
    if not any(hide):
        return table
    out = table.copy()
    out[share] = out[share].astype(object).where(~pd.Series(hide, index=out.index), None)
    return out


def suppress_value(
    value: float | int | None, k: int = DEFAULT_K, *place: object, key: int | None = None
) -> float | int | None:
    """A single person count, or None if it is from 1 to k-1 (for summary figures); perturbed
    (:func:`perturb`: ``key`` the sum of its persons' record keys; without one, ``place`` names
    the figure) under a log secret."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if 0 < value < k:
        return None
    return perturb(int(value), k, *place, key=key) if _SECRET.get() is not None else value


def without_keys(value: Any) -> Any:
    """A table or a dict of figures without its key sums (:mod:`toolkit.cellkeys`): what
    suppression reads, never what is shown or exported."""
    if isinstance(value, pd.DataFrame):
        keys = [c for c in value.columns if is_key(c)]
        return value.drop(columns=keys) if keys else value
    if isinstance(value, dict):
        return {name: figure for name, figure in value.items() if not is_key(name)}
    return value


def perturb_text(
    text: str, k: int = DEFAULT_K, *place: object, keys: Sequence[int | None] = ()
) -> str:
    """``text`` with each count of persons, cases or transitions in it as shown: perturbed like
    a count in a table, by ``keys`` (the cell keys of the counts in the order the text names
    them; a count past them is keyed by ``place``), or ``<k`` when it is from 1 to k-1.
    Example::

        >>> perturb_text("4 afgerond buiten de norm (20 personen)", 10)  # no secret
        '<10 afgerond buiten de norm (20 personen)'
    """
    found = iter(range(len(_COUNT_IN_TEXT.findall(text))))

    def shown(match: re.Match) -> str:
        at = next(found)
        count = int(re.sub(r"[.,]", "", match.group(1)))
        if 0 < count < k:
            return f"<{k}"
        language = "nl" if match.group(2) in _DUTCH_COUNT_WORDS else "en"
        key = keys[at] if at < len(keys) else None
        return number(perturb(count, k, *place, key=key), language)

    return _COUNT_IN_TEXT.sub(shown, text)


def _places(table: pd.DataFrame) -> list[tuple]:
    """Each row's labels: its text and date columns (the interval, the phase, the day, the
    segment), never a figure, so that a count's place does not change with the other figures
    of its row."""

    def label(column: pd.Series) -> bool:
        if pd.api.types.is_datetime64_any_dtype(column):
            return True
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            return False
        values = column.dropna()
        return len(values) > 0 and pd.to_numeric(values, errors="coerce").isna().all()

    labels = [c for c in table.columns if c != SUPPRESSED and label(table[c])]
    return list(table[labels].astype(str).itertuples(index=False, name=None))


def _keys(table: pd.DataFrame, column: str) -> list[int | None]:
    """The cell keys of a count column: its key sums, or None per row where it has none."""
    name = key_of(column)
    if name not in table.columns:
        return [None] * len(table)
    return [None if pd.isna(v) else int(v) for v in table[name].to_numpy()]


def _perturbed(
    column: pd.Series, k: int, name: str, places: list[tuple], keys: list[int | None]
) -> pd.Series:
    """Each count of ``column`` perturbed by its cell key (the sum of its persons' record keys;
    without one, its place: the column and the row's labels)."""
    numbers = pd.to_numeric(column, errors="coerce")
    if numbers.isna().all():
        return column
    values = column.astype(object).copy()
    for i, (n, place, key) in enumerate(zip(numbers.to_numpy(), places, keys, strict=True)):
        if not np.isnan(n) and n > 0:
            values.iloc[i] = perturb(int(n), k, name, *place, key=key)
    return values


def _weeks_where(column: pd.Series, mask: pd.Series) -> pd.Series:
    """Durations in days of the rows of ``mask`` rounded to whole weeks."""
    numbers = pd.to_numeric(column, errors="coerce")
    if not mask.any() or numbers.isna().all():
        return column
    values = column.astype(object).copy()
    rounded = (numbers / ROUND_DAYS).round() * ROUND_DAYS
    where = (mask & numbers.notna()).to_numpy()
    values[where] = rounded.to_numpy()[where]
    return values


def _empty_where(column: pd.Series, mask: pd.Series) -> pd.Series:
    if not mask.any():
        return column
    values = column.astype(object).copy()
    values[mask.to_numpy()] = None
    return values
