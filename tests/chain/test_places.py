"""The register of places against the public lists it was taken from (sources in its header)."""

from datetime import date

import pytest

from toolkit.chain import load_chain
from toolkit.chain.register import fold

COA_TYPES = {"COL", "POL", "AZC", "NOODOPVANG", "GEZINSLOCATIE"}

# The two central reception locations coa.nl ("Typen locaties") names.
COLS = {"Ter Apel": "GM1950", "Budel-Cranendonck": "GM1706"}

# Locations coa.nl ("Opvanglocaties") names, with the municipality they lie in.
COA_PAGE = {
    "Hoogeveen": "GM0118",
    "Baexem": "GM1640",
    "Gilze": "GM0784",
    "Sint Annaparochie": "GM1949",
    "Emmen": "GM0114",
    "Oisterwijk": "GM0824",
    "Utrecht": "GM0344",
    "Echt": "GM1711",
}

# The nine IND loketten of 2007 (Justitie press invitation of 26 September 2007).
IND_LOKETTEN_2007 = {
    "Utrecht": "GM0344",
    "Zwolle": "GM0193",
    "Rijswijk": "GM0603",
    "Den Haag": "GM0518",
    "Rotterdam": "GM0599",
    "Amsterdam": "GM0363",
    "Eindhoven": "GM0772",
    "Den Bosch": "GM0796",
    "Hoofddorp": "GM0394",
}

# IND aanmeldcentra and side locations (Rode Kruis; ind.nl "Extra aanmeldcentrum in Bant").
IND_AANMELDCENTRA = {
    "Ter Apel": "GM1950",
    "Den Bosch": "GM0796",
    "Budel": "GM1706",
    "Zevenaar": "GM0299",
    "Doetinchem": "GM0222",
    "Bant": "GM0171",
    "Rijsbergen": "GM0879",
}


@pytest.fixture(scope="module")
def chain():
    return load_chain()


def test_the_register_holds_the_sourced_lists(chain):
    places = chain.places.places
    assert sum(p.kind == "coa" for p in places) >= 56
    assert sum(p.kind == "ind" for p in places) >= 16
    for kind, listed in (
        ("coa", COLS),
        ("coa", COA_PAGE),
        ("ind", IND_LOKETTEN_2007),
        ("ind", IND_AANMELDCENTRA),
    ):
        for name, code in listed.items():
            place = chain.places.find(kind, name)
            assert place is not None and place.municipality == code, (kind, name)


def test_the_cols_are_exactly_ter_apel_and_budel(chain):
    cols = {p.name for p in chain.places.places if p.type == "COL"}
    assert cols == set(COLS)
    assert chain.places.find("coa", "azc Budel").municipality == "GM1706"
    assert chain.register.get("GM1706").name == "Cranendonck"
    assert chain.register.get("GM1950").name == "Westerwolde"


def test_every_place_has_a_known_type_and_a_municipality_of_its_days(chain):
    for p in chain.places.places:
        assert p.type in (COA_TYPES if p.kind == "coa" else {""}), p
        municipality = chain.register.get(p.municipality)
        assert municipality is not None, p
        for day in (p.opened, p.closed and date.fromordinal(p.closed.toordinal() - 1)):
            if day is not None and day >= date(2016, 1, 1):
                assert municipality.exists_on(day), p
        if p.opened is None and p.closed is None:
            assert municipality.valid_until is None, p


def test_noodopvang_and_gezinslocatie_are_typed_as_the_news_names_them(chain):
    expected = {
        "Heumensoord": ("NOODOPVANG", "GM0268"),
        "Zeelandhallen": ("NOODOPVANG", "GM0664"),
        "Diekmanhal": ("NOODOPVANG", "GM0153"),
        "Doetinchem": ("NOODOPVANG", "GM0222"),
        "Katwijk": ("GEZINSLOCATIE", "GM0537"),
    }
    for name, (kind, code) in expected.items():
        place = chain.places.find("coa", name)
        assert (place.type, place.municipality) == (kind, code), name


def test_names_and_aliases_are_unique_per_kind(chain):
    seen: dict[tuple[str, str], str] = {}
    for p in chain.places.places:
        for name in {fold(n) for n in (p.name, *p.aliases)}:
            assert seen.setdefault((p.kind, name), p.name) == p.name, (p.kind, name)


def test_a_location_closed_before_a_merger_keeps_the_code_of_its_day(chain):
    oranje = chain.places.find("coa", "azc Oranje")
    assert oranje.municipality == "GM1731" and oranje.closed == date(2017, 10, 1)
    onnen = chain.places.find("coa", "azc Onnen")
    assert onnen.municipality == "GM0017" and onnen.closed == date(2017, 10, 1)
    assert chain.register.current_code("GM0017", date(2024, 1, 1)) == "GM0014"
