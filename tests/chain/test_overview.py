"""The chain overview (toolkit/chain/overview.toml, loaded by ``_overview`` in model.py): what the
shipped file says, and the refusal of a copy that names a norm or phase the chain does not know.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from toolkit.chain import Overview, load_chain
from toolkit.chain.model import CHAIN_DIR
from toolkit.errors import ChainDefinitionError

CHAIN_FILES = ("chain.toml", "norms.toml", "municipalities.csv", "locations.toml", "reference.toml")
OVERVIEW = "overview.toml"


def _copy(tmp_path: Path, old: str = "", new: str = "", *, overview: bool = True) -> Path:
    """A copy of the shipped chain directory with one edit in overview.toml (or without it)."""
    target = tmp_path / "chain"
    target.mkdir()
    for name in CHAIN_FILES:
        shutil.copy(CHAIN_DIR / name, target / name)
    if overview:
        text = (CHAIN_DIR / OVERVIEW).read_text(encoding="utf-8")
        assert old in text, f"the shipped {OVERVIEW} no longer contains {old!r}; update this test"
        (target / OVERVIEW).write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def _refusal(directory: Path) -> str:
    with pytest.raises(ChainDefinitionError) as caught:
        load_chain(directory)
    return str(caught.value)


def test_the_shipped_overview() -> None:
    overview = load_chain().overview
    assert overview.journey == ("N04", "N10", "N11", "N12", "N08", "N18")
    assert overview.total == ("N04", "N13")
    assert overview.decision_phases == ("aanmelding", "asielprocedure", "beroep")
    assert overview.housing_phases == ("koppeling", "huisvesting")
    assert overview.chain_norm == "N13"


def test_the_journey_and_tiles_name_known_norms_and_phases() -> None:
    chain = load_chain()
    for norm_id in (*chain.overview.journey, *chain.overview.total, chain.overview.chain_norm):
        chain.norm(norm_id)  # raises KeyError for an unknown id
    phases = {p.id for p in chain.phases}
    assert set(chain.overview.decision_phases) <= phases
    assert set(chain.overview.housing_phases) <= phases
    # a person is never waiting for a decision and for a home at once
    assert not set(chain.overview.decision_phases) & set(chain.overview.housing_phases)


def test_an_unmodified_copy_loads_the_same_overview(tmp_path: Path) -> None:
    assert load_chain(_copy(tmp_path)).overview == load_chain().overview


def test_a_chain_without_the_file_has_an_empty_overview(tmp_path: Path) -> None:
    overview = load_chain(_copy(tmp_path, overview=False)).overview
    assert overview == Overview()
    assert (overview.journey, overview.chain_norm) == ((), None)


def test_an_edited_journey_is_read_in_its_order(tmp_path: Path) -> None:
    copy = _copy(tmp_path, 'steps = ["N04", "N10",', 'steps = ["N10", "N04",')
    assert load_chain(copy).overview.journey[:2] == ("N10", "N04")


def test_refuses_an_unknown_norm_in_the_journey(tmp_path: Path) -> None:
    copy = _copy(tmp_path, '"N11", "N12"', '"N11", "N99"')
    message = _refusal(copy)
    assert str(copy / OVERVIEW) in message
    assert "unknown norm 'N99'" in message


def test_refuses_an_unknown_chain_norm(tmp_path: Path) -> None:
    copy = _copy(tmp_path, 'chain_norm = "N13"', 'chain_norm = "N14"')
    message = _refusal(copy)
    assert str(copy / OVERVIEW) in message
    assert "unknown norm 'N14'" in message


def test_refuses_an_unknown_decision_phase(tmp_path: Path) -> None:
    copy = _copy(tmp_path, '"asielprocedure", "beroep"', '"asielprocedure", "bezwaar"')
    message = _refusal(copy)
    assert str(copy / OVERVIEW) in message
    assert "unknown phase 'bezwaar' in kpi.decision_phases" in message


def test_refuses_an_unknown_housing_phase(tmp_path: Path) -> None:
    copy = _copy(tmp_path, 'housing_phases = ["koppeling",', 'housing_phases = ["wachten",')
    message = _refusal(copy)
    assert str(copy / OVERVIEW) in message
    assert "unknown phase 'wachten' in kpi.housing_phases" in message


def test_refuses_an_overview_that_is_not_toml(tmp_path: Path) -> None:
    copy = _copy(tmp_path, "[kpi]", "[kpi")
    message = _refusal(copy)
    assert str(copy / OVERVIEW) in message
    assert "not valid TOML" in message
