"""The finding record and how its figures are written, in Dutch and English.

A finding says what (``family`` and ``kind``), where in the chain (``place``), for whom
(``segment``), how bad (``metric``, ``value`` against a ``benchmark``), for how many
(``persons``), what it costs (``excess_person_days``, or ``excess_events`` for rework), how sure
we are (``confidence``: a corrected q-value, or "descriptive"), how to reproduce it (``filter``:
a dict that :class:`toolkit.filters.LogFilter` accepts, with ``interval`` beside it) and its
overall ``rank``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from toolkit.numbers import q_text

FAMILIES = ("where", "who", "trend", "rework")
DESCRIPTIVE = "descriptive"
DIMENSION_NL = {"municipality": "gemeente", "location": "COA-locatie", "office": "IND-kantoor"}
DIMENSION_EN = {"municipality": "municipality", "location": "COA location", "office": "IND office"}
# the kind of a norm (toolkit/chain/norms.toml) as an adjective
NORM_KIND_NL = {"legal": "wettelijke", "agreed": "afgesproken"}
NORM_KIND_EN = {"legal": "legal", "agreed": "agreed"}


@dataclass(frozen=True)
class Finding:
    """One finding with its evidence; see the module docstring for the meaning of each field.

    Example::

        >>> find_bottlenecks(log)[0].to_dict()["family"]  # doctest: +SKIP
        'where'
    """

    family: str
    kind: str
    place: str
    segment: tuple[str, str] | None
    metric: str
    value: float
    benchmark: float | None
    persons: int
    excess_person_days: float
    confidence: float | str
    title_nl: str
    title_en: str
    explanation_nl: str
    explanation_en: str
    interval: str | None = None
    filter: dict[str, Any] = field(default_factory=dict)
    excess_events: float | None = None
    rank: int = 0
    # the cell keys (toolkit.cellkeys) of ``persons`` and then of each count in the explanation,
    # in the order the texts name them (Dutch and English alike): what a workshop perturbs
    # them by; never exported
    keys: tuple[int, ...] = field(default=(), compare=False, repr=False)

    @property
    def impact(self) -> tuple[float, float, int]:
        """The family's own measure, largest first: excess person-days for waits, extra events
        and then persons for rework."""
        if self.family == "rework":
            return (self.excess_events or 0.0, float(self.persons), 0)
        return (self.excess_person_days, float(self.persons), 0)

    def ranked(self, rank: int) -> Finding:
        return replace(self, rank=rank)

    def to_dict(self) -> dict[str, Any]:
        """A flat, JSON-ready record for exports."""
        return {
            "rank": self.rank,
            "family": self.family,
            "kind": self.kind,
            "place": self.place,
            "segment_dimension": self.segment[0] if self.segment else None,
            "segment_value": self.segment[1] if self.segment else None,
            "metric": self.metric,
            "value": self.value,
            "benchmark": self.benchmark,
            "persons": self.persons,
            "excess_person_days": self.excess_person_days,
            "excess_events": self.excess_events,
            "confidence": self.confidence,
            "title_nl": self.title_nl,
            "title_en": self.title_en,
            "explanation_nl": self.explanation_nl,
            "explanation_en": self.explanation_en,
            "interval": self.interval,
            "filter": self.filter,
        }


def format_q(q: float) -> str:
    """A q-value as text (English notation): two significant digits, and "< 1e-16" where double
    precision cannot tell it from zero.

    Example::

        >>> format_q(0.0), format_q(3.5e-72), format_q(0.0123)
        ('< 1e-16', '< 1e-16', '0.012')
    """
    return q_text(q).removeprefix("q = ").removeprefix("q ")


def share_text(share: float) -> str:
    """A share as a whole percentage: ``65%``; a share that rounds to 0% or 100% without being
    it says so (``< 1%``, ``> 99%``), so that a title never claims all or nobody.

    Example::

        >>> share_text(0.654), share_text(0.996), share_text(1.0), share_text(0.004)
        ('65%', '> 99%', '100%', '< 1%')
    """
    if 0.995 <= share < 1.0:
        return "> 99%"
    if 0.0 < share < 0.005:
        return "< 1%"
    return f"{share:.0%}"
