"""Conformance: does each person's path follow the reference chain process (or a discovered model)?

The reference chain process (``toolkit/chain/reference.toml``, a process tree) says in which order
the milestones of the chain should happen. Each person's path is checked against it with an
alignment, computed once per distinct path (variant), not once per person: 20,000 simulated
asylum seekers (23,000 persons with the nareizigers) follow about 220 distinct paths through the
reference. Token-based replay was tried first, as pm4py's fast option, but on the reference
process it is wrong: its guess of which silent steps to fire depends on Python's object hashes,
so the same conforming path gets fitness 1.0 in one run and 0.96 in the next. Alignments are
exact, and ours (:mod:`toolkit.mining.alignment`) break ties between equally cheap explanations
by fixed rules, so the answer is the same in every run. A path whose alignment exceeds
``max_seconds_per_path`` is left unaligned and counted, never guessed.

Only the activities the model names are checked: the log is projected onto them first.
Relocations, extensions of the decision period and municipal follow-up steps are not part of the
reference, so they neither help nor hurt; ``outside_model`` counts them per case.

A chain log is full of persons still under way. For them a standard (complete) alignment would
rather call the last steps wrong than add the many steps that complete the path, so what went
wrong is read from a prefix alignment (the model may stop after the last event; of those with the
fewest deviations, the one closest to the model's end), and fitness from the complete one
(:mod:`toolkit.mining.alignment` has the mechanics). The answers per path:

- ``fitness`` as pm4py defines it, from the complete alignment (1.0 = a complete path);
- ``unexpected`` events, which the model cannot place at that point (out of order, repeated, or
  from another branch);
- ``skipped`` steps, which the model needed before a later event (a housing offer without a
  koppeling skips ``coa_koppeling``);
- ``still_expected`` steps, the model's shortest way to complete the path from where it stands:
  the steps to come for a person under way, in the model's order. For a person who has left the
  chain they are steps that never happened (or an ending the reference does not know).

Per case (``cases``): ``fitness`` (alignment fitness as pm4py defines it, 1.0 = a complete path of the
model), ``fits`` (fitness 1.0), ``on_track`` (no unexpected or skipped step: a complete path, or
an unfinished one that follows the model so far), the three tuples above (``skipped`` sorted by
name) and ``outside_model``.
Overall: ``log_fitness`` (as ``pm4py.fitness_alignments``, but without the tiny cost pm4py gives
silent steps, so a log of complete model paths has exactly 1.0), ``mean_case_fitness``,
``fitting_share`` and ``on_track_share``; ``deviations`` counts, per activity and kind, the
cases with that deviation, most frequent first. Example::

    >>> import pandas as pd
    >>> path = ["ind_nareiziger_inreis", "coa_instroom", "ind_vergunning_uitgereikt",
    ...         "coa_koppeling", "gem_koppeling_ontvangen", "gem_verhuisd",
    ...         "coa_uitstroom_gemeente", "gem_inschrijving_brp"]
    >>> log = pd.DataFrame({
    ...     "case:concept:name": "p1",
    ...     "concept:name": path,
    ...     "time:timestamp": pd.date_range("2024-01-01", periods=len(path), tz="UTC"),
    ... })
    >>> result = conformance_to_reference(log)
    >>> result.log_fitness, result.fitting_share
    (1.0, 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from toolkit.cellkeys import key_of, key_sum, record_keys
from toolkit.chain import Chain, load_chain
from toolkit.mining.alignment import (
    DEFAULT_MAX_SECONDS_PER_PATH,
    PATH_COLUMNS,
    SKIPPED,
    STILL_EXPECTED,
    UNEXPECTED,
    align_paths,
)
from toolkit.mining.variants import ARROW, case_variants

if TYPE_CHECKING:
    from pm4py.objects.petri_net.obj import Marking, PetriNet

DEVIATION_KINDS = (UNEXPECTED, SKIPPED, STILL_EXPECTED)
# a case's row: who, which path, then the path's alignment results (all but its activities)
CASE_COLUMNS = ["case", "variant", "events", "outside_model", *PATH_COLUMNS[1:]]
# ``cost``: deviating moves of the case's alignment; ``worst_cost``: moves if nothing matched.
DEVIATION_COLUMNS = ["activity", "kind", "cases", "share"]


@dataclass(frozen=True)
class Conformance:
    """The outcome of aligning a log with a model (see the module docstring for each figure).

    Shares and fitness are over aligned cases. ``unaligned_cases`` counts cases whose path
    exceeded the time limit or was not reached within the budget for all paths;
    ``unreplayed_cases`` those with no event of an activity the model names (nothing to check):
    both are left out of every figure. ``sampled``: some cases were not checked (their paths
    were not among the most common ones).
    """

    cases: pd.DataFrame
    deviations: pd.DataFrame
    log_fitness: float
    mean_case_fitness: float
    fitting_share: float
    on_track_share: float
    unaligned_cases: int
    unreplayed_cases: int
    sampled: bool = False
    # the key sums of the three counts of cases (toolkit.cellkeys)
    keys: dict[str, int] = field(default_factory=dict)


def reference_net(chain: Chain | None = None) -> tuple[PetriNet, Marking, Marking]:
    """The reference chain process as a Petri net with initial and final marking.

    Example::

        >>> net, initial, final = reference_net()
        >>> "coa_koppeling" in {t.label for t in net.transitions}
        True
    """
    import pm4py  # imported on first use: it loads a hundred megabytes of libraries
    from pm4py.objects.process_tree.utils.generic import parse

    chain = chain or load_chain()
    return pm4py.convert_to_petri_net(parse(chain.reference_tree))


def conformance_to_reference(
    log: pd.DataFrame,
    chain: Chain | None = None,
    *,
    max_seconds_per_path: float = DEFAULT_MAX_SECONDS_PER_PATH,
) -> Conformance:
    """Align each person's path (projected on the reference activities) with the reference.

    Example::

        >>> import pandas as pd
        >>> log = pd.DataFrame({
        ...     "case:concept:name": "p1",
        ...     "concept:name": ["ind_aanmelding", "ind_aanvraag", "ind_aanmeldgehoor"],
        ...     "time:timestamp": pd.date_range("2024-01-01", periods=3, tz="UTC"),
        ... })
        >>> conformance_to_reference(log).cases.loc[0, "skipped"]
        ('coa_instroom',)
    """
    net, initial, final = reference_net(chain)
    return conformance_to_model(log, net, initial, final, max_seconds_per_path=max_seconds_per_path)


def _visible_labels(net: PetriNet) -> set[str]:
    return {t.label for t in net.transitions if t.label is not None}


def _deviations(
    paths: pd.DataFrame, persons: np.ndarray, cases: int, keys: np.ndarray
) -> pd.DataFrame:
    """Per activity and kind, the cases with that deviation among ``cases`` aligned ones, from
    the aligned ``paths``, the ``persons`` on each and the sum of their record ``keys`` (summed
    beside the cases as ``cases_key``, :mod:`toolkit.cellkeys`)."""
    parts = []
    for kind in DEVIATION_KINDS:
        # A case counts once per activity and kind, however often it deviated there.
        activities = paths[kind].map(lambda moves: sorted(set(moves))).to_numpy()
        exploded = pd.DataFrame({"persons": persons, "keys": keys, "activity": activities})
        parts.append(exploded.explode("activity").dropna(subset=["activity"]).assign(kind=kind))
    long = pd.concat(parts, ignore_index=True)
    if long.empty:
        return pd.DataFrame(columns=DEVIATION_COLUMNS)
    grouped = long.groupby(["activity", "kind"], sort=False)[["persons", "keys"]].sum()
    table = grouped.rename(columns={"persons": "cases", "keys": key_of("cases")}).reset_index()
    table[["cases", key_of("cases")]] = table[["cases", key_of("cases")]].astype("int64")
    table["share"] = table["cases"] / cases
    order = {kind: i for i, kind in enumerate(DEVIATION_KINDS)}
    table = table.sort_values(
        ["cases", "kind", "activity"],
        ascending=[False, True, True],
        key=lambda column: column.map(order) if column.name == "kind" else column,
        kind="stable",
    )
    return table[[*DEVIATION_COLUMNS, key_of("cases")]].reset_index(drop=True)


def conformance_to_model(
    log: pd.DataFrame,
    net: PetriNet,
    initial_marking: Marking,
    final_marking: Marking,
    *,
    max_seconds_per_path: float = DEFAULT_MAX_SECONDS_PER_PATH,
    max_seconds: float | None = None,
) -> Conformance:
    """Align each case of ``log`` with a Petri net (the reference, or one discovered from a log).

    Events of activities the net does not name are left out (counted per case in
    ``outside_model``); a generic log such as BPIC 2012 is checked against a model discovered
    from it (:func:`toolkit.mining.discovery.fitness_against_model`). The most common paths are
    aligned first, so with a budget of ``max_seconds`` for all paths the ones left unaligned
    (``unaligned_cases``) are the rarest.

    Example::

        >>> import pandas as pd
        >>> import pm4py
        >>> log = pd.DataFrame({
        ...     "case:concept:name": ["a", "a", "b", "b"],
        ...     "concept:name": ["x", "y", "y", "x"],
        ...     "time:timestamp": pd.date_range("2024-01-01", periods=4, tz="UTC"),
        ... })
        >>> model = pm4py.discover_petri_net_inductive(log.iloc[:2])
        >>> conformance_to_model(log, *model).fitting_share
        0.5
    """
    return conformance_of_cases(
        case_variants(log), net, initial_marking, final_marking,
        max_seconds_per_path=max_seconds_per_path, max_seconds=max_seconds,
    )  # fmt: skip


def conformance_of_cases(
    cases: pd.DataFrame,
    net: PetriNet,
    initial_marking: Marking,
    final_marking: Marking,
    *,
    max_paths: int | None = None,
    max_seconds_per_path: float = DEFAULT_MAX_SECONDS_PER_PATH,
    max_seconds: float | None = None,
) -> Conformance:
    """:func:`conformance_to_model` of the paths of a log's
    :func:`~toolkit.mining.variants.case_variants` (the log's variants, computed once for every
    section that needs them): each distinct path is projected on the net's activities once.

    With ``max_paths`` only the persons on that many most common paths are checked (the rest
    are left out of every figure; ``sampled`` says whether anyone was). Paths are counted as
    the model sees them, projected on its activities, so activities outside the model do not
    make every person's path unique; ties go in path order, so every run checks the same
    persons.

    Example::

        >>> conformance_of_cases(case_variants(log), *reference_net())  # doctest: +SKIP
    """
    labels = _visible_labels(net)
    keys = _keys(cases)
    # the variant text stands for the path: factorizing texts is cheaper than tuples
    path, distinct = pd.factorize(cases["variant"])
    first = np.empty(len(distinct), dtype=np.int64)
    first[path] = np.arange(len(path))  # a person on each (the path is the same for all)
    keep = labels.__contains__
    projected = np.empty(len(distinct), dtype=object)
    projected[:] = [tuple(filter(keep, acts)) for acts in cases["activities"].to_numpy()[first]]
    # per path as the model sees it, the persons on it
    seen, views = pd.factorize(projected)
    persons = np.bincount(seen[path], minlength=len(views))
    ranked = sorted(range(len(views)), key=lambda v: (-persons[v], str(views[v])))
    chosen = np.zeros(len(views), dtype=bool)
    chosen[ranked[:max_paths]] = True
    sizes = np.fromiter(map(len, views), dtype=np.int64, count=len(views))
    checked = chosen[seen[path]]
    replayed = checked & (sizes[seen[path]] > 0)
    order = [v for v in ranked if chosen[v] and sizes[v] > 0]
    aligned = align_paths(
        [views[v] for v in order], net, initial_marking, final_marking,
        max_seconds_per_path, max_seconds,
    )  # fmt: skip
    row = np.full(len(views), -1, dtype=np.int64)
    row[order] = np.arange(len(order))
    at = row[seen[path[replayed]]]
    texts = np.array([ARROW.join(v) for v in views], dtype=object)
    # each distinct path made text once, taken per person
    variant_texts = pd.Series(texts, dtype=str).take(seen[path[replayed]]).reset_index(drop=True)
    out = pd.DataFrame(
        {
            "case": cases["case"].astype(str)[replayed].reset_index(drop=True),
            "key": keys[replayed],
            "variant": variant_texts,
            "events": sizes[seen[path[replayed]]],
            "outside_model": cases["events"].to_numpy()[replayed] - sizes[seen[path[replayed]]],
        }
    )
    out = out.join(aligned.drop(columns="activities").iloc[at].reset_index(drop=True))
    out = out[[*CASE_COLUMNS, "key"]]
    out["aligned"] = out["aligned"].astype(bool)
    done = out.loc[out["aligned"].to_numpy()]
    on_each = np.bincount(at, minlength=len(aligned))  # persons on each aligned path
    # and the sums of their record keys (toolkit.cellkeys), exact in floats up to 2^53
    keys_on = np.bincount(at, out["key"].to_numpy(dtype=float), minlength=len(aligned))
    on_path = aligned["aligned"].astype(bool).to_numpy()
    return Conformance(
        cases=out,
        deviations=_deviations(
            aligned[on_path], on_each[on_path], len(done), keys_on.astype(np.int64)[on_path]
        ),
        log_fitness=_log_fitness(done),
        mean_case_fitness=float(done["fitness"].mean()) if len(done) else float("nan"),
        fitting_share=float(done["fits"].mean()) if len(done) else float("nan"),
        on_track_share=float(done["on_track"].mean()) if len(done) else float("nan"),
        unaligned_cases=int((~out["aligned"]).sum()),
        unreplayed_cases=int((checked & ~replayed).sum()),
        sampled=not checked.all(),
        keys={
            key_of("cases_checked"): key_sum(keys[replayed]),
            key_of("unaligned_cases"): key_sum(keys[replayed][~out["aligned"].to_numpy()]),
            key_of("unreplayed_cases"): key_sum(keys[checked & ~replayed]),
        },
    )


def _keys(cases: pd.DataFrame) -> np.ndarray:
    """The persons' record keys (toolkit.cellkeys): the cases' own, else from the pseudonyms."""
    return cases["key"].to_numpy() if "key" in cases.columns else record_keys(cases["case"])


def _log_fitness(cases: pd.DataFrame) -> float:
    """One minus all deviating moves over the moves of the worst case (every event a log move
    plus the model's shortest path), pm4py's alignment log fitness counted in visible moves."""
    worst = cases["worst_cost"].sum()
    return float(1 - cases["cost"].sum() / worst) if worst > 0 else float("nan")
