"""Every page in both languages, in a real browser: it renders, the browser console stays
clean, every request stays on 127.0.0.1, and a screenshot of each is saved (build/screenshots).
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from dashboards.i18n import t
from dashboards.pages import PAGES

LOCAL_HOSTS = {"127.0.0.1"}
LOCAL_SCHEMES = {"data", "blob", "about"}
TIMEOUT = 60


def start(dash_duo, app) -> None:
    """Serve on 127.0.0.1 and open the home page by that address (not by ``localhost``)."""
    dash_duo.start_server(app, host="127.0.0.1")
    dash_duo.driver.get(dash_duo.server_url.replace("localhost", "127.0.0.1"))
    dash_duo.wait_for_element("#page-klantreis", timeout=TIMEOUT)
    settled(dash_duo)


def settled(dash_duo, timeout: float = TIMEOUT) -> None:
    """Wait until Dash has no callback in flight and no component marked as loading."""
    script = (
        "return document.querySelector('#react-entry-point') !== null"
        " && document.querySelectorAll('[data-dash-is-loading=\"true\"]').length === 0"
        " && document.querySelectorAll('._dash-loading, ._dash-loading-callback').length === 0;"
    )
    WebDriverWait(dash_duo.driver, timeout, poll_frequency=0.2).until(
        lambda d: d.execute_script(script)
    )


def requested_urls(dash_duo) -> list[str]:
    """Every URL the page has loaded: itself and each resource (scripts, styles, fonts, XHR)."""
    return dash_duo.driver.execute_script(
        "return [location.href].concat("
        "performance.getEntriesByType('resource').map(function (e) { return e.name; }));"
    )


def outside(urls: list[str]) -> list[str]:
    return [
        url
        for url in urls
        if urlparse(url).scheme not in LOCAL_SCHEMES and urlparse(url).hostname not in LOCAL_HOSTS
    ]


def page_id(page) -> str:
    return f"#page-{page.__name__.rsplit('.', 1)[-1]}"


def open_page(dash_duo, page, language: str) -> None:
    """Follow the page's link in the navigation (the app keeps its state), then wait."""
    dash_duo.find_element(f"#header a[href='{page.PATH}']").click()
    dash_duo.wait_for_element(page_id(page), timeout=TIMEOUT)
    settled(dash_duo)
    dash_duo.wait_for_text_to_equal(f"{page_id(page)} h2", t(page.TITLE, language))


def switch_language(dash_duo, language: str) -> None:
    dash_duo.find_element(f"#language input[value='{language}']").click()
    settled(dash_duo)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_page_renders_cleanly_in_both_languages(dash_duo, app, screenshots, language):
    start(dash_duo, app)
    if language != "nl":
        switch_language(dash_duo, language)
    for page in PAGES:
        open_page(dash_duo, page, language)
        name = page.__name__.rsplit(".", 1)[-1]
        dash_duo.driver.save_screenshot(str(screenshots / f"{language}_{name}.png"))
        assert dash_duo.get_logs() == [], f"browser console errors on {page.PATH} ({language})"
        assert outside(requested_urls(dash_duo)) == [], f"{page.PATH} requested another host"
        assert dash_duo.find_element(".nav-link").text == t(PAGES[0].TITLE, language)
