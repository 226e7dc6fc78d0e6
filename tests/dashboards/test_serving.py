"""The dashboard as a person starts it: `ketenlens dashboard` serves it with waitress on
127.0.0.1, refuses a folder without a log, and every text exists in both languages."""

from __future__ import annotations

import base64
import socket
import subprocess
import sys
import time
import urllib.request
from io import BytesIO
from pathlib import Path

import openpyxl

from dashboards.app import create_app
from dashboards.i18n import LANGUAGES, texts
from toolkit.cli import main as ketenlens

STARTUP = 120


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_every_text_exists_in_both_languages() -> None:
    table = texts()
    for lang in LANGUAGES:
        other = "en" if lang == "nl" else "nl"
        missing = sorted(set(table[other]) - set(table[lang]) - {"columns"})
        assert missing == [], f"{lang} lacks {missing}"


def test_the_command_serves_the_dashboard_with_waitress(chain_log_dir: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "from toolkit.cli import main; raise SystemExit(main())",
         "dashboard", str(chain_log_dir), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        started, lines = time.monotonic(), []
        while time.monotonic() - started < STARTUP:
            line = process.stdout.readline()
            lines.append(line)
            if "http://" in line or not line:  # the address: served
                break
        assert f"http://127.0.0.1:{port}/" in "".join(lines), "".join(lines)
        # in Dutch, the dashboard's starting language
        assert f"Het dashboard antwoordt op http://127.0.0.1:{port}/" in "".join(lines)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as response:
            assert response.status == 200
            assert response.headers["Server"].startswith("waitress")
            assert b"Ketenlens" in response.read()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_command_refuses_a_folder_without_a_log(tmp_path: Path, capsys) -> None:
    assert ketenlens(["dashboard", str(tmp_path)]) == 1
    said = capsys.readouterr()
    assert "events.parquet" in said.err + said.out
    assert "ketenlens ingest" in said.err + said.out


def test_the_findings_download_is_the_xlsx_of_the_filter(chain_log_dir: Path, session) -> None:
    app = create_app(chain_log_dir, session=session)
    client = app.server.test_client()
    output = next(key for key in app.callback_map if key.startswith("..download-findings.data"))
    body = {
        "output": output,
        "outputs": [{"id": "download-findings", "property": "data"},
                    {"id": "error", "property": output.split("...error.")[1].rstrip(".")}],
        "inputs": [{"id": "download-findings-button", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["download-findings-button.n_clicks"],
        "state": [{"id": "filter", "property": "data", "value": {"municipality": ["GM0479"]}},
                  {"id": "language", "property": "value", "value": "nl"}],
    }  # fmt: skip
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    data = response.get_json()["response"]["download-findings"]["data"]
    book = openpyxl.load_workbook(BytesIO(base64.b64decode(data["content"])))
    assert data["filename"].endswith(".xlsx")
    findings = book[book.sheetnames[0]]
    assert findings.max_row > 1
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert any("Gemeente: Zaanstad" in c for c in cells), "the export does not record its filter"
    assert not any("GM0479" in c for c in cells), "a municipality code in the Dutch workbook"
