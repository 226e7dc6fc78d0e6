"""What a first visit waits for: nothing computed while the home page loads, and plotly's small
bundle.

Every callback a browser fires when it opens the home page (the filter bar's choices and texts,
the tiles, the journey, the top findings) is answered from what the app computed before its
first visitor: on millions of events the process map behind the bar's path choices took a
fresh browser past two minutes. And the graphs are drawn by plotly's basic bundle (bar and
scatter), a quarter of the full one that a fresh browser otherwise fetches and parses before the
first chart appears; every trace a page draws must be of a type that bundle has.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dash_callbacks import callback_outputs
from plotly.utils import PlotlyJSONEncoder
from test_pages import TIMEOUT, open_page, requested_urls, settled, start

from dashboards.app import ASSETS, create_app
from dashboards.pages import PAGES, klantreis
from toolkit.filters import LogFilter
from toolkit.session import AnalysisSession

BUNDLE = "plotly-basic.min.js"
FULL_BUNDLE = "plotly.min.js"
FIRST_LOAD_INPUTS = {"filter.data": {}, "language.value": None}


def _ids(component: Any) -> set[str]:
    """The ids of a layout (as Dash serves it: dicts of type, namespace and props) and within."""
    if isinstance(component, list):
        return set().union(*map(_ids, component)) if component else set()
    if not isinstance(component, dict) or "props" not in component:
        return set()
    props = component["props"]
    own = {props["id"]} if isinstance(props.get("id"), str) else set()
    return own.union(*(_ids(value) for value in props.values()))


def _first_load_callbacks(client, session: AnalysisSession) -> list[dict]:
    """The callbacks a browser fires when it opens the home page: those of the frame and the
    home page whose inputs are only the filter and the language (routing aside)."""
    home = json.loads(json.dumps(klantreis.layout(session, "nl"), cls=PlotlyJSONEncoder))
    shown = _ids(json.loads(client.get("/_dash-layout").data)) | _ids(home)
    dependencies = json.loads(client.get("/_dash-dependencies").data)
    return [
        d
        for d in dependencies
        if d["inputs"]
        and all(f"{i['id']}.{i['property']}" in FIRST_LOAD_INPUTS for i in d["inputs"])
        and all(o["id"] in shown for o in callback_outputs(d["output"]))
    ]


def _post(client, dependency: dict, language: str) -> dict:
    spec = dependency["output"]
    outputs = callback_outputs(spec)
    values = {"filter.data": {}, "language.value": language}
    body = {
        "output": spec,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [
            {**i, "value": values[f"{i['id']}.{i['property']}"]} for i in dependency["inputs"]
        ],
        "changedPropIds": [],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code in (200, 204), (spec, response.status_code)
    return json.loads(response.data) if response.status_code == 200 else {}


def test_a_first_load_computes_nothing(chain_log_dir: Path) -> None:
    session = AnalysisSession.open(chain_log_dir)
    app = create_app(chain_log_dir, session=session)
    whole = session.scope(LogFilter())
    before = set(whole.memo)
    callbacks = _first_load_callbacks(app.server.test_client(), session)
    outputs = {c["output"] for c in callbacks}
    # the bar's path choices (the whole log's process map), the tiles and the findings
    for wanted in ("f-path.options", "kpi-tiles.children", "home-findings.children"):
        assert any(wanted in output for output in outputs), wanted
    client = app.server.test_client()
    for language in ("nl", "en"):
        for dependency in callbacks:
            _post(client, dependency, language)
    assert set(whole.memo) == before, f"computed on the first load: {set(whole.memo) - before}"


def test_the_graphs_are_drawn_by_the_small_bundle(dash_duo, app) -> None:
    assert (ASSETS / BUNDLE).is_file()
    start(dash_duo, app)
    dash_duo.wait_for_element("#journey-graph .main-svg", timeout=TIMEOUT)
    for page in PAGES[1:]:
        open_page(dash_duo, page, "nl")
        settled(dash_duo)
        drawn = dash_duo.driver.execute_script(
            "var known = Object.keys(Plotly.PlotSchema.get().traces);"
            "var out = [];"
            "document.querySelectorAll('.js-plotly-plot').forEach(function (g) {"
            "  (g.data || []).forEach(function (t) {"
            "    var type = t.type || 'scatter';"
            "    out.push([g.id, type, known.indexOf(type) >= 0]); }); });"
            "return out;"
        )
        missing = [(graph, kind) for graph, kind, known in drawn if not known]
        assert missing == [], f"{page.PATH} draws traces the bundle lacks: {missing}"
    urls = requested_urls(dash_duo)
    assert any(BUNDLE in url for url in urls)
    assert not any(url.split("?")[0].endswith("/" + FULL_BUNDLE) for url in urls), (
        "the full plotly bundle was fetched"
    )


def test_the_small_bundle_is_the_plotly_js_of_the_installed_plotly() -> None:
    """The basic bundle is served in place of the one plotly.py ships: the same plotly.js
    version, so figures made by this plotly.py are drawn as it means them (after an upgrade of
    plotly, take the basic bundle of its plotly.js)."""
    from plotly.offline import get_plotlyjs_version

    head = (ASSETS / BUNDLE).read_text(encoding="utf-8")[:300]
    assert f"plotly.js (basic - minified) v{get_plotlyjs_version()}" in head
