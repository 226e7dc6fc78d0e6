"""The municipal register and the register of COA locations and IND offices, read from data files.

Exports name municipalities by a CBS code or a name, and places by a name; both change over time
(municipalities merge, locations open and close). These registers answer the questions an adapter
asks of such a value: did it exist on the event's day, what became of it, and what did the writer
most likely mean when it never existed. Example::

    >>> from toolkit.chain import load_chain
    >>> register = load_chain().register
    >>> len(register.on(date(2024, 1, 1)))
    342
    >>> register.current_code("GM0457", date(2023, 5, 1))  # Weesp joined Amsterdam in 2022
    'GM0363'
    >>> register.by_name("Sudwest Fryslan").name
    'Súdwest-Fryslân'
    >>> register.population("GM0003", 2024)  # Appingedam merged in 2021: its last 1 January
    11642
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from toolkit.errors import ChainDefinitionError

_GM_CODE = re.compile(r"^GM\d{4}$")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
# How alike a name must be to a known one (difflib ratio) to be offered as the likely meaning.
CLOSE_MATCH_CUTOFF = 0.6
REGISTER_COLUMNS = ("code", "name", "province", "valid_from", "valid_until", "successor", "aliases")
POPULATION_COLUMNS = ("code", "year", "population")
PLACE_KINDS = ("coa", "ind")
UNKNOWN_TYPE = "unknown"


def fold(text: str) -> str:
    """A name reduced to what tells names apart: no accents, case, punctuation or extra spaces.

    ``'s-Gravenhage``, ``S Gravenhage`` and ``'S-GRAVENHAGE`` fold alike, as do ``Súdwest-Fryslân``
    and ``Sudwest Fryslan``.
    """
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(_NOT_ALNUM.sub(" ", plain.casefold()).split())


@dataclass(frozen=True)
class Municipality:
    """One municipality as the register knows it; ``valid_until`` is the first day it was gone."""

    code: str
    name: str
    province: str = ""
    aliases: tuple[str, ...] = ()
    valid_from: date | None = None
    valid_until: date | None = None
    successor: str | None = None

    def exists_on(self, day: date) -> bool:
        started = self.valid_from is None or self.valid_from <= day
        return started and (self.valid_until is None or day < self.valid_until)


@dataclass(frozen=True)
class Place:
    """A COA location or an IND office; ``type`` is the COA location type (empty for an office)."""

    name: str
    kind: str
    type: str = ""
    municipality: str | None = None
    aliases: tuple[str, ...] = ()
    opened: date | None = None
    closed: date | None = None


@dataclass(frozen=True)
class MunicipalRegister:
    """Every municipality since 2016, with look-ups by code, by name and by day, and each one's
    population per 1 January (``populations``: code -> year -> inhabitants)."""

    municipalities: tuple[Municipality, ...]
    populations: dict[str, dict[int, int]] = field(default_factory=dict, compare=False)
    _codes: dict[str, Municipality] = field(default_factory=dict, repr=False, compare=False)
    _names: dict[str, tuple[Municipality, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        names: dict[str, list[Municipality]] = {}
        for m in self.municipalities:
            self._codes[m.code] = m
            for name in {fold(n) for n in (m.name, *m.aliases)}:
                names.setdefault(name, []).append(m)
        self._names.update({k: tuple(v) for k, v in names.items()})

    def get(self, code: str) -> Municipality | None:
        return self._codes.get(code)

    def on(self, day: date) -> list[Municipality]:
        """The municipalities that existed on ``day``, by code."""
        return [m for m in self.municipalities if m.exists_on(day)]

    def population(self, code: str, year: int) -> int | None:
        """Inhabitants of ``code`` on 1 January of ``year``; when that year has no figure, the
        nearest year that has one (the later on a tie), so a merged municipality keeps its last
        figure and a year past the data takes the latest. None when it has no figure at all."""
        years = self.populations.get(code)
        if not years:
            return None
        if year in years:
            return years[year]
        nearest = min(years, key=lambda y: (abs(y - year), -y))
        return years[nearest]

    def current_code(self, code: str, day: date) -> str:
        """The code under which the municipality ``code`` existed on ``day``: itself or the
        successor it merged into (followed over several mergers)."""
        m = self._codes[code]
        while m.valid_until is not None and day >= m.valid_until and m.successor:
            m = self._codes[m.successor]
        return m.code

    def by_name(self, name: str, day: date | None = None) -> Municipality | None:
        """The municipality of that name or alias; of namesakes, the one that existed on ``day``."""
        found = self._names.get(fold(name), ())
        if day is not None:
            living = [m for m in found if m.exists_on(day)]
            found = tuple(living) or found
        return found[0] if found else None

    def closest(self, text: str) -> Municipality | None:
        """The municipality whose code or name is most like ``text`` (difflib), if any is close."""
        key = fold(text)
        if key.replace(" ", "").isdigit() or key.startswith("gm"):
            digits = "".join(ch for ch in key if ch.isdigit())
            codes = [c[2:] for c in self._codes]
            hit = difflib.get_close_matches(digits.zfill(4), codes, n=1, cutoff=CLOSE_MATCH_CUTOFF)
            return self._codes[f"GM{hit[0]}"] if hit else None
        hit = difflib.get_close_matches(key, list(self._names), n=1, cutoff=CLOSE_MATCH_CUTOFF)
        return self._names[hit[0]][0] if hit else None


@dataclass(frozen=True)
class PlaceRegister:
    """COA locations and IND offices by kind and name."""

    places: tuple[Place, ...]
    _names: dict[tuple[str, str], Place] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for p in self.places:
            for name in (p.name, *p.aliases):
                self._names[(p.kind, fold(name))] = p

    def find(self, kind: str, name: str) -> Place | None:
        return self._names.get((kind, fold(name)))


def _day(text: str, where: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ChainDefinitionError(f"{where}: {text!r} is not a date (write 2024-01-31)") from None


def _csv_rows(path: Path, columns: tuple[str, ...]) -> csv.DictReader:
    """The data rows of a register CSV (lines starting with ``#`` are its documentation)."""
    try:
        lines = [
            ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")
        ]
    except FileNotFoundError:
        raise ChainDefinitionError(f"{path}: file not found") from None
    reader = csv.DictReader(lines)
    if tuple(reader.fieldnames or ()) != columns:
        raise ChainDefinitionError(f"{path}: columns must be {', '.join(columns)}")
    return reader


def read_municipalities(path: Path, populations: Path | None = None) -> MunicipalRegister:
    """Read and check the register CSV and, when given, the populations CSV beside it."""
    reader = _csv_rows(path, REGISTER_COLUMNS)
    out: list[Municipality] = []
    for i, row in enumerate(reader, start=1):
        where = f"{path} row {i} ({row['code']})"
        if not _GM_CODE.match(row["code"]):
            raise ChainDefinitionError(f"{where}: code must look like GM0479")
        out.append(
            Municipality(
                code=row["code"],
                name=row["name"],
                province=row["province"],
                aliases=tuple(a for a in row["aliases"].split("|") if a),
                valid_from=_day(row["valid_from"], where),
                valid_until=_day(row["valid_until"], where),
                successor=row["successor"] or None,
            )
        )
    codes = {m.code for m in out}
    if len(codes) != len(out):
        raise ChainDefinitionError(f"{path}: a code is listed twice; every code must be unique")
    for m in out:
        if m.successor is not None and (m.successor not in codes or m.valid_until is None):
            raise ChainDefinitionError(
                f"{path} {m.code}: a successor needs an end date and a code in the register"
            )
    by_code = {m.code: m for m in out}
    for m in out:  # a merger chain must end, or a look-up would never return
        seen = {m.code}
        while m.successor:
            m = by_code[m.successor]
            if m.code in seen:
                raise ChainDefinitionError(f"{path} {m.code}: its successors form a cycle")
            seen.add(m.code)
    figures = _read_populations(populations, by_code) if populations is not None else {}
    return MunicipalRegister(tuple(out), figures)


def _read_populations(path: Path, by_code: dict[str, Municipality]) -> dict[str, dict[int, int]]:
    """Read and check the long-format populations CSV: a figure only for a municipality of the
    register on a 1 January it existed, at most one per municipality and year."""
    out: dict[str, dict[int, int]] = {}
    for i, row in enumerate(_csv_rows(path, POPULATION_COLUMNS), start=1):
        where = f"{path} row {i} ({row['code']}, {row['year']})"
        m = by_code.get(row["code"])
        if m is None:
            raise ChainDefinitionError(f"{where}: {row['code']!r} is not in the register")
        try:
            year, population = int(row["year"]), int(row["population"])
        except ValueError:
            raise ChainDefinitionError(
                f"{where}: year and population must be whole numbers"
            ) from None
        if population <= 0:
            raise ChainDefinitionError(f"{where}: the population must be positive")
        if not m.exists_on(date(year, 1, 1)):
            raise ChainDefinitionError(f"{where}: {m.name} did not exist on 1 January {year}")
        if year in out.setdefault(m.code, {}):
            raise ChainDefinitionError(f"{where}: a second figure for the same year")
        out[m.code][year] = population
    return out


def read_places(data: dict, path: Path, municipalities: MunicipalRegister) -> PlaceRegister:
    """Check the ``[[location]]`` entries of the places file."""
    out: list[Place] = []
    for i, entry in enumerate(data.get("location", []), start=1):
        where = f"{path} location {entry.get('name', f'#{i}')!s}"
        if "name" not in entry or entry.get("kind") not in PLACE_KINDS:
            raise ChainDefinitionError(f"{where}: needs a name and kind = coa or ind")
        code = entry.get("municipality")
        if code is not None and municipalities.get(code) is None:
            raise ChainDefinitionError(f"{where}: municipality {code!r} is not in the register")
        out.append(
            Place(
                name=entry["name"],
                kind=entry["kind"],
                type=entry.get("type", ""),
                municipality=code,
                aliases=tuple(entry.get("aliases", ())),
                opened=_day(str(entry.get("opened", "")), where),
                closed=_day(str(entry.get("closed", "")), where),
            )
        )
    return PlaceRegister(tuple(out))
