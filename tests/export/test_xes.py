"""XES export: pm4py reads back what the log holds, and the file satisfies the IEEE schema.

Known answers come from events.parquet itself (cases, events, activities, per-case order and
times) and, for a real log, from the running example (6 cases, 42 events, 8 activities).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest
from export_reference import XES_SCHEMA, needs_reference
from lxml import etree

from toolkit.errors import ExportError
from toolkit.eventlog import ACTIVITY, CASE, TIMESTAMP
from toolkit.export import export_log
from toolkit.export import xes as xes_module
from toolkit.export.xes import escape, write_xes

XES_NS = b' xmlns="http://www.xes-standard.org/"'
pytestmark = pytest.mark.filterwarnings("ignore:Install the optional requirement")


def _xml(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def _schema_errors(path: Path) -> list[str]:
    """Errors against the IEEE schema; its copy has no target namespace, so ours is stripped."""
    schema = etree.XMLSchema(etree.parse(str(XES_SCHEMA)))
    document = etree.fromstring(_xml(path).replace(XES_NS, b"", 1))
    schema.validate(document)
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


@pytest.fixture(scope="module", params=["log.xes", "log.xes.gz"])
def exported(request, chain_log: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("xes") / request.param
    export_log(chain_log, out, "xes")
    return out


@pytest.mark.parametrize("variant", [None, "iterparse"])
def test_pm4py_reads_the_same_cases_events_and_activities(exported, chain_events, pm4py, variant):
    # The default reader splits on '<', '>' and '"'; iterparse is a real XML parser (lxml).
    read = pm4py.read_xes(str(exported), variant=variant)
    assert len(read) == len(chain_events)
    assert read[CASE].nunique() == chain_events[CASE].nunique()
    assert read[ACTIVITY].nunique() == chain_events[ACTIVITY].nunique()
    per_case = read.groupby(CASE).size().sort_index()
    assert per_case.equals(chain_events.groupby(CASE).size().sort_index())


def test_events_come_back_in_order_with_their_times_and_attributes(exported, chain_events, pm4py):
    read = pm4py.read_xes(str(exported)).reset_index(drop=True)
    assert read[CASE].tolist() == chain_events[CASE].tolist()
    assert read[ACTIVITY].tolist() == chain_events[ACTIVITY].tolist()
    # Milliseconds in the file; the chain's times are whole minutes, so nothing is lost.
    expected = chain_events[TIMESTAMP].dt.floor("ms")
    assert (read[TIMESTAMP].dt.tz_convert("UTC") == expected).all()
    assert read["source_row"].tolist() == chain_events["source_row"].tolist()
    ind = chain_events["org:group"] == "IND"
    assert read.loc[ind, "ind_case"].tolist() == chain_events.loc[ind, "ind_case"].tolist()
    assert read.loc[~ind, "ind_case"].isna().all()
    # Case attributes are trace attributes; pm4py gives them their case: prefix back.
    for column in ("case:household", "case:nationality", "case:birth_year_band", "case:track"):
        got = read[column].astype(object).where(read[column].notna(), None)
        want = chain_events[column].astype(object).where(chain_events[column].notna(), None)
        assert got.tolist() == want.tolist(), column


@needs_reference
def test_the_file_satisfies_the_ieee_schema(exported):
    assert _schema_errors(exported) == []


def test_header_declares_extensions_globals_and_classifiers(exported):
    root = etree.fromstring(_xml(exported))
    ns = {"x": "http://www.xes-standard.org/"}
    assert root.get("xes.version") == "2.0"
    prefixes = {e.get("prefix") for e in root.findall("x:extension", ns)}
    assert prefixes == {"concept", "time", "org"}
    event_globals = root.find("x:global[@scope='event']", ns)
    keys = {e.get("key") for e in event_globals}
    assert {"concept:name", "time:timestamp", "org:group", "event_id"} <= keys
    assert "municipality" not in keys  # not on every event, so not global
    classifiers = {c.get("name"): c.get("keys") for c in root.findall("x:classifier", ns)}
    assert classifiers["Activity"] == "concept:name"
    stamp = root.find("x:trace/x:event/x:date", ns).get("value")
    assert stamp.endswith(".000+00:00") and "T" in stamp


def test_same_log_same_bytes(chain_log, tmp_path):
    for name in ("a.xes.gz", "b.xes.gz"):
        export_log(chain_log, tmp_path / name, "xes")
    assert (tmp_path / "a.xes.gz").read_bytes() == (tmp_path / "b.xes.gz").read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_written_a_few_traces_at_a_time_the_file_is_the_same(chain_log, tmp_path, monkeypatch):
    export_log(chain_log, tmp_path / "whole.xes", "xes")  # the test log fits one piece
    monkeypatch.setattr(xes_module, "TRACES_PER_WRITE", 3)
    export_log(chain_log, tmp_path / "pieces.xes", "xes")
    assert (tmp_path / "pieces.xes").read_bytes() == (tmp_path / "whole.xes").read_bytes()


@needs_reference
def test_awkward_text_is_escaped_and_survives(chain_events, tmp_path):
    events = chain_events.head(20).copy()
    awkward = 'A & B <"Zuid">\n\'t Veld\tx'
    events["source_file"] = awkward
    path = tmp_path / "awkward.xes"
    write_xes(events, path, name="<log & co>")
    assert _schema_errors(path) == []
    root = etree.fromstring(_xml(path))
    values = {e.get("value") for e in root.iter("{http://www.xes-standard.org/}string")}
    assert awkward in values and "<log & co>" in values
    assert escape("a\x01b") == "a\ufffdb"  # a control character XML cannot hold


def test_a_log_not_grouped_by_case_is_refused(chain_events, tmp_path):
    shuffled = chain_events.sample(frac=1.0, random_state=1)
    with pytest.raises(ExportError, match="not together"):
        write_xes(shuffled, tmp_path / "x.xes", name="x")
    assert not (tmp_path / "x.xes").exists()


def test_the_running_example_through_ingest_and_export(running_example_log, tmp_path, pm4py):
    out = tmp_path / "running-example.xes"
    summary = export_log(running_example_log, out, "xes")
    assert (summary.cases, summary.events, summary.activities) == (6, 42, 8)
    read = pm4py.read_xes(str(out))
    assert (read[CASE].nunique(), len(read), read[ACTIVITY].nunique()) == (6, 42, 8)
    assert _schema_errors(out) == []


@needs_reference
def test_an_empty_log_gives_a_valid_file(chain_events, tmp_path):
    path = tmp_path / "empty.xes"
    write_xes(chain_events.head(0), path, name="leeg")
    assert _schema_errors(path) == []
    assert etree.fromstring(_xml(path)).find("{http://www.xes-standard.org/}trace") is None


def test_timestamps_keep_their_instant(chain_events, tmp_path, pm4py):
    events = chain_events.head(3).copy()
    events[TIMESTAMP] = pd.to_datetime(
        ["2024-03-31T00:59:59.123456Z", "2024-03-31T01:00:00Z", "2024-10-27T00:30:00Z"],
        utc=True,
        format="ISO8601",
    )
    events[CASE] = events[CASE].iloc[0]
    path = tmp_path / "dst.xes"
    write_xes(events, path, name="dst")
    read = pm4py.read_xes(str(path))
    assert read[TIMESTAMP].dt.tz_convert("UTC").tolist() == list(
        pd.to_datetime(
            ["2024-03-31T00:59:59.123Z", "2024-03-31T01:00:00Z", "2024-10-27T00:30:00Z"],
            utc=True,
            format="ISO8601",
        )
    )
