"""The forecast's html report reads as a document for a municipality: its figures are the
forecast's, in Dutch words and notation by default (English on request), with names instead of
codes; a figure workshop mode left out shows as a dash; nothing is fetched."""

from __future__ import annotations

from dataclasses import replace
from html.parser import HTMLParser

import pandas as pd
import pytest

from toolkit.chain import load_chain
from toolkit.cli import main
from toolkit.forecast.pipeline import forecast
from toolkit.forecast.report import write_forecast

AMSTERDAM = "GM0363"
LOCAL = ("linked_persons", "linked_households", "move_outs")
CODES = ("linked_persons", "linked_households", "move_outs", "households_size_", "waiting_",
         "koppeling_to_move_out", "permit_to_koppeling", AMSTERDAM)  # fmt: skip


@pytest.fixture(scope="module")
def fc(chain_log):
    return forecast(chain_log, as_of="2024-12-31", months=4, runs=30)


class _Tables(HTMLParser):
    """Every ``data-table`` of a page as rows of cell texts (by name, in page order), and the
    visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[list[str]]]] = {}
        self._rows: list[list[str]] = []
        self.urls: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.text: list[str] = []
        self._table: str | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")
        if tag in ("script", "style", "title"):
            self._skip += 1
        elif tag == "table":
            self._table = dict(attrs)["data-table"]
            self._rows = []
            self.tables.setdefault(self._table, []).append(self._rows)
        elif tag == "tr" and self._table:
            self._rows.append([])
        elif tag in ("td", "th") and self._table:
            self._rows[-1].append("")

    def handle_endtag(self, tag):
        self._in_script = False
        if tag in ("script", "style", "title"):
            self._skip -= 1
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._skip:
            if self._in_script:
                self.scripts[-1] += data
            return
        self.text.append(data)
        if self._table and self._rows and self._rows[-1]:
            self._rows[-1][-1] += data


def _read(page: str) -> _Tables:
    parsed = _Tables()
    parsed.feed(page)
    return parsed


MONTHS_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
             "september", "oktober", "november", "december")  # fmt: skip


def _dutch_month(month: str) -> str:
    """``2025-01`` as a Dutch reader names it: januari 2025."""
    year, number = month.split("-")
    return f"{MONTHS_NL[int(number) - 1]} {year}"


def _dutch(value: float, decimals: int) -> str:
    """A number as written in the Netherlands: 1.234,5 (the report's notation, told apart
    here without Babel)."""
    english = f"{value:,.{decimals}f}"
    return english.replace(",", "_").replace(".", ",").replace("_", ".")


def _with_interval(row) -> str:
    return f"{_dutch(row['expected'], 1)} ({_dutch(row['low'], 0)}–{_dutch(row['high'], 0)})"


def test_a_municipality_reads_its_own_figures_in_dutch(fc, tmp_path):
    mine = fc.for_municipality(AMSTERDAM)
    write_forecast(mine, tmp_path / "vooruitblik.html")
    page = (tmp_path / "vooruitblik.html").read_text("utf-8")
    read = _read(page)
    text = " ".join(read.text)
    assert '<html lang="nl">' in page
    assert "Ketenlens: vooruitblik voor Amsterdam" in text
    # Amsterdam's months, then its households by size: each cell the forecast's expectation
    # and interval
    rows = mine.rows[(mine.rows["municipality"] == AMSTERDAM)]
    sizes = tuple(f"households_size_{n}" for n in range(1, 6))
    for table, metrics in zip(read.tables["forecast"][:2], (LOCAL, sizes), strict=True):
        header, *body = table
        months = {_dutch_month(m): m for m in fc.summary["months"]}
        assert [cells[0] for cells in body] == list(months)
        assert len(header) == 1 + len(metrics)
        for cells in body:
            for cell, metric in zip(cells[1:], metrics, strict=True):
                month = months[cells[0]]
                want = rows[(rows["month"] == month) & (rows["metric"] == metric)].iloc[0]
                assert cell == _with_interval(want), (cells[0], metric)
    assert read.tables["forecast"][0][0] == ["Maand", "Gekoppelde personen",
                                             "Gekoppelde huishoudens",
                                             "Verhuisd naar een woning (personen)"]  # fmt: skip
    # the taakstelling: the forecast covers four months of 2025-I, so up to 30 April only
    taak = mine.taakstelling.set_index("municipality")
    assert taak["until"].astype(str).tolist() == ["2025-04-30", "2025-04-30"]
    header, *body = read.tables["taakstelling"][0]
    assert header == ["Halfjaar", "Gemeente", "Taakstelling", "Al gekoppeld", "T/m",
                      "Verwacht gekoppeld in dit halfjaar"]  # fmt: skip
    for cells, code in zip(body, ("", AMSTERDAM), strict=True):
        want = taak.loc[code]
        assert cells == ["1e helft 2025", "Nederland" if not code else "Amsterdam",
                         _dutch(want["taakstelling"], 0), _dutch(want["linked_before"], 0),
                         "30 april 2025", _with_interval(want)]  # fmt: skip
    ams = taak.loc[AMSTERDAM]
    # the half-year starts with the forecast: nobody was linked in it before, so that goes unsaid
    assert (f"1e helft 2025: geschatte taakstelling {_dutch(ams['taakstelling'], 0)} personen; "
            f"naar verwachting in dit halfjaar gekoppeld t/m 30 april 2025: "
            f"{_dutch(ams['expected'], 0)} (80%-interval: {_dutch(ams['low'], 0)}–"
            f"{_dutch(ams['high'], 0)}).") in text  # fmt: skip
    # the wait for a home: Amsterdam's own, or the nation's stretched by its time ratio
    waits = mine.waits.set_index(["municipality", "wait"])
    own = waits.loc[(AMSTERDAM, "koppeling_to_move_out")]
    wait = (f"Na de koppeling wachten zij naar verwachting {_dutch(own['median_days'], 0)} dagen "
            f"op een woning (mediaan; 8 van de 10 binnen {_dutch(own['p80_days'], 0)} dagen)")  # fmt: skip
    assert wait in text
    stretched = own["basis"] == "stretched"
    source = f"landelijk × {_dutch(own['time_ratio'], 2)}" if stretched else "eigen wachttijden"
    assert ("keer zo lang als landelijk" in text) == stretched
    last = read.tables["waits"][0][-1]
    assert last == ["Amsterdam", "Van koppeling tot verhuizing naar een woning",
                    _dutch(own["median_days"], 0), _dutch(own["p80_days"], 0),
                    _dutch(own["watched"], 0), _dutch(own["ended"], 0), source]  # fmt: skip
    # the summary's total is the sum of the months
    linked = rows.loc[rows["metric"] == "linked_persons", "expected"].sum()
    months = len(fc.summary["months"])
    total = f"Verwacht gekoppeld aan Amsterdam in de komende {months} maanden: "
    assert f"{total}{_dutch(linked, 0)} personen." in text
    # names, not codes; nothing fetched from elsewhere
    for code in CODES:
        assert code not in text, code
    assert not [u for u in read.urls if u.startswith(("http://", "https://", "//"))]
    assert sum("plotly.js" in js.lower() and len(js) > 1_000_000 for js in read.scripts) == 1
    assert sum("Plotly.newPlot" in js for js in read.scripts) == 3  # Amsterdam twice, the nation


def test_english_on_request_and_the_nation_without_a_municipality(fc):
    from toolkit.forecast.report_html import forecast_html

    page = forecast_html(fc, language="en")
    read = _read(page)
    text = " ".join(read.text)
    assert '<html lang="en">' in page and "Ketenlens: forecast" in text
    assert "The Netherlands per month" in text and "Linked households by size" in text
    # the nation first; the taakstelling of every municipality, a long table, after it
    assert text.index("The Netherlands per month") < text.index("Progress on the taakstelling")
    # the summary says the nation's wait for a home and its taakstelling
    home = fc.waits[
        (fc.waits["municipality"] == "") & (fc.waits["wait"] == "koppeling_to_move_out")
    ]
    median, p80 = home[["median_days", "p80_days"]].iloc[0]
    assert f"wait {median:,.0f} days for a home (median; 8 in 10 within {p80:,.0f} days)" in text
    nation = fc.taakstelling[fc.taakstelling["municipality"] == ""].iloc[0]
    assert (
        f"First half of 2025: estimated taakstelling {nation['taakstelling']:,.0f} persons" in text
    )
    national = fc.rows[(fc.rows["municipality"] == "") & (fc.rows["metric"] == "permits")]
    first = national.sort_values("month").iloc[0]
    table = read.tables["forecast"][0]  # the nation's months
    header = table[0]
    year, month = first["month"].split("-")
    named = f"{('January', 'February', 'March', 'April')[int(month) - 1]} {year}"
    row = next(r for r in table[1:] if r[0] == named)
    assert row[header.index("Permits (persons)")] == (
        f"{first['expected']:,.1f} ({first['low']:,.0f}–{first['high']:,.0f})"
    )
    # the taakstelling: per half-year the nation first, then the municipalities by name
    taak = read.tables["taakstelling"][0][1:]
    period = taak[0][0]
    names = [r[1] for r in taak if r[0] == period]
    # 's-Gravenhage under S, as a Dutch reader looks for it
    assert names[0] == "The Netherlands"
    assert names[1:] == sorted(names[1:], key=lambda n: n.lstrip("'").casefold())
    assert period == "first half of 2025"
    assert len(names) == (fc.taakstelling["period"] == "2025-I").sum()
    chain = load_chain()
    assert chain.municipality(AMSTERDAM).name in names
    # the waits: the nation's, then the municipalities with waits in the window, the longest
    # first, each saying where its curve comes from; those with fewer than 5 households followed
    # last (a ratio fitted to one household is mostly the prior's)
    national = fc.waits[fc.waits["municipality"] == ""]
    local = fc.waits[(fc.waits["municipality"] != "") & (fc.waits["basis"] != "national")]
    local = local.assign(name=[chain.municipality(c).name for c in local["municipality"]],
                         few=local["watched"] < 5)  # fmt: skip
    assert local["few"].any() and not local["few"].all()
    local = local.sort_values(["few", "median_days", "name"], ascending=[True, False, True])
    shown = read.tables["waits"][0][1:]
    assert [c[0] for c in shown] == ["The Netherlands"] * len(national) + local["name"].tolist()
    sources = [c[-1] for c in shown[len(national) :]]
    assert sources == [
        "own waits" if r["basis"] == "own" else f"national × {r['time_ratio']:.2f}"
        for r in local.to_dict("records")
    ]


def test_workshop_figures_left_out_show_as_a_dash(fc):
    from toolkit.forecast.report_html import forecast_html

    hidden = fc.suppressed(10).for_municipality(AMSTERDAM)
    assert hidden.rows["expected"].isna().any()
    read = _read(forecast_html(hidden))
    text = " ".join(read.text)
    assert "Workshopmodus: elk getal over minder dan 10 personen is weggelaten (–)" in text
    cells = [c for table in read.tables["forecast"] for r in table[1:] for c in r[1:]]
    assert "–" in cells
    assert not any("nan" in c.lower() for c in cells)
    # the waits: no count of 1 to 9 households, followed, ended or still waiting
    waits = fc.suppressed(10).waits
    watched = pd.to_numeric(waits["watched"], errors="coerce")
    ended = pd.to_numeric(waits["ended"], errors="coerce")
    for counts in (watched, ended, watched - ended):
        assert not counts.between(1, 9).any()
    assert (waits["basis"] == fc.waits["basis"]).all()  # where a curve comes from says no count
    plain = fc.waits[fc.waits["municipality"] != ""]
    assert plain["ended"].between(1, 9).any()  # there were small counts to hide


def test_the_command_prints_in_dutch_by_default_and_in_english_on_request(chain_log_dir, capsys):
    args = ["forecast", str(chain_log_dir), "--months", "2", "--runs", "20",
            "--municipality", AMSTERDAM]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Amsterdam: verwacht per maand (80%-interval)" in out
    assert "Gekoppelde" in out and "taakstelling" in out
    assert "juli 2025" in out and "t/m 31 augustus 2025" in out  # months and days named
    assert main([*args, "--language", "en"]) == 0
    out = capsys.readouterr().out
    assert "Amsterdam: expected per month (80% interval)" in out and "Linked" in out
    assert "July 2025" in out


def test_a_municipality_with_few_move_outs_reads_its_wait_as_the_nations_stretched(fc):
    from toolkit.forecast.report_html import forecast_html

    stretched = fc.waits[fc.waits["basis"] == "stretched"]
    row = stretched.loc[(stretched["time_ratio"] - 1).abs().idxmax()]
    code, ratio = row["municipality"], row["time_ratio"]
    assert ratio != 1.0
    national = fc.waits[(fc.waits["municipality"] == "") & (fc.waits["wait"] == row["wait"])]
    # the curve is the nation's with every day stretched: so is its median
    assert row["median_days"] == pytest.approx(ratio * national["median_days"].iloc[0], rel=0.01)
    name = load_chain().municipality(code).name
    read = _read(forecast_html(fc.for_municipality(code)))
    text = " ".join(read.text)
    assert (f"{_dutch(row['median_days'], 0)} dagen op een woning (mediaan; 8 van de 10 binnen "
            f"{_dutch(row['p80_days'], 0)} dagen): {_dutch(ratio, 1)} keer zo lang als landelijk "
            f"({_dutch(national['median_days'].iloc[0], 0)} dagen). In {name} verhuisden in de 12 "
            f"maanden voor de vooruitblik maar {_dutch(row['ended'], 0)} huishoudens naar een "
            "woning") in text  # fmt: skip
    assert read.tables["waits"][0][-1][0] == name
    assert (f"Daarom is de landelijke wachttijd vermenigvuldigd met {_dutch(ratio, 1)}: de "
            f"verhouding die past bij de {_dutch(row['watched'], 0)} huishoudens die er in die "
            "maanden op een woning wachtten (ook de "
            f"{_dutch(row['watched'] - row['ended'], 0)} die nog wachten).") in text  # fmt: skip
    assert read.tables["waits"][0][-1][-1] == f"landelijk × {_dutch(ratio, 2)}"


def test_a_forecast_from_the_middle_of_a_half_year_says_who_was_linked_in_it_already(chain_log):
    from toolkit.forecast.report_html import forecast_html

    middle = forecast(chain_log, as_of="2025-03-31", months=2, runs=5)
    nation = middle.taakstelling[middle.taakstelling["municipality"] == ""].iloc[0]
    text = " ".join(_read(forecast_html(middle)).text)
    before = f"{nation['linked_before']:,.0f}".replace(",", ".")
    assert f"personen; al gekoppeld vóór de vooruitblik {before}; naar verwachting" in text
    assert nation["linked_before"] > 0
    # from the middle of January the first month is January: its first days are in the
    # forecast's first month, none before it, so nothing is said to be linked before
    january = forecast(chain_log, as_of="2025-01-15", months=2, runs=5)
    assert january.taakstelling["linked_before"].eq(0).all()
    text = " ".join(_read(forecast_html(january)).text)
    assert "al gekoppeld vóór de vooruitblik" not in text
    assert "1e helft 2025: geschatte taakstelling" in text


def test_a_taakstelling_given_reads_as_given_and_an_estimate_as_estimated(chain_log, fc):
    """The forecast estimates the national taakstelling from the permits of the half-year before
    unless it is given: a reader must not take the estimate for the official figure."""
    from toolkit.forecast.report_html import forecast_html

    given = forecast(chain_log, as_of="2024-12-31", months=2, runs=5, taakstelling=1200)
    text = " ".join(_read(forecast_html(given)).text)
    assert "1e helft 2025: taakstelling 1.200 personen" in text and "geschatte" not in text
    assert "1e helft 2025: geschatte taakstelling" in " ".join(_read(forecast_html(fc)).text)


def test_a_wait_whose_80_percent_point_is_not_reached_or_hidden_reads_as_such(fc):
    """A curve that never reaches 8 in 10 housed has no such point (the Rotterdam of a world
    where it houses three times slower), and workshop mode hides a municipality's wait of few
    households: neither may read as "8 van de 10 binnen – dagen"."""
    from toolkit.forecast.report_html import forecast_html

    home = (fc.waits["municipality"] == "") & (fc.waits["wait"] == "koppeling_to_move_out")
    open_ended = replace(fc, waits=fc.waits.assign(p80_days=fc.waits["p80_days"].mask(home)))
    text = " ".join(_read(forecast_html(open_ended)).text)
    median = open_ended.waits.loc[home, "median_days"].iloc[0]
    assert (f"{_dutch(median, 0)} dagen op een woning (mediaan; wanneer 8 van de 10 een woning "
            "hebben, ligt voorbij de langste wachttijd die het logboek laat zien)") in text  # fmt: skip
    hidden = fc.suppressed(10)
    few = hidden.waits[hidden.waits["median_days"].isna() & (hidden.waits["municipality"] != "")]
    text = " ".join(_read(forecast_html(hidden.for_municipality(few["municipality"].iloc[0]))).text)
    assert "op een woning wachten, is afgeschermd: het gaat om minder dan 10 huishoudens" in text
    assert "binnen – dagen" not in text and "afgeschermd dagen" not in text
