"""Every filter works in the download: in a real browser, the findings workbook of every single
value of every filter field (a small generated world: 40 persons) is downloaded and opened
again; a selection that keeps nobody gets a message, not a silent nothing; an error in a
callback is logged and shown."""

from __future__ import annotations

import logging
import re
import time
import warnings
from pathlib import Path

import openpyxl
import pytest
from selenium.webdriver.common.keys import Keys
from test_pages import TIMEOUT, open_page, settled, start

from dashboards.app import create_app
from dashboards.filterbar import DROPDOWNS, NAMED
from dashboards.i18n import t
from dashboards.pages import datakwaliteit
from toolkit.adapters.ingest import ingest
from toolkit.eventlog import CASE, MUNICIPALITY
from toolkit.filters import LogFilter
from toolkit.privacy import DEMO_KEY, Pseudonymizer
from toolkit.session import AnalysisSession
from toolkit.synthetic.generate import generate

PERSONS, SEED = 40, 11
NATIONALITY = "case:nationality"
SHEETS = ("Samenvatting", "Bevindingen", "Normen", "Doorlooptijden", "Methode")


@pytest.fixture(scope="module")
def small_log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("small")
    generate(persons=PERSONS, seed=SEED, out=root / "raw")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ingest(root / "raw", root / "log", key=Pseudonymizer(DEMO_KEY))
    return root / "log"


def tick(dash_duo, dropdown: str, value: str) -> None:
    """Pick one value of a filter-bar dropdown as a person does: open, search, tick, close."""
    dash_duo.find_element(f"#{dropdown}").click()
    dash_duo.find_element("input.dash-dropdown-search").send_keys(value)
    quoted = value.replace("\\", "\\\\").replace('"', '\\"')
    dash_duo.find_element(f'input.dash-options-list-option-checkbox[value="{quoted}"]').click()
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    settled(dash_duo)


def downloaded(folder: Path, timeout: float = TIMEOUT) -> Path:
    """The workbook the browser has finished saving in ``folder``."""
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        done = [p for p in folder.glob("*.xlsx") if p.stat().st_size > 0]
        if done and not list(folder.glob("*.crdownload")):
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no workbook arrived in {folder}")


def test_every_single_value_filter_downloads_a_workbook(dash_duo, small_log_dir: Path) -> None:
    """The filter store is set as the filter bar sets it (the bar's own clicks are tested in
    test_filters_and_workshop and below); the button, the callback and the browser's download
    are the real ones."""
    session = AnalysisSession.open(small_log_dir)
    start(dash_duo, create_app(small_log_dir, session=session, warm=False))
    open_page(dash_duo, datakwaliteit, "nl")  # a page that does not follow the filter
    folder = Path(dash_duo.download_path)
    options = session.options()
    # the persons who passed an activity or a path: tests/analysis/test_every_filter.py
    fields = [field for field in DROPDOWNS if field not in NAMED]
    tried = []
    for field in fields:
        for value, _ in getattr(options, field):
            data = LogFilter(**{field: [value]}).to_dict()
            dash_duo.driver.execute_script(
                "window.dash_clientside.set_props('filter', {data: arguments[0]});", data
            )
            dash_duo.find_element("#download-findings-button").click()
            path = downloaded(folder)
            book = openpyxl.load_workbook(path)
            assert set(SHEETS) <= set(book.sheetnames), (field, value, book.sheetnames)
            assert book["Bevindingen"].max_row >= 1
            # no message (read at once: find_elements would wait for one to appear)
            shown = dash_duo.driver.execute_script(
                "return document.querySelectorAll('#message').length"
            )
            assert shown == 0, (field, value)
            path.unlink()
            tried.append((field, value))
    assert len(tried) == sum(len(getattr(options, field)) for field in fields)
    assert {field for field, _ in tried} == set(fields)
    assert dash_duo.get_logs() == []


def test_a_selection_without_persons_says_so(dash_duo, small_log_dir: Path) -> None:
    session = AnalysisSession.open(small_log_dir)
    log = session.log
    # a municipality and a nationality nobody there has
    municipality = str(log[MUNICIPALITY].dropna().iloc[0])
    persons = log.loc[log[MUNICIPALITY] == municipality, CASE]
    there = set(log.loc[log[CASE].isin(persons), NATIONALITY].dropna().astype(str))
    nationality = next(v for v, _ in session.options().nationality if v not in there)
    start(dash_duo, create_app(small_log_dir, session=session, warm=False))
    tick(dash_duo, "f-municipality", municipality)
    tick(dash_duo, "f-nationality", nationality)
    dash_duo.find_element("#download-findings-button").click()
    dash_duo.wait_for_contains_text("#message", t("message_download_empty", "nl"), timeout=TIMEOUT)
    assert list(Path(dash_duo.download_path).glob("*.xlsx")) == []


def test_an_error_in_a_callback_is_shown_and_logged(
    dash_duo, small_log_dir: Path, monkeypatch, caplog
) -> None:
    session = AnalysisSession.open(small_log_dir)

    def broken(f):
        raise ValueError("Buffer dtype mismatch")

    monkeypatch.setattr(session, "analysis", broken)
    start(dash_duo, create_app(small_log_dir, session=session, warm=False))
    with caplog.at_level(logging.ERROR, logger="ketenlens.dashboard"):
        dash_duo.find_element("#download-findings-button").click()
        dash_duo.wait_for_contains_text("#message", "ValueError", timeout=TIMEOUT)
    shown = dash_duo.find_element("#message").text
    reference = re.search(r"onder ([0-9a-f]{6})", shown).group(1)
    assert "Buffer" not in shown, "the error's own text could quote data"
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)
    dash_duo.find_element("#message-close").click()
    dash_duo.wait_for_no_elements("#message", timeout=TIMEOUT)


def test_a_table_downloads_as_csv_in_dutch(dash_duo, small_log_dir: Path) -> None:
    session = AnalysisSession.open(small_log_dir)
    start(dash_duo, create_app(small_log_dir, session=session, warm=False))
    open_page(dash_duo, datakwaliteit, "nl")
    button = dash_duo.find_element("#datakwaliteit-files-table .csv-button")
    assert button.text == t("download_csv", "nl")
    button.click()
    folder = Path(dash_duo.download_path)
    until = time.monotonic() + TIMEOUT
    while not list(folder.glob("*.csv")) and time.monotonic() < until:
        time.sleep(0.2)
    (path,) = folder.glob("*.csv")
    assert path.name == "datakwaliteit_files.csv"
    header, *rows = path.read_text("utf-8-sig").splitlines()
    assert header.split(";")[0].strip('"') == "Bestand"
    assert len(rows) == len(session.report["files"])
