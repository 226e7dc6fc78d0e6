"""A guarded dashboard: on a network address it refuses to start without a password, then asks
every visitor for it (HTTP basic authentication), warns when workshop mode is off, and lists who
connected (address and time, nothing typed in). Checked over HTTP and in a real browser."""

from __future__ import annotations

import base64
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dashboards.serve import DEFAULT_WORKERS, PasswordGate, is_loopback, make_server
from toolkit.cli import main as ketenlens
from toolkit.dashboard_cli import PASSWORD_ENV, dashboard_password
from toolkit.errors import DashboardError

PASSWORD = "kaas-en-ketenzorg-42"
STARTUP = 120
TIMEOUT = 60


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, password: str | None = None, user: str = "analist") -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    if password is not None:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        assert exc.headers.get("WWW-Authenticate", "").startswith("Basic ")
        return exc.code, exc.read()


def test_loopback_and_network_addresses():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.20")
    assert not is_loopback("werkplek.intern")  # a name may resolve anywhere


def test_the_password_comes_from_a_file_or_the_environment(tmp_path: Path):
    assert dashboard_password("127.0.0.1", None, environ={}) is None
    with pytest.raises(DashboardError, match="--password-file"):
        dashboard_password("0.0.0.0", None, environ={})
    assert dashboard_password("0.0.0.0", None, environ={PASSWORD_ENV: PASSWORD}) == PASSWORD
    secret = tmp_path / "wachtwoord.txt"
    secret.write_text(f"{PASSWORD}\nsecond line ignored\n")
    assert dashboard_password("0.0.0.0", str(secret), environ={}) == PASSWORD
    secret.write_text("kort\n")
    with pytest.raises(DashboardError, match="shorter"):
        dashboard_password("0.0.0.0", str(secret), environ={})
    with pytest.raises(DashboardError, match="cannot read"):
        dashboard_password("0.0.0.0", str(tmp_path / "missing.txt"), environ={})


def test_the_command_refuses_a_network_address_without_a_password(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    started = time.monotonic()
    assert ketenlens(["dashboard", str(tmp_path), "--host", "0.0.0.0"]) == 1
    said = capsys.readouterr().err
    assert "--password-file" in said and PASSWORD_ENV in said
    assert ketenlens(["demo", "--out", str(tmp_path / "demo"), "--host", "0.0.0.0"]) == 1
    assert not (tmp_path / "demo").exists()  # refused before any work
    assert time.monotonic() - started < TIMEOUT


def test_the_gate_lets_in_the_right_password_only_and_logs_addresses():
    lines: list[str] = []

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"binnen"]

    gate = PasswordGate(app, PASSWORD, lines.append)

    def call(header: str | None) -> str:
        status = []
        environ = {"REMOTE_ADDR": "10.0.0.7"}
        if header is not None:
            environ["HTTP_AUTHORIZATION"] = header
        body = b"".join(gate(environ, lambda s, h: status.append(s)))
        return status[0] + " " + body.decode()

    basic = "Basic " + base64.b64encode(f"jan:{PASSWORD}".encode()).decode()
    assert call(None).startswith("401")
    assert call("Basic bm9uc2Vucw==").startswith("401")  # "nonsens": no colon, no password
    assert call("Basic %%%").startswith("401")
    assert call("Bearer " + PASSWORD).startswith("401")
    assert call(basic) == "200 OK binnen"
    assert call(basic) == "200 OK binnen"
    assert len([line for line in lines if line.endswith("10.0.0.7 connected")]) == 1
    assert any("refused: wrong password" in line for line in lines)
    assert not any("jan" in line or PASSWORD in line for line in lines)


def test_the_command_on_a_network_address_asks_for_the_password(
    chain_log_dir: Path, tmp_path: Path
):
    secret = tmp_path / "wachtwoord.txt"
    secret.write_text(PASSWORD + "\n")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "from toolkit.cli import main; raise SystemExit(main())",
         "dashboard", str(chain_log_dir), "--host", "0.0.0.0", "--port", str(port),
         "--password-file", str(secret)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        started, lines = time.monotonic(), []
        while time.monotonic() - started < STARTUP:
            line = process.stdout.readline()
            lines.append(line)
            if "http://" in line or not line:  # the address: served
                break
        url = f"http://127.0.0.1:{port}/"
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert len(children) == DEFAULT_WORKERS  # the workers answer, each behind the gate
        assert _get(url)[0] == 401
        assert _get(url, "fout-wachtwoord")[0] == 401
        status, body = _get(url, PASSWORD, user="Jan Jansen")
        assert status == 200 and b"Ketenlens" in body
        assert _get(url + "_dash-layout", PASSWORD)[0] == 200
    finally:
        process.terminate()
        output = "".join(lines) + process.communicate(timeout=30)[0]
    assert "--workshop" in output  # the warning: workshop mode is off
    assert "127.0.0.1 refused: wrong password" in output
    assert "127.0.0.1 connected" in output
    assert PASSWORD not in output and "Jan Jansen" not in output
    assert not any(Path(f"/proc/{child}").exists() for child in children)  # ended with it


def _two_workers(log_dir: Path) -> tuple[subprocess.Popen, int, list[str]]:
    """``ketenlens dashboard LOG --workers 2`` once it answers: the command, its port and the
    process ids of its two workers."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "from toolkit.cli import main; raise SystemExit(main())",
         "dashboard", str(log_dir), "--port", str(port), "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    started = time.monotonic()
    while time.monotonic() - started < STARTUP:
        line = process.stdout.readline()
        if "http://" in line or not line:  # the address: served
            break
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    if len(children) != 2:
        process.kill()
    assert len(children) == 2
    return process, port, children


def test_every_worker_serves_the_page_and_when_one_ends_the_dashboard_stops(
    chain_log_dir: Path,
):
    process, port, children = _two_workers(chain_log_dir)
    try:
        status, page = _get(f"http://127.0.0.1:{port}/")
        assert status == 200
        # a page from one worker, its scripts from either: asked for at once, as a browser does
        scripts = re.findall(rb'<script src="/([^"]+)"', page)
        assert len(scripts) > 5
        urls = [f"http://127.0.0.1:{port}/{script.decode()}" for script in scripts * 4]
        with ThreadPoolExecutor(8) as pool:
            assert {status for status, _ in pool.map(_get, urls)} == {200}
        os.kill(int(children[0]), signal.SIGKILL)
        output = process.communicate(timeout=TIMEOUT)[0]
    finally:
        process.kill()
    assert process.returncode == 1
    assert "a worker of the dashboard ended" in output
    assert not any(Path(f"/proc/{child}").exists() for child in children)


def test_the_workers_end_when_the_dashboard_is_killed(chain_log_dir: Path):
    process, _, children = _two_workers(chain_log_dir)
    try:
        process.kill()  # no chance to end its workers itself
        process.communicate(timeout=TIMEOUT)
        started = time.monotonic()
        while (
            any(Path(f"/proc/{c}").exists() for c in children) and time.monotonic() < started + 30
        ):
            time.sleep(0.1)
        assert not any(Path(f"/proc/{child}").exists() for child in children)
    finally:
        process.kill()


def test_a_browser_with_the_password_sees_the_dashboard(dash_br, app):
    port = _free_port()
    server = make_server(app, host="127.0.0.1", port=port, password=PASSWORD, log=lambda _: None)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{port}/"
        driver = dash_br.driver
        driver.get(url)  # no password: the browser gets the refusal (and a login dialog)
        assert driver.find_elements("css selector", "#page-klantreis") == []
        # the browser sends the password with every request, as after its login dialog
        token = base64.b64encode(f"analist:{PASSWORD}".encode()).decode()
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd(
            "Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Basic {token}"}}
        )
        driver.get(url)
        dash_br.wait_for_element("#page-klantreis", timeout=TIMEOUT)
        dash_br.wait_for_element("#kpi-tiles", timeout=TIMEOUT)
    finally:
        server.close()
