"""A finding says what it costs in its own measure, on the home page and on the findings page:
a relocation finding counts relocations beyond the usual, and waits no days, so it says no
"0 extra persoonsdagen"."""

from __future__ import annotations

import json

from plotly.utils import PlotlyJSONEncoder

from dashboards.pages.klantreis import findings_list
from dashboards.pages.knelpunten import facts
from toolkit.filters import LogFilter
from toolkit.session import AnalysisSession


def _text(component) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


def test_a_relocation_finding_says_extra_relocations_not_person_days(
    session: AnalysisSession,
) -> None:
    findings = session.get(LogFilter(), "findings")
    relocations = [f for f in findings if f.kind == "relocations"]
    waits = [f for f in findings if f.excess_events is None]
    assert relocations and waits, "the generated chain has a relocation finding and waits"
    for finding in relocations:
        dutch, english = (
            _text(findings_list([finding], "nl")),
            _text(findings_list([finding], "en")),
        )
        assert "persoonsdagen" not in dutch and "person-days" not in english
        extra = round(finding.excess_events)
        assert f"Extra overplaatsingen: {extra:,}".replace(",", ".") in dutch
        assert f"Extra relocations: {extra:,}" in english
        # nor does its record on the findings page, which names the figure as the home page does
        record_nl, record_en = (
            _text(facts(session, finding, "nl")),
            _text(facts(session, finding, "en")),
        )
        assert "persoonsdagen" not in record_nl and "person-days" not in record_en
        assert "Extra overplaatsingen" in record_nl and "Extra relocations" in record_en
        assert f"{extra:,}".replace(",", ".") in record_nl
    # a wait still says its excess person-days
    assert "Extra persoonsdagen: " in _text(findings_list(waits[:1], "nl"))
    assert "Excess person-days: " in _text(findings_list(waits[:1], "en"))
