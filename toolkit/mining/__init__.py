"""Thin, typed wrappers over pm4py on the chain event log.

A flat API in pm4py's style: every function takes an event log (a DataFrame with pm4py's column
names: ``case:concept:name``, ``concept:name``, ``time:timestamp`` tz-aware UTC, ``org:group``,
...) and returns plain data (DataFrames and dataclasses). Every function sorts the log stably by
case, time and source order first (:func:`sorted_log`), because pm4py's results depend on row
order. Example::

    >>> from toolkit.mining import conformance_to_reference, handovers, performance_dfg
    >>> performance_dfg(log).edges.head()  # doctest: +SKIP
    >>> conformance_to_reference(log).on_track_share  # doctest: +SKIP
    >>> handovers(log)  # doctest: +SKIP
"""

from toolkit.mining.conformance import (
    Conformance,
    conformance_to_model,
    conformance_to_reference,
    reference_net,
)
from toolkit.mining.dfg import Dfg, abstract_dfg, frequency_dfg, performance_dfg
from toolkit.mining.discovery import (
    MAX_ACTIVITIES,
    DiscoveredModel,
    discover_model,
    fitness_against_model,
)
from toolkit.mining.handover import handover_pairs, handovers
from toolkit.mining.ordering import for_pm4py, sorted_log
from toolkit.mining.variants import case_variants, variants

__all__ = [
    "MAX_ACTIVITIES",
    "Conformance",
    "Dfg",
    "DiscoveredModel",
    "abstract_dfg",
    "case_variants",
    "conformance_to_model",
    "conformance_to_reference",
    "discover_model",
    "fitness_against_model",
    "for_pm4py",
    "frequency_dfg",
    "handover_pairs",
    "handovers",
    "performance_dfg",
    "reference_net",
    "sorted_log",
    "variants",
]
