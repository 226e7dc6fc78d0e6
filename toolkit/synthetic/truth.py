"""Ground truth of a simulated world: what an analysis of the exports should find.

The exports are cut at the cut-off date; the world is not. So the truth knows how long the people
who were still waiting at the cut-off actually waited, which is what a censoring-aware estimate
from the exports must come close to, and how strong each injected bottleneck really is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from toolkit.chain import Chain, load_chain
from toolkit.chain.intervals import interval_bounds
from toolkit.synthetic.config import GeneratorConfig
from toolkit.synthetic.simulation import World

DAYS_PER_WEEK = 7.0
DECISION_NORM = "N04"
HOUSING_NORM = "N13"
OFFER_NORM = "N11"
GRANTED = "ind_beschikking_inwilliging"
REJECTED = "ind_beschikking_afwijzing"


@dataclass(frozen=True)
class Realised:
    """The headline figures of a world, next to the targets of the config."""

    decision_weeks_median: float
    approval: float
    permit_to_moveout_weeks_median: float
    over_housing_norm: float

    def checks(self, targets: dict) -> dict[str, bool]:
        lo, hi = targets["decision_weeks"]
        alo, ahi = targets["approval"]
        plo, phi = targets["permit_to_moveout_weeks"]
        return {
            "decision_weeks_median": lo <= self.decision_weeks_median <= hi,
            "approval": alo <= self.approval <= ahi,
            "permit_to_moveout_weeks_median": plo <= self.permit_to_moveout_weeks_median <= phi,
            "over_housing_norm": self.over_housing_norm > targets["over_housing_norm_min"],
        }


def _log(world: World) -> pd.DataFrame:
    """The world's events with the event log's column names, so chain functions take them."""
    return world.events.rename(
        columns={
            "person": "case:concept:name",
            "activity": "concept:name",
            "local_time": "time:timestamp",
        }
    )


def durations(world: World, cfg: GeneratorConfig, chain: Chain | None = None) -> pd.DataFrame:
    """True per-person durations of the chain's milestone intervals, also those past the cut-off.

    `end` is empty for a person who had not reached the end when the world stopped; `open_at_cutoff`
    marks the people an export sees as still waiting.
    """
    chain = chain or load_chain()
    log = _log(world)
    cutoff = pd.Timestamp(cfg.cutoff) + pd.Timedelta(days=1)
    frames = []
    for norm in chain.norms:
        if not norm.milestone:
            continue
        b = interval_bounds(log, norm)
        b.insert(0, "norm", norm.id)
        frames.append(b)
    out = pd.concat(frames, ignore_index=True)
    out["days"] = (out["end"] - out["start"]).dt.total_seconds() / 86400
    out["starts_before_cutoff"] = out["start"] < cutoff
    out["open_at_cutoff"] = out["starts_before_cutoff"] & (
        out["end"].isna() | (out["end"] >= cutoff)
    )
    persons = world.persons.set_index("person")
    out["vnummer"] = out["case"].map(persons["vnummer"])
    out["household"] = out["case"].map(persons["household"])
    return out.drop(columns="case")


def realised(world: World, truth: pd.DataFrame) -> Realised:
    """Headline figures over the people whose interval started before the cut-off."""
    seen = truth[truth["starts_before_cutoff"]]
    decision = seen.loc[(seen["norm"] == DECISION_NORM) & seen["end"].notna(), "days"]
    housing = seen.loc[seen["norm"] == HOUSING_NORM, "days"].fillna(np.inf)
    log = _log(world)
    decisions = log[log["concept:name"].isin([GRANTED, REJECTED])]
    first = decisions.drop_duplicates("case:concept:name")
    return Realised(
        decision_weeks_median=round(float(decision.median()) / DAYS_PER_WEEK, 1),
        approval=round(float((first["concept:name"] == GRANTED).mean()), 3),
        permit_to_moveout_weeks_median=round(float(np.median(housing)) / DAYS_PER_WEEK, 1),
        over_housing_norm=round(float((housing > load_chain().norm(HOUSING_NORM).days).mean()), 3),
    )


def _median(values: pd.Series) -> float | None:
    values = values.dropna()
    return round(float(values.median()), 1) if len(values) else None


def bottleneck_effects(world: World, truth: pd.DataFrame) -> list[dict]:
    """Each injected bottleneck with its measured effect in the simulated world."""
    log = _log(world)
    effects = []
    for b in world.bottlenecks:
        entry = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in b.items()}
        if b["kind"] == "slow_municipality":
            kop = log[log["concept:name"] == "coa_koppeling"].drop_duplicates("case:concept:name")
            muni = kop.set_index("case:concept:name")["municipality"]
            offer = truth[truth["norm"] == OFFER_NORM].copy()
            vn = world.persons.set_index("vnummer")["person"]
            offer["municipality"] = offer["vnummer"].map(vn).map(muni)
            inside = offer["municipality"] == b["municipality"]
            entry["effect"] = {
                "metric": "median days from koppeling to housing offer",
                "norm": OFFER_NORM,
                "segment": _median(offer.loc[inside, "days"]),
                "rest": _median(offer.loc[~inside, "days"]),
                "persons": int(inside.sum()),
            }
        elif b["kind"] == "office_capacity_loss":
            start = log[log["concept:name"] == "ind_rvt_start"].drop_duplicates("case:concept:name")
            ng = log[log["concept:name"] == "ind_nader_gehoor"].drop_duplicates("case:concept:name")
            pair = start.merge(ng, on="case:concept:name", suffixes=("_s", "_e"))
            window = pair["time:timestamp_s"].between(
                pd.Timestamp(b["start"]), pd.Timestamp(b["end"])
            )
            pair = pair[window]
            wait = (pair["time:timestamp_e"] - pair["time:timestamp_s"]).dt.days
            inside = pair["resource_e"] == b["office"]
            entry["effect"] = {
                "metric": "median days from start of RVT to detailed interview, for starts in the window",
                "segment": _median(wait[inside]),
                "rest": _median(wait[~inside]),
                "persons": int(inside.sum()),
            }
        elif b["kind"] == "relocating_location":
            chain = load_chain()
            coa_acts = [a.id for a in chain.activities if a.organisation == "COA"]
            coa = log[log["concept:name"].isin(coa_acts)]
            coa = coa.sort_values(["case:concept:name", "time:timestamp", "seq"], kind="stable")
            by_case = coa.groupby("case:concept:name")
            stay_days = (by_case["time:timestamp"].shift(-1) - coa["time:timestamp"]).dt.days
            origin = by_case["resource"].shift()
            moves = coa["concept:name"].eq("coa_overplaatsing") & origin.notna()
            years = stay_days.groupby(coa["resource"]).sum() / 365.25
            rate = (moves.groupby(origin).sum() / years).dropna()
            azc = set(coa.loc[coa["location_type"] == "AZC", "resource"])
            rest = rate[[r in azc and r != b["location"] for r in rate.index]]
            entry["effect"] = {
                "metric": "relocations out of the location per resident-year",
                "segment": round(float(rate.get(b["location"], 0.0)), 2),
                "rest": round(float(rest.mean()), 2) if len(rest) else None,
                "persons": int(
                    coa.loc[coa["resource"] == b["location"], "case:concept:name"].nunique()
                ),
            }
        effects.append(entry)
    return effects
