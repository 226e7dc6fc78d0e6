"""The Knelpunten page drills down into the finding a person picks: its title, its explanation
and the chart behind it, the finding being the one `analyze` ranks there."""

from __future__ import annotations

from dataclasses import replace

from test_filters_and_workshop import choose_option
from test_pages import TIMEOUT, settled, start

from dashboards.pages import knelpunten
from toolkit.filters import LogFilter


def test_picking_a_finding_shows_its_evidence(dash_duo, app, session) -> None:
    findings = session.get(LogFilter(), "findings")
    start(dash_duo, app)
    dash_duo.find_element(f"#header a[href='{knelpunten.PATH}']").click()
    dash_duo.wait_for_element("#knelpunten-detail-title", timeout=TIMEOUT)
    settled(dash_duo)
    dash_duo.wait_for_text_to_equal("#knelpunten-detail-title", findings[0].title_nl)
    # the second finding with an interval has a survival curve behind it
    rank = next(i for i, f in enumerate(findings, start=1) if f.interval and i > 1)
    choose_option(dash_duo, "knelpunten-select", f"{rank}. {findings[rank - 1].title_nl}")
    dash_duo.wait_for_text_to_equal("#knelpunten-detail-title", findings[rank - 1].title_nl)
    assert dash_duo.find_element("#knelpunten-curves-graph .main-svg")
    assert dash_duo.get_logs() == []


def test_a_finding_reads_in_both_languages(session) -> None:
    """Place and measure are the toolkit's English; the page gives them in the reader's language."""
    generic = ["days waited in total", "share of cases that repeat it"]
    findings = session.get(LogFilter(), "findings")
    for metric in {f.metric for f in findings} | set(generic):
        texts = {language: knelpunten.metric_text(metric, language) for language in ("nl", "en")}
        assert "knelpunten_metric" not in texts["nl"] + texts["en"], metric
        assert texts["nl"] != texts["en"], metric
    gilze = next(f for f in findings if f.family == "rework")
    assert knelpunten.place_text(session, gilze, "nl").startswith("COA-locatie ")
    interval = next(f for f in findings if f.interval)
    norm = session.chain.norm(interval.interval)
    assert knelpunten.place_text(session, interval, "nl") == f"{norm.label_nl} ({norm.id})"
    # a municipality's segment reads by its register name (at 3,000 persons over all
    # municipalities, no single one has the persons to be a finding here)
    zaanstad = replace(interval, segment=("municipality", "GM0479"))
    assert knelpunten.segment_text(session, zaanstad, "nl") == "Gemeente: Zaanstad"
    assert knelpunten.segment_text(session, zaanstad, "en") == "Municipality: Zaanstad"
