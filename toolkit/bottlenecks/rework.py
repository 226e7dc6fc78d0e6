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

from toolkit.bottlenecks.common import end_of_data, lexsorted
from toolkit.bottlenecks.stays import RELOCATION, Coa, coa_events, stay_days
from toolkit.cellkeys import MODULUS, is_key, key_of, key_sum, keys_wanted, record_keys
from toolkit.eventlog import ACTIVITY, CASE

REWORK_ACTIVITIES = {
    "relocation": RELOCATION,
    "refused_offer": "gem_woning_geweigerd",
    "interview": "ind_nader_gehoor",
    "appeal": "ind_beroep_ingesteld",
}
# an interview happens once by design, so only its repeats are rework
REPEAT_ONLY = frozenset({"interview"})
DAYS_PER_YEAR = 365.25
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
    persons = int(log[CASE].nunique())
    everybody = key_sum(record_keys(pd.Series(log[CASE].unique())))
    rows = []
    for kind, activity in REWORK_ACTIVITIES.items():
        # per person who has the activity (plain integers: the persons of a filtered log are
        # categories of the whole log's, which pandas cannot always line up again)
        found = log.loc[log[ACTIVITY] == activity, CASE].value_counts()
        found = found[found.to_numpy() > 0]  # a categorical counts every category, also absent
        counts, keys = found.to_numpy(), record_keys(pd.Series(found.index))
        if kind in REPEAT_ONLY:
            counts = np.maximum(counts - 1, 0)
        bucket = np.minimum(counts, 3)
        spread = np.bincount(bucket, minlength=4)
        spread[0] += persons - counts.size
        # beside each count of persons the sum of their record keys (toolkit.cellkeys); those
        # without the activity are everybody else
        sums = [key_sum(keys[bucket == b]) for b in range(4)]
        sums[0] = (everybody - sum(sums[1:])) % MODULUS
        rows.append(
            {
                "kind": kind,
                "activity": activity,
                "persons": int((counts > 0).sum()),
                "events": int(counts.sum()),
                **{f"persons_{b}": int(spread[i]) for i, b in enumerate(BUCKETS)},
                key_of("persons"): key_sum(keys[counts > 0]),
                **{key_of(f"persons_{b}"): sums[i] for i, b in enumerate(BUCKETS)},
            }
        )
    return pd.DataFrame(rows)


def _moves_out(events: pd.DataFrame, places: int) -> np.ndarray:
    """Relocations per location code of their origin."""
    origin = events["origin"].to_numpy()
    return np.bincount(origin[events["relocation"].to_numpy() & (origin >= 0)], minlength=places)


def _persons_moved(events: pd.DataFrame, places: int) -> np.ndarray:
    """Per location code: the persons relocated out of it at least once."""
    moved = events["relocation"].to_numpy() & (events["origin"].to_numpy() >= 0)
    pairs = events.loc[moved, ["person", "origin"]].drop_duplicates()
    return np.bincount(pairs["origin"].to_numpy(), minlength=places).astype("int64")


def _household_repeats(events: pd.DataFrame) -> np.ndarray:
    """Which events repeat an earlier one of the same unit at the same moment, with the same
    activity, location and origin (``duplicated`` on the five columns, from one integer per
    event). With the origin in the key, which member of a household comes first (the order of
    the pseudonyms) does not matter: members who moved from different places count apart."""
    columns = [pd.factorize(events["stamp"])[0], events["unit"].to_numpy(),
               events["activity"].to_numpy() + 1, events["location"].to_numpy(),
               events["origin"].to_numpy() + 1]  # fmt: skip
    sizes = [int(c.max(initial=0)) + 1 for c in columns]
    if float(np.prod(sizes, dtype=float)) >= 2.0**62:  # one integer cannot number them all
        return events.duplicated(["unit", "stamp", "activity", "location", "origin"]).to_numpy()
    key = np.zeros(len(events), dtype=np.int64)
    for column, size in zip(columns, sizes, strict=True):
        key = key * size + column
    return pd.Series(key).duplicated().to_numpy()


def _per_location(
    events: pd.DataFrame, who: str, moment: pd.Timestamp, places: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per location code: how many of ``who`` (persons or units) stayed there, and their days."""
    stays = stay_days(events, who, moment, places)
    place = stays.index.to_numpy() % places
    total = np.bincount(place, weights=stays.to_numpy(), minlength=places)
    return np.bincount(place, minlength=places), total


def relocation_rates(
    log: pd.DataFrame,
    *,
    as_of: pd.Timestamp | date | str | None = None,
    min_group: int = 30,
    alpha: float = 0.05,
    coa: Coa | None = None,
) -> pd.DataFrame:
    """Per COA location: moves out, resident-years, rate, the rest of its type, test, q-value.

    Columns: ``location``, ``location_type``, ``residents``, ``relocated`` (residents moved out
    at least once), ``relocations``, ``resident_years``,
    ``rate`` (per resident-year), ``rest_rate``, ``ratio``, ``extra_relocations`` (beyond the
    rest's rate), ``p_value``, ``q_value`` (Benjamini-Hochberg over the locations tested; tested
    are locations with at least ``min_group`` residents and a rest of their type), ``significant``.
    Sorted by extra relocations. ``coa`` is :func:`~toolkit.bottlenecks.stays.coa_events` of the
    log at that end of the data, when known.

    Example::

        >>> relocation_rates(log).query("significant")["location"].tolist()  # doctest: +SKIP
        ['Gilze']
    """
    moment = end_of_data(log, as_of)
    columns = [
        "location", "location_type", "residents", "relocated", "relocations", "resident_years",
        "rate",
        "rest_rate", "ratio", "extra_relocations", "p_value", "q_value", "significant",
    ]  # fmt: skip
    events, table = coa_events(log, moment) if coa is None else coa
    if events.empty:
        return pd.DataFrame(columns=columns)
    places = len(table)
    relocations = _moves_out(events, places)
    residents, days = _per_location(events, "person", moment, places)
    years = days / DAYS_PER_YEAR
    # the test counts households: members' identical moves and stays are one observation
    once = events[~_household_repeats(events)]
    # a unit's stays run from one of its events to its next: in time order within the unit
    # (members' events are apart in the log's order of persons), then location, activity, origin
    keys = [once[c].to_numpy() for c in ("unit", "location", "activity", "origin")]
    once = once.iloc[lexsorted([keys[0], once["stamp"].array.asi8, *keys[1:]], leading=2)]
    unit_moves = _moves_out(once, places)
    unit_years = _per_location(once, "unit", moment, places)[1] / DAYS_PER_YEAR
    types = table["location_type"].to_numpy()
    rate, rest_rate, p_value = (np.full(places, np.nan) for _ in range(3))
    for here in range(places):
        rest = (types == types[here]) & (np.arange(places) != here)
        if rest.any():
            rest_rate[here] = relocations[rest].sum() / years[rest].sum()
        if years[here] > 0:
            rate[here] = relocations[here] / years[here]
        total = int(unit_moves[here] + unit_moves[rest].sum())
        exposure = unit_years[here] + unit_years[rest].sum()
        testable = types[here] not in TRANSIT_TYPES and residents[here] >= min_group
        if testable and rest.any() and total > 0 and exposure > 0:
            share = unit_years[here] / exposure
            p_value[here] = stats.binomtest(
                int(unit_moves[here]), total, share, alternative="greater"
            ).pvalue
    table["residents"] = residents.astype("int64")
    table["relocated"] = _persons_moved(events, places)
    table["relocations"] = relocations.astype("int64")
    table["resident_years"] = years
    table["rate"] = rate
    table["rest_rate"] = rest_rate
    table["ratio"] = table["rate"] / table["rest_rate"]
    table["extra_relocations"] = relocations - rest_rate * years
    table["p_value"] = p_value
    tested = table["p_value"].notna()
    table["q_value"] = np.nan
    if tested.any():
        table.loc[tested, "q_value"] = stats.false_discovery_control(table.loc[tested, "p_value"])
    table["significant"] = (table["q_value"] <= alpha) & (table["ratio"] > 1)
    table = table.join(_location_keys(events, places))
    table = table.sort_values("extra_relocations", ascending=False, kind="stable")
    return table[[*columns, *(c for c in table.columns if is_key(c))]].reset_index(drop=True)


def _location_keys(events: pd.DataFrame, places: int) -> pd.DataFrame:
    """Per location code, the cell keys (:mod:`toolkit.cellkeys`) of its counts: the record
    keys of its residents and of those relocated out of it summed, and of its relocations
    (each keyed by its person's record key)."""
    columns = [key_of("residents"), key_of("relocated"), key_of("relocations")]
    if not keys_wanted():  # all 0 (toolkit.cellkeys.keyless)
        return pd.DataFrame(0, index=pd.RangeIndex(places), columns=columns)
    keys = record_keys(events["case"]).astype(float)
    person = events["person"].to_numpy()
    of_person = np.zeros(int(person.max(initial=-1)) + 1)
    of_person[person] = keys
    # each (person, place) once; counted per place, in any order (pd.unique hashes; np.unique
    # of as many distinct integers is many times slower)
    stayed = pd.unique(person * places + events["location"].to_numpy())
    moved = events["relocation"].to_numpy() & (events["origin"].to_numpy() >= 0)
    origin = events["origin"].to_numpy()[moved]
    pairs = pd.unique(person[moved] * places + origin)

    def per_place(place: np.ndarray, weights: np.ndarray) -> np.ndarray:
        return np.bincount(place, weights, minlength=places).astype(np.int64)

    sums = (
        per_place(stayed % places, of_person[stayed // places]),
        per_place(pairs % places, of_person[pairs // places]),
        per_place(origin, keys[moved]),
    )
    return pd.DataFrame(dict(zip(columns, sums, strict=True)))


def repeated_activities(log: pd.DataFrame) -> pd.DataFrame:
    """Per activity: ``cases`` with it, ``cases_repeated`` (more than once), ``repeats`` (extra
    occurrences) and ``share_repeated``; most repeats first. Works on any event log.

    Example::

        >>> repeated_activities(log).head(3)  # doctest: +SKIP
    """
    counts = log.groupby([CASE, ACTIVITY], observed=True).size()
    by_activity = counts.groupby(level=ACTIVITY, observed=True)
    # beside each count the sum of its cases' record keys (toolkit.cellkeys); a repeat is
    # keyed by its case's record key
    keys = pd.Series(record_keys(counts.index.get_level_values(CASE)), index=counts.index)
    repeated = counts.to_numpy() > 1
    out = pd.DataFrame(
        {
            "cases": by_activity.size(),
            "cases_repeated": by_activity.apply(lambda c: int((c > 1).sum())),
            "repeats": by_activity.apply(lambda c: int((c - 1).sum())),
            key_of("cases"): keys.groupby(level=ACTIVITY, observed=True).sum(),
            key_of("cases_repeated"): keys.where(repeated, 0)
            .groupby(level=ACTIVITY, observed=True)
            .sum(),
            key_of("repeats"): (keys * (counts - 1)).groupby(level=ACTIVITY, observed=True).sum(),
        }
    )
    out.insert(3, "share_repeated", out["cases_repeated"] / out["cases"])
    out = out.rename_axis("activity").reset_index()
    out["activity"] = out["activity"].astype(str)
    return out.sort_values(
        ["repeats", "activity"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)
