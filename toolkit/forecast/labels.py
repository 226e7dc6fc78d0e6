"""The forecast's words and notation in Dutch and English, for the printed tables and the html
report.

Worded as the dashboard's Vooruitblik page words them, so a municipality reads the same names on
screen, on paper and in the terminal: metrics, the waits the model learnt, and the persons still
waiting per chain phase (the phase's own name from the chain). Example::

    >>> metric_label("linked_persons", "nl", chain)  # doctest: +SKIP
    'Gekoppelde personen'
    >>> metric_label("waiting_beroep", "en", chain)  # doctest: +SKIP
    'Still waiting: Appeal'
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from toolkit import numbers
from toolkit.chain.model import Chain
from toolkit.filters import LOCAL_TZ
from toolkit.forecast.model import half_year_start
from toolkit.forecast.simulation import SIZES
from toolkit.numbers import number

# What a figure workshop mode left out shows as.
MISSING = "–"
NATION = {"nl": "Nederland", "en": "The Netherlands"}
MONTHS = {"nl": ("maand", "maanden"), "en": ("month", "months")}
# The metrics shown per month, for the nation and for a municipality (no permits: those are
# national), on the Vooruitblik page, in the report and in the terminal.
NATIONAL_METRICS = ("permits", "linked_persons", "linked_households", "move_outs")
LOCAL_METRICS = ("linked_persons", "linked_households", "move_outs")
WAITING_PREFIX = "waiting_"
SIZE_PREFIX = "households_size_"
METRICS = {
    "nl": {
        "permits": "Vergunningen (personen)",
        "linked_persons": "Gekoppelde personen",
        "linked_households": "Gekoppelde huishoudens",
        "move_outs": "Verhuisd naar een woning (personen)",
        "size": "Huishoudens van {size} pers.",
        "waiting": "Wacht nog: {phase}",
    },
    "en": {
        "permits": "Permits (persons)",
        "linked_persons": "Linked persons",
        "linked_households": "Linked households",
        "move_outs": "Moved to a home (persons)",
        "size": "Households of {size} pers.",
        "waiting": "Still waiting: {phase}",
    },
}
WAITS = {
    "nl": {
        "application_to_decision": "Van aanvraag tot beslissing",
        # from the permit document, handed out about two weeks after the decision that grants
        # it, from which the analysis' norm N10 (Koppeling na vergunning) counts
        "permit_to_koppeling": "Van uitreiking verblijfsvergunning tot koppeling",
        "koppeling_to_move_out": "Van koppeling tot verhuizing naar een woning",
    },
    "en": {
        "application_to_decision": "From application to decision",
        "permit_to_koppeling": "From the permit document handed out to koppeling",
        "koppeling_to_move_out": "From koppeling to moving into a home",
    },
}


# The taakstelling's half-years: ``2025-I``, ``2025-II``.
HALVES = ("I", "II")


def language_of(language: str | None) -> str:
    """``nl`` unless English is asked for."""
    return "en" if language == "en" else "nl"


def metric_label(metric: str, language: str, chain: Chain) -> str:
    """A forecast metric's name in the language; the code itself for a metric it does not know."""
    words = METRICS[language_of(language)]
    if metric.startswith(WAITING_PREFIX):
        phase_id = metric.removeprefix(WAITING_PREFIX)
        try:
            phase = chain.phase(phase_id)
        except KeyError:
            return words["waiting"].format(phase=phase_id)
        name = phase.label_en if language_of(language) == "en" else phase.label_nl
        return words["waiting"].format(phase=name)
    if metric.startswith(SIZE_PREFIX):
        size = int(metric.removeprefix(SIZE_PREFIX))
        # the largest size stands for that size or more
        return words["size"].format(size=f"{size}+" if size == SIZES[-1] else size)
    return words.get(metric, metric)


def wait_label(wait: str, language: str) -> str:
    """The name of a wait the model learnt; the code itself for one it does not know."""
    return WAITS[language_of(language)].get(wait, wait)


# The model's notes (:data:`toolkit.forecast.pipeline.METHOD`, English) in Dutch, by topic.
METHOD_NL = {
    "state": "Elke huishoudeenheid (een huishouden, of een groep nareizigers die samen "
    "aankomt) op het peilmoment: de fase waarin ze wacht (op een beslissing, na een afwijzing, "
    "na een inwilliging, op een koppeling of op een woning) en hoeveel dagen ze daar al wacht. "
    "Niets na het peilmoment wordt gelezen.",
    "waits": "Kaplan-Meier-curves van de wachttijden die liepen in de 12 maanden voor het "
    "peilmoment (met late instap, gecensureerd waar nog gewacht wordt); de resterende wachttijd "
    "van elke eenheid wordt getrokken gegeven de dagen die ze al wachtte. De wachttijd op een "
    "woning is die van de gemeente zelf als er minstens 20 verhuisden; anders de landelijke, "
    "uitgerekt met de tijdsfactor van de gemeente (hoeveel keer zo lang haar wachttijden duren, "
    "geschat uit haar wachttijden in die 12 maanden, ook van wie nog wacht, en dichter bij 1 "
    "naarmate het er minder zijn), zodat een trage gemeente niet het landelijke tempo krijgt.",
    "pace": "Inwilligingen, andere beslissingen en verhuizingen komen in het tempo van de "
    "laatste 6 maanden (ze zijn aan capaciteit gebonden); de curves en de uitkomst van elk "
    "huishouden bepalen wie eerst gaat. Nareizigers trekken in bij hun referent en hebben geen "
    "eigen woning nodig.",
    "municipality": "Aandeel in de nieuwe koppelingen: de Dirichlet-posterior van de personen "
    "die de laatste 12 maanden gekoppeld zijn, met het aandeel in de taakstelling (naar "
    "inwonertal) als prior; het gewicht van de prior is geschat uit hoe ongelijk de gemeenten "
    "hun aandeel realiseerden (empirische Bayes). In een simulatie gaat elk huishouden naar een "
    "gemeente die getrokken wordt naar rato van haar aandeel maal exp(achterstand / spreiding), "
    "zoals het COA koppelt onder de taakstelling. De achterstand van een gemeente is haar "
    "aandeel in iedereen die vanaf het peilmoment gekoppeld wordt, plus wat ze op het "
    "peilmoment uit eerdere halfjaren in het log nog tekortkwam (of min haar voorsprong), min "
    "wat ze kreeg; de spreiding (personen) is geschat uit de koppelingen van de laatste 12 "
    "maanden (meest aannemelijke schatting, maximum likelihood). Nareizigers gaan naar de "
    "gemeente van hun referent.",
    "interval": "Simulaties met een vast startgetal (seed; aantal en startgetal staan bij de "
    "cijfers); verwacht is het gemiddelde over de simulaties; het 80%-interval loopt van het "
    "10e tot het 90e percentiel, als hele aantallen. Een grens schuift een aantal op als het "
    "interval dan dichter bij 80% van de simulaties komt. Waar een enkel aantal op zichzelf al "
    "waarschijnlijker is, zoals 0 personen in een maand van een kleine gemeente, is het "
    "interval dat ene aantal en valt meer dan 80% erin.",
    "taakstelling": "Landelijke taakstelling per halfjaar: zoals opgegeven, anders de personen "
    "met een vergunning in het halfjaar ervoor; het deel van elke gemeente is haar aandeel in "
    "de bevolking.",
    "details": "Zie de methodebeschrijving: docs/method.md, paragraaf Vooruitblik.",
}


def method_notes(method: list[tuple[str, str]], language: str) -> list[str]:
    """The model's notes in the language (a note without a Dutch text stays English)."""
    if language_of(language) == "en":
        return [note for _, note in method]
    return [METHOD_NL.get(topic, note) for topic, note in method]


def value(figure: Any, language: str, decimals: int = 0) -> str:
    """A figure in the language's notation; a dash where workshop mode left it out."""
    if figure is None or pd.isna(figure):
        return MISSING
    return number(float(figure), language_of(language), decimals)


def interval_text(row: dict | None, language: str) -> str:
    """``low–high``: whole counts, the 80% interval's ends (a dash where left out)."""
    if row is None or row.get("low") is None or pd.isna(row.get("low")):
        return MISSING
    return f"{value(row['low'], language)}–{value(row['high'], language)}"


def with_interval(row: dict | None, language: str) -> str:
    """The expectation and, in brackets, its 80% interval: ``22,1 (19–25)``."""
    expected = value(None if row is None else row["expected"], language, 1)
    interval = interval_text(row, language)
    return expected if interval == MISSING else f"{expected} ({interval})"


def months_text(count: int, language: str) -> str:
    """``1 maand``, ``12 maanden``."""
    one, many = MONTHS[language_of(language)]
    return f"{count} {one if count == 1 else many}"


# The taakstelling as given (``--taakstelling``), or as the forecast estimates it.
TAAKSTELLING = {"nl": ("taakstelling", "geschatte taakstelling"),
                "en": ("taakstelling", "estimated taakstelling")}  # fmt: skip


def taakstelling_word(summary: dict, language: str) -> str:
    """ "taakstelling" where it was given, "geschatte taakstelling" where the forecast estimated
    it (the persons permitted in the half-year before): a reader must not take it for the
    official one."""
    given, estimated = TAAKSTELLING[language_of(language)]
    return given if summary.get("taakstelling_given") else estimated


def starts_with_forecast(summary: dict, period: str) -> bool:
    """Whether a taakstelling half-year begins with the forecast's first month (or later): then
    nobody is counted as linked in it before the forecast (``linked_before`` counts from the
    half-year's start to that month's), and a reader is not told "0 already linked"."""
    months = summary.get("months") or []
    if not months or str(period).partition("-")[2] not in HALVES:
        return False
    first = pd.Timestamp(f"{months[0]}-01").tz_localize(LOCAL_TZ)
    return half_year_start(str(period)) >= first


def half_year_text(label: str, language: str) -> str:
    """A taakstelling half-year as a reader names it: ``2025-II`` is ``2e helft 2025`` or
    ``second half of 2025`` (the label itself where it is not one)."""
    year, _, part = str(label).partition("-")
    if part not in HALVES:
        return str(label)
    return numbers.half_year_text(year, HALVES.index(part) + 1, language_of(language))
