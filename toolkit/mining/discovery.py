"""Process discovery: the process as it actually runs, mined from the log with the inductive miner.

The reference chain process says how the chain should run; discovery shows how it does. The
inductive miner is used because its models are always sound (every path can complete), so
conformance and fitness against them mean something. ``noise_threshold`` is the infrequent
variant (IMf): directly-follows relations rarer than that fraction of their activity's most
frequent relation are ignored, so one mistyped date does not turn the model into spaghetti. At
0.0 every path in the log fits the model (and the model allows a lot).

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

import pandas as pd
import pm4py
from pm4py.objects.petri_net.obj import Marking, PetriNet

from toolkit.mining.alignment import DEFAULT_MAX_SECONDS_PER_PATH
from toolkit.mining.conformance import Conformance, conformance_to_model
from toolkit.mining.ordering import PM4PY_KEYS, for_pm4py

# IMf's customary setting: drops the rarest fifth of behaviour per activity, keeps the main flow.
DEFAULT_NOISE_THRESHOLD = 0.2


@dataclass(frozen=True)
class DiscoveredModel:
    """A Petri net discovered from a log, with the figures that describe its size.

    ``places``, ``transitions`` (``visible_transitions`` carry an activity, ``silent_transitions``
    are routing steps), ``arcs``; ``activities`` the activity names the model can replay.
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


def discover_model(
    log: pd.DataFrame, *, noise_threshold: float = DEFAULT_NOISE_THRESHOLD
) -> DiscoveredModel:
    """The inductive miner's Petri net of the stably sorted log, with its size.

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
    net, initial, final = pm4py.discover_petri_net_inductive(
        ordered, noise_threshold=noise_threshold, **PM4PY_KEYS
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
