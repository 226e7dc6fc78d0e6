"""Dutch done right, read in a real browser: every page in Dutch, its text, its tables, the tick
labels and hover texts of its charts, holds no English word, no raw code (a municipality code,
a snake_case id) and no number in English notation."""

from __future__ import annotations

import re

from test_pages import TIMEOUT, open_page, settled, start, switch_language

from dashboards.app import ASSETS
from dashboards.components import plotly_locales
from dashboards.filterbar import summary_line
from dashboards.pages import PAGES
from toolkit.filters import LogFilter

# Words that only English writes (Dutch shares "in", "is", "week", "norm", "model", "data" ...).
ENGLISH = ("the", "and", "with", "persons", "person", "days", "median", "share", "waiting",
           "still", "under", "download", "none", "nan", "true", "false",
           "page", "rows", "selected", "loading", "total", "mar", "may", "oct", "mon", "sun",
           "finding", "findings", "inflow", "outflow", "percent",
           "frequency", "performance", "track", "municipality", "location", "count",
           "january", "february", "march", "june", "july", "august", "october", "monday",
           "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "tue", "wed",
           "thu", "fri", "sat", "zoom", "pan", "autoscale", "reset", "axes", "plot")  # fmt: skip
# Month and weekday names, full and short, as each language writes them (case matters: Dutch
# writes "april" and "september" in lower case).
CALENDAR = {
    "en": re.compile(r"\b(January|February|March|April|May|June|July|August|September|October"
                     r"|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Monday"
                     r"|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tue|Wed|Thu|Fri"
                     r"|Sat|Sun)\b"),
    "nl": re.compile(r"\b(januari|februari|maart|april|mei|juni|juli|augustus|september"
                     r"|oktober|november|december|mrt|okt|maandag|dinsdag|woensdag|donderdag"
                     r"|vrijdag|zaterdag|zondag)\b"),
}  # fmt: skip
WORD = re.compile(r"[A-Za-zÀ-ÿ]+")
# A source file's name is the partner's, shown as it is (Datakwaliteit lists them).
FILE_NAME = re.compile(r"[\w.-]+\.(xlsx|xls|csv|json|xml|xes|parquet|txt)\b", re.IGNORECASE)
CODES = {
    "municipality code": re.compile(r"\bGM\d{4}\b"),
    "snake_case id": re.compile(r"\b[a-z]+_[a-z0-9_]+\b"),
    "English thousands": re.compile(r"\b\d{1,3},\d{3}\b(?![,\d])"),
    "English decimals": re.compile(r"(?<![\d.])\d+\.\d{1,2}\b(?![.\d])"),
    "a share as a fraction": re.compile(r"(?<![\d.,])0\.\d{2,}"),
    "scientific notation": re.compile(r"(?<!< )\d(\.\d+)?e-?\d+", re.IGNORECASE),
    "a month as a code": re.compile(r"(?<![\d-])\d{4}-\d{2}(?![\d-])"),
}
# The texts of a page: what is shown, the charts' ticks, legends and titles, the tooltips of
# their mode bars, and the hover templates and the text of each trace.
PAGE_TEXT = """
var out = [document.querySelector('main').innerText];
document.querySelectorAll('main .js-plotly-plot').forEach(function (plot) {
  plot.querySelectorAll('text').forEach(function (t) { out.push(t.textContent); });
  plot.querySelectorAll('.modebar-btn').forEach(function (b) {
    out.push(b.getAttribute('data-title'));
  });
  (plot.data || []).forEach(function (trace) {
    ['hovertemplate', 'name', 'text'].forEach(function (key) {
      var value = trace[key];
      if (typeof value === 'string') { out.push(value.replace(/%\\{[^}]*\\}/g, ' ')); }
    });
  });
});
document.querySelectorAll('main .ag-header-cell-text, main .ag-cell').forEach(function (c) {
  out.push(c.innerText);
});
return out.join('\\n');
"""


def problems(text: str) -> list[str]:
    """What in ``text`` a Dutch reader should not see."""
    text = FILE_NAME.sub(" ", text)
    found = [f"English word {w!r}" for w in WORD.findall(text) if w.lower() in ENGLISH]
    for name, pattern in CODES.items():
        found += [f"{name} {m.group(0)!r}" for m in pattern.finditer(text)]
    return sorted(set(found))


def test_the_word_list_and_patterns_catch_what_they_should() -> None:
    assert problems("Personen 1.234 en 65,4% op 30 jun. 2025, q < 1e-16, in coa_locaties.csv") == []
    assert problems("GM0479 aa_va 7,167 7.5 0.654 3.5e-72 Download 2025-07") == sorted(
        [
            "municipality code 'GM0479'",
            "snake_case id 'aa_va'",
            "English thousands '7,167'",
            "English decimals '7.5'",
            "a share as a fraction '0.654'",
            "scientific notation '3.5e-72'",
            "English word 'Download'",
            "a month as a code '2025-07'",
        ]
    )


def test_every_text_of_the_plotly_locale_is_one_the_served_plotly_writes() -> None:
    """A key of ``plotly_locale.toml`` is plotly.js's own English text: one that the served
    bundle does not hold (a text of another plotly.js version) would leave its English shown."""
    bundle = (ASSETS / "plotly-basic.min.js").read_text(encoding="utf-8")
    locale = plotly_locales()["nl"]
    missing = [key for key in locale["dictionary"] if f'"{key}"' not in bundle]
    assert missing == []
    assert locale["format"]["months"][2] == "maart" and locale["format"]["decimal"] == ","


def test_every_page_reads_in_dutch(dash_duo, app) -> None:
    start(dash_duo, app)
    found = {}
    for page in PAGES:
        open_page(dash_duo, page, "nl")
        wrong = problems(dash_duo.driver.execute_script(PAGE_TEXT))
        if wrong:
            found[page.PATH] = wrong
    assert found == {}, "\n".join(f"{path}: {wrong}" for path, wrong in found.items())


def months_in_view(dash_duo, control: str, year: int) -> list[str]:
    """Open a month choice, search its year and read the months it offers."""
    dash_duo.find_element(f"#{control}").click()
    dash_duo.find_element("input.dash-dropdown-search").send_keys(str(year))
    dash_duo.wait_for_contains_text(".dash-dropdown-option", str(year), timeout=TIMEOUT)
    return [o.text.strip() for o in dash_duo.find_elements(".dash-dropdown-option")]


def pick(dash_duo, label: str) -> None:
    next(o for o in dash_duo.find_elements(".dash-dropdown-option") if o.text.strip() == label
         ).click()  # fmt: skip
    settled(dash_duo)


def calendar_words(dash_duo) -> dict[str, set[str]]:
    """The month and weekday names on the whole screen (an open dropdown included), per
    language."""
    text = dash_duo.driver.execute_script("return document.body.innerText;")
    return {language: set(pattern.findall(text)) for language, pattern in CALENDAR.items()}


def test_the_period_is_chosen_by_months_named_in_the_language(dash_duo, app, session) -> None:
    """Period and cohort are chosen by month (Dash's date picker names months and weekdays in
    English only): in Dutch the months read as Babel writes them and no English name shows, in
    English the reverse; March to May 2024 keeps what ``--from 2024-03-01 --to 2024-05-31``
    keeps."""
    year = 2024
    names = {
        "nl": [f"{m} {year}" for m in ("januari", "februari", "maart", "april", "mei", "juni",
                                         "juli", "augustus", "september", "oktober", "november",
                                         "december")],
        "en": [f"{m} {year}" for m in ("January", "February", "March", "April", "May", "June",
                                         "July", "August", "September", "October", "November",
                                         "December")],
    }  # fmt: skip
    start(dash_duo, app)
    shown = months_in_view(dash_duo, "f-period-from", year)
    assert len(shown) >= 3 and shown == names["nl"][: len(shown)]
    words = calendar_words(dash_duo)
    assert words["en"] == set() and "januari" in words["nl"]
    pick(dash_duo, names["nl"][2])
    months_in_view(dash_duo, "f-period-to", year)
    pick(dash_duo, names["nl"][4])
    kept = LogFilter(period_from=f"{year}-03-01", period_to=f"{year}-05-31")
    assert summary_line(kept, session, "nl") == "Filter: Periode 1 mrt 2024 – 31 mei 2024"
    dash_duo.wait_for_text_to_equal("#filter-summary", summary_line(kept, session, "nl"))

    switch_language(dash_duo, "en")
    dash_duo.wait_for_text_to_equal("#filter-summary", summary_line(kept, session, "en"))
    assert dash_duo.find_element("#f-period-from").text.strip() == "March 2024"
    shown = months_in_view(dash_duo, "f-cohort-from", year)
    assert len(shown) >= 3 and shown == names["en"][: len(shown)]
    words = calendar_words(dash_duo)
    assert words["nl"] == set() and "January" in words["en"]
