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
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

DEFAULT_K = 10
SUPPRESSED = "suppressed"


def is_small(values: pd.Series, k: int) -> pd.Series:
    """True for counts of 1 to k-1 (a zero identifies nobody; empty values stay empty)."""
    numbers = pd.to_numeric(values, errors="coerce")
    return (numbers > 0) & (numbers < k)


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
    if group is not None and group in out.columns:
        small_group = is_small(out[group], k)
        labels = set(keep)
        for column in out.columns:
            if column in labels:
                continue
            out[column] = _empty_where(out[column], small_group)
        flags |= small_group
    for column in present:
        small = is_small(out[column], k)
        out[column] = _empty_where(out[column], small)
        flags |= small
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
    return table[keep.to_numpy()].reset_index(drop=True), int((~keep).sum())


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


def suppress_value(value: float | int | None, k: int = DEFAULT_K) -> float | int | None:
    """A single person count, or None if it is from 1 to k-1 (for summary figures)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return None if 0 < value < k else value


def _empty_where(column: pd.Series, mask: pd.Series) -> pd.Series:
    if not mask.any():
        return column
    values = column.astype(object).copy()
    values[mask.to_numpy()] = None
    return values
