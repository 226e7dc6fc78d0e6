"""The pipeline run forward: a Monte Carlo simulation of every waiting household unit.

Each run takes the units at the as-of moment (:mod:`toolkit.forecast.state`) and draws, from the
model (:mod:`toolkit.forecast.model`), what happens to each: when its decision comes (given how
long it has waited) and whether it grants; after a rejection, a later permit (appeal) or leaving;
the permit, the koppeling and to which municipality, the move-out; nareizigers who follow a
single referent's permit; and new households arriving at the recent pace. Every run counts per
calendar month the permits, the persons and households linked per municipality (households by
size), the move-outs and the persons still waiting in each phase. The forecast is the mean over
the runs, its 80% interval the 10th and 90th percentiles, so the interval holds both the chance
in each household's path and the uncertainty of the municipalities' shares.

Times inside a run are days after the as-of moment; ``inf`` is "not within sight".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.forecast.model import Model
from toolkit.forecast.state import DAY, UNKNOWN, WAITING

INF = np.inf
# household sizes reported; the last one holds that size and larger
SIZES = (1, 2, 3, 4, 5)
PHASES = ("decision", "rejected", "permit", "housing")


@dataclass
class Runs:
    """Counts of every run: ``national[metric]`` is runs x months, ``local[metric]`` is
    runs x municipalities x months, ``waiting[phase]`` is runs x months (persons at month end)."""

    national: dict[str, np.ndarray]
    local: dict[str, np.ndarray]
    waiting: dict[str, np.ndarray]
    codes: tuple[str, ...]


def _draw(km, elapsed: np.ndarray, rng: np.random.Generator, pace: float = 1.0) -> np.ndarray:
    """Days from now until the wait ends, for units that have waited ``elapsed`` days."""
    if len(elapsed) == 0:
        return np.zeros(0)
    return km.draw(elapsed, rng, pace) - elapsed


def _by_curve(
    curves: dict, keys: np.ndarray, elapsed: np.ndarray, rng, pace: float = 1.0
) -> np.ndarray:
    """Remaining waits where each unit has the curve of its key (fallback: ``UNKNOWN``)."""
    out = np.full(len(keys), INF)
    for key in np.unique(keys):
        here = keys == key
        out[here] = _draw(curves.get(key, curves[UNKNOWN]), elapsed[here], rng, pace)
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
    """``runs`` runs of the pipeline; ``edges`` are the month boundaries in days after the moment."""
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
    for run in range(runs):
        paths = _paths(units, model, moment, horizon, rng, index)
        _count(paths, edges, run, national, local, waiting, len(codes))
    return Runs(national, local, waiting, codes)


def _paths(units, model: Model, moment, horizon: float, rng, index: dict) -> dict[str, np.ndarray]:
    """One run: every unit's size, municipality and the days of its phase changes."""
    u = units[units["phase"].isin((*WAITING, "housed"))]
    n = len(u)

    def past(column: str) -> np.ndarray:
        days = ((u[column] - moment) / DAY).to_numpy(dtype=float)
        return np.where(np.isnan(days), INF, days)

    phase = u["phase"].to_numpy()
    elapsed = u["elapsed"].fillna(0).to_numpy(dtype=float)
    nareis = u["nareis"].to_numpy(dtype=bool)
    nat, track = u["nationality"], u["track"]
    # households arriving at the recent pace
    new = rng.poisson(model.arrivals_per_day * horizon) if len(model.arrival_pool) else 0
    pool = model.arrival_pool.iloc[rng.integers(0, max(len(model.arrival_pool), 1), new)]
    arrive = rng.uniform(0, horizon, new)

    # the first decision, for units waiting for one and for the new households
    first = (phase == "decision") & ~nareis
    dec_end = np.full(n, INF)
    dec_end[first] = _by_curve(model.decision, track.to_numpy()[first].astype(str),
                               elapsed[first], rng, model.decision_pace)  # fmt: skip
    new_end = arrive + _draw(model.decision[UNKNOWN], np.zeros(new), rng, model.decision_pace)
    grants = rng.random(n) < model.grant_probability(nat, track)
    new_grants = rng.random(new) < model.grant_probability(pool["nationality"],
                                                           pd.Series([UNKNOWN] * new))  # fmt: skip
    grant_at = np.concatenate([np.where(phase == "granted", -elapsed,
                                        np.where(first & grants, dec_end, INF)),
                               np.where(new_grants, new_end, INF)])  # fmt: skip
    rej_at = np.concatenate([np.where(phase == "rejected", -elapsed,
                                      np.where(first & ~grants, dec_end, INF)),
                             np.where(new_grants, INF, new_end)])  # fmt: skip
    dec_start = np.concatenate([np.where(phase == "decision", -INF, INF), arrive])
    dec_end = np.concatenate([dec_end, new_end])
    size = np.concatenate([u["size"].to_numpy(dtype=float), pool["size"].to_numpy(dtype=float)])
    nareis = np.concatenate([nareis, np.zeros(new, dtype=bool)])
    elapsed = np.concatenate([elapsed, np.zeros(new)])
    phase = np.concatenate([phase, np.full(new, "new")])
    total = len(size)

    # the permit: after a grant, after an appeal (unless leaving comes first), or for
    # nareizigers after their arrival
    permit = np.concatenate([past("permit"), np.full(new, INF)])
    g = np.isfinite(grant_at) & (grant_at < horizon)
    permit[g] = grant_at[g] + _draw(model.grant_to_permit, np.maximum(-grant_at[g], 0), rng)
    r = np.isfinite(rej_at) & (rej_at < horizon)
    waited = np.maximum(-rej_at[r], 0)
    regrant = rej_at[r] + _draw(model.rejection_to_permit, waited, rng)
    leave = rej_at[r] + _draw(model.rejection_to_left, waited, rng)
    permit[np.nonzero(r)[0][regrant < leave]] = regrant[regrant < leave]
    rej_end = np.full(total, INF)
    rej_end[r] = np.minimum(regrant, leave)
    w = (phase == "decision") & nareis
    permit[w] = _draw(model.nareis_to_permit, elapsed[w], rng)
    dec_end[w] = permit[w]

    # nareizigers who follow a single referent's permit (one family per referent)
    households = np.concatenate([u["household"].astype(str).to_numpy(), np.full(new, "")])
    has_family = list(set(u.loc[u["nareis"], "household"].astype(str)))
    ref = (size == 1) & ~nareis & (permit < horizon) & ~np.isin(households, has_family)
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
    kop = np.concatenate([past("koppeling"), np.full(total - n, INF)])
    p = ~np.isfinite(kop) & (permit < horizon)
    kop[p] = np.maximum(permit[p], 0) + _draw(model.permit_to_koppeling,
                                              np.maximum(-permit[p], 0), rng)  # fmt: skip
    muni = np.full(total, -1)
    known = u["municipality"].astype(object).map(index).fillna(-1).to_numpy(dtype=int)
    muni[:n] = known
    muni[total - f:] = muni[referents]  # nareizigers join their referent's municipality
    by_household = dict(zip(households[:n][known >= 0], known[known >= 0], strict=True))
    for i in np.nonzero(nareis[:n] & (known < 0))[0]:
        muni[i] = by_household.get(households[i], -1)
    shares = rng.dirichlet(model.share_alpha)
    draw = (kop < horizon) & (muni < 0)
    muni[draw] = rng.choice(len(shares), int(draw.sum()), p=shares)
    # a family whose referent is linked only in this run follows the referent's draw
    muni[total - f:] = muni[referents]

    # the move-out after the koppeling, at the pace of the municipality
    out = np.concatenate([past("move_out"), np.full(total - n, INF)])
    h = ~np.isfinite(out) & (kop < horizon)
    codes = np.array([*index, UNKNOWN])
    keys = codes[np.where(muni[h] >= 0, muni[h], len(codes) - 1)]
    out[h] = np.maximum(kop[h], 0) + _by_curve(model.housing, keys, np.maximum(-kop[h], 0), rng,
                                               model.housing_pace)  # fmt: skip
    permit_start = np.where(np.isfinite(grant_at), grant_at, permit)
    return {
        "size": size, "muni": muni, "permit": permit, "kop": kop, "out": out,
        "decision": (dec_start, dec_end), "rejected": (rej_at, rej_end),
        "permit_phase": (permit_start, kop), "housing": (kop, out),
    }  # fmt: skip


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
        inside = (start[:, None] <= ends[None, :]) & (stop[:, None] > ends[None, :])
        waiting[phase][run] = (inside * size[:, None]).sum(axis=0)
