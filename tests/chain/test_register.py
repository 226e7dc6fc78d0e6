"""The municipal register and the register of places, against the counts and mergers CBS published."""

from datetime import date
from pathlib import Path

import pytest

from toolkit.chain import load_chain
from toolkit.chain.register import fold, read_municipalities
from toolkit.errors import ChainDefinitionError
from toolkit.synthetic.config import load_config

# Municipalities on 1 January, as CBS announced them (sources in the register's header). No
# herindeling on 1 January 2026 is known; no CBS count for 2026 was found to confirm 342.
CBS_COUNTS = {
    2016: 390, 2017: 388, 2018: 380, 2019: 355, 2020: 355, 2021: 352,
    2022: 345, 2023: 342, 2024: 342, 2025: 342, 2026: 342,
}  # fmt: skip

# Mergers of 2021-2025: (municipality, day it ended, the municipality it went to).
MERGERS = [
    ("Appingedam", "2021-01-01", "Eemsdelta"),
    ("Delfzijl", "2021-01-01", "Eemsdelta"),
    ("Loppersum", "2021-01-01", "Eemsdelta"),
    ("Haaren", "2021-01-01", "Oisterwijk"),
    ("Heerhugowaard", "2022-01-01", "Dijk en Waard"),
    ("Langedijk", "2022-01-01", "Dijk en Waard"),
    ("Landerd", "2022-01-01", "Maashorst"),
    ("Uden", "2022-01-01", "Maashorst"),
    ("Boxmeer", "2022-01-01", "Land van Cuijk"),
    ("Cuijk", "2022-01-01", "Land van Cuijk"),
    ("Sint Anthonis", "2022-01-01", "Land van Cuijk"),
    ("Mill en Sint Hubert", "2022-01-01", "Land van Cuijk"),
    ("Grave", "2022-01-01", "Land van Cuijk"),
    ("Beemster", "2022-01-01", "Purmerend"),
    ("Weesp", "2022-03-24", "Amsterdam"),
    ("Brielle", "2023-01-01", "Voorne aan Zee"),
    ("Hellevoetsluis", "2023-01-01", "Voorne aan Zee"),
    ("Westvoorne", "2023-01-01", "Voorne aan Zee"),
]
HEADER = "code,name,province,valid_from,valid_until,successor,aliases\n"


@pytest.fixture(scope="module")
def register():
    return load_chain().register


@pytest.mark.parametrize(("year", "count"), sorted(CBS_COUNTS.items()))
def test_count_on_1_january_is_the_count_cbs_published(register, year, count):
    assert len(register.on(date(year, 1, 1))) == count


def test_mergers_of_2021_to_2025_and_nothing_else(register):
    ended = {
        (m.name, m.valid_until.isoformat(), register.get(m.successor).name)
        for m in register.municipalities
        if m.valid_until is not None and m.valid_until.year >= 2021
    }
    assert ended == set(MERGERS)
    created = {
        m.name for m in register.municipalities if m.valid_from and m.valid_from.year >= 2021
    }
    assert created == {
        "Eemsdelta",
        "Dijk en Waard",
        "Maashorst",
        "Land van Cuijk",
        "Voorne aan Zee",
    }


def test_a_merged_code_leads_to_the_municipality_of_the_day(register):
    weesp = register.by_name("Weesp").code
    assert register.current_code(weesp, date(2022, 3, 23)) == weesp
    assert register.current_code(weesp, date(2022, 3, 24)) == "GM0363"
    # Littenseradiel (2018) went to Súdwest-Fryslân per RvIG Tabel 33; the code stays that way
    assert register.current_code("GM0140", date(2025, 1, 1)) == "GM1900"


def test_names_fold_accents_case_and_punctuation(register):
    assert fold("'S-GRAVENHAGE") == fold("s Gravenhage")
    assert register.by_name("Sudwest Fryslan").code == "GM1900"
    assert register.by_name("  den   HAAG ").code == "GM0518"
    assert register.by_name("Den Bosch").code == "GM0796"
    assert register.by_name("Nergenshuizen") is None


def test_closest_names_the_likely_municipality(register):
    assert register.closest("Zaanstadt").code == "GM0479"
    assert register.closest("Zwollerkerspel").code == "GM0193"
    assert register.closest("Xyzzy") is None


def test_every_location_and_office_of_the_generator_is_in_the_place_register():
    cfg, places = load_config(), load_chain().places
    for loc in cfg["reception"]["locations"]:
        place = places.find("coa", loc["name"])
        assert place is not None and place.type == loc["type"], loc
    for office in cfg["office"]:
        assert places.find("ind", office["name"]) is not None, office


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "municipalities.csv"
    path.write_text("# a comment line\n" + HEADER + body, encoding="utf-8")
    return path


def test_a_successor_cycle_is_refused(tmp_path):
    path = _write(
        tmp_path,
        "GM0001,A,X,,2020-01-01,GM0002,\nGM0002,B,X,,2021-01-01,GM0001,\n",
    )
    with pytest.raises(ChainDefinitionError, match="cycle"):
        read_municipalities(path)


def test_a_successor_needs_an_end_date_and_a_known_code(tmp_path):
    with pytest.raises(ChainDefinitionError, match="successor"):
        read_municipalities(_write(tmp_path, "GM0001,A,X,,,GM0002,\nGM0002,B,X,,,,\n"))
    with pytest.raises(ChainDefinitionError, match="successor"):
        read_municipalities(_write(tmp_path, "GM0001,A,X,,2020-01-01,GM0009,\n"))
