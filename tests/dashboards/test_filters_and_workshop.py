"""A filter chosen in the browser changes the tiles and the journey to what `analyze` gives for
the same filter; in workshop mode no count under k appears on any page."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.keys import Keys
from test_pages import TIMEOUT, open_page, settled, start

from dashboards.app import create_app
from dashboards.components import fmt_int, fmt_share
from dashboards.filterbar import choices
from dashboards.i18n import t
from dashboards.pages import PAGES
from dashboards.pages.klantreis import TOP
from toolkit.analysis import analyze, journey, log_as_of
from toolkit.chain import load_chain
from toolkit.eventlog import CASE, MUNICIPALITY
from toolkit.filters import LogFilter
from toolkit.session import AnalysisSession

ZAANSTAD = "GM0479"
# Columns of the toolkit's tables that count persons, cases or events.
COUNT_COLUMNS = ("persons", "completed", "still_open", "left_chain", "closed", "closed_over",
                 "overdue_now", "breaches", "cases", "inflow", "outflow", "outflow_housing",
                 "wip_end", "frequency", "n", "count")  # fmt: skip


def choose(dash_duo, dropdown: str, value: str) -> None:
    """Pick one value of a filter-bar dropdown the way a person does: open, search, tick, close
    (a long list renders only the options in view)."""
    dash_duo.find_element(f"#{dropdown}").click()
    dash_duo.find_element("input.dash-dropdown-search").send_keys(value)
    dash_duo.find_element(f"input.dash-options-list-option-checkbox[value='{value}']").click()
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    settled(dash_duo)


def choose_option(dash_duo, dropdown: str, label: str) -> None:
    """Pick the option with this label in a single-choice dropdown."""
    dash_duo.find_element(f"#{dropdown}").click()
    options = dash_duo.driver.find_elements("css selector", ".dash-dropdown-option")
    next(option for option in options if option.text.strip() == label).click()
    settled(dash_duo)


def tile_text(dash_duo, tile: str) -> str:
    return dash_duo.find_element(f"#{tile}-value").text


def journey_medians(dash_duo) -> dict[str, float]:
    """The median bars of the journey chart as the browser has them, by step label."""
    traces = dash_duo.driver.execute_script(
        "return document.querySelector('#journey-graph .js-plotly-plot').data"
        ".filter(function (t) { return t.type === 'bar'; })"
        ".map(function (t) { return [t.y, t.x]; });"
    )
    out = {}
    for labels, values in traces:
        out.update({label: value for label, value in zip(labels, values, strict=True)})
    return out


@pytest.fixture
def served_app(chain_log_dir: Path):
    """The app as `ketenlens dashboard` serves it, with its session."""
    session = AnalysisSession.open(chain_log_dir)
    return create_app(chain_log_dir, session=session)


def test_a_filter_change_shows_what_analyze_gives(dash_duo, served_app, chain_log, chain_log_dir):
    start(dash_duo, served_app)
    whole = tile_text(dash_duo, "kpi-in-chain")
    choose(dash_duo, "f-municipality", ZAANSTAD)
    f = LogFilter(municipality=[ZAANSTAD])
    expected = analyze(chain_log, filter=f, as_of=log_as_of(chain_log_dir))
    s = expected.summary
    dash_duo.wait_for_text_to_equal("#kpi-in-chain-value", fmt_int(s["in_chain_now"], "nl"))
    assert tile_text(dash_duo, "kpi-in-chain") != whole
    assert tile_text(dash_duo, "kpi-waiting-decision") == fmt_int(s["waiting_for_decision"], "nl")
    assert tile_text(dash_duo, "kpi-waiting-home") == fmt_int(s["waiting_for_home"], "nl")
    assert tile_text(dash_duo, "kpi-over-norm") == fmt_share(s["share_over_norm"], "nl")
    steps = journey(expected.intervals, load_chain(), "nl")
    shown = journey_medians(dash_duo)
    assert len(shown) == len(steps) + 1  # the legs and the whole journey
    for row in steps.itertuples():
        assert shown[f"{row.interval} · {row.step}"] == pytest.approx(row.median_days)
    assert shown[t("journey_total", "nl")] == pytest.approx(s["journey_total_days"])
    # the top findings
    top = expected.findings[:TOP]
    dash_duo.wait_for_text_to_equal(f"#home-finding-{len(top)} strong", top[-1].title_nl,
                                    timeout=TIMEOUT)  # fmt: skip
    for rank, finding in enumerate(top, start=1):
        assert dash_duo.find_element(f"#home-finding-{rank} strong").text == finding.title_nl


def test_workshop_mode_shows_no_count_under_k(
    dash_duo, chain_log, chain_log_dir: Path, workshop_session
):
    k = workshop_session.k
    app = create_app(chain_log_dir, workshop=True, k=k, session=workshop_session)
    start(dash_duo, app)
    dash_duo.wait_for_element("#workshop-banner", timeout=TIMEOUT)
    dash_duo.find_element("#filter-summary").click()  # the bar is folded behind its summary
    # a small municipality: many of its groups are under k
    persons = chain_log.groupby(MUNICIPALITY, observed=True)[CASE].nunique()
    choose(dash_duo, "f-municipality", str(persons.idxmin()))
    for page in PAGES:
        open_page(dash_duo, page, "nl")
        shown = dash_duo.driver.execute_script(
            "var columns = arguments[0];"
            "var tiles = Array.from(document.querySelectorAll('.tile-value'))"
            "  .map(function (e) { return ['tile', e.innerText]; });"
            "var cells = Array.from(document.querySelectorAll('.ag-cell[col-id]'))"
            "  .filter(function (e) { return columns.indexOf(e.getAttribute('col-id')) >= 0; })"
            "  .map(function (e) { return [e.getAttribute('col-id'), e.innerText]; });"
            "return tiles.concat(cells);",
            list(COUNT_COLUMNS),
        )
        for where, text in shown:
            _assert_not_small(text, k, f"{where} on {page.PATH}")


def _assert_not_small(text: str, k: int, where: str) -> None:
    digits = text.replace(".", "").replace(",", "").strip()
    if digits.isdigit():
        value = int(digits)
        assert value == 0 or value >= k, f"{where} shows {text}, a count under {k}"


def test_the_municipality_filter_offers_the_log_by_register_name_and_searches(
    dash_duo, chain_log, chain_log_dir: Path, session: AnalysisSession
):
    register = load_chain().register
    in_log = sorted(chain_log[MUNICIPALITY].dropna().astype(str).unique())
    by_name = sorted(in_log, key=lambda code: (register.get(code).name.casefold(), code))
    labels = [register.get(code).name for code in by_name]
    options = choices(session, session.options(), "municipality", "nl")
    assert [option["label"] for option in options] == labels
    start(dash_duo, create_app(chain_log_dir, session=session))
    dash_duo.find_element("#f-municipality").click()
    # the list renders the options in view, in the order of the names
    shown = [o.text.strip() for o in dash_duo.find_elements(".dash-dropdown-option")]
    assert shown and shown == labels[: len(shown)]
    search = dash_duo.find_element("input.dash-dropdown-search")
    search.send_keys("zaan")
    dash_duo.wait_for_text_to_equal(".dash-dropdown-option", "Zaanstad")
    assert len(dash_duo.find_elements(".dash-dropdown-option")) == 1
    # the last one, far out of view, is found by its code
    search.send_keys(Keys.BACKSPACE * 4 + by_name[-1])
    dash_duo.wait_for_text_to_equal(".dash-dropdown-option", labels[-1])
