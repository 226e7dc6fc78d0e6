"""Every single-value filter of the filter bar gives findings and a rework table, and the
findings download of the reported ones (a track, a municipality) opens again."""

import pytest
from openpyxl import load_workbook

from toolkit.errors import EventLogError
from toolkit.eventlog import ACTIVITY
from toolkit.export.report_xlsx import write_xlsx
from toolkit.filters import PATH_SEPARATOR, LogFilter
from toolkit.session import AnalysisSession

FIELDS = ("organisation", "municipality", "location", "nationality", "track")


@pytest.fixture(scope="module")
def session(chain_log_dir):
    return AnalysisSession.open(chain_log_dir)


def test_findings_and_rework_of_every_single_value_filter(session):
    options = session.options()
    tried = 0
    for name in FIELDS:
        for value, _ in getattr(options, name):
            f = LogFilter(**{name: [value]})
            try:
                findings = session.get(f, "findings")
                rework = session.get(f, "rework")
            except EventLogError:  # the filter keeps nobody: said so, not a failure
                continue
            assert all(x.family for x in findings), (name, value)
            assert len(rework) == 4, (name, value)
            tried += 1
    assert tried > 40


def test_findings_of_every_activity_and_every_path_of_the_map(session):
    """The filters on persons who passed an activity or a path of the process map."""
    activities = sorted(str(a) for a in session.log[ACTIVITY].dropna().unique())
    edges = session.get(LogFilter(), "dfg").edges
    paths = [
        f"{a}{PATH_SEPARATOR}{b}" for a, b in zip(edges["source"], edges["target"], strict=True)
    ]
    tried = 0
    for name, values in (("activity", activities), ("path", paths)):
        for value in values:
            findings = session.get(LogFilter(**{name: [value]}), "findings")
            assert all(x.family for x in findings), (name, value)
            tried += 1
    assert tried == len(activities) + len(paths) > 40


@pytest.mark.parametrize("field, value", [("track", "dublin"), ("municipality", "GM0303")])
def test_the_findings_download_of_a_reported_filter_opens(session, tmp_path, field, value):
    path = write_xlsx(session.analysis(LogFilter(**{field: [value]})), tmp_path / "f.xlsx")
    book = load_workbook(path)
    header = [c.value for c in book["Findings"][1]]
    assert header[:2] == ["rank", "family"]
