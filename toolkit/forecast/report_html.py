"""The forecast as one standalone html report: what the Vooruitblik page shows, on paper.

For a municipality (``fc.for_municipality(code)``) the report answers its question first: how
many status holders are expected to be linked to it per month, in which households, how long
they will wait for a home, and how far it will get with its taakstelling; then the nation per
month, the waits the model learnt and the method. Without a municipality it shows the nation and
every municipality's taakstelling.

Dutch by default (``language="en"`` for English): names of municipalities, phases and waits
instead of codes, numbers in the language's notation, every value HTML-escaped. The plotly
library is inline and the styles are those of ``analyze``'s report, so the file opens offline
and prints. In workshop mode a figure about fewer than k persons is left out and shows as a
dash, as on the page. Example::

    >>> page = forecast_html(fc.for_municipality("GM0363"), language="nl")  # doctest: +SKIP
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from toolkit.chain import load_chain
from toolkit.chain.model import Chain
from toolkit.export.report_html import CSS, Charts, html_section, local_day
from toolkit.forecast.figures import households_figure, interval_figure
from toolkit.forecast.labels import (
    LOCAL_METRICS,
    MISSING,
    NATION,
    NATIONAL_METRICS,
    SIZE_PREFIX,
    WAITING_PREFIX,
    half_year_text,
    interval_text,
    language_of,
    method_notes,
    metric_label,
    months_text,
    starts_with_forecast,
    taakstelling_word,
    value,
    wait_label,
    with_interval,
)
from toolkit.forecast.model import RECENT_MONTHS
from toolkit.forecast.pipeline import Forecast
from toolkit.forecast.simulation import SIZES
from toolkit.numbers import day_text, month_text, number

HOME_WAIT = "koppeling_to_move_out"
LINE = "#2e8b57"
SIZE_COLOURS = ("#1f4e79", "#2e75b6", "#9dc3e6", "#f4b183", "#c55a11")
# Households followed below which a municipality's wait is listed after the others.
RANKED_FROM = 5
TEXT = {
    "nl": {
        "title": "Ketenlens: vooruitblik",
        "separators": ",.",
        "title_for": "Ketenlens: vooruitblik voor {name}",
        "made": "Vooruitblik vanaf {day} voor {months}, {runs} simulaties (startgetal {seed}).",
        "mid_month": "De vooruitblik begint midden in {month}: die maand telt ook wat het log "
        "vóór {day} al bevat.",
        "summary": "Samenvatting",
        "waiting": "Bij het begin van de vooruitblik wachten {persons} personen in {households} "
        "huishoudens in de keten; gemiddeld komen er {arrivals} nieuwe huishoudens per maand de "
        "keten in (het gemiddelde van de laatste {recent} maanden).",
        "linked_total": "Verwacht gekoppeld aan {name} in de komende {months}: {expected} "
        "personen.",
        "linked_total_nation": "Verwacht gekoppeld aan gemeenten in heel Nederland in de komende "
        "{months}: {expected} personen.",
        "home_wait": "Na de koppeling wachten zij naar verwachting {median} dagen op een woning "
        "(mediaan; {p80}).",
        "p80": "8 van de 10 binnen {days} dagen",
        "p80_open": "wanneer 8 van de 10 een woning hebben, ligt voorbij de langste wachttijd die "
        "het logboek laat zien",
        "home_wait_hidden": "Hoe lang zij na de koppeling op een woning wachten, is afgeschermd: "
        "het gaat om minder dan {k} huishoudens.",
        "home_wait_open": "Hoe lang zij na de koppeling op een woning wachten, is nog niet te "
        "zeggen: de helft van hen heeft binnen de langste wachttijd die het logboek laat zien nog "
        "geen woning.",
        "home_wait_stretched": "Na de koppeling wachten zij naar verwachting {median} dagen op "
        "een woning (mediaan; {p80}): {ratio} keer zo lang als "
        "landelijk ({national} dagen). In {name} verhuisden in de 12 maanden voor de vooruitblik "
        "maar {ended} huishoudens naar een woning, te weinig om alleen op eigen cijfers te "
        "rekenen. Daarom is de landelijke wachttijd vermenigvuldigd met {ratio}: de verhouding "
        "die past bij de {watched} huishoudens die er in die maanden op een woning wachtten (ook "
        "de {waiting} die nog wachten).",
        "home_wait_national": "Na de koppeling wachten zij naar verwachting {median} dagen op "
        "een woning (mediaan; {p80}): de landelijke wachttijd, want in "
        "{name} wachtte in de 12 maanden voor de vooruitblik niemand op een woning.",
        "taak": "{period}: {kind} {taakstelling} personen; al gekoppeld vóór de "
        "vooruitblik {before}; naar verwachting in dit halfjaar gekoppeld t/m {until}: {expected} "
        "({interval}).",
        "taak_fresh": "{period}: {kind} {taakstelling} personen; naar verwachting in dit halfjaar "
        "gekoppeld t/m {until}: {expected} ({interval}).",
        "hidden": "afgeschermd",
        "linked_title": "Verwacht aantal gekoppelde statushouders per maand",
        "linked_note": "De lijn is de verwachting, de band het 80%-interval: in ten minste 8 van "
        "de 10 simulaties valt het aantal daarbinnen.",
        "households_title": "Gekoppelde huishoudens naar grootte",
        "households_note": "Verwacht aantal huishoudens per maand per grootte: welke woningen "
        "nodig zijn.",
        "taakstelling_title": "Voortgang op de taakstelling",
        "taakstelling_note": "De taakstelling per halfjaar zoals de vooruitblik haar schat "
        "(landelijk: de personen met een vergunning in het halfjaar ervoor, tenzij opgegeven; "
        "het deel van een gemeente naar inwonertal; zonder achterstand uit eerdere halfjaren). "
        "Al gekoppeld: in dat halfjaar vóór de eerste maand van de vooruitblik. Verwacht: alle "
        "koppelingen van dat halfjaar tot en met de laatste dag die de vooruitblik ervan beslaat, "
        "de al gekoppelde personen inbegrepen; tussen haakjes het 80%-interval.",
        "national_title": "Nederland per maand",
        "national_note": "Vergunningen, koppelingen, huishoudens en uitstroom naar een woning "
        "per maand, en de personen die aan het eind van de maand nog wachten per fase.",
        "waits_title": "Verwachte wachttijden",
        "waits_note": "Mediaan: de helft wacht korter. 80% binnen: na zoveel dagen is 8 van de "
        "10 klaar. Geschat uit de wachttijden van de 12 maanden voor de vooruitblik, ook van wie "
        "nog wacht. Een gemeente waar in die maanden minstens 20 huishoudens verhuisden heeft "
        "eigen wachttijden; een andere de landelijke maal haar verhouding tot landelijk, geschat "
        "uit haar eigen wachttijden en dichter bij 1 naarmate het er minder waren. De gemeenten "
        "met de langste wachttijd eerst; gemeenten waar minder dan {few} huishoudens gevolgd "
        "werden onderaan, want hun verhouding rust vooral op die aanname.",
        "sources": {
            "nation": "landelijk",
            "own": "eigen wachttijden",
            "stretched": "landelijk × {ratio}",
            "national": "landelijk (niemand wachtte)",
        },
        "method": "Methode",
        "interval": "80%-interval",
        "cells": "In elke cel de verwachting (het gemiddelde van de simulaties), tussen haakjes "
        "het 80%-interval: in ten minste 8 van de 10 simulaties ligt het aantal tussen die "
        "grenzen. (0–0) betekent dat het aantal in ruim 8 van de 10 simulaties 0 is; het "
        "gemiddelde kan toch boven 0 liggen.",
        "per_month": "personen per maand",
        "households_axis": "huishoudens per maand",
        "month": "Maand",
        "columns": {
            "period": "Halfjaar",
            "municipality": "Gemeente",
            "taakstelling": "Taakstelling",
            "linked_before": "Al gekoppeld",
            "until": "T/m",
            "expected": "Verwacht gekoppeld in dit halfjaar",
            "wait": "Wachttijd",
            "median_days": "Mediaan (dagen)",
            "p80_days": "80% binnen (dagen)",
            "watched": "Gevolgd (huishoudens)",
            "ended": "Waarvan klaar",
            "basis": "Bron",
        },
        "workshop": "Workshopmodus: elk getal over minder dan {k} personen is weggelaten (–); "
        "het aantal al gekoppelde personen is licht verstoord (celsleutelmethode).",
    },
    "en": {
        "title": "Ketenlens: forecast",
        "separators": ".,",
        "title_for": "Ketenlens: forecast for {name}",
        "made": "Forecast from {day} for {months}, {runs} runs (seed {seed}).",
        "mid_month": "The forecast begins in the middle of {month}: that month also counts what "
        "the log holds before {day}.",
        "summary": "Summary",
        "waiting": "When the forecast begins, {persons} persons in {households} households are "
        "waiting in the chain; {arrivals} new households enter the chain per month on average "
        "(the average of the last {recent} months).",
        "linked_total": "Expected linked to {name} in the coming {months}: {expected} persons.",
        "linked_total_nation": "Expected linked to municipalities across the Netherlands in the "
        "coming {months}: {expected} persons.",
        "home_wait": "After the koppeling they are expected to wait {median} days for a home "
        "(median; {p80}).",
        "p80": "8 in 10 within {days} days",
        "p80_open": "when 8 in 10 have a home lies beyond the longest wait the log shows",
        "home_wait_hidden": "How long they wait for a home after the koppeling is suppressed: "
        "it concerns fewer than {k} households.",
        "home_wait_open": "How long they wait for a home after the koppeling cannot be said yet: "
        "half of them have no home within the longest wait the log shows.",
        "home_wait_stretched": "After the koppeling they are expected to wait {median} days for "
        "a home (median; {p80}): {ratio} times as long as nationally "
        "({national} days). In {name} only {ended} households moved into a home in the 12 "
        "months before the forecast, too few to go by its own figures alone. So the national "
        "wait is multiplied by {ratio}: the ratio that fits the {watched} households who waited "
        "for a home there in those months (the {waiting} still waiting included).",
        "home_wait_national": "After the koppeling they are expected to wait {median} days for "
        "a home (median; {p80}): the national wait, as nobody in {name} "
        "was waiting for a home in the 12 months before the forecast.",
        "taak": "{period}: {kind} {taakstelling} persons; linked before the "
        "forecast {before}; expected linked in this half-year up to and including {until}: "
        "{expected} ({interval}).",
        "taak_fresh": "{period}: {kind} {taakstelling} persons; expected linked in this "
        "half-year up to and including {until}: {expected} ({interval}).",
        "hidden": "suppressed",
        "linked_title": "Expected status holders linked per month",
        "linked_note": "The line is the expectation, the band the 80% interval: in at least 8 "
        "of 10 simulations the count falls inside it.",
        "households_title": "Linked households by size",
        "households_note": "Expected households per month by size: which homes are needed.",
        "taakstelling_title": "Progress on the taakstelling",
        "taakstelling_note": "The taakstelling per half-year as the forecast estimates it "
        "(national: the persons permitted in the half-year before, unless given; a "
        "municipality's part by population; without backlog from earlier half-years). Already "
        "linked: in that half-year before the forecast's first month. Expected: every koppeling "
        "of that half-year up to the last day of it the forecast covers, those already linked "
        "included; the 80% interval in brackets.",
        "national_title": "The Netherlands per month",
        "national_note": "Permits, koppelingen, households and move-outs to a home per month, "
        "and the persons still waiting at the end of the month per phase.",
        "waits_title": "Expected waits",
        "waits_note": "Median: half wait less. 80% within: after so many days 8 in 10 are "
        "done. Estimated from the waits of the 12 months before the forecast, those still "
        "waiting included. A municipality where at least 20 households moved out in those "
        "months has waits of its own; another the national ones times its ratio to the nation, "
        "estimated from its own waits and nearer 1 the fewer they were. The municipalities with "
        "the longest wait first; those where fewer than {few} households were followed at the "
        "bottom, as their ratio rests mostly on that assumption.",
        "sources": {
            "nation": "national",
            "own": "own waits",
            "stretched": "national × {ratio}",
            "national": "national (nobody waiting)",
        },
        "method": "Method",
        "interval": "80% interval",
        "cells": "Each cell holds the expectation (the mean of the simulations), the 80% "
        "interval in brackets: in at least 8 of 10 simulations the count lies within it. (0–0) "
        "means that the count is 0 in over 8 of 10 simulations; the mean can still be above 0.",
        "per_month": "persons per month",
        "households_axis": "households per month",
        "month": "Month",
        "columns": {
            "period": "Half-year",
            "municipality": "Municipality",
            "taakstelling": "Taakstelling",
            "linked_before": "Already linked",
            "until": "Up to",
            "expected": "Expected linked in this half-year",
            "wait": "Wait",
            "median_days": "Median (days)",
            "p80_days": "80% within (days)",
            "watched": "Followed (households)",
            "ended": "Of which done",
            "basis": "Source",
        },
        "workshop": "Workshop mode: every figure about fewer than {k} persons is left out (–); "
        "the counts of persons linked already are slightly perturbed (cell key method).",
    },
}


def forecast_html(fc: Forecast, *, language: str = "nl", chain: Chain | None = None) -> str:
    """The whole report as one html document (see the module)."""
    lang = language_of(language)
    text = TEXT[lang]
    chain = chain or load_chain()
    code = fc.summary.get("municipality") or ""
    name = _municipality_name(chain, code) if code else NATION[lang]
    charts = Charts()
    parts = [html_section(text["summary"], _summary(fc, code, name, lang))]
    national = fc.rows[fc.rows["municipality"] == ""]
    waiting = tuple(m for m in dict.fromkeys(national["metric"]) if m.startswith(WAITING_PREFIX))
    nation = _per_month(
        national, text["national_title"], text["national_note"],
        NATIONAL_METRICS + waiting, lang, chain, charts,
    )  # fmt: skip
    taakstelling = html_section(
        text["taakstelling_title"],
        _note(text["taakstelling_note"]),
        _taakstelling_table(fc, lang, chain),
    )
    if code:  # the municipality's own figures, its taakstelling, then the nation
        mine = fc.rows[fc.rows["municipality"] == code]
        title = f"{text['linked_title']}: {name}"
        parts.append(
            _per_month(mine, title, text["linked_note"], LOCAL_METRICS, lang, chain, charts)
        )
        parts += [_households(mine, name, lang, chain, charts), taakstelling, nation]
    else:  # the nation first; the long table of every municipality's taakstelling after it
        parts += [nation, _households(national, name, lang, chain, charts), taakstelling]
    parts.append(
        html_section(
            text["waits_title"],
            _note(text["waits_note"].format(few=RANKED_FROM)),
            _waits_table(fc, code, lang, chain),
        )
    )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in method_notes(fc.method, lang))
    parts.append(html_section(text["method"], f"<ul>{notes}</ul>"))
    title = text["title_for"].format(name=name) if code else text["title"]
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{html.escape(title)}</h1>{_made(fc.summary, lang)}</header>"
        f"<main>{''.join(parts)}</main></body></html>\n"
    )


def _made(summary: dict[str, Any], language: str) -> str:
    """When the forecast starts, how far it looks and how many runs it took; that its first
    month holds logged events too when it starts mid-month; workshop mode."""
    text = TEXT[language]
    months = summary.get("months", [])
    day = local_day(summary.get("as_of", ""))
    out = text["made"].format(
        day=day_text(day, language) if day else "",
        months=months_text(len(months), language),
        runs=number(summary.get("runs", 0), language),
        seed=summary.get("seed", ""),
    )
    if day and not day.endswith("-01") and months:
        out += " " + text["mid_month"].format(
            month=month_text(months[0], language), day=day_text(day, language)
        )
    out = _note(out)
    if summary.get("workshop"):
        workshop = text["workshop"].format(k=summary.get("k", ""))
        out += f'<p class="workshop">{html.escape(workshop)}</p>'
    return out


def _per_month(
    rows: pd.DataFrame,
    title: str,
    note: str,
    metrics: tuple[str, ...],
    language: str,
    chain: Chain,
    charts: Charts,
) -> str:
    """A section of persons linked per month as a chart, and the metrics per month as a table."""
    linked = rows[rows["metric"] == "linked_persons"]
    return html_section(
        title,
        _note(note),
        charts.render(
            interval_figure(
                linked,
                metric_label("linked_persons", language, chain),
                interval=TEXT[language]["interval"],
                colour=LINE,
                separators=TEXT[language]["separators"],
                language=language,
                axis=TEXT[language]["per_month"],
            )
        ),
        _months_table(rows, metrics, language, chain),
    )


def _households(rows: pd.DataFrame, name: str, language: str, chain: Chain, charts: Charts) -> str:
    """A section of the linked households by size per month: which homes are needed."""
    text = TEXT[language]
    return html_section(
        f"{text['households_title']}: {name}",
        _note(text["households_note"]),
        charts.render(
            households_figure(
                rows,
                [metric_label(f"{SIZE_PREFIX}{s}", language, chain) for s in SIZES],
                SIZE_COLOURS,
                TEXT[language]["separators"],
                language,
                axis=TEXT[language]["households_axis"],
            )
        ),
        _months_table(rows, tuple(f"{SIZE_PREFIX}{s}" for s in SIZES), language, chain),
    )


def _municipality_name(chain: Chain, code: str) -> str:
    try:
        return chain.municipality(code).name
    except KeyError:
        return code


def _note(text: str) -> str:
    return f'<p class="note">{html.escape(text)}</p>'


def _table(headers: list[str], rows: list[list[tuple[str, bool]]], name: str) -> str:
    """A table of formatted cells (text, whether a number); ``data-table`` names it for readers."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{html.escape(t)}</td>' if numeric else f"<td>{html.escape(t)}</td>"
            for t, numeric in row
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<table class="data" data-table="{html.escape(name)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def _months_table(rows: pd.DataFrame, metrics: tuple[str, ...], language: str, chain: Chain) -> str:
    """One row per month; per metric the expectation with its 80% interval."""
    shown = [m for m in metrics if m in set(rows["metric"])]
    headers = [TEXT[language]["month"], *(metric_label(m, language, chain) for m in shown)]
    body = []
    for month, group in rows.groupby("month", sort=True):
        by_metric = {r["metric"]: r for r in group.to_dict("records")}
        cells = [(month_text(month, language), False)]
        cells += [(with_interval(by_metric.get(m), language), True) for m in shown]
        body.append(cells)
    return _note(TEXT[language]["cells"]) + _table(headers, body, "forecast")


def _taakstelling_table(fc: Forecast, language: str, chain: Chain) -> str:
    """Per half-year the nation, then each municipality by name: taakstelling, linked before
    the forecast's first month, and expected linked in all up to the last day it covers."""
    columns = TEXT[language]["columns"]
    keys = ("period", "municipality", "taakstelling", "linked_before", "until", "expected")
    named = fc.taakstelling.assign(
        name=[_municipality_name(chain, c) if c else "" for c in fc.taakstelling["municipality"]]
    )
    named = named.sort_values(
        ["period", "name"], key=lambda c: c.str.lstrip("'").str.casefold(), kind="stable"
    )
    body = [
        [
            (half_year_text(row["period"], language), False),
            (row["name"] or NATION[language], False),
            (value(row["taakstelling"], language), True),
            (value(row["linked_before"], language), True),
            (day_text(row["until"], language), False),
            (with_interval(row, language), True),
        ]
        for row in named.to_dict("records")
    ]
    return _table([columns[k] for k in keys], body, "taakstelling")


def _waits_table(fc: Forecast, code: str, language: str, chain: Chain) -> str:
    """The waits the model learnt: the nation's, then the municipalities' with the longest
    first (in a report for the nation those with waits in the window), each with the source
    of its curve: its own waits, or the nation's times its ratio. Those with fewer than
    :data:`RANKED_FROM` households followed come last: a ratio fitted to one household is
    mostly the prior's, and would head the list without evidence."""
    text = TEXT[language]
    columns = text["columns"]
    keys = ("municipality", "wait", "median_days", "p80_days", "watched", "ended", "basis")
    rows = fc.waits.assign(
        name=[_municipality_name(chain, c) if c else "" for c in fc.waits["municipality"]]
    )
    national = rows[rows["municipality"] == ""]
    local = rows[(rows["municipality"] != "") & ((rows["basis"] != "national") | bool(code))]
    local = local.assign(
        days=pd.to_numeric(local["median_days"], errors="coerce"),
        few=pd.to_numeric(local["watched"], errors="coerce").fillna(0) < RANKED_FROM,
    )
    local = local.sort_values(
        ["few", "days", "name"], ascending=[True, False, True], na_position="last"
    )
    body = []
    for r in pd.concat([national, local]).to_dict("records"):
        source = "nation" if not r["municipality"] else r["basis"]
        ratio = value(r["time_ratio"], language, 2) if source == "stretched" else ""
        body.append(
            [
                (r["name"] or NATION[language], False),
                (wait_label(r["wait"], language), False),
                (value(r["median_days"], language), True),
                (value(r["p80_days"], language), True),
                (value(r["watched"], language), True),
                (value(r["ended"], language), True),
                (text["sources"][source].format(ratio=ratio), False),
            ]
        )
    return _table([columns[k] for k in keys], body, "waits")


def _difference(total: Any, part: Any) -> float | None:
    """``total - part``, or None where workshop mode left either out."""
    if total is None or part is None or pd.isna(total) or pd.isna(part):
        return None
    return float(total) - float(part)


def _summary(fc: Forecast, code: str, name: str, language: str) -> str:
    """The figures a reader wants first, as sentences (the tiles of the page): who is waiting,
    how many are expected to be linked (to the municipality, or in all), and the wait for a
    home and the taakstelling (the municipality's, or the nation's)."""
    text = TEXT[language]
    s = fc.summary

    def said(figure: Any, decimals: int = 0) -> str:
        """A figure in a sentence; one that workshop mode left out says so in words."""
        shown = value(figure, language, decimals)
        return text["hidden"] if shown == MISSING else shown

    def said_interval(row: dict) -> str:
        shown = interval_text(row, language)
        return text["hidden"] if shown == MISSING else shown

    months = s.get("months", [])
    rows = fc.rows[(fc.rows["municipality"] == code) & (fc.rows["metric"] == "linked_persons")]
    expected = pd.to_numeric(rows["expected"], errors="coerce")
    total = expected.sum() if len(expected) and expected.notna().all() else None
    sentences = [
        text["waiting"].format(
            persons=said(s.get("persons_waiting")),
            households=said(s.get("households_waiting")),
            arrivals=said(s.get("arrivals_per_month"), 1),
            recent=RECENT_MONTHS,
        ),
        text["linked_total" if code else "linked_total_nation"].format(
            name=name, months=months_text(len(months), language), expected=said(total)
        ),
    ]
    # the wait for a home and the taakstelling: the municipality's, or the nation's
    waits = fc.waits[fc.waits["wait"] == HOME_WAIT]
    national = waits.loc[waits["municipality"] == "", "median_days"]
    wait = waits[waits["municipality"] == code]
    for r in wait.to_dict("records"):
        if value(r["median_days"], language) == MISSING:  # too few households, or not reached
            hidden = s.get("workshop") and value(r["watched"], language) == MISSING
            sentences.append(
                text["home_wait_hidden"].format(k=s.get("k")) if hidden else text["home_wait_open"]
            )
            continue
        sentence = {"stretched": "home_wait_stretched", "national": "home_wait_national"}
        p80 = value(r["p80_days"], language)
        sentences.append(
            text[sentence.get(r["basis"], "home_wait") if code else "home_wait"].format(
                median=said(r["median_days"]),
                p80=text["p80_open"] if p80 == MISSING else text["p80"].format(days=p80),
                ratio=said(r["time_ratio"], 1),
                national=said(national.iloc[0] if len(national) else None),
                ended=said(r["ended"]),
                watched=said(r["watched"]),
                waiting=said(_difference(r["watched"], r["ended"])),
                name=name,
            )
        )
    for row in fc.taakstelling[fc.taakstelling["municipality"] == code].to_dict("records"):
        sentences.append(
            text["taak_fresh" if starts_with_forecast(s, row["period"]) else "taak"].format(
                period=half_year_text(row["period"], language).capitalize(),
                kind=taakstelling_word(s, language),
                taakstelling=said(row["taakstelling"]),
                before=said(row["linked_before"]),
                until=day_text(row["until"], language),
                expected=said(row["expected"]),
                interval=f"{text['interval']}: {said_interval(row)}",
            )
        )
    return "".join(f"<p>{html.escape(sentence)}</p>" for sentence in sentences)
