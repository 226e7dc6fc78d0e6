"""Known answers for toolkit/mining/conformance.py against the reference chain process.

Paths are written as canonical activity ids, one event per day. A path that follows the
reference exactly has fitness 1.0; one that skips the koppeling has less, and says so.
"""

from __future__ import annotations

import pandas as pd
import pytest
from mining_logs import path_log, shuffled

from toolkit.mining.conformance import (
    conformance_of_cases,
    conformance_to_model,
    conformance_to_reference,
)

pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")

AA_START = [
    "ind_aanmelding",
    "coa_instroom",
    "ind_aanvraag",
    "ind_aanmeldgehoor",
    "ind_spoortoedeling",
    "ind_rvt_start",
    "ind_nader_gehoor",
]
HOUSING_TAIL = [
    "gem_woning_aangeboden",
    "gem_huurcontract_getekend",
    "gem_verhuisd",
    "coa_uitstroom_gemeente",
    "gem_inschrijving_brp",
]
GRANTED = [
    *AA_START,
    "ind_beschikking_inwilliging",
    "ind_vergunning_uitgereikt",
    "coa_koppeling",
    "gem_koppeling_ontvangen",
    *HOUSING_TAIL,
]
WITHOUT_KOPPELING = [
    *AA_START,
    "ind_beschikking_inwilliging",
    "ind_vergunning_uitgereikt",
    *HOUSING_TAIL,
]
REJECTED_LEAVES = [
    *AA_START,
    "ind_voornemen",
    "ind_zienswijze",
    "ind_beschikking_afwijzing",
    "coa_uitstroom_vertrek",
]
UNDER_WAY = [*AA_START, "ind_beschikking_inwilliging", "ind_vergunning_uitgereikt"]
SWAPPED_INTERVIEWS = [
    *AA_START[:5],
    "ind_nader_gehoor",
    "ind_rvt_start",
    "ind_voornemen",
    "ind_zienswijze",
    "ind_beschikking_afwijzing",
    "coa_uitstroom_vertrek",
]


def _case(result, name: str) -> pd.Series:
    return result.cases.set_index("case").loc[name]


def test_a_path_that_follows_the_reference_fits_exactly() -> None:
    result = conformance_to_reference(path_log({"granted": GRANTED, "left": REJECTED_LEAVES}))
    assert result.log_fitness == 1.0
    assert result.fitting_share == 1.0
    assert result.on_track_share == 1.0
    assert result.cases["fitness"].tolist() == [1.0, 1.0]
    assert result.deviations.empty


def test_skipping_the_koppeling_lowers_fitness_and_names_it() -> None:
    result = conformance_to_reference(path_log({"skip": WITHOUT_KOPPELING}))
    case = _case(result, "skip")
    # 2 deviating moves; the worst case is every one of its 14 events out of place plus the
    # model's shortest complete path (safe country, rejected, leaves: 7 steps).
    assert case["fitness"] == pytest.approx(1 - 2 / (14 + 7))
    assert case["fitness"] < 1.0
    assert not case["fits"]
    assert not case["on_track"]
    assert case["skipped"] == ("coa_koppeling", "gem_koppeling_ontvangen")
    assert case["unexpected"] == ()
    assert set(result.deviations["activity"]) == {"coa_koppeling", "gem_koppeling_ontvangen"}
    assert set(result.deviations["kind"]) == {"skipped"}
    assert result.deviations["cases"].tolist() == [1, 1]


def test_a_person_under_way_is_on_track_with_the_steps_to_come() -> None:
    result = conformance_to_reference(path_log({"busy": UNDER_WAY}))
    case = _case(result, "busy")
    assert case["on_track"]
    assert not case["fits"]
    assert case["unexpected"] == ()
    assert case["skipped"] == ()
    assert case["still_expected"] == (
        "coa_koppeling",
        "gem_koppeling_ontvangen",
        "gem_woning_aangeboden",
        "gem_huurcontract_getekend",
        "coa_uitstroom_gemeente",
        "gem_verhuisd",
        "gem_inschrijving_brp",
    )
    assert result.on_track_share == 1.0
    # A complete alignment would call the permit wrong (a rejection completes the path sooner);
    # the prefix alignment shows the person is on track.
    assert result.fitting_share == 0.0


def test_events_in_the_wrong_order_are_unexpected() -> None:
    result = conformance_to_reference(path_log({"swap": SWAPPED_INTERVIEWS}))
    case = _case(result, "swap")
    # Tie-breaker: of two events in the wrong order, the later one is the unexpected one.
    assert case["unexpected"] == ("ind_rvt_start",)
    assert case["skipped"] == ("ind_rvt_start",)
    assert case["fitness"] < 1.0


def test_the_answer_is_the_same_every_time() -> None:
    log = path_log({"swap": SWAPPED_INTERVIEWS, "busy": UNDER_WAY, "skip": WITHOUT_KOPPELING})
    first = conformance_to_reference(log)
    for _ in range(3):
        again = conformance_to_reference(log)
        pd.testing.assert_frame_equal(again.cases, first.cases)
        pd.testing.assert_frame_equal(again.deviations, first.deviations)


def test_activities_outside_the_reference_neither_help_nor_hurt() -> None:
    with_relocation = [*GRANTED[:3], "coa_overplaatsing", *GRANTED[3:], "gem_start_inburgering"]
    result = conformance_to_reference(path_log({"moved": with_relocation}))
    case = _case(result, "moved")
    assert case["fitness"] == 1.0
    assert case["outside_model"] == 2
    assert case["events"] == len(GRANTED)


def test_a_person_without_reference_activities_is_counted_not_scored() -> None:
    result = conformance_to_reference(
        path_log({"ok": GRANTED, "only_moves": ["coa_overplaatsing", "coa_overplaatsing"]})
    )
    assert result.unreplayed_cases == 1
    assert result.cases["case"].tolist() == ["ok"]
    assert result.fitting_share == 1.0
    nothing = conformance_to_reference(path_log({"only_moves": ["coa_overplaatsing"]}))
    assert nothing.cases.empty
    assert nothing.deviations.empty
    assert nothing.unreplayed_cases == 1


def test_figures_over_several_persons() -> None:
    paths = {"a": GRANTED, "b": GRANTED, "c": WITHOUT_KOPPELING, "d": UNDER_WAY}
    result = conformance_to_reference(path_log(paths))
    assert result.fitting_share == 0.5
    assert result.on_track_share == 0.75
    cases = result.cases
    expected = 1 - cases["cost"].sum() / cases["worst_cost"].sum()
    assert result.log_fitness == pytest.approx(expected)
    assert result.mean_case_fitness == pytest.approx(cases["fitness"].mean())
    # Two persons with the same path are aligned once and get the same answer.
    assert cases.loc[cases["case"].isin(["a", "b"]), "fitness"].tolist() == [1.0, 1.0]


def test_row_order_does_not_change_conformance() -> None:
    log = path_log({"skip": WITHOUT_KOPPELING, "ok": GRANTED, "busy": UNDER_WAY})
    expected = conformance_to_reference(log)
    result = conformance_to_reference(shuffled(log))
    pd.testing.assert_frame_equal(result.cases, expected.cases)
    pd.testing.assert_frame_equal(result.deviations, expected.deviations)


def test_case_fitness_equals_pm4py_alignment_fitness() -> None:
    import pm4py

    from toolkit.mining.conformance import reference_net

    paths = {"ok": GRANTED, "skip": WITHOUT_KOPPELING, "swap": SWAPPED_INTERVIEWS}
    log = path_log(paths)
    ours = conformance_to_reference(log).cases.set_index("case")["fitness"]
    net, initial, final = reference_net()
    theirs = pm4py.conformance_diagnostics_alignments(log, net, initial, final)
    # pm4py returns one result per case in the order of first appearance.
    for name, result in zip(paths, theirs, strict=True):
        assert ours[name] == pytest.approx(result["fitness"])


def test_a_model_given_as_a_petri_net() -> None:
    import pm4py

    log = path_log({"a": ["x", "y", "z"], "b": ["x", "z", "y"]})
    net, initial, final = pm4py.discover_petri_net_inductive(log.iloc[:3])
    result = conformance_to_model(log, net, initial, final)
    assert _case(result, "a")["fits"]
    # x, z, y against x -> y -> z: so far x and y with a stray z, and z still to come.
    assert _case(result, "b")["unexpected"] == ("z",)
    assert _case(result, "b")["still_expected"] == ("z",)
    assert result.fitting_share == 0.5


def test_a_path_over_the_time_limit_is_counted_not_guessed() -> None:
    result = conformance_to_reference(
        path_log({"a": GRANTED, "b": UNDER_WAY}), max_seconds_per_path=0.0
    )
    assert result.unaligned_cases == 2
    assert result.cases["aligned"].tolist() == [False, False]
    assert result.cases["fitness"].isna().all()
    assert result.deviations.empty


def _cases(paths: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """case_variants's columns that conformance reads, for paths given by hand."""
    return pd.DataFrame(
        {
            "case": list(paths),
            "activities": list(paths.values()),
            "variant": [" -> ".join(p) for p in paths.values()],
            "events": [len(p) for p in paths.values()],
        }
    )


def _checked(cases: pd.DataFrame, tree: str, max_paths: int) -> list[str]:
    import pm4py
    from pm4py.objects.process_tree.utils.generic import parse

    net = pm4py.convert_to_petri_net(parse(tree))
    result = conformance_of_cases(cases, *net, max_paths=max_paths)
    assert result.sampled == (len(result.cases) < len(cases))
    return sorted(result.cases["case"])


def test_with_a_limit_the_persons_on_the_most_common_paths_are_checked() -> None:
    cases = _cases({"d": ("x",), "a": ("x",), "c": ("y",), "b": ("z",), "e": ("x",)})
    tree = "X( 'x', 'y', 'z' )"
    # path x has 3 persons; y and z one each, tied, so y first (path order)
    assert _checked(cases, tree, 1) == ["a", "d", "e"]
    assert _checked(cases, tree, 2) == ["a", "c", "d", "e"]
    assert _checked(cases, tree, 3) == ["a", "b", "c", "d", "e"]


def test_paths_are_counted_as_the_model_sees_them() -> None:
    cases = _cases({"a": ("p", "r", "q"), "b": ("p", "q"), "c": ("p", "s")})
    # without r (not in the model) a and b follow the same path, the most common one
    assert _checked(cases, "->( 'p', X( 'q', 's' ) )", 1) == ["a", "b"]
