"""The transition model, learnt from the units before the as-of moment.

* **Waits** (Kaplan-Meier with delayed entry, :mod:`toolkit.bottlenecks.survival`) from the waits
  under way in the last ``WINDOW_DAYS``: application to first decision (per track, as known at
  the moment), grant to permit, permit to koppeling, koppeling to move-out (per municipality
  where it has enough move-outs, else the other municipalities' curve stretched by its time
  ratio, :func:`time_ratio`), a rejection to a later permit (after appeal) and to leaving the
  chain, a referent's permit to the arrival of nareizigers, a nareiziger's arrival to their
  permit, and nareizigers joining the referent's home (from the later of their koppeling and
  the referent's move-out, :func:`joining_start`). A wait whose end the log misses while the
  unit reached a later milestone is over, not still running: it is left out.
* **Grant** at the first decision: the share of decisions in the window that granted, per
  nationality and track, shrunk toward the nationality's share and that toward the national
  share (``PSEUDO_DECISIONS`` pseudo-decisions of the level above, a beta prior), so a small
  group borrows from its larger group instead of jumping to 0 or 1.
* **Municipality** of a new koppeling: a Dirichlet posterior. The prior is each municipality's
  taakstelling share (its population share, from the chain's municipality register); the data
  are the persons linked to it in the window. The prior's weight is estimated from the data
  (:func:`prior_weight`): where municipalities realise their shares unevenly, one with many
  recent koppelingen is forecast from its own pace and one with few from its share of the
  taakstelling; each run draws its shares from the posterior.
* **Backlog**: a municipality behind its taakstelling at the end of a half-year carries that
  backlog (or surplus) into the next one, so what it was behind at the moment
  (:func:`due_and_linked`: its population share of every half-year's koppelingen in the log,
  minus the persons linked to it) is due on top of its share of the koppelingen to come.
  How much being behind weighs (``spread``, :func:`allocation_spread`) is learnt by replaying
  the window's koppelingen (:mod:`toolkit.forecast.allocation`).
* **Pace**: deciding and housing are bound by capacity (the IND's interviews, the homes on
  offer), so a longer queue does not mean more grants or move-outs per month. The households
  granted, rejected and moved into a home of their own (not nareizigers joining a referent)
  per day over the last ``RECENT_MONTHS`` months set how many there are; each household's
  outcome (grant or not) and the curves set who goes first (:mod:`toolkit.forecast.simulation`).
* **Arrivals**: new households per month at the pace of the last ``RECENT_MONTHS`` months,
  with the sizes and nationalities of those arrivals.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from scipy.special import logsumexp

from toolkit.bottlenecks.survival import KaplanMeier, kaplan_meier
from toolkit.chain.model import Chain
from toolkit.filters import LOCAL_TZ
from toolkit.forecast.state import DAY, UNKNOWN

WINDOW_DAYS = 365
RECENT_MONTHS = 6
DAYS_PER_MONTH = 365.25 / 12
PSEUDO_DECISIONS = 10.0
MAX_PRIOR_WEIGHT = 1e6
MIN_EVENTS = 20  # a municipality's own move-out curve needs this many move-outs
RATIOS = np.exp(np.linspace(np.log(1 / 8), np.log(8), 121))  # time ratios tried, 1 among them
KNOTS = 40  # points of the national curve between which its hazard is joined (_hazard)
RATIO_SPREAD = np.log(1.25)  # prior: about 1 municipality in 3 houses over 1.25x as fast or slow
HALF_YEAR_MONTHS = 6
MAX_CHOICES = 5000  # koppelingen replayed to learn the allocation's spread
SPREAD_BOUNDS = (np.log(0.01), np.log(1e4))  # persons, as natural logarithms


@dataclass(frozen=True)
class Pace:
    """How many households passed a capacity-bound step in the last ``days`` days."""

    count: int
    days: float


@dataclass(frozen=True)
class Model:
    """Everything the simulation draws from (see the module)."""

    decision: dict[str, KaplanMeier]
    grant_to_permit: KaplanMeier
    permit_to_koppeling: KaplanMeier
    housing: dict[str, KaplanMeier]
    housing_ratio: dict[str, float]
    joining: KaplanMeier
    rejection_to_permit: KaplanMeier
    rejection_to_left: KaplanMeier
    nareis_after_permit: KaplanMeier
    nareis_to_permit: KaplanMeier
    nareis_sizes: np.ndarray
    grant: dict[tuple[str, str], float]
    grant_by_nationality: dict[str, float]
    grant_overall: float
    municipalities: tuple[str, ...]
    population_share: np.ndarray
    share_alpha: np.ndarray
    backlog: np.ndarray
    spread: float
    arrivals_per_day: float
    arrival_pool: pd.DataFrame
    grants: Pace
    rejections: Pace
    move_outs: Pace

    def grant_probability(self, nationality: pd.Series, track: pd.Series) -> np.ndarray:
        """The chance that a first decision grants, per unit."""
        return np.array([
            self.grant.get((n, t), self.grant_by_nationality.get(n, self.grant_overall))
            for n, t in zip(nationality, track, strict=True)
        ])  # fmt: skip

    def housing_for(self, municipality: str) -> KaplanMeier:
        return self.housing.get(municipality, self.housing[UNKNOWN])


def half_year(moment: pd.Timestamp) -> str:
    """The taakstelling half-year of a moment, e.g. ``2024-II``."""
    local = moment.tz_convert(LOCAL_TZ)
    return f"{local.year}-{'I' if local.month <= HALF_YEAR_MONTHS else 'II'}"


def half_year_start(label: str) -> pd.Timestamp:
    """The first moment (UTC) of a half-year such as ``2024-II``."""
    year, part = label.split("-")
    month = 1 if part == "I" else HALF_YEAR_MONTHS + 1
    return pd.Timestamp(year=int(year), month=month, day=1).tz_localize(LOCAL_TZ).tz_convert("UTC")


def population_shares(chain: Chain, day: date) -> pd.Series:
    """The taakstelling key on ``day``: each existing municipality's share of the population on
    1 January of that year."""
    existing = [m.code for m in chain.register.on(day)]
    population = pd.Series(
        [chain.register.population(code, day.year) or 0 for code in existing],
        index=existing,
        dtype=float,
    )
    return population / population.sum()


def due_and_linked(
    units: pd.DataFrame, moment: pd.Timestamp, chain: Chain, codes: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Per municipality of ``codes``, the persons due under the taakstelling over the log before
    ``moment`` (per half-year, its population share of the persons linked then) and the persons
    linked to it. A municipality that merged hands both to the one it became part of."""
    linked = units[units["koppeling"].notna() & (units["koppeling"] < moment)]
    due = pd.Series(0.0, index=list(codes))
    got = pd.Series(0.0, index=list(codes))
    period = linked["koppeling"].map(half_year)
    for label, group in linked.groupby(period):
        share = population_shares(chain, half_year_start(label).tz_convert(LOCAL_TZ).date())
        due = due.add(share * float(group["size"].sum()), fill_value=0.0)
        got = got.add(group.groupby("municipality")["size"].sum(), fill_value=0.0)
    day = moment.tz_convert(LOCAL_TZ).date()
    due, got = (
        due.reindex(due.index.union(got.index), fill_value=0.0),
        got.reindex(due.index.union(got.index), fill_value=0.0),
    )
    for code in due.index.difference(pd.Index(codes)):  # merged away: to its successor
        if chain.register.get(code) is not None:
            heir = chain.register.current_code(code, day)
            if heir in codes:
                due[heir] += due[code]
                got[heir] += got[code]
    return (due.reindex(list(codes), fill_value=0.0).to_numpy(),
            got.reindex(list(codes), fill_value=0.0).to_numpy())  # fmt: skip


def _heirs(chain: Chain, codes: tuple[str, ...], day: date) -> dict[str, int]:
    """Position in ``codes`` of every registered municipality that is, or merged into, one of
    them by ``day``."""
    index = {code: i for i, code in enumerate(codes)}
    out = {}
    for m in chain.register.municipalities:
        heir = chain.register.current_code(m.code, day)
        if heir in index:
            out[m.code] = index[heir]
    return {**out, **index}


def allocation_spread(
    units: pd.DataFrame, moment: pd.Timestamp, chain: Chain, codes: tuple[str, ...]
) -> float:
    """How strictly the koppelingen in the log followed "furthest behind first", in persons:
    the ``spread`` of :func:`toolkit.forecast.allocation.link`, by maximum likelihood.

    The koppelingen of the last ``WINDOW_DAYS`` (the last ``MAX_CHOICES`` of them) are replayed
    in time order with each municipality's running backlog, as :func:`due_and_linked` counts
    it; each household not following a referent chose its municipality with probability
    proportional to share x exp(backlog / spread). A small spread says the one furthest behind
    got it; a large one that the backlog the log shows hardly mattered (the log misses some
    koppelingen, or COA weighs more than the count)."""
    day = moment.tz_convert(LOCAL_TZ).date()
    window = units[(units["koppeling"] >= moment - pd.Timedelta(days=WINDOW_DAYS))
                   & (units["koppeling"] < moment)].sort_values("koppeling", kind="stable")  # fmt: skip
    window = window.iloc[-MAX_CHOICES:]
    if window["nareis"].all():
        return 0.0
    heirs = _heirs(chain, codes, day)
    due, got = due_and_linked(units, window["koppeling"].iloc[0], chain, codes)
    sizes = window["size"].to_numpy(dtype=float)
    period = window["koppeling"].map(half_year).to_numpy()
    increments = np.zeros((len(window), len(codes)))
    for label in np.unique(period):
        population = population_shares(chain, half_year_start(label).tz_convert(LOCAL_TZ).date())
        share = np.zeros(len(codes))
        for code, value in population.items():
            if code in heirs:
                share[heirs[code]] += value
        here = period == label
        increments[here] = sizes[here, None] * share[None, :]
    chosen = window["municipality"].map(heirs).fillna(-1).to_numpy(dtype=int)
    received = np.zeros_like(increments)
    rows = np.nonzero(chosen >= 0)[0]
    received[rows, chosen[rows]] = sizes[rows]
    # each household's backlog when its turn came: its own share counted, its own persons not yet
    behind = (due - got)[None, :] + np.cumsum(increments, axis=0) - np.cumsum(received, axis=0)
    behind += received
    choices = np.nonzero((chosen >= 0) & ~window["nareis"].to_numpy())[0]
    share_now = increments[choices] / sizes[choices, None]
    behind, picked = behind[choices], chosen[choices]
    log_share = np.log(np.where(share_now > 0, share_now, 1.0))
    possible = share_now > 0
    ok = possible[np.arange(len(choices)), picked]
    if not ok.any():
        return 0.0
    behind, picked, log_share, possible = behind[ok], picked[ok], log_share[ok], possible[ok]
    rows = np.arange(len(picked))

    def loss(log_spread: float) -> float:
        z = np.where(possible, log_share + behind / np.exp(log_spread), -np.inf)
        return float(-(z[rows, picked] - logsumexp(z, axis=1)).mean())

    best = minimize_scalar(loss, bounds=SPREAD_BOUNDS, method="bounded")
    return float(np.exp(best.x))


def joining_start(units: pd.DataFrame, moment: pd.Timestamp) -> pd.Series:
    """Per nareis unit, when its wait to join the referent's home began: the later of its
    koppeling and the referent's move-out; NaT while either is still to come at ``moment``
    (the wait has not begun)."""
    nareis = units[units["nareis"]]
    home = units[~units["nareis"]].groupby("household")["move_out"].min()
    referent_home = nareis["household"].map(home)
    referent_home = referent_home.where(referent_home < moment)
    return pd.concat([nareis["koppeling"], referent_home], axis=1).max(axis=1, skipna=False)


def window_waits(
    start: pd.Series,
    end: pd.Series,
    moment: pd.Timestamp,
    censor: pd.Series | None = None,
    later: pd.Series | None = None,
) -> pd.DataFrame:
    """The waits from ``start`` to ``end`` under way in the window before ``moment``, one row
    per unit that had one (its index): their ``days``, whether each is still running
    (``censored``) and the day it entered the window (``entry``); a wait without ``end`` is
    censored at ``censor`` (if earlier) or the moment.

    A wait without ``end`` whose unit reached a ``later`` milestone before the moment (a
    koppeling, but no permit in the log) is over, its end unrecorded: it is left out. Counted
    as still waiting, it would hold the curve up for ever, and the forecast would keep that
    share of every unit waiting beyond sight."""
    window_start = moment - pd.Timedelta(days=WINDOW_DAYS)
    stop = end.where(end.notna() & (end < moment), pd.NaT)
    if later is not None:
        unrecorded = stop.isna() & (later < moment) & (later >= start)
        start, stop, end = start[~unrecorded], stop[~unrecorded], end[~unrecorded]
        censor = None if censor is None else censor[~unrecorded]
    observed = stop.notna()
    if censor is not None:
        censor = censor.where(censor.notna() & (censor < moment), moment)
        observed &= ~(censor < stop)
        stop = stop.where(observed, censor)
    stop = stop.fillna(moment)
    keep = start.notna() & (stop > window_start) & (stop >= start)
    s, e = start[keep], stop[keep]
    return pd.DataFrame({"days": (e - s) / DAY, "censored": ~observed[keep],
                         "entry": ((window_start - s) / DAY).clip(lower=0)})  # fmt: skip


def window_km(
    start: pd.Series,
    end: pd.Series,
    moment: pd.Timestamp,
    censor: pd.Series | None = None,
    later: pd.Series | None = None,
) -> KaplanMeier:
    """Kaplan-Meier of the waits under way in the window before ``moment``
    (:func:`window_waits`)."""
    waits = window_waits(start, end, moment, censor, later)
    return kaplan_meier(waits["days"].to_numpy(), waits["censored"].to_numpy(),
                        waits["entry"].to_numpy())  # fmt: skip


def _hazard(curve: KaplanMeier) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The curve as a cumulative hazard H (the sum of ended over at risk, finite also where the
    curve reaches 0), joined linearly between ``KNOTS`` of the days on which waits ended, as
    many endings apart: knots, values, and the slope of each stretch, the last going on past
    the curve's end at its mean slope since the median (H = ln 2; since the start where the
    curve never gets there). Joined at every ending, the slopes would jump with the gaps
    between endings, and so would the best factor."""
    previous = np.concatenate([[1.0], curve.survival[:-1]])
    steps = np.where(previous > 0, 1.0 - curve.survival / np.where(previous > 0, previous, 1), 0)
    ended = steps > 0  # the curve also holds the days on which waits were only censored
    every = np.unique(np.linspace(0, ended.sum() - 1, min(KNOTS, ended.sum())).round().astype(int))
    knots = np.concatenate([[0.0], curve.times[ended][every]])
    values = np.concatenate([[0.0], np.cumsum(steps[ended])[every]])
    slopes = np.diff(values) / np.maximum(np.diff(knots), 1e-9)
    # from the median on (H = ln 2), or the whole curve where it never gets there
    median = min(int(np.searchsorted(values, np.log(2))), len(knots) - 1)
    median = median if knots[-1] > knots[median] else 0
    tail = (values[-1] - values[median]) / max(knots[-1] - knots[median], 1e-9)
    return knots, values, np.append(slopes, max(tail, 1e-9))


def time_ratio(
    curve: KaplanMeier, days: np.ndarray, censored: np.ndarray, entry: np.ndarray
) -> float:
    """How many times as long these waits take as the curve's: the factor *a* under which
    S(t / a) fits them best (an accelerated failure time model: a municipality that houses
    three times slower stretches every wait threefold). The most probable factor on a grid
    (the posterior mode), with the curve's cumulative hazard H joined linearly (so an ending
    has a density h; :func:`_hazard`) and log *a* normal around 0 with ``RATIO_SPREAD`` (a
    municipality with few waits stays near the nation): the log-likelihood sums
    log h(t / a) - H(t / a) - log a of the ended waits, -H(t / a) of those still running and
    +H(e / a) of a wait watched from day e."""
    if not curve.times.size or not days.size:
        return 1.0
    knots, values, slopes = _hazard(curve)

    def hazard(waited: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """h and H at each wait's days divided by each factor (a row per wait)."""
        x = waited[:, None] / RATIOS
        stretch = np.searchsorted(knots, x, side="right") - 1
        return slopes[stretch], values[stretch] + slopes[stretch] * (x - knots[stretch])

    rate, cumulative = hazard(days[~censored])
    scores = (np.log(rate) - cumulative).sum(axis=0) - rate.shape[0] * np.log(RATIOS)
    scores -= hazard(days[censored])[1].sum(axis=0)
    scores += hazard(entry[entry > 0])[1].sum(axis=0)
    scores -= 0.5 * (np.log(RATIOS) / RATIO_SPREAD) ** 2
    return float(RATIOS[int(np.argmax(scores))])


def _housing(
    first: pd.DataFrame, moment: pd.Timestamp
) -> tuple[dict[str, KaplanMeier], dict[str, float]]:
    """The move-out curve per municipality: its own with ``MIN_EVENTS`` move-outs in the
    window, else the curve of the rest of the nation stretched by its :func:`time_ratio`. A
    slow municipality has few move-outs because it is slow: given the national curve as it is,
    it would be forecast to house at the nation's speed. The ratio is fitted against the other
    municipalities' waits: where few waited long, a municipality's own long waits would make
    the national curve's tail, and its ratio 1."""
    waits = window_waits(first["koppeling"], first["move_out"], moment)
    waits["code"] = first["municipality"].astype("string").fillna(UNKNOWN).reindex(waits.index)
    waits = waits.sort_values("code", kind="stable")
    every = [waits[c].to_numpy() for c in ("days", "censored", "entry")]
    national = kaplan_meier(*every)
    housing = {UNKNOWN: national}
    ratios: dict[str, float] = {}
    codes = waits["code"].to_numpy()
    bounds = np.r_[0, np.flatnonzero(codes[1:] != codes[:-1]) + 1, len(codes)]
    for first_row, end_row in itertools.pairwise(bounds if len(codes) else []):
        code, here = str(codes[first_row]), slice(first_row, end_row)
        if code == UNKNOWN:  # linked without a municipality: in the nation's curve only
            continue
        days, censored, entry = (part[here] for part in every)
        own = kaplan_meier(days, censored, entry)
        if own.completed >= MIN_EVENTS:
            housing[code] = own
            continue
        others = kaplan_meier(*(np.delete(part, here) for part in every))
        ratio = time_ratio(others, days, censored, entry)
        ratios[code] = ratio
        housing[code] = KaplanMeier(others.times * ratio, others.survival, own.persons,
                                    own.completed)  # fmt: skip
    return housing, ratios


def _grant_shares(units: pd.DataFrame, moment: pd.Timestamp) -> tuple[dict, dict, float]:
    """Grant shares of first decisions (and leavings before one) in the window, shrunk."""
    window_start = moment - pd.Timedelta(days=WINDOW_DAYS)
    first = units[~units["nareis"]]
    ended = first["decision"].where(first["decision"].notna(), first["left"])
    done = first[(ended >= window_start) & (ended < moment)]
    granted = done["grant"].notna() & (done["grant"] <= done["decision"])
    overall = (granted.sum() + 0.5) / (len(done) + 1.0)
    by_nat: dict[str, float] = {}
    for nat, g in granted.groupby(done["nationality"]):
        by_nat[str(nat)] = (g.sum() + PSEUDO_DECISIONS * overall) / (len(g) + PSEUDO_DECISIONS)
    cells: dict[tuple[str, str], float] = {}
    for (nat, track), g in granted.groupby([done["nationality"], done["track"]]):
        prior = by_nat.get(str(nat), overall)
        cells[(str(nat), str(track))] = (g.sum() + PSEUDO_DECISIONS * prior) / (
            len(g) + PSEUDO_DECISIONS
        )
    return cells, by_nat, float(overall)


def _shares(units: pd.DataFrame, moment: pd.Timestamp, chain: Chain) -> tuple:
    """Municipalities, population shares, the Dirichlet posterior of koppeling shares and the
    backlog each municipality carries at the moment.

    The shares are those of the municipalities that exist on the moment's day, by their population
    on 1 January of its year (the taakstelling's key)."""
    population = population_shares(chain, moment.tz_convert(LOCAL_TZ).date())
    codes = list(population.index)
    population = population.to_numpy()
    window_start = moment - pd.Timedelta(days=WINDOW_DAYS)
    linked = units[(units["koppeling"] >= window_start) & (units["koppeling"] < moment)]
    persons = linked.groupby("municipality")["size"].sum()
    extra = sorted(set(persons.index) - set(codes))  # linked, but not in the register
    codes += extra
    population = np.concatenate([population, np.zeros(len(extra))])
    share = population / population.sum()
    counts = persons.reindex(codes, fill_value=0).to_numpy(dtype=float)
    sizes = linked["size"].to_numpy(dtype=float)
    clustering = float((sizes**2).sum() / sizes.sum()) if len(sizes) else 1.0
    alpha = prior_weight(counts, share, clustering) * share + counts
    due, got = due_and_linked(units, moment, chain, tuple(codes))
    return tuple(codes), share, np.maximum(alpha, 1e-9), due - got


def prior_weight(counts: np.ndarray, share: np.ndarray, clustering: float = 1.0) -> float:
    """The weight (in persons) of the taakstelling shares against the recent koppelingen: the
    Dirichlet concentration estimated from how far the municipalities' counts stray from their
    shares (method of moments of the Dirichlet-multinomial). Persons come in households, so
    chance alone spreads person counts by ``clustering`` (sum of squared household sizes over
    persons) times the multinomial variance. Counts that stray no more than chance allows give
    the shares all the weight (``MAX_PRIOR_WEIGHT``); counts that stray far (municipalities
    that link unevenly) let each municipality's own pace count."""
    total = counts.sum()
    expected = total * share
    inside = expected > 0
    if total <= 1 or inside.sum() < 2:
        return MAX_PRIOR_WEIGHT
    spread = float((((counts - expected)[inside]) ** 2 / expected[inside]).sum())
    # 1 for chance alone, (N + c) / (1 + c) for Dirichlet shares of concentration c
    dispersion = spread / (inside.sum() - 1) / clustering
    if dispersion <= 1.0:
        return MAX_PRIOR_WEIGHT
    return float(min(max((total - dispersion) / (dispersion - 1.0), 0.0), MAX_PRIOR_WEIGHT))


def fit(units: pd.DataFrame, moment: pd.Timestamp, chain: Chain) -> Model:
    """The model of the chain as it ran in the window before ``moment``."""
    first = units[~units["nareis"]]
    decision_end = first["decision"].where(first["decision"].notna(), first["left"])
    # the first milestone after each wait: where the log has it, the wait is over
    after_decision = first[["permit", "koppeling", "move_out"]].min(axis=1)
    after_permit = units[["koppeling", "move_out"]].min(axis=1)
    decision = {UNKNOWN: window_km(first["start"], decision_end, moment, later=after_decision)}
    for track, group in first.groupby("track"):
        if track != UNKNOWN:
            decision[str(track)] = window_km(group["start"], decision_end[group.index], moment,
                                             later=after_decision[group.index])  # fmt: skip
    decision = {
        k: v if v.completed >= MIN_EVENTS else decision[UNKNOWN] for k, v in decision.items()
    }
    housing, housing_ratio = _housing(first, moment)
    # a referent's household: nareizigers arrive in a unit of their own with the same household
    nareis_units = units[units["nareis"]]
    arrival_of_household = nareis_units.groupby("household")["nareis_arrival"].min()
    referents = first[(first["size"] == 1) & first["permit"].notna()]
    family = referents["household"].map(arrival_of_household)
    family = family.where(family > referents["permit"])
    recent_start = moment - pd.Timedelta(days=RECENT_MONTHS * DAYS_PER_MONTH)
    arrived = first[(first["arrival"] >= recent_start) & (first["arrival"] < moment)]
    recent_nareis = nareis_units[nareis_units["nareis_arrival"] >= moment - pd.Timedelta(
        days=WINDOW_DAYS)]  # fmt: skip
    cells, by_nat, overall = _grant_shares(units, moment)
    codes, share, alpha, backlog = _shares(units, moment, chain)
    days = RECENT_MONTHS * DAYS_PER_MONTH
    recent = first[(decision_end >= recent_start) & (decision_end < moment)]
    granted = int((recent["grant"].notna() & (recent["grant"] <= recent["decision"])).sum())
    moved = first[(first["move_out"] >= recent_start) & (first["move_out"] < moment)]
    return Model(
        decision=decision,
        grant_to_permit=window_km(first["grant"], first["permit"], moment,
                                  later=after_permit[first.index]),
        permit_to_koppeling=window_km(units["permit"], units["koppeling"], moment,
                                      censor=units["left"], later=units["move_out"]),
        housing=housing,
        housing_ratio=housing_ratio,
        joining=window_km(joining_start(units, moment), nareis_units["move_out"], moment),
        rejection_to_permit=window_km(first["rejection"], first["permit"], moment,
                                      censor=first["left"], later=after_permit[first.index]),
        rejection_to_left=window_km(first["rejection"], first["left"], moment,
                                    censor=first["permit"]),
        nareis_after_permit=window_km(referents["permit"], family, moment),
        nareis_to_permit=window_km(nareis_units["nareis_arrival"], nareis_units["permit"], moment,
                                   later=after_permit[nareis_units.index]),
        nareis_sizes=recent_nareis["size"].to_numpy() if len(recent_nareis) else np.array([1]),
        grant=cells,
        grant_by_nationality=by_nat,
        grant_overall=overall,
        municipalities=codes,
        population_share=share,
        share_alpha=alpha,
        backlog=backlog,
        spread=allocation_spread(units, moment, chain, codes),
        arrivals_per_day=len(arrived) / (RECENT_MONTHS * DAYS_PER_MONTH),
        arrival_pool=arrived[["size", "nationality"]].reset_index(drop=True),
        grants=Pace(granted, days),
        rejections=Pace(len(recent) - granted, days),
        move_outs=Pace(len(moved), days),
    )  # fmt: skip
