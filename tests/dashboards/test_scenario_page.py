"""The Wat als page in a real browser: base shown at once, a scenario on request, the same
figures as `ketenlens scenario`, Dutch notation, no small counts in workshop mode, and the
preparation of the model shown while it runs."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from selenium.webdriver.common.keys import Keys
from test_filters_and_workshop import _assert_not_small
from test_pages import TIMEOUT, open_page, settled, start

from dashboards.app import create_app
from dashboards.components import fmt_int
from dashboards.i18n import label
from dashboards.pages import scenario
from toolkit.scenario import store
from toolkit.scenario.report import milestone_norms
from toolkit.scenario.run import Levers, ScenarioModel, persons_in_chain
from toolkit.session import AnalysisSession

# Months as a Dutch reader names them, never the code 2025-07.
DUTCH_MONTH = re.compile(
    r"(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november"
    r"|december) 20\d\d"
)
MONTH_CELLS = (
    "return Array.from(document.querySelectorAll('#scenario-arrivals .ag-cell[col-id]'))"
    ".filter(function (e) { return e.getAttribute('col-id') === 'scenario_month'; })"
    ".map(function (e) { return e.textContent; });"
)
X_VALUES = "return document.querySelector('#scenario-occupancy-graph .js-plotly-plot').data[0].x;"
TRACES = (
    "return document.querySelector('#scenario-occupancy-graph .js-plotly-plot').data"
    ".map(function (d) { return [d.name, d.y]; });"
)
WAITS = (
    "return document.querySelector('#scenario-waits-graph .js-plotly-plot').data"
    ".map(function (d) { return [d.name, d.customdata, d.hovertemplate]; });"
)


def _type(dash_duo, field: str, value: str) -> None:
    box = dash_duo.find_element(f"#{field}")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(value, Keys.TAB)


def _values(frame, metric: str, run: str) -> list[float]:
    rows = frame[(frame["metric"] == metric) & (frame["run"] == run)]
    return [float(v) for v in rows["value"]]


def test_base_then_four_times_the_inflow(dash_duo, app, session, screenshots):
    start(dash_duo, app)
    open_page(dash_duo, scenario, "nl")
    dash_duo.wait_for_element("#scenario-summary", timeout=TIMEOUT)
    model = ScenarioModel(session.log, months=scenario.MONTHS)
    persons = persons_in_chain(model.state)
    assert fmt_int(persons, "nl") in dash_duo.find_element("#scenario-summary").text
    assert "." in fmt_int(persons, "nl")  # Dutch thousands separator
    summary = dash_duo.find_element("#scenario-summary").text
    assert re.search(r"vanaf \d{1,2} [a-z]{3}\.? 20\d\d,", summary), summary
    months = dash_duo.driver.execute_script(X_VALUES)
    assert len(months) == scenario.MONTHS
    assert all(DUTCH_MONTH.fullmatch(m) for m in months), months
    cells = dash_duo.driver.execute_script(MONTH_CELLS)
    assert cells and all(DUTCH_MONTH.fullmatch(c) for c in cells), cells[:3]

    _type(dash_duo, "scenario-inflow", "4")
    _type(dash_duo, "scenario-ind", "20")
    dash_duo.find_element("#scenario-run").click()
    settled(dash_duo)  # the run has started: its figures replace the base's when done
    dash_duo.wait_for_element("#scenario-summary", timeout=TIMEOUT)
    expected = model.result(Levers(inflow=4.0, ind_capacity=1.2)).table
    traces = dict(dash_duo.driver.execute_script(TRACES))
    assert traces["Instroom (scenario)"] == _values(expected, "inflow", "scenario")
    assert traces["Instroom (basis)"] == _values(expected, "inflow", "base")
    assert traces["Bezetting COA (scenario)"] == _values(expected, "coa_occupancy", "scenario")
    assert sum(traces["Instroom (scenario)"]) > 3 * sum(traces["Instroom (basis)"])
    summary = dash_duo.find_element("#scenario-summary").text
    assert "hefbomen: instroom ×4, gehoorcapaciteit IND ×1,2, woningen zoals nu." in summary
    # each month's median wait says of how many ended waits it is the median, as the command does
    names = {f"{label(n, 'nl')} ({run})": (n.id, key) for n in milestone_norms(session.chain)
             for key, run in (("base", "basis"), ("scenario", "scenario"))}  # fmt: skip
    waits = dash_duo.driver.execute_script(WAITS)
    assert len(waits) == len(names)
    for name, counts, hover in waits:
        leg, run = names[name]
        ended = _values(expected, f"wait_persons:{leg}", run)
        assert counts == [fmt_int(n, "nl") for n in ended], name
        assert "(%{customdata} afgerond)" in hover
    dash_duo.driver.save_screenshot(str(screenshots / "nl_scenario_x4.png"))
    assert dash_duo.get_logs() == []


def test_workshop_hides_small_counts(dash_duo, chain_log_dir: Path, workshop_session):
    app = create_app(chain_log_dir, workshop=True, k=workshop_session.k, session=workshop_session)
    start(dash_duo, app)
    open_page(dash_duo, scenario, "nl")
    dash_duo.wait_for_element("#scenario-summary", timeout=TIMEOUT)
    cells = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#scenario-arrivals .ag-cell[col-id]'))"
        ".filter(function (e) { return e.getAttribute('col-id').endsWith('_value'); })"
        ".map(function (e) { return e.innerText; });"
    )
    assert cells
    for text in cells:
        _assert_not_small(text, workshop_session.k, "arrivals on /wat-als")
    traces = dash_duo.driver.execute_script(TRACES)
    for name, values in traces:
        for value in values:
            assert value is None or value == 0 or value >= workshop_session.k, name
    for name, counts, _ in dash_duo.driver.execute_script(WAITS):
        for text in counts:
            _assert_not_small(text, workshop_session.k, f"ended waits of {name} on /wat-als")


def test_progress_shown_while_the_model_is_prepared(dash_duo, chain_log_dir, session,
                                                    monkeypatch):  # fmt: skip
    seen = threading.Event()

    class Held(ScenarioModel):
        """A model whose base waits at its start until the test has seen its progress."""

        def base(self, progress=None):
            if progress is not None and self._base is None:
                progress(0.0)
                seen.wait(TIMEOUT)
            return super().base(progress)

    monkeypatch.setattr(store, "ScenarioModel", Held)
    # a session made in memory keeps nothing on disk: its model is prepared at the first visit
    fresh = AnalysisSession(session.log, as_of=session.as_of, report=session.report)
    start(dash_duo, create_app(chain_log_dir, session=fresh, warm=False))
    open_page(dash_duo, scenario, "nl")
    dash_duo.wait_for_contains_text("#scenario-status", "De basis rekent: 0,0%", timeout=TIMEOUT)
    assert dash_duo.find_element("#scenario-status").is_displayed()
    seen.set()
    dash_duo.wait_for_element("#scenario-summary", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#scenario-status", "", timeout=TIMEOUT)
    assert dash_duo.get_logs() == []
