"""Rework: the steps that are done again, or that send a person back.

COA relocations (``coa_overplaatsing``), refused or failed housing offers
(``gem_woning_geweigerd``), interviews done more than once (``ind_nader_gehoor``) and appeals
(``ind_beroep_ingesteld``): each costs time and work without moving the person on. Per kind: how
many persons, how many events, and the distribution over persons (0, 1, 2, 3+).

Relocations per COA location count the moves *out of* a location (the origin: the location of
the person's previous COA event) per resident-year spent there (time from each COA event to the
next counts for the location of the first). A location is compared with the other locations of
its type (an AZC with AZCs: registration centres move everyone on within days by design) with a
one-sided exact test of two Poisson rates (binomial, conditional on the total); registration and
process locations (COL, POL) move everyone on by design and are not tested. Household members
move together, so the test counts each household's move once; rates are per person.
For logs of other processes, :func:`repeated_activities` lists activities that occur more than
once in a case. Example::

    >>> relocation_rates(log).head(3)[["location", "rate", "rest_rate", "q_value"]]  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

from toolkit.bottlenecks.common import end_of_data, sort_events
from toolkit.bottlenecks.persons import location_stays
from toolkit.eventlog import ACTIVITY, CASE, GROUP, RESOURCE, TIMESTAMP

RELOCATION = "coa_overplaatsing"
REWORK_ACTIVITIES = {
    "relocation": RELOCATION,
    "refused_offer": "gem_woning_geweigerd",
    "interview": "ind_nader_gehoor",
    "appeal": "ind_beroep_ingesteld",
}
# an interview happens once by design, so only its repeats are rework
REPEAT_ONLY = frozenset({"interview"})
DAYS_PER_YEAR = 365.25
HOUSEHOLD = "case:household"
LOCATION_TYPE = "location_type"
BUCKETS = ("0", "1", "2", "3+")
# registration centres and process locations move every resident on within days by design, so
# their moves are the procedure, not rework; they are listed but not tested
TRANSIT_TYPES = frozenset({"COL", "POL"})


def _bucket(counts: pd.Series) -> pd.Series:
    return counts.clip(upper=3).map({0: "0", 1: "1", 2: "2", 3: "3+"})


def rework_summary(log: pd.DataFrame) -> pd.DataFrame:
    """Per rework kind: ``persons`` affected, ``events`` of rework, persons per bucket 0/1/2/3+.

    For ``interview`` only the repeats count (the first interview is no rework). Example::

        >>> rework_summary(log).set_index("kind").loc["relocation", "persons"]  # doctest: +SKIP
    """
    cases = pd.Index(log[CASE].unique())
    rows = []
    for kind, activity in REWORK_ACTIVITIES.items():
        counts = log.loc[log[ACTIVITY] == activity].groupby(CASE, observed=True).size()
        counts = counts.reindex(cases, fill_value=0)
        if kind in REPEAT_ONLY:
            counts = (counts - 1).clip(lower=0)
        spread = _bucket(counts).value_counts().reindex(list(BUCKETS), fill_value=0)
        rows.append(
            {
                "kind": kind,
                "activity": activity,
                "persons": int((counts > 0).sum()),
                "events": int(counts.sum()),
                **{f"persons_{b}": int(spread[b]) for b in BUCKETS},
            }
        )
    return pd.DataFrame(rows)


def _coa_events(log: pd.DataFrame, moment: pd.Timestamp) -> pd.DataFrame:
    coa = sort_events(log[(log[TIMESTAMP] <= moment) & (log[GROUP].astype(object) == "COA")])
    coa = coa[coa[RESOURCE].notna()]
    origin = coa[RESOURCE].astype(object).shift()
    origin = origin.where(coa[CASE].eq(coa[CASE].shift()))
    return coa.assign(origin=origin.to_numpy())


def relocation_rates(
    log: pd.DataFrame,
    *,
    as_of: pd.Timestamp | date | str | None = None,
    min_group: int = 30,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Per COA location: moves out, resident-years, rate, the rest of its type, test, q-value.

    Columns: ``location``, ``location_type``, ``residents``, ``relocations``, ``resident_years``,
    ``rate`` (per resident-year), ``rest_rate``, ``ratio``, ``extra_relocations`` (beyond the
    rest's rate), ``p_value``, ``q_value`` (Benjamini-Hochberg over the locations tested; tested
    are locations with at least ``min_group`` residents and a rest of their type), ``significant``.
    Sorted by extra relocations.

    Example::

        >>> relocation_rates(log).query("significant")["location"].tolist()  # doctest: +SKIP
        ['Gilze']
    """
    moment = end_of_data(log, as_of)
    coa = _coa_events(log, moment)
    columns = [
        "location", "location_type", "residents", "relocations", "resident_years", "rate",
        "rest_rate", "ratio", "extra_relocations", "p_value", "q_value", "significant",
    ]  # fmt: skip
    if coa.empty:
        return pd.DataFrame(columns=columns)
    moves = coa[(coa[ACTIVITY] == RELOCATION) & coa["origin"].notna()]
    stays = location_stays(coa, moment)
    table = pd.DataFrame(
        {
            "residents": stays.groupby("location")["case"].nunique(),
            "relocations": moves.groupby("origin").size(),
            "resident_years": stays.groupby("location")["days"].sum() / DAYS_PER_YEAR,
        }
    ).fillna(0.0)
    kinds = (
        coa.dropna(subset=[LOCATION_TYPE])
        .drop_duplicates(RESOURCE)
        .set_index(RESOURCE)[LOCATION_TYPE]
        if LOCATION_TYPE in coa
        else pd.Series(dtype=object)
    )
    table["location_type"] = table.index.map(lambda loc: kinds.get(loc, "")).astype(object)
    # the test counts households: members' identical moves and stays are one observation
    unit = coa[HOUSEHOLD].astype(object).fillna(coa[CASE]) if HOUSEHOLD in coa else coa[CASE]
    once = coa.assign(_unit=unit.to_numpy()).drop_duplicates(
        ["_unit", TIMESTAMP, ACTIVITY, RESOURCE]
    )
    unit_moves = (
        once[(once[ACTIVITY] == RELOCATION) & once["origin"].notna()].groupby("origin").size()
    )
    unit_stays = location_stays(once.assign(**{CASE: once["_unit"]}), moment)
    unit_years = unit_stays.groupby("location")["days"].sum() / DAYS_PER_YEAR
    table["_k"] = unit_moves.reindex(table.index, fill_value=0)
    table["_e"] = unit_years.reindex(table.index, fill_value=0.0)
    rows = []
    for location, row in table.iterrows():
        rest = table[(table["location_type"] == row["location_type"]) & (table.index != location)]
        rest_rate = (
            rest["relocations"].sum() / rest["resident_years"].sum() if len(rest) else np.nan
        )
        rate = row["relocations"] / row["resident_years"] if row["resident_years"] > 0 else np.nan
        p = np.nan
        total = int(row["_k"] + rest["_k"].sum())
        exposure = row["_e"] + rest["_e"].sum()
        testable = row["location_type"] not in TRANSIT_TYPES and row["residents"] >= min_group
        if testable and len(rest) and total > 0 and exposure > 0:
            share = row["_e"] / exposure
            p = stats.binomtest(int(row["_k"]), total, share, alternative="greater").pvalue
        rows.append(
            {
                "location": location,
                "rate": rate,
                "rest_rate": rest_rate,
                "extra_relocations": row["relocations"] - rest_rate * row["resident_years"],
                "p_value": p,
            }
        )
    out = table.drop(columns=["_k", "_e"]).rename_axis("location").reset_index()
    out = out.merge(pd.DataFrame(rows), on="location")
    out["ratio"] = out["rate"] / out["rest_rate"]
    tested = out["p_value"].notna()
    out["q_value"] = np.nan
    if tested.any():
        out.loc[tested, "q_value"] = stats.false_discovery_control(out.loc[tested, "p_value"])
    out["significant"] = (out["q_value"] <= alpha) & (out["ratio"] > 1)
    out["residents"] = out["residents"].astype("int64")
    out["relocations"] = out["relocations"].astype("int64")
    out = out.sort_values("extra_relocations", ascending=False, kind="stable")
    return out[columns].reset_index(drop=True)


def repeated_activities(log: pd.DataFrame) -> pd.DataFrame:
    """Per activity: ``cases`` with it, ``cases_repeated`` (more than once), ``repeats`` (extra
    occurrences) and ``share_repeated``; most repeats first. Works on any event log.

    Example::

        >>> repeated_activities(log).head(3)  # doctest: +SKIP
    """
    counts = log.groupby([CASE, ACTIVITY], observed=True).size()
    by_activity = counts.groupby(level=ACTIVITY, observed=True)
    out = pd.DataFrame(
        {
            "cases": by_activity.size(),
            "cases_repeated": by_activity.apply(lambda c: int((c > 1).sum())),
            "repeats": by_activity.apply(lambda c: int((c - 1).sum())),
        }
    )
    out["share_repeated"] = out["cases_repeated"] / out["cases"]
    out = out.rename_axis("activity").reset_index()
    out["activity"] = out["activity"].astype(str)
    return out.sort_values(
        ["repeats", "activity"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)
