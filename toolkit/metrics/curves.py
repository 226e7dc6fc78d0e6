"""Survival curves per half-year cohort, from the person-interval table.

Under a growing backlog a curve over all cohorts together (pooled) mixes the short waits of early
cohorts with the long ones of later cohorts. So beside the pooled curve (``cohort`` ``all``)
every interval has one per half-year cohort of its start. Only the persons who can reach the
interval's end are in a curve (:func:`toolkit.metrics.person_table.waiting_population`), as in
the medians; persons still waiting count as "at least this long" (Kaplan-Meier). The curves are
read at the end of every week since the start (``days`` 0, 7, 14, ... up to the longest
follow-up): a table of a few thousand rows whatever the size of the log. Example::

    >>> cohort_curves(person_table(log)).query("interval == 'N13'")  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.bottlenecks.survival import kaplan_meier
from toolkit.cellkeys import at_least, is_key, key_of
from toolkit.metrics.person_table import waiting_population

POOLED = "all"
WEEK = 7.0
COLUMNS = ["interval", "cohort", "days", "survival", "at_risk", "persons"]


def cohort_curves(table: pd.DataFrame) -> pd.DataFrame:
    """Per interval of ``table`` (a person-interval table, or a row mask of one), the pooled
    curve and each cohort's: S(t) at whole weeks and the persons still at risk then."""
    waiting = waiting_population(table)
    days = waiting["days"].to_numpy(dtype=float)
    reached = waiting["outcome"].to_numpy() == "reached"
    # the persons' record keys, for the cell keys of the counts (toolkit.cellkeys)
    keys = waiting["key"].to_numpy(dtype=np.int64) if "key" in waiting.columns else None
    interval, names = pd.factorize(waiting["interval"])  # in the order first met
    cohort, cohorts = pd.factorize(waiting["cohort"], sort=True)  # missing: -1
    by_interval = np.argsort(interval, kind="stable")
    starts = np.searchsorted(interval[by_interval], np.arange(len(names) + 1))
    parts: dict[str, list] = {column: [] for column in COLUMNS}
    if keys is not None:
        parts |= {key_of("at_risk"): [], key_of("persons"): []}
    for code, name in enumerate(names):
        rows = by_interval[starts[code] : starts[code + 1]]
        of = cohort[rows]
        groups = [(POOLED, rows)] + [
            (str(cohorts[c]), rows[of == c]) for c in np.unique(of[of >= 0]).tolist()
        ]
        for label, at in groups:
            curve = _weekly(days[at], reached[at])
            for column, values in zip(COLUMNS[2:], curve, strict=True):
                parts[column].append(values)
            parts["interval"].append(np.full(len(curve[0]), name, dtype=object))
            parts["cohort"].append(np.full(len(curve[0]), label, dtype=object))
            if keys is not None:
                parts[key_of("at_risk")].append(at_least(days[at], keys[at], curve[0]))
                parts[key_of("persons")].append(np.full(len(curve[0]), keys[at].sum()))
    if not parts["days"]:
        return pd.DataFrame(columns=COLUMNS)
    glued = {column: np.concatenate(values) for column, values in parts.items()}
    return pd.DataFrame(
        {
            "interval": pd.Series(glued["interval"], dtype=str),
            "cohort": pd.Series(glued["cohort"], dtype=str),
            "days": glued["days"],
            "survival": glued["survival"],
            "at_risk": glued["at_risk"].astype("int64"),
            "persons": glued["persons"].astype("int64"),
            **{c: glued[c].astype("int64") for c in parts if is_key(c)},
        }
    )


def weekly(days: np.ndarray, reached: np.ndarray) -> pd.DataFrame:
    """The Kaplan-Meier curve read at whole weeks: S(7w) and the persons with days >= 7w.

    Example::

        >>> weekly(np.array([3.0, 10.0]), np.array([True, False]))["survival"].tolist()
        [1.0, 0.5]
    """
    return pd.DataFrame(dict(zip(COLUMNS[2:], _weekly(days, reached), strict=True)))


def _weekly(days: np.ndarray, reached: np.ndarray) -> tuple[np.ndarray, ...]:
    """:func:`weekly`'s columns as arrays: days, survival, at_risk and persons."""
    km = kaplan_meier(days, ~reached)
    at = np.arange(0.0, float(days.max()) + WEEK / 2, WEEK)
    at = at[at <= days.max()]
    step = np.searchsorted(km.times, at, side="right") - 1
    survival = np.where(step < 0, 1.0, km.survival[np.maximum(step, 0)] if km.completed else 1.0)
    at_risk = len(days) - np.searchsorted(np.sort(days), at, side="left")
    return at, survival, at_risk.astype("int64"), np.full(len(at), km.persons, dtype=np.int64)
