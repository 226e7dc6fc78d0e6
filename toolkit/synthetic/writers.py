"""Writers of the synthetic generator: the canonical world becomes raw exports with dirt.

The simulation produces one clean, canonical event table. Real chain partners never deliver that:
they deliver files in their own formats, cut into overlapping periods, with spelling variants,
broken dates and personal data in them. This module renders the canonical events through the same
mapping profiles the adapters read (file names, column order, codes, encodings), injects the dirt
of ``dirt.toml`` at the configured rates, and writes ``dirt_manifest.json``: for every file what
was planted and what a correct adapter must therefore make of it (events, removed duplicates,
quarantined rows by reason). That manifest is the known answer the adapter tests check against.

Rules that keep the manifest exact:

* a data row carries at most one kind of row dirt, so its outcome follows from that kind;
* rows that appear in two period files (the overlap) carry no dirt in either file, so the later
  copy is byte for byte a duplicate of the earlier one;
* an exact duplicate is only ever made of a clean row.

Everything is drawn from the ``rng`` handed in, in a fixed order, and the xlsx writer fixes every
timestamp, so the same seed and inputs give byte-identical files.
"""

from __future__ import annotations

import codecs
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.adapters import Profile, builtin_profiles, fold
from toolkit.chain import Chain, load_chain
from toolkit.errors import ProfileError
from toolkit.synthetic import personal
from toolkit.synthetic.config import GeneratorConfig
from toolkit.synthetic.xlsx import (
    DATE,
    EMPTY,
    NUMBER,
    STRING,
    CellColumn,
    concat_bytes,
    excel_serial,
    string_array,
    write_xlsx,
)

MANIFEST_NAME = "dirt_manifest.json"
# The organisations whose exports come in periods, and the profile each one writes.
PERIODIC_PROFILES = (("COA", "coa-xlsx"), ("IND", "ind-csv"))

# A harmless variation of the COA municipality code (479 or GM0479 for 0479). dirt.toml does not
# list it because the design names it as a variation, not as dirt; it is counted like dirt so that
# the manifest says how often an adapter meets it.
MUNICIPALITY_CODE_VARIANT = "municipality_code_variant"
# Share of COA rows whose remark holds harmless text (not dirt: the column is never passed on).
HARMLESS_REMARK_RATE = 0.03
# Rows within this many days of a DST change are the candidates for a time in the DST gap/overlap.
DST_WINDOW_DAYS = 7
DST_MONTH = {"time_dst_gap": 3, "time_dst_overlap": 10}
FOOTER_TEMPLATE = "Totaal: {n} regels"
STAFF_PER_OFFICE = 40
CASEWORKERS_PER_MUNICIPALITY = 6
COA_CASEWORKERS = 30
# A duplicate row lands this many rows after its original, or at the end of the file.
DUPLICATE_GAP = (1, 20)
DUPLICATE_AT_END_SHARE = 0.25
CREATED_DAYS_AFTER_PERIOD = (1, 5)
FUTURE_DAYS = (30, 400)
RULING_DAYS_BEFORE_APPEAL = (1, 20)
BLANK_ROWS = (1, 6)
# Day and month of dates that do not exist.
IMPOSSIBLE_DAYS = ((30, 2), (31, 2), (31, 4), (31, 6), (31, 9), (31, 11))
# Profiles whose date-as-text is written without leading zeros (d-m-jjjj), as in docs/sources.md.
UNPADDED_TEXT_DATES = frozenset({"gemeente-xlsx"})
# Profiles whose municipality field is the 4-digit CBS number rather than the GM code.
MUNICIPALITY_AS_DIGITS = frozenset({"coa-xlsx"})
# Codes no profile knows, per profile; checked against every built-in profile before use.
UNKNOWN_CODES: dict[str, tuple[str, ...]] = {
    "coa-xlsx": ("OVPX", "UIT-ONB", "MUT-X", "INSS", "UIT-GEMM"),
    "ind-csv": ("BESLUIT_ONBEKEND", "HOORZITTING", "MIJLPAAL_X", "AANMELDING_OUD", "GEHOOR_2"),
    "gemeente-xlsx": (
        "Woning aangebodn",
        "Onbekende gebeurtenis",
        "Verhuizing gepland",
        "Huurcontrakt getekend",
        "Intake gepland",
    ),
    "gemeente-csv": ("WON_AANBX", "ONBEKEND", "VERH_GEPL", "HUUR_GETK", "INTAKE_X"),
}
GENERIC_UNKNOWN_CODES = ("ONBEKEND", "CODE_ONBEKEND", "XXX")

_HHMM = np.array([f"{m // 60:02d}:{m % 60:02d}" for m in range(24 * 60)], dtype=object)
_HHMMSS = np.array(
    [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(24 * 3600)], dtype=object
)
_EPOCH = date(1970, 1, 1)


# --------------------------------------------------------------------------------------------
# Dirt kinds and periods


@dataclass(frozen=True)
class DirtKind:
    """One kind of row dirt: where it may occur, what an adapter makes of it, how often."""

    name: str
    formats: frozenset[str]
    outcome: str
    reason: str | None
    rate: float
    only_if: str | None = None


def row_dirt_kinds(cfg: GeneratorConfig) -> list[DirtKind]:
    """The row dirt of dirt.toml with the config's rates."""
    kinds = [
        DirtKind(
            name=name,
            formats=frozenset(spec["formats"]),
            outcome=spec["outcome"],
            reason=spec.get("reason"),
            rate=cfg.dirt_rate(name),
            only_if=spec.get("only_if"),
        )
        for name, spec in cfg.dirt["kind"].items()
    ]
    for kind in kinds:
        if kind.outcome not in ("event", "duplicate", "quarantine"):
            raise ValueError(f"dirt kind {kind.name}: unknown outcome {kind.outcome!r}")
        if kind.outcome == "quarantine" and not kind.reason:
            raise ValueError(f"dirt kind {kind.name}: a quarantine outcome needs a reason")
        if kind.name not in _ROW_DIRT:
            raise ValueError(f"dirt kind {kind.name} has no writer in toolkit/synthetic/writers.py")
    return kinds


@dataclass(frozen=True)
class Period:
    """One export period. ``end`` is its last exported day: the cut-off for the last period."""

    label: str
    start: date
    end: date
    last: bool


_PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def _month_number(day: date) -> int:
    return (day.year - 1970) * 12 + day.month - 1


def _month_start(month_number: int) -> date:
    return date(1970 + month_number // 12, month_number % 12 + 1, 1)


def export_periods(kind: str, first: date, cutoff: date) -> list[Period]:
    """The periods from the one holding ``first`` to the one holding the cut-off, in order."""
    step = _PERIOD_MONTHS[kind]
    periods = []
    key = _month_number(first) // step
    last_key = _month_number(cutoff) // step
    while key <= last_key:
        start = _month_start(key * step)
        end = _month_start((key + 1) * step) - timedelta(days=1)
        if kind == "month":
            label = f"{start.year}-{start.month:02d}"
        elif kind == "quarter":
            label = f"{start.year}Q{(start.month - 1) // 3 + 1}"
        else:
            label = f"{start.year}"
        periods.append(Period(label, start, min(end, cutoff), key == last_key))
        key += 1
    return periods


def municipality_slug(name: str) -> str:
    """The file-name form of a municipality name: ``'s-Gravenhage`` -> ``s-gravenhage``."""
    return re.sub(r"\s+", "-", name.strip().lower().replace("'", "").replace('"', ""))


# --------------------------------------------------------------------------------------------
# The canonical world as arrays


def _days(dates: np.ndarray) -> np.ndarray:
    return np.asarray(dates).astype("datetime64[D]")


def _to_date(day: np.datetime64) -> date:
    return _EPOCH + timedelta(days=int(day.astype("datetime64[D]").astype(np.int64)))


def _np_day(day: date) -> np.datetime64:
    return np.datetime64(day.isoformat(), "D")


def _text(series: pd.Series) -> np.ndarray:
    """A column as an object array of str, missing values as the empty string."""
    if isinstance(series.dtype, pd.StringDtype):
        return series.to_numpy(dtype=object, na_value="")
    values = series.to_numpy(dtype=object)
    missing = pd.isna(values)
    if missing.any():
        values = values.copy()
        values[missing] = ""
    if all(isinstance(v, str) for v in values):
        return values
    return values.astype(str).astype(object)


@dataclass
class _People:
    """Per-person texts, with the V-nummer already in each spelling dirt can give it."""

    vnummer: np.ndarray
    spaced: np.ndarray
    dashed: np.ndarray
    stripped: np.ndarray
    leading_zero: np.ndarray
    household: np.ndarray
    case_number: np.ndarray
    procedure: np.ndarray
    birth_year: np.ndarray
    sex: np.ndarray
    nationality: np.ndarray
    bsn: np.ndarray
    surname: np.ndarray

    @classmethod
    def build(cls, persons: pd.DataFrame) -> _People:
        vn = _text(persons["vnummer"])
        if not all(len(v) == 10 and v.isdigit() for v in vn):
            raise ValueError("persons.vnummer must be 10-digit strings")
        stripped = np.array([v.lstrip("0") or "0" for v in vn], dtype=object)
        return cls(
            vnummer=vn,
            spaced=np.array([f"{v[:3]} {v[3:6]} {v[6:]}" for v in vn], dtype=object),
            dashed=np.array([f"{v[:3]}-{v[3:6]}-{v[6:]}" for v in vn], dtype=object),
            stripped=stripped,
            leading_zero=np.array([v.startswith("0") for v in vn], dtype=bool),
            household=_text(persons["household"]),
            case_number=_text(persons["case_number"]),
            procedure=_text(persons["procedure"]),
            birth_year=persons["birth_year"].astype(np.int64).astype(str).to_numpy(dtype=object),
            sex=_text(persons["sex"]),
            nationality=_text(persons["nationality"]),
            bsn=_text(persons["bsn"]),
            surname=_text(persons["surname"]),
        )


ORGANISATIONS = ("COA", "IND", "GEMEENTE")


@dataclass
class _World:
    """The exported events (those up to the cut-off), sorted by local time and sequence.

    Activities, organisations and municipalities are held as integer codes into small tables,
    because comparing millions of Python strings is what would make the writers slow.
    """

    person: np.ndarray
    act: np.ndarray
    act_names: np.ndarray
    org: np.ndarray
    date: np.ndarray
    secs: np.ndarray
    has_time: np.ndarray
    resource: np.ndarray
    location_type: np.ndarray
    muni: np.ndarray
    muni_names: np.ndarray
    track: np.ndarray
    appeal: np.ndarray

    @property
    def size(self) -> int:
        return len(self.person)

    def municipality_of(self, ev: np.ndarray) -> np.ndarray:
        """The municipality code ("" for none) of the given events."""
        return self.muni_names[self.muni[ev]]

    def of(self, organisation: str) -> np.ndarray:
        """Indices of the events of one organisation, in time order."""
        return np.flatnonzero(self.org == ORGANISATIONS.index(organisation))

    def in_municipality(self, code: str) -> np.ndarray:
        """Boolean mask of the events that carry a municipality code."""
        hits = np.flatnonzero(self.muni_names == code)
        if not len(hits):
            return np.zeros(self.size, dtype=bool)
        return self.muni == hits[0]

    @classmethod
    def build(
        cls, events: pd.DataFrame, persons: pd.DataFrame, cutoff: date, chain: Chain
    ) -> _World:
        stamp = events["local_time"].to_numpy().astype("datetime64[s]")
        seq = events["seq"].to_numpy().astype(np.int64)
        order = np.lexsort((seq, stamp))
        stamp = stamp[order]
        day = _days(stamp)
        keep = order[day <= _np_day(cutoff)]
        positions = pd.Index(persons["person"].to_numpy()).get_indexer(
            events["person"].to_numpy()[order]
        )
        if (positions < 0).any():
            raise ValueError("events.person holds a person that is not in persons")
        act_all, act_names = pd.factorize(_text(events["activity"])[order])
        act_names = np.asarray(act_names, dtype=object)
        orgs = [chain.activity(a).organisation for a in act_names]
        stray = sorted({o for o in orgs if o not in ORGANISATIONS})
        if stray:
            raise ValueError(f"events of organisation {stray[0]} have no export format")
        org_of = np.array([ORGANISATIONS.index(o) for o in orgs], dtype=np.int8)
        appeal = _appeal_before(positions, act_all, act_names, stamp)
        exported = day <= _np_day(cutoff)
        muni, muni_names = pd.factorize(_text(events["municipality"])[keep])

        def take(column: str) -> np.ndarray:
            return _text(events[column])[keep]

        return cls(
            person=positions[exported].astype(np.int64),
            act=act_all[exported],
            act_names=act_names,
            org=org_of[act_all[exported]],
            date=day[exported],
            secs=(stamp - day).astype(np.int64)[exported],
            has_time=events["has_time"].to_numpy().astype(bool)[keep],
            resource=take("resource"),
            location_type=take("location_type"),
            muni=muni,
            muni_names=np.asarray(muni_names, dtype=object),
            track=take("track"),
            appeal=appeal[exported],
        )


RULINGS = ("ind_uitspraak_gegrond", "ind_uitspraak_ongegrond")
APPEAL = "ind_beroep_ingesteld"


def _appeal_before(
    person: np.ndarray, act: np.ndarray, act_names: np.ndarray, stamp: np.ndarray
) -> np.ndarray:
    """For each ruling, the day of the person's latest appeal before it; NaT elsewhere."""
    out = np.full(len(person), np.datetime64("NaT"), dtype="datetime64[D]")
    ruling_codes = np.flatnonzero(np.isin(act_names, RULINGS))
    appeal_codes = np.flatnonzero(act_names == APPEAL)
    rulings = np.flatnonzero(np.isin(act, ruling_codes))
    appeals = np.flatnonzero(np.isin(act, appeal_codes))
    if not len(rulings) or not len(appeals):
        return out
    # Events are sorted by (time, seq), so the position is the order: an appeal counts when it
    # comes earlier in that order.
    left = pd.DataFrame({"pos": rulings, "person": person[rulings]})
    right = pd.DataFrame({"pos": appeals, "person": person[appeals], "appeal": appeals})
    hit = pd.merge_asof(
        left, right, on="pos", by="person", direction="backward", allow_exact_matches=False
    )
    found = hit["appeal"].notna().to_numpy()
    out[hit["pos"].to_numpy()[found]] = _days(stamp[hit["appeal"].to_numpy()[found].astype(int)])
    return out


# --------------------------------------------------------------------------------------------
# Dates and times as the formats write them


def _format_days(days: np.ndarray, render: Callable[[date], str]) -> np.ndarray:
    """Format dates through their distinct values: a few thousand calls instead of millions."""
    if not len(days):
        return np.empty(0, dtype=object)
    ints = _days(days).astype(np.int64)
    codes, uniques = pd.factorize(ints)
    texts = np.array([render(_EPOCH + timedelta(days=int(u))) for u in uniques], dtype=object)
    return texts[codes]


def _strftime(pattern: str) -> Callable[[date], str]:
    return lambda d: d.strftime(pattern)


def _unpadded(d: date) -> str:
    return f"{d.day}-{d.month}-{d.year}"


def _last_sunday(years: np.ndarray, month: int) -> np.ndarray:
    """The last Sunday of ``month`` in each year (when EU summer time starts or ends)."""
    months = (np.asarray(years, dtype=np.int64) - 1970) * 12 + month  # the month after
    last = months.astype("datetime64[M]").astype("datetime64[D]") - np.timedelta64(1, "D")
    weekday = (last.astype(np.int64) + 3) % 7  # Monday 0 (1970-01-01 was a Thursday)
    return last - ((weekday + 1) % 7).astype("timedelta64[D]")


def _years(days: np.ndarray) -> np.ndarray:
    return _days(days).astype("datetime64[Y]").astype(np.int64) + 1970


def amsterdam_offsets(days: np.ndarray, secs: np.ndarray) -> np.ndarray:
    """The UTC offset (``+01:00``/``+02:00``) of Europe/Amsterdam wall-clock times.

    Summer time runs from 02:00 on the last Sunday of March to 03:00 on the last Sunday of
    October; a time in the repeated hour of October is taken as its first (summer) occurrence.
    """
    days = _days(days)
    years = _years(days)
    start, end = _last_sunday(years, 3), _last_sunday(years, 10)
    summer = (
        ((days > start) & (days < end))
        | ((days == start) & (secs >= 2 * 3600))
        | ((days == end) & (secs < 3 * 3600))
    )
    return np.where(summer, "+02:00", "+01:00").astype(object)


def _iso_stamps(days: np.ndarray, secs: np.ndarray) -> np.ndarray:
    date_part = _format_days(days, _strftime("%Y-%m-%dT"))
    secs = np.clip(secs, 0, 24 * 3600 - 1)
    return date_part + _HHMMSS[secs] + amsterdam_offsets(days, secs)


def _with_year(days: np.ndarray, years: np.ndarray) -> np.ndarray:
    """The same day and month in other years (29 February becomes the 28th where needed)."""
    days = _days(days)
    month0 = days.astype("datetime64[M]")
    day_of_month = (days - month0.astype("datetime64[D]")).astype(np.int64)
    month = month0.astype(np.int64) % 12
    first = ((years - 1970) * 12 + month).astype("datetime64[M]")
    length = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(int)
    return first.astype("datetime64[D]") + np.minimum(day_of_month, length - 1)


# --------------------------------------------------------------------------------------------
# One file


@dataclass
class _FileSpec:
    """What goes into one file before dirt: the events, which rows are protected, its dates."""

    path: str
    profile: Profile
    ev: np.ndarray
    protected: np.ndarray
    overlap_rows: int
    created: datetime
    period: Period | None = None
    municipality: str | None = None


@dataclass
class _Draft:
    """The rows of one file while dirt is applied; rendered to cells only at the end."""

    ev: np.ndarray
    person: np.ndarray
    vn: np.ndarray
    vn_kind: np.ndarray
    date: np.ndarray
    secs: np.ndarray
    has_time: np.ndarray
    date_is_text: np.ndarray
    date_text: np.ndarray
    code: np.ndarray
    remark: np.ndarray
    municipality: np.ndarray

    def __len__(self) -> int:
        return len(self.ev)


@dataclass
class _Context:
    """Everything a file needs besides its own rows, shared by all files of one run."""

    world: _World
    people: _People
    profiles: dict[str, Profile]
    chain: Chain
    kinds: list[DirtKind]
    file_kinds: dict[str, dict[str, Any]]
    cutoff: date
    rng: np.random.Generator
    remark: np.ndarray
    staff: np.ndarray
    caseworker: np.ndarray
    coa_caseworkers: list[str]


@cache
def _code_table(profile: Profile) -> dict[str, tuple[str, str]]:
    """Activity -> (code, outcome) as the profile writes it."""
    return {
        activity: (code, outcome or "")
        for activity in sorted(profile.activities)
        for code, outcome in [profile.render_code(activity)]
    }


def _codes_of(profile: Profile, world: _World, ev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The code and outcome the profile writes for each of the given events."""
    table = _code_table(profile)
    codes = np.full(len(world.act_names), "", dtype=object)
    outcomes = np.full(len(world.act_names), "", dtype=object)
    act = world.act[ev]
    for a in np.unique(act).tolist():
        name = world.act_names[a]
        if name not in table:
            raise ProfileError(f"profile {profile.name}: no code for activity {name!r}")
        codes[a], outcomes[a] = table[name]
    return codes[act], outcomes[act]


def _draft(spec: _FileSpec, ctx: _Context) -> _Draft:
    world, people = ctx.world, ctx.people
    ev = spec.ev
    person = world.person[ev]
    code, _ = _codes_of(spec.profile, world, ev)
    municipality = world.municipality_of(ev)
    if spec.profile.name in MUNICIPALITY_AS_DIGITS:
        municipality = np.array([m[2:] if m.startswith("GM") else m for m in municipality], object)
    n = len(ev)
    return _Draft(
        ev=ev,
        person=person,
        vn=people.vnummer[person].copy(),
        vn_kind=np.full(n, STRING, dtype=np.int8),
        date=world.date[ev].copy(),
        secs=world.secs[ev].copy(),
        has_time=world.has_time[ev].copy(),
        date_is_text=np.zeros(n, dtype=bool),
        date_text=np.full(n, "", dtype=object),
        code=code,
        remark=ctx.remark[ev].copy(),
        municipality=municipality,
    )


def _eligible(kind: DirtKind, draft: _Draft, spec: _FileSpec, ctx: _Context) -> np.ndarray:
    base = ~spec.protected
    if kind.only_if is None:
        return base
    if kind.only_if == "vnummer_leading_zero":
        return base & ctx.people.leading_zero[draft.person]
    if kind.only_if == "near_dst_change":
        month = DST_MONTH.get(kind.name)
        if month is None:
            raise ValueError(f"dirt kind {kind.name}: no DST change known for it")
        sunday = _last_sunday(_years(draft.date), month)
        near = np.abs((draft.date - sunday).astype(np.int64)) <= DST_WINDOW_DAYS
        return base & near & (sunday <= _np_day(ctx.cutoff))
    if kind.only_if == "ruling":
        return base & ~np.isnat(ctx.world.appeal[draft.ev])
    if kind.only_if == "municipality":
        return base & (ctx.world.municipality_of(draft.ev) != "")
    raise ValueError(f"dirt kind {kind.name}: unknown condition only_if={kind.only_if!r}")


def _choose_dirt(
    kinds: list[DirtKind], draft: _Draft, spec: _FileSpec, ctx: _Context
) -> np.ndarray:
    """Per row the index of its one kind of dirt in ``kinds``, or -1 for a clean row.

    Each row's eligible kinds split the unit interval by their rates (scaled down only when they
    add up to more than 1), and one uniform draw picks at most one of them, so every kind hits
    its rate of the eligible rows.
    """
    n = len(draft)
    eligible = [_eligible(k, draft, spec, ctx) for k in kinds]
    rates = [k.rate for k in kinds]
    total = np.zeros(n)
    for rate, mask in zip(rates, eligible, strict=True):
        total += rate * mask
    u = ctx.rng.random(n) * np.maximum(total, 1.0)
    chosen = np.full(n, -1, dtype=np.int64)
    cum = np.zeros(n)
    for i, (rate, mask) in enumerate(zip(rates, eligible, strict=True)):
        if rate <= 0:
            continue
        cum = cum + rate * mask
        pick = mask & (chosen < 0) & (u < cum)
        chosen[pick] = i
    return chosen


@cache
def _case_variants(code: str) -> tuple[str, ...]:
    """Spellings of a code that fold to the same text but are not the same text."""
    candidates = [code.lower(), code.upper(), code.title(), f" {code}", f"{code} ", f"{code}  "]
    if " " in code:
        candidates.append(code.replace(" ", "  "))
    seen: dict[str, None] = {}
    for c in candidates:
        if c != code and fold(c) == fold(code):
            seen.setdefault(c, None)
    return tuple(seen)


def _unknown_codes(profile: Profile, profiles: dict[str, Profile]) -> tuple[str, ...]:
    pool = UNKNOWN_CODES.get(profile.name, GENERIC_UNKNOWN_CODES)
    usable = tuple(c for c in pool if all(p.activity_for(c) is None for p in profiles.values()))
    if not usable:
        raise ValueError(f"profile {profile.name}: every planned unknown code is known somewhere")
    return usable


def _impossible_text(
    profile: Profile, days: np.ndarray, secs: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Dates that do not exist (31-02), written the way the profile writes a date as text."""
    pick = rng.integers(0, len(IMPOSSIBLE_DAYS), size=len(days))
    years = _years(days)
    out = np.empty(len(days), dtype=object)
    for i in range(len(days)):
        day, month = IMPOSSIBLE_DAYS[int(pick[i])]
        year = int(years[i])
        if "timestamp" in profile.columns and "date" not in profile.columns:
            offset = "+02:00" if 4 <= month <= 9 else "+01:00"
            clock = _HHMMSS[int(np.clip(secs[i], 0, 86399))]
            out[i] = f"{year:04d}-{month:02d}-{day:02d}T{clock}{offset}"
        elif profile.name in UNPADDED_TEXT_DATES:
            out[i] = f"{day}-{month}-{year}"
        else:
            out[i] = f"{day:02d}-{month:02d}-{year:04d}"
    return out


def _primary_pattern(profile: Profile) -> str:
    return profile.date_patterns[0] if profile.date_patterns else "%d-%m-%Y"


def _apply_dirt(
    kinds: list[DirtKind], chosen: np.ndarray, draft: _Draft, spec: _FileSpec, ctx: _Context
) -> np.ndarray:
    """Change the rows that carry dirt; returns the rows to copy as exact duplicates."""
    duplicates = np.empty(0, dtype=np.int64)
    for index, kind in enumerate(kinds):
        rows = np.flatnonzero(chosen == index)
        if kind.name == "exact_duplicate":
            duplicates = rows
        elif len(rows):
            _ROW_DIRT[kind.name](draft, rows, spec, ctx)
    return duplicates


def _dirt_vnummer_spaced(d: _Draft, rows: np.ndarray, spec: _FileSpec, ctx: _Context) -> None:
    d.vn[rows] = ctx.people.spaced[d.person[rows]]


def _dirt_vnummer_dashed(d: _Draft, rows: np.ndarray, spec: _FileSpec, ctx: _Context) -> None:
    d.vn[rows] = ctx.people.dashed[d.person[rows]]


def _dirt_vnummer_lost_zeros(d: _Draft, rows: np.ndarray, spec: _FileSpec, ctx: _Context) -> None:
    d.vn[rows] = ctx.people.stripped[d.person[rows]]
    d.vn_kind[rows] = NUMBER


def _dirt_vnummer_missing(d: _Draft, rows: np.ndarray, spec: _FileSpec, ctx: _Context) -> None:
    d.vn[rows] = ""
    d.vn_kind[rows] = EMPTY


def _set_date_text(d: _Draft, rows: np.ndarray, texts: np.ndarray) -> None:
    d.date_is_text[rows] = True
    d.date_text[rows] = texts


def _dirt_date_as_text(d: _Draft, rows: np.ndarray, spec: _FileSpec, ctx: _Context) -> None:
    if spec.profile.name in UNPADDED_TEXT_DATES:
        render: Callable[[date], str] = _unpadded
    else:
        render = _strftime(_primary_pattern(spec.profile))
    _set_date_text(d, rows, _format_days(d.date[rows], render))


def _dirt_date_excel_serial(d: _Draft, rows: np.ndarray, spec: _FileSpec, ctx: _Context) -> None:
    _set_date_text(d, rows, excel_serial(d.date[rows]).astype(str).astype(object))


def _dirt_date_other_pattern(d: _Draft, rows: np.ndarray, spec: _FileSpec, ctx: _Context) -> None:
    others = spec.profile.date_patterns[1:]
    if not others:
        raise ProfileError(f"profile {spec.profile.name}: no second date pattern to write")
    pick = ctx.rng.integers(0, len(others), size=len(rows))
    texts = np.empty(len(rows), dtype=object)
    for i, pattern in enumerate(others):
        mask = pick == i
        texts[mask] = _format_days(d.date[rows][mask], _strftime(pattern))
    _set_date_text(d, rows, texts)


def _dirt_date_impossible(d: _Draft, rows: np.ndarray, spec: _FileSpec, ctx: _Context) -> None:
    _set_date_text(d, rows, _impossible_text(spec.profile, d.date[rows], d.secs[rows], ctx.rng))


def _dirt_date_future(d: _Draft, rows: np.ndarray, spec: _FileSpec, ctx: _Context) -> None:
    # Later than the file's creation and than the cut-off, whichever an adapter compares with.
    base = _np_day(max(spec.created.date(), ctx.cutoff + timedelta(days=1)))
    days = ctx.rng.integers(FUTURE_DAYS[0], FUTURE_DAYS[1] + 1, size=len(rows))
    d.date[rows] = base + days.astype("timedelta64[D]")


def _dirt_date_before_2000(d: _Draft, rows: np.ndarray, spec: _FileSpec, ctx: _Context) -> None:
    # Half a century typo (2024 -> 1924), half a year from the nineties (2024 -> 1998).
    years = _years(d.date[rows])
    typo = ctx.rng.random(len(rows)) < 0.5
    nineties = 1990 + ctx.rng.integers(0, 10, size=len(rows))
    d.date[rows] = _with_year(d.date[rows], np.where(typo, years - 100, nineties))


def _dirt_time_dst(d: _Draft, rows: np.ndarray, month: int, ctx: _Context) -> None:
    d.date[rows] = _last_sunday(_years(d.date[rows]), month)
    d.secs[rows] = 2 * 3600 + 60 * ctx.rng.integers(0, 60, size=len(rows))
    d.has_time[rows] = True


def _dirt_time_dst_gap(d: _Draft, rows: np.ndarray, spec: _FileSpec, ctx: _Context) -> None:
    _dirt_time_dst(d, rows, DST_MONTH["time_dst_gap"], ctx)


def _dirt_time_dst_overlap(d: _Draft, rows: np.ndarray, spec: _FileSpec, ctx: _Context) -> None:
    _dirt_time_dst(d, rows, DST_MONTH["time_dst_overlap"], ctx)


def _dirt_code_case(d: _Draft, rows: np.ndarray, spec: _FileSpec, ctx: _Context) -> None:
    pick = ctx.rng.random(len(rows))
    for i, row in enumerate(rows):
        variants = _case_variants(d.code[row])
        d.code[row] = variants[int(pick[i] * len(variants))]


def _dirt_code_unknown(d: _Draft, rows: np.ndarray, spec: _FileSpec, ctx: _Context) -> None:
    pool = np.array(_unknown_codes(spec.profile, ctx.profiles), dtype=object)
    d.code[rows] = pool[ctx.rng.integers(0, len(pool), size=len(rows))]


def _dirt_out_of_order(d: _Draft, rows: np.ndarray, spec: _FileSpec, ctx: _Context) -> None:
    lo, hi = RULING_DAYS_BEFORE_APPEAL
    back = ctx.rng.integers(lo, hi + 1, size=len(rows)).astype("timedelta64[D]")
    d.date[rows] = ctx.world.appeal[d.ev[rows]] - back


def _dirt_personal_text(d: _Draft, rows: np.ndarray, spec: _FileSpec, ctx: _Context) -> None:
    surnames = ctx.people.surname[d.person[rows]]
    d.remark[rows] = personal.planted_remarks(ctx.rng, surnames, ctx.coa_caseworkers)


def _dirt_municipality_variant(d: _Draft, rows: np.ndarray, spec: _FileSpec, ctx: _Context) -> None:
    pick = ctx.rng.random(len(rows))
    codes = ctx.world.municipality_of(d.ev[rows])
    for i, row in enumerate(rows):
        digits = str(codes[i]).removeprefix("GM")
        variants = [
            v for v in (digits.lstrip("0"), f"GM{digits}") if v and v != d.municipality[row]
        ]
        d.municipality[row] = variants[int(pick[i] * len(variants))]


_ROW_DIRT: dict[str, Callable[[_Draft, np.ndarray, _FileSpec, _Context], None]] = {
    "exact_duplicate": lambda d, rows, spec, ctx: None,
    "vnummer_spaced": _dirt_vnummer_spaced,
    "vnummer_dashed": _dirt_vnummer_dashed,
    "vnummer_lost_zeros": _dirt_vnummer_lost_zeros,
    "vnummer_missing": _dirt_vnummer_missing,
    "date_as_text": _dirt_date_as_text,
    "date_excel_serial": _dirt_date_excel_serial,
    "date_other_pattern": _dirt_date_other_pattern,
    "date_impossible": _dirt_date_impossible,
    "date_future": _dirt_date_future,
    "date_before_2000": _dirt_date_before_2000,
    "time_dst_gap": _dirt_time_dst_gap,
    "time_dst_overlap": _dirt_time_dst_overlap,
    "code_case_whitespace": _dirt_code_case,
    "code_unknown": _dirt_code_unknown,
    "out_of_order": _dirt_out_of_order,
    "personal_data_in_text": _dirt_personal_text,
    MUNICIPALITY_CODE_VARIANT: _dirt_municipality_variant,
}


def _duplicate_order(n: int, duplicates: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Row order of the file: every row once, each duplicate again a few rows later or at the end."""
    gap = rng.integers(DUPLICATE_GAP[0], DUPLICATE_GAP[1] + 1, size=len(duplicates))
    at_end = rng.random(len(duplicates)) < DUPLICATE_AT_END_SHARE
    later = np.minimum(duplicates + gap, n - 1) + 0.5
    keys = np.concatenate(
        [np.arange(n, dtype=float), np.where(at_end, n + np.arange(len(duplicates)), later)]
    )
    rows = np.concatenate([np.arange(n), duplicates])
    return rows[np.argsort(keys, kind="stable")]


# --------------------------------------------------------------------------------------------
# Rendering through the profile


def _through_values(profile: Profile, field: str, values: np.ndarray) -> np.ndarray:
    """Source spelling of a field's values: canonical values become the profile's source value."""
    table = profile.values.get(field)
    if not table:
        return values
    inverse = {canonical: source for source, canonical in table.items()}
    idx, names = pd.factorize(values)
    mapped = np.array([n if n in table else inverse.get(n, n) for n in names.tolist()], object)
    return mapped[idx]


def _render(spec: _FileSpec, d: _Draft, ctx: _Context) -> list[CellColumn]:
    """The file's columns in the profile's order: text and cell kind per row."""
    profile, world, people = spec.profile, ctx.world, ctx.people
    xlsx = profile.file_kind == "xlsx"
    fields = {column: name for name, column in profile.columns.items()}
    n = len(d)

    def date_cells() -> CellColumn:
        if xlsx and profile.excel_serial:
            text = excel_serial(d.date).astype(str).astype(object)
            kind = np.full(n, DATE, dtype=np.int8)
        else:
            text = _format_days(d.date, _strftime(_primary_pattern(profile)))
            kind = np.full(n, STRING, dtype=np.int8)
        text[d.date_is_text] = d.date_text[d.date_is_text]
        kind[d.date_is_text] = STRING
        return CellColumn(text, kind)

    def time_cells() -> CellColumn:
        pattern = profile.time_pattern or "%H:%M"
        if pattern != "%H:%M":
            raise ProfileError(f"profile {profile.name}: time pattern {pattern!r} is not written")
        text = np.where(d.has_time, _HHMM[np.clip(d.secs // 60, 0, 1439)], "").astype(object)
        return CellColumn(text)

    def timestamp_cells() -> CellColumn:
        text = _iso_stamps(d.date, d.secs)
        text[d.date_is_text] = d.date_text[d.date_is_text]
        return CellColumn(text)

    def outcome_cells() -> CellColumn:
        return CellColumn(_codes_of(profile, world, d.ev)[1])

    def description_cells() -> CellColumn:
        clean, _ = _codes_of(profile, world, d.ev)
        table = profile.code_descriptions
        return CellColumn(np.array([table.get(c, "") for c in clean.tolist()], dtype=object))

    def municipality_name_cells() -> CellColumn:
        codes = world.municipality_of(d.ev)
        names = {c: ctx.chain.municipality(c).name for c in set(codes.tolist()) if c}
        return CellColumn(np.array([names.get(c, "") for c in codes.tolist()], dtype=object))

    renderers: dict[str, Callable[[], CellColumn]] = {
        "vnummer": lambda: CellColumn(d.vn, d.vn_kind),
        "household": lambda: CellColumn(people.household[d.person]),
        "birth_year": lambda: CellColumn(people.birth_year[d.person], NUMBER),
        "sex": lambda: CellColumn(_through_values(profile, "sex", people.sex[d.person])),
        "nationality": lambda: CellColumn(people.nationality[d.person]),
        "procedure": lambda: CellColumn(
            _through_values(profile, "procedure", people.procedure[d.person])
        ),
        "track": lambda: CellColumn(_through_values(profile, "track", world.track[d.ev])),
        "case_number": lambda: CellColumn(people.case_number[d.person]),
        "description": description_cells,
        "date": date_cells,
        "time": time_cells,
        "timestamp": timestamp_cells,
        "code": lambda: CellColumn(d.code),
        "outcome": outcome_cells,
        "resource": lambda: CellColumn(world.resource[d.ev]),
        "location_type": lambda: CellColumn(
            _through_values(profile, "location_type", world.location_type[d.ev])
        ),
        "municipality": lambda: CellColumn(d.municipality),
        "municipality_name": municipality_name_cells,
    }

    def personal_cells(column: str, kind: str) -> CellColumn:
        if kind == "free_text":
            return CellColumn(d.remark)
        if kind == "bsn":
            return CellColumn(people.bsn[d.person])
        if kind == "staff_id":
            return CellColumn(ctx.staff[d.ev])
        if kind == "name":
            # A name column is the caseworker's when its header says so, else the resident's.
            if "medewerker" in fold(column) or "behandelaar" in fold(column):
                return CellColumn(ctx.caseworker[d.ev])
            return CellColumn(people.surname[d.person])
        raise ProfileError(f"profile {profile.name}: personal kind {kind!r} is not written")

    columns = []
    for column in profile.column_order:
        if column in fields:
            cells = renderers[fields[column]]()
        else:
            cells = personal_cells(column, profile.personal[column])
        columns.append(cells)
    return columns


def _finish_cells(cells: CellColumn, order: np.ndarray) -> CellColumn:
    """The column in file order (which repeats the rows that are exact duplicates)."""
    text = np.asarray(cells.text, dtype=object)[order]
    if isinstance(cells.kind, (int, np.integer)):
        return CellColumn(text, int(cells.kind))
    return CellColumn(text, np.asarray(cells.kind, dtype=np.int8)[order])


# --------------------------------------------------------------------------------------------
# Writing


def _quote_csv(values: pa.Array, delimiter: str) -> pa.Array:
    """Quote the fields that hold the delimiter, a quote or a line break (RFC 4180 style)."""
    needs = pc.match_substring(values, delimiter)
    for special in ('"', "\r", "\n"):
        needs = pc.or_(needs, pc.match_substring(values, special))
    if not pc.any(needs).as_py():
        return values
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(values, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, values)


def encode_text(data: bytes, encoding: str) -> bytes:
    """UTF-8 bytes re-encoded for a file: a BOM for utf-8-sig, strict transcoding otherwise."""
    name = codecs.lookup(encoding).name
    if name == "utf-8":
        return data
    if name == "utf-8-sig":
        return codecs.BOM_UTF8 + data
    if data.isascii() and codecs.lookup(name).encode("a")[0] == b"a":
        return data
    return data.decode("utf-8").encode(name)


def write_csv(
    path: Path,
    header: list[str],
    columns: list[np.ndarray],
    *,
    delimiter: str,
    line_terminator: str,
    encoding: str,
    blank_rows: int = 0,
) -> None:
    """Write a delimited file from columns of text, vectorised, quoting only where needed."""
    head = delimiter.join(_quote_csv(string_array(header), delimiter).to_pylist() if header else [])
    body = b""
    if columns and len(columns[0]):
        cells = [_quote_csv(string_array(c), delimiter) for c in columns]
        rows = pc.binary_join_element_wise(*cells, delimiter)
        body = concat_bytes(pc.binary_join_element_wise(rows, line_terminator, ""))
    tail = (delimiter * (len(header) - 1) + line_terminator) * blank_rows
    data = (head + line_terminator).encode() + body + tail.encode()
    Path(path).write_bytes(encode_text(data, encoding))


def _file_dirt(cfg: GeneratorConfig) -> dict[str, dict[str, Any]]:
    """File-level dirt with its rate; a kind this module cannot write is refused, not skipped."""
    known = ("trailing_empty_rows", "total_row", "wrong_encoding")
    out = {}
    for name, spec in cfg.dirt["file"].items():
        if name not in known:
            raise ValueError(f"file dirt {name} has no writer in toolkit/synthetic/writers.py")
        out[name] = {"formats": frozenset(spec["formats"]), "rate": cfg.dirt_rate(name)}
    return out


def _write_file(spec: _FileSpec, ctx: _Context, out_dir: Path) -> dict[str, Any]:
    """Plant the dirt in one file's rows, write the file, and return its manifest entry."""
    profile, rng = spec.profile, ctx.rng
    kinds = [k for k in ctx.kinds if profile.name in k.formats]
    draft = _draft(spec, ctx)
    chosen = _choose_dirt(kinds, draft, spec, ctx)
    duplicates = _apply_dirt(kinds, chosen, draft, spec, ctx)
    order = _duplicate_order(len(draft), duplicates, rng)

    def file_dirt(name: str) -> bool:
        entry = ctx.file_kinds.get(name)
        return bool(entry and profile.name in entry["formats"] and rng.random() < entry["rate"])

    blank = int(rng.integers(*BLANK_ROWS)) if file_dirt("trailing_empty_rows") else 0
    total_row = file_dirt("total_row") and profile.footer is not None
    encoding = "utf-8-sig" if file_dirt("wrong_encoding") else profile.encoding
    columns = [_finish_cells(c, order) for c in _render(spec, draft, ctx)]
    n_rows = len(order)
    path = out_dir / spec.path

    if profile.file_kind == "xlsx":
        top = _top_rows(spec)
        bottom: list[list[str]] = []
        if total_row:
            footer = FOOTER_TEMPLATE.format(n=n_rows)
            if not re.fullmatch(profile.footer or "", footer):
                raise ProfileError(f"profile {profile.name}: footer {footer!r} does not match")
            bottom.append([footer])
        write_xlsx(
            path,
            profile.sheet or "Sheet1",
            columns,
            top=top,
            bottom=bottom,
            blank_rows=blank,
            created=spec.created,
        )
        encoding = "utf-8"
    else:
        write_csv(
            path,
            list(profile.column_order),
            [c.text for c in columns],
            delimiter=profile.delimiter,
            line_terminator=profile.line_terminator,
            encoding=encoding,
            blank_rows=blank,
        )

    counts = Counter({k.name: int((chosen == i).sum()) for i, k in enumerate(kinds)})
    dirt = {k.name: counts[k.name] for k in kinds if counts[k.name]}
    reasons: Counter[str] = Counter()
    for k in kinds:
        if k.outcome == "quarantine" and counts[k.name]:
            reasons[str(k.reason)] += counts[k.name]
    dup_count = sum(counts[k.name] for k in kinds if k.outcome == "duplicate")
    duplicates_total = dup_count + spec.overlap_rows
    quarantined = sum(reasons.values())
    entry: dict[str, Any] = {
        "path": spec.path,
        "profile": profile.name,
        "period": spec.period.label if spec.period else None,
        "municipality": spec.municipality,
        "created": spec.created.isoformat(timespec="minutes"),
        "data_rows": n_rows,
        "blank_rows": blank,
        "total_row": bool(total_row),
        "encoding": codecs.lookup(encoding).name,
        "overlap_rows": spec.overlap_rows,
        "dirt": dirt,
        "expected": {
            "events": n_rows - duplicates_total - quarantined,
            "duplicates": duplicates_total,
            "quarantined": quarantined,
            "quarantine_reasons": dict(sorted(reasons.items())),
        },
    }
    return entry


def _top_rows(spec: _FileSpec) -> list[list[str]]:
    """Title rows (with the period and creation date filled in) and the header row."""
    profile = spec.profile
    period = spec.period
    start = period.start if period else None
    end = period.end if period else spec.created.date() - timedelta(days=1)
    values = {
        "start": start.strftime("%d-%m-%Y") if start else "",
        "end": end.strftime("%d-%m-%Y"),
        "created": spec.created.strftime("%d-%m-%Y %H:%M"),
    }
    title = [[line.format(**values)] if line else [] for line in profile.title]
    header_row = profile.header if isinstance(profile.header, int) else len(title) + 1
    if header_row < len(title) + 1:
        raise ProfileError(f"profile {profile.name}: header row {header_row} is inside the title")
    return [*title, *([[]] * (header_row - 1 - len(title))), list(profile.column_order)]


# --------------------------------------------------------------------------------------------
# The whole export


def _created(rng: np.random.Generator, day: date, cutoff: date) -> datetime:
    """When an export was made: a few days after its period, never after the day after cut-off."""
    lo, hi = CREATED_DAYS_AFTER_PERIOD
    made = min(day + timedelta(days=int(rng.integers(lo, hi + 1))), cutoff + timedelta(days=1))
    minutes = int(rng.integers(7 * 60, 11 * 60))
    return datetime(made.year, made.month, made.day, minutes // 60, minutes % 60)


def _extras(
    world: _World, people: _People, cfg: GeneratorConfig, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Per-event texts drawn once, so that an event reads the same in every file it appears in.

    Returns the COA remark, the IND staff id and the municipal caseworker of each event, and the
    pool of COA staff names used in planted remarks.
    """
    n = world.size
    remark = np.full(n, "", dtype=object)
    coa = world.of("COA")
    harmless = coa[rng.random(len(coa)) < HARMLESS_REMARK_RATE]
    remark[harmless] = personal.harmless_remarks(rng, len(harmless))

    staff = np.full(n, "", dtype=object)
    ind = world.of("IND")
    offices = sorted(set(world.resource[ind].tolist()))
    if offices:
        ids = np.array(personal.staff_ids(rng, STAFF_PER_OFFICE * len(offices)), dtype=object)
        pools = ids.reshape(len(offices), STAFF_PER_OFFICE)
        office_idx = np.searchsorted(np.array(offices, dtype=object), world.resource[ind])
        staff[ind] = pools[office_idx, rng.integers(0, STAFF_PER_OFFICE, size=len(ind))]

    caseworker = np.full(n, "", dtype=object)
    gem = world.of("GEMEENTE")
    municipalities = list(cfg.municipality_profiles())
    pools_by_code = {
        code: np.array(personal.caseworker_names(rng, CASEWORKERS_PER_MUNICIPALITY), dtype=object)
        for code in municipalities
    }
    pick = rng.integers(0, CASEWORKERS_PER_MUNICIPALITY, size=len(gem))
    gem_codes = world.municipality_of(gem)
    for code, pool in pools_by_code.items():
        mask = gem_codes == code
        caseworker[gem[mask]] = pool[pick[mask]]
    coa_caseworkers = personal.caseworker_names(rng, COA_CASEWORKERS)
    return remark, staff, caseworker, coa_caseworkers


def _periodic_specs(
    org: str,
    profile: Profile,
    periods: list[Period],
    world: _World,
    overlap_days: int,
    cutoff: date,
    rng: np.random.Generator,
) -> list[_FileSpec]:
    idx = world.of(org)
    days = world.date[idx]
    specs = []
    previous: Period | None = None
    for period in periods:
        lo = np.searchsorted(days, _np_day(period.start), "left")
        hi = np.searchsorted(days, _np_day(period.end), "right")
        own = idx[lo:hi]
        copies = np.empty(0, dtype=np.int64)
        if previous is not None and overlap_days > 0:
            window = _np_day(previous.end) - np.timedelta64(overlap_days - 1, "D")
            first = np.searchsorted(days, max(window, _np_day(previous.start)), "left")
            copies = idx[first:lo]
        # Rows that the next file repeats stay clean here too, so that the repeat is exact.
        protected_own = np.zeros(len(own), dtype=bool)
        if not period.last and overlap_days > 0:
            repeat_from = _np_day(period.end) - np.timedelta64(overlap_days - 1, "D")
            protected_own = world.date[own] >= repeat_from
        ev = np.concatenate([copies, own]).astype(np.int64)
        protected = np.concatenate([np.ones(len(copies), dtype=bool), protected_own])
        specs.append(
            _FileSpec(
                path=profile.file_name.format(period=period.label, name="", code=""),
                profile=profile,
                ev=ev,
                protected=protected,
                overlap_rows=len(copies),
                created=_created(rng, period.end, cutoff),
                period=period,
            )
        )
        previous = period
    return specs


def _totals(entries: list[dict[str, Any]], exported: int) -> dict[str, Any]:
    def add(into: dict[str, Any], entry: dict[str, Any]) -> None:
        for key in ("data_rows", "blank_rows", "overlap_rows"):
            into[key] = into.get(key, 0) + entry[key]
        into["files"] = into.get("files", 0) + 1
        into["total_rows"] = into.get("total_rows", 0) + int(entry["total_row"])
        dirt = Counter(into.get("dirt", {}))
        dirt.update(entry["dirt"])
        into["dirt"] = dict(sorted(dirt.items()))
        exp = into.setdefault(
            "expected", {"events": 0, "duplicates": 0, "quarantined": 0, "quarantine_reasons": {}}
        )
        for key in ("events", "duplicates", "quarantined"):
            exp[key] += entry["expected"][key]
        reasons = Counter(exp["quarantine_reasons"])
        reasons.update(entry["expected"]["quarantine_reasons"])
        exp["quarantine_reasons"] = dict(sorted(reasons.items()))

    totals: dict[str, Any] = {"exported_events": exported}
    by_profile: dict[str, dict[str, Any]] = {}
    for entry in entries:
        add(totals, entry)
        add(by_profile.setdefault(entry["profile"], {}), entry)
    totals.setdefault("files", 0)
    totals["by_profile"] = dict(sorted(by_profile.items()))
    return totals


def write_exports(
    events: pd.DataFrame,
    persons: pd.DataFrame,
    cfg: GeneratorConfig,
    out_dir: Path,
    rng: np.random.Generator,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Write every export file of the synthetic chain and ``dirt_manifest.json``; return the latter.

    Only events up to ``cfg.cutoff`` are written. COA and IND exports come per period (with the
    previous period's last ``overlap_days`` days repeated), each municipality delivers one file
    in the profile the config assigns it.
    """
    say = progress or (lambda _message: None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    chain = load_chain()
    profiles = builtin_profiles()
    cutoff = cfg.cutoff
    # Only these municipalities deliver an export; the follow-up of status holders linked to any
    # other municipality stays out of the files, as it does for a partner that sends nothing.
    municipal = cfg.municipality_profiles()
    organisation = {a.id: a.organisation for a in chain.activities}
    municipal_org = events["activity"].astype(object).map(organisation) == "GEMEENTE"
    events = events[~municipal_org | events["municipality"].isin(list(municipal))]
    world = _World.build(events, persons, cutoff, chain)
    people = _People.build(persons)

    remark, staff, caseworker, coa_caseworkers = _extras(world, people, cfg, rng)
    ctx = _Context(
        world=world,
        people=people,
        profiles=profiles,
        chain=chain,
        kinds=row_dirt_kinds(cfg),
        file_kinds=_file_dirt(cfg),
        cutoff=cutoff,
        rng=rng,
        remark=remark,
        staff=staff,
        caseworker=caseworker,
        coa_caseworkers=coa_caseworkers,
    )

    periodic = np.concatenate([world.of(org) for org, _ in PERIODIC_PROFILES])
    first = cfg.start
    if len(periodic):
        first = min(first, _to_date(world.date[periodic].min()))
    periods = export_periods(cfg["export"]["period"], first, cutoff)
    overlap_days = int(cfg["export"]["overlap_days"])
    specs: list[_FileSpec] = []
    for org, name in PERIODIC_PROFILES:
        specs += _periodic_specs(org, profiles[name], periods, world, overlap_days, cutoff, rng)
    for code, name in municipal.items():
        profile = profiles[name]
        gem = world.of("GEMEENTE")
        ev = gem[world.in_municipality(code)[gem]]
        specs.append(
            _FileSpec(
                path=profile.file_name.format(
                    period="", name=municipality_slug(chain.municipality(code).name), code=code
                ),
                profile=profile,
                ev=ev,
                protected=np.zeros(len(ev), dtype=bool),
                overlap_rows=0,
                created=_created(rng, cutoff, cutoff),
                municipality=code,
            )
        )
    paths = [s.path for s in specs]
    if len(set(paths)) != len(paths):
        raise ValueError("two export files would get the same name")

    entries = []
    for spec in specs:
        entry = _write_file(spec, ctx, out_dir)
        entries.append(entry)
        say(f"wrote {spec.path} ({entry['data_rows']:,} rows)")
    entries.sort(key=lambda e: e["path"])

    totals = _totals(entries, world.size)
    accounted = totals["expected"]["events"] + totals["expected"]["quarantined"]
    if accounted != world.size:
        raise RuntimeError(
            f"manifest accounts for {accounted} events, but {world.size} were exported"
        )
    manifest = {
        "cutoff": cutoff.isoformat(),
        "period": cfg["export"]["period"],
        "overlap_days": overlap_days,
        "files": entries,
        "totals": totals,
    }
    (out_dir / MANIFEST_NAME).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    say(f"wrote {MANIFEST_NAME} ({len(entries)} files)")
    return manifest
