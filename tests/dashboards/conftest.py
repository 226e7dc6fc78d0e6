"""Browser tests of the dashboard: Debian's chromium and chromedriver, driven by dash[testing].

`make test` runs them headless (`--headless` in pytest's addopts). Chromium runs as root in CI,
so without a sandbox, and with its background networking off: the served pages are checked
for requests that leave 127.0.0.1, and Chromium's own update and sync calls would muddle that.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from selenium.webdriver.chrome.options import Options

from dashboards.app import create_app
from toolkit.session import AnalysisSession

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"

if os.path.exists(CHROMIUM):
    os.environ.setdefault("DASH_TEST_CHROMEPATH", CHROMIUM)


def pytest_setup_options() -> Options:
    options = Options()
    for flag in ("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic",
                 "--window-size=1400,1000"):  # fmt: skip
        options.add_argument(flag)
    return options


@pytest.fixture(autouse=True)
def _browser_available() -> None:
    if shutil.which("chromedriver") is None or not os.path.exists(CHROMIUM):
        pytest.fail("chromium and chromium-driver are needed: apt-get install chromium "
                    "chromium-driver (.ci/run installs them)")  # fmt: skip


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def session(chain_log_dir: Path) -> AnalysisSession:
    """One session over the generated chain log, shared by the apps of all tests."""
    made = AnalysisSession.open(chain_log_dir)
    made.warm()
    return made


@pytest.fixture(scope="session")
def workshop_session(chain_log_dir: Path) -> AnalysisSession:
    return AnalysisSession.open(chain_log_dir, workshop=True, k=10)


@pytest.fixture
def app(chain_log_dir: Path, session: AnalysisSession):
    return create_app(chain_log_dir, session=session)
