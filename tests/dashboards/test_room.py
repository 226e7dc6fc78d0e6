"""The dashboard in a room: a chain map readable on a projector that explains itself, the
journey and the work in progress drawn without censoring artefacts, and workshop mode walked
through with the keyboard. Measured in the browser (computed styles, the map's own renderer)."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.keys import Keys
from test_pages import TIMEOUT, open_page, settled, start

from dashboards.app import PRESENTATION, create_app
from dashboards.components import ROOM_FONT, fmt_int
from dashboards.filterbar import path_name
from dashboards.pages import klantreis, procesmodel
from toolkit.analysis import log_as_of, make_scope, section
from toolkit.filters import LogFilter
from toolkit.session import AnalysisSession

# The cytoscape instance of the map: cytoscape registers itself on its container element.
CY = (
    "var box = Array.from(document.querySelectorAll('#procesmodel-map, #procesmodel-map div'))"
    ".find(function (d) { return d._cyreg && d._cyreg.cy; });"
    "var cy = box._cyreg.cy;"
)


def map_state(dash_duo) -> dict:
    """The drawn map as the browser has it: zoom, label sizes on screen, nodes and edges."""
    return dash_duo.driver.execute_script(
        CY + "var acts = cy.nodes().filter(function (n) {"
        "  return !n.hasClass('lane') && !n.hasClass('lane-title'); });"
        "return {zoom: cy.zoom(),"
        " nodeFont: acts.map(function (n) { return parseFloat(n.style('font-size')) * cy.zoom(); }),"
        " edgeFont: cy.edges().map(function (e) {"
        "   return parseFloat(e.style('font-size')) * cy.zoom(); }),"
        " nodes: acts.map(function (n) { return {id: n.id(), x: n.position('x'),"
        "   y: n.position('y'), edges: n.connectedEdges().length}; }),"
        " edges: cy.edges().map(function (e) { return {id: e.id(), source: e.source().id(),"
        "   target: e.target().id(), label: e.data('label'), colour: e.data('colour')}; })};"
    )


def wait_for_map(dash_duo) -> dict:
    dash_duo.wait_for_element("#procesmodel-map", timeout=TIMEOUT)
    settled(dash_duo)
    return map_state(dash_duo)


def test_the_chain_map_reads_from_the_back_of_the_room(dash_duo, app, session, screenshots):
    start(dash_duo, app)
    dash_duo.driver.set_window_size(1920, 1080)
    open_page(dash_duo, procesmodel, "nl")
    state = wait_for_map(dash_duo)
    dash_duo.driver.save_screenshot(str(screenshots / "room_procesmodel.png"))
    assert state["nodes"], "no activities drawn"
    assert min(state["nodeFont"]) >= procesmodel.MIN_LABEL_PX
    assert min(state["edgeFont"]) >= procesmodel.MIN_LABEL_PX
    # relocations are one self-loop with their count and stay
    graph = session.get(LogFilter(), "dfg")
    loop = graph.edges[(graph.edges["source"] == "coa_overplaatsing")
                       & (graph.edges["target"] == "coa_overplaatsing")].iloc[0]  # fmt: skip
    drawn = {e["id"]: e for e in state["edges"]}
    assert fmt_int(loop["frequency"], "nl") in drawn["coa_overplaatsing:coa_overplaatsing"]["label"]
    other = [e for e in state["edges"] if "coa_overplaatsing" in (e["source"], e["target"])]
    assert [e["id"] for e in other] == ["coa_overplaatsing:coa_overplaatsing"]
    # every activity has a path, or the page names it
    alone = [n["id"] for n in state["nodes"] if n["edges"] == 0]
    explained = dash_duo.find_element("#procesmodel-unconnected").text
    for activity in alone:
        assert session.chain.activity(activity).label("nl") in explained
    # lanes: IND above COA above the municipality; within a lane the chain's order
    y = {n["id"]: n["y"] for n in state["nodes"]}
    x = {n["id"]: n["x"] for n in state["nodes"]}
    assert y["ind_aanvraag"] < y["coa_instroom"] < y.get("gem_verhuisd", float("inf"))
    assert x["ind_aanvraag"] < x["ind_nader_gehoor"] < x["ind_vergunning_uitgereikt"]
    assert x["coa_instroom"] < x["coa_koppeling"] < x["coa_uitstroom_gemeente"]


def test_performance_mode_colours_paths_by_their_median_wait(dash_duo, app, session):
    start(dash_duo, app)
    open_page(dash_duo, procesmodel, "nl")
    wait_for_map(dash_duo)
    dash_duo.find_element("#procesmodel-mode input[value='performance']").click()
    settled(dash_duo)
    state = map_state(dash_duo)
    edges = session.get(LogFilter(), "dfg").edges
    for edge in state["edges"]:
        row = edges[(edges["source"] == edge["source"]) & (edges["target"] == edge["target"])]
        level = procesmodel.wait_class(row["median_days"].iloc[0])
        assert edge["colour"] == procesmodel.WAIT_COLOURS[level], edge["id"]
    assert dash_duo.find_element("#procesmodel-wait-legend").is_displayed()


def test_keeping_the_persons_of_a_path_shows_their_figures(dash_duo, app, session, chain_log,
                                                           chain_log_dir):  # fmt: skip
    path = "coa_koppeling:coa_uitstroom_gemeente"
    start(dash_duo, app)
    open_page(dash_duo, procesmodel, "nl")
    wait_for_map(dash_duo)
    dash_duo.driver.execute_script(CY + f"cy.getElementById('{path}').emit('tap');")
    dash_duo.wait_for_element("#procesmodel-keep-path", timeout=TIMEOUT).click()
    settled(dash_duo)
    dash_duo.wait_for_contains_text("#filter-summary", path_name(session, path, "nl"))
    f = LogFilter(path=[path])
    expected = section(make_scope(chain_log, f, as_of=log_as_of(chain_log_dir)), "kpis")
    open_page(dash_duo, klantreis, "nl")
    dash_duo.wait_for_text_to_equal("#kpi-in-chain-value", fmt_int(expected["in_chain_now"], "nl"))
    assert dash_duo.find_element("#kpi-waiting-home-value").text == fmt_int(
        expected["waiting_for_home"], "nl"
    )


@pytest.fixture
def workshop_app(chain_log_dir: Path, workshop_session: AnalysisSession):
    return create_app(chain_log_dir, session=workshop_session)


def pathname(dash_duo) -> str:
    return dash_duo.driver.execute_script("return location.pathname;")


def test_workshop_mode_is_large_folded_and_walks_with_the_keyboard(dash_duo, workshop_app):
    start(dash_duo, workshop_app)
    driver = dash_duo.driver
    # the filter bar is folded behind its one-line summary
    assert driver.execute_script("return document.getElementById('filter-details').open;") is False
    assert dash_duo.find_element("#filter-summary").text == "Filter: alle personen, de hele periode"
    assert not dash_duo.find_element("#filter-bar").is_displayed()
    # larger type: the page's text and the charts' ticks
    size = driver.execute_script(
        "return parseFloat(getComputedStyle(document.querySelector('.card h3')).fontSize);"
    )
    assert size >= 24
    dash_duo.wait_for_element("#journey-graph .xtick text", timeout=TIMEOUT)
    tick = driver.execute_script(
        "return parseFloat(getComputedStyle(document.querySelector('#journey-graph .xtick text'))"
        ".fontSize);"
    )
    assert tick >= ROOM_FONT
    # the presentation order, forward and back with the keyboard
    assert pathname(dash_duo) == PRESENTATION[0]
    for expected in (*PRESENTATION[1:], PRESENTATION[0]):
        driver.find_element("css selector", "body").send_keys(Keys.ARROW_RIGHT)
        dash_duo.wait_for_text_to_equal(
            "#presentation-step",
            f"{PRESENTATION.index(expected) + 1} van {len(PRESENTATION)}",
            timeout=TIMEOUT,
        )
        assert pathname(dash_duo) == expected
        settled(dash_duo)
    driver.find_element("css selector", "body").send_keys(Keys.PAGE_UP)
    dash_duo.wait_for_text_to_equal("#presentation-step", f"{len(PRESENTATION)} van "
                                    f"{len(PRESENTATION)}", timeout=TIMEOUT)  # fmt: skip
    assert pathname(dash_duo) == PRESENTATION[-1]
    assert dash_duo.get_logs() == []
