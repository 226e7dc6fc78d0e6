"""`ketenlens analyze` through its parser: flags become one filter, the extension picks the
writer, and without --export the top findings are printed."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys

import pytest

from toolkit.analyze_cli import add_analyze_parser, log_filter
from toolkit.errors import ExportError, KetenlensError


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ketenlens")
    add_analyze_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["analyze", *argv])


def test_flags_become_one_filter():
    args = _parse(
        "event_logs/x", "--from", "2024-01-01", "--to", "2024-12-31", "--municipality",
        "GM0363", "--municipality", "GM0599", "--cohort-from", "2024-03-01", "--track", "4",
    )  # fmt: skip
    f = log_filter(args)
    assert f.to_dict() == {
        "period_from": "2024-01-01",
        "period_to": "2024-12-31",
        "cohort_from": "2024-03-01",
        "municipality": ["GM0363", "GM0599"],
        "track": ["4"],
    }
    assert args.workshop is False and args.k == 10


def test_a_bad_date_or_a_reversed_period_is_refused(capsys):
    with pytest.raises(SystemExit):
        _parse("event_logs/x", "--from", "31-12-2024")
    assert "2024-12-31" in capsys.readouterr().err
    with pytest.raises(KetenlensError, match="swap them"):
        log_filter(_parse("event_logs/x", "--from", "2024-12-31", "--to", "2024-01-01"))


def test_an_unknown_export_extension_fails_before_any_work(tmp_path):
    args = _parse(str(tmp_path / "no_log_here"), "--export", str(tmp_path / "out.pdf"))
    with pytest.raises(ExportError, match=r"\.pdf.*\.xlsx, \.csv, \.json, \.html"):
        args.func(args)


def test_analyze_exports_json_with_a_filter_in_workshop_mode(
    chain_log_dir, small_municipality, tmp_path, capsys
):
    target = tmp_path / "out.json"
    args = _parse(str(chain_log_dir), "--municipality", small_municipality, "--workshop",
                  "--export", str(target))  # fmt: skip
    assert args.func(args) == 0
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["summary"]["filter"] == {"municipality": [small_municipality]}
    assert doc["summary"]["workshop"] is True
    assert all(f["persons"] >= 10 for f in doc["findings"])
    out = " ".join(capsys.readouterr().out.split())
    # Dutch by default: the lines above the table as well
    assert f"Geschreven: {target}" in out and "workshopmodus: getallen over minder dan 10" in out
    events = doc["summary"]["events"]
    dutch = f"{events:,}".replace(",", ".")
    assert f"ketenlog: {dutch} gebeurtenissen" in out and "bevindingen in" in out
    # the end of the data as a Dutch reader writes a day, the chain norm by its name
    assert re.search(r"tot en met \d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus"
                     r"|september|oktober|november|december) 20\d\d;", out), out[:300]  # fmt: skip
    assert "boven de ketennorm (van vergunning naar woning)" in out


def test_analyze_without_export_prints_the_top_findings(chain_log_dir, small_municipality, capsys):
    args = _parse(str(chain_log_dir), "--municipality", small_municipality, "--language", "en")
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "findings: where, who, trend and rework" in " ".join(out.split())
    assert "person-days" in out and "chain log:" in out


def test_a_tiny_q_value_prints_as_below_1e_16():
    from types import SimpleNamespace

    from rich.console import Console

    from toolkit.analyze_cli import findings_table
    from toolkit.findings import Finding

    finding = Finding(family="who", kind="slow_unit", place="interval N11",
                      segment=("municipality", "GM0363"), metric="m", value=1.0, benchmark=0.5,
                      persons=40, excess_person_days=900.0, confidence=3.5e-72, title_nl="t",
                      title_en="t", explanation_nl="", explanation_en="", rank=1)  # fmt: skip
    console = Console(record=True, width=200)
    console.print(findings_table(SimpleNamespace(findings=[finding]), "en"))
    text = console.export_text()
    assert "q < 1e-16" in text and "e-72" not in text and "q = 0" not in text


def test_the_printed_table_is_in_dutch_words_and_notation_by_default():
    from types import SimpleNamespace

    from rich.console import Console

    from toolkit.analyze_cli import findings_table
    from toolkit.findings import Finding

    finding = Finding(family="who", kind="slow_unit", place="interval N11",
                      segment=("municipality", "GM0363"), metric="m", value=1.0, benchmark=0.5,
                      persons=1234, excess_person_days=56789.4, confidence=0.0123,
                      title_nl="gemeente Amsterdam", title_en="municipality Amsterdam",
                      explanation_nl="", explanation_en="", rank=1)  # fmt: skip
    console = Console(record=True, width=200)
    console.print(findings_table(SimpleNamespace(findings=[finding]), "nl"))
    text = console.export_text()
    assert "bevindingen: waar, wie, trend en herhaald werk" in text
    assert "personen" in text and "wie" in text and "gemeente Amsterdam" in text
    assert "1.234" in text and "56.789 extra persoonsdagen" in text and "q = 0,012" in text
    assert "persons" not in text and "excess" not in text


def test_the_command_line_loads_neither_the_dashboard_nor_pm4py_to_read_its_options():
    """Every `ketenlens` command builds the whole parser; the dashboard's options must not load
    Dash, nor the analysis pm4py, before a command needs them."""
    script = (
        "import sys; from toolkit.cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('dash', 'pm4py') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"
