"""A capacity-constrained simulation of the asylum-to-housing chain.

Waits are not drawn as independent random durations: they come from queues. Households queue for
the IND's interviews (weekly capacity per office) and for a home in the municipality they are
linked to (a weekly supply of homes pro rata to the koppelingen). When inflow runs above capacity the queues grow and
waits lengthen, as they did in 2022-2024; a config that cuts capacity (an injected bottleneck)
shows up where it was cut. Everything between the queues (procedure steps, relocations, the
municipal follow-up) follows the chain's rules with random but bounded delays.

The simulation is event-driven: a heap of timed callbacks, with weekly ticks for the queues.
Time is in days since the start of the world; the result is converted to wall-clock time once.
"""

from __future__ import annotations

import bisect
import heapq
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from toolkit.chain import load_chain
from toolkit.synthetic.config import GeneratorConfig

DAYS_PER_WEEK = 7.0
WORKDAY_HOURS = (8.0, 18.0)
DEPARTURE_DAYS = 28  # reception after a final rejection (Vw, S38)
HALF_YEAR_MONTHS = 6
NAREIS_STAGES = ("nareis_decision", "nareis_travel")  # a state's pending family reunification


@dataclass(slots=True)
class Household:
    """A household moves through reception and housing together; the IND decides one case."""

    id: int
    number: str
    members: list[int]
    nationality: int
    office: int
    location: int
    loc_since: float
    track: str = ""
    municipality: str = ""
    move_time: float | None = None
    size_for_housing: int = 0
    app_time: float = 0.0
    notice_time: float = 0.0
    followers: list[Household] = field(default_factory=list)
    referent: Household | None = None


@dataclass
class World:
    """What the simulation produced: canonical events, persons, and the facts the truth needs."""

    events: pd.DataFrame
    persons: pd.DataFrame
    households: int
    taakstelling: pd.DataFrame
    bottlenecks: list[dict]
    capacities: dict[str, float]


@dataclass(frozen=True)
class Capacities:
    """Absolute weekly capacities that replace the config's relative ones (a calibrated run).

    A calibrated run starts from a real backlog (see :class:`Waiting`), so no backlog is invented
    before the start either.
    """

    aanmeldgehoor: float  # households interviewed per week
    nader_gehoor: dict[str, float]  # households interviewed per week, per IND office
    housing: dict[str, float]  # persons housed per week, per municipality
    # the share of the chain these capacities serve (a sample of its households): an empty queue
    # keeps up to one week of the whole chain's capacity, as the whole chain's queue would
    share: float = 1.0


@dataclass(frozen=True)
class Waiting:
    """A household already in the chain when the run starts, and the stage it is in.

    ``stage`` is a queue (``aanmeldgehoor``, ``nader_gehoor``, ``housing``: it joins the queue in
    the order of ``since``), a timed step (``decision``, ``appeal``, ``departure``, ``koppeling``,
    ``moving``: it ends after ``remaining`` days) or a decision taken at ``since`` whose sequel
    runs on (``rejected``, ``granted``; what it emits before the start is the caller's to drop).
    A referent's pending family reunification is a household of its own in the state:
    ``nareis_decision`` (the decision after ``remaining`` days) or ``nareis_travel`` (the family
    arrives after ``remaining`` days). Days count from the start of the run, so ``since`` <= 0.
    """

    members: tuple[str, ...]
    stage: str
    since: float
    remaining: float
    app_time: float
    office: str
    location: str
    municipality: str
    nationality: str
    track: str
    birth_years: tuple[int, ...]  # of the members, in their order


def _cdf(p: np.ndarray) -> list[float]:
    """The cumulative shares that numpy's ``Generator.choice(len(p), p=p)`` draws from."""
    cdf = np.asarray(p, dtype=float).cumsum()
    cdf /= cdf[-1]
    return cdf.tolist()


class _Queue:
    """A FIFO queue served weekly by a capacity, with a backlog that was there before the start."""

    def __init__(
        self, per_week: float, ghost_units: float, idle_budget: float | None = None
    ) -> None:
        self.per_week = per_week
        self.ghosts = ghost_units
        self.idle_budget = idle_budget  # what an empty queue keeps (default: one week's capacity)
        self.items: deque = deque()
        self.budget = 0.0

    def serve(self, capacity: float, cost: Callable[[object], float]) -> list:
        self.budget += capacity
        if self.ghosts > 0:
            used = min(self.ghosts, max(self.budget, 0.0))
            self.ghosts -= used
            self.budget -= used
        served = []
        while self.items and self.budget >= cost(self.items[0]):
            item = self.items.popleft()
            self.budget -= cost(item)
            served.append(item)
        if not self.items:
            self.budget = min(
                self.budget, capacity if self.idle_budget is None else self.idle_budget
            )
        return served


class Simulation:
    """Runs the chain from the config; call :meth:`run` once."""

    def __init__(
        self,
        cfg: GeneratorConfig,
        persons: int,
        rng: np.random.Generator,
        *,
        capacities: Capacities | None = None,
        state: tuple[Waiting, ...] = (),
    ) -> None:
        self.cfg = cfg
        self.calibrated = capacities
        self.state = state
        # the case ids of the persons of ``state``, by person number (new persons, such as a
        # family that a resumed grant brings, are numbered among them)
        self.existing: dict[int, str] = {}
        self.resumed: dict[str, Household] = {}  # the state's households by each member
        self.q_homes: dict[str, _Queue] = {}  # per municipality, in a calibrated run only
        self.rng = rng
        self.n_target = persons
        self.chain = load_chain()
        self.start = datetime.combine(cfg.start, datetime.min.time())
        self.cutoff_day = (cfg.cutoff - cfg.start).days + 1.0
        self.end_day = float((cfg.run_until - cfg.start).days)
        self.now = 0.0
        self._heap: list = []
        self._seq = 0
        self.activity_index = {a.id: i for i, a in enumerate(self.chain.activities)}
        # event buffers (one entry per person per event)
        self.ev_person: list[int] = []
        self.ev_act: list[int] = []
        self.ev_time: list[float] = []
        self.ev_resource: list[str] = []
        self.ev_loctype: list[str] = []
        self.ev_muni: list[str] = []
        self.ev_track: list[str] = []
        self.ev_has_time: list[bool] = []
        # persons
        self.p_vnummer: list[int] = []
        self.p_household: list[str] = []
        self.p_case: list[str] = []
        self.p_procedure: list[str] = []
        self.p_birth_year: list[int] = []
        self.p_sex: list[str] = []
        self.p_nationality: list[str] = []
        self._households: list[Household] = []
        self._setup()

    # ------------------------------------------------------------------ setup
    def _setup(self) -> None:
        cfg = self.cfg.raw
        self.nationalities = cfg["nationality"]
        self.nat_p = np.array([n["share"] for n in self.nationalities])
        self.offices = cfg["office"]
        self.office_p = np.array([o["share"] for o in self.offices])
        self.office_cases = np.zeros(len(self.offices))
        locs = cfg["reception"]["locations"]
        self.loc_names = [loc["name"] for loc in locs]
        self.loc_types = [loc["type"] for loc in locs]
        weights = np.array([loc["weight"] for loc in locs], dtype=float)
        self.loc_p = weights / weights.sum()
        self.loc_cdf = _cdf(self.loc_p)
        self.cols = [i for i, t in enumerate(self.loc_types) if t == "COL"]
        self.pol_of_office = [self.loc_names.index(o["pol"]) for o in self.offices]

        inflow = cfg["inflow"]
        sizes = np.array(inflow["household_sizes"])
        shares = np.array(inflow["household_shares"])
        mean_size = float((sizes * shares).sum())
        self.n_households = max(1, round(self.n_target / mean_size))
        self.sizes, self.size_p = sizes, shares
        self.size_cdf, self.nat_cdf = _cdf(shares), _cdf(self.nat_p)

        months = len(inflow["monthly"])
        first = pd.Timestamp(self.cfg.start)
        month_starts = [first + pd.DateOffset(months=i) for i in range(months + 1)]
        self.inflow_weeks = (month_starts[-1] - month_starts[0]).days / DAYS_PER_WEEK
        monthly = np.array(inflow["monthly"], dtype=float)
        counts = self.rng.multinomial(self.n_households, monthly / monthly.sum())
        arrivals = []
        for i, c in enumerate(counts):
            a = (month_starts[i] - first).days
            b = (month_starts[i + 1] - first).days
            arrivals.append(self.rng.uniform(a, b, size=c))
        self.arrival_days = np.sort(np.concatenate(arrivals))

        tracks = cfg["tracks"]
        safe = np.array([n.get("safe_country", False) for n in self.nationalities])
        approval = np.array([n["approval"] for n in self.nationalities])
        to_interview = (1 - (self.nat_p * safe).sum()) * (
            1 - tracks["dublin_share"] * tracks["dublin_transfer_share"]
        )
        weekly_cases = self.n_households / self.inflow_weeks
        capacity = cfg["capacity"]
        backlog = capacity["initial_backlog_weeks"]
        agh = capacity["aanmeldgehoor"] * weekly_cases
        self.q_aanmeldgehoor = _Queue(agh, backlog["aanmeldgehoor"] * agh)
        ng_total = capacity["nader_gehoor"] * weekly_cases * to_interview
        self.q_nader = [
            _Queue(ng_total * o["share"], backlog["nader_gehoor"] * ng_total * o["share"])
            for o in self.offices
        ]
        # expected status holders (persons) per week, for the housing supply
        grant_share = float((self.nat_p * approval * (1 - safe)).sum()) * (
            1 - tracks["dublin_share"] * tracks["dublin_transfer_share"]
        )
        weekly_holders = self.n_target * grant_share / self.inflow_weeks
        self.muni_codes = self.cfg.linked_municipalities()
        self._period_shares: dict[str, np.ndarray] = {}
        # persons each municipality was due (its share of every koppeling so far) and got: the
        # taakstelling carries a backlog or surplus over into the next half-year
        self.due = np.zeros(len(self.muni_codes))
        self.got = np.zeros(len(self.muni_codes))
        housing = cfg["housing"]
        self.slow_factor = {c: 1.0 for c in self.muni_codes}
        self.office_loss: list[dict] = []
        self.reloc_factor = [1.0] * len(self.loc_names)
        for b in cfg.get("bottleneck", []):
            if b["kind"] == "slow_municipality":
                self.slow_factor[b["municipality"]] = float(b["factor"])
            elif b["kind"] == "office_capacity_loss":
                self.office_loss.append(b)
            elif b["kind"] == "relocating_location":
                self.reloc_factor[self.loc_names.index(b["location"])] = float(b["factor"])
        # Homes come pro rata to the koppelingen, so every municipality's queue is as many weeks
        # long; one queue in koppeling order gives each household that wait without the lumps
        # of a small municipality's few koppelingen in a world of a few thousand persons.
        self.q_housing = _Queue(
            housing["supply"] * weekly_holders, housing["initial_backlog_weeks"] * weekly_holders
        )
        self.linked: dict[tuple[int, str], int] = {}
        self.capacities = {
            "aanmeldgehoor_per_week": agh,
            "nader_gehoor_per_week": ng_total,
            "housing_persons_per_week": weekly_holders * housing["supply"],
            "weekly_households_mean": weekly_cases,
        }
        if self.calibrated is not None:
            self._calibrate(self.calibrated)

    def _calibrate(self, cap: Capacities) -> None:
        def queue(per_week: float, cost: float = 1.0) -> _Queue:
            q = _Queue(per_week, 0.0, per_week / cap.share)
            if cap.share < 1.0:
                # a sample's queue serves in a slower rhythm (a household every few weeks where
                # the whole chain's serves some each week): it starts at a random point of it,
                # not at its beginning, or every queue would first wait a whole household's turn
                q.budget = float(self.rng.uniform(0.0, cost))
            return q

        self.q_aanmeldgehoor = queue(cap.aanmeldgehoor)
        names = [o["name"] for o in self.offices]
        self.q_nader = [queue(cap.nader_gehoor.get(n, 0.0)) for n in names]
        # a calibrated run links status holders to the log's municipalities, each with its homes
        self.muni_codes = [c for c in self.muni_codes if c in cap.housing]
        self.due = np.zeros(len(self.muni_codes))
        self.got = np.zeros(len(self.muni_codes))
        self._period_shares = {}
        persons = float((self.sizes * self.size_p).sum())  # a home's cost: a household's persons
        self.q_homes = {c: queue(cap.housing[c], persons) for c in self.muni_codes}
        self.capacities = {
            "aanmeldgehoor_per_week": cap.aanmeldgehoor,
            "nader_gehoor_per_week": sum(cap.nader_gehoor.values()),
            "housing_persons_per_week": sum(cap.housing.values()),
            "weekly_households_mean": self.capacities["weekly_households_mean"],
        }

    # ------------------------------------------------------------------ machinery
    def _at(self, t: float, fn: Callable, *args: object) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (t, self._seq, fn, args))

    def _pick(self, cdf: list[float]) -> int:
        """The draw ``rng.choice(len(p), p=p)`` makes (one uniform number, the first share above
        it: the same answer from the same random numbers) without checking ``p`` at every call;
        every arrival draws three."""
        return bisect.bisect_right(cdf, self.rng.random())

    def _u(self, bounds: list[float] | tuple[float, float]) -> float:
        return float(self.rng.uniform(bounds[0], bounds[1]))

    def _skewed(self, bounds: list[float]) -> float:
        """A delay between bounds with most mass early (a right-skewed triangle)."""
        return float(self.rng.triangular(bounds[0], bounds[0], bounds[1]))

    def _emit(
        self,
        people: list[int],
        activity: str,
        t: float,
        resource: str,
        *,
        loctype: str = "",
        muni: str = "",
        track: str = "",
        has_time: bool = True,
    ) -> None:
        act = self.activity_index[activity]
        for p in people:
            self.ev_person.append(p)
            self.ev_act.append(act)
            self.ev_time.append(t)
            self.ev_resource.append(resource)
            self.ev_loctype.append(loctype)
            self.ev_muni.append(muni)
            self.ev_track.append(track)
            self.ev_has_time.append(has_time)

    def _coa(self, h: Household, activity: str, t: float, muni: str = "") -> None:
        has_time = bool(self.rng.random() > 0.15)
        self._emit(
            h.members,
            activity,
            t,
            self.loc_names[h.location],
            loctype=self.loc_types[h.location],
            muni=muni,
            has_time=has_time,
        )

    def _ind(self, h: Household, activity: str, t: float, office: int | None = None) -> None:
        name = self.offices[h.office if office is None else office]["name"]
        has_time = bool(self.rng.random() > 0.1)
        self._emit(h.members, activity, t, name, track=h.track, has_time=has_time)

    def _gem(self, people: list[int], activity: str, t: float, muni: str) -> None:
        self._emit(people, activity, t, muni, muni=muni)

    def _move(self, h: Household, t: float, location: int) -> None:
        """Relocate a household (emits the COA mutation) after the relocations of its stay."""
        self._stay(h, t)
        if location == h.location:
            return
        h.location = location
        h.loc_since = t
        self._coa(h, "coa_overplaatsing", t)

    def _stay(self, h: Household, until: float) -> None:
        """Relocations while a household lives in an AZC or noodopvang, up to `until`."""
        base = self.cfg.raw["reception"]["relocations_per_year"] / 365.25
        t = h.loc_since
        while True:
            if self.loc_types[h.location] not in ("AZC", "NOODOPVANG", "GEZINSLOCATIE"):
                return
            rate = base * self.reloc_factor[h.location]
            t += float(self.rng.exponential(1.0 / rate))
            if t >= until - 1:
                return
            choices = self.loc_p.copy()
            choices[h.location] = 0
            h.location = int(self.rng.choice(len(choices), p=choices / choices.sum()))
            h.loc_since = t
            self._coa(h, "coa_overplaatsing", t)

    def _to_azc(self, h: Household, t: float) -> None:
        self._move(h, t, self._pick(self.loc_cdf))

    # ------------------------------------------------------------------ persons
    def _new_people(self, h_number: str, size: int, nat: int, year: int, procedure: str) -> list:
        ids = []
        adults = 1 if size <= 2 and self.rng.random() < 0.5 else min(size, 2)
        for i in range(size):
            pid = len(self.p_household)
            if i < adults:
                age = int(self.rng.integers(18, 36) if size == 1 else self.rng.integers(20, 56))
                if size == 1:
                    sex = (
                        "M"
                        if self.rng.random() < self.cfg.raw["inflow"]["single_male_share"]
                        else "V"
                    )
                else:
                    sex = "M" if i == 0 else "V"
            else:
                age = int(self.rng.integers(0, 18))
                sex = "M" if self.rng.random() < 0.5 else "V"
            if self.rng.random() < 0.002:
                sex = "X"
            self.p_household.append(h_number)
            self.p_case.append(f"Z{year}{pid:07d}")
            self.p_procedure.append(procedure)
            self.p_birth_year.append(year - age)
            self.p_sex.append(sex)
            self.p_nationality.append(self.nationalities[nat]["name"])
            ids.append(pid)
        return ids

    def _pick_office(self) -> int:
        """Cases go to offices in proportion to their capacity, as the IND plans its work."""
        deficit = self.office_p * (self.office_cases.sum() + 1) - self.office_cases
        office = int(deficit.argmax())
        self.office_cases[office] += 1
        return office

    def _new_household(self, size: int, nat: int, t: float, procedure: str) -> Household:
        hid = len(self._households)
        number = f"HH{1_000_000 + hid * 7 % 9_000_000:07d}"
        year = (self.start + timedelta(days=t)).year
        members = self._new_people(number, size, nat, year, procedure)
        office = self._pick_office()
        col = self.cols[int(self.rng.integers(len(self.cols)))]
        h = Household(hid, number, members, nat, office, col, t)
        self._households.append(h)
        return h

    # ------------------------------------------------------------------ the procedure
    def _arrive(self, t: float) -> None:
        size = int(self.sizes[self._pick(self.size_cdf)])
        nat = self._pick(self.nat_cdf)
        repeat = self.rng.random() < self.cfg.raw["inflow"]["repeat_share"]
        h = self._new_household(size, nat, t, "HERHAALD" if repeat else "ASIEL")
        registration_office = 0  # the national registration centre (Ter Apel)
        self._ind(h, "ind_aanmelding", t, office=registration_office)
        self._coa(h, "coa_instroom", t + 0.05)
        t_app = t + self._u((3, 10))
        self._ind(h, "ind_aanvraag", t_app, office=registration_office)
        h.app_time = t_app
        self._move(h, t + self._u(self.cfg.raw["reception"]["col_days"]), self._pick_azc())
        self._at(t_app, self._enqueue_aanmeldgehoor, h)

    def _pick_azc(self) -> int:
        return self._pick(self.loc_cdf)

    def _enqueue_aanmeldgehoor(self, h: Household) -> None:
        self.q_aanmeldgehoor.items.append(h)

    def _after_aanmeldgehoor(self, h: Household, t: float) -> None:
        self._ind(h, "ind_aanmeldgehoor", t)
        tracks = self.cfg.raw["tracks"]
        nat = self.nationalities[h.nationality]
        t_track = t + self._u((1, 4))
        if nat.get("safe_country", False):
            h.track = "2"
            self._ind(h, "ind_spoortoedeling", t_track)
            self._decide(h, t_track + self._u((7, 35)), aa=True)
        elif self.rng.random() < tracks["dublin_share"]:
            h.track = "1"
            self._ind(h, "ind_spoortoedeling", t_track)
            t_claim = t_track + self._u((3, 10))
            self._ind(h, "ind_dublin_claim", t_claim)
            t_end = t_claim + self._u(tracks["dublin_weeks"]) * DAYS_PER_WEEK
            if self.rng.random() < tracks["dublin_transfer_share"]:
                self._ind(h, "ind_dublin_overdracht", t_end)
                self._leave(h, t_end, "coa_uitstroom_vertrek")
            else:
                h.track = "4"
                self._ind(h, "ind_spoortoedeling", t_end)
                self._start_aa(h, t_end + self._u((1, 5)))
        else:
            h.track = "4"
            self._ind(h, "ind_spoortoedeling", t_track)
            self._start_aa(h, t_track + self._u((1, 5)))

    def _start_aa(self, h: Household, t: float) -> None:
        self._ind(h, "ind_rvt_start", t)
        rvt_days = 6 if self.rng.random() > 0.03 else int(self.rng.integers(3, 6))
        self._at(t + rvt_days, self._enqueue_nader, h)

    def _enqueue_nader(self, h: Household) -> None:
        self.q_nader[h.office].items.append(h)

    def _after_nader(self, h: Household, t: float) -> None:
        pol = self.pol_of_office[h.office]
        if self.rng.random() < 0.6:
            self._move(h, t - self._u((1, 3)), pol)
        self._ind(h, "ind_nader_gehoor", t)
        tracks = self.cfg.raw["tracks"]
        if self.rng.random() < tracks["va_share"]:
            t_va = t + self._u((6, 9))
            self._ind(h, "ind_doorzending_va", t_va)
            if h.location == pol:
                self._to_azc(h, t_va + self._u((1, 4)))
            self._decide(h, t_va + self._skewed(tracks["va_weeks"]) * DAYS_PER_WEEK, aa=False)
        else:
            self._decide(h, t + self._u((5, 9)), aa=True)

    def _decide(self, h: Household, t: float, *, aa: bool) -> None:
        app = h.app_time
        term = self.chain.norm("N04").days
        if t - app > term:
            self._ind(h, "ind_verlenging_termijn", app + term - self._u((1, 14)))
        tracks = self.cfg.raw["tracks"]
        if self.rng.random() < tracks["other_outcome_share"]:
            outcome = "ind_beschikking_buiten_behandeling"
            if self.rng.random() < 0.4:
                outcome = "ind_beschikking_intrekking"
            self._ind(h, outcome, t)
            self._leave(h, t + self._u((1, 20)), "coa_uitstroom_mob")
            return
        if self.rng.random() < self.nationalities[h.nationality]["approval"]:
            self._grant(h, t)
        else:
            self._reject(h, t, voornemen=True)

    def _reject(self, h: Household, t: float, *, voornemen: bool) -> None:
        if voornemen:
            self._ind(h, "ind_voornemen", t - self._u((3, 4)))
            self._ind(h, "ind_zienswijze", t - self._u((1, 2)))
        self._ind(h, "ind_beschikking_afwijzing", t)
        appeals = self.cfg.raw["appeals"]
        if self.rng.random() >= appeals["appeal_share"]:
            self._depart(h, t + DEPARTURE_DAYS + self._u((0, 10)))
            return
        late = self.rng.random() < appeals["late_appeal_share"]
        t_appeal = t + (self._u((29, 45)) if late else self._u((2, 27)))
        self._ind(h, "ind_beroep_ingesteld", t_appeal)
        self._ruling(h, t_appeal + self._u(appeals["ruling_weeks"]) * DAYS_PER_WEEK)

    def _ruling(self, h: Household, t_ruling: float) -> None:
        appeals = self.cfg.raw["appeals"]
        if self.rng.random() < appeals["upheld_share"]:
            self._ind(h, "ind_uitspraak_gegrond", t_ruling)
            t_new = t_ruling + self._u(appeals["new_decision_weeks"]) * DAYS_PER_WEEK
            if self.rng.random() < appeals["regrant_share"]:
                self._grant(h, t_new)
            else:
                self._ind(h, "ind_beschikking_afwijzing", t_new)
                self._depart(h, t_new + DEPARTURE_DAYS + self._u((0, 10)))
        else:
            self._ind(h, "ind_uitspraak_ongegrond", t_ruling)
            self._depart(h, t_ruling + DEPARTURE_DAYS + self._u((0, 10)))

    def _depart(self, h: Household, t: float) -> None:
        mob = self.rng.random() < self.cfg.raw["appeals"]["mob_share"]
        self._leave(h, t, "coa_uitstroom_mob" if mob else "coa_uitstroom_vertrek")

    def _leave(self, h: Household, t: float, activity: str, muni: str = "") -> None:
        self._stay(h, t)
        self._coa(h, activity, t, muni=muni)

    def _grant(self, h: Household, t: float) -> None:
        self._ind(h, "ind_beschikking_inwilliging", t)
        if self.loc_types[h.location] == "POL":
            self._to_azc(h, t + self._u((2, 10)))
        t_permit = t + self._u((1, 14))
        self._ind(h, "ind_vergunning_uitgereikt", t_permit)
        self._at(t_permit, self._permit, h)

    def _permit(self, h: Household) -> None:
        t = self.now
        self._maybe_nareis(h, t)
        t_kop = t + self._skewed(self.cfg.raw["koppeling"]["days"])
        self._at(t_kop, self._koppeling, h)

    # ------------------------------------------------------------------ koppeling and housing
    def _taakstelling_period(self, t: float) -> str:
        d = self.start + timedelta(days=t)
        return f"{d.year}-{'I' if d.month <= HALF_YEAR_MONTHS else 'II'}"

    def _shares(self, t: float, period: str) -> np.ndarray:
        """Each municipality's share of the half-year's taakstelling: pro rata by its population on
        1 January of that year (or the nearest year with a figure) among the municipalities that
        exist on the first day of the half-year. A municipality that merged before that day hands
        its backlog or surplus to its successor."""
        if period not in self._period_shares:
            d = self.start + timedelta(days=t)
            day = date(d.year, 1 if d.month <= HALF_YEAR_MONTHS else HALF_YEAR_MONTHS + 1, 1)
            register = self.chain.register
            pops = np.zeros(len(self.muni_codes))
            for i, code in enumerate(self.muni_codes):
                if register.get(code).exists_on(day):
                    pops[i] = register.population(code, day.year) or 0
                elif self.due[i] != self.got[i] and register.current_code(code, day) != code:
                    heir = self.muni_codes.index(register.current_code(code, day))
                    self.due[heir] += self.due[i] - self.got[i]
                    self.due[i] = self.got[i]
            self._period_shares[period] = pops / pops.sum()
        return self._period_shares[period]

    def _count_linked(self, idx: int, period: str, size: int) -> None:
        self.linked[(idx, period)] = self.linked.get((idx, period), 0) + size
        self.got[idx] += size

    def _pick_municipality(self, t: float, size: int) -> str:
        """Pro rata by population: the municipality furthest behind its taakstelling, backlog of
        earlier half-years included, among those that exist in this half-year."""
        period = self._taakstelling_period(t)
        shares = self._shares(t, period)
        self.due += shares * size
        deficit = np.where(shares > 0, self.due - self.got, -np.inf)
        best = int(deficit.argmax())
        self._count_linked(best, period, size)
        return self.muni_codes[best]

    def _koppeling(self, h: Household) -> None:
        t = self.now
        if h.referent is not None and not h.referent.municipality:
            # the referent is not linked yet (a family that arrives quickly, or a referent the
            # state puts back before its koppeling): the family is linked once it is
            self._at(t + DAYS_PER_WEEK, self._koppeling, h)
            return
        if h.referent is not None:  # a family member joins the referent's municipality
            h.municipality = h.referent.municipality
            period = self._taakstelling_period(t)
            self.due += self._shares(t, period) * len(h.members)
            self._count_linked(self.muni_codes.index(h.municipality), period, len(h.members))
        else:
            h.municipality = self._pick_municipality(t, len(h.members))
        self._stay(h, t)
        self._coa(h, "coa_koppeling", t, muni=h.municipality)
        t_notice = t + self._u(self.cfg.raw["koppeling"]["notice_days"])
        self._gem(h.members, "gem_koppeling_ontvangen", t_notice, h.municipality)
        if h.referent is not None:
            self._join_referent(h, t_notice)
            return
        h.size_for_housing = len(h.members)
        h.notice_time = t_notice
        self._at(t_notice, self._enqueue_housing, h)

    def _queue_of(self, h: Household) -> _Queue:
        """The queue for a home: the chain's one, or in a calibrated run the municipality's."""
        return self.q_homes[h.municipality] if self.q_homes else self.q_housing

    def _enqueue_housing(self, h: Household) -> None:
        self._queue_of(h).items.append(h)

    def _offer(self, h: Household, t: float) -> None:
        housing = self.cfg.raw["housing"]
        self._gem(h.members, "gem_woning_aangeboden", t, h.municipality)
        if self.rng.random() < housing["refusal_share"]:
            t_ref = t + self._u((2, 12))
            self._gem(h.members, "gem_woning_geweigerd", t_ref, h.municipality)
            # the home goes to the next in line, so the supply is not lost
            self._queue_of(h).budget += h.size_for_housing
            self._at(t_ref, self._requeue_front, h)
            return
        t_lease = t + self._skewed(housing["lease_days"])
        self._gem(h.members, "gem_huurcontract_getekend", t_lease, h.municipality)
        t_move = t_lease + self._skewed(housing["move_days"])
        h.move_time = t_move
        self._move_in(h, t_move)
        for follower in h.followers:
            self._move_in(follower, max(t_move, follower.notice_time + 1))

    def _requeue_front(self, h: Household) -> None:
        self._queue_of(h).items.appendleft(h)

    def _move_in(self, h: Household, t: float) -> None:
        self._leave(h, t, "coa_uitstroom_gemeente", muni=h.municipality)
        self._gem(h.members, "gem_verhuisd", t + 0.01, h.municipality)
        self._follow_up(h, t)

    def _join_referent(self, h: Household, t_notice: float) -> None:
        h.notice_time = t_notice
        ref = h.referent
        assert ref is not None
        if ref.move_time is not None:
            # joining the referent's home takes the municipality's housing capacity all the same
            self._queue_of(h).budget -= len(h.members)
            self._move_in(h, max(ref.move_time, t_notice) + self._u((7, 40)))
        else:
            ref.followers.append(h)
            ref.size_for_housing += len(h.members)

    def _follow_up(self, h: Household, t: float) -> None:
        m = self.cfg.raw["municipal"]
        year = (self.start + timedelta(days=t)).year
        muni = h.municipality
        for p in h.members:
            age = year - self.p_birth_year[p]
            self._gem([p], "gem_inschrijving_brp", t + self._skewed(m["brp_days"]), muni)
            if age >= 18:
                t_ba = t + self._skewed(m["benefit_application_days"])
                self._gem([p], "gem_aanvraag_bijstand", t_ba, muni)
                self._gem(
                    [p], "gem_besluit_bijstand", t_ba + self._u(m["benefit_decision_days"]), muni
                )
                if age < 67:
                    t_bi = t + self._skewed(m["intake_days"])
                    self._gem([p], "gem_start_brede_intake", t_bi, muni)
                    t_pip = t_bi + self._skewed(m["pip_days"])
                    self._gem([p], "gem_pip_vastgesteld", t_pip, muni)
                    t_inb = t_pip + self._skewed(m["inburgering_days"])
                    self._gem([p], "gem_start_inburgering", t_inb, muni)
            elif age >= 4:
                self._gem([p], "gem_inschrijving_school", t + self._skewed(m["school_days"]), muni)

    # ------------------------------------------------------------------ nareis
    def _maybe_nareis(self, h: Household, t: float) -> None:
        nareis = self.cfg.raw["nareis"]
        if len(h.members) != 1 or h.referent is not None:
            return
        if self.rng.random() >= nareis["referent_share"]:
            return
        late = self.rng.random() < nareis["late_application_share"]
        t_app = t + (self._u((95, 220)) if late else self._u((10, 88)))
        self._ind(h, "ind_nareis_aanvraag", t_app)
        t_dec = t_app + self._skewed(nareis["decision_weeks"]) * DAYS_PER_WEEK
        self._nareis_decision(h, t_dec, late=late)

    def _nareis_decision(self, h: Household, t_dec: float, *, late: bool = False) -> None:
        nareis = self.cfg.raw["nareis"]
        if late or self.rng.random() >= nareis["approval"]:
            self._ind(h, "ind_nareis_besluit_afwijzing", t_dec)
            return
        self._ind(h, "ind_nareis_besluit_inwilliging", t_dec)
        self._family_travels(h, t_dec + self._u(nareis["travel_weeks"]) * DAYS_PER_WEEK)

    def _family_travels(self, h: Household, t_arrival: float) -> None:
        nareis = self.cfg.raw["nareis"]
        size = int(self.rng.choice(nareis["family_sizes"], p=nareis["family_shares"]))
        self._at(t_arrival, self._nareizigers_arrive, h, size)

    def _nareizigers_arrive(self, ref: Household, size: int) -> None:
        t = self.now
        fam = self._new_household(size, ref.nationality, t, "NAREIS")
        # nareizigers share the referent's household number
        for p in fam.members:
            self.p_household[p] = ref.number
        fam.number = ref.number
        fam.referent = ref
        fam.office = next(i for i, o in enumerate(self.offices) if o["name"] == "Zevenaar")
        self._ind(fam, "ind_nareiziger_inreis", t)
        self._coa(fam, "coa_instroom", t + 0.05)
        self._move(fam, t + self._u(self.cfg.raw["reception"]["col_days"]), self._pick_azc())
        t_permit = t + self._u((7, 30))
        self._ind(fam, "ind_vergunning_uitgereikt", t_permit)
        t_kop = t_permit + self._skewed(self.cfg.raw["koppeling"]["days"])
        self._at(t_kop, self._koppeling, fam)

    # ------------------------------------------------------------------ weekly capacity
    def _office_capacity(self, office: int, t: float) -> float:
        cap = self.q_nader[office].per_week
        day = (self.start + timedelta(days=t)).date()
        for b in self.office_loss:
            if b["office"] == self.offices[office]["name"] and b["start"] <= day <= b["end"]:
                cap *= float(b["factor"])
        return cap

    def _week(self) -> None:
        t = self.now
        spread = (0.0, 4.9)
        q = self.q_aanmeldgehoor
        for h in q.serve(q.per_week, lambda _h: 1.0):
            self._after_aanmeldgehoor(h, t + self._u(spread))
        for i, q in enumerate(self.q_nader):
            for h in q.serve(self._office_capacity(i, t), lambda _h: 1.0):
                self._after_nader(h, t + self._u(spread))
        for q in self.q_homes.values() if self.q_homes else (self.q_housing,):
            for h in q.serve(q.per_week, lambda h: float(h.size_for_housing)):
                t_offer = max(t + self._u(spread), h.notice_time + 1)
                # a slow municipality takes `factor` times as long from koppeling to offer
                factor = self.slow_factor.get(h.municipality, 1.0)
                t_offer = h.notice_time + (t_offer - h.notice_time) * factor
                self._offer(h, t_offer)
        if t + DAYS_PER_WEEK <= self.end_day:
            self._at(t + DAYS_PER_WEEK, self._week)

    # ------------------------------------------------------------------ a run from a state
    def _existing_household(self, w: Waiting) -> Household:
        """A household of the state, its persons numbered after those made before."""
        members = []
        for case, born in zip(w.members, w.birth_years, strict=True):
            members.append(len(self.p_household))
            self.existing[len(self.p_household)] = case
            self.p_household.append(f"S{len(self._households)}")
            self.p_case.append(case)
            self.p_procedure.append("")
            self.p_birth_year.append(born)
            self.p_sex.append("")
            self.p_nationality.append(w.nationality)
        names = [n["name"] for n in self.nationalities]
        nat = names.index(w.nationality) if w.nationality in names else 0
        # a household without an office yet (only registered) gets one as a new case does
        office = next((i for i, o in enumerate(self.offices) if o["name"] == w.office), None)
        office = self._pick_office() if office is None else office
        loc = self.loc_names.index(w.location) if w.location in self.loc_names else self._pick_azc()
        h = Household(len(self._households), "", members, nat, office, loc, 0.0, track=w.track)
        h.app_time = w.app_time
        h.municipality = w.municipality
        self._households.append(h)
        self.resumed.update(dict.fromkeys(w.members, h))
        return h

    def _referent(self, w: Waiting) -> Household:  # ``w.members`` is the referent alone
        """The household a state's nareis belongs to: the referent's own if it is in the state
        (the family then follows it into its home), else one already housed where it lives."""
        if w.members[0] in self.resumed:
            return self.resumed[w.members[0]]
        h = self._existing_household(w)
        if h.municipality not in self.q_homes:
            h.municipality = self._pick_municipality(0.0, len(h.members))
        h.move_time = 0.0
        return h

    def _resume(self, w: Waiting) -> None:
        """Put a household of the state where it was: in its queue, or its step under way."""
        if w.stage in NAREIS_STAGES:
            ref = self._referent(w)
            if w.stage == "nareis_decision":
                self._nareis_decision(ref, w.remaining)
            else:
                self._family_travels(ref, w.remaining)
            return
        h = self._existing_household(w)
        if w.stage == "aanmeldgehoor":
            self.q_aanmeldgehoor.items.append(h)
        elif w.stage == "nader_gehoor":
            self.q_nader[h.office].items.append(h)
        elif w.stage == "decision":
            self._decide(h, w.remaining, aa=False)
        elif w.stage == "rejected":
            self._reject(h, w.since, voornemen=False)
        elif w.stage == "appeal":
            self._ruling(h, w.remaining)
        elif w.stage == "departure":
            self._depart(h, w.remaining)
        elif w.stage == "granted":
            self._grant(h, w.since)
        elif w.stage == "koppeling":
            self._at(w.remaining, self._koppeling, h)
        elif w.stage == "housing" and h.municipality in self.q_homes:
            h.size_for_housing = len(h.members)
            h.notice_time = w.since
            self.q_homes[h.municipality].items.append(h)
        elif w.stage in ("housing", "moving"):  # (housing: a municipality the run has no homes of)
            self._move_in(h, w.remaining)

    # ------------------------------------------------------------------ run
    def run(self, progress: Callable[[float], None] | None = None) -> World:
        # the main chain first, so that a pending nareis finds its referent's household
        for w in sorted(self.state, key=lambda w: (w.stage in NAREIS_STAGES, w.since)):
            self._at(0.0, self._resume, w)
        for t in self.arrival_days:
            self._at(float(t), self._arrive, float(t))
        self._at(0.0, self._week)
        last_report = 0.0
        while self._heap:
            t, _, fn, args = heapq.heappop(self._heap)
            if t > self.end_day:
                break
            self.now = t
            fn(*args)
            if progress is not None and t - last_report >= 30:
                progress(t / self.end_day)
                last_report = t
        if progress is not None:
            progress(1.0)
        return self._result()

    def _result(self) -> World:
        n = len(self.p_household)
        vnummers = self._vnummers(n)
        persons = pd.DataFrame(
            {
                "person": np.arange(n, dtype=np.int64),
                "vnummer": vnummers,
                "household": self.p_household,
                "case_number": self.p_case,
                "procedure": self.p_procedure,
                "birth_year": np.array(self.p_birth_year, dtype=np.int64),
                "sex": self.p_sex,
                "nationality": self.p_nationality,
            }
        )
        times = np.array(self.ev_time)
        keep = times <= self.end_day
        activities = np.array([a.id for a in self.chain.activities], dtype=object)
        events = pd.DataFrame(
            {
                "person": np.array(self.ev_person, dtype=np.int64)[keep],
                "activity": activities[np.array(self.ev_act)[keep]],
                "local_time": self._wall_clock(times[keep]),
                "has_time": np.array(self.ev_has_time)[keep],
                "resource": np.array(self.ev_resource, dtype=object)[keep],
                "location_type": np.array(self.ev_loctype, dtype=object)[keep],
                "municipality": np.array(self.ev_muni, dtype=object)[keep],
                "track": np.array(self.ev_track, dtype=object)[keep],
            }
        )
        for col in ("activity", "resource", "location_type", "municipality", "track"):
            events[col] = events[col].astype("string")
        events["seq"] = np.arange(len(events), dtype=np.int64)
        events = events.sort_values(["local_time", "seq"], kind="stable").reset_index(drop=True)
        rows = [
            {"period": period, "municipality": self.muni_codes[i], "linked_persons": count}
            for (i, period), count in sorted(
                self.linked.items(), key=lambda kv: (kv[0][1], kv[0][0])
            )
        ]
        taak = pd.DataFrame(rows, columns=["period", "municipality", "linked_persons"])
        return World(
            events=events,
            persons=persons,
            households=len(self._households),
            taakstelling=taak,
            bottlenecks=list(self.cfg.raw.get("bottleneck", [])),
            capacities=self.capacities,
        )

    def _vnummers(self, n: int) -> list[str]:
        """Unique 10-digit V-nummers; about one in ten starts with a zero, as real ones can."""
        drawn: set[int] = set()
        out: list[int] = []
        while len(out) < n:
            for v in self.rng.integers(0, 10**10, size=n - len(out) + 16):
                v = int(v)
                if v not in drawn and v >= 10**8:
                    drawn.add(v)
                    out.append(v)
                    if len(out) == n:
                        break
        return [f"{v:010d}" for v in out]

    def _wall_clock(self, days: np.ndarray) -> np.ndarray:
        """Day fractions become working-hour wall-clock times on the same day (08:00-18:00)."""
        whole = np.floor(days)
        frac = days - whole
        hours = WORKDAY_HOURS[0] + frac * (WORKDAY_HOURS[1] - WORKDAY_HOURS[0])
        minutes = np.round(hours * 60).astype(np.int64)
        base = np.datetime64(self.start.date(), "m")
        return (
            base
            + whole.astype(np.int64) * np.timedelta64(1, "D")
            + minutes * np.timedelta64(1, "m")
        )


def simulate(
    cfg: GeneratorConfig,
    persons: int,
    seed: int,
    progress: Callable[[float], None] | None = None,
) -> World:
    """Run the chain for about `persons` asylum seekers (nareizigers come on top)."""
    rng = np.random.default_rng(seed)
    return Simulation(cfg, persons, rng).run(progress)


def day_of(cfg: GeneratorConfig, d: date) -> float:
    """Days from the start of the world to a date (used to relate dates to simulation time)."""
    return float((d - cfg.start).days)
