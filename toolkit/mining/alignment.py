"""Alignments of distinct paths with a Petri net, read as unexpected, skipped and expected steps.

The mechanics behind :mod:`toolkit.mining.conformance`, kept apart because they work around
pm4py rather than just call it. Each distinct path gets:

- a complete alignment (pm4py's: the model must reach its final marking), for ``fitness``. When
  it finds nothing out of place before the path's last event, it says all there is to say: its
  model moves after the last event are ``still_expected``;
- otherwise a prefix alignment, on a copy of the net that may stop at any moment
  (:func:`_prefix_net`). A complete alignment would rather call the last steps of an unfinished
  path wrong than add the many steps that complete it (a fresh permit looks "cheaper" as a
  rejection); the prefix alignment explains the events so far. Its log moves are ``unexpected``
  events, its model moves ``skipped`` steps, and the model's shortest completion from where it
  ends is ``still_expected``. If it exceeds the time limit the complete alignment's reading is
  kept (``prefix_alignment`` is then false).

pm4py breaks ties between equally cheap explanations by Python object hashes, which change from
run to run; two tie-breakers (:func:`_event_costs`, :func:`_canonical_order`) fix the fitness and
the unexpected steps, but not which of two equally short completions is ``still_expected`` (nor,
now and then, which step is named skipped): docs/method.md, "Conformance". Example::

    >>> import pm4py
    >>> from pm4py.objects.process_tree.utils.generic import parse
    >>> net, initial, final = pm4py.convert_to_petri_net(parse("->( 'a', 'b', 'c' )"))
    >>> row = align_paths([("a", "c")], net, initial, final).iloc[0]
    >>> row["skipped"], float(row["fitness"])
    (('b',), 0.8)
"""

from __future__ import annotations

import time
import warnings
from copy import deepcopy
from dataclasses import dataclass

import pandas as pd
from pm4py.algo.conformance.alignments.petri_net import algorithm as alignments
from pm4py.objects.log.obj import Event, Trace
from pm4py.objects.petri_net.obj import Marking, PetriNet
from pm4py.objects.petri_net.utils import petri_utils
from pm4py.objects.petri_net.utils.align_utils import STD_MODEL_LOG_MOVE_COST

from toolkit.eventlog import ACTIVITY

UNEXPECTED = "unexpected"
SKIPPED = "skipped"
STILL_EXPECTED = "still_expected"
# pm4py's marker for "no move" on one side of an alignment step.
NO_MOVE = ">>"
# Name prefix of the places and silent transitions that let a prefix alignment stop anywhere.
DRAIN = "ketenlens_drain_"
DEFAULT_MAX_SECONDS_PER_PATH = 10.0
PATH_COLUMNS = [
    "activities",
    "aligned",
    "fitness",
    "fits",
    "on_track",
    UNEXPECTED,
    SKIPPED,
    STILL_EXPECTED,
    "prefix_alignment",
    "cost",
    "worst_cost",
]


def _prefix_net(
    net: PetriNet, initial: Marking, final: Marking
) -> tuple[PetriNet, Marking, Marking]:
    """A copy of the net that may stop at any moment: the net for a prefix alignment.

    A silent ``stop`` step ends the process (every original step needs the ``running`` token, so
    nothing fires after it); after it, silent steps drop whatever tokens are left. Aligning a path
    with this net explains the events so far in the cheapest way without having to complete the
    path, so a person still under way is not pushed onto a shorter, wrong branch just because
    that branch ends sooner. Dropping tokens only after ``stop`` keeps the search small: letting
    tokens vanish at any moment made a prefix alignment on a model discovered from BPIC 2012
    take seconds.
    """
    copied, copied_initial, _ = deepcopy((net, initial, final))
    original_places = list(copied.places)
    original_transitions = list(copied.transitions)
    running = PetriNet.Place(f"{DRAIN}running")
    stopped = PetriNet.Place(f"{DRAIN}stopped")
    copied.places.update({running, stopped})
    for transition in original_transitions:
        petri_utils.add_arc_from_to(running, transition, copied)
        petri_utils.add_arc_from_to(transition, running, copied)
    stop = PetriNet.Transition(f"{DRAIN}stop", None)
    copied.transitions.add(stop)
    petri_utils.add_arc_from_to(running, stop, copied)
    petri_utils.add_arc_from_to(stop, stopped, copied)
    for place in original_places:
        drain = PetriNet.Transition(f"{DRAIN}{place.name}", None)
        copied.transitions.add(drain)
        petri_utils.add_arc_from_to(place, drain, copied)
        petri_utils.add_arc_from_to(stopped, drain, copied)
        petri_utils.add_arc_from_to(drain, stopped, copied)
    start = Marking(copied_initial)
    start[running] = 1
    return copied, start, Marking({stopped: 1})


def _by_name(net: PetriNet) -> dict[str, PetriNet.Transition]:
    by_name = {t.name: t for t in net.transitions}
    if len(by_name) != len(net.transitions):
        raise ValueError("the Petri net has two transitions with the same name; rename them")
    return by_name


def _enabled(transition: PetriNet.Transition, marking: Marking) -> bool:
    return all(marking[arc.source] >= arc.weight for arc in transition.in_arcs)


def _fire(marking: Marking, transitions: list[PetriNet.Transition]) -> Marking:
    """The marking reached by firing ``transitions`` in order."""
    reached = Marking(marking)
    for transition in transitions:
        for arc in transition.in_arcs:
            reached[arc.source] -= arc.weight
        for arc in transition.out_arcs:
            reached[arc.target] += arc.weight
    return Marking({place: n for place, n in reached.items() if n > 0})


def _canonical_order(
    marking: Marking, transitions: list[PetriNet.Transition]
) -> list[PetriNet.Transition]:
    """The same firing sequence with steps that may go in either order sorted by name.

    Which order of two parallel steps pm4py reports changes from run to run; this one does not:
    at each point it fires, of the steps still to fire, the enabled one first in (label, name)
    order (silent steps first). If that ever blocks, the rest keeps pm4py's order.
    """
    pending = list(transitions)
    ordered: list[PetriNet.Transition] = []
    while pending:
        enabled = [t for t in pending if _enabled(t, marking)]
        if not enabled:
            return ordered + pending
        step = min(enabled, key=lambda t: (t.label or "", t.name))
        pending.remove(step)
        ordered.append(step)
        marking = _fire(marking, [step])
    return ordered


def _event_costs(length: int) -> list[int]:
    """The cost of declaring each event of a path unexpected: one move, plus a tie-breaker.

    When two explanations cost the same (``a b`` recorded as ``b a``: is ``a`` or ``b`` out of
    place?), pm4py's choice depends on Python's object hashes and changes from run to run. A tiny
    extra cost for earlier events makes the later event the unexpected one, every time. The
    extras add up to less than one move, so the number of deviating moves is unchanged; paths
    too long for that (over 140 events) get pm4py's plain costs.
    """
    extras = [length - 1 - i for i in range(length)]
    if sum(extras) >= STD_MODEL_LOG_MOVE_COST:
        extras = [0] * length
    return [STD_MODEL_LOG_MOVE_COST + extra for extra in extras]


def _moves(cost: int) -> int:
    # pm4py adds 1 per silent step to break ties; only whole moves are deviations.
    return cost // STD_MODEL_LOG_MOVE_COST


def align_paths(
    paths: list[tuple[str, ...]],
    net: PetriNet,
    initial: Marking,
    final: Marking,
    max_seconds_per_path: float = DEFAULT_MAX_SECONDS_PER_PATH,
    max_seconds: float | None = None,
) -> pd.DataFrame:
    """One row per path, in the order given: ``activities`` (the path), ``aligned`` (false when
    its complete alignment exceeded ``max_seconds_per_path``, or when the paths before it had
    used up ``max_seconds`` for all paths together; the other columns are then empty),
    ``fitness``, ``fits``, ``on_track``, ``unexpected``, ``skipped`` (sorted by name),
    ``still_expected`` (in the model's order), ``prefix_alignment`` (whether the last three come
    from a prefix alignment), ``cost`` (deviating moves) and ``worst_cost`` (every event a log
    move plus the model's shortest complete path: pm4py's denominator of fitness).

    Example::

        >>> import pm4py
        >>> from pm4py.objects.process_tree.utils.generic import parse
        >>> net, initial, final = pm4py.convert_to_petri_net(parse("->( 'a', 'b' )"))
        >>> align_paths([("a",)], net, initial, final).loc[0, "still_expected"]
        ('b',)
    """
    with warnings.catch_warnings():
        # pm4py's alignments still use numpy.matrix: one warning per path, about pm4py's code.
        warnings.filterwarnings("ignore", "the matrix subclass", PendingDeprecationWarning)
        return _align(paths, net, initial, final, max_seconds_per_path, max_seconds)


@dataclass(frozen=True)
class _Reading:
    """What an alignment says: events out of place, steps skipped before the last event, the
    model transitions fired up to the last event, and those fired after it (the completion)."""

    unexpected: tuple[str, ...]
    skipped: tuple[str, ...]
    fired: tuple[str, ...]
    trailing: tuple[str, ...]


def _read(moves: list) -> _Reading:
    """Read an alignment in pm4py's transition-aware form, ``((trace move, model move), (event,
    model label))`` with ``>>`` for no move; the prefix net's own stop and drain steps are left out.
    """
    last_event = max((i for i, ((e, _), _) in enumerate(moves) if e != NO_MOVE), default=-1)
    unexpected, skipped, fired, trailing = [], [], [], []
    for i, ((event_move, model_move), (event, label)) in enumerate(moves):
        if model_move == NO_MOVE:
            unexpected.append(event)
        elif model_move.startswith(DRAIN):
            continue
        elif i > last_event:
            trailing.append(model_move)
        else:
            fired.append(model_move)
            if event_move == NO_MOVE and label is not None:
                skipped.append(label)
    return _Reading(tuple(unexpected), tuple(skipped), tuple(fired), tuple(trailing))


class _Aligner:
    """Aligns paths with one net; holds what every path needs (prefix net, shortest path)."""

    def __init__(
        self, net: PetriNet, initial: Marking, final: Marking, max_seconds_per_path: float
    ) -> None:
        self.net, self.initial, self.final = net, initial, final
        base = {alignments.Parameters.ENABLE_BEST_WORST_COST: False}
        # pm4py would recompute the model's shortest complete path for every trace (its default
        # is evaluated eagerly); it is computed once here and fitness follows pm4py's formula.
        self.model_moves = _moves(
            alignments.apply_trace(Trace(), net, initial, final, base)["cost"]
        )
        self.parameters = {
            **base,
            alignments.Parameters.PARAM_MAX_ALIGN_TIME_TRACE: max_seconds_per_path,
            alignments.Parameters.PARAM_ALIGNMENT_RESULT_IS_SYNC_PROD_AWARE: True,
        }
        self.prefix_net = _prefix_net(net, initial, final)
        self.transitions = _by_name(net)
        # the shortest completion from each marking reached, found once: many paths under way
        # stand at the same point of the model
        self.completions: dict[frozenset, tuple[str, ...]] = {}

    def _apply(
        self, path: tuple[str, ...], net: tuple, start: Marking | None = None
    ) -> dict | None:
        model, initial, final = net
        trace = Trace([Event({ACTIVITY: activity}) for activity in path])
        costs = {alignments.Parameters.PARAM_TRACE_COST_FUNCTION: _event_costs(len(path))}
        return alignments.apply_trace(
            trace, model, start or initial, final, {**self.parameters, **costs}
        )

    def _ordered(self, fired: tuple[str, ...], steps: tuple[str, ...]) -> tuple[str, ...]:
        """The labels of ``steps`` fired after ``fired``, parallel steps in name order."""
        reached = _fire(self.initial, [self.transitions[name] for name in fired])
        order = _canonical_order(reached, [self.transitions[name] for name in steps])
        return tuple(t.label for t in order if t.label is not None)

    def _still_expected(self, fired: tuple[str, ...]) -> tuple[str, ...] | None:
        """The model's shortest completion after ``fired`` (None if it timed out)."""
        reached = _fire(self.initial, [self.transitions[name] for name in fired])
        if reached == self.final:
            return ()
        key = frozenset(reached.items())
        if key not in self.completions:
            rest = self._apply((), (self.net, reached, self.final))
            if rest is None:  # out of time: another path may try again
                return None
            self.completions[key] = self._ordered(fired, _read(rest["alignment"]).trailing)
        return self.completions[key]

    def align(self, path: tuple[str, ...]) -> dict:
        complete = self._apply(path, (self.net, self.initial, self.final))
        if complete is None:
            return {"activities": path, "aligned": False}
        cost = _moves(complete["cost"])
        worst = len(path) + self.model_moves
        reading = _read(complete["alignment"])
        still_expected = self._ordered(reading.fired, reading.trailing)
        from_prefix = False
        if reading.unexpected or reading.skipped:
            # The complete alignment may blame the last events of a person still under way;
            # the prefix alignment says what is wrong with the events so far.
            prefix = self._apply(path, self.prefix_net)
            if prefix is not None:
                prefix_reading = _read(prefix["alignment"])
                rest = self._still_expected(prefix_reading.fired)
                if rest is not None:
                    reading, still_expected, from_prefix = prefix_reading, rest, True
        return {
            "activities": path,
            "aligned": True,
            "fitness": 1.0 - cost / worst if worst else 1.0,
            "fits": cost == 0,
            "on_track": not reading.unexpected and not reading.skipped,
            UNEXPECTED: reading.unexpected,
            SKIPPED: tuple(sorted(reading.skipped)),
            STILL_EXPECTED: still_expected,
            "prefix_alignment": from_prefix,
            "cost": cost,
            "worst_cost": worst,
        }


def _align(
    paths: list[tuple[str, ...]],
    net: PetriNet,
    initial: Marking,
    final: Marking,
    max_seconds_per_path: float,
    max_seconds: float | None,
) -> pd.DataFrame:
    aligner = _Aligner(net, initial, final, max_seconds_per_path)
    deadline = None if max_seconds is None else time.monotonic() + max_seconds
    rows = []
    for path in paths:
        if deadline is not None and time.monotonic() >= deadline:
            rows.append({"activities": path, "aligned": False})
        else:
            rows.append(aligner.align(path))
    return pd.DataFrame(rows, columns=PATH_COLUMNS)
