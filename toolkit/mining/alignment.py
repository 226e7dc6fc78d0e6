"""Alignments of distinct paths with a Petri net, read as unexpected, skipped and expected steps.

The mechanics behind :mod:`toolkit.mining.conformance`. An alignment is the cheapest way to line a
path up with a run of the model, move by move: a synchronous move (the event is the model's
next step) costs nothing, a log move (an event the model cannot place) and a model move on a
visible step (a step the path lacks) cost one move each, a silent step a tiny amount. The search
is our own, over the net's reachability graph, so the answer is the same in every run (pm4py's
A* breaks ties by Python object hashes, which change from run to run):

1. the net's reachable markings are found once, breadth-first from the initial marking, firing
   the enabled transitions in a fixed order (silent ones first, then by label); a net with more
   than ``MAX_MARKINGS`` of them is not aligned (its paths count as unaligned);
2. the cheapest cost between any two markings (model moves only) is computed once with scipy's
   Dijkstra; the cost from a marking to the final marking is the model's shortest completion;
3. each path is a shortest-path search over (events read, marking), one layer per event: from a
   layer to the next by a log move or a synchronous move, within a layer by model moves (read
   from step 2, so a layer costs a few vector operations).

Each distinct path gets:

- ``fitness`` from the complete alignment (the model must reach its final marking), as pm4py
  defines it (its number of deviating moves is pm4py's; only which of two equally cheap
  explanations is reported can differ);
- ``unexpected`` events and ``skipped`` steps from the prefix alignment (the model may stop after
  the last event): a complete alignment would rather call the last steps of an unfinished path
  wrong than add the many steps that complete it (a fresh permit looks "cheaper" as a
  rejection); the prefix alignment explains the events so far. Of the prefix alignments with the
  fewest deviations, the one where the model stands closest to its end is taken;
- ``still_expected``: the model's shortest completion from where the prefix alignment ends.

Ties between equally cheap explanations are broken by fixed rules: of two events that could be
the unexpected one, the later (each event's log move costs a tiny extra, more for earlier
events, the extras adding up to less than one move); a synchronous move before a log move; of
equally cheap model paths, the one whose next step comes first in the order of step 1; of two
markings otherwise equal, the one found first in step 1. So a completion lists parallel steps
by name and, of two equally short completions, takes the one whose first differing step comes
first by name. Example::

    >>> import pm4py
    >>> from pm4py.objects.process_tree.utils.generic import parse
    >>> net, initial, final = pm4py.convert_to_petri_net(parse("->( 'a', 'b', 'c' )"))
    >>> row = align_paths([("a", "c")], net, initial, final).iloc[0]
    >>> row["skipped"], float(row["fitness"])
    (('b',), 0.8)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path

if TYPE_CHECKING:  # pm4py is imported where a model is built (see toolkit.mining.conformance)
    from pm4py.objects.petri_net.obj import Marking, PetriNet

UNEXPECTED = "unexpected"
SKIPPED = "skipped"
STILL_EXPECTED = "still_expected"
DEFAULT_MAX_SECONDS_PER_PATH = 10.0
# Past this many reachable markings the table of step 2 (markings squared) would not fit.
MAX_MARKINGS = 3000
# Costs in integers: one deviating move, the tie-breaking extra per later event, a silent step.
MOVE = 1 << 40
EVENT_EXTRA = 1 << 20
SILENT = 1
# "cannot get there": large, yet far enough from int64's end that adding two cannot overflow
UNREACHABLE = 1 << 61
PATH_COLUMNS = [
    "activities",
    "aligned",
    "fitness",
    "fits",
    "on_track",
    UNEXPECTED,
    SKIPPED,
    STILL_EXPECTED,
    "cost",
    "worst_cost",
]


class ModelTooLarge(ValueError):
    """The net has more reachable markings than :data:`MAX_MARKINGS` (or is unbounded)."""


def _order_key(transition: PetriNet.Transition) -> tuple:
    """The fixed order of transitions: silent ones first, then by label; names only where they
    are stable (pm4py names a tree's visible transitions at random), then by the places."""
    return (
        transition.label or "",
        transition.name if transition.label is None else "",
        sorted(arc.source.name for arc in transition.in_arcs),
        sorted(arc.target.name for arc in transition.out_arcs),
    )


def _event_costs(length: int) -> np.ndarray:
    """The cost of declaring each event of a path unexpected: one move, plus a tie-breaker.

    When two explanations cost the same (``a b`` recorded as ``b a``: is ``a`` or ``b`` out of
    place?), a tiny extra cost for earlier events makes the later event the unexpected one. The
    extras add up to less than one move, so the number of deviating moves is unchanged; paths
    too long for that (over 1,400 events) get plain costs.
    """
    extras = np.arange(length - 1, -1, -1, dtype=np.int64) * EVENT_EXTRA
    if int(extras.sum()) >= MOVE:
        extras[:] = 0
    return MOVE + extras


@dataclass(frozen=True)
class Alignment:
    """A path's alignment, as the transitions of the model: ``moves`` pairs each event (None:
    a model move) with the transition fired with it (None: a log move), up to the last event;
    ``completion`` are the transitions from there to the final marking (the model's shortest
    completion); ``cost`` counts the deviating moves of the complete alignment."""

    moves: tuple[tuple[str | None, PetriNet.Transition | None], ...]
    completion: tuple[PetriNet.Transition, ...]
    cost: int

    @property
    def unexpected(self) -> tuple[str, ...]:
        return tuple(event for event, t in self.moves if t is None and event is not None)

    @property
    def skipped(self) -> tuple[str, ...]:
        return tuple(t.label for event, t in self.moves if event is None and t and t.label)

    @property
    def still_expected(self) -> tuple[str, ...]:
        return tuple(t.label for t in self.completion if t.label is not None)


class Model:
    """A net's reachability graph and the cheapest model moves between any two of its markings:
    built once, then any number of paths aligned with :meth:`align`.

    Example::

        >>> import pm4py
        >>> from pm4py.objects.process_tree.utils.generic import parse
        >>> model = Model(*pm4py.convert_to_petri_net(parse("->( 'a', +( 'c', 'b' ) )")))
        >>> model.align(("a",)).still_expected
        ('b', 'c')
    """

    def __init__(self, net: PetriNet, initial: Marking, final: Marking) -> None:
        places = sorted(net.places, key=lambda p: p.name)
        index = {place: i for i, place in enumerate(places)}
        self.transitions = sorted(net.transitions, key=_order_key)
        # tokens each transition takes and gives, per place
        takes = np.zeros((len(self.transitions), len(places)), dtype=np.int64)
        gives = np.zeros_like(takes)
        for k, t in enumerate(self.transitions):
            for arc in t.in_arcs:
                takes[k, index[arc.source]] += arc.weight
            for arc in t.out_arcs:
                gives[k, index[arc.target]] += arc.weight
        change = gives - takes
        start = tuple(initial.get(p, 0) for p in places)
        found = {start: 0}
        markings = [start]
        src, dst, fired = [], [], []
        for at, marking in enumerate(markings):  # grows while it is read: breadth-first
            tokens = np.asarray(marking, dtype=np.int64)
            enabled = np.flatnonzero((takes <= tokens).all(axis=1))
            for k, reached in zip(
                enabled.tolist(), (tokens + change[enabled]).tolist(), strict=True
            ):
                target = found.setdefault(tuple(reached), len(markings))
                if target == len(markings):
                    if target >= MAX_MARKINGS:
                        raise ModelTooLarge(f"more than {MAX_MARKINGS} reachable markings")
                    markings.append(tuple(reached))
                src.append(at)
                dst.append(target)
                fired.append(k)
        end = tuple(final.get(p, 0) for p in places)
        if end not in found:
            raise ValueError("the final marking cannot be reached from the initial marking")
        self.final = found[end]
        self.size = len(markings)
        visible = np.array([t.label is not None for t in self.transitions])
        # edges in the fixed order: by transition, then by the marking they start from
        order = np.lexsort((np.asarray(src), np.asarray(fired)))
        self.src = np.asarray(src, dtype=np.int64)[order]
        self.dst = np.asarray(dst, dtype=np.int64)[order]
        self.fired = np.asarray(fired, dtype=np.int64)[order]
        self.cost = np.where(visible[self.fired], MOVE, SILENT).astype(np.int64)
        self.between = self._cheapest_between()
        # the edges of each activity's synchronous moves, in the fixed order
        edges: dict[str, list[int]] = {}
        for edge, k in enumerate(self.fired.tolist()):
            if self.transitions[k].label is not None:
                edges.setdefault(self.transitions[k].label, []).append(edge)
        self.by_label = {label: np.asarray(e, dtype=np.int64) for label, e in edges.items()}
        self.out_edges = [[] for _ in range(self.size)]
        for edge, source in enumerate(self.src.tolist()):
            self.out_edges[source].append(edge)
        self._walks: dict[tuple[int, int], tuple[int, ...]] = {}

    def _cheapest_between(self) -> np.ndarray:
        """Markings x markings: the cheapest model moves from one to the other."""
        # of several transitions between the same two markings the graph needs the cheapest
        pairs = pd.DataFrame({"src": self.src, "dst": self.dst, "cost": self.cost})
        cheapest = pairs.groupby(["src", "dst"], sort=False)["cost"].min().reset_index()
        graph = csr_matrix(
            (cheapest["cost"].to_numpy(np.float64), (cheapest["src"], cheapest["dst"])),
            shape=(self.size, self.size),
        )
        # exact: every cost is a whole number far below 2**53
        distances = shortest_path(graph, method="D", directed=True)
        table = np.full(distances.shape, UNREACHABLE, dtype=np.int64)
        finite = np.isfinite(distances)
        table[finite] = distances[finite].astype(np.int64)
        return table

    @cached_property
    def model_moves(self) -> int:
        """The visible steps of the model's shortest complete run."""
        return int(self.between[0, self.final] // MOVE)

    def _walk(self, start: int, goal: int) -> tuple[int, ...]:
        """The edges of the cheapest model moves from ``start`` to ``goal``: at each marking the
        first edge (in the fixed order) that stays on a cheapest way."""
        key = (start, goal)
        if key not in self._walks:
            edges, at = [], start
            to_goal = self.between[:, goal]
            while at != goal:
                edge = next(
                    e
                    for e in self.out_edges[at]
                    if self.cost[e] + to_goal[self.dst[e]] == to_goal[at]
                )
                edges.append(edge)
                at = int(self.dst[edge])
            self._walks[key] = tuple(edges)
        return self._walks[key]

    def align(self, path: tuple[str, ...], deadline: float | None = None) -> Alignment | None:
        """The alignment of ``path`` (None if ``deadline``, a ``time.monotonic()``, passes)."""
        costs = _event_costs(len(path))
        reached = self.between[0].copy()  # layer 0: model moves from the initial marking
        origins = []  # per event: per marking, the edge of its synchronous move, or -1
        for event, log_move in zip(path, costs, strict=True):
            if deadline is not None and time.monotonic() > deadline:
                return None
            best = reached + log_move
            origin = np.full(self.size, -1, dtype=np.int64)
            edges = self.by_label.get(event)
            if edges is not None:
                # through each synchronous move, then model moves within the new layer
                through = reached[self.src[edges], None] + self.between[self.dst[edges]]
                choice = through.argmin(axis=0)
                cheapest = through[choice, np.arange(self.size)]
                sync = cheapest <= best
                best = np.where(sync, cheapest, best)
                origin = np.where(sync, edges[choice], -1)
            reached = best
            origins.append(origin)
        # the prefix alignment: fewest deviations, then closest to the end
        to_end = self.between[:, self.final]
        end = int(np.lexsort((np.arange(self.size), reached, to_end, reached // MOVE))[0])
        moves: list[tuple[str | None, PetriNet.Transition | None]] = []
        at = end
        for i in range(len(path) - 1, -1, -1):
            edge = int(origins[i][at])
            if edge < 0:
                moves.append((path[i], None))
                continue
            # model moves after this event (after the last one: silent, the search ends there)
            after = self._walk(int(self.dst[edge]), at)
            moves.extend((None, self._transition(e)) for e in reversed(after))
            moves.append((path[i], self._transition(edge)))
            at = int(self.src[edge])
        moves.extend((None, self._transition(e)) for e in reversed(self._walk(0, at)))
        moves.reverse()
        return Alignment(
            moves=tuple(moves),
            completion=tuple(self._transition(e) for e in self._walk(end, self.final)),
            cost=int(reached[self.final] // MOVE),
        )

    def _transition(self, edge: int) -> PetriNet.Transition:
        return self.transitions[int(self.fired[edge])]


def align_paths(
    paths: list[tuple[str, ...]],
    net: PetriNet,
    initial: Marking,
    final: Marking,
    max_seconds_per_path: float = DEFAULT_MAX_SECONDS_PER_PATH,
    max_seconds: float | None = None,
) -> pd.DataFrame:
    """One row per path, in the order given: ``activities`` (the path), ``aligned`` (false when
    its alignment exceeded ``max_seconds_per_path``, when the paths before it had used up
    ``max_seconds`` for all paths together, or when the net has more than ``MAX_MARKINGS``
    reachable markings; the other columns are then empty), ``fitness``, ``fits``, ``on_track``,
    ``unexpected``, ``skipped`` (sorted by name), ``still_expected`` (in the model's order),
    ``cost`` (deviating moves) and ``worst_cost`` (every event a log move plus the model's
    shortest complete path: pm4py's denominator of fitness).

    Example::

        >>> import pm4py
        >>> from pm4py.objects.process_tree.utils.generic import parse
        >>> net, initial, final = pm4py.convert_to_petri_net(parse("->( 'a', 'b' )"))
        >>> align_paths([("a",)], net, initial, final).loc[0, "still_expected"]
        ('b',)
    """
    started = time.monotonic()
    try:
        model = Model(net, initial, final)
    except ModelTooLarge:
        model = None
    deadline = None if max_seconds is None else started + max_seconds
    rows = []
    for path in paths:
        now = time.monotonic()
        if model is None or (deadline is not None and now >= deadline):
            rows.append({"activities": path, "aligned": False})
            continue
        alignment = model.align(path, now + max_seconds_per_path)
        if alignment is None:
            rows.append({"activities": path, "aligned": False})
            continue
        worst = len(path) + model.model_moves
        rows.append(
            {
                "activities": path,
                "aligned": True,
                "fitness": 1.0 - alignment.cost / worst if worst else 1.0,
                "fits": alignment.cost == 0,
                "on_track": not alignment.unexpected and not alignment.skipped,
                UNEXPECTED: alignment.unexpected,
                SKIPPED: tuple(sorted(alignment.skipped)),
                STILL_EXPECTED: alignment.still_expected,
                "cost": alignment.cost,
                "worst_cost": worst,
            }
        )
    return pd.DataFrame(rows, columns=PATH_COLUMNS)
