"""Process discovery: the process as it actually runs, mined from the log with the inductive miner.

The reference chain process says how the chain should run; discovery shows how it does. The
inductive miner is used because its models are always sound (every path can complete), so
conformance and fitness against them mean something. ``noise_threshold`` is the infrequent
variant (IMf): directly-follows relations rarer than that fraction of their activity's most
frequent relation are ignored, so one mistyped date does not turn the model into spaghetti. At
0.0 every path in the log fits the model (and the model allows a lot).

A log of hundreds of activities in which nearly every case is its own variant (a municipal
permit process such as BPIC 2015's) is neither discoverable in reasonable time (the inductive
miner's fall-throughs search for concurrency among every pair of activities) nor readable as one
model. So the model is discovered on the ``max_activities`` activities found in the most cases;
``log_activities`` and ``event_share`` say how much of the log that is. A log with fewer
activities, the chain log among them, is discovered whole.

The net is returned because a model object is the point (to draw it, or to check another period
against it); the summary figures alongside it are plain numbers. Example::

    >>> import pandas as pd
    >>> log = pd.DataFrame({
    ...     "case:concept:name": ["a", "a", "b", "b"],
    ...     "concept:name": ["x", "y", "x", "y"],
    ...     "time:timestamp": pd.date_range("2024-01-01", periods=4, tz="UTC"),
    ... })
    >>> model = discover_model(log)
    >>> model.visible_transitions, sorted(model.activities)
    (2, ['x', 'y'])
    >>> fitness_against_model(log, model).log_fitness
    1.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from toolkit.eventlog import ACTIVITY, CASE
from toolkit.mining.alignment import DEFAULT_MAX_SECONDS_PER_PATH
from toolkit.mining.conformance import Conformance, conformance_to_model
from toolkit.mining.ordering import PM4PY_KEYS, for_pm4py

if TYPE_CHECKING:
    from pm4py.objects.petri_net.obj import Marking, PetriNet

# IMf's customary setting: drops the rarest fifth of behaviour per activity, keeps the main flow.
DEFAULT_NOISE_THRESHOLD = 0.2
# More activities than a person can read in one model; discovery keeps the most common ones.
MAX_ACTIVITIES = 50


@dataclass(frozen=True)
class DiscoveredModel:
    """A Petri net discovered from a log, with the figures that describe its size.

    ``places``, ``transitions`` (``visible_transitions`` carry an activity, ``silent_transitions``
    are routing steps), ``arcs``; ``activities`` the activity names the model can replay;
    ``log_activities`` the distinct activities of the log and ``event_share`` the share of its
    events whose activity discovery kept (1.0 when the log was discovered whole).
    """

    net: PetriNet
    initial_marking: Marking
    final_marking: Marking
    noise_threshold: float
    places: int
    transitions: int
    visible_transitions: int
    silent_transitions: int
    arcs: int
    activities: frozenset[str]
    log_activities: int
    event_share: float


def most_common_activities(log: pd.DataFrame, limit: int) -> frozenset[str]:
    """The ``limit`` activities found in the most cases (ties by name, so every run keeps the same).

    Example::

        >>> import pandas as pd
        >>> log = pd.DataFrame({"case:concept:name": ["a", "a", "b"], "concept:name": ["x", "y", "x"]})
        >>> sorted(most_common_activities(log, 1))
        ['x']
    """
    cases = log.groupby(ACTIVITY, observed=True, sort=False)[CASE].nunique()
    ranked = sorted(cases.items(), key=lambda item: (-item[1], str(item[0])))
    return frozenset(activity for activity, _ in ranked[:limit])


def discover_model(
    log: pd.DataFrame,
    *,
    noise_threshold: float = DEFAULT_NOISE_THRESHOLD,
    max_activities: int = MAX_ACTIVITIES,
) -> DiscoveredModel:
    """The inductive miner's Petri net of the stably sorted log (projected on its
    ``max_activities`` most common activities), with its size.

    Example::

        >>> import pandas as pd
        >>> log = pd.DataFrame({
        ...     "case:concept:name": ["a", "b"],
        ...     "concept:name": ["x", "x"],
        ...     "time:timestamp": pd.date_range("2024-01-01", periods=2, tz="UTC"),
        ... })
        >>> discover_model(log, noise_threshold=0.0).activities
        frozenset({'x'})
    """
    if not 0.0 <= noise_threshold <= 1.0:
        raise ValueError(f"noise_threshold must be between 0 and 1, not {noise_threshold}")
    ordered = for_pm4py(log)
    log_activities = int(ordered[ACTIVITY].nunique())
    kept = ordered
    if log_activities > max_activities:
        kept = ordered[ordered[ACTIVITY].isin(most_common_activities(ordered, max_activities))]
    import pm4py  # imported on first use: it loads a hundred megabytes of libraries

    net, initial, final = pm4py.discover_petri_net_inductive(
        kept, noise_threshold=noise_threshold, **PM4PY_KEYS
    )
    labels = [t.label for t in net.transitions]
    visible = [label for label in labels if label is not None]
    return DiscoveredModel(
        net=net,
        initial_marking=initial,
        final_marking=final,
        noise_threshold=noise_threshold,
        places=len(net.places),
        transitions=len(labels),
        visible_transitions=len(visible),
        silent_transitions=len(labels) - len(visible),
        arcs=len(net.arcs),
        activities=frozenset(visible),
        log_activities=log_activities,
        event_share=len(kept) / len(ordered) if len(ordered) else 1.0,
    )


def fitness_against_model(
    log: pd.DataFrame,
    model: DiscoveredModel,
    *,
    max_seconds_per_path: float = DEFAULT_MAX_SECONDS_PER_PATH,
) -> Conformance:
    """How well ``model`` explains ``log`` (the same log, another period, another segment).

    Alignments per distinct path, as :func:`toolkit.mining.conformance.conformance_to_model`:
    ``fitting_share`` and ``mean_case_fitness`` equal ``pm4py.fitness_alignments``'s, and
    ``log_fitness`` too up to the tiny cost pm4py gives silent steps. On a large model a long
    path can take seconds; ``max_seconds_per_path`` bounds it (the path is then counted in
    ``unaligned_cases``).

    Example::

        >>> import pandas as pd
        >>> log = pd.DataFrame({
        ...     "case:concept:name": ["a", "a"],
        ...     "concept:name": ["x", "y"],
        ...     "time:timestamp": pd.date_range("2024-01-01", periods=2, tz="UTC"),
        ... })
        >>> fitness_against_model(log, discover_model(log)).fitting_share
        1.0
    """
    return conformance_to_model(
        log,
        model.net,
        model.initial_marking,
        model.final_marking,
        max_seconds_per_path=max_seconds_per_path,
    )
