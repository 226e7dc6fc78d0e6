"""Real logs of other processes through the generic profile: no chain norms, but waits,
variants, rework and conformance to the model discovered from it.

Helpdesk (4,580 cases, 21,348 events) is checked in detail; BPIC 2012 (13,087 cases, 262,200
events, the Dutch loan applications) is analysed whole, which takes about a minute.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from toolkit.adapters.ingest import ingest
from toolkit.analysis import GENERIC, load_and_analyze
from toolkit.export.report_json import write_json
from toolkit.privacy import Pseudonymizer

REFERENCE_LOGS = Path(__file__).resolve().parents[2].parent / "shared" / "reference_logs"
HELPDESK = REFERENCE_LOGS / "xes" / "helpdesk.xes.gz"
BPIC2012 = REFERENCE_LOGS / "xes" / "bpic2012.xes.gz"

pytestmark = pytest.mark.skipif(not HELPDESK.is_file(), reason="reference logs not there")


def _ingested(tmp_path_factory, source: Path) -> Path:
    root = tmp_path_factory.mktemp(source.name.split(".")[0])
    raw = root / "raw"
    raw.mkdir()
    (raw / source.name).symlink_to(source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ingest(raw, root / "log", key=Pseudonymizer(b"k" * 32), profile="generic")
    return root / "log"


@pytest.fixture(scope="module")
def helpdesk(tmp_path_factory):
    return _ingested(tmp_path_factory, HELPDESK)


@pytest.fixture(scope="module")
def bpic2012(tmp_path_factory):
    return _ingested(tmp_path_factory, BPIC2012)


def test_bpic2012_is_analysed_whole(bpic2012):
    result = load_and_analyze(bpic2012)
    assert result.summary["log_kind"] == GENERIC
    assert (result.summary["persons"], result.summary["events"]) == (13087, 262200)
    # W_ work items are scheduled, started and completed: pm4py's interval log of BPIC 2012
    # (interval_lifecycle.to_interval) has 164,506 activity instances
    assert result.summary["activity_instances"] == 164506
    assert result.service_times["instances"].sum() == 164506
    assert result.intervals.empty and result.norms.empty
    assert result.transitions["n"].sum() == 164506 - 13087
    # the end of the data of a historic log is its last event, not the day of the ingest
    assert result.summary["as_of"] == result.summary["last_event"]
    assert result.summary["as_of"].startswith("2012-03-14")
    assert result.variants["cases"].sum() <= 13087
    assert result.rework["repeats"].sum() > 0  # BPIC 2012 repeats W_ work items within cases
    assert result.conformance["model"].startswith("discovered")
    assert 0.0 < result.conformance["log_fitness"] <= 1.0
    assert {f.kind for f in result.findings} >= {"transition_wait", "repeated_activity"}


def test_helpdesk_is_analysed_as_a_generic_log(helpdesk, tmp_path):
    result = load_and_analyze(helpdesk)
    assert result.summary["log_kind"] == GENERIC
    assert (result.summary["persons"], result.summary["events"]) == (4580, 21348)
    assert result.intervals.empty and result.norms.empty and result.wip.empty
    assert result.variants["cases"].iloc[0] > result.variants["cases"].iloc[-1]
    assert result.transitions["n"].sum() == 21348 - 4580
    # helpdesk repeats 127 events within their trace (see tests/adapters/test_generic.py)
    assert result.rework["repeats"].sum() >= 127
    conformance = result.conformance
    assert conformance["model"].startswith("discovered")
    assert 0.5 < conformance["log_fitness"] <= 1.0
    assert conformance["cases_checked"] <= conformance["cases"] == 4580
    assert {f.kind for f in result.findings} >= {"transition_wait"}
    doc = json.loads(write_json(result, tmp_path / "helpdesk.json").read_text(encoding="utf-8"))
    assert doc["intervals"] == [] and doc["findings"]


def test_the_end_of_a_historic_log_is_its_last_event_and_of_a_generated_set_its_cut_off(
    tmp_path,
):
    import json

    from toolkit.analysis import REPORT_FILE, log_as_of

    def report(source: str, profile: str) -> str | None:
        (tmp_path / REPORT_FILE).write_text(json.dumps(
            {"as_of": "2026-12-06", "as_of_source": source, "files": [{"profile": profile}]}
        ))  # fmt: skip
        return log_as_of(tmp_path)

    assert report("today", "generic") is None  # not today: the log's last event
    assert report("today", "coa-xlsx") == "2026-12-06"  # an export made today
    assert report("ground_truth.json cut-off", "coa-xlsx") == "2026-12-05"  # the cut-off day
    assert report("--as-of", "generic") == "2026-12-06"


def test_start_and_complete_are_one_instance_as_pm4py_joins_them(bpic2012):
    """Service times and waits between instances against pm4py's own interval log of the same
    events (interval_lifecycle.to_interval, get_service_time, the performance DFG with a start
    key), on the first 2,000 cases of BPIC 2012: within a millisecond."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py
        from pm4py.algo.discovery.dfg.adapters.pandas.df_statistics import get_dfg_graph
        from pm4py.objects.log.util import interval_lifecycle

    from toolkit.bottlenecks import transition_waits
    from toolkit.eventlog import CASE, LIFECYCLE, START, read_events
    from toolkit.mining.lifecycle import activity_instances, service_times

    log = read_events(bpic2012 / "events.parquet")
    assert set(log[LIFECYCLE].unique()) == {"schedule", "start", "complete"}
    log = log[log[CASE].isin(log[CASE].unique()[:2000])].reset_index(drop=True)
    frame = log[[CASE, "concept:name", "time:timestamp", LIFECYCLE]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = pm4py.convert_to_dataframe(
            interval_lifecycle.to_interval(pm4py.convert_to_event_log(frame))
        )
        median = pm4py.get_service_time(theirs, start_timestamp_key=START,
                                        aggregation_measure="median")  # fmt: skip
        mean = pm4py.get_service_time(theirs, start_timestamp_key=START, aggregation_measure="mean")
        waits = get_dfg_graph(theirs, measure="performance", perf_aggregation_key="mean",
                              start_timestamp_key=START)  # fmt: skip
        counts = get_dfg_graph(theirs, measure="frequency", start_timestamp_key=START)
    instances = activity_instances(log)
    assert len(instances) == len(theirs)
    ours = service_times(instances).set_index("activity")
    assert set(ours.index) == set(median)
    assert (ours["median_days"] * 86400).to_dict() == pytest.approx(median, abs=1e-3)
    assert (ours["mean_days"] * 86400).to_dict() == pytest.approx(mean, abs=1e-3)
    assert ours.loc["W_Completeren aanvraag", "median_days"] > 0
    pairs = transition_waits(instances).set_index(["from_activity", "to_activity"])
    assert set(pairs.index) == set(waits)
    assert (pairs["mean_days"] * 86400).to_dict() == pytest.approx(waits, abs=1e-3)
    assert pairs["n"].to_dict() == counts
