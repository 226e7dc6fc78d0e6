"""Segments: the per-person interval table with each person's dimensions beside it.

The survival curves per municipality, location, office, nationality, track, household size or
cohort (half-year of the interval start, as in the person table) and the norm figures per segment read this table.
Person values come from :func:`toolkit.bottlenecks.persons.person_attributes`. Which units are
*behind* is a finding (:mod:`toolkit.findings`), compared within cohort and track. Example::

    >>> segment_table(log, "N11").groupby("municipality")["days"].median()  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from toolkit.bottlenecks.common import local_periods
from toolkit.bottlenecks.intervals import Cohort, person_intervals
from toolkit.bottlenecks.persons import DIMENSIONS, person_attributes
from toolkit.chain import Chain, Norm

ALL_DIMENSIONS = (*DIMENSIONS, "cohort")


def half_year(starts: pd.Series) -> np.ndarray:
    """The cohort of each moment: its half-year in Amsterdam time, as ``2024H1``.

    Example::

        >>> half_year(pd.Series(pd.to_datetime(["2024-06-30 22:30"], utc=True))).tolist()
        ['2024H2']
    """
    codes, labels = local_periods(starts, "quarter")
    halves = np.array([f"{q[:4]}H{1 if q[-1] in '12' else 2}" for q in labels], dtype=object)
    return halves[codes]


def cohort_of(starts: pd.Series) -> pd.Series:
    """:func:`half_year` as a Series on the index of ``starts``."""
    return pd.Series(half_year(starts) if len(starts) else [], index=starts.index, dtype=object)


def segment_table(
    log: pd.DataFrame,
    norm: Norm | str,
    *,
    chain: Chain | None = None,
    as_of: pd.Timestamp | date | str | None = None,
    cohort: Cohort | None = None,
) -> pd.DataFrame:
    """The per-person interval table with the segment dimensions beside it.

    Example::

        >>> segment_table(log, "N11").groupby("municipality")["days"].median()  # doctest: +SKIP
    """
    people = person_intervals(log, norm, chain=chain, as_of=as_of, cohort=cohort)
    out = people.merge(person_attributes(log, as_of=as_of), on="case", how="left")
    out["cohort"] = cohort_of(out["start"])
    return out


def segment_rows(people: pd.DataFrame) -> pd.DataFrame:
    """An interval's rows of the person-interval table (:mod:`toolkit.metrics.person_table`) as
    :func:`segment_table` gives them: the same dimensions, with ``cohort`` the half-year.

    Example::

        >>> survival_curves(log, "N11", by="cohort", people=segment_rows(rows))  # doctest: +SKIP
    """
    return people.assign(cohort=cohort_of(people["start"]))
