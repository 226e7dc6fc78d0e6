"""Segments: the per-person interval table with each person's dimensions beside it.

The survival curves per municipality, location, office, nationality, track, household size or
cohort (quarter of the interval start) and the norm figures per segment read this table.
Person values come from :func:`toolkit.bottlenecks.persons.person_attributes`. Which units are
*behind* is a finding (:mod:`toolkit.findings`), compared within cohort and track. Example::

    >>> segment_table(log, "N11").groupby("municipality")["days"].median()  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from toolkit.bottlenecks.common import local_periods
from toolkit.bottlenecks.intervals import Cohort, person_intervals
from toolkit.bottlenecks.persons import DIMENSIONS, person_attributes
from toolkit.chain import Chain, Norm

ALL_DIMENSIONS = (*DIMENSIONS, "cohort")


def cohort_quarter(starts: pd.Series) -> pd.Series:
    """The quarter of the interval start in Amsterdam time, as ``2023Q2``.

    Example::

        >>> cohort_quarter(pd.Series(pd.to_datetime(["2023-03-31 22:30"], utc=True))).tolist()
        ['2023Q2']
    """
    codes, labels = local_periods(starts, "quarter")
    return pd.Series(labels[codes], index=starts.index, dtype=object)


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
    out["cohort"] = cohort_quarter(out["start"])
    return out


def segment_rows(people: pd.DataFrame) -> pd.DataFrame:
    """An interval's rows of the person-interval table (:mod:`toolkit.metrics.person_table`) as
    :func:`segment_table` gives them: the same dimensions, with ``cohort`` the quarter.

    Example::

        >>> survival_curves(log, "N11", by="cohort", people=segment_rows(rows))  # doctest: +SKIP
    """
    return people.assign(cohort=cohort_quarter(people["start"]))
