"""The DuckDB query of docs/sql.md reproduces analyze's N04 figures on the generated log."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from toolkit.logdir import EVENTS_FILE

duckdb = pytest.importorskip("duckdb")
DOC = Path(__file__).resolve().parents[2] / "docs" / "sql.md"


def test_the_documented_query_gives_analyze_s_figures(chain_log_dir, chain_analysis):
    query = re.search(r"```sql\n(.*?)```", DOC.read_text("utf-8"), re.S).group(1)
    assert "event_logs/demo/events.parquet" in query
    query = query.replace("event_logs/demo/events.parquet", str(chain_log_dir / EVENTS_FILE))
    row = duckdb.sql(query).df().iloc[0]
    norm = chain_analysis.norms.set_index("interval").loc["N04"]
    interval = chain_analysis.intervals.set_index("interval").loc["N04"]
    assert (row["closed"], row["closed_over"]) == (norm["closed"], norm["closed_over"])
    assert row["closed"] == interval["completed"] > 1000
    assert row["median_days_completed_only"] == pytest.approx(
        interval["median_days_completed_only"], abs=1e-6
    )
