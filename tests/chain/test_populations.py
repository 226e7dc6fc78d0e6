"""The population per 1 January in the register, against national figures CBS published."""

from datetime import date
from pathlib import Path

import pytest

from toolkit.chain import load_chain
from toolkit.chain.register import read_municipalities
from toolkit.errors import ChainDefinitionError

YEARS = range(2016, 2025)
# The national population on 1 January as CBS published it, from publications other than the
# table the municipal figures come from: "Op 1 januari 2016 telde Nederland ruim 16,98 miljoen
# inwoners" (detailhandel.info, kerngegevens, after CBS); "bijna 17,1 miljoen" at the start of
# 2017 (CBS via NRC, 3 January 2017); "ruim 17,4 miljoen" at the start of 2020 (CBS ramingen via
# De Gelderlander, January 2020); 17,8 miljoen on 1 January 2023 (Compendium voor de
# Leefomgeving, PBL/CBS); 17,98 miljoen on 1 July 2024 after growing by 39.000 in the first half
# of 2024 (CBS via NOS), so 17,94 miljoen on 1 January 2024.
CBS_NATIONAL = {
    2016: 16_980_000,
    2017: 17_100_000,
    2020: 17_400_000,
    2023: 17_800_000,
    2024: 17_941_000,
}
TOLERANCE = 0.005


@pytest.fixture(scope="module")
def register():
    return load_chain().register


@pytest.mark.parametrize(("year", "national"), sorted(CBS_NATIONAL.items()))
def test_municipalities_add_up_to_the_national_population(register, year, national):
    total = sum(register.populations[m.code][year] for m in register.on(date(year, 1, 1)))
    assert total == pytest.approx(national, rel=TOLERANCE)


@pytest.mark.parametrize("year", YEARS)
def test_every_municipality_of_1_january_has_a_figure_for_that_year(register, year):
    living = {m.code for m in register.on(date(year, 1, 1))}
    with_figure = {code for code, years in register.populations.items() if year in years}
    assert with_figure == living


def test_a_year_without_a_figure_takes_the_nearest_one(register):
    # Appingedam merged into Eemsdelta on 1 January 2021: its last figure is that of 2020
    assert register.population("GM0003", 2024) == register.populations["GM0003"][2020]
    # Eemsdelta came into being in 2021: its first figure is that of 2021
    assert register.population("GM1979", 2019) == register.populations["GM1979"][2021]
    # past the data, the latest year
    assert register.population("GM0363", 2026) == register.populations["GM0363"][2024]


def test_a_merger_keeps_the_people(register):
    # the three municipalities of 2020 and Eemsdelta of 2021 cover the same area
    before = sum(register.populations[c][2020] for c in ("GM0003", "GM0010", "GM0024"))
    assert register.populations["GM1979"][2021] == pytest.approx(before, rel=0.02)


def _files(tmp_path: Path, populations: str) -> tuple[Path, Path]:
    munis = tmp_path / "municipalities.csv"
    munis.write_text(
        "code,name,province,valid_from,valid_until,successor,aliases\n"
        "GM0001,A,X,,2020-01-01,GM0002,\nGM0002,B,X,2020-01-01,,,\n",
        encoding="utf-8",
    )
    pops = tmp_path / "populations.csv"
    pops.write_text("# source\ncode,year,population\n" + populations, encoding="utf-8")
    return munis, pops


def test_a_figure_for_a_year_the_municipality_did_not_exist_is_refused(tmp_path):
    with pytest.raises(ChainDefinitionError, match="did not exist on 1 January 2020"):
        read_municipalities(*_files(tmp_path, "GM0001,2019,100\nGM0001,2020,100\n"))


def test_an_unknown_code_or_a_second_figure_is_refused(tmp_path):
    with pytest.raises(ChainDefinitionError, match="not in the register"):
        read_municipalities(*_files(tmp_path, "GM0009,2019,100\n"))
    with pytest.raises(ChainDefinitionError, match="second figure"):
        read_municipalities(*_files(tmp_path, "GM0002,2021,100\nGM0002,2021,101\n"))
