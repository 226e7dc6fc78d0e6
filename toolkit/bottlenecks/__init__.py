"""Chain analytics: where people wait, how long, against which norm, and for whom.

A flat API in pm4py's style: every function takes an event log (a DataFrame with the contract's
columns) and returns plain data; :mod:`toolkit.findings` turns them into findings. Example::

    >>> from toolkit.bottlenecks import interval_summary
    >>> interval_summary(log, norms=["N13"])  # doctest: +SKIP
"""

from toolkit.bottlenecks.intervals import interval_summary, person_intervals
from toolkit.bottlenecks.norms import norm_breaches
from toolkit.bottlenecks.persons import person_attributes
from toolkit.bottlenecks.rework import relocation_rates, repeated_activities, rework_summary
from toolkit.bottlenecks.survival import KaplanMeier, kaplan_meier
from toolkit.bottlenecks.waits import (
    handover_waits,
    loop_waits,
    person_waits,
    transition_waits,
)
from toolkit.bottlenecks.wip import flow_per_week, wip_per_day

__all__ = [
    "KaplanMeier",
    "flow_per_week",
    "handover_waits",
    "interval_summary",
    "kaplan_meier",
    "loop_waits",
    "norm_breaches",
    "person_attributes",
    "person_intervals",
    "person_waits",
    "relocation_rates",
    "repeated_activities",
    "rework_summary",
    "transition_waits",
    "wip_per_day",
]
