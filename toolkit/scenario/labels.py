"""The scenario's words and notation in Dutch and English, for the printed tables and the html
export; the json, csv and xlsx keep months and metrics as codes for further work, beside the
calibration's words.

A metric is named as the dashboard's Wat als page names it (the chain's own names for phases and
norms, the municipality's name for its code), and what the calibration estimated is said in the
words of ``calibration.toml``. Example::

    >>> metric_label("wip:aanmelding", "nl", chain)  # doctest: +SKIP
    'In fase Aanmelding'
    >>> estimate_text(Estimate("arrivals", {"households": 29.5, "persons": 49.2}), "nl")[1]
    '29,5 huishoudens (49,2 personen) per maand'
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from toolkit.chain.model import Chain
from toolkit.numbers import number
from toolkit.scenario.calibrate import Estimate
from toolkit.synthetic.simulation import Capacities

if TYPE_CHECKING:
    from toolkit.scenario.run import Levers

CALIBRATION_TEXTS = Path(__file__).with_name("calibration.toml")
LANGUAGES = ("nl", "en")
# What a figure workshop mode left out shows as.
MISSING = "–"
SHARE_SUFFIX = "_share"
METRICS = {
    "nl": {
        "inflow": "Instroom",
        "wip_total": "In de keten",
        "coa_occupancy": "Bezetting COA",
        "wip": "In fase {name}",
        "wait_median_days": "{name}: mediane wachttijd in dagen van wie in de maand klaar was",
        "wait_persons": "{name}: trajecten afgerond",
        "share_over_norm": "{name}: aandeel boven de norm, klaar of nog wachtend",
        "norm_persons": "{name}: trajecten geteld voor de norm",
        "arrivals": "Naar een woning in {name}",
    },
    "en": {
        "inflow": "Inflow",
        "wip_total": "In the chain",
        "coa_occupancy": "COA occupancy",
        "wip": "In phase {name}",
        "wait_median_days": "{name}: median wait in days of those done in the month",
        "wait_persons": "{name}: legs ended",
        "share_over_norm": "{name}: share over the norm, done or still waiting",
        "norm_persons": "{name}: legs counted for the norm",
        "arrivals": "Into a home in {name}",
    },
}
AS_NOW = {"nl": "zoals nu", "en": "as now"}
PER_WEEK = {"nl": " ({now} → {then} personen per week)", "en": " ({now} → {then} persons a week)"}
EVERYWHERE = {"nl": "overal", "en": "everywhere"}
LEVERS = {
    "nl": "instroom ×{inflow}, gehoorcapaciteit IND ×{ind}, woningen {homes}",
    "en": "inflow ×{inflow}, IND interview capacity ×{ind}, homes {homes}",
}
# The fidelity back-test's measures (``wait:<norm>`` per leg).
MEASURES = {
    "nl": {
        "wip_error": "Personen per fase: relatieve fout",
        "wait": "{name}: afstand in dagen",
        "cycle_time": "Doorlooptijd van wie de keten verliet: afstand in dagen",
        "arrivals": "Moment van instroom: afstand in dagen",
        "arrivals_count_error": "Aantal nieuwe personen (instroom): relatieve fout",
    },
    "en": {
        "wip_error": "Persons per phase: relative error",
        "wait": "{name}: distance in days",
        "cycle_time": "Cycle time of those who left the chain: distance in days",
        "arrivals": "Moment of inflow: distance in days",
        "arrivals_count_error": "Number of new persons (inflow): relative error",
    },
}
# Measures that are a relative error (a share, shown as a percentage); the others are days.
RELATIVE_MEASURES = ("wip_error", "arrivals_count_error")
# How a household size is said: "1 persoon", "3 personen", the last size "6 of meer".
SIZES = {"nl": ("{n} persoon", "{n} personen", "{n} of meer"),
         "en": ("{n} person", "{n} persons", "{n} or more")}  # fmt: skip


def language_of(language: str | None) -> str:
    """A supported language; Dutch by default."""
    return language if language in LANGUAGES else "nl"


def metric_label(metric: str, language: str, chain: Chain) -> str:
    """A metric's name for a reader: ``wip:aanmelding`` is "In fase Aanmelding", ``arrivals:GM0363``
    "Naar een woning in Amsterdam" (a code the chain does not know stays a code)."""
    words = METRICS[language_of(language)]
    kind, _, code = metric.partition(":")
    if not code:
        return words.get(kind, metric)
    if kind not in words:
        return metric
    return words[kind].format(name=_name(kind, code, language, chain))


def measure_label(measure: str, language: str, chain: Chain) -> str:
    """A back-test measure's name: ``wait:N13`` is "Van vergunning naar woning: afstand in
    dagen"."""
    words = MEASURES[language_of(language)]
    kind, _, code = measure.partition(":")
    if kind not in words:
        return measure
    if not code:
        return words[kind]
    return words[kind].format(name=_name("wait_median_days", code, language, chain))


def metric_order(metric: str, chain: Chain) -> tuple[int, int, str]:
    """Where a metric comes in a list: the chain's totals, its phases and norms in the chain's
    order, then the municipalities' arrivals by name."""
    kind, _, code = metric.partition(":")
    kinds = list(METRICS["en"])
    rank = kinds.index(kind) if kind in kinds else len(kinds)
    if kind == "arrivals":
        return rank, 0, _name(kind, code, "nl", chain)
    if kind == "wip":
        order = [phase.id for phase in chain.phases]
    elif code and kind != "arrivals":
        order = [norm.id for norm in chain.norms]
    else:
        order = []
    return rank, order.index(code) if code in order else len(order), code


def _name(kind: str, code: str, language: str, chain: Chain) -> str:
    english = language_of(language) == "en"
    try:
        if kind == "arrivals":
            return chain.municipality(code).name
        item = chain.phase(code) if kind == "wip" else chain.norm(code)
    except KeyError:
        return code
    return item.label_en if english else item.label_nl


@cache
def _calibration_texts() -> dict[str, dict[str, dict[str, str]]]:
    with CALIBRATION_TEXTS.open("rb") as handle:
        return tomllib.load(handle)


def estimate_text(estimate: Estimate, language: str) -> tuple[str, str, str]:
    """The parameter's name, its value and how it was estimated, in the language; its figures
    in the language's notation."""
    words = _calibration_texts()[estimate.parameter][language_of(language)]
    figures = {k: figure_text(k, v, language) for k, v in estimate.figures.items()}
    return (
        words["name"],
        words["value"].format(**figures),
        words["how"].format(**figures),
    )


def figure_text(key: str, figure: Any, language: str) -> str:
    """One figure of an estimate: a share as a percentage, a pair as a range, offices (a mapping
    of names) as "name figure", sizes (a mapping of sizes) as "size: percentage"."""
    lang = language_of(language)
    if isinstance(figure, dict):  # "; " between the items: a Dutch figure holds a comma
        if key == "sizes":
            return "; ".join(
                f"{_size(int(size), i == len(figure) - 1, lang)}: {_percent(share, lang)}"
                for i, (size, share) in enumerate(figure.items())
            )
        return "; ".join(f"{name} {number(value, lang, 1)}" for name, value in figure.items())
    if isinstance(figure, list | tuple):
        return "–".join(_amount(value, lang) for value in figure)
    if key.endswith(SHARE_SUFFIX):
        return _percent(figure, lang)
    if isinstance(figure, float):
        return number(figure, lang, 1)
    return number(figure, lang)


def _size(size: int, last: bool, language: str) -> str:
    """A household size in words; the largest size counted is that size or more."""
    one, many, more = SIZES[language]
    return (more if last and size > 1 else one if size == 1 else many).format(n=size)


def measure_text(measure: str, value: float, language: str) -> str:
    """A back-test figure: a relative error as a percentage, a distance in days to a tenth."""
    if measure in RELATIVE_MEASURES:
        return _percent(value, language)
    return number(value, language_of(language), 1)


def _percent(share: float, language: str) -> str:
    return f"{number(100 * float(share), language, 1)}%"


def _amount(value: float, language: str) -> str:
    """A bound of a range: whole where it is, else to a tenth."""
    return number(value, language, 0 if float(value).is_integer() else 1)


def factor_text(value: float, language: str) -> str:
    """A lever's factor with the decimals it has (up to two): 4, 1,2, 1,25."""
    return number(value, language_of(language), 2).rstrip("0").rstrip(",.")


def homes_text(
    homes: dict[str, float], language: str, chain: Chain, capacities: Capacities | None = None
) -> str:
    """The homes lever: each municipality by name with its factor ("Zaanstad ×1,3"), "overal"
    for ``*``, "zoals nu" when homes do not change. With the calibrated ``capacities`` also
    what the factor makes of a municipality's homes, for the whole chain also when a sample is
    simulated ("0,06 → 0,08 personen per week"): +30% of very little is still very little."""
    housing = (
        None
        if capacities is None
        else {code: per_week / capacities.share for code, per_week in capacities.housing.items()}
    )
    lang = language_of(language)
    if not homes:
        return AS_NOW[lang]
    named = []
    for code, change in homes.items():
        name = EVERYWHERE[lang] if code == "*" else _name("arrivals", code, lang, chain)
        text = f"{name} ×{factor_text(change, lang)}"
        if housing is not None and code != "*":
            now = housing.get(code, 0.0)
            text += PER_WEEK[lang].format(
                now=number(now, lang, 2), then=number(now * change, lang, 2)
            )
        named.append(text)
    return ", ".join(named)


def levers_text(
    levers: Levers, language: str, chain: Chain, capacities: Capacities | None = None
) -> str:
    """The three levers in words, as the command, the html page and the dashboard say them:
    "instroom ×4, gehoorcapaciteit IND ×1, woningen Zaanstad ×1,3 (0,06 → 0,08 personen per
    week)" (the homes per week with ``capacities``, :func:`homes_text`; never in workshop mode:
    a municipality's homes per week are its persons housed in the year, five or more, over the
    chain's, so a few persons would be readable from them)."""
    lang = language_of(language)
    return LEVERS[lang].format(
        inflow=factor_text(levers.inflow, lang),
        ind=factor_text(levers.ind_capacity, lang),
        homes=homes_text(levers.homes, lang, chain, capacities),
    )


def value_text(value: Any, share: bool, language: str) -> str:
    """A monthly figure: a count whole, a share as a whole percentage, days to a whole day; a
    dash where workshop mode left it out."""
    if value is None or pd.isna(value):
        return MISSING
    if share:
        return f"{number(100 * float(value), language_of(language))}%"
    return number(float(value), language_of(language))
