"""Metrics as plain functions of one table: the person-interval table of a log.

Every interval figure (medians, p90, share over the norm, overdue now, comparisons of units,
excess person-days, trends by cohort) is computed from :func:`person_table`; a filter on persons
is a row mask of it. Example::

    >>> from toolkit.metrics import person_table, leg_summary  # doctest: +SKIP
    >>> leg_summary(person_table(log).query("interval == 'N11'"), norm)  # doctest: +SKIP
"""

from toolkit.metrics.person_table import (
    GROUPS,
    OUTCOMES,
    UNITS,
    as_intervals,
    household_representatives,
    person_table,
    waiting_population,
)

__all__ = [
    "GROUPS",
    "OUTCOMES",
    "UNITS",
    "as_intervals",
    "household_representatives",
    "person_table",
    "waiting_population",
]
