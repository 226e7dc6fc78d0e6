"""Typed loader for the chain TOML files.

The TOML files are the single place where the chain's vocabulary and norms are written; every
other module asks this loader. It refuses an inconsistent definition at load time, naming the
file and the entry, because a silently wrong norm would make every later figure wrong.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from toolkit.chain.register import (
    Municipality,
    MunicipalRegister,
    PlaceRegister,
    read_municipalities,
    read_places,
)
from toolkit.errors import ChainDefinitionError

CHAIN_DIR = Path(__file__).parent
DAYS_PER_UNIT = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12}
NORM_KINDS = ("legal", "agreed")
NORM_DIRECTIONS = ("maximum", "minimum")
_TREE_LEAF = re.compile(r"'([^']+)'")
_TREE_FRAGMENT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Organisation:
    id: str
    label_nl: str
    label_en: str
    active: bool


@dataclass(frozen=True)
class Phase:
    id: str
    label_nl: str
    label_en: str
    order: int


@dataclass(frozen=True)
class Activity:
    id: str
    label_nl: str
    label_en: str
    organisation: str
    phase: str
    changes_phase: bool = True
    # repeats within a stay: folded into a self-loop in the process map and the variants
    loop: bool = False

    def label(self, language: str = "nl") -> str:
        return self.label_en if language == "en" else self.label_nl


@dataclass(frozen=True)
class Norm:
    """A milestone interval with its limit: from the first `from` event to the next `to` event."""

    id: str
    label_nl: str
    label_en: str
    from_activities: tuple[str, ...]
    to_activities: tuple[str, ...]
    value: float
    unit: str
    kind: str
    sources: tuple[str, ...]
    note: str = ""
    direction: str = "maximum"
    milestone: bool = False
    # activities that close the interval only when no `to` event is recorded (an inferred end)
    inferred_to: tuple[str, ...] = ()
    # it times a step a person may choose not to take (an appeal): only who took it counts
    optional: bool = False

    @property
    def days(self) -> float:
        """The limit in days, so that every duration in the toolkit is compared in one unit."""
        return self.value * DAYS_PER_UNIT[self.unit]

    def label(self, language: str = "nl") -> str:
        return self.label_en if language == "en" else self.label_nl


@dataclass(frozen=True)
class Overview:
    """What the chain overview shows: the journey's steps and the phases behind the KPI tiles."""

    journey: tuple[str, ...] = ()
    # the whole journey as intervals that follow each other: their medians add up to it
    total: tuple[str, ...] = ()
    decision_phases: tuple[str, ...] = ()
    housing_phases: tuple[str, ...] = ()
    chain_norm: str | None = None


@dataclass(frozen=True)
class Chain:
    """The whole chain definition; look-ups by id raise a clear error for an unknown id."""

    organisations: tuple[Organisation, ...]
    phases: tuple[Phase, ...]
    activities: tuple[Activity, ...]
    norms: tuple[Norm, ...]
    register: MunicipalRegister
    reference_tree: str
    overview: Overview = field(default_factory=Overview)
    places: PlaceRegister = field(default_factory=lambda: PlaceRegister(()))
    _index: dict[str, dict[str, object]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index["activity"] = {a.id: a for a in self.activities}
        self._index["norm"] = {n.id: n for n in self.norms}
        self._index["phase"] = {p.id: p for p in self.phases}
        self._index["organisation"] = {o.id: o for o in self.organisations}
        self._index["municipality"] = {m.code: m for m in self.municipalities}

    @property
    def municipalities(self) -> tuple[Municipality, ...]:
        """Every municipality of the register, also those that merged since 2016."""
        return self.register.municipalities

    def _get(self, kind: str, key: str) -> object:
        try:
            return self._index[kind][key]
        except KeyError:
            known = ", ".join(sorted(self._index[kind]))
            raise KeyError(f"unknown {kind} {key!r}; known: {known}") from None

    def activity(self, activity_id: str) -> Activity:
        return self._get("activity", activity_id)  # type: ignore[return-value]

    def norm(self, norm_id: str) -> Norm:
        return self._get("norm", norm_id)  # type: ignore[return-value]

    def phase(self, phase_id: str) -> Phase:
        return self._get("phase", phase_id)  # type: ignore[return-value]

    def organisation(self, org_id: str) -> Organisation:
        return self._get("organisation", org_id)  # type: ignore[return-value]

    def municipality(self, code: str) -> Municipality:
        return self._get("municipality", code)  # type: ignore[return-value]

    @property
    def activity_ids(self) -> frozenset[str]:
        return frozenset(a.id for a in self.activities)

    def municipality_by_name(self, name: str, day: date | None = None) -> Municipality | None:
        """Find a municipality by its name or an alias, ignoring case, accents and punctuation."""
        return self.register.by_name(name, day)

    @property
    def loop_activities(self) -> frozenset[str]:
        """The activities folded into a self-loop (``loop = true`` in chain.toml)."""
        return frozenset(a.id for a in self.activities if a.loop)

    def chain_order(self) -> dict[str, int]:
        """Each activity's place in the chain: by phase, then as listed in chain.toml."""
        phase = {p.id: p.order for p in self.phases}
        ranked = sorted(enumerate(self.activities), key=lambda ia: (phase[ia[1].phase], ia[0]))
        return {a.id: place for place, (_, a) in enumerate(ranked)}

    def reference_activities(self) -> frozenset[str]:
        """The activities that the reference process names (conformance looks only at these)."""
        return frozenset(_TREE_LEAF.findall(self.reference_tree))


def _read(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ChainDefinitionError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ChainDefinitionError(f"{path}: not valid TOML ({exc}); fix the syntax") from None


def _require(entry: dict, keys: Iterable[str], where: str) -> None:
    missing = [k for k in keys if k not in entry]
    if missing:
        raise ChainDefinitionError(f"{where}: missing {', '.join(missing)}")


def _unique(ids: list[str], where: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ChainDefinitionError(f"{where}: duplicate id {i!r}; every id must be unique")
        seen.add(i)


def _expand_tree(fragments: dict[str, str], text: str, where: str, depth: int = 0) -> str:
    if depth > 10:
        raise ChainDefinitionError(f"{where}: fragments refer to each other in a circle")

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in fragments:
            raise ChainDefinitionError(f"{where}: unknown fragment {{{name}}}")
        return _expand_tree(fragments, fragments[name], where, depth + 1)

    return _TREE_FRAGMENT.sub(substitute, text)


def _check_tree_syntax(tree: str, where: str) -> None:
    depth = 0
    for ch in _TREE_LEAF.sub("", tree):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            raise ChainDefinitionError(f"{where}: a ')' closes more than was opened")
    if depth:
        raise ChainDefinitionError(f"{where}: {depth} '(' not closed")
    rest = re.sub(r"->|\*|X|\+|tau|[(),\s]", "", _TREE_LEAF.sub("", tree))
    if rest:
        raise ChainDefinitionError(f"{where}: unexpected text {rest[:40]!r} in the process tree")


def load_chain(directory: Path | None = None) -> Chain:
    """Read and validate the chain definition; cached for the package's own files."""
    if directory is None:
        return _load_default()
    return _load(Path(directory))


@cache
def _load_default() -> Chain:
    return _load(CHAIN_DIR)


def _load(directory: Path) -> Chain:
    chain_file = directory / "chain.toml"
    data = _read(chain_file)
    organisations = []
    for i, o in enumerate(data.get("organisation", [])):
        _require(o, ("id", "label_nl", "label_en"), f"{chain_file} organisation #{i + 1}")
        organisations.append(
            Organisation(o["id"], o["label_nl"], o["label_en"], o.get("active", True))
        )
    _unique([o.id for o in organisations], f"{chain_file} [[organisation]]")

    phases = []
    for i, p in enumerate(data.get("phase", [])):
        _require(p, ("id", "label_nl", "label_en"), f"{chain_file} phase #{i + 1}")
        phases.append(Phase(p["id"], p["label_nl"], p["label_en"], order=i))
    _unique([p.id for p in phases], f"{chain_file} [[phase]]")

    org_ids = {o.id for o in organisations}
    phase_ids = {p.id for p in phases}
    activities = []
    for i, a in enumerate(data.get("activity", [])):
        where = f"{chain_file} activity {a.get('id', f'#{i + 1}')!s}"
        _require(a, ("id", "label_nl", "label_en", "organisation", "phase"), where)
        if a["organisation"] not in org_ids:
            raise ChainDefinitionError(f"{where}: unknown organisation {a['organisation']!r}")
        if a["phase"] not in phase_ids:
            raise ChainDefinitionError(f"{where}: unknown phase {a['phase']!r}")
        activities.append(
            Activity(
                a["id"],
                a["label_nl"],
                a["label_en"],
                a["organisation"],
                a["phase"],
                a.get("changes_phase", True),
                a.get("loop", False),
            )
        )
    _unique([a.id for a in activities], f"{chain_file} [[activity]]")
    activity_ids = {a.id for a in activities}

    norms_file = directory / "norms.toml"
    norms = []
    for i, n in enumerate(_read(norms_file).get("norm", [])):
        where = f"{norms_file} norm {n.get('id', f'#{i + 1}')!s}"
        _require(n, ("id", "label_nl", "label_en", "from", "to", "value", "unit", "kind"), where)
        for side in ("from", "to", "inferred_to"):
            unknown = [x for x in n.get(side, ()) if x not in activity_ids]
            if unknown:
                raise ChainDefinitionError(f"{where}: unknown activity {unknown[0]!r} in '{side}'")
            if side != "inferred_to" and not n[side]:  # an inferred end is optional
                raise ChainDefinitionError(f"{where}: '{side}' is empty")
        if n["unit"] not in DAYS_PER_UNIT:
            raise ChainDefinitionError(
                f"{where}: unit {n['unit']!r} is not one of {', '.join(DAYS_PER_UNIT)}"
            )
        if n["kind"] not in NORM_KINDS:
            raise ChainDefinitionError(f"{where}: kind {n['kind']!r} is not legal or agreed")
        direction = n.get("direction", "maximum")
        if direction not in NORM_DIRECTIONS:
            raise ChainDefinitionError(f"{where}: direction {direction!r} is not minimum/maximum")
        if (
            isinstance(n["value"], bool)
            or not isinstance(n["value"], int | float)
            or n["value"] <= 0
        ):
            raise ChainDefinitionError(f"{where}: value must be a positive number")
        norms.append(
            Norm(
                id=n["id"],
                label_nl=n["label_nl"],
                label_en=n["label_en"],
                from_activities=tuple(n["from"]),
                to_activities=tuple(n["to"]),
                value=float(n["value"]),
                unit=n["unit"],
                kind=n["kind"],
                sources=tuple(n.get("sources", ())),
                note=n.get("note", ""),
                direction=direction,
                milestone=n.get("milestone", False),
                inferred_to=tuple(n.get("inferred_to", ())),
                optional=n.get("optional", False),
            )
        )
    _unique([n.id for n in norms], f"{norms_file} [[norm]]")

    populations = directory / "populations.csv"
    register = read_municipalities(
        directory / "municipalities.csv", populations if populations.is_file() else None
    )
    places_file = directory / "locations.toml"
    places = (
        read_places(_read(places_file), places_file, register) if places_file.is_file() else None
    )

    ref_file = directory / "reference.toml"
    ref = _read(ref_file)
    _require(ref.get("model", {}), ("tree",), f"{ref_file} [model]")
    tree = _expand_tree(ref.get("fragments", {}), ref["model"]["tree"], str(ref_file))
    tree = " ".join(tree.split())
    _check_tree_syntax(tree, str(ref_file))
    unknown = sorted(set(_TREE_LEAF.findall(tree)) - activity_ids)
    if unknown:
        raise ChainDefinitionError(f"{ref_file}: unknown activity {unknown[0]!r} in the tree")

    overview = _overview(directory / "overview.toml", {n.id for n in norms}, phase_ids)
    return Chain(
        organisations=tuple(organisations),
        phases=tuple(phases),
        activities=tuple(activities),
        norms=tuple(norms),
        register=register,
        reference_tree=tree,
        overview=overview,
        places=places or PlaceRegister(()),
    )


def _overview(path: Path, norm_ids: set[str], phase_ids: set[str]) -> Overview:
    """The overview definition; a chain without the file simply has no journey or KPI tiles."""
    if not path.is_file():
        return Overview()
    data = _read(path)
    steps = tuple(data.get("journey", {}).get("steps", ()))
    total = tuple(data.get("journey", {}).get("total", ()))
    kpi = data.get("kpi", {})
    chain_norm = kpi.get("chain_norm")
    for norm_id in (*steps, *total, *([chain_norm] if chain_norm else [])):
        if norm_id not in norm_ids:
            raise ChainDefinitionError(f"{path}: unknown norm {norm_id!r}")
    phases = {key: tuple(kpi.get(key, ())) for key in ("decision_phases", "housing_phases")}
    for key, values in phases.items():
        unknown = [p for p in values if p not in phase_ids]
        if unknown:
            raise ChainDefinitionError(f"{path}: unknown phase {unknown[0]!r} in kpi.{key}")
    return Overview(journey=steps, total=total, chain_norm=chain_norm, **phases)
