"""The dashboard's logic without a browser: number notation by Babel, the filter store, the
filter's names for codes, the CSV button, the findings download and its messages."""

from __future__ import annotations

import base64
from dataclasses import replace
from io import BytesIO

import openpyxl
import pandas as pd
import pytest
from dash.exceptions import PreventUpdate

from dashboards.app import _header, data_end
from dashboards.components import (
    export_csv,
    fmt_date,
    fmt_int,
    fmt_number,
    fmt_q,
    fmt_share,
    separators,
    table,
)
from dashboards.downloads import findings_file, message, message_view
from dashboards.filterbar import choices, filter_data, month_choices
from dashboards.i18n import column
from dashboards.pages.knelpunten import norm_rows, segment_text
from dashboards.pages.normen import norm_tiles, with_share
from toolkit.errors import EventLogError
from toolkit.filters import LogFilter


def test_numbers_in_dutch_and_english_notation() -> None:
    assert fmt_int(7167, "nl") == "7.167"
    assert fmt_int(7167, "en") == "7,167"
    assert fmt_number(270153.84, "nl", 1) == "270.153,8"
    assert fmt_number(-0.2, "nl") == "0"
    assert fmt_share(0.654, "nl") == "65,4%"
    assert fmt_share(0.654, "en") == "65.4%"
    assert fmt_share(None, "nl") == fmt_int(float("nan"), "nl") == "–"
    assert fmt_date("2025-06-30", "nl") == "30 jun 2025"
    assert fmt_date(pd.Timestamp("2025-06-30"), "en") == "30 Jun 2025"
    assert fmt_q(3.5e-72, "nl") == "q < 1e-16"
    assert fmt_q(0.0123, "nl") == "q = 0,012"
    assert fmt_q(0.0123, "en") == "q = 0.012"
    assert separators("nl") == ",."
    assert separators("en") == ".,"


def test_a_table_sorts_on_numbers_and_shows_them_in_the_language() -> None:
    frame = pd.DataFrame({"persons": [1234, 5], "share_over_norm": [0.654, None],
                          "median_days": [12.34, 3.0]})  # fmt: skip
    grid = table(frame, "t", "nl").children[0]
    first = grid.rowData[0]
    assert (first["c0"], first["c0_text"]) == (1234, "1.234")
    assert (first["c1"], first["c1_text"]) == (0.654, "65,4%")
    assert first["c2_text"] == "12,3"
    assert grid.rowData[1]["c1_text"] == "–"
    assert [c["headerName"] for c in grid.columnDefs] == ["Personen", "Aandeel personen boven de norm",
                                                          "Mediaan (dagen)"]  # fmt: skip
    assert grid.csvExportParams["columnSeparator"] == ";"
    assert table(frame, "t", "en").children[0].csvExportParams["columnSeparator"] == ","


def test_the_csv_button_asks_its_grid_for_the_file_only_when_clicked() -> None:
    assert export_csv(1) is True
    with pytest.raises(PreventUpdate):
        export_csv(None)


def test_the_filter_store_holds_the_filter_and_waits_for_a_backward_range() -> None:
    data = filter_data(None, None, None, None, None, ["GM0479"], None, None, ["dublin"], None, None)
    assert data["municipality"] == ["GM0479"] and data["track"] == ["dublin"]
    with pytest.raises(PreventUpdate):
        filter_data("2024-05-01", "2024-01-01", *[None] * 9)


def test_a_range_of_months_is_the_filter_of_its_days() -> None:
    """The months are named by Babel; from January to February 2024 is what
    ``analyze --from 2024-01-01 --to 2024-02-29`` keeps (a leap year)."""
    starts = month_choices("2023-12-15", "2024-02-03", "from", "nl")
    ends = month_choices("2023-12-15", "2024-02-03", "to", "en")
    assert [(o["label"], o["value"]) for o in starts] == [
        ("december 2023", "2023-12-01"), ("januari 2024", "2024-01-01"),
        ("februari 2024", "2024-02-01")]  # fmt: skip
    assert [(o["label"], o["value"]) for o in ends] == [
        ("December 2023", "2023-12-31"), ("January 2024", "2024-01-31"),
        ("February 2024", "2024-02-29")]  # fmt: skip
    data = filter_data(starts[1]["value"], ends[2]["value"], *[None] * 9)
    assert LogFilter.from_dict(data) == LogFilter(period_from="2024-01-01", period_to="2024-02-29")


def test_the_filter_names_municipalities_and_tracks(session) -> None:
    options = session.options()
    municipalities = choices(session, options, "municipality", "nl")
    zaanstad = next(o for o in municipalities if o["value"] == "GM0479")
    assert zaanstad["label"] == "Zaanstad" and "GM0479" in zaanstad["search"]
    tracks = {o["value"]: o["label"] for o in choices(session, options, "track", "nl")}
    assert tracks["dublin"] == "Dublinprocedure"
    assert not any("_" in label for label in tracks.values())
    organisations = {
        o["value"]: o["label"] for o in choices(session, options, "organisation", "nl")
    }
    assert organisations["GEMEENTE"] != "GEMEENTE"


def test_the_download_is_the_workbook_of_the_filter_in_the_language(session) -> None:
    sent = findings_file(session, {"track": ["dublin"]}, "nl")
    assert sent["filename"] == "ketenlens_bevindingen.xlsx"
    book = openpyxl.load_workbook(BytesIO(base64.b64decode(sent["content"])))
    assert "Bevindingen" in book.sheetnames
    with pytest.raises(EventLogError):
        findings_file(session, {"period_from": "1990-01-01", "period_to": "1990-01-02"}, "nl")


def test_a_message_shows_in_the_current_language() -> None:
    assert message_view(None, "nl") is None
    shown = message_view(message("message_download_empty"), "nl")
    assert "niets te downloaden" in shown.children[0].children
    shown = message_view(message("message_error", kind="ValueError", reference="ab12cd"), "en")
    assert "ab12cd" in shown.children[0].children


def test_one_share_over_the_norm_on_every_page(session) -> None:
    """The home tile, the journey and Doorlooptijden (``intervals``), Normen and the findings
    give a norm the same share over it; the Normen table names the completed-only share apart."""
    f = LogFilter()
    intervals = session.get(f, "intervals").set_index("interval")
    kpis = session.get(f, "kpis")
    norms = with_share(session.get(f, "norms"), session.get(f, "intervals")).set_index("interval")
    chain_norm = kpis["chain_norm"]
    assert kpis["share_over_norm"] == pytest.approx(norms.loc[chain_norm, "share_over_norm"])
    assert norms.loc[chain_norm, "share_over_norm"] == intervals.loc[chain_norm, "share_over_norm"]
    tiles = norm_tiles(norms.loc[chain_norm].rename(None), "nl")
    shown = {tile.id: tile.children[0].children for tile in tiles}
    assert shown["normen-tile-share-all"] == fmt_share(kpis["share_over_norm"], "nl")
    breaches = [x for x in session.get(f, "findings") if x.kind == "norm_breach"]
    assert breaches
    for finding in breaches:
        assert finding.value == pytest.approx(norms.loc[finding.interval, "share_over_norm"])
    assert column("share_closed_over", "nl").endswith("alleen afgerond")


def test_every_page_says_where_the_data_ends(session) -> None:
    header = _header(session, "nl")
    end = header[0].children[2]
    assert end.id == "data-end"
    assert end.children == f"Gegevens tot en met {fmt_date(data_end(session), 'nl')}"


def test_knelpunten_names_a_municipality_and_its_norm_rows(session) -> None:
    f = LogFilter()
    segments = session.get(f, "norms_by_segment", "municipality")
    interval = str(segments["interval"].iloc[0])
    rows = norm_rows(session, segments, interval, "municipality", "nl")
    shown = " ".join(
        map(str, rows[[c for c in rows.columns if c != "interval"]].to_numpy().ravel())
    )
    assert "GM0" not in shown
    finding = replace(session.get(f, "findings")[0], segment=("municipality", "GM0479"))
    assert segment_text(session, finding, "nl") == "Gemeente: Zaanstad"
