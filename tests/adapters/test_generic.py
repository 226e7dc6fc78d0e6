"""The generic profile against public reference logs: the same cases and events pm4py reads.

The logs live in ../shared/reference_logs (read in place, never copied into the project). The
known answer is what pm4py reads from each file; the generic profile must keep every event.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from export_files import REFERENCE_LOGS

from toolkit.adapters.generic import GenericColumns, map_log, read_log
from toolkit.adapters.ingest import ingest
from toolkit.errors import IngestError
from toolkit.eventlog import read_events

EDGE_CASES = REFERENCE_LOGS / "xes_edge_cases"

pytestmark = pytest.mark.skipif(
    not REFERENCE_LOGS.is_dir(), reason="../shared/reference_logs is not there"
)


def _pm4py_counts(relative: str) -> tuple[int, int]:
    """Cases and events as pm4py itself reads a CSV or Parquet log (pandas + format_dataframe)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py

        path = REFERENCE_LOGS / relative
        raw = pd.read_csv(path) if relative.endswith(".csv") else pd.read_parquet(path)
        frame = pm4py.format_dataframe(raw)
    return frame["case:concept:name"].nunique(), len(frame)


# Cases and events as pm4py 2.7 reads them (also in reference_logs/README.md).
REFERENCE_COUNTS = [
    ("xes/running-example.xes", 6, 42),
    ("xes/01_running-example.xes.gz", 6, 42),  # old namespace
    ("xes/helpdesk.xes.gz", 4580, 21348),  # 127 events repeated within their trace
    ("xes/bpic2012.xes.gz", 13087, 262200),
    ("csv/running-example.csv", 6, 42),
    ("csv/receipt.csv", 1434, 8577),
    ("parquet/running-example.parquet", 6, 42),
    ("parquet/receipt.parquet", 1434, 8577),
]


@pytest.mark.parametrize(("relative", "cases", "events"), REFERENCE_COUNTS)
def test_reference_logs_give_the_counts_pm4py_reads(relative, cases, events, key):
    log = read_log(REFERENCE_LOGS / relative, GenericColumns())
    if relative.startswith("xes/"):
        # The XES reader is pm4py.read_xes itself: its table is pm4py's own read.
        pm4py_counts = (log.frame["case"].nunique(), len(log.frame))
    else:
        pm4py_counts = _pm4py_counts(relative)
    assert pm4py_counts == (cases, events)
    mapped = map_log(log, key=key, source_file=relative)
    assert log.rows_read == events
    assert len(mapped.quarantine) == 0
    assert len(mapped.events) == events
    assert mapped.events["case:concept:name"].nunique() == cases
    assert mapped.events["event_id"].is_unique
    assert str(mapped.events["time:timestamp"].dtype) == "datetime64[us, UTC]"


def test_running_example_through_ingest(tmp_path, key):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "running-example.xes").symlink_to(REFERENCE_LOGS / "xes" / "running-example.xes")
    report = ingest(raw, tmp_path / "log", key=key, profile="generic")
    assert (report.persons, report.events) == (6, 42)
    assert report.files[0].profile == "generic"
    events = read_events(tmp_path / "log" / "events.parquet")
    assert list(events["concept:name"].unique()[:1]) == ["register request"]
    # Case ids are pseudonymised; the original ids ("1".."6") do not pass.
    assert not set(events["case:concept:name"]) & {"1", "2", "3", "4", "5", "6"}


def test_columns_named_on_the_command_line(tmp_path, key):
    path = tmp_path / "log.csv"
    path.write_text("zaak;stap;moment;medewerker\nA;start;2024-01-01 10:00;Jan\nA;eind;bad;Jan\n")
    columns = GenericColumns(case="zaak", activity="stap", timestamp="moment")
    mapped = map_log(read_log(path, columns), key=key, source_file="log.csv")
    assert len(mapped.events) == 1
    assert mapped.quarantine[["row", "column", "reason"]].values.tolist() == [
        [3, "timestamp", "invalid_timestamp"]
    ]
    assert "medewerker" not in mapped.events.columns


def test_missing_columns_are_named_with_what_the_file_has(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("zaak,stap,moment\nA,start,2024-01-01\n")
    with pytest.raises(IngestError, match=r"log\.csv: no column 'case:concept:name'.*zaak"):
        read_log(path, GenericColumns())


@pytest.mark.parametrize("path", sorted(EDGE_CASES.glob("*.xes")), ids=lambda p: p.name)
def test_every_xes_edge_case_gives_a_log_or_a_one_line_error(path, key):
    try:
        log = read_log(path, GenericColumns())
    except IngestError as exc:
        message = str(exc)
        assert message.startswith(f"{path.name}: ")
        assert "\n" not in message
        return
    mapped = map_log(log, key=key, source_file=path.name)
    assert len(mapped.events) + len(mapped.quarantine) == log.rows_read
    assert len(mapped.events) > 0


def test_parquet_without_the_columns_or_not_parquet_at_all(tmp_path):
    path = tmp_path / "log.parquet"
    pd.DataFrame({"zaak": ["A"], "stap": ["start"]}).to_parquet(path)
    with pytest.raises(IngestError, match=r"log\.parquet: no column .*zaak, stap"):
        read_log(path, GenericColumns())
    path.write_bytes(b"PAR1 kapot")
    with pytest.raises(IngestError, match=r"log\.parquet: not a readable Parquet log") as caught:
        read_log(path, GenericColumns())
    assert "\n" not in str(caught.value)


def test_the_life_cycle_is_kept_and_an_unknown_transition_quarantined(tmp_path, key):
    path = tmp_path / "log.csv"
    path.write_text(
        "case:concept:name,concept:name,time:timestamp,lifecycle:transition\n"
        "1,a,2024-01-01 10:00,START\n"
        "1,a,2024-01-01 10:00,complete\n"
        "1,b,2024-01-02 10:00,\n"
        "1,b,2024-01-03 10:00,finished\n",
        encoding="utf-8",
    )
    mapped = map_log(read_log(path, GenericColumns()), key=key, source_file="log.csv")
    # a start and a complete at one moment are two events; an empty transition is a complete
    assert mapped.events["lifecycle:transition"].tolist() == ["start", "complete", "complete"]
    assert mapped.events["event_id"].nunique() == 3
    quarantined = mapped.quarantine[["row", "column", "reason"]].values.tolist()
    assert quarantined == [[5, "lifecycle", "unknown_transition"]]
