"""The dashboard in a room: a chain map readable on a projector that explains itself, the
journey and the work in progress drawn without censoring artefacts, and workshop mode walked
through with the keyboard. Measured in the browser (computed styles, the map's own renderer)."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.keys import Keys
from test_pages import TIMEOUT, open_page, settled, start

from dashboards.app import PRESENTATION, create_app
from dashboards.components import ROOM_FONT, fmt_date, fmt_int, fmt_month
from dashboards.filterbar import path_name
from dashboards.pages import (
    doorlooptijden,
    klantreis,
    normen,
    procesmodel,
    vergelijken,
    werkvoorraad,
)
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
    assert state["zoom"] == pytest.approx(procesmodel.ZOOM)
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


def test_workshop_mode_is_large_folded_and_walks_with_the_keyboard(
    dash_duo, workshop_app, screenshots
):
    start(dash_duo, workshop_app)
    driver = dash_duo.driver
    driver.set_window_size(1920, 1080)
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
    driver.save_screenshot(str(screenshots / "room_workshop_klantreis.png"))
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
        # fewer, bigger charts: the analyst's second views are left out, one chart per row
        shown = driver.execute_script(
            "return Array.from(document.querySelectorAll('#page .card'))"
            ".filter(function (c) { return c.offsetParent !== null; }).length;"
        )
        every = driver.execute_script("return document.querySelectorAll('#page .card').length;")
        if expected in ("/doorlooptijden", "/normen"):
            assert shown < every
    driver.find_element("css selector", "body").send_keys(Keys.PAGE_UP)
    dash_duo.wait_for_text_to_equal("#presentation-step", f"{len(PRESENTATION)} van "
                                    f"{len(PRESENTATION)}", timeout=TIMEOUT)  # fmt: skip
    assert pathname(dash_duo) == PRESENTATION[-1]
    assert dash_duo.get_logs() == []


def plotly(dash_duo, graph_id: str, what: str):
    """``data`` or ``layout`` of a drawn plotly chart."""
    dash_duo.wait_for_element(f"#{graph_id} .js-plotly-plot", timeout=TIMEOUT)
    return dash_duo.driver.execute_script(
        f"return document.querySelector('#{graph_id} .js-plotly-plot').{what};"
    )


def test_charts_that_do_not_lie(dash_duo, app, session):
    whole = LogFilter()
    start(dash_duo, app)
    # the journey: legs end to end, then the whole journey from application to home
    bars = [trace for trace in plotly(dash_duo, "journey-graph", "data") if trace["type"] == "bar"]
    steps = {
        y: (b, x)
        for trace in bars
        for y, b, x in zip(trace["y"], trace["base"], trace["x"], strict=True)
    }
    legs = sorted((key for key in steps if key.startswith("N")), key=lambda key: steps[key][0])
    assert legs[0].startswith("N04")
    ends = [steps[key][0] + steps[key][1] for key in legs]
    assert [steps[key][0] for key in legs[1:]] == pytest.approx(ends[:-1])
    total = session.get(whole, "kpis")["journey_total_days"]
    assert steps["Hele reis: aanvraag → woning"] == pytest.approx((0, total))
    # the work in progress marks its warm-up
    open_page(dash_duo, werkvoorraad, "nl")
    shapes = plotly(dash_duo, "werkvoorraad-wip-graph", "layout")["shapes"]
    warm_up = session.get(whole, "warm_up")
    assert [s["x1"][:10] for s in shapes if s["type"] == "rect"] == [warm_up]
    assert fmt_date(warm_up, "nl") in dash_duo.find_element("#werkvoorraad-warm-up").text
    # the monthly share only for months whose persons all could have passed the norm
    open_page(dash_duo, normen, "nl")
    months = session.get(whole, "norms_by_month")
    months = months[months["interval"] == session.chain.overview.chain_norm]
    dash_duo.wait_for_element("#normen-month-graph .js-plotly-plot", timeout=TIMEOUT)
    x, y = dash_duo.driver.execute_script(
        "var t = document.querySelector('#normen-month-graph .js-plotly-plot')._fullData"
        ".find(function (t) { return t.type === 'scatter'; });"
        "return [Array.from(t.x), Array.from(t.y).map(function (v) {"
        " return (v === null || isNaN(v)) ? null : v; })];"
    )
    drawn = dict(zip(x, y, strict=True))  # the months by name: "mei 2022"
    for row in months.itertuples():
        month = fmt_month(row.month, "nl")
        if row.complete:
            assert drawn[month] == pytest.approx(row.breaches / row.persons)
        else:
            assert drawn[month] is None
    assert not months["complete"].all() and months["complete"].any()
    # a minimum norm: the days short of it shaded, the line says "at least"
    open_page(dash_duo, doorlooptijden, "nl")
    choose_norm = dash_duo.find_element("#doorlooptijden-interval")
    choose_norm.click()
    dash_duo.find_element("input.dash-dropdown-search").send_keys("N01")
    options = dash_duo.driver.find_elements("css selector", ".dash-dropdown-option")
    pick = next(o for o in options if o.text.startswith("N01"))
    dash_duo.driver.execute_script("arguments[0].click();", pick)
    settled(dash_duo)
    layout = plotly(dash_duo, "doorlooptijden-curves-graph", "layout")
    assert any(s["type"] == "rect" and s["x0"] == 0 and s["x1"] == 6 for s in layout["shapes"])
    assert any("minstens 6 dagen" in a["text"] for a in layout["annotations"])
    # Vergelijken: two whole years, both with medians
    open_page(dash_duo, vergelijken, "nl")
    dash_duo.wait_for_element("#vergelijken-intervals-graph .js-plotly-plot", timeout=TIMEOUT)
    sides = dash_duo.driver.execute_script(
        "return document.querySelector('#vergelijken-intervals-graph .js-plotly-plot')._fullData"
        ".map(function (t) { return [t.name, Array.from(t.y), Array.from(t.x).map(function (v)"
        " { return (v === null || isNaN(v)) ? null : v; })]; });"
    )
    assert [name for name, _, _ in sides] == ["A: 1 jan 2024 – 31 dec 2024",
                                              "B: 1 jan 2023 – 31 dec 2023"]  # fmt: skip
    for _, names, medians in sides:
        shown = dict(zip(names, medians, strict=True))
        assert shown[next(n for n in shown if n.startswith("N04"))] is not None
