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

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.bottlenecks import (
    Finding,
    analysis_cache,
    find_bottlenecks,
    flow_per_week,
    interval_summary,
    norm_breaches,
    person_waits,
    repeated_activities,
    rework_summary,
    transition_waits,
    wip_per_day,
)
from toolkit.bottlenecks.common import end_of_data
from toolkit.chain import Chain, load_chain
from toolkit.errors import EventLogError
from toolkit.eventlog import ACTIVITY, CASE, GROUP, TIMESTAMP, read_events
from toolkit.filters import LogFilter, apply_filter, local_day_end
from toolkit.mining import (
    case_variants,
    conformance_to_reference,
    discover_model,
    handovers,
    variants,
)
from toolkit.mining.conformance import Conformance, conformance_to_model
from toolkit.suppression import (
    DEFAULT_K,
    drop_small,
    protect_parts,
    suppress_derived,
    suppress_small,
    suppress_value,
)

CHAIN = "chain"
GENERIC = "generic"
TOP_VARIANTS = 20
TOP_DEVIATIONS = 20
P90 = 0.9
EVENTS_FILE = "events.parquet"
# Conformance aligns the persons on the most common paths, at most this many distinct paths
# (see conformance_sample); on a discovered model a path may take up to a second.
CHAIN_PATHS = 100
GENERIC_PATHS = 100
GENERIC_SECONDS_PER_PATH = 1.0
# Groups smaller than this are not tested for significance (the bottlenecks' default).
MIN_GROUP = 30

# Per table: the columns that count persons (each value under k is suppressed), the column with
# the size of the group a row is about (the whole row goes empty under k) and the row's labels.
# Tables whose counts are of events (transitions, handovers) are checked by their persons column.
PERSON_COUNTS: dict[str, tuple[str, ...]] = {
    "findings": ("persons",),
    "intervals": ("persons", "completed", "still_open", "left_chain"),
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
    "norms": {"share_closed_over": ("closed", "closed_over")},
    "norms_by_month": {"share_closed_over": ("closed", "closed_over")},
    "deviations": {"share": ("cases",)},
    "rework": {"share_repeated": ("cases", "cases_repeated")},
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
    norms: pd.DataFrame
    norms_by_month: pd.DataFrame
    throughput: pd.DataFrame
    wip: pd.DataFrame
    flow: pd.DataFrame
    transitions: pd.DataFrame
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
            "norms": self.norms,
            "norms_by_month": self.norms_by_month,
            "throughput": self.throughput,
            "wip": self.wip,
            "flow": self.flow,
            "transitions": self.transitions,
            "handovers": self.handovers,
            "variants": self.variants,
            "deviations": self.deviations,
            "rework": self.rework,
        }


def findings_table(findings: list[Finding]) -> pd.DataFrame:
    """Ranked findings as rows: ``rank`` first, ``segment`` as ``dimension=value``."""
    rows = []
    for rank, finding in enumerate(findings, start=1):
        record = finding.to_dict()
        dimension, value = record["segment_dimension"], record["segment_value"]
        record["segment"] = f"{dimension}={value}" if dimension else None
        rows.append({"rank": rank, **record})
    columns = [
        "rank", "kind", "title_nl", "title_en", "place", "segment", "segment_dimension",
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
    out = monthly.groupby(keys, sort=False, dropna=False)[sums].sum().reset_index()
    out["share_closed_over"] = out["closed_over"] / out["closed"].where(out["closed"] > 0)
    order = ["persons", "closed", "closed_over", "still_open", "overdue_now", "breaches",
             "share_closed_over", "excess_days"]  # fmt: skip
    return out[[*keys, *order]]


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
            }
        ]
    )


def _transitions(log: pd.DataFrame) -> pd.DataFrame:
    """Transition waits with the number of distinct persons per pair (for suppression)."""
    table = transition_waits(log)
    if table.empty:
        return table.assign(persons=pd.Series(dtype="int64"))
    waits = person_waits(log)
    persons = waits.groupby(["from_activity", "to_activity"])["case"].nunique().rename("persons")
    out = table.join(persons, on=["from_activity", "to_activity"])
    columns = ["from_activity", "to_activity", "n", "persons"]
    return out[columns + [c for c in out.columns if c not in columns]]


def _handovers(log: pd.DataFrame) -> pd.DataFrame:
    """Handovers between organisations; none for a log that does not record them."""
    if GROUP not in log.columns or log[GROUP].isna().all():
        return _empty("from_org", "to_org", "handovers", "cases", "median_days", "mean_days",
                      "p90_days", "total_days")  # fmt: skip
    return handovers(log)


def conformance_sample(
    cases: pd.DataFrame, max_paths: int, keep: frozenset[str] | None = None
) -> pd.Index:
    """The persons whose paths are aligned: those on the ``max_paths`` most common paths.

    An alignment costs a tenth of a second on the reference process and up to a second on a
    model discovered from a log like BPIC 2012, so not every distinct path can be aligned. Paths
    are counted as the model sees them (projected on the activities in ``keep``, the model's
    activities; all when None), and the most common ones are aligned first (ties in path order,
    so every run checks the same persons). Relocations and other activities outside the model
    then do not make every person's path unique, and the persons checked are most persons.
    """
    if keep is None:
        paths = cases["variant"].astype(object)
    else:
        paths = cases["activities"].map(lambda acts: tuple(a for a in acts if a in keep))
    counts = paths.value_counts(sort=False)
    order = sorted(counts.index, key=lambda path: (-counts[path], str(path)))
    chosen = set(order[:max_paths])
    return pd.Index(cases.loc[paths.isin(chosen).to_numpy(), "case"])


def _conformance(
    view: pd.DataFrame, cases: pd.DataFrame, chain: Chain, chain_log: bool
) -> tuple[dict[str, Any], pd.DataFrame]:
    max_paths = CHAIN_PATHS if chain_log else GENERIC_PATHS
    keep = chain.reference_activities() if chain_log else None
    checked = conformance_sample(cases, max_paths, keep)
    sample = view[view[CASE].isin(checked)] if len(checked) < len(cases) else view
    if chain_log:
        result: Conformance = conformance_to_reference(sample, chain)
        model: dict[str, Any] = {"model": "reference chain process (toolkit/chain/reference.toml)"}
    else:
        discovered = discover_model(view)
        result = conformance_to_model(
            sample,
            discovered.net,
            discovered.initial_marking,
            discovered.final_marking,
            max_seconds_per_path=GENERIC_SECONDS_PER_PATH,
        )
        model = {
            "model": f"discovered (inductive miner, noise threshold {discovered.noise_threshold})",
            "places": discovered.places,
            "transitions": discovered.transitions,
            "visible_transitions": discovered.visible_transitions,
        }
    summary = {
        **model,
        "cases": len(cases),
        "cases_checked": len(result.cases),
        "sampled": len(checked) < len(cases),
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


@analysis_cache()
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
    chain = chain or load_chain()
    f = filter or LogFilter()
    view = apply_filter(log, f)
    if view.empty:
        raise EventLogError(
            f"the filter {f.to_dict()} keeps no events; widen the period or drop a filter"
        )
    if as_of is None and f.period_to is not None:
        as_of = local_day_end(f.period_to)
    moment = end_of_data(view, as_of)
    chain_log = is_chain_log(view, chain)
    cohort = f.cohort
    findings = find_bottlenecks(view, chain=chain, as_of=moment, filter=f, min_group=MIN_GROUP)
    cases = case_variants(view)
    conformance, deviations = _conformance(view, cases, chain, chain_log)
    if chain_log:
        intervals = _labelled_intervals(
            interval_summary(view, chain=chain, as_of=moment, cohort=cohort), chain
        )
        monthly = norm_breaches(view, chain=chain, as_of=moment, cohort=cohort, by=("month",))
        norms = _labelled_norms(overall_breaches(monthly), chain)
        by_month = _labelled_norms(monthly, chain)
        wip = wip_per_day(view, chain=chain, as_of=moment)
        flow = flow_per_week(view, chain=chain, as_of=moment)
        rework = rework_summary(view)
    else:
        intervals = _empty("interval", "label_nl", "label_en", "persons", "median_days")
        norms = _empty("interval", "label_nl", "label_en", "persons", "breaches")
        by_month = _empty("interval", "month", "persons", "breaches")
        wip = _empty("date", "total")
        flow = _empty("week", "inflow", "outflow", "outflow_housing", "wip_end")
        rework = repeated_activities(view)
    summary = {
        "log_kind": CHAIN if chain_log else GENERIC,
        "events": len(view),
        "persons": int(view[CASE].nunique()),
        "activities": int(view[ACTIVITY].nunique()),
        "first_event": view[TIMESTAMP].min().isoformat(),
        "last_event": view[TIMESTAMP].max().isoformat(),
        "as_of": moment.isoformat(),
        "filter": f.to_dict(),
        "findings": len(findings),
        "variants": int(cases["variant"].nunique()),
        "workshop": workshop,
        "k": k,
        "computed_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    result = Analysis(
        summary=summary,
        findings=findings,
        intervals=intervals,
        norms=norms,
        norms_by_month=by_month,
        throughput=_throughput(cases),
        wip=wip,
        flow=flow,
        transitions=_transitions(view),
        handovers=_handovers(view),
        variants=variants(view, top_k=TOP_VARIANTS).drop(columns=["activities"]),
        conformance=conformance,
        deviations=deviations,
        rework=rework,
        method=method_notes(chain_log, moment, f),
    )
    return suppress_analysis(result, k) if workshop else result


def suppress_analysis(result: Analysis, k: int = DEFAULT_K) -> Analysis:
    """The analysis as a workshop may see it: no figure about fewer than ``k`` persons.

    Findings about fewer than k persons are dropped (a finding names its segment, so an emptied
    finding would still point at a small group). A norm-breach finding whose explanation counts
    fewer than k persons finished over or still waiting keeps its title but loses that text.
    Variants followed by fewer than k persons are dropped: a rare path is one person's history.
    """
    findings = [f for f in result.findings if f.persons >= k]
    findings = [_safe_explanation(f, result.norms, k) for f in findings]
    variants_kept, variants_dropped = drop_small(result.variants, "cases", k)
    tables = {
        name: suppress_small(
            getattr(result, name),
            PERSON_COUNTS[name],
            k,
            group=GROUP_COLUMN.get(name),
            keep=LABEL_COLUMNS,
        )
        for name in (
            "intervals", "norms", "norms_by_month", "throughput", "flow", "transitions",
            "handovers", "deviations", "rework",
        )
    }  # fmt: skip
    for name, parts in PARTS.items():
        for group in parts:
            tables[name] = protect_parts(tables[name], group)
    for name, figures in DERIVED.items():
        tables[name] = suppress_derived(tables[name], figures)
    wip = suppress_small(result.wip, [c for c in result.wip.columns if c != "date"], k)
    summary = {
        **result.summary,
        "persons": suppress_value(result.summary["persons"], k),
        "findings": len(findings),
        "findings_suppressed": len(result.findings) - len(findings),
        "variants_suppressed": variants_dropped,
        "workshop": True,
        "k": k,
    }
    conformance = {
        **result.conformance,
        "cases": suppress_value(result.conformance.get("cases"), k),
        "cases_checked": suppress_value(result.conformance.get("cases_checked"), k),
        "unaligned_cases": suppress_value(result.conformance.get("unaligned_cases"), k),
        "unreplayed_cases": suppress_value(result.conformance.get("unreplayed_cases"), k),
    }
    return replace(
        result,
        summary=summary,
        findings=findings,
        wip=wip,
        variants=variants_kept,
        conformance=conformance,
        **tables,
    )


def _safe_explanation(finding: Finding, norms: pd.DataFrame, k: int) -> Finding:
    """Blank the explanation of a norm-breach finding that counts fewer than k persons."""
    if finding.kind != "norm_breach" or norms.empty:
        return finding
    row = norms[norms["interval"] == finding.interval]
    counts = row[["closed_over", "overdue_now", "persons"]].to_numpy().ravel()
    if any(0 < int(c) < k for c in counts):
        hidden = "(suppressed: fewer than k persons)"
        return replace(finding, explanation_nl=hidden, explanation_en=hidden)
    return finding


def method_notes(chain_log: bool, moment: pd.Timestamp, f: LogFilter) -> list[dict[str, str]]:
    """One note per table on how it is computed; docs/method.md explains each at length."""
    notes = [
        ("end of the data", f"Everything is measured up to {moment.isoformat()}; persons still "
         "waiting then are right-censored (counted as 'waited at least this long')."),
        ("filter", f"Filter applied: {f.to_dict() or 'none'}. Person filters keep whole "
         "journeys; the period trims events; the cohort keeps, per interval, the persons whose "
         "interval starts in the window."),
        ("findings", "Ranked by excess person-days: days beyond the norm (or beyond the median "
         "of the rest) summed over the persons affected; rework ranks by extra events."),
        ("transitions", "Time between consecutive events of a person, per pair of activities: "
         "median, p90 (linear interpolation), mean and total person-days."),
        ("handovers", "Consecutive events of a person recorded by different organisations "
         "(org:group): count, persons and delay."),
        ("variants", f"The {TOP_VARIANTS} most frequent paths (sequence of activities per "
         "person) with their share and case duration."),
        ("throughput", "Case duration from a person's first to last event in the (filtered) "
         "log; not censoring-aware, see the intervals for that."),
    ]  # fmt: skip
    if chain_log:
        notes += [
            ("intervals", "Milestone intervals per person (first 'from' event to the next 'to' "
             "event); median and p90 from the Kaplan-Meier estimate with the persons still "
             "waiting censored; the median of finished cases only is shown beside it."),
            ("norms", "Per norm: finished over the norm, and still waiting but already past it "
             "(overdue now); excess days summed over both."),
            ("slow segments", "Municipalities, locations, offices, nationalities, tracks, household "
             "sizes and cohorts compared with the rest by a one-sided log-rank test (one "
             "observation per household), Benjamini-Hochberg corrected; a finding only when "
             "significant and at least half again as slow as the rest."),
            ("work in progress", "Persons per phase at the end of each Amsterdam calendar day; "
             "inflow and outflow per week."),
            ("conformance", "Each person's path aligned (pm4py alignments) with the reference "
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
             "the inductive miner (noise threshold 0.2); the persons on the "
             f"{GENERIC_PATHS} most common paths are aligned (cases_checked)."),
        ]  # fmt: skip
    return [{"topic": topic, "note": note} for topic, note in notes]


def load_and_analyze(log_dir: Path, **kwargs: Any) -> Analysis:
    """Read ``log_dir/events.parquet`` and :func:`analyze` it (keyword arguments as there)."""
    path = Path(log_dir) / EVENTS_FILE
    if not path.is_file():
        raise EventLogError(
            f"{path}: no event log here; run `ketenlens ingest DIR --out {log_dir}` first"
        )
    return analyze(read_events(path), **kwargs)
