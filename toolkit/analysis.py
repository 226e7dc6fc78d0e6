"""One analysis of an event log: the findings and every table behind them, computed once.

The command line (``ketenlens analyze``), the exports (xlsx, csv, json, html) and the dashboard
all call :func:`analyze`, so a figure in a workshop slide, an Excel sheet and the dashboard is
the same figure. The work itself is in :mod:`toolkit.bottlenecks` (chain analytics, findings)
and :mod:`toolkit.mining` (pm4py); this module chooses what applies to the log, applies the one
filter, fixes the end of the data, and, in workshop mode, suppresses small groups
(:mod:`toolkit.suppression`).

Two kinds of log. A *chain log* (activities from the chain vocabulary) gets everything: milestone
intervals with their norms, work in progress, flow, relocation tests and conformance to the
reference chain process. A *generic log* (a BPIC log ingested with the generic profile) has no
norms and no phases: it gets waits, variants, repeated activities and conformance to a model
discovered from the log itself. Example::

    >>> from toolkit.analysis import load_and_analyze
    >>> result = load_and_analyze(Path("event_logs/demo"), workshop=True)  # doctest: +SKIP
    >>> result.findings[0].title_nl  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit.adapters.generic import GENERIC as GENERIC_PROFILE
from toolkit.bottlenecks import (
    flow_per_week,
    loop_waits,
    person_waits,
    relocation_rates,
    repeated_activities,
    rework_summary,
    transition_waits,
    wip_per_day,
)
from toolkit.bottlenecks.common import end_of_data, in_window
from toolkit.bottlenecks.distributions import duration_histogram, survival_curves, wait_histogram
from toolkit.bottlenecks.intervals import summaries
from toolkit.bottlenecks.norms import breaches, complete_months
from toolkit.bottlenecks.segments import segment_rows
from toolkit.bottlenecks.stays import LOCATION_TYPE, Coa, coa_events, coa_events_of
from toolkit.bottlenecks.wip import phase_states
from toolkit.cellkeys import is_key, key_of, key_sum, key_sums, keyed_counts, keyless, record_keys
from toolkit.chain import Chain, load_chain
from toolkit.errors import EventLogError
from toolkit.eventlog import (
    ACTIVITY,
    CASE,
    GROUP,
    HOUSEHOLD,
    LIFECYCLE,
    MUNICIPALITY,
    RESOURCE,
    SORT_KEYS,
    START,
    TIMESTAMP,
    read_events,
)
from toolkit.filters import (
    NATIONALITY,
    TRACK,
    LogFilter,
    apply_filter,
    code_marks,
    local_day_end,
    member_of,
)
from toolkit.findings import Finding, findings_in
from toolkit.findings.families import relocations_of, with_persons, with_relocations
from toolkit.logdir import EVENTS_FILE, REPORT_FILE, current_files, log_file
from toolkit.memory import give_back
from toolkit.metrics.curves import cohort_curves
from toolkit.metrics.person_table import as_intervals, person_table
from toolkit.mining import (
    MAX_ACTIVITIES,
    case_variants,
    discover_model,
    handovers,
)
from toolkit.mining.conformance import Conformance, conformance_of_cases, reference_net
from toolkit.mining.dfg import Dfg, performance_dfg, with_loops
from toolkit.mining.lifecycle import activity_instances, has_lifecycle, service_times
from toolkit.mining.variants import variant_table
from toolkit.suppression import (
    DEFAULT_K,
    SUPPRESSED,
    disclosure_key,
    drop_small,
    perturb,
    perturb_text,
    protect_parts,
    share_gives_away,
    suppress_derived,
    suppress_shares,
    suppress_small,
    suppress_value,
    without_keys,
)

CHAIN = "chain"
GENERIC = "generic"
TOP_VARIANTS = 20
TOP_DEVIATIONS = 20
P90 = 0.9
# the ingest report's as_of_source for a generated set: as_of is the day after its cut-off
GENERATED_CUTOFF = "ground_truth.json cut-off"
TODAY = "today"  # as_of_source of an ingest without a known cut-off
# Conformance aligns the persons on the most common paths, at most this many distinct paths
# (see _conformance); a path on a discovered model may take up to a second.
CHAIN_PATHS = 100
GENERIC_PATHS = 100
GENERIC_SECONDS_PER_PATH = 1.0
# All alignments of a generic log together; the rarest paths are left unaligned past it.
GENERIC_ALIGN_SECONDS = 15.0
# The columns of the event log that an analysis reads (the lineage, the IND case and the case
# attributes no figure uses stay on disk); events in the contract's order need the sort keys.
ANALYSIS_COLUMNS = (CASE, ACTIVITY, TIMESTAMP, LIFECYCLE, GROUP, RESOURCE, MUNICIPALITY,
                    LOCATION_TYPE, HOUSEHOLD, NATIONALITY, TRACK, *SORT_KEYS[2:])  # fmt: skip
# Groups smaller than this are not tested for significance (the bottlenecks' default).
MIN_GROUP = 30


def smallest_group(workshop: bool, k: int = DEFAULT_K) -> int:
    """The smallest group a finding tests or describes: in workshop mode never fewer than k.

    A finding's text speaks of groups inside its segment (a trend's half-year cohorts, the
    cohorts in which a unit was behind); their medians are figures about those persons, so
    with a k above :data:`MIN_GROUP` they must hold at least k persons too.
    """
    return max(MIN_GROUP, k) if workshop else MIN_GROUP


# Per table: the columns that count persons (each value under k is suppressed), the column with
# the size of the group a row is about (the whole row goes empty under k) and the row's labels.
# Tables whose counts are of events (transitions, handovers) are checked by their persons column.
PERSON_COUNTS: dict[str, tuple[str, ...]] = {
    "findings": ("persons",),
    "intervals": ("persons", "completed", "still_open", "left_chain", "inferred_end"),
    "cohort_curves": ("persons", "at_risk"),
    "norms": ("persons", "closed", "closed_over", "still_open", "overdue_now", "breaches"),
    "norms_by_month": (
        "persons",
        "closed",
        "closed_over",
        "still_open",
        "overdue_now",
        "breaches",
    ),
    "throughput": ("persons",),
    "wip": (),  # every column but the date is a count of persons: see suppress_analysis
    "flow": ("inflow", "outflow", "outflow_housing", "wip_end"),
    "transitions": ("persons",),
    "service_times": ("persons", "instances"),
    "handovers": ("cases",),
    "variants": ("cases",),
    "deviations": ("cases",),
    "rework": ("persons", "persons_0", "persons_1", "persons_2", "persons_3+", "cases",
               "cases_repeated"),
}  # fmt: skip
GROUP_COLUMN = {
    "intervals": "persons",
    "norms": "persons",
    "norms_by_month": "persons",
    "throughput": "persons",
    "transitions": "persons",
    "service_times": "persons",
    "handovers": "cases",
    "deviations": "cases",
    "rework": "persons",
}
# Counts that add up to a total in the same row: one hidden part must not be derivable.
PARTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "intervals": (("completed", "still_open", "left_chain"),),
    "norms": (("closed_over", "overdue_now"),),
    "norms_by_month": (("closed_over", "overdue_now"),),
    "rework": (("persons_1", "persons_2", "persons_3+"),),
}
# Figures computed from a count in the same row, or that give it away (a share times its base):
# hidden whenever one of those counts is hidden.
DERIVED: dict[str, dict[str, tuple[str, ...]]] = {
    "intervals": {"median_days_completed_only": ("completed",)},
    "norms": {"share_closed_over": ("closed", "closed_over"), "excess_days": ("breaches",)},
    "norms_by_month": {
        "share_closed_over": ("closed", "closed_over"),
        "excess_days": ("breaches",),
        "share_breached": ("persons", "breaches"),
    },
    "deviations": {"share": ("cases",)},
    # the events of a kind of rework bound a hidden bucket: 107 once and 22 more than once in
    # 154 events leave at most 3 persons for three times or more
    "rework": {
        "share_repeated": ("cases", "cases_repeated"),
        "events": ("persons_1", "persons_2", "persons_3+"),
    },
}
LABEL_COLUMNS = (
    "interval",
    "label_nl",
    "label_en",
    "kind",
    "direction",
    "norm_days",
    "end_expected",
    "from_activity",
    "to_activity",
    "from_org",
    "to_org",
    "month",
    "complete",
    "measure",
    "activity",
)


@dataclass(frozen=True)
class Analysis:
    """Everything ``analyze`` found on one (filtered) log; see :func:`analyze`.

    Tables are DataFrames with one row per item; ``summary`` and ``conformance`` are flat dicts;
    ``method`` holds one short note per table on how it is computed (docs/method.md has the
    long version). In workshop mode the tables are already suppressed.
    """

    summary: dict[str, Any]
    findings: list[Finding]
    intervals: pd.DataFrame
    cohort_curves: pd.DataFrame
    norms: pd.DataFrame
    norms_by_month: pd.DataFrame
    throughput: pd.DataFrame
    wip: pd.DataFrame
    flow: pd.DataFrame
    transitions: pd.DataFrame
    service_times: pd.DataFrame
    handovers: pd.DataFrame
    variants: pd.DataFrame
    conformance: dict[str, Any]
    deviations: pd.DataFrame
    rework: pd.DataFrame
    method: list[dict[str, str]] = field(default_factory=list)

    @property
    def is_chain(self) -> bool:
        return self.summary.get("log_kind") == CHAIN

    def findings_table(self) -> pd.DataFrame:
        """The findings as a table, ranked, with ``segment`` as ``dimension=value`` text."""
        return findings_table(self.findings)

    def summary_table(self) -> pd.DataFrame:
        """Summary and conformance figures as ``section``, ``figure``, ``value`` rows."""
        rows = [("summary", key, value) for key, value in self.summary.items()]
        rows += [("conformance", key, value) for key, value in self.conformance.items()]
        return pd.DataFrame(rows, columns=["section", "figure", "value"])

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, in the order a report shows them."""
        return {
            "findings": self.findings_table(),
            "intervals": self.intervals,
            "cohort_curves": self.cohort_curves,
            "norms": self.norms,
            "norms_by_month": self.norms_by_month,
            "throughput": self.throughput,
            "wip": self.wip,
            "flow": self.flow,
            "transitions": self.transitions,
            "service_times": self.service_times,
            "handovers": self.handovers,
            "variants": self.variants,
            "deviations": self.deviations,
            "rework": self.rework,
        }


def findings_table(findings: list[Finding]) -> pd.DataFrame:
    """Ranked findings as rows: the overall ``rank`` and the ``family`` first, ``segment`` as
    ``dimension=value``."""
    rows = []
    for finding in findings:
        record = finding.to_dict()
        dimension, value = record["segment_dimension"], record["segment_value"]
        record["segment"] = f"{dimension}={value}" if dimension else None
        rows.append(record)
    columns = [
        "rank", "family", "kind", "title_nl", "title_en", "place", "segment", "segment_dimension",
        "segment_value", "metric", "value", "benchmark", "persons", "excess_person_days",
        "excess_events", "confidence", "interval", "explanation_nl", "explanation_en", "filter",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def is_chain_log(log: pd.DataFrame, chain: Chain) -> bool:
    """Whether the log speaks the chain vocabulary (the same test as ``find_bottlenecks``)."""
    return bool(log[ACTIVITY].isin(chain.activity_ids).any())


def _labelled_intervals(table: pd.DataFrame, chain: Chain) -> pd.DataFrame:
    if table.empty:
        return table.assign(label_nl=pd.Series(dtype=object), label_en=pd.Series(dtype=object))
    norms = {n.id: n for n in chain.norms}
    out = table.copy()
    out.insert(1, "label_nl", out["interval"].map(lambda i: norms[i].label_nl))
    out.insert(2, "label_en", out["interval"].map(lambda i: norms[i].label_en))
    out.insert(3, "kind", out["interval"].map(lambda i: norms[i].kind))
    return out


def _labelled_norms(table: pd.DataFrame, chain: Chain) -> pd.DataFrame:
    norms = {n.id: n for n in chain.norms}
    out = table.copy()
    out.insert(1, "label_nl", out["interval"].map(lambda i: norms[i].label_nl).astype(object))
    out.insert(2, "label_en", out["interval"].map(lambda i: norms[i].label_en).astype(object))
    return out


def overall_breaches(monthly: pd.DataFrame) -> pd.DataFrame:
    """Per norm, the monthly breach counts added up: the same as ``norm_breaches`` without ``by``.

    Every person is in exactly one month (the month their interval started), so the counts and
    excess days add up; the share is recomputed from the sums. Computing the months once and
    adding them up halves the work on a large log.
    """
    keys = ["interval", "kind", "direction", "norm_days", "end_expected"]
    sums = ["persons", "closed", "closed_over", "still_open", "overdue_now", "breaches",
            "excess_days"]  # fmt: skip
    if monthly.empty:
        return pd.DataFrame(columns=[*keys, *sums, "share_closed_over"])
    # the months' persons are disjoint: their record keys add up as the counts do
    cell_keys = [c for c in monthly.columns if is_key(c)]
    out = monthly.groupby(keys, sort=False, dropna=False)[[*sums, *cell_keys]].sum().reset_index()
    out["share_closed_over"] = out["closed_over"] / out["closed"].where(out["closed"] > 0)
    order = ["persons", "closed", "closed_over", "still_open", "overdue_now", "breaches",
             "share_closed_over", "excess_days"]  # fmt: skip
    return out[[*keys, *order, *cell_keys]]


def _throughput(cases: pd.DataFrame) -> pd.DataFrame:
    """Per case, first to last event: persons, median, p90 and mean days."""
    days = cases["duration_days"]
    return pd.DataFrame(
        [
            {
                "measure": "case duration (first to last event)",
                "persons": len(days),
                "median_days": float(days.median()) if len(days) else None,
                "p90_days": float(days.quantile(P90)) if len(days) else None,
                "mean_days": float(days.mean()) if len(days) else None,
                key_of("persons"): key_sum(cases["key"].to_numpy()),
            }
        ]
    )


def _transitions(log: pd.DataFrame, waits: pd.DataFrame) -> pd.DataFrame:
    """Transition waits with the number of distinct persons per pair (for suppression)."""
    table = transition_waits(log, waits=waits)
    if table.empty:
        return table.assign(persons=pd.Series(dtype="int64"))
    out = table.join(_pairs(waits, "persons", "n"), on=PAIR)
    columns = ["from_activity", "to_activity", "n", "persons"]
    return out[columns + [c for c in out.columns if c not in columns]]


PAIR = ["from_activity", "to_activity"]


def _pairs(waits: pd.DataFrame, persons: str, transitions: str) -> pd.DataFrame:
    """Per pair of consecutive activities (as text): the distinct ``persons`` who made it, and
    the key sums (:mod:`toolkit.cellkeys`) of those persons and of the ``transitions`` (each
    keyed by its person's record key)."""
    table = keyed_counts(waits, PAIR)
    pairs = table.index.to_frame(index=False).astype(object).astype(str)
    table = table.set_axis(pd.MultiIndex.from_frame(pairs))
    return pd.DataFrame({persons: table["persons"], key_of(persons): table[key_of("persons")],
                         key_of(transitions): table[key_of("rows")]})  # fmt: skip


def _dfg(
    log: pd.DataFrame, loops: frozenset[str] = frozenset(), waits: pd.DataFrame | None = None
) -> Dfg:
    """The process map with the distinct persons per edge (``cases``), for suppression: an edge's
    ``frequency`` counts events, and one person going back and forth can make it reach k.

    The ``loops`` activities (relocations) are folded into a self-loop each
    (:func:`toolkit.bottlenecks.waits.loop_waits`): the other paths are drawn as if they were not
    there, since a relocation can fall between any two steps of the procedure. ``waits`` are the
    log's :func:`~toolkit.bottlenecks.person_waits`, used when nothing is folded."""
    steps = _without(log, loops)
    graph = performance_dfg(steps)
    waits = person_waits(steps) if waits is None or steps is not log else waits
    persons = _pairs(waits, "cases", "frequency").rename_axis(["source", "target"])
    edges = graph.edges.join(persons, on=["source", "target"])
    graph = replace(graph, edges=edges.assign(cases=edges["cases"].fillna(0).astype("int64")))
    if steps is not log:
        graph = with_loops(graph, log, loop_waits(log, loops))
    # the persons whose path starts or ends at each activity: each person's first and last
    # event (the log is in the contract's order), their record keys summed per activity
    paths = steps[[CASE, ACTIVITY]].groupby(CASE, observed=True, sort=False)[ACTIVITY]
    ends = {}
    for side, which in (("start_activities", paths.first()), ("end_activities", paths.last())):
        persons = pd.DataFrame({"activity": which.astype(object).astype(str).to_numpy(),
                                "case": which.index})  # fmt: skip
        ends[side] = {str(a): int(v) for a, v in key_sums(persons, "activity").items()}
    return replace(graph, activities=_activity_keys(graph.activities, log), keys=ends)


def _activity_keys(activities: pd.DataFrame, log: pd.DataFrame) -> pd.DataFrame:
    """The process map's activities with the key sums of their persons (``cases``) and of their
    events (``frequency``: each event keyed by its person's record key)."""
    events = log[[ACTIVITY, CASE]].rename(columns={CASE: "case"})
    sums = pd.DataFrame(
        {
            key_of("cases"): key_sums(events, ACTIVITY),
            key_of("frequency"): key_sums(events, ACTIVITY, distinct=False),
        }
    )
    sums.index = sums.index.astype(object).astype(str)  # fmt: skip
    return activities.join(sums, on="activity")


def _without(log: pd.DataFrame, loops: frozenset[str]) -> pd.DataFrame:
    """The log without the events of the ``loops`` activities (the log itself when it has none,
    or nothing else)."""
    if not loops:
        return log
    folded = log[ACTIVITY].isin(list(loops)).to_numpy()
    return log if not folded.any() or folded.all() else log[~folded]


def _loops(s: Scope) -> frozenset[str]:
    """The activities folded into a self-loop on the process map and in the variants."""
    return s.chain.loop_activities if s.chain_log else frozenset()


def _handovers(log: pd.DataFrame) -> pd.DataFrame:
    """Handovers between organisations; none for a log that does not record them."""
    if GROUP not in log.columns or log[GROUP].isna().all():
        return _empty("from_org", "to_org", "handovers", "cases", "median_days", "mean_days",
                      "p90_days", "total_days")  # fmt: skip
    return handovers(log)


def _conformance(
    view: pd.DataFrame, cases: pd.DataFrame, chain: Chain, chain_log: bool
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Conformance of the persons on the most common paths (as the model sees them): every
    distinct path costs an alignment, longer on a model discovered from a log like BPIC 2012
    than on the reference process, so not every distinct path is aligned."""
    if chain_log:
        result: Conformance = conformance_of_cases(
            cases, *reference_net(chain), max_paths=CHAIN_PATHS
        )
        model: dict[str, Any] = {"model": "reference chain process (toolkit/chain/reference.toml)"}
    else:
        discovered = discover_model(view)
        result = conformance_of_cases(
            cases,
            discovered.net,
            discovered.initial_marking,
            discovered.final_marking,
            max_paths=GENERIC_PATHS,
            max_seconds_per_path=GENERIC_SECONDS_PER_PATH,
            max_seconds=GENERIC_ALIGN_SECONDS,
        )
        model = {
            "model": f"discovered (inductive miner, noise threshold {discovered.noise_threshold})",
            "places": discovered.places,
            "transitions": discovered.transitions,
            "visible_transitions": discovered.visible_transitions,
            "log_activities": discovered.log_activities,
            "model_event_share": discovered.event_share,
        }
    summary = {
        **model,
        "cases": len(cases),
        key_of("cases"): key_sum(cases["key"].to_numpy()),
        "cases_checked": len(result.cases),
        **result.keys,
        "sampled": result.sampled,
        "log_fitness": result.log_fitness,
        "mean_case_fitness": result.mean_case_fitness,
        "fitting_share": result.fitting_share,
        "on_track_share": result.on_track_share,
        "unaligned_cases": result.unaligned_cases,
        "unreplayed_cases": result.unreplayed_cases,
    }
    return summary, result.deviations.head(TOP_DEVIATIONS).reset_index(drop=True)


def _empty(*columns: str) -> pd.DataFrame:
    return pd.DataFrame(columns=list(columns))


@dataclass
class Scope:
    """The filtered log and what every section of an analysis needs from it.

    A section (a table, the findings, the summary figures) is computed from a scope once and
    remembered in ``memo``, so sections that share work (conformance and its deviations, the
    norms and their months) share it, and the dashboard can ask for one section at a time.
    """

    view: pd.DataFrame
    chain: Chain
    filter: LogFilter
    moment: pd.Timestamp
    chain_log: bool
    # the events the filter kept; a generic log with life-cycle transitions is analysed as its
    # activity instances (toolkit.mining.lifecycle), fewer rows than its events
    events: int = 0
    memo: dict[str, Any] = field(default_factory=dict)
    # the scope of the unfiltered log at the same end of the data, when this view holds some of
    # its persons with all their events (a filter on persons, or a cohort alone): the view's
    # person-interval table, phase states and COA events are then rows of that one's, and a
    # view that is the whole log (a cohort alone) shares every section that reads only events
    whole: Scope | None = None
    # whether the counts carry the key sums of their persons (toolkit.cellkeys): what workshop
    # mode perturbs them by. Without, the key columns are there but 0 (nothing hashed or
    # summed): for analyst mode, which shows the counts as they are.
    keyed: bool = True
    # the smallest group the findings test or describe (:func:`smallest_group`)
    min_group: int = MIN_GROUP


def make_scope(
    log: pd.DataFrame,
    filter: LogFilter | None = None,
    *,
    chain: Chain | None = None,
    as_of: pd.Timestamp | date | str | None = None,
    whole: Scope | None = None,
    keyed: bool = True,
    min_group: int = MIN_GROUP,
) -> Scope:
    """The scope of ``log`` after ``filter``.

    The end of the data is ``as_of`` (default: the last event), but never after the end of the
    filter's period: without ``as_of`` it is the end of the period. ``whole`` is the scope of
    ``log`` unfiltered (the dashboard's session keeps it): a filter on persons then takes its
    per-person tables as rows of that one's (see :class:`Scope`). ``keyed``: whether the
    counts carry their key sums (workshop mode needs them; see :class:`Scope`); ``min_group``:
    the smallest group the findings test or describe (:func:`smallest_group`).
    """
    chain = chain or load_chain()
    f = filter or LogFilter()
    view = apply_filter(log, f)
    if view.empty:
        raise EventLogError(
            f"the filter {f.to_dict()} keeps no events; widen the period or drop a filter"
        )
    moment = end_of_data(view, as_of)
    if f.period_to is not None:  # the period trims what follows it: the data end with it
        period_end = local_day_end(f.period_to)
        moment = period_end if as_of is None else min(moment, period_end)
    if (not on_persons(f) or whole is None or whole.view is not log or whole.moment != moment
            or whole.keyed != keyed or whole.min_group != min_group):  # fmt: skip
        whole = None
    chain_log, events = is_chain_log(view, chain), len(view)
    if not chain_log and has_lifecycle(view):  # a start and its complete are one instance
        view = activity_instances(view)
    return Scope(
        view, chain, f, moment, chain_log, events, whole=whole, keyed=keyed, min_group=min_group
    )


def on_persons(f: LogFilter) -> bool:
    """Whether ``f`` keeps some persons with all their events (no period, no organisation)."""
    return not f.organisation and f.period_from is None and f.period_to is None


def _cut(s: Scope) -> bool:
    """Whether the scope's per-person tables are rows of the whole log's (see :class:`Scope`)."""
    return s.whole is not None and s.whole is not s


def _among(s: Scope) -> Callable[[pd.Series], np.ndarray]:
    """Which entries of a column of persons are the view's (for the cuts of the whole's; a
    section, so that the view's persons are marked once for all the tables cut).

    The whole log's tables keep its persons as categories of the log's own (a session holds
    the log so): the view's persons are then marked by code once, and each table's rows looked
    up by their codes, without hashing tens of thousands of pseudonyms per table.
    """
    cases = s.view[CASE]
    if not isinstance(cases.dtype, pd.CategoricalDtype):
        persons = cases.unique()
        return lambda column: member_of(column, persons)
    categories = cases.cat.categories
    marks = code_marks(len(categories), cases.cat.codes.to_numpy())

    def among(column: pd.Series) -> np.ndarray:
        if isinstance(column.dtype, pd.CategoricalDtype) and column.cat.categories is categories:
            return marks[column.cat.codes.to_numpy()]
        return member_of(column, categories[marks[:-1]])

    return among


def _coa(s: Scope) -> Coa | None:
    """The view's COA events (:func:`~toolkit.bottlenecks.stays.coa_events`); None for a log
    without organisations and locations."""
    if not {GROUP, RESOURCE} <= set(s.view.columns):
        return None
    if _cut(s):
        whole = section(s.whole, "_coa")
        return whole if s.view is s.whole.view else coa_events_of(whole, section(s, "_among"))
    return coa_events(s.view, s.moment)


def _table(s: Scope) -> pd.DataFrame:
    """The person-interval table of the scope. For a filter on persons (a view with all the
    events of some persons) it is the whole log's table cut to the view's persons: each
    person's rows depend on that person's events alone, given the same end of the data."""
    if not _cut(s):
        return person_table(s.view, chain=s.chain, as_of=s.moment, coa=section(s, "_coa"))
    table = section(s.whole, "_table")
    if s.view is s.whole.view:
        return table
    return table[section(s, "_among")(table["case"])].reset_index(drop=True)


def _cohort_table(s: Scope) -> pd.DataFrame:
    """The rows of the filter's cohort (all, without one), with the columns of
    :func:`~toolkit.bottlenecks.intervals.person_intervals`: what the interval figures read."""
    table = section(s, "_table")
    if s.filter.cohort is not None:
        table = table[in_window(table["start"], s.filter.cohort).to_numpy()]
    return as_intervals(table)


def _states(s: Scope) -> pd.DataFrame:
    """The phase states behind the work in progress; a filter on persons' are rows of the
    whole log's."""
    if not _cut(s):
        return phase_states(s.view, s.chain, s.moment)
    states = section(s.whole, "_states")
    if s.view is s.whole.view:
        return states
    return states[section(s, "_among")(states["case"])].reset_index(drop=True)


def _findings(s: Scope) -> list[Finding]:
    table = section(s, "_table") if s.chain_log else None
    rates = section(s, "_rates") if s.chain_log and section(s, "_coa") is not None else None
    return findings_in(s.view, s.filter, chain=s.chain, as_of=s.moment, min_group=s.min_group,
                       table=table, rates=rates)  # fmt: skip


def _intervals(s: Scope) -> pd.DataFrame:
    if not s.chain_log:
        return _empty("interval", "label_nl", "label_en", "persons", "median_days")
    return _labelled_intervals(summaries(section(s, "_cohort_table"), s.chain.norms), s.chain)


def _cohort_curves(s: Scope) -> pd.DataFrame:
    if not s.chain_log:
        return _empty("interval", "cohort", "days", "survival", "at_risk", "persons")
    table = section(s, "_table")
    if s.filter.cohort is not None:  # per interval, the persons whose interval starts in it
        table = table[in_window(table["start"], s.filter.cohort).to_numpy()]
    return cohort_curves(table)


def _breaches(s: Scope, by: tuple[str, ...]) -> pd.DataFrame:
    return breaches(section(s, "_cohort_table"), s.chain.norms, by)


def _norms(s: Scope) -> pd.DataFrame:
    if not s.chain_log:
        return _empty("interval", "label_nl", "label_en", "persons", "breaches")
    return _labelled_norms(overall_breaches(section(s, "_monthly")), s.chain)


def _norms_by_month(s: Scope) -> pd.DataFrame:
    if not s.chain_log:
        return _empty("interval", "month", "persons", "breaches")
    return _labelled_norms(complete_months(section(s, "_monthly"), s.moment), s.chain)


def _wip(s: Scope) -> pd.DataFrame:
    if not s.chain_log:
        return _empty("date", "total")
    return wip_per_day(s.view, chain=s.chain, as_of=s.moment, states=section(s, "_states"))


def _flow(s: Scope) -> pd.DataFrame:
    if not s.chain_log:
        return _empty("week", "inflow", "outflow", "outflow_housing", "wip_end")
    return flow_per_week(s.view, chain=s.chain, as_of=s.moment, states=section(s, "_states"))


def _rework(s: Scope) -> pd.DataFrame:
    return rework_summary(s.view) if s.chain_log else repeated_activities(s.view)


def _cases(s: Scope) -> pd.DataFrame:
    return case_variants(s.view)


def _paths(s: Scope) -> pd.DataFrame:
    """The persons' paths the variants count: in a chain log without the relocations."""
    loops = _loops(s)
    return case_variants(s.view, without=loops) if loops else section(s, "_cases")


def _checked(s: Scope) -> tuple[dict[str, Any], pd.DataFrame]:
    return _conformance(s.view, section(s, "_cases"), s.chain, s.chain_log)


def _kpis(s: Scope) -> dict[str, Any]:
    """The overview's tiles: persons in the chain now, waiting for a decision or a home, and the
    share over the chain norm (Kaplan-Meier), from the work in progress and the intervals."""
    return chain_kpis(keyed_section(s, "wip"), keyed_section(s, "intervals"), s.chain)


def _summary(s: Scope) -> dict[str, Any]:
    view, cases = s.view, section(s, "_cases")
    return {
        "log_kind": CHAIN if s.chain_log else GENERIC,
        "events": s.events or len(view),
        **({"activity_instances": len(view)} if START in view.columns else {}),
        "persons": int(view[CASE].nunique()),
        key_of("persons"): key_sum(record_keys(pd.Series(view[CASE].unique()))),
        "activities": int(view[ACTIVITY].nunique()),
        "first_event": view[START if START in view.columns else TIMESTAMP].min().isoformat(),
        "last_event": view[TIMESTAMP].max().isoformat(),
        "as_of": s.moment.isoformat(),
        "filter": s.filter.to_dict(),
        "variants": int(cases["variant"].nunique()),
        "wip_warm_up_until": keyed_section(s, "warm_up"),
        **keyed_section(s, "kpis"),
    }


def _warm_up(s: Scope) -> str | None:
    """The last day of the work in progress's warm-up (ISO date), or None without one.

    The log starts empty: persons who entered the chain before its first day are missing, so
    the work in progress ramps up from zero however full the chain was. It is complete once
    nearly everyone present could have entered within the log: from the first day for the
    90th percentile of a person's time in the log (first to last event, ``throughput``).
    """
    wip = keyed_section(s, "wip")
    p90 = keyed_section(s, "throughput")["p90_days"].iloc[0]
    if not len(wip) or p90 is None or pd.isna(p90):
        return None
    first, last = pd.Timestamp(wip["date"].iloc[0]), pd.Timestamp(wip["date"].iloc[-1])
    return min(first + pd.Timedelta(days=int(np.ceil(p90))), last).date().isoformat()


def _norm_rows(s: Scope, norm: str) -> pd.DataFrame:
    """One interval's rows of the cohort's person-interval table, with the segments' cohort."""
    rows = section(s, "_cohort_table")
    return segment_rows(rows[rows["interval"].to_numpy() == norm])


# Every section by name: the Analysis fields and the building blocks they share ("_" first).
SECTIONS: dict[str, Any] = {
    "summary": _summary,
    "kpis": _kpis,
    "findings": _findings,
    "intervals": _intervals,
    "cohort_curves": _cohort_curves,
    "norms": _norms,
    "norms_by_month": _norms_by_month,
    "throughput": lambda s: _throughput(section(s, "_cases")),
    "wip": _wip,
    "warm_up": _warm_up,
    "flow": _flow,
    "transitions": lambda s: _transitions(s.view, section(s, "_waits")),
    "service_times": lambda s: service_times(s.view),
    "handovers": lambda s: _handovers(s.view),
    "variants": lambda s: variant_table(_paths(s), top_k=TOP_VARIANTS).drop(columns="activities"),
    "conformance": lambda s: section(s, "_checked")[0],
    "deviations": lambda s: section(s, "_checked")[1],
    "rework": _rework,
    "dfg": lambda s: _dfg(s.view, _loops(s), section(s, "_waits")),
    "curves": lambda s, norm, by=None: survival_curves(
        s.view, norm, by=by, chain=s.chain, people=section(s, "_norm_rows", norm)
    ),
    "histogram": lambda s, norm: duration_histogram(
        s.view, norm, chain=s.chain, people=section(s, "_norm_rows", norm)
    ),
    "wait_histogram": lambda s, source, target: wait_histogram(
        s.view, source, target, waits=section(s, "_waits")
    ),
    "norms_by_segment": lambda s, by: _labelled_norms(_breaches(s, (by,)), s.chain),
    "_monthly": lambda s: _breaches(s, ("month",)),
    "_table": _table,
    "_cohort_table": _cohort_table,
    "_norm_rows": _norm_rows,
    "_states": _states,
    "_coa": _coa,
    "_among": _among,
    "_rates": lambda s: relocation_rates(
        s.view, as_of=s.moment, min_group=s.min_group, coa=section(s, "_coa")
    ),
    "_waits": lambda s: person_waits(s.view),
    "_cases": _cases,
    "_checked": _checked,
}
# Sections that read the view's events and nothing of the filter: a view that is the whole log
# (a cohort alone) takes them from the whole log's scope.
EVENTS_ONLY = frozenset({
    "throughput", "wip", "flow", "transitions", "handovers", "variants", "conformance",
    "deviations", "rework", "dfg", "wait_histogram", "service_times", "warm_up", "_table",
    "_states", "_coa", "_rates",
    "_waits", "_cases", "_checked",
})  # fmt: skip


def section(scope: Scope, name: str, *args: Any) -> Any:
    """One section of the analysis of ``scope`` (unsuppressed), computed once per scope.

    ``args`` are the section's own parameters (a norm and a dimension for ``curves``). The
    figures as analyst mode shows them: without the key sums beside the counts
    (:func:`keyed_section` has them; a building block, ``_`` first, is the same in both).

    Example::

        >>> section(make_scope(log, LogFilter(track=["4"])), "intervals")  # doctest: +SKIP
        >>> section(scope, "curves", "N13", "municipality")  # doctest: +SKIP
    """
    if name.startswith("_"):
        return keyed_section(scope, name, *args)
    key = (name, *args) if args else name
    if key not in scope.memo:
        scope.memo.setdefault(key, shown_section(keyed_section(scope, name, *args)))
    return scope.memo[key]


def keyed_section(scope: Scope, name: str, *args: Any) -> Any:
    """One section of the analysis of ``scope`` with, beside each count of persons, the sum of
    their record keys (:mod:`toolkit.cellkeys`): what workshop mode perturbs the counts by.
    Remembered under ``("keyed", name, *args)``; a building block under its own name, as in
    :func:`section`."""
    own = name.startswith("_")
    key = ((name, *args) if args else name) if own else ("keyed", name, *args)
    if key not in scope.memo:
        try:
            compute = SECTIONS[name]
        except KeyError:
            raise KeyError(f"unknown section {name!r}; known: {', '.join(SECTIONS)}") from None
        whole = scope.whole
        if name in EVENTS_ONLY and _cut(scope) and whole is not None and whole.view is scope.view:
            value = keyed_section(whole, name, *args)
        else:
            with keyless(not scope.keyed):
                value = compute(scope, *args)
        # computed twice at once (an export beside the screen), the first answer stays
        scope.memo.setdefault(key, value)
    return scope.memo[key]


def chain_kpis(wip: pd.DataFrame, intervals: pd.DataFrame, chain: Chain) -> dict[str, Any]:
    """The overview's tiles (see ``toolkit/chain/overview.toml``): counts of persons on the last
    day of the work in progress, and the Kaplan-Meier share over the chain norm.

    Example::

        >>> chain_kpis(wip_per_day(log), interval_summary(log), load_chain())  # doctest: +SKIP
        {'in_chain_now': 5120, 'waiting_for_decision': 2210, ...}
    """
    overview = chain.overview
    last = wip.iloc[-1] if len(wip) else None

    def count(columns: tuple[str, ...] | list[str]) -> int | None:
        if last is None:
            return None
        return int(sum(int(last[c]) for c in columns if c in wip.columns))

    row = intervals[intervals["interval"] == overview.chain_norm] if len(intervals) else intervals
    share = row["share_over_norm"].iloc[0] if len(row) else None
    figures = {
        "in_chain_now": count(["total"]),
        "waiting_for_decision": count(overview.decision_phases),
        "waiting_for_home": count(overview.housing_phases),
        "chain_norm": overview.chain_norm,
        "chain_norm_persons": int(row["persons"].iloc[0]) if len(row) else None,
        "share_over_norm": None if share is None or pd.isna(share) else float(share),
        "journey_total_days": journey_total(intervals, chain),
    }
    if key_of("total") in wip.columns:  # the phases' persons are disjoint: their keys add up
        figures |= {
            key_of("in_chain_now"): count([key_of("total")]),
            key_of("waiting_for_decision"): count([key_of(p) for p in overview.decision_phases]),
            key_of("waiting_for_home"): count([key_of(p) for p in overview.housing_phases]),
        }
    if key_of("persons") in row.columns and len(row):
        figures[key_of("chain_norm_persons")] = int(row[key_of("persons")].iloc[0])
    return figures


def journey(intervals: pd.DataFrame, chain: Chain, language: str = "nl") -> pd.DataFrame:
    """The journey's legs (``overview.toml``) in order, each with its interval's figures, the
    organisation and phase of the milestone that ends it, its norm's ``direction`` and
    ``start_days``: where it starts when the legs before it are laid end to end at their
    medians. Legs nobody started are left out.

    Example::

        >>> journey(analysis.intervals, load_chain())[["step", "start_days", "median_days"]]  # doctest: +SKIP
    """
    columns = ["interval", "step", "organisation", "phase", "direction", "start_days", "persons",
               "still_open", "median_days", "p90_days", "norm_days", "share_over_norm"]  # fmt: skip
    rows = []
    by_id = intervals.set_index("interval") if len(intervals) else None
    start = 0.0
    for norm_id in chain.overview.journey:
        if by_id is None or norm_id not in by_id.index:
            continue
        norm = chain.norm(norm_id)
        ends = chain.activity(norm.to_activities[0])
        figures = by_id.loc[norm_id]
        rows.append(
            {
                "interval": norm_id,
                "step": norm.label(language),
                "organisation": ends.organisation,
                "phase": chain.phase(ends.phase).label_nl
                if language == "nl"
                else chain.phase(ends.phase).label_en,
                "direction": norm.direction,
                "start_days": start,
                **{c: figures.get(c) for c in columns[6:]},
            }
        )
        median = figures.get("median_days")
        start += 0.0 if median is None or pd.isna(median) else float(median)
    return pd.DataFrame(rows, columns=columns)


def journey_total(intervals: pd.DataFrame, chain: Chain) -> float | None:
    """The whole journey in days: the sum of the medians of ``overview.total`` (intervals that
    follow each other, application to decision and permit to home), or None when one of them
    has no median (fewer than half reached its end).

    Example::

        >>> journey_total(analysis.intervals, load_chain())  # doctest: +SKIP
        301.0
    """
    if not chain.overview.total or intervals.empty:
        return None
    medians = intervals.set_index("interval")["median_days"]
    parts = [medians.get(norm_id) for norm_id in chain.overview.total]
    if any(part is None or pd.isna(part) for part in parts):
        return None
    return float(sum(parts))


TABLES = ("intervals", "cohort_curves", "norms", "norms_by_month", "throughput", "wip", "flow",
          "transitions", "service_times", "handovers", "variants", "deviations",
          "rework")  # fmt: skip


def analyze(
    log: pd.DataFrame,
    *,
    filter: LogFilter | None = None,
    chain: Chain | None = None,
    as_of: pd.Timestamp | date | str | None = None,
    workshop: bool = False,
    k: int = DEFAULT_K,
) -> Analysis:
    """Findings and every table behind them for ``log`` after ``filter``.

    ``as_of`` is the end of the data (default: the end of the filter's period, else the last
    event); persons still waiting then are right-censored. The filter's cohort restricts every
    milestone interval to the persons whose interval starts in the cohort window. With
    ``workshop`` every figure about fewer than ``k`` persons is suppressed. Example::

        >>> a = analyze(log, filter=LogFilter(municipality=["GM0363"]))  # doctest: +SKIP
        >>> a.intervals[["interval", "median_days", "still_open"]]  # doctest: +SKIP
    """
    scope = make_scope(
        log, filter, chain=chain, as_of=as_of, keyed=workshop,
        min_group=smallest_group(workshop, k),
    )  # fmt: skip
    if not workshop:
        return analysis_of(scope, release=True)
    with disclosure_key(log):  # counts perturbed under the whole log's secret
        return analysis_of(scope, workshop=True, k=k, release=True)


# The building blocks read by the sections of persons and intervals (findings, intervals, norms,
# work in progress), and by the transitions: nothing computed after those reads them again.
PERSON_BLOCKS = ("_table", "_cohort_table", "_monthly", "_states", "_coa", "_rates", "_among")
WAIT_BLOCKS = ("_waits",)


def analysis_of(
    scope: Scope, *, workshop: bool = False, k: int = DEFAULT_K, release: bool = False
) -> Analysis:
    """The whole :class:`Analysis` of a scope, from the sections already computed and the rest.

    In workshop mode the sections with their key sums (:func:`keyed_section`), suppressed and
    perturbed; in analyst mode as they are (:func:`section`). With ``release`` the scope is the
    caller's alone (``analyze``): each building block leaves the memo once the sections that
    read it are done, so the person-interval table and the waits are not held while the
    variants and conformance are computed beside the events.
    """
    if workshop and not scope.keyed:
        raise ValueError("a workshop analysis perturbs by key sums: make the scope keyed")
    if workshop and scope.min_group < k:
        raise ValueError("a workshop's findings describe groups of k or more: see smallest_group")
    compute = keyed_section if workshop else section

    def get(scope: Scope, name: str) -> Any:
        value = compute(scope, name)
        if release:  # what the section freed does not stay resident under the next one's peak
            give_back()
        return value

    findings = get(scope, "findings")
    for name in ("intervals", "cohort_curves", "norms", "norms_by_month", "wip", "flow", "kpis"):
        get(scope, name)
    if release:
        _release(scope, PERSON_BLOCKS)
        get(scope, "transitions")
        _release(scope, WAIT_BLOCKS)
    summary = {
        **get(scope, "summary"),
        "findings": len(findings),
        "workshop": workshop,
        "k": k,
        "computed_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    result = Analysis(
        summary=summary,
        findings=findings,
        conformance=get(scope, "conformance"),
        method=method_notes(scope.chain_log, scope.moment, scope.filter),
        **{name: get(scope, name) for name in TABLES},
    )
    return suppress_analysis(result, k) if workshop else result


def shown_section(value: Any) -> Any:
    """A section as analyst mode shows it: without the key sums beside its counts."""
    if isinstance(value, Dfg):
        return replace(value, edges=without_keys(value.edges),
                       activities=without_keys(value.activities), keys={})  # fmt: skip
    if isinstance(value, list) and value and isinstance(value[0], Finding):
        return [replace(f, keys=()) for f in value]
    return without_keys(value)


def _release(scope: Scope, names: tuple[str, ...]) -> None:
    for name in names:
        scope.memo.pop(name, None)
    give_back()


def suppress_section(
    name: str, value: Any, k: int = DEFAULT_K, *, norms: pd.DataFrame | None = None
) -> Any:
    """One section as a workshop may see it: no figure about fewer than ``k`` persons, each
    count perturbed by its cell key (:mod:`toolkit.suppression`); see :func:`_suppressed`."""
    return without_keys(_suppressed(name, value, k, norms=norms))


def _suppressed(
    name: str, value: Any, k: int = DEFAULT_K, *, norms: pd.DataFrame | None = None
) -> Any:
    """One section as a workshop may see it: no figure about fewer than ``k`` persons.

    Findings about fewer than k persons are dropped (a finding names its segment, so an emptied
    finding would still point at a small group). A norm-breach finding whose explanation counts
    fewer than k persons finished over or still waiting keeps its title but loses that text
    (``norms`` is the unsuppressed norms table it is checked against). Variants followed by
    fewer than k persons are dropped: a rare path is one person's history.
    """
    if name == "findings":
        kept = [_shown_finding(f, k) for f in value if f.persons >= k]
        norms = norms if norms is not None else pd.DataFrame()
        shown = _suppressed("norms", norms, k) if not norms.empty else norms
        return [_safe_explanation(f, norms, shown, k) for f in kept]
    if name == "variants":
        return drop_small(value, "cases", k)[0]
    if name == "wip":  # the phases add up to the total: one hidden phase is not left derivable
        phases = [c for c in value.columns if c not in ("date", "total") and not is_key(c)]
        return protect_parts(suppress_small(value, [*phases, "total"], k), phases)
    if name == "conformance":
        return {**value, **{key: suppress_value(value.get(key), k, key, key=value.get(key_of(key)))
                            for key in ("cases", "cases_checked", "unaligned_cases",
                                        "unreplayed_cases")}}  # fmt: skip
    if name in ("summary", "kpis"):
        return _suppress_figures(value, k)
    if name in ("curves", "cohort_curves"):
        # a curve of fewer than k persons shows their durations one by one, and so does the
        # tail of any curve once fewer than k are left waiting: both are cut off
        kept = value[(value["persons"] >= k) & (value["at_risk"] >= k)].reset_index(drop=True)
        counts = [c for c in ("persons", "at_risk", "completed") if c in kept.columns]
        shown = suppress_small(kept, counts, k).drop(columns=SUPPRESSED)
        # persons and at risk are at least k on every row kept: never hidden, whole numbers
        return shown.astype({c: kept[c].dtype for c in ("persons", "at_risk")})
    if name in ("histogram", "wait_histogram"):
        return _suppress_histogram(value, k)
    if name == "dfg":
        return _suppress_dfg(value, k)
    if name == "norms_by_segment":
        return _suppressed("norms", value, k)
    if name == "intervals":  # a share of a small remainder is a count of it
        value = _suppress_interval_shares(value, k)
    if name in PERSON_COUNTS:
        table = suppress_small(value, PERSON_COUNTS[name], k, group=GROUP_COLUMN.get(name),
                               keep=LABEL_COLUMNS)  # fmt: skip
        for group in PARTS.get(name, ()):
            table = protect_parts(table, group)
        return suppress_derived(table, DERIVED[name]) if name in DERIVED else table
    return value


def _suppress_interval_shares(table: pd.DataFrame, k: int) -> pd.DataFrame:
    """The intervals' share over the norm emptied where it gives away fewer than k persons: of
    all persons, or for a norm on an optional step of the persons who took it (its share is of
    them, :func:`toolkit.bottlenecks.intervals.summarise`); also where they are under k."""
    if table.empty or "interval" not in table.columns:
        return table
    chain = load_chain()
    optional = {n.id for n in chain.norms if n.optional}
    took = table["interval"].isin(optional).to_numpy()
    completed = table["completed"] if "completed" in table.columns else table["persons"]
    base = table["persons"].where(~took, completed)
    shown = suppress_shares(table.assign(_base=base), "share_over_norm", "_base", k)
    few = took & pd.to_numeric(completed, errors="coerce").between(1, k - 1).to_numpy()
    shown["share_over_norm"] = shown["share_over_norm"].astype(object).where(~few, None)
    return shown.drop(columns="_base")


def _shown_finding(finding: Finding, k: int) -> Finding:
    """A finding with its persons, and the counts in its explanation, as a workshop sees them;
    what is made from its persons made from the shown count (:func:`with_persons`)."""
    place = ("finding", finding.kind, finding.place, finding.segment)
    key, *keys = finding.keys or (None,)
    shown = with_persons(finding, perturb(finding.persons, k, *place, key=key))
    relocations = relocations_of(shown)
    if relocations is not None:  # the first count of its text: as the text will show it
        shown = with_relocations(
            shown, perturb(relocations, k, *place, key=keys[0] if keys else None)
        )
    return replace(
        shown,
        explanation_nl=perturb_text(shown.explanation_nl, k, *place, keys=keys),
        explanation_en=perturb_text(shown.explanation_en, k, *place, keys=keys),
        keys=(),
    )


def _suppress_histogram(histogram: pd.DataFrame, k: int) -> pd.DataFrame:
    """No histogram of fewer than k persons; bins under k hidden, and empty or hidden bins at
    either end dropped, so that the range does not point at the shortest or longest wait."""
    if histogram.empty or pd.to_numeric(histogram["persons"]).sum() < k:
        return histogram.iloc[0:0]
    shown = suppress_small(histogram, ("persons",), k)
    counts = pd.to_numeric(shown["persons"], errors="coerce").fillna(0).to_numpy()
    inside = np.flatnonzero(counts >= k)
    if not inside.size:
        return histogram.iloc[0:0]
    return shown.iloc[inside[0] : inside[-1] + 1].reset_index(drop=True)


def _suppress_dfg(graph: Dfg, k: int) -> Dfg:
    """Edges and activities of fewer than k persons are left out of the process map."""
    persons = "cases" if "cases" in graph.edges.columns else "frequency"
    edges = _perturbed_counts(graph.edges[graph.edges[persons] >= k], (persons, "frequency"), k)
    activities = _perturbed_counts(
        graph.activities[graph.activities["cases"] >= k], ("cases", "frequency"), k
    )
    keep = set(activities["activity"])
    edges = edges[edges["source"].isin(keep) & edges["target"].isin(keep)].reset_index(drop=True)
    # the fastest and the slowest wait on a path are each one person's
    edges = edges.drop(columns=[c for c in ("min_days", "max_days") if c in edges.columns])
    counts = {
        side: {
            a: perturb(n, k, side, a, key=graph.keys.get(side, {}).get(a))
            for a, n in getattr(graph, side).items()
            if a in keep and n >= k
        }
        for side in ("start_activities", "end_activities")
    }
    return replace(graph, edges=edges, activities=activities, keys={}, **counts)


def _perturbed_counts(table: pd.DataFrame, counts: tuple[str, ...], k: int) -> pd.DataFrame:
    """The counts of a table whose rows are all about at least k persons, as shown."""
    present = list(dict.fromkeys(c for c in counts if c in table.columns))
    shown = suppress_small(table, present, k).drop(columns="suppressed")
    return shown.astype({c: table[c].dtype for c in present}).reset_index(drop=True)


def _suppress_figures(figures: dict[str, Any], k: int) -> dict[str, Any]:
    """Counts of persons under k hidden; the chain-norm share goes with its group's size."""
    out = dict(figures)
    for key in ("persons", "in_chain_now", "waiting_for_decision", "waiting_for_home",
                "chain_norm_persons"):  # fmt: skip
        if key in out:
            out[key] = suppress_value(out[key], k, key, key=out.get(key_of(key)))
    base = out.get("chain_norm_persons")
    if "share_over_norm" in out and (
        base is None or share_gives_away(out["share_over_norm"], base, k)
    ):
        out["share_over_norm"] = None
    return without_keys(out)


def suppress_analysis(result: Analysis, k: int = DEFAULT_K) -> Analysis:
    """The analysis as a workshop may see it: every section through :func:`suppress_section`.

    The findings must have been computed for that k (:func:`smallest_group`): suppression drops
    a finding about fewer than k persons, but cannot take a smaller group out of its text.
    """
    findings = suppress_section("findings", result.findings, k, norms=result.norms)
    variants_kept, variants_dropped = drop_small(result.variants, "cases", k)
    summary = {
        **suppress_section("summary", result.summary, k),
        "findings": len(findings),
        "findings_suppressed": len(result.findings) - len(findings),
        "variants_suppressed": variants_dropped,
        "workshop": True,
        "k": k,
    }
    tables = {name: suppress_section(name, getattr(result, name), k) for name in TABLES}
    return replace(
        result,
        summary=summary,
        findings=findings,
        conformance=suppress_section("conformance", result.conformance, k),
        **{**tables, "variants": variants_kept},
    )


def _safe_explanation(
    finding: Finding, norms: pd.DataFrame, shown: pd.DataFrame, k: int
) -> Finding:
    """Blank the explanation of a norm-breach finding that counts fewer than k persons, or a
    count its norm's row hides (``shown``: the norms as a workshop sees them): hidden there
    because the others of the row would give a small one away, it would do so here too."""
    if finding.kind != "norm_breach" or norms.empty:
        return finding
    counted = ["closed_over", "overdue_now", "persons"]
    row = norms.loc[norms["interval"] == finding.interval, counted].to_numpy().ravel()
    hidden = shown.loc[shown["interval"] == finding.interval, counted].isna().to_numpy().ravel()
    if any(0 < int(c) < k for c in row) or hidden.any():
        return replace(
            finding,
            explanation_nl=f"(verborgen: de toelichting telt een deel van minder dan {k} personen, "
            "of een aantal waaruit dat af te leiden is)",
            explanation_en=f"(hidden: the explanation counts a part of fewer than {k} persons, "
            "or a count it could be worked out from)",
        )
    return finding


def method_notes(chain_log: bool, moment: pd.Timestamp, f: LogFilter) -> list[dict[str, str]]:
    """One note per table on how it is computed; docs/method.md explains each at length."""
    notes = [
        ("end of the data", f"Everything is measured up to {moment.isoformat()}; persons still "
         "waiting then are right-censored (counted as 'waited at least this long')."),
        ("filter", f"Filter applied: {f.to_dict() or 'none'}. Person filters keep whole "
         "journeys; the period trims events; the cohort keeps, per interval, the persons whose "
         "interval starts in the window."),
        ("findings", "Four kinds: where (legs of the journey that do not overlap, against "
         "their norm), who (municipalities, COA locations, IND offices against comparable "
         "persons elsewhere), trend (per-cohort medians) and rework (relocations per "
         "resident-year). Each kind ranked by its own impact (excess person-days; rework: "
         "extra events), the overall rank interleaves them."),
        ("transitions", "Time between consecutive events of a person, per pair of activities: "
         "median, p90 (linear interpolation), mean and total person-days. In a log with "
         "life-cycle transitions, between activity instances: from one's complete to the next "
         "start."),
        ("service_times", "A log with life-cycle transitions: each start joined with its "
         "complete (per person and activity, first in first out, as pm4py's interval log) is "
         "one activity instance; per activity the time from start to complete."),
        ("handovers", "Consecutive events of a person recorded by different organisations "
         "(org:group): count, persons and delay."),
        ("variants", f"The {TOP_VARIANTS} most frequent paths (sequence of activities per "
         "person) with their share and case duration. In a chain log the relocations are left "
         "out of the sequence (they fall between any two steps; rework counts them)."),
        ("throughput", "Case duration from a person's first to last event in the (filtered) "
         "log; not censoring-aware, see the intervals for that."),
    ]  # fmt: skip
    if chain_log:
        notes += [
            ("intervals", "Milestone intervals per person (first 'from' event to the next 'to' "
             "event); median and p90 from the Kaplan-Meier estimate over the persons who can "
             "reach the end (who left the chain is counted beside it), those still waiting "
             "censored, all cohorts pooled; the median of finished cases only is shown beside "
             "it."),
            ("cohort_curves", "Per interval the Kaplan-Meier curve of all cohorts pooled "
             "(cohort 'all') and of each half-year cohort of the start, read at the end of every "
             "week: the share still waiting and the persons still at risk; the same population "
             "as the intervals (who left the chain is not waiting)."),
            ("norms", "Per norm: finished over the norm, and still waiting but already past it "
             "(overdue now); excess days summed over both. A norm on a step a person may skip "
             "(an appeal, a family-reunification application) counts only who took it."),
            ("who is behind", "Municipalities, COA locations and IND offices compared with "
             "comparable persons elsewhere by a stratified log-rank test (strata: cohort x "
             "track; one person per household, chosen by content), Benjamini-Hochberg "
             "corrected; a finding only when significant and at least a fifth and a week per "
             "person longer than the matched expectation."),
            ("work in progress", "Persons per phase at the end of each Amsterdam calendar day; "
             "inflow and outflow per week. The log starts empty, so the work in progress ramps "
             "up from zero: its warm-up runs from the first day for the 90th percentile of a "
             "person's time in the log (wip_warm_up_until in the summary)."),
            ("conformance", "Each person's path aligned with the reference "
             "chain process; persons still under way are on track if they follow it so far. "
             f"Above {CHAIN_PATHS} distinct paths (as the reference sees them) the persons on "
             "the most common ones are aligned (cases_checked)."),
        ]  # fmt: skip
    else:
        notes += [
            ("norms", "Not applicable: this log has no chain activities, so no norms."),
            ("rework", "Activities repeated within a case, with the share of cases that "
             "repeat them."),
            ("conformance", "Each case aligned with a model discovered from this same log by "
             f"the inductive miner (noise threshold 0.2), on its {MAX_ACTIVITIES} activities "
             "found in the most cases when it has more (visible_transitions of log_activities; "
             "model_event_share: the share of events they cover); the persons on the "
             f"{GENERIC_PATHS} most common paths are aligned (cases_checked), most common "
             f"first, within {GENERIC_ALIGN_SECONDS:.0f} s for all paths together "
             "(unaligned_cases: paths past a second each or past that budget)."),
        ]  # fmt: skip
    return [{"topic": topic, "note": note} for topic, note in notes]


def log_as_of(log_dir: Path) -> str | None:
    """The end of the data of an ingested log: the export cut-off its ingest report records
    (a day: the data runs to the end of that day in Amsterdam).

    A generated set's ingest takes the day after its cut-off as the export day (a date after
    that is in the future); its data ends with the cut-off day itself. Without a report, or for
    a generic log (XES, CSV of another process) ingested without a cut-off, the last event is the
    end of the data: a historic log did not go on until today.
    """
    report = log_file(log_dir, REPORT_FILE)
    if not report.is_file():
        return None
    data = json.loads(report.read_text("utf-8"))
    as_of = data.get("as_of")
    if as_of and data.get("as_of_source") == GENERATED_CUTOFF:
        return (date.fromisoformat(as_of) - timedelta(days=1)).isoformat()
    files = data.get("files") or []
    if (
        data.get("as_of_source") == TODAY
        and files
        and all(f.get("profile") == GENERIC_PROFILE for f in files)
    ):
        return None  # a historic log of another process ends with its last event, not today
    return as_of


def load_and_analyze(log_dir: Path, **kwargs: Any) -> Analysis:
    """Read ``log_dir/events.parquet`` and :func:`analyze` it (keyword arguments as there).

    ``as_of`` defaults to the ingest's cut-off (:func:`log_as_of`), as in the dashboard.
    """
    files = current_files(log_dir)  # events and report of one version
    path = files / EVENTS_FILE
    if not path.exists():
        raise EventLogError(
            f"{Path(log_dir) / EVENTS_FILE}: no event log here; run `ketenlens ingest DIR "
            f"--out {log_dir}` first"
        )
    if kwargs.get("as_of") is None:
        kwargs["as_of"] = log_as_of(files)
    return analyze(read_events(path, ANALYSIS_COLUMNS, as_categories=True), **kwargs)
