"""The simulation's parameters, estimated from an event log up to an as-of moment.

Every estimate is an :class:`Estimate`: the parameter and its figures; how it was found is said
with them (:func:`toolkit.scenario.labels.estimate_text`), so the command line, the exports and
the docs can say where each number came from. What the log cannot tell (the
delays inside the municipal follow-up, the share of status holders with family abroad) keeps
the generator's default and is listed as such.

Rates come from a recent window: arrivals from the last twelve months (a year evens out the
season), capacities from the last 26 weeks (throughput of a queue that never ran empty is its
capacity; a shorter window follows changes such as an office losing staff).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from toolkit.chain import load_chain
from toolkit.errors import EventLogError
from toolkit.eventlog import ACTIVITY, CASE, HOUSEHOLD, MUNICIPALITY, RESOURCE, TIMESTAMP
from toolkit.synthetic.config import GeneratorConfig, load_config
from toolkit.synthetic.simulation import Capacities

ARRIVAL_WINDOW_DAYS = 365.25
CAPACITY_WINDOW_WEEKS = 26
DAYS_PER_WEEK = 7.0
LOW_Q, HIGH_Q = 0.05, 0.95
MIN_OBSERVED = 5  # fewer observations than this: keep the default
DECISIONS = (
    "ind_beschikking_inwilliging",
    "ind_beschikking_afwijzing",
)
MOVE_OUT = "coa_uitstroom_gemeente"
ARRIVAL = "ind_aanmelding"
# without these the arrivals, the interview capacity or the koppeling cannot be estimated
NEEDED = (ARRIVAL, "ind_aanmeldgehoor", "ind_nader_gehoor", "coa_koppeling")
NATIONALITY = "case:nationality"
TRACK = "case:track"
PROCEDURE = "case:procedure"
SAFE_TRACK = "veilig_land"
REPEAT = "herhaald"
QUEUE_LOCATION_TYPES = ("AZC", "NOODOPVANG", "GEZINSLOCATIE")


@dataclass(frozen=True)
class Estimate:
    """One estimated parameter and its figures; :mod:`toolkit.scenario.labels` says it in words
    (``calibration.toml``), in Dutch or English."""

    parameter: str
    figures: dict[str, Any]


@dataclass
class Calibration:
    """A generator config and absolute capacities that describe the chain at ``as_of``."""

    as_of: pd.Timestamp
    config: GeneratorConfig
    capacities: Capacities
    households_per_month: float
    persons_per_month: float
    season: list[float]  # arrivals per calendar month (January first) relative to the mean
    estimates: list[Estimate] = field(default_factory=list)


def _first_after(log: pd.DataFrame, start: str | tuple, end: tuple, moment) -> pd.DataFrame:
    """Per person: the first ``start`` and the first ``end`` after it (both up to ``moment``)."""
    starts = (start,) if isinstance(start, str) else start
    a = log[log[ACTIVITY].isin(starts)].groupby(CASE, observed=True)[TIMESTAMP].min()
    b = log[log[ACTIVITY].isin(end)][[CASE, TIMESTAMP]]
    b = b[b[CASE].isin(a.index)]
    b = b.assign(start=a.reindex(b[CASE]).to_numpy())
    b = b[b[TIMESTAMP] >= b["start"]].groupby(CASE, observed=True)[TIMESTAMP].min()
    out = pd.DataFrame({"start": a, "end": b.reindex(a.index)})
    out["days"] = (out["end"] - out["start"]).dt.total_seconds() / 86400.0
    return out[out["end"] <= moment]


def household_or_person(household: pd.Series | None, person: pd.Series) -> pd.Series:
    """Each row's household as text, or its person's where it has none (a household alone).

    Works on text and on categories (the dashboard holds the log's text columns as categories,
    whose missing values cannot be filled with values outside their categories).
    """
    person = person.astype(str)
    if household is None:
        return person
    return household.astype(str).where(household.notna(), person)


def durations(log: pd.DataFrame, start: str | tuple, end: tuple, moment, since=None) -> np.ndarray:
    """Days from a person's first ``start`` to the first ``end`` after it, finished by ``moment``
    (and, given ``since``, finished after it)."""
    table = _first_after(log, start, end, moment)
    if since is not None:
        table = table[table["end"] > since]
    return table["days"].to_numpy()


def skewed_bounds(days: np.ndarray, default: list[float], scale: float = 1.0) -> list[float]:
    """Bounds of the engine's right-skewed triangle (mode at the low end) with the data's mean.

    The triangle's mean is low + (high - low) / 3, so high = low + 3 (mean - low).
    """
    if len(days) < MIN_OBSERVED:
        return list(default)
    low = float(np.quantile(days, LOW_Q)) / scale
    mean = float(np.mean(days)) / scale
    return [round(low, 2), round(max(low + 1.0 / scale, low + 3.0 * (mean - low)), 2)]


def uniform_bounds(days: np.ndarray, default: list[float], scale: float = 1.0) -> list[float]:
    if len(days) < MIN_OBSERVED:
        return list(default)
    low, high = np.quantile(days, [LOW_Q, HIGH_Q]) / scale
    return [round(float(low), 2), round(float(max(high, low + 1.0 / scale)), 2)]


def _share(part: int, whole: int, default: float) -> float:
    """``part / whole``, or the default where ``whole`` is too small to tell."""
    return part / whole if whole >= MIN_OBSERVED else default


def _count(log: pd.DataFrame, activity: str, by=CASE) -> int:
    return int(log.loc[log[ACTIVITY] == activity, by].nunique())


def calibrate(log: pd.DataFrame, as_of: pd.Timestamp) -> Calibration:
    """Estimate the chain's parameters from ``log`` as it was known at ``as_of``.

    Example::

        >>> cal = calibrate(log, pd.Timestamp("2025-07-01", tz="UTC"))  # doctest: +SKIP
        >>> cal.capacities.aanmeldgehoor  # households interviewed per week  # doctest: +SKIP
    """
    chain = load_chain()
    log = log[log[TIMESTAMP] < as_of]
    missing = [a for a in NEEDED if not log[ACTIVITY].eq(a).any()]
    if missing:
        raise EventLogError(
            f"a scenario needs the chain's events before {as_of:%Y-%m-%d}, and this log has no "
            f"{', '.join(missing)}: use a chain event log made by `ketenlens ingest`"
        )
    default = load_config()
    raw = copy.deepcopy(default.raw)
    est: list[Estimate] = []

    def note(parameter: str, **figures: Any) -> None:
        est.append(Estimate(parameter, figures))

    year = log[log[TIMESTAMP] >= as_of - pd.Timedelta(days=ARRIVAL_WINDOW_DAYS)]
    recent = log[log[TIMESTAMP] >= as_of - pd.Timedelta(weeks=CAPACITY_WINDOW_WEEKS)]
    log = log.assign(_household=household_or_person(log.get(HOUSEHOLD), log[CASE]))
    year = log.loc[year.index]
    recent = log.loc[recent.index]

    # ---- arrivals: households whose first event is the registration, in the last year
    first = log.sort_values(TIMESTAMP, kind="stable").groupby(CASE, observed=True).head(1)
    arrived = first[(first[ACTIVITY] == ARRIVAL) & (first[TIMESTAMP] >= year[TIMESTAMP].min())]
    sizes = log[log[CASE].isin(arrived[CASE])].groupby("_household")[CASE].nunique()
    months = ARRIVAL_WINDOW_DAYS / 365.25 * 12
    households_pm = len(sizes) / months
    persons_pm = float(sizes.sum()) / months
    arrival_month = (
        arrived.groupby(arrived[CASE].map(log.groupby(CASE, observed=True)["_household"].first()))[
            TIMESTAMP
        ]
        .min()
        .dt.tz_convert("Europe/Amsterdam")
        .dt.month
    )
    per_month = arrival_month.value_counts().reindex(range(1, 13), fill_value=0).to_numpy()
    season = per_month / per_month.mean() if per_month.sum() else np.ones(12)
    note("arrivals", households=households_pm, persons=persons_pm)
    if len(sizes) >= MIN_OBSERVED:
        counts = sizes.clip(upper=6).value_counts().sort_index()
        raw["inflow"]["household_sizes"] = [int(s) for s in counts.index]
        raw["inflow"]["household_shares"] = [float(x) for x in counts.to_numpy() / counts.sum()]
        inflow = raw["inflow"]
        pairs = zip(inflow["household_sizes"], inflow["household_shares"], strict=True)
        note("household_sizes", sizes={str(size): share for size, share in pairs})
    arrived_people = log[log[CASE].isin(arrived[CASE])].groupby(CASE, observed=True).first()
    if PROCEDURE in arrived_people and len(arrived_people) >= MIN_OBSERVED:
        raw["inflow"]["repeat_share"] = float((arrived_people[PROCEDURE] == REPEAT).mean())
        note("repeat_applications", repeat_share=raw["inflow"]["repeat_share"])

    # ---- nationalities: shares among arrivals, grant share among decisions of the last year
    if NATIONALITY in log and len(arrived_people) >= MIN_OBSERVED:
        nat_share = arrived_people[NATIONALITY].value_counts(normalize=True)
        decided = year[year[ACTIVITY].isin(DECISIONS)]
        granted = (decided[ACTIVITY] == DECISIONS[0]).groupby(decided[NATIONALITY]).mean()
        all_decided = log[log[ACTIVITY].isin(DECISIONS)]
        overall = float((all_decided[ACTIVITY] == DECISIONS[0]).mean())
        safe = (arrived_people[TRACK] == SAFE_TRACK).groupby(arrived_people[NATIONALITY]).mean()
        raw["nationality"] = [
            {
                "name": str(n),
                "share": float(s),
                "approval": float(granted.get(n, overall)),
                "safe_country": bool(safe.get(n, 0.0) > 0.5),
            }
            for n, s in nat_share.items()
        ]
        note("nationalities", groups=len(nat_share))

    # ---- tracks and procedure
    t = raw["tracks"]
    claims = _count(log, "ind_dublin_claim")
    tracked = _count(log, "ind_spoortoedeling")
    t["dublin_share"] = _share(claims, tracked, t["dublin_share"])
    t["dublin_transfer_share"] = _share(
        _count(log, "ind_dublin_overdracht"), claims, t["dublin_transfer_share"]
    )
    note("dublin", claimed_share=t["dublin_share"], transferred_share=t["dublin_transfer_share"])
    t["va_share"] = _share(
        _count(year, "ind_doorzending_va"), _count(year, "ind_nader_gehoor"), t["va_share"]
    )
    va = durations(log, "ind_doorzending_va", DECISIONS, as_of)
    t["va_weeks"] = skewed_bounds(va, t["va_weeks"], DAYS_PER_WEEK)
    note("extended_procedure", referred_share=t["va_share"], weeks=t["va_weeks"])

    # ---- appeals
    a = raw["appeals"]
    rejected = _count(log, "ind_beschikking_afwijzing")
    appealed = _count(log, "ind_beroep_ingesteld")
    a["appeal_share"] = _share(appealed, rejected, a["appeal_share"])
    upheld = _count(log, "ind_uitspraak_gegrond")
    a["upheld_share"] = _share(
        upheld, upheld + _count(log, "ind_uitspraak_ongegrond"), a["upheld_share"]
    )
    ruling = durations(
        log, "ind_beroep_ingesteld", ("ind_uitspraak_gegrond", "ind_uitspraak_ongegrond"), as_of
    )
    a["ruling_weeks"] = uniform_bounds(ruling, a["ruling_weeks"], DAYS_PER_WEEK)
    note(
        "appeals",
        appeal_share=a["appeal_share"],
        upheld_share=a["upheld_share"],
        weeks=a["ruling_weeks"],
    )

    # ---- IND capacity: interviews per week in the last 26 weeks (households)
    weeks = CAPACITY_WINDOW_WEEKS
    agh = recent.loc[recent[ACTIVITY] == "ind_aanmeldgehoor", "_household"].nunique() / weeks
    nader = recent[recent[ACTIVITY] == "ind_nader_gehoor"]
    nader_year = year[year[ACTIVITY] == "ind_nader_gehoor"]
    per_office = _weekly(nader, nader_year, RESOURCE, "_household")
    registration = log.loc[log[ACTIVITY] == ARRIVAL, RESOURCE].astype(str).mode()
    offices_seen = log.loc[log[ACTIVITY] == "ind_nader_gehoor", RESOURCE].astype(str).unique()
    names = sorted(
        set(offices_seen) | set(registration), key=lambda n: (n not in set(registration), n)
    )
    pol = _pol_of_offices(log, names)
    total = max(float(per_office.sum()), 1e-9)
    defaults = {o["name"]: o for o in default.raw["office"]}
    raw["office"] = [
        {
            "name": n,
            "share": float(per_office.get(n, 0.0)) / total,
            "pol": pol.get(n) or defaults.get(n, {}).get("pol") or "",
        }
        for n in names
    ]
    note("aanmeldgehoor_capacity", per_week=agh)
    note("nader_gehoor_capacity", offices={n: float(per_office.get(n, 0.0)) for n in names})

    # ---- reception locations and relocations
    loc = log[log["location_type"].notna()] if "location_type" in log else log.iloc[:0]
    types = loc.groupby(loc[RESOURCE].astype(str))["location_type"].agg(lambda s: s.mode()[0])
    moved = year[(year[ACTIVITY] == "coa_overplaatsing")]
    weights = moved[RESOURCE].astype(str).value_counts()
    if len(types):
        raw["reception"]["locations"] = [
            {
                "name": n,
                "type": str(ty),
                "weight": float(weights.get(n, 0)) if ty in QUEUE_LOCATION_TYPES else 0.0,
            }
            for n, ty in types.items()
        ]
        if not any(x["weight"] > 0 for x in raw["reception"]["locations"]):
            for x in raw["reception"]["locations"]:
                x["weight"] = 1.0 if x["type"] in QUEUE_LOCATION_TYPES else 0.0
        for o in raw["office"]:
            if o["pol"] not in types.index:
                o["pol"] = str(types.index[0])
        note("reception_locations", locations=len(types))

    # ---- koppeling
    k = raw["koppeling"]
    k["days"] = skewed_bounds(
        durations(
            log, "ind_vergunning_uitgereikt", ("coa_koppeling",), as_of, since=year[TIMESTAMP].min()
        ),
        k["days"],
    )
    k["notice_days"] = uniform_bounds(
        durations(log, "coa_koppeling", ("gem_koppeling_ontvangen",), as_of), k["notice_days"]
    )
    note("koppeling", days=k["days"], notice_days=k["notice_days"])
    linked = log.loc[log[ACTIVITY] == "coa_koppeling", MUNICIPALITY].dropna().astype(str)
    known = [c for c in sorted(linked.unique()) if _known(chain, c)]
    raw["municipalities"] = {"gemeente-csv": known}
    note("taakstelling", municipalities=len(known))

    # ---- housing
    h = raw["housing"]
    offered = _count(year, "gem_woning_aangeboden")
    h["refusal_share"] = _share(_count(year, "gem_woning_geweigerd"), offered, h["refusal_share"])
    h["lease_days"] = skewed_bounds(
        durations(log, "gem_woning_aangeboden", ("gem_huurcontract_getekend",), as_of),
        h["lease_days"],
    )
    h["move_days"] = skewed_bounds(
        durations(log, "gem_huurcontract_getekend", (MOVE_OUT,), as_of), h["move_days"]
    )
    # the chain's homes per week from the last 26 weeks, shared out by the last 12 months (a
    # year holds more of a small municipality's moves than half of one)
    total = recent.loc[recent[ACTIVITY] == MOVE_OUT, CASE].nunique() / weeks
    housed_year = year[year[ACTIVITY] == MOVE_OUT]
    per_municipality = housed_year.groupby(housed_year[MUNICIPALITY].astype(str))[CASE].nunique()
    share = per_municipality.reindex(known, fill_value=0) / max(per_municipality.sum(), 1)
    few = [c for c in known if per_municipality.get(c, 0) < MIN_OBSERVED]
    if few:
        # together they housed what they housed; shared out by population, not by chance
        population = {c: float(chain.register.population(c, as_of.year) or 0) for c in few}
        pool, people = float(share[few].sum()), sum(population.values()) or 1.0
        share[few] = [pool * population[c] / people for c in few]
    housing = {c: float(total * share[c]) for c in known}
    note(
        "housing_supply",
        per_week=sum(housing.values()),
        municipalities=len(known),
        few=len(few),
    )
    note(
        "housing_offers",
        refused_share=h["refusal_share"],
        lease_days=h["lease_days"],
        move_days=h["move_days"],
    )
    # ---- nareis
    n = raw["nareis"]
    n["approval"] = _share(
        _count(log, "ind_nareis_besluit_inwilliging"),
        _count(log, "ind_nareis_besluit_inwilliging") + _count(log, "ind_nareis_besluit_afwijzing"),
        n["approval"],
    )
    nareis_decided = durations(
        log,
        "ind_nareis_aanvraag",
        ("ind_nareis_besluit_inwilliging", "ind_nareis_besluit_afwijzing"),
        as_of,
    )
    n["decision_weeks"] = skewed_bounds(nareis_decided, n["decision_weeks"], DAYS_PER_WEEK)
    if HOUSEHOLD in log:
        households = log.groupby(CASE, observed=True)[HOUSEHOLD].first()
        travel = travel_days(log, households, log[log[ACTIVITY] == "ind_nareiziger_inreis"])
        n["travel_weeks"] = uniform_bounds(travel, n["travel_weeks"], DAYS_PER_WEEK)
    note(
        "nareis",
        granted_share=n["approval"],
        decision_weeks=n["decision_weeks"],
        travel_weeks=n["travel_weeks"],
    )
    note("not_in_the_log")

    raw["bottleneck"] = []
    raw["world"] = world_at(as_of)
    capacities = Capacities(
        aanmeldgehoor=float(agh),
        nader_gehoor={n: float(per_office.get(n, 0.0)) for n in names},
        housing=housing,
    )
    config = GeneratorConfig(raw=raw, dirt=default.dirt, source="calibrated")
    return Calibration(
        as_of, config, capacities, households_pm, persons_pm, [float(x) for x in season], est
    )


def world_at(as_of: pd.Timestamp) -> dict[str, date]:
    """A calibration's world: it starts, is cut off and ends at ``as_of``'s day (a run sets its
    own window, :func:`toolkit.scenario.run.simulate_window`)."""
    start = as_of.tz_convert("Europe/Amsterdam").date()
    return {"start": start, "cutoff": start, "run_until": start}


def _weekly(recent: pd.DataFrame, year: pd.DataFrame, by: str, unit: str) -> pd.Series:
    """Per value of ``by``: distinct ``unit`` per week in the recent window, or in the year where
    the recent window has too few to tell a small unit's rate from zero."""
    short = recent.groupby(recent[by].astype(str))[unit].nunique()
    long = year.groupby(year[by].astype(str))[unit].nunique()
    rate = (short / CAPACITY_WINDOW_WEEKS).reindex(long.index.union(short.index)).fillna(0.0)
    few = short.reindex(rate.index).fillna(0) < MIN_OBSERVED
    weeks_year = ARRIVAL_WINDOW_DAYS / DAYS_PER_WEEK
    rate[few] = (long.reindex(rate.index).fillna(0) / weeks_year)[few]
    return rate


def _known(chain, code: str) -> bool:
    try:
        chain.municipality(code)
    except KeyError:
        return False
    return True


def _pol_of_offices(log: pd.DataFrame, offices: list[str]) -> dict[str, str]:
    """Per IND office the POL where most of its interviewed persons stayed."""
    if "location_type" not in log:
        return {}
    nader = log[log[ACTIVITY] == "ind_nader_gehoor"][[CASE, RESOURCE]].astype(str)
    pols = log[log["location_type"].astype(str) == "POL"][[CASE, RESOURCE]].astype(str)
    both = nader.merge(pols, on=CASE, suffixes=("_office", "_pol"))
    if both.empty:
        return {}
    top = both.groupby(f"{RESOURCE}_office")[f"{RESOURCE}_pol"].agg(lambda s: s.mode()[0])
    return {o: top[o] for o in offices if o in top.index}


def travel_days(log: pd.DataFrame, household: pd.Series, arrivals: pd.DataFrame) -> np.ndarray:
    """Days from a household's nareis grant to its first nareiziger after it."""
    granted = log[log[ACTIVITY] == "ind_nareis_besluit_inwilliging"]
    granted = granted.assign(household=household.reindex(granted[CASE]).to_numpy())
    pairs = granted[["household", TIMESTAMP]].merge(
        arrivals[[HOUSEHOLD, TIMESTAMP]].rename(columns={HOUSEHOLD: "household"}),
        on="household",
        suffixes=("_granted", "_arrived"),
    )
    pairs = pairs[pairs[f"{TIMESTAMP}_arrived"] >= pairs[f"{TIMESTAMP}_granted"]]
    first = pairs.groupby(["household", f"{TIMESTAMP}_granted"])[f"{TIMESTAMP}_arrived"].min()
    granted_at = first.index.get_level_values(1)
    return ((first.to_numpy() - granted_at.to_numpy()) / np.timedelta64(1, "D")).astype(float)
