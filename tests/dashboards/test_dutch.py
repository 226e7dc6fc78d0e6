"""Dutch done right, read in a real browser: every page in Dutch, its text, its tables, the tick
labels and hover texts of its charts, holds no English word, no raw code (a municipality code,
a snake_case id) and no number in English notation."""

from __future__ import annotations

import re

from test_pages import open_page, start

from dashboards.pages import PAGES

# Words that only English writes (Dutch shares "in", "is", "week", "norm", "model", "data" ...).
ENGLISH = ("the", "and", "with", "persons", "person", "days", "median", "share", "waiting",
           "still", "under", "download", "none", "nan", "true", "false",
           "page", "rows", "selected", "loading", "total", "mar", "may", "oct", "mon", "sun",
           "finding", "findings", "inflow", "outflow", "percent",
           "frequency", "performance", "track", "municipality", "location", "count")  # fmt: skip
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
}
# The texts of a page: what is shown, the charts' ticks, legends and titles, and the hover
# templates and the text of each trace.
PAGE_TEXT = """
var out = [document.querySelector('main').innerText];
document.querySelectorAll('main .js-plotly-plot').forEach(function (plot) {
  plot.querySelectorAll('text').forEach(function (t) { out.push(t.textContent); });
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
    assert problems("GM0479 aa_va 7,167 7.5 0.654 3.5e-72 Download") == sorted(
        [
            "municipality code 'GM0479'",
            "snake_case id 'aa_va'",
            "English thousands '7,167'",
            "English decimals '7.5'",
            "a share as a fraction '0.654'",
            "scientific notation '3.5e-72'",
            "English word 'Download'",
        ]
    )


def test_every_page_reads_in_dutch(dash_duo, app) -> None:
    start(dash_duo, app)
    found = {}
    for page in PAGES:
        open_page(dash_duo, page, "nl")
        wrong = problems(dash_duo.driver.execute_script(PAGE_TEXT))
        if wrong:
            found[page.PATH] = wrong
    assert found == {}, "\n".join(f"{path}: {wrong}" for path, wrong in found.items())
