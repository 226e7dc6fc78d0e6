"""Generator configuration: the default TOML, merged with a user's file, checked before use.

A user's config holds only what it changes; tables merge key by key and lists replace. The
checks catch what would otherwise surface as a strange figure deep in a simulation: shares that do
not add up, an unknown municipality code, a bottleneck of an unknown kind.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from toolkit.adapters import builtin_profiles
from toolkit.chain import load_chain
from toolkit.chain.register import Municipality
from toolkit.errors import ConfigError

DEFAULT_CONFIG = Path(__file__).parent / "default_config.toml"
DIRT_FILE = Path(__file__).parent / "dirt.toml"
BOTTLENECK_KINDS = ("slow_municipality", "office_capacity_loss", "relocating_location")
PERIODS = ("month", "quarter", "year")


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read(path: Path) -> dict[str, Any]:
    try:
        with Path(path).open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config {path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config {path}: not valid TOML ({exc})") from None


@dataclass(frozen=True)
class GeneratorConfig:
    """The merged configuration; ``raw`` is the whole table, the properties are the checked parts."""

    raw: dict[str, Any]
    dirt: dict[str, Any]
    source: str

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    @property
    def start(self) -> date:
        return self.raw["world"]["start"]

    @property
    def cutoff(self) -> date:
        return self.raw["world"]["cutoff"]

    @property
    def run_until(self) -> date:
        return self.raw["world"]["run_until"]

    def municipality_profiles(self) -> dict[str, str]:
        """CBS code -> export profile name, for the municipalities that deliver an export.

        Status holders are linked to every municipality of the register that exists in the
        simulated years (:func:`linked_municipalities`); only these also write their own follow-up.
        """
        return {
            code: profile for profile, codes in self.raw["municipalities"].items() for code in codes
        }

    def linked_municipalities(self) -> list[str]:
        """The municipalities that receive status holders: those that deliver an export, in the
        config's order, then every other municipality of the register that exists at some time in
        the simulated years and has a population, by code."""
        exporting = list(self.municipality_profiles())
        register = load_chain().register
        others = [
            m.code
            for m in register.municipalities
            if m.code not in exporting
            and _exists_between(m, self.start, self.run_until)
            and register.population(m.code, self.start.year) is not None
        ]
        return exporting + others

    def dirt_rate(self, kind: str) -> float:
        """The rate of one kind of dirt after the config's overrides and factor."""
        section = self.raw.get("dirt", {})
        table = self.dirt["kind"] if kind in self.dirt["kind"] else self.dirt["file"]
        rate = section.get("rates", {}).get(kind, table[kind]["rate"])
        return float(rate) * float(section.get("rate_factor", 1.0))


def _as_date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where}: {value!r} is not a date (write 2024-01-31)") from None


def _exists_between(m: Municipality, first: date, last: date) -> bool:
    return (m.valid_from is None or m.valid_from <= last) and (
        m.valid_until is None or m.valid_until > first
    )


def _check_shares(values: list[float], where: str) -> None:
    if not values or any(v < 0 for v in values) or abs(sum(values) - 1.0) > 1e-6:
        raise ConfigError(
            f"{where}: shares must be non-negative and add up to 1 (now {sum(values)})"
        )


def load_config(path: Path | None = None) -> GeneratorConfig:
    """The default config, merged with ``path`` when given, after checking it."""
    raw = _read(DEFAULT_CONFIG)
    source = "default"
    if path is not None:
        raw = _merge(raw, _read(Path(path)))
        source = str(path)
    where = f"config {source}"

    world = raw["world"]
    for key in ("start", "cutoff", "run_until"):
        world[key] = _as_date(world[key], f"{where} [world] {key}")
    if not world["start"] < world["cutoff"] < world["run_until"]:
        raise ConfigError(f"{where} [world]: need start < cutoff < run_until")
    if raw["export"]["period"] not in PERIODS:
        raise ConfigError(f"{where} [export] period must be one of {', '.join(PERIODS)}")

    inflow = raw["inflow"]
    if not inflow["monthly"] or min(inflow["monthly"]) < 0:
        raise ConfigError(f"{where} [inflow] monthly must be a list of non-negative numbers")
    if len(inflow["household_sizes"]) != len(inflow["household_shares"]):
        raise ConfigError(
            f"{where} [inflow]: household_sizes and household_shares differ in length"
        )
    _check_shares(inflow["household_shares"], f"{where} [inflow] household_shares")
    _check_shares([n["share"] for n in raw["nationality"]], f"{where} [[nationality]]")
    _check_shares([o["share"] for o in raw["office"]], f"{where} [[office]]")
    _check_shares(raw["nareis"]["family_shares"], f"{where} [nareis] family_shares")

    chain = load_chain()
    profiles = builtin_profiles()
    seen: set[str] = set()
    for profile, codes in raw["municipalities"].items():
        if profile not in profiles or profiles[profile].organisation != "GEMEENTE":
            raise ConfigError(f"{where} [municipalities]: {profile!r} is not a municipal profile")
        for code in codes:
            try:
                known = chain.municipality(code)
            except KeyError:
                raise ConfigError(
                    f"{where} [municipalities]: {code!r} is not in toolkit/chain/municipalities.csv"
                ) from None
            if not _exists_between(known, world["start"], world["run_until"]):
                raise ConfigError(
                    f"{where} [municipalities]: {code} ({known.name}) did not exist between "
                    "[world] start and run_until, so no status holder would be linked to it"
                )
            if chain.register.population(code, world["start"].year) is None:
                raise ConfigError(
                    f"{where} [municipalities]: {code} ({known.name}) has no population in "
                    "toolkit/chain/populations.csv, so no status holder would be linked to it"
                )
            if code in seen:
                raise ConfigError(f"{where} [municipalities]: {code} is listed twice")
            seen.add(code)

    locations = {loc["name"] for loc in raw["reception"]["locations"]}
    offices = {o["name"] for o in raw["office"]}
    for office in raw["office"]:
        if office["pol"] not in locations:
            raise ConfigError(f"{where} [[office]] {office['name']}: unknown POL {office['pol']!r}")
    for i, b in enumerate(raw.get("bottleneck", [])):
        bw = f"{where} [[bottleneck]] #{i + 1}"
        if b.get("kind") not in BOTTLENECK_KINDS:
            raise ConfigError(f"{bw}: kind must be one of {', '.join(BOTTLENECK_KINDS)}")
        if b["kind"] == "slow_municipality" and b.get("municipality") not in seen:
            raise ConfigError(f"{bw}: municipality {b.get('municipality')!r} is not in the chain")
        if b["kind"] == "office_capacity_loss":
            if b.get("office") not in offices:
                raise ConfigError(f"{bw}: unknown office {b.get('office')!r}")
            b["start"] = _as_date(b["start"], f"{bw} start")
            b["end"] = _as_date(b["end"], f"{bw} end")
        if b["kind"] == "relocating_location" and b.get("location") not in locations:
            raise ConfigError(f"{bw}: unknown location {b.get('location')!r}")
        if float(b.get("factor", 0)) <= 0:
            raise ConfigError(f"{bw}: factor must be positive")

    dirt = _read(DIRT_FILE)
    unknown = sorted(
        set(raw.get("dirt", {}).get("rates", {})) - set(dirt["kind"]) - set(dirt["file"])
    )
    if unknown:
        raise ConfigError(f"{where} [dirt] rates: unknown kind {unknown[0]!r} (see dirt.toml)")
    return GeneratorConfig(raw=raw, dirt=dirt, source=source)
