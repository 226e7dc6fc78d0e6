"""Distributions behind the summary figures: survival curves per segment, wait histograms.

A median hides the shape: whether everybody waits about as long, or most go quickly and a tail
waits a year. These tables are what the dashboard draws as curves and bars, and what an analyst
can export, from the same per-person intervals and waits as the medians. Curves use Kaplan-Meier,
so persons still waiting count as "at least this long", never as finished; who left the chain
(departed, or a family member who joined an existing home) is not waiting and not in the curve,
as in the medians (docs/method.md, section 2). A curve without a split is over all cohorts
together (segment ``all``, pooled); split by ``cohort``, one per half-year cohort
(:func:`toolkit.metrics.curves.cohort_curves` exports them). Example::

    >>> survival_curves(log, "N13", by="municipality").groupby("segment")["persons"].first()  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from toolkit.bottlenecks.intervals import Cohort, person_intervals
from toolkit.bottlenecks.segments import segment_table
from toolkit.bottlenecks.survival import kaplan_meier
from toolkit.bottlenecks.waits import person_waits
from toolkit.cellkeys import at_least, key_of, key_sums
from toolkit.chain import Chain, Norm

ALL = "all"
CURVE_COLUMNS = ["segment", "days", "survival", "at_risk", "persons", "completed"]
HISTOGRAM_COLUMNS = ["from_days", "to_days", "persons"]
DEFAULT_BINS = 20
WEEK = 7.0
MAX_SEGMENTS = 12


def _curve(segment: str, rows: pd.DataFrame) -> pd.DataFrame:
    """One Kaplan-Meier curve of ``rows`` (``days``, ``censored``); beside its counts of
    persons the sums of their record keys (:mod:`toolkit.cellkeys`) when the rows carry them."""
    days, censored = rows["days"].to_numpy(), rows["censored"].to_numpy(dtype=bool)
    km = kaplan_meier(days, censored)
    at_risk = len(days) - np.searchsorted(np.sort(days), km.times, side="left")
    # the curve starts at 1 on day 0, so a plotted step begins where every wait begins
    curve = pd.DataFrame(
        {
            "segment": segment,
            "days": np.concatenate([[0.0], km.times]),
            "survival": np.concatenate([[1.0], km.survival]),
            "at_risk": np.concatenate([[len(days)], at_risk]).astype("int64"),
            "persons": km.persons,
            "completed": km.completed,
        }
    )
    if "key" not in rows.columns:
        return curve
    keys = rows["key"].to_numpy(dtype=np.int64)
    return curve.assign(**{
        key_of("at_risk"): at_least(days, keys, curve["days"].to_numpy()),
        key_of("persons"): keys.sum(),
        key_of("completed"): keys[~censored].sum(),
    })  # fmt: skip


def survival_curves(
    log: pd.DataFrame,
    norm: Norm | str,
    *,
    by: str | None = None,
    chain: Chain | None = None,
    as_of: pd.Timestamp | date | str | None = None,
    cohort: Cohort | None = None,
    max_segments: int = MAX_SEGMENTS,
    people: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Kaplan-Meier curves of one interval: S(t), the share still waiting after t days.

    Without ``by`` one curve (segment ``all``); with a segment dimension (municipality,
    location, office, nationality, track, household size, cohort) one curve per value, the
    ``max_segments`` largest groups. Only persons who can reach the end (reached or still
    waiting); ``persons`` counts them. ``people`` is the interval's :func:`segment_table` of the
    log (with ``cohort`` and the other dimensions), when known. Example::

        >>> survival_curves(log, "N11", by="municipality", as_of="2025-06-30")  # doctest: +SKIP
    """
    if by is None:
        if people is None:
            people = person_intervals(log, norm, chain=chain, as_of=as_of, cohort=cohort)
        people = _waiting(people)
        if people.empty:
            return pd.DataFrame(columns=CURVE_COLUMNS)
        return _curve(ALL, people)
    table = people
    if table is None:
        table = segment_table(log, norm, chain=chain, as_of=as_of, cohort=cohort)
    table = _waiting(table)
    if table.empty or by not in table.columns:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    values = table[by].astype(object).where(table[by].notna(), "")
    largest = values[values != ""].value_counts().head(max_segments).index
    frames = [
        _curve(str(value), group)
        for value, group in table.groupby(values, sort=True)
        if value in largest
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=CURVE_COLUMNS)


def _waiting(people: pd.DataFrame) -> pd.DataFrame:
    """The rows of persons who can reach the end: leaving the chain is not waiting."""
    return people[~people["left_chain"].to_numpy(dtype=bool)]


def week_edges(values: np.ndarray, bins: int) -> np.ndarray:
    """Bin edges from day 0 in steps of whole weeks, at most about ``bins`` bins.

    Edges on whole weeks read naturally against norms in weeks, and unlike edges from the
    smallest to the largest value they do not give away the shortest and longest wait.
    """
    top = float(values.max()) if values.size else 0.0
    width = WEEK * max(1, int(np.ceil(top / (WEEK * bins))))
    return np.arange(0.0, top + width, width) if top > 0 else np.array([0.0, width])


def _histogram(
    days: pd.Series, bins: int, cases: pd.Series | None = None, keys: np.ndarray | None = None
) -> pd.DataFrame:
    """Values per bin; with ``cases`` (whose value each is) the distinct persons per bin, since
    one person can take the same path, and so wait on it, more than once. Beside the persons
    the sum of their record keys (``persons_key``, :mod:`toolkit.cellkeys`), from ``cases`` or
    from the ``keys`` of one person per value."""
    if days.empty:
        return pd.DataFrame(columns=HISTOGRAM_COLUMNS)
    values = np.clip(days.to_numpy(dtype=float), 0.0, None)
    counts, edges = np.histogram(values, bins=week_edges(values, bins))
    # np.histogram's bins: [from, to), the last one [from, to]
    which = np.minimum(np.searchsorted(edges, values, side="right") - 1, len(counts) - 1)
    out = pd.DataFrame({"from_days": edges[:-1], "to_days": edges[1:], "persons": counts})
    if cases is not None:
        persons = pd.DataFrame({"bin": which, "case": cases.to_numpy()})
        out["persons"] = persons.groupby("bin")["case"].nunique().reindex(
            range(len(counts)), fill_value=0).to_numpy()  # fmt: skip
        sums = key_sums(persons, "bin").reindex(range(len(counts)), fill_value=0)
        out[key_of("persons")] = sums.to_numpy(dtype=np.int64)
    elif keys is not None:
        sums = np.bincount(which, keys.astype(float), minlength=len(counts))
        out[key_of("persons")] = sums.astype(np.int64)
    return out


def duration_histogram(
    log: pd.DataFrame,
    norm: Norm | str,
    *,
    chain: Chain | None = None,
    as_of: pd.Timestamp | date | str | None = None,
    cohort: Cohort | None = None,
    bins: int = DEFAULT_BINS,
    people: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Finished durations of one interval in ``bins`` equal bins (persons per bin).

    Only finished intervals: a histogram cannot show "at least"; the survival curve does.
    ``people`` is the interval's :func:`~toolkit.bottlenecks.intervals.person_intervals` of the
    log, when known.
    """
    if people is None:
        people = person_intervals(log, norm, chain=chain, as_of=as_of, cohort=cohort)
    done = people[~people["censored"].to_numpy(dtype=bool)]
    keys = done["key"].to_numpy(dtype=np.int64) if "key" in done.columns else None
    return _histogram(done["days"], bins, keys=keys)


def wait_histogram(
    log: pd.DataFrame,
    from_activity: str,
    to_activity: str,
    *,
    bins: int = DEFAULT_BINS,
    waits: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Waits between two consecutive activities (a path of the process map) in ``bins`` bins:
    the persons with a wait in each bin (a person who takes the path twice counts once a bin).

    Example::

        >>> wait_histogram(log, "coa_koppeling", "gem_woning_aangeboden")  # doctest: +SKIP
    """
    if waits is None:  # person_waits of the log, when not given
        waits = person_waits(log)
    pair = waits[(waits["from_activity"] == from_activity) & (waits["to_activity"] == to_activity)]
    return _histogram(pair["days"], bins, pair["case"])
