"""Every export read back: xlsx with openpyxl, json against its documented shape, csv with
pandas, html with html.parser; formulas from the data are neutralised and workshop exports hold
no count under k."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from logs import generic
from openpyxl import load_workbook
from test_suppression import K

from toolkit.analysis import PERSON_COUNTS, Analysis, analyze
from toolkit.export.report_csv import neutralise, table_path, write_csv
from toolkit.export.report_html import write_html
from toolkit.export.report_json import write_json
from toolkit.export.report_xlsx import write_xlsx
from toolkit.numbers import number, through_text

PLANTED = ['=HYPERLINK("http://evil.example/x","klik")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]
SHEETS = [
    "Summary", "Findings", "Norms", "Norms per month", "Throughput times", "Curves per cohort",
    "Case duration",
    "Work in progress", "Flow per week", "Transitions", "Handovers", "Variants", "Conformance",
    "Rework", "Method",
]  # fmt: skip
FINDING_KEYS = {
    "rank", "family", "kind", "title_nl", "title_en", "segment", "metric", "value", "benchmark", "persons",
    "excess_person_days", "confidence", "filter",
}  # fmt: skip
INTERVAL_KEYS = {
    "interval", "from_activity", "to_activity", "persons", "still_open", "median_days",
    "median_days_completed_only", "p90_days", "norm_days", "share_over_norm",
}  # fmt: skip


@pytest.fixture(scope="module")
def planted() -> Analysis:
    """A log whose activity names are formulas, as a hostile or careless export could hold."""
    paths = {f"c{i:02d}": [PLANTED[i % 4], "b", PLANTED[(i + 1) % 4]] for i in range(40)}
    return analyze(generic(paths))


@pytest.fixture(scope="module")
def exported(chain_analysis, small_workshop, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("exports")
    paths = {}
    for name, analysis in (("full", chain_analysis), ("workshop", small_workshop)):
        paths[f"{name}.json"] = write_json(analysis, out / f"{name}.json")
        paths[f"{name}.xlsx"] = write_xlsx(analysis, out / f"{name}.xlsx")
        paths[f"{name}.html"] = write_html(analysis, out / f"{name}.html")
        write_csv(analysis, out / f"{name}.csv")
        paths[f"{name}.csv"] = out / f"{name}.csv"
    return paths


def _strict(text: str):
    def refuse(constant: str):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


# --- json -------------------------------------------------------------------------------------


def test_json_has_the_documented_shape(exported, chain_analysis):
    doc = _strict(exported["full.json"].read_text(encoding="utf-8"))
    assert (doc["format"], doc["version"]) == ("ketenlens-analysis", 1)
    assert len(doc["findings"]) == len(chain_analysis.findings)
    for finding in doc["findings"]:
        assert set(finding) >= FINDING_KEYS
    assert [f["rank"] for f in doc["findings"]] == list(range(1, len(doc["findings"]) + 1))
    assert doc["intervals"] and all(set(row) >= INTERVAL_KEYS for row in doc["intervals"])
    for name in ("norms", "norms_by_month", "throughput", "wip", "flow", "transitions",
                 "handovers", "variants", "deviations", "rework", "method"):  # fmt: skip
        assert isinstance(doc[name], list) and doc[name], name
    assert doc["wip"][0]["date"] == chain_analysis.wip["date"].iloc[0].date().isoformat()
    assert doc["summary"]["persons"] == chain_analysis.summary["persons"]
    assert 0 < doc["conformance"]["log_fitness"] <= 1


# --- xlsx -------------------------------------------------------------------------------------


def test_xlsx_has_every_sheet_with_frozen_filtered_headers(exported, chain_analysis):
    book = load_workbook(exported["full.xlsx"])
    assert book.sheetnames == SHEETS
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), sheet.title
        assert all(cell.font.bold for cell in sheet[1] if cell.value)
    findings = book["Findings"]
    header = [c.value for c in findings[1]]
    assert header[:5] == ["rank", "family", "kind", "title_nl", "title_en"]
    assert findings.max_row == len(chain_analysis.findings) + 1
    assert findings._charts and book["Work in progress"]._charts
    norms = book["Throughput times"]
    columns = {c.value: c.column for c in norms[1]}
    assert norms.cell(2, columns["share_over_norm"]).number_format == "0.0%"
    assert norms.cell(2, columns["persons"]).number_format == "#,##0"
    assert norms.cell(2, columns["median_days"]).number_format == "#,##0.0"
    wip = book["Work in progress"]
    assert wip.cell(2, 1).number_format == "yyyy-mm-dd"
    assert wip.column_dimensions["A"].width >= len("2024-01-01")


def test_xlsx_neutralises_formulas_from_the_log(planted, tmp_path):
    path = write_xlsx(planted, tmp_path / "planted.xlsx")
    book = load_workbook(path)
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert not cell.value.startswith(("=", "+", "-", "@")), cell.value
    for value in PLANTED:
        assert "'" + value in texts
    # numbers stay numbers: a negative count is no formula
    assert neutralise(-3) == -3


# --- csv --------------------------------------------------------------------------------------


def test_csv_holds_the_findings_and_the_tables_beside_them(exported, chain_analysis):
    path = exported["full.csv"]
    findings = pd.read_csv(path, encoding="utf-8-sig")
    assert len(findings) == len(chain_analysis.findings)
    assert findings["rank"].tolist() == list(range(1, len(findings) + 1))
    intervals = pd.read_csv(table_path(path, "intervals"), encoding="utf-8-sig")
    assert set(intervals.columns) >= INTERVAL_KEYS
    assert table_path(path, "summary").is_file() and table_path(path, "method").is_file()


def test_csv_neutralises_formulas_from_the_log(planted, tmp_path):
    written = write_csv(planted, tmp_path / "planted.csv")
    variants = pd.read_csv(table_path(tmp_path / "planted.csv", "rework"), encoding="utf-8-sig")
    assert set(variants["activity"]) >= {"'" + v for v in PLANTED}
    for path in written:
        for line in path.read_text(encoding="utf-8-sig").splitlines():
            for cell in line.split(","):
                assert not cell.startswith(("=", "+", "@")), (path.name, cell)


# --- html -------------------------------------------------------------------------------------


class _Report(HTMLParser):
    """Collects links, scripts and the cells of every data table by column."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[str] = []
        self.cells: dict[tuple[str, str], list[str]] = {}
        self._table = ""
        self._columns: list[str] = []
        self._index = 0
        self._cell: list[str] | None = None
        self._in_script = False
        self.styles = ""
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("src", "href"):
            if attributes.get(name):
                self.urls.append(attributes[name])
        if tag == "table":
            self._table, self._columns = attributes.get("data-table", ""), []
        elif tag == "th":
            self._columns.append(attributes.get("data-column", ""))
        elif tag == "tr":
            self._index = 0
        elif tag == "td":
            self._cell = []
        elif tag == "script":
            self._in_script = True
            self.scripts.append("")
        elif tag == "style":
            self._in_style = True

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            key = (self._table, self._columns[self._index])
            self.cells.setdefault(key, []).append("".join(self._cell).strip())
            self._index += 1
            self._cell = None
        elif tag == "script":
            self._in_script = False
        elif tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_script:
            self.scripts[-1] += data
        if self._in_style:
            self.styles += data


def _parse(path: Path) -> _Report:
    parser = _Report()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_html_is_standalone_with_plotly_inline_and_print_styles(exported, chain_analysis):
    report = _parse(exported["full.html"])
    assert not [u for u in report.urls if u.startswith(("http://", "https://", "//"))]
    assert not [u for u in report.urls if "cdn" in u.lower()]
    # plotly.js itself is inline, once; the charts call it
    assert sum("plotly.js" in s.lower() and len(s) > 1_000_000 for s in report.scripts) == 1
    assert sum("Plotly.newPlot" in s for s in report.scripts) >= 4
    assert "@media print" in report.styles
    titles = report.cells[("findings", "title_nl")]
    assert titles[0] == chain_analysis.findings[0].title_nl
    assert ("intervals", "median_days") in report.cells


def test_html_reads_in_dutch_by_default(exported, chain_analysis):
    """Column names, numbers, shares, codes and the period as a Dutch reader writes them, the
    figures those of the analysis."""
    report = _parse(exported["full.html"])
    text = exported["full.html"].read_text(encoding="utf-8")
    assert ">Aandeel personen boven de norm</th>" in text and ">Nog wachtend</th>" in text
    intervals = chain_analysis.intervals
    first = intervals.iloc[0]
    assert report.cells[("intervals", "persons")][0] == number(int(first["persons"]), "nl")
    assert "." in report.cells[("intervals", "persons")][0]  # thousands, as 2.411
    share = first["share_over_norm"]
    assert report.cells[("intervals", "share_over_norm")][0] == f"{number(100 * share, 'nl', 1)}%"
    assert set(report.cells[("intervals", "kind")]) <= {"wettelijk", "afgesproken"}
    assert set(report.cells[("findings", "family")]) <= {"waar", "wie", "trend", "herhaald werk"}
    # each finding's own measure: rework counts extra events, not person-days
    impacts = dict(zip(report.cells[("findings", "family")], report.cells[("findings", "impact")],
                       strict=True))  # fmt: skip
    assert impacts["herhaald werk"].endswith(" extra gebeurtenissen")
    assert impacts["waar"].endswith(" extra persoonsdagen")
    # activities by name, paths too; the period up to and including the last day of the data
    assert not any("_" in c for c in report.cells[("transitions", "from_activity")])
    assert report.cells[("variants", "variant")][0].startswith("Aanmelding → ")
    assert f"– {through_text(chain_analysis.summary['as_of'], 'nl')}</p>" in text
    assert "Alles is gemeten tot en met" in text and ">wie loopt achter</td>" in text  # method
    figures = dict(zip(report.cells[("conformance", "figure")],
                       report.cells[("conformance", "value")], strict=True))  # fmt: skip
    share = chain_analysis.conformance["on_track_share"]
    assert figures["Aandeel op koers"] == f"{number(100 * share, 'nl', 1)}%"
    assert figures["Model"].startswith("referentieproces van de keten")


def test_html_escapes_values_from_the_log(planted, tmp_path):
    report = _parse(write_html(planted, tmp_path / "planted.html"))
    assert not [u for u in report.urls if u.startswith(("http://", "https://"))]
    assert set(report.cells[("rework", "activity")]) >= set(PLANTED)


# --- workshop mode in every export -------------------------------------------------------------


def _small(values, k: int = K) -> list:
    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    return numbers[(numbers > 0) & (numbers < k)].tolist()


def test_workshop_json_has_no_count_under_k(exported):
    doc = _strict(exported["workshop.json"].read_text(encoding="utf-8"))
    assert doc["summary"]["workshop"] is True
    for name, columns in PERSON_COUNTS.items():
        rows = doc[name]
        if name == "wip":
            columns = tuple(c for c in (rows[0] if rows else {}) if c not in ("date", "suppressed"))
        for column in columns:
            assert _small([row.get(column) for row in rows]) == [], (name, column)


def test_workshop_xlsx_has_no_count_under_k(exported):
    book = load_workbook(exported["workshop.xlsx"])
    sheets = {"Findings": "findings", "Norms": "norms", "Norms per month": "norms_by_month",
              "Throughput times": "intervals", "Curves per cohort": "cohort_curves",
              "Case duration": "throughput",
              "Flow per week": "flow", "Transitions": "transitions", "Handovers": "handovers",
              "Variants": "variants", "Conformance": "deviations", "Rework": "rework",
              "Work in progress": "wip"}  # fmt: skip
    for title, name in sheets.items():
        sheet = book[title]
        header = [c.value for c in sheet[1]]
        columns = PERSON_COUNTS[name] or [h for h in header if h not in ("date", "suppressed")]
        for column in columns:
            if column in header:
                index = header.index(column) + 1
                values = [row[0].value for row in sheet.iter_rows(min_row=2, min_col=index,
                                                                   max_col=index)]  # fmt: skip
                assert _small(values) == [], (title, column)


def test_workshop_csv_has_no_count_under_k(exported):
    path = exported["workshop.csv"]
    for name, columns in PERSON_COUNTS.items():
        target = path if name == "findings" else table_path(path, name)
        if not target.is_file():
            continue
        table = pd.read_csv(target, encoding="utf-8-sig")
        if name == "wip":
            columns = tuple(c for c in table.columns if c not in ("date", "suppressed"))
        for column in columns:
            if column in table.columns:
                assert _small(table[column].tolist()) == [], (name, column)


def test_workshop_html_has_no_count_under_k_and_says_so(exported):
    report = _parse(exported["workshop.html"])
    checked = 0
    for (table, column), cells in report.cells.items():
        if column in PERSON_COUNTS.get(table, ()):
            numbers = [c.replace(".", "") for c in cells if c and c != "–"]  # Dutch: 1.234
            assert _small(numbers) == [], (table, column)
            checked += 1
    assert checked >= 5
    text = exported["workshop.html"].read_text(encoding="utf-8")
    # a hidden figure is a dash: "< k" would be false for one hidden to protect another
    assert "Workshopmodus" in text and '"num">&lt;' not in text and '<td class="num">–</td>' in text
