"""The logic behind the room's pages, without a browser: where the chain map puts an activity,
how a wait is classed, what the filter summary says and which periods Vergelijken compares."""

from __future__ import annotations

from dashboards.app import PRESENTATION, presentation
from dashboards.filterbar import month_choices, summary_line
from dashboards.pages import procesmodel
from dashboards.pages.vergelijken import default_periods
from toolkit.filters import LogFilter


def test_lanes_follow_the_organisations_and_columns_the_chain(session):
    places = procesmodel.positions(session, ["gem_verhuisd", "coa_koppeling", "ind_aanvraag",
                                             "ind_nader_gehoor", "coa_instroom", "unknown_step"])  # fmt: skip
    lane = {activity: row for activity, (_, row) in places.items()}
    column = {activity: col for activity, (col, _) in places.items()}
    assert lane["ind_aanvraag"] == lane["ind_nader_gehoor"] == 0
    assert lane["coa_instroom"] == lane["coa_koppeling"] == 1
    assert lane["gem_verhuisd"] == 2 and lane["unknown_step"] == 3
    # aanmelding: aanvraag and instroom share a column; then asielprocedure, huisvesting,
    # start in de gemeente; an unknown activity last
    assert column["ind_aanvraag"] == column["coa_instroom"] == 0
    assert column["ind_nader_gehoor"] == 1
    assert column["coa_koppeling"] == 2 and column["gem_verhuisd"] == 3
    assert column["unknown_step"] == 4


def test_wait_classes():
    assert [procesmodel.wait_class(d) for d in (0, 6.9, 7, 27.9, 28, 91, 182, 400)] == [
        0, 0, 1, 1, 2, 3, 4, 4]  # fmt: skip
    assert procesmodel.wait_class(None) is None
    assert procesmodel.wait_class(float("nan")) is None


def test_the_map_never_zooms_below_readable_labels():
    smallest = min(procesmodel.NODE_FONT, procesmodel.EDGE_FONT, procesmodel.LANE_FONT)
    assert smallest * procesmodel.MIN_ZOOM >= procesmodel.MIN_LABEL_PX
    assert smallest * procesmodel.ZOOM >= procesmodel.MIN_LABEL_PX


def test_the_filter_summary_names_what_it_keeps(session):
    f = LogFilter(municipality=["GM0479"], track=["4"], path=["coa_koppeling:coa_uitstroom_gemeente"],
                  period_from="2024-01-01")  # fmt: skip
    assert summary_line(f, session, "nl") == (
        "Filter: Periode 1 jan 2024 – … · Gemeente: Zaanstad · Spoor: 4 · "
        "Langs pad: Koppeling aan gemeente → Uitstroom naar woning in gemeente"
    )
    assert summary_line(LogFilter(), session, "en") == "Filter: all persons, the whole period"


def test_vergelijken_compares_the_last_two_whole_years():
    assert default_periods("2022-01-02", "2025-06-30") == {
        "a": ("2024-01-01", "2024-12-31"), "b": ("2023-01-01", "2023-12-31")}  # fmt: skip
    assert default_periods("2022-01-01", "2024-12-31") == {
        "a": ("2024-01-01", "2024-12-31"), "b": ("2023-01-01", "2023-12-31")}  # fmt: skip
    # shorter than two whole years: two halves of its calendar months, the later one longer
    assert default_periods("2024-03-01", "2025-02-28") == {
        "a": ("2024-09-01", "2025-02-28"), "b": ("2024-03-01", "2024-08-31")}  # fmt: skip
    assert default_periods("2024-03-05", "2024-05-20") == {
        "a": ("2024-04-01", "2024-05-31"), "b": ("2024-03-01", "2024-03-31")}  # fmt: skip


def test_the_presentation_bar_walks_the_order_round():
    def hrefs(path):
        bar = presentation(path, "nl")
        return bar[0].href, bar[1].children, bar[2].href

    assert hrefs("/") == (PRESENTATION[-1], "1 van 5", PRESENTATION[1])
    assert hrefs(PRESENTATION[-1]) == (PRESENTATION[-2], "5 van 5", "/")
    assert hrefs("/datakwaliteit") == (PRESENTATION[-1], "", PRESENTATION[0])


def test_vergelijken_starts_on_months_it_offers(session):
    options = session.options()
    first, last = options.first_day, options.last_day
    starts = {o["value"] for o in month_choices(first, last, "from", "nl")}
    ends = {o["value"] for o in month_choices(first, last, "to", "nl")}
    for start, end in default_periods(first, last).values():
        assert start in starts and end in ends
