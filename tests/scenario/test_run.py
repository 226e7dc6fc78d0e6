"""Base and scenario: the levers move what they should, by about as much as they should."""

import json
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from toolkit.cli import main
from toolkit.eventlog import CASE
from toolkit.scenario.export import write_scenario
from toolkit.scenario.report import suppress_table
from toolkit.scenario.run import Levers, ScenarioModel, run_scenario, simulate_window

MONTHS = 12


@pytest.fixture(scope="module")
def model(chain_log):
    return ScenarioModel(chain_log, months=MONTHS, seed=3)


@pytest.fixture(scope="module")
def quadrupled(model):
    return model.result(Levers(inflow=4.0))


def _series(table: pd.DataFrame, metric: str, run: str) -> pd.Series:
    rows = table[(table["metric"] == metric) & (table["run"] == run)]
    return rows.set_index("month")["value"]


def test_four_times_the_inflow_arrives_and_waits_for_its_interview(quadrupled):
    t = quadrupled.table
    base, scen = _series(t, "inflow", "base").sum(), _series(t, "inflow", "scenario").sum()
    # three times the calibrated asylum arrivals come on top (family members who follow do not
    # change with the lever); over a whole year the season averages out
    asylum = quadrupled.calibration.persons_per_month * MONTHS
    assert scen - base == pytest.approx(3 * asylum, rel=0.15)
    # the registration interview runs at capacity, so the extra arrivals queue in aanmelding
    extra = (_series(t, "wip:aanmelding", "scenario") - _series(t, "wip:aanmelding", "base")).iloc[
        -1
    ]
    assert extra == pytest.approx(scen - base, rel=0.25)
    occupancy = _series(t, "coa_occupancy", "scenario") - _series(t, "coa_occupancy", "base")
    assert occupancy.iloc[-1] > 0.5 * (scen - base)


def test_base_is_the_same_whatever_the_levers(chain_log, quadrupled):
    other = run_scenario(chain_log, Levers(ind_capacity=1.5), months=MONTHS, seed=3)
    base = quadrupled.table[quadrupled.table["run"] == "base"].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        base, other.table[other.table["run"] == "base"].reset_index(drop=True)
    )


def test_twice_the_homes_houses_about_twice_as_many_while_people_wait(model):
    t = model.result(Levers(homes={"*": 2.0})).table
    t = t[t["month"].isin(sorted(t["month"].unique())[:6])]
    arrivals = t[t["metric"].str.startswith("arrivals:")].groupby("run")["value"].sum()
    assert arrivals["scenario"] / arrivals["base"] == pytest.approx(2.0, rel=0.25)
    wait = _series(t, "wip:huisvesting", "scenario").iloc[-1]
    assert wait < _series(t, "wip:huisvesting", "base").iloc[-1]


def test_more_ind_capacity_shortens_the_procedure_backlog(model):
    t = model.result(Levers(ind_capacity=2.0)).table
    # twice the interviews: the registration queue drains within months, and the queue for the
    # detailed interview (the procedure's backlog) is less than half the base's after a year
    queue = _series(t, "wip:aanmelding", "scenario").sum()
    assert queue < 0.6 * _series(t, "wip:aanmelding", "base").sum()
    backlog = _series(t, "wip:asielprocedure", "scenario").iloc[-1]
    assert backlog < 0.5 * _series(t, "wip:asielprocedure", "base").iloc[-1]
    late = _series(t, "wait_median_days:N04", "scenario").iloc[-3:].mean()
    assert late < _series(t, "wait_median_days:N04", "base").iloc[-3:].mean()


def test_exports_read_back(quadrupled, tmp_path):
    for suffix in (".json", ".csv", ".xlsx", ".html"):
        write_scenario(quadrupled, quadrupled.table, tmp_path / f"s{suffix}")
    payload = json.loads((tmp_path / "s.json").read_text("utf-8"))
    rows = pd.DataFrame(payload["scenario"])
    assert set(rows["run"]) == {"base", "scenario"}
    assert {"inflow", "wip_total", "coa_occupancy"} <= set(rows["metric"])
    assert len(rows["month"].unique()) == MONTHS
    assert payload["levers"]["inflow"] == 4.0
    arrivals = next(e for e in payload["calibration"] if e["parameter"] == "arrivals")
    assert arrivals["name"] == "Instroom" and arrivals["figures"]["households"] > 0
    assert len(pd.read_csv(tmp_path / "s.csv")) == len(quadrupled.table)
    book = load_workbook(tmp_path / "s.xlsx")
    assert book.sheetnames == ["scenario", "calibration", "levers"]
    assert [c.value for c in book["scenario"][1]] == ["month", "metric", "base", "scenario"]
    assert [c.value for c in book["calibration"][1]] == ["parameter", "name", "value", "how"]


def test_the_html_page_reads_in_its_language(quadrupled, tmp_path):
    """Names, not codes, and the language's months and notation: the same page in Dutch and in
    English."""
    first = quadrupled.table["month"].min()  # e.g. 2025-07
    year, month = first.split("-")
    named = {"nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                    "september", "oktober", "november", "december"],
             "en": ["January", "February", "March", "April", "May", "June", "July", "August",
                    "September", "October", "November", "December"]}  # fmt: skip
    for language, words in (("nl", ("Bezetting COA", "In fase Aanmelding", "Kalibratie")),
                            ("en", ("COA occupancy", "In phase Registration",
                                    "Calibration"))):  # fmt: skip
        path = tmp_path / f"s_{language}.html"
        write_scenario(quadrupled, quadrupled.table, path, language=language)
        text = path.read_text("utf-8")
        assert f"lang='{language}'" in text
        for word in words:
            assert f"<h2>{word}</h2>" in text or f">{word}<" in text, (language, word)
        assert f"<td>{named[language][int(month) - 1]} {year}</td>" in text
        visible = re.sub(r"<style>.*?</style>|<[^>]+>", " ", text)
        assert not re.search(r"\b([a-z]+_[a-z_]+|wip:\w+|GM\d{4}|\d{4}-\d{2})\b",
                             visible), language  # fmt: skip
        # the calibration's arrivals per month, in the language's notation
        arrivals = next(e for e in quadrupled.calibration.estimates if e.parameter == "arrivals")
        households = arrivals.figures["households"]
        written = {"nl": f"{households:.1f}".replace(".", ","), "en": f"{households:.1f}"}
        assert f"<td>{written[language]} " in text, written[language]


def test_workshop_hides_small_counts_and_what_is_computed_from_them(quadrupled):
    k = 10
    shown = suppress_table(quadrupled.table, k)
    counts = shown[shown["metric"].str.startswith(("arrivals:", "inflow", "wip"))]
    values = pd.to_numeric(counts["value"], errors="coerce").dropna()
    assert not ((values > 0) & (values < k)).any()
    small = quadrupled.table[
        quadrupled.table["metric"].str.startswith("wait_persons:")
        & quadrupled.table["value"].between(1, k - 1)
    ]
    assert len(small)
    for row in small.itertuples():
        median = shown[
            (shown["month"] == row.month)
            & (shown["run"] == row.run)
            & (shown["metric"] == row.metric.replace("wait_persons:", "wait_median_days:"))
        ]
        assert median["value"].isna().all()


def test_command_line(chain_log_dir, tmp_path, capsys, model):
    out = tmp_path / "s.json"
    code = main(["scenario", str(chain_log_dir), "--inflow", "x2", "--ind-capacity", "+20%",
                 "--homes", "GM0479=+30%", "--months", "3", "--sample", "0.5",
                 "--export", str(out)])  # fmt: skip
    assert code == 0
    printed = " ".join(capsys.readouterr().out.split())  # lines wrap
    assert "Capaciteit aanmeldgehoor" in printed and "Geschreven" in printed
    assert "een steekproef van 50% van de huishoudens" in printed
    assert "instroom ×2, gehoorcapaciteit IND ×1,2, woningen Zaanstad ×1,3" in printed
    # what +30% makes of Zaanstad's homes, for the whole chain though half is simulated
    now, then = re.search(r"Zaanstad ×1,3 \((\d+,\d\d) → (\d+,\d\d) personen per week\)",
                          printed).groups()  # fmt: skip
    now, then = (float(x.replace(",", ".")) for x in (now, then))
    whole = model.calibration.capacities.housing["GM0479"]  # the whole log's calibration
    assert now == pytest.approx(whole, abs=0.006) and then == pytest.approx(1.3 * whole, abs=0.006)
    assert re.search(r"│ (juli|augustus|september|oktober) 20\d\d ", printed)  # months by name
    # a month's median wait says of how many waits it is the median
    assert re.search(r"\d+ \(\d+\) \| \d+ \(\d+\)", printed)
    written = json.loads(out.read_text("utf-8"))
    assert written["levers"]["homes"] == {"GM0479": 1.3} and written["sample"] == 0.5
    # in workshop mode not: a municipality's homes per week count the few persons it housed
    page = tmp_path / "workshop.html"
    assert main(["scenario", str(chain_log_dir), "--homes", "GM0479=+30%", "--months", "3",
                 "--sample", "0.5", "--workshop", "--export", str(page)]) == 0  # fmt: skip
    printed = " ".join(capsys.readouterr().out.split())
    assert "woningen Zaanstad ×1,3;" in printed and "per week)" not in printed
    assert "Zaanstad ×1,3<" in page.read_text("utf-8")
    for wrong in (["--inflow", "four"], ["--sample", "0"], ["--sample", "1.5"]):
        with pytest.raises(SystemExit):
            main(["scenario", str(chain_log_dir), *wrong])
    assert main(["scenario", str(tmp_path)]) == 1


def test_a_sample_of_the_households_scaled_back_tells_the_same_story(chain_log, model):
    """Half the households, with half the arrivals and half of every capacity: counts scaled
    back and waits come out near the whole chain's (chance in half as many households aside)."""
    from toolkit.eventlog import HOUSEHOLD
    from toolkit.scenario.run import sampled_log

    half = sampled_log(chain_log, 0.5, seed=3)
    persons = half[CASE].nunique() / chain_log[CASE].nunique()
    assert persons == pytest.approx(0.5, abs=0.05)
    kept = chain_log[HOUSEHOLD].isin(set(half[HOUSEHOLD].dropna()))
    assert set(chain_log.loc[kept, CASE]) == set(half.loc[half[HOUSEHOLD].notna(), CASE])

    sampled = ScenarioModel(chain_log, months=MONTHS, seed=3, sample=0.5)
    whole, part = model.base(), sampled.base()
    for metric in ("inflow", "wip_total", "coa_occupancy"):
        a, b = (
            _series(whole.assign(run="x"), metric, "x"),
            _series(part.assign(run="x"), metric, "x"),
        )
        assert b.sum() == pytest.approx(a.sum(), rel=0.2), metric
    assert sampled.result(Levers()).sample == 0.5
    # the wait from permit to home: the median of a month's few ended intervals varies from run
    # to run, so over five runs of each
    waits = {}
    for share in (1.0, 0.5):
        runs = [ScenarioModel(chain_log, months=MONTHS, seed=seed, sample=share).base()
                for seed in range(1, 6)]  # fmt: skip
        waits[share] = np.mean(
            [r.loc[r["metric"] == "wait_median_days:N13", "value"].median() for r in runs]
        )
    assert waits[0.5] == pytest.approx(waits[1.0], rel=0.3)


def test_the_dashboards_sample_share_keeps_a_small_log_whole(chain_log):
    from toolkit.scenario.run import SAMPLE_PERSONS, sample_share

    persons = chain_log[CASE].nunique()
    assert persons < SAMPLE_PERSONS and sample_share(chain_log, SAMPLE_PERSONS) == 1.0
    assert sample_share(chain_log, 1_000) == pytest.approx(1_000 / persons)


def test_a_family_that_arrives_before_its_referent_is_linked_follows_it(model):
    """A referent put back before its koppeling (in 90 days) whose family arrives tomorrow: the
    family is linked with the referent, to its municipality, not before it (the engine stopped
    here: the referent had no municipality yet)."""
    referent = next(w for w in model.state if w.stage == "koppeling" and len(w.members) == 1)
    slow = replace(referent, remaining=90.0)
    family = replace(referent, stage="nareis_travel", since=0.0, remaining=1.0)
    # no other family on its way: the nareizigers of the first days are this family
    others = [w for w in model.state if w is not referent and w.stage != "nareis_travel"]
    state = (*others, slow, family)
    events = simulate_window(model.log, model.calibration, state, MONTHS, Levers(), seed=3)
    linked = events[events["concept:name"] == "coa_koppeling"]
    own = linked[linked[CASE] == referent.members[0]]
    stamps = events["time:timestamp"]
    arrived = events[(events["concept:name"] == "ind_nareiziger_inreis")
                     & (stamps < model.start + pd.Timedelta(days=3))]  # fmt: skip
    joined = linked[linked[CASE].isin(arrived[CASE])]
    assert len(own) == 1 and len(joined) == len(arrived) >= 1
    assert set(joined["municipality"]) == set(own["municipality"]) != {""}
    assert (joined["time:timestamp"] >= own["time:timestamp"].iloc[0]).all()
