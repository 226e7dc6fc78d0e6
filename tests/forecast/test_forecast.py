"""The forecast on the generated chain log: the tables add up, --as-of ignores what came after,
and the data exports read back (the html report: test_report_html)."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from toolkit.chain import load_chain
from toolkit.cli import main
from toolkit.errors import EventLogError
from toolkit.eventlog import ACTIVITY, TIMESTAMP
from toolkit.filters import local_day_end
from toolkit.forecast.pipeline import forecast
from toolkit.forecast.report import write_forecast

AS_OF = "2024-12-31"
RUNS = 60


@pytest.fixture(scope="module")
def fc(chain_log):
    return forecast(chain_log, as_of=AS_OF, months=6, runs=RUNS)


def test_rows_hold_every_metric_nationally_and_per_municipality(fc):
    rows = fc.rows
    assert list(rows.columns) == ["month", "municipality", "metric", "expected", "low", "high",
                                  "probability"]  # fmt: skip
    assert fc.summary["months"] == [
        "2025-01",
        "2025-02",
        "2025-03",
        "2025-04",
        "2025-05",
        "2025-06",
    ]
    national = set(rows.loc[rows["municipality"] == "", "metric"])
    assert {"linked_persons", "linked_households", "permits", "move_outs"} <= national
    assert {"waiting_asielprocedure", "waiting_beroep", "waiting_koppeling",
            "waiting_huisvesting"} <= national  # fmt: skip
    local = rows[rows["municipality"] != ""]
    existing = load_chain().register.on(date.fromisoformat(AS_OF))
    assert {m.code for m in existing} == set(local["municipality"])
    assert (rows["low"] <= rows["high"]).all()  # (a mean can lie outside: mostly 0, rarely 6)
    # counts of persons and households: the interval's ends are counts that occurred in the runs
    assert (rows["low"] == rows["low"].round()).all() and (
        rows["high"] == rows["high"].round()
    ).all()
    # as near 80% as counts allow: below it only by less than the runs at one end
    assert rows["probability"].between(0.5, 1.0).all()
    assert rows["probability"].median() >= 0.8


def test_municipalities_and_household_sizes_add_up_to_the_nation(fc):
    rows = fc.rows.set_index(["month", "municipality", "metric"])["expected"]
    for month in fc.summary["months"]:
        for metric in ("linked_persons", "linked_households", "move_outs"):
            parts = rows.xs((month, metric), level=("month", "metric")).drop("")
            assert parts.sum() == pytest.approx(rows[(month, "", metric)], abs=0.05 * len(parts))
        sizes = sum(rows[(month, "", f"households_size_{s}")] for s in range(1, 6))
        assert sizes == pytest.approx(rows[(month, "", "linked_households")], abs=0.06)


def test_taakstelling_is_split_by_population(fc):
    taak = fc.taakstelling[fc.taakstelling["period"] == "2025-I"].set_index("municipality")
    register = load_chain().register
    day = date.fromisoformat(AS_OF)  # the shares of the municipalities on the as-of day
    people = {m.code: register.population(m.code, day.year) for m in register.on(day)}
    population = sum(people.values())
    national = taak.loc["", "taakstelling"]
    assert national > 0
    for code, inhabitants in people.items():
        assert taak.loc[code, "taakstelling"] == round(national * inhabitants / population)


def test_as_of_ignores_everything_after_it(chain_log, fc):
    before = chain_log[chain_log[TIMESTAMP] < local_day_end(AS_OF)]
    again = forecast(before, as_of=AS_OF, months=6, runs=RUNS)
    pd.testing.assert_frame_equal(again.rows, fc.rows)
    later = forecast(chain_log, as_of="2025-03-31", months=6, runs=RUNS)
    assert later.summary["months"][0] == "2025-04"
    assert not later.rows.equals(fc.rows)


def test_a_log_of_another_process_is_refused_with_a_reason(chain_log):
    other = chain_log.assign(**{ACTIVITY: "register request"})
    with pytest.raises(EventLogError, match="log of another process"):
        forecast(other, as_of=AS_OF, months=2, runs=RUNS)


def test_same_seed_same_forecast(chain_log, fc):
    again = forecast(chain_log, as_of=AS_OF, months=6, runs=RUNS)
    pd.testing.assert_frame_equal(again.rows, fc.rows)


def test_exports_read_back(fc, tmp_path):
    write_forecast(fc, tmp_path / "v.json")
    doc = json.loads((tmp_path / "v.json").read_text("utf-8"))
    assert doc["format"] == "ketenlens-forecast"
    assert len(doc["forecast"]) == len(fc.rows)
    first = doc["forecast"][0]
    assert set(first) == {"month", "municipality", "metric", "expected", "low", "high",
                          "probability"}  # fmt: skip
    write_forecast(fc, tmp_path / "v.xlsx")
    book = load_workbook(tmp_path / "v.xlsx")
    assert book.sheetnames == ["Summary", "Forecast", "Taakstelling", "Waits", "Method"]
    sheet = book["Forecast"]
    header = [c.value for c in sheet[1]]
    values = [
        dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)
    ]
    assert len(values) == len(fc.rows)
    for got, want in zip(values, fc.rows.to_dict("records"), strict=True):
        assert (got["month"], got["municipality"] or "", got["metric"]) == (
            want["month"], want["municipality"], want["metric"])  # fmt: skip
        assert got["expected"] == pytest.approx(want["expected"])
    written = write_forecast(fc, tmp_path / "v.csv")
    assert [p.name for p in written] == ["v.csv", "v.taakstelling.csv", "v.waits.csv",
                                         "v.summary.csv"]  # fmt: skip
    assert len(pd.read_csv(tmp_path / "v.csv")) == len(fc.rows)


def test_workshop_empties_figures_about_few_persons(fc):
    hidden = fc.suppressed(10).rows
    small = (fc.rows["expected"] > 0) & (fc.rows["expected"] < 10)
    assert small.any()
    assert hidden.loc[small, ["expected", "low", "high", "probability"]].isna().all().all()
    assert np.allclose(
        hidden.loc[~small, "expected"].astype(float), fc.rows.loc[~small, "expected"]
    )


def test_command_prints_and_refuses_an_unknown_municipality(chain_log_dir, capsys):
    assert main(["forecast", str(chain_log_dir), "--months", "2", "--runs", "20",
                 "--municipality", "GM0363"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "Amsterdam: verwacht per maand" in out and "taakstelling" in out
    assert main(["forecast", str(chain_log_dir), "--municipality", "GM9999"]) == 1
    assert "GM9999" in capsys.readouterr().err
