"""The pipeline run forward: a Monte Carlo simulation of every waiting household unit.

Each run takes the units at the as-of moment (:mod:`toolkit.forecast.state`) and draws, from the
model (:mod:`toolkit.forecast.model`), what happens to each: whether its decision grants, and
when it comes (its curve, given how long it has waited, sets its place in the queue; the recent
pace of grants and other decisions sets how many come); after a rejection, a later permit
(appeal) or leaving; the permit, the koppeling and to which municipality
(:mod:`toolkit.forecast.allocation`), the move-out (again in the queue's order at the recent
pace; nareizigers join their referent's home instead); nareizigers who follow a single
referent's permit; and new households arriving at the recent pace. Every run counts per
calendar month the permits, the persons and households linked per municipality (households by
size), the move-outs and the persons still waiting in each phase. The forecast is the mean over
the runs, its 80% interval taken from the runs (:mod:`toolkit.forecast.interval`), so the
interval holds the chance in each household's path and the uncertainty of the paces and of the
municipalities' shares.

Times inside a run are days after the as-of moment; ``inf`` is "not within sight".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.forecast.allocation import Koppelingen, link
from toolkit.forecast.draws import draw
from toolkit.forecast.model import Model, Pace
from toolkit.forecast.state import DAY, UNKNOWN, WAITING

INF = np.inf
# household sizes reported; the last one holds that size and larger
SIZES = (1, 2, 3, 4, 5)
PHASES = ("decision", "rejected", "permit", "housing")
BATCH = 50  # runs whose koppelingen are linked together (see toolkit.forecast.allocation)


@dataclass
class Runs:
    """Counts of every run: ``national[metric]`` is runs x months, ``local[metric]`` is
    runs x municipalities x months, ``waiting[phase]`` is runs x months (persons at month end)."""

    national: dict[str, np.ndarray]
    local: dict[str, np.ndarray]
    waiting: dict[str, np.ndarray]
    codes: tuple[str, ...]


def _draw(km, elapsed: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Days from now until the wait ends, for units that have waited ``elapsed`` days."""
    if len(elapsed) == 0:
        return np.zeros(0)
    return draw(km, elapsed, rng) - elapsed


def _by_curve(curves: dict, keys: np.ndarray, elapsed: np.ndarray, rng) -> np.ndarray:
    """Remaining waits where each unit has the curve of its key (fallback: ``UNKNOWN``)."""
    out = np.full(len(keys), INF)
    for key in np.unique(keys):
        here = keys == key
        out[here] = _draw(curves.get(key, curves[UNKNOWN]), elapsed[here], rng)
    return out


def paced(drawn: np.ndarray, earliest: np.ndarray, pace: Pace, horizon: float, rng) -> np.ndarray:
    """A queue served by a capacity: moments at a pace drawn for this run (the recent pace, give
    or take what so many recent cases leave uncertain), taken in the order of the ``drawn``
    times (the curves say who is next, the capacity says how many); nobody is served before
    ``earliest``. The rest wait beyond the horizon (``inf``). The moments come as a Poisson
    process: a month's grants or move-outs in the log vary around their pace as Poisson counts
    do (variance about the mean), not as a fixed number per month."""
    out = np.full(len(drawn), INF)
    if pace.count == 0:
        return out
    per_day = rng.gamma(pace.count, 1.0 / pace.days)
    moments = np.sort(rng.uniform(0.0, horizon, rng.poisson(per_day * horizon)))
    order = np.argsort(drawn, kind="stable")[: len(moments)]
    out[order] = np.maximum(moments[: len(order)], earliest[order])
    return out


def simulate(
    units: pd.DataFrame,
    model: Model,
    moment: pd.Timestamp,
    edges: np.ndarray,
    *,
    runs: int,
    seed: int,
) -> Runs:
    """``runs`` runs of the pipeline; ``edges`` are the month boundaries in days after the
    moment."""
    rng = np.random.default_rng(seed)
    codes = model.municipalities
    index = {c: i for i, c in enumerate(codes)}
    horizon = float(edges[-1])
    months = len(edges) - 1
    national = {m: np.zeros((runs, months)) for m in ("permits", "linked_persons",
                "linked_households", "move_outs", *(f"households_size_{s}" for s in SIZES))}  # fmt: skip
    local = {m: np.zeros((runs, len(codes), months)) for m in ("linked_persons",
             "linked_households", "move_outs", *(f"households_size_{s}" for s in SIZES))}  # fmt: skip
    waiting = {p: np.zeros((runs, months)) for p in PHASES}
    static = _units(units, model, moment, index)
    for first in range(0, runs, BATCH):
        batch = [_paths(static, model, horizon, rng) for _ in range(min(BATCH, runs - first))]
        linked = link([paths["koppelingen"] for paths in batch], model.backlog, model.spread, rng)
        for i, (paths, muni) in enumerate(zip(batch, linked, strict=True)):
            paths["muni"][paths["linked"]] = muni
            _move_outs(paths, model, horizon, rng)
            _count(paths, edges, first + i, national, local, waiting, len(codes))
    return Runs(national, local, waiting, codes)


@dataclass(frozen=True)
class _Units:
    """What every run needs of the units, as arrays (computed once, not per run)."""

    phase: np.ndarray
    elapsed: np.ndarray
    nareis: np.ndarray
    size: np.ndarray
    track: np.ndarray
    grant: np.ndarray
    household: np.ndarray
    has_family: np.ndarray
    referent: np.ndarray
    municipality: np.ndarray
    permit: np.ndarray
    koppeling: np.ndarray
    move_out: np.ndarray
    pool_size: np.ndarray
    pool_grant: np.ndarray


def _units(units: pd.DataFrame, model: Model, moment: pd.Timestamp, index: dict) -> _Units:
    u = units[units["phase"].isin((*WAITING, "housed"))]

    def past(column: str) -> np.ndarray:
        days = ((u[column] - moment) / DAY).to_numpy(dtype=float)
        return np.where(np.isnan(days), INF, days)

    household = u["household"].astype(str).to_numpy()
    families = set(u.loc[u["nareis"], "household"].astype(str))
    nareis = u["nareis"].to_numpy(dtype=bool)
    # the unit a nareis unit joins: its household's own (the referent's), where that is here
    first = {h: i for i, h in enumerate(household) if not nareis[i]}
    referent = np.array([first.get(h, -1) if nareis[i] else -1 for i, h in enumerate(household)],
                        dtype=int)  # fmt: skip
    known = u["municipality"].astype(object).map(index).fillna(-1).to_numpy(dtype=int)
    by_household = dict(zip(household[known >= 0], known[known >= 0], strict=True))
    # nareizigers not linked yet go where their referent was linked
    joined = np.array([by_household.get(h, -1) for h in household])
    known = np.where(nareis & (known < 0), joined, known)
    pool = model.arrival_pool
    return _Units(
        phase=u["phase"].to_numpy(),
        elapsed=u["elapsed"].fillna(0).to_numpy(dtype=float),
        nareis=nareis,
        size=u["size"].to_numpy(dtype=float),
        track=u["track"].astype(str).to_numpy(),
        grant=model.grant_probability(u["nationality"], u["track"]),
        household=household,
        has_family=np.array([h in families for h in household]),
        referent=referent,
        municipality=known,
        permit=past("permit"),
        koppeling=past("koppeling"),
        move_out=past("move_out"),
        pool_size=pool["size"].to_numpy(dtype=float),
        pool_grant=model.grant_probability(pool["nationality"], pd.Series([UNKNOWN] * len(pool))),
    )


def _paths(s: _Units, model: Model, horizon: float, rng) -> dict[str, np.ndarray]:
    """One run: every unit's size, municipality and the days of its phase changes."""
    n = len(s.phase)
    phase, elapsed, nareis = s.phase, s.elapsed, s.nareis
    # households arriving at the recent pace
    new = rng.poisson(model.arrivals_per_day * horizon) if len(s.pool_size) else 0
    pool = rng.integers(0, max(len(s.pool_size), 1), new)
    arrive = rng.uniform(0, horizon, new)

    # the first decision, for units waiting for one and for the new households
    first = (phase == "decision") & ~nareis
    # each household's outcome, then the granted and the rest served at their recent pace in
    # the order their curves give
    drawn = np.concatenate([np.full(n, INF), arrive + _draw(model.decision[UNKNOWN],
                                                            np.zeros(new), rng)])  # fmt: skip
    drawn[:n][first] = _by_curve(model.decision, s.track[first], elapsed[first], rng)
    waiting = np.concatenate([first, np.ones(new, dtype=bool)])
    grants = rng.random(n + new) < np.concatenate([s.grant, s.pool_grant[pool]])
    earliest = np.concatenate([np.zeros(n), arrive])
    decided = np.full(n + new, INF)
    for outcome, pace in ((grants, model.grants), (~grants, model.rejections)):
        queue = waiting & outcome
        decided[queue] = paced(drawn[queue], earliest[queue], pace, horizon, rng)
    dec_start = np.concatenate([np.where(phase == "decision", -INF, INF), arrive])
    size = np.concatenate([s.size, s.pool_size[pool]])
    nareis = np.concatenate([nareis, np.zeros(new, dtype=bool)])
    elapsed = np.concatenate([elapsed, np.zeros(new)])
    phase = np.concatenate([phase, np.full(new, "new")])
    total = len(size)
    grant_at = np.where(phase == "granted", -elapsed, np.where(waiting & grants, decided, INF))
    rej_at = np.where(phase == "rejected", -elapsed, np.where(waiting & ~grants, decided, INF))
    dec_end = np.where(waiting, decided, INF)

    # the permit: after a grant, after an appeal (unless leaving comes first), or for
    # nareizigers after their arrival
    permit = np.concatenate([s.permit, np.full(new, INF)])
    g = np.isfinite(grant_at) & (grant_at < horizon)
    permit[g] = np.maximum(grant_at[g], 0) + _draw(
        model.grant_to_permit, np.maximum(-grant_at[g], 0), rng
    )
    r = np.isfinite(rej_at) & (rej_at < horizon)
    waited = np.maximum(-rej_at[r], 0)
    regrant = np.maximum(rej_at[r], 0) + _draw(model.rejection_to_permit, waited, rng)
    leave = np.maximum(rej_at[r], 0) + _draw(model.rejection_to_left, waited, rng)
    permit[np.nonzero(r)[0][regrant < leave]] = regrant[regrant < leave]
    rej_end = np.full(total, INF)
    rej_end[r] = np.minimum(regrant, leave)
    w = (phase == "decision") & nareis
    permit[w] = _draw(model.nareis_to_permit, elapsed[w], rng)
    dec_end[w] = permit[w]

    # nareizigers who follow a single referent's permit (one family per referent)
    has_family = np.concatenate([s.has_family, np.zeros(new, dtype=bool)])
    ref = (size == 1) & ~nareis & (permit < horizon) & ~has_family
    since = np.maximum(-permit[ref], 0)
    arrival = np.maximum(permit[ref], 0) + _draw(model.nareis_after_permit, since, rng)
    came = arrival < horizon
    referents = np.nonzero(ref)[0][came]
    f_arrive = arrival[came]
    f = len(f_arrive)
    f_permit = f_arrive + _draw(model.nareis_to_permit, np.zeros(f), rng)
    size = np.concatenate([size, rng.choice(model.nareis_sizes, f).astype(float)])
    permit = np.concatenate([permit, f_permit])
    dec_start = np.concatenate([dec_start, f_arrive])
    dec_end = np.concatenate([dec_end, f_permit])
    grant_at = np.concatenate([grant_at, np.full(f, INF)])
    rej_at = np.concatenate([rej_at, np.full(f, INF)])
    rej_end = np.concatenate([rej_end, np.full(f, INF)])
    total = len(size)

    # the koppeling after the permit, and to which municipality
    kop = np.concatenate([s.koppeling, np.full(total - n, INF)])
    p = ~np.isfinite(kop) & (permit < horizon)
    kop[p] = np.maximum(permit[p], 0) + _draw(model.permit_to_koppeling,
                                              np.maximum(-permit[p], 0), rng)  # fmt: skip
    # the municipality: known, the referent's, or one drawn among those behind their taakstelling
    muni = np.full(total, -1)
    muni[:n] = s.municipality
    follow = np.full(total, -1)
    follow[total - f :] = referents
    muni[total - f :] = muni[referents]  # a referent linked before the moment
    now = np.nonzero((kop >= 0) & (kop < horizon))[0]
    now = now[np.argsort(kop[now], kind="stable")]
    position = np.full(total, -1)
    position[now] = np.arange(len(now))
    follows = np.where(follow[now] >= 0, position[np.maximum(follow[now], 0)], -1)
    follows = np.where(follows < np.arange(len(now)), follows, -1)  # referent linked earlier
    permit_start = np.where(np.isfinite(grant_at), grant_at, permit)
    return {
        "size": size, "muni": muni, "permit": permit, "kop": kop,
        "move_out": np.concatenate([s.move_out, np.full(total - n, INF)]),
        "referent": np.concatenate([s.referent, np.full(new, -1), referents]),
        "decision": (dec_start, dec_end), "rejected": (rej_at, rej_end),
        "permit_phase": (permit_start, kop), "linked": now,
        "koppelingen": Koppelingen(size[now], muni[now], follows,
                                   rng.dirichlet(model.share_alpha)),
    }  # fmt: skip


def _move_outs(paths: dict, model: Model, horizon: float, rng) -> None:
    """The move-out after the koppeling, in the queue for a home at the recent pace; nareizigers
    join their referent's home: once both they are linked and the referent has moved in, after
    the joining wait (their move needs no home of its own, so it is not in the pace)."""
    kop, muni, referent = paths["kop"], paths["muni"], paths["referent"]
    out = paths["move_out"]
    waiting = ~np.isfinite(out) & (kop < horizon)
    h = waiting & (referent < 0)
    codes = np.array([*model.municipalities, UNKNOWN])
    keys = codes[np.where(muni[h] >= 0, muni[h], len(codes) - 1)]
    start = np.maximum(kop[h], 0)
    drawn = start + _by_curve(model.housing, keys, np.maximum(-kop[h], 0), rng)
    out[h] = paced(drawn, start, model.move_outs, horizon, rng)
    j = waiting & (referent >= 0)
    ready = np.maximum(kop[j], out[referent[j]])  # inf while the referent waits beyond sight
    known = np.isfinite(ready)
    joined = np.full(len(ready), INF)
    joined[known] = np.maximum(ready[known], 0) + _draw(model.joining,
                                                        np.maximum(-ready[known], 0), rng)  # fmt: skip
    out[j] = joined
    paths["out"] = out
    paths["housing"] = (kop, out)


def _count(paths, edges, run, national, local, waiting, n_munis) -> None:
    size = paths["size"]
    months = len(edges) - 1

    def per_month(t: np.ndarray, weight: np.ndarray) -> np.ndarray:
        return np.histogram(t, bins=edges, weights=weight)[0]

    def per_muni(t: np.ndarray, weight: np.ndarray, muni: np.ndarray) -> np.ndarray:
        month = np.searchsorted(edges, t, side="right") - 1
        ok = (month >= 0) & (month < months) & (muni >= 0)
        flat = np.bincount(muni[ok] * months + month[ok], weights=weight[ok],
                           minlength=n_munis * months)  # fmt: skip
        return flat.reshape(n_munis, months)

    ones = np.ones(len(size))
    national["permits"][run] = per_month(paths["permit"], size)
    national["linked_persons"][run] = per_month(paths["kop"], size)
    national["linked_households"][run] = per_month(paths["kop"], ones)
    national["move_outs"][run] = per_month(paths["out"], size)
    local["linked_persons"][run] = per_muni(paths["kop"], size, paths["muni"])
    local["linked_households"][run] = per_muni(paths["kop"], ones, paths["muni"])
    local["move_outs"][run] = per_muni(paths["out"], size, paths["muni"])
    bucket = np.minimum(size, SIZES[-1])
    for s in SIZES:
        mask = (bucket == s).astype(float)
        national[f"households_size_{s}"][run] = per_month(paths["kop"], mask)
        local[f"households_size_{s}"][run] = per_muni(paths["kop"], mask, paths["muni"])
    ends = edges[1:]
    for phase, key in zip(PHASES, ("decision", "rejected", "permit_phase", "housing"),
                          strict=True):  # fmt: skip
        start, stop = paths[key]
        valid = start < stop
        # in the phase at a month's end: started by then, minus those that also ended by then
        began = np.bincount(np.searchsorted(ends, start[valid]), weights=size[valid],
                            minlength=months + 1)  # fmt: skip
        ended = np.bincount(np.searchsorted(ends, stop[valid]), weights=size[valid],
                            minlength=months + 1)  # fmt: skip
        waiting[phase][run] = np.cumsum(began)[:months] - np.cumsum(ended)[:months]
