"""The Vooruitblik page in a real browser: its figures are the ones `ketenlens forecast`
exports for the same log, in Dutch notation, and workshop mode hides the small ones."""

from __future__ import annotations

import json
from pathlib import Path

from test_pages import TIMEOUT, open_page, settled, start

from dashboards.app import create_app
from dashboards.components import fmt_number
from dashboards.pages import vooruitblik
from toolkit.cli import main

MONTHS_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
             "september", "oktober", "november", "december")  # fmt: skip


def dutch_months(months: list[str]) -> dict[str, str]:
    """``2025-07`` by the name a Dutch reader sees: juli 2025."""
    return {f"{MONTHS_NL[int(m[5:]) - 1]} {m[:4]}": m for m in months}


def exported(log_dir: Path, tmp_path: Path, *extra: str) -> dict:
    target = tmp_path / "vooruitblik.json"
    assert main(["forecast", str(log_dir), "--export", str(target), *extra]) == 0
    return json.loads(target.read_text("utf-8"))


def cells(dash_duo, table_id: str) -> list[list[str]]:
    """The grid's rows as shown, in their order on screen."""
    return dash_duo.driver.execute_script(
        "var rows = Array.from(document.querySelectorAll('#' + arguments[0] + ' .ag-center-cols-container .ag-row'));"
        "rows.sort(function (a, b) { return a.getAttribute('row-index') - b.getAttribute('row-index'); });"
        "return rows.map(function (r) { return Array.from(r.querySelectorAll('.ag-cell'))"
        "  .map(function (c) { return c.innerText; }); });",
        table_id,
    )


def test_page_shows_what_forecast_exports(dash_duo, app, session, chain_log_dir, tmp_path):
    doc = exported(chain_log_dir, tmp_path)
    code = vooruitblik.forecast_municipalities(session)[0]
    start(dash_duo, app)
    open_page(dash_duo, vooruitblik, "nl")
    dash_duo.wait_for_element("#vooruitblik-table .ag-row", timeout=TIMEOUT)
    settled(dash_duo)
    rows = {(r["month"], r["municipality"], r["metric"]): r for r in doc["forecast"]}
    shown = cells(dash_duo, "vooruitblik-table")
    months = dutch_months(doc["summary"]["months"])
    assert [r[0] for r in shown] == list(months)
    for month, linked, interval, *_ in shown:
        row = rows[(months[month], code, "linked_persons")]
        assert linked == fmt_number(row["expected"], "nl", 1)
        assert float(row["low"]).is_integer() and float(row["high"]).is_integer()
        assert interval == f"{fmt_number(row['low'], 'nl')} – {fmt_number(row['high'], 'nl')}"
    national = cells(dash_duo, "vooruitblik-national-table")
    for month, permits, *_ in national:
        assert permits == fmt_number(rows[(months[month], "", "permits")]["expected"], "nl", 1)
    total = sum(rows[(m, code, "linked_persons")]["expected"] for m in doc["summary"]["months"])
    assert dash_duo.find_element("#vooruitblik-tile-linked-value").text == fmt_number(total, "nl")
    # the forecast estimated the taakstelling (none was given): the page says so
    assert "geschatte taakstelling" in dash_duo.find_element("#vooruitblik-tile-taakstelling").text
    # the wait for a home: the municipality's own, or the nation's stretched and said to be so
    waits = {w["municipality"]: w for w in doc["waits"] if w["wait"] == "koppeling_to_move_out"}
    listed = set(vooruitblik.forecast_municipalities(session))
    slow = max((w for c, w in waits.items() if w["basis"] == "stretched" and c in listed),
               key=lambda w: w["time_ratio"])  # fmt: skip
    for wait in (waits[code], slow):
        if wait["municipality"] != code:  # the first is on screen; search the long list
            name = session.chain.municipality(wait["municipality"]).name
            dash_duo.find_element("#vooruitblik-municipality").click()
            dash_duo.find_element("input.dash-dropdown-search").send_keys(name)
            dash_duo.wait_for_contains_text(".dash-dropdown-option", name, timeout=TIMEOUT)
            option = dash_duo.find_elements(".dash-dropdown-option")
            next(o for o in option if o.text.strip() == name).click()
            settled(dash_duo)
        dash_duo.wait_for_text_to_equal(
            "#vooruitblik-tile-wait-value", fmt_number(wait["median_days"], "nl"), timeout=TIMEOUT
        )
        notes = [e.text for e in dash_duo.find_elements("#vooruitblik-tile-wait .tile-note")]
        if wait["basis"] == "stretched":
            ratio = fmt_number(wait["time_ratio"], "nl", 1)
            nation = fmt_number(waits[""]["median_days"], "nl")
            assert notes == [f"{ratio} keer zo lang als landelijk ({nation} dagen): te weinig "
                             "verhuisde huishoudens om alleen op eigen cijfers te rekenen"]  # fmt: skip
        else:
            assert notes == [], wait
    assert dash_duo.get_logs() == []


def test_workshop_mode_hides_forecasts_about_few_persons(
    dash_duo, workshop_session, chain_log_dir, tmp_path
):
    plain = exported(chain_log_dir, tmp_path)
    hidden = exported(chain_log_dir, tmp_path, "--workshop")
    for shown, row in zip(plain["forecast"], hidden["forecast"], strict=True):
        small = 0 < shown["expected"] < 10
        assert (row["expected"] is None) == small
        assert row["expected"] in (None, shown["expected"])
    linked = [r for r in plain["forecast"] if r["metric"] == "linked_persons" and r["municipality"]]
    few = next(
        code
        for code in dict.fromkeys(r["municipality"] for r in linked)
        if all(0 < r["expected"] < 10 for r in linked if r["municipality"] == code)
    )
    start(dash_duo, create_app(chain_log_dir, session=workshop_session))
    open_page(dash_duo, vooruitblik, "nl")
    dash_duo.wait_for_element("#vooruitblik-table .ag-row", timeout=TIMEOUT)
    dash_duo.select_dcc_dropdown(
        "#vooruitblik-municipality", value=workshop_session.chain.municipality(few).name
    )
    settled(dash_duo)
    dash_duo.wait_for_text_to_equal("#vooruitblik-tile-linked-value", "–", timeout=TIMEOUT)
    for _month, persons, interval, *_ in cells(dash_duo, "vooruitblik-table"):
        assert (persons, interval) == ("–", "–")
