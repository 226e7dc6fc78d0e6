"""Known-answer tests of the chain loader (toolkit/chain/model.py) and the shipped chain TOML.

The shipped files must load and mean what docs/norms.md says; a copy of the chain directory with
one inconsistency must be refused with a message that names the file and the entry.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from toolkit.chain import Chain, load_chain
from toolkit.chain.model import CHAIN_DIR, DAYS_PER_UNIT
from toolkit.errors import ChainDefinitionError

# pm4py's alignment code still uses numpy.matrix; its warnings say nothing about the chain.
pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")

CHAIN_FILES = ("chain.toml", "norms.toml", "municipalities.csv", "locations.toml", "reference.toml")

# Paths through the chain, as canonical activity ids, for conformance known answers.
ASIEL_START = [
    "ind_aanmelding",
    "coa_instroom",
    "ind_aanvraag",
    "ind_aanmeldgehoor",
    "ind_spoortoedeling",
]
AA_START = [*ASIEL_START, "ind_rvt_start", "ind_nader_gehoor"]
HOUSING_START = [
    "ind_vergunning_uitgereikt",
    "coa_koppeling",
    "gem_koppeling_ontvangen",
]
HOUSING_END = [
    "gem_huurcontract_getekend",
    "coa_uitstroom_gemeente",
    "gem_verhuisd",
    "gem_inschrijving_brp",
]
HOUSING = [*HOUSING_START, "gem_woning_aangeboden", *HOUSING_END]
CONFORMING_TRACES = {
    "grant, housed": [*AA_START, "ind_beschikking_inwilliging", *HOUSING],
    "grant via the extended procedure, nareis granted": [
        *AA_START,
        "ind_doorzending_va",
        "ind_beschikking_inwilliging",
        "ind_vergunning_uitgereikt",
        "ind_nareis_aanvraag",
        "coa_koppeling",
        "gem_koppeling_ontvangen",
        "gem_woning_aangeboden",
        "ind_nareis_besluit_inwilliging",
        "gem_huurcontract_getekend",
        "gem_verhuisd",
        "coa_uitstroom_gemeente",
        "gem_inschrijving_brp",
    ],
    "dublin transfer": [
        *ASIEL_START,
        "ind_dublin_claim",
        "ind_dublin_overdracht",
        "coa_uitstroom_vertrek",
    ],
    "rejected, leaves": [
        *AA_START,
        "ind_voornemen",
        "ind_zienswijze",
        "ind_beschikking_afwijzing",
        "coa_uitstroom_vertrek",
    ],
    "rejected, appeal dismissed": [
        *AA_START,
        "ind_beschikking_afwijzing",
        "ind_beroep_ingesteld",
        "ind_uitspraak_ongegrond",
        "coa_uitstroom_vertrek",
    ],
    "rejected, appeal upheld, granted, housed": [
        *AA_START,
        "ind_beschikking_afwijzing",
        "ind_beroep_ingesteld",
        "ind_uitspraak_gegrond",
        "ind_beschikking_inwilliging",
        *HOUSING,
    ],
    "nareiziger joins the referent's home": [
        "ind_nareiziger_inreis",
        "coa_instroom",
        *HOUSING_START,
        "coa_uitstroom_gemeente",
        "gem_verhuisd",
        "gem_inschrijving_brp",
    ],
    "safe country, rejected, leaves with unknown destination": [
        *ASIEL_START,
        "ind_beschikking_afwijzing",
        "coa_uitstroom_mob",
    ],
    "dublin claim fails, general procedure, granted": [
        *ASIEL_START,
        "ind_dublin_claim",
        "ind_spoortoedeling",
        "ind_rvt_start",
        "ind_nader_gehoor",
        "ind_beschikking_inwilliging",
        *HOUSING,
    ],
    "appeal upheld, rejected again, leaves": [
        *AA_START,
        "ind_beschikking_afwijzing",
        "ind_beroep_ingesteld",
        "ind_uitspraak_gegrond",
        "ind_beschikking_afwijzing",
        "coa_uitstroom_vertrek",
    ],
    "not processed, leaves": [
        *AA_START,
        "ind_beschikking_buiten_behandeling",
        "coa_uitstroom_mob",
    ],
}
DEVIATING_TRACES = {
    "ruling dated before its appeal": [
        *AA_START,
        "ind_beschikking_afwijzing",
        "ind_uitspraak_ongegrond",
        "ind_beroep_ingesteld",
        "coa_uitstroom_vertrek",
    ],
    "housed without a koppeling": [
        *AA_START,
        "ind_beschikking_inwilliging",
        "ind_vergunning_uitgereikt",
        "gem_woning_aangeboden",
        *HOUSING_END,
    ],
    "detailed interview before the rest period": [
        *ASIEL_START,
        "ind_nader_gehoor",
        "ind_rvt_start",
        "ind_beschikking_inwilliging",
        *HOUSING,
    ],
}


@pytest.fixture(scope="module")
def chain() -> Chain:
    return load_chain()


def _fitness(chain: Chain, traces: dict[str, list[str]]) -> dict[str, float]:
    """Alignment fitness of each trace against the reference process (1.0 = fits exactly)."""
    import pm4py
    from pm4py.objects.process_tree.utils.generic import parse

    net, im, fm = pm4py.convert_to_petri_net(parse(chain.reference_tree))
    start = pd.Timestamp("2024-01-01", tz="UTC")
    rows = [
        {
            "case:concept:name": name,
            "concept:name": activity,
            "time:timestamp": start + pd.Timedelta(days=i),
        }
        for name, trace in traces.items()
        for i, activity in enumerate(trace)
    ]
    frame = pd.DataFrame(rows)
    # one trace at a time: the order of pm4py's results is not tied to the order of the cases
    return {
        name: pm4py.conformance_diagnostics_alignments(
            frame[frame["case:concept:name"] == name], net, im, fm
        )[0]["fitness"]
        for name in traces
    }


def _copy_with(tmp_path: Path, file_name: str, old: str, new: str) -> Path:
    """A copy of the shipped chain directory with one edit in one file."""
    target = tmp_path / "chain"
    target.mkdir()
    for name in CHAIN_FILES:
        shutil.copy(CHAIN_DIR / name, target / name)
    path = target / file_name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the shipped {file_name} no longer contains {old!r}; update this test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def _refusal(directory: Path) -> str:
    with pytest.raises(ChainDefinitionError) as caught:
        load_chain(directory)
    return str(caught.value)


# ------------------------------------------------------------------ the shipped files


def test_shipped_files_load(chain: Chain) -> None:
    assert [p.id for p in chain.phases] == [
        "aanmelding",
        "asielprocedure",
        "beroep",
        "koppeling",
        "huisvesting",
        "start_gemeente",
        "nareis",
        "vertrek",
    ]
    assert {o.id for o in chain.organisations if o.active} == {"IND", "COA", "GEMEENTE"}
    assert len(chain.activities) == 43
    assert len(chain.activity_ids) == len(chain.activities)
    assert [n.id for n in chain.norms] == [
        "N01",
        "N03",
        "N04",
        "N05",
        "N06",
        "N08",
        "N10",
        "N11",
        "N12",
        "N13",
        "N15",
        "N16",
        "N18",
        "N20",
    ]
    assert chain.activity("coa_koppeling").label_nl == "Koppeling aan gemeente"
    assert chain.activity("coa_koppeling").label("en") == "Linked to a municipality"
    assert chain.municipality("GM0363").name == "Amsterdam"


def test_an_unmodified_copy_loads_the_same(tmp_path: Path, chain: Chain) -> None:
    copy = _copy_with(tmp_path, "norms.toml", "", "")
    loaded = load_chain(copy)
    assert loaded.activity_ids == chain.activity_ids
    assert loaded.norms == chain.norms
    assert loaded.reference_tree == chain.reference_tree


def test_n13_is_14_weeks_of_98_days(chain: Chain) -> None:
    n13 = chain.norm("N13")
    assert (n13.value, n13.unit, n13.kind) == (14, "weeks", "agreed")
    assert n13.days == 98.0
    assert n13.from_activities == ("ind_beschikking_inwilliging", "ind_nareiziger_inreis")
    assert n13.to_activities == ("coa_uitstroom_gemeente",)


def test_n04_is_6_months_of_182_625_days(chain: Chain) -> None:
    n04 = chain.norm("N04")
    assert (n04.value, n04.unit, n04.kind) == (6, "months", "legal")
    assert DAYS_PER_UNIT["months"] == 365.25 / 12
    assert n04.days == 182.625
    assert chain.norm("N05").days == pytest.approx(456.5625)


def test_n13_is_the_sum_of_its_parts(chain: Chain) -> None:
    parts = sum(chain.norm(n).days for n in ("N10", "N11", "N12"))
    assert parts == chain.norm("N13").days


def test_n01_is_a_minimum_and_the_rest_maxima(chain: Chain) -> None:
    assert {n.id for n in chain.norms if n.direction == "minimum"} == {"N01"}


def test_every_norm_names_existing_activities(chain: Chain) -> None:
    for norm in chain.norms:
        assert norm.from_activities, norm.id
        assert norm.to_activities, norm.id
        for activity in (*norm.from_activities, *norm.to_activities):
            assert activity in chain.activity_ids, f"{norm.id}: {activity}"
        assert norm.sources, f"{norm.id} cites no source"


def test_every_activity_has_a_known_organisation_and_phase(chain: Chain) -> None:
    phases = {p.id for p in chain.phases}
    organisations = {o.id for o in chain.organisations}
    for activity in chain.activities:
        assert activity.phase in phases
        assert activity.organisation in organisations


def test_unknown_ids_raise_a_clear_key_error(chain: Chain) -> None:
    with pytest.raises(KeyError, match="unknown norm 'N99'"):
        chain.norm("N99")
    with pytest.raises(KeyError, match="unknown activity 'ind_besluit'"):
        chain.activity("ind_besluit")


def test_municipality_by_name_folds_case_and_whitespace(chain: Chain) -> None:
    assert chain.municipality_by_name("  den   HAAG ").code == "GM0518"
    assert chain.municipality_by_name("Nergenshuizen") is None


# ------------------------------------------------------------------ the reference process


def test_reference_activities_exist(chain: Chain) -> None:
    named = chain.reference_activities()
    assert named <= chain.activity_ids
    assert {"ind_aanmelding", "coa_koppeling", "ind_nareiziger_inreis"} <= named
    assert "coa_overplaatsing" not in named
    assert "{" not in chain.reference_tree


def test_reference_tree_parses_with_pm4py_and_converts_to_a_petri_net(chain: Chain) -> None:
    import pm4py
    from pm4py.objects.process_tree.utils.generic import parse

    tree = parse(chain.reference_tree)
    net, initial, final = pm4py.convert_to_petri_net(tree)
    visible = {t.label for t in net.transitions if t.label is not None}
    assert visible == chain.reference_activities()
    assert len(initial) == 1
    assert len(final) == 1


def test_conforming_paths_fit_the_reference_exactly(chain: Chain) -> None:
    fitness = _fitness(chain, CONFORMING_TRACES)
    assert fitness == dict.fromkeys(CONFORMING_TRACES, 1.0)


def test_deviating_paths_do_not_fit_the_reference(chain: Chain) -> None:
    fitness = _fitness(chain, DEVIATING_TRACES)
    for name, value in fitness.items():
        assert value < 1.0, name


def test_a_refused_offer_followed_by_a_new_offer_fits(chain: Chain) -> None:
    offers = [
        "gem_woning_aangeboden",
        "gem_woning_geweigerd",
        "gem_woning_aangeboden",
    ]
    trace = [*AA_START, "ind_beschikking_inwilliging", *HOUSING_START, *offers, *HOUSING_END]
    assert _fitness(chain, {"one refusal": trace}) == {"one refusal": 1.0}


# ------------------------------------------------------------------ inconsistent copies


def test_refuses_an_unknown_activity_in_a_norm(tmp_path: Path) -> None:
    copy = _copy_with(
        tmp_path, "norms.toml", 'to = ["ind_nader_gehoor"]', 'to = ["ind_nadergehoor"]'
    )
    message = _refusal(copy)
    assert str(copy / "norms.toml") in message
    assert "norm N01" in message
    assert "unknown activity 'ind_nadergehoor' in 'to'" in message


def test_refuses_a_duplicate_activity_id(tmp_path: Path) -> None:
    duplicate = (
        '\n[[activity]]\nid = "coa_koppeling"\nlabel_nl = "Nog een koppeling"\n'
        'label_en = "Another link"\norganisation = "COA"\nphase = "huisvesting"\n'
    )
    copy = _copy_with(
        tmp_path,
        "chain.toml",
        "# ---------------------------------------------------------------- COA",
        duplicate,
    )
    message = _refusal(copy)
    assert str(copy / "chain.toml") in message
    assert "[[activity]]" in message
    assert "duplicate id 'coa_koppeling'" in message


def test_refuses_an_unknown_phase(tmp_path: Path) -> None:
    copy = _copy_with(
        tmp_path,
        "chain.toml",
        'id = "coa_instroom"\nlabel_nl = "Instroom COA-opvang"\nlabel_en = "Enters COA reception"\n'
        'organisation = "COA"\nphase = "aanmelding"',
        'id = "coa_instroom"\nlabel_nl = "Instroom COA-opvang"\nlabel_en = "Enters COA reception"\n'
        'organisation = "COA"\nphase = "opvang"',
    )
    message = _refusal(copy)
    assert str(copy / "chain.toml") in message
    assert "activity coa_instroom" in message
    assert "unknown phase 'opvang'" in message


def test_refuses_an_unknown_activity_in_the_reference_tree(tmp_path: Path) -> None:
    copy = _copy_with(
        tmp_path, "reference.toml", "'gem_inschrijving_brp'", "'gem_inschrijving_bpr'"
    )
    message = _refusal(copy)
    assert str(copy / "reference.toml") in message
    assert "unknown activity 'gem_inschrijving_bpr' in the tree" in message


def test_refuses_a_tree_with_an_unclosed_parenthesis(tmp_path: Path) -> None:
    copy = _copy_with(
        tmp_path,
        "reference.toml",
        'tree = "X( {asiel}, {nareiziger} )"',
        'tree = "X( {asiel}, {nareiziger} "',
    )
    message = _refusal(copy)
    assert str(copy / "reference.toml") in message
    assert "1 '(' not closed" in message


def test_refuses_a_tree_that_closes_more_than_it_opens(tmp_path: Path) -> None:
    copy = _copy_with(
        tmp_path,
        "reference.toml",
        'tree = "X( {asiel}, {nareiziger} )"',
        'tree = "X( {asiel}, {nareiziger} ) )"',
    )
    message = _refusal(copy)
    assert str(copy / "reference.toml") in message
    assert "a ')' closes more than was opened" in message


def test_refuses_an_unknown_fragment(tmp_path: Path) -> None:
    copy = _copy_with(tmp_path, "reference.toml", "{nareiziger} )", "{nareizigers} )")
    message = _refusal(copy)
    assert str(copy / "reference.toml") in message
    assert "unknown fragment {nareizigers}" in message


def test_refuses_a_bad_unit(tmp_path: Path) -> None:
    copy = _copy_with(
        tmp_path, "norms.toml", 'value = 14\nunit = "weeks"', 'value = 14\nunit = "fortnights"'
    )
    message = _refusal(copy)
    assert str(copy / "norms.toml") in message
    assert "norm N13" in message
    assert "unit 'fortnights' is not one of days, weeks, months" in message


def test_refuses_a_bad_kind(tmp_path: Path) -> None:
    copy = _copy_with(
        tmp_path,
        "norms.toml",
        'unit = "weeks"\nkind = "agreed"',
        'unit = "weeks"\nkind = "advised"',
    )
    message = _refusal(copy)
    assert str(copy / "norms.toml") in message
    assert "norm N10" in message
    assert "kind 'advised' is not legal or agreed" in message
