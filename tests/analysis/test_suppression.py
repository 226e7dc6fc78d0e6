"""Small-group suppression: known answers on tiny tables, then whole analyses in workshop mode."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from toolkit.analysis import (
    DERIVED,
    PERSON_COUNTS,
    Analysis,
    analyze,
    make_scope,
    section,
    suppress_section,
)
from toolkit.filters import LogFilter
from toolkit.metrics.person_table import waiting_population
from toolkit.session import AnalysisSession
from toolkit.suppression import (
    drop_small,
    is_small,
    protect_parts,
    suppress_derived,
    suppress_small,
    suppress_value,
)

K = 10


def small_counts(analysis: Analysis, k: int = K) -> list[tuple[str, str, object]]:
    """Every person count from 1 to k-1 left in an analysis: (table, column, value)."""
    left = []
    for name, table in analysis.tables().items():
        columns = list(PERSON_COUNTS.get(name, ()))
        if name == "wip":
            columns = [c for c in table.columns if c not in ("date", "suppressed")]
        for column in columns:
            if column not in table.columns:
                continue
            values = pd.to_numeric(table[column], errors="coerce")
            left += [(name, column, v) for v in values[(values > 0) & (values < k)]]
    return left


def test_counts_from_one_to_k_minus_one_are_small_zero_is_not():
    assert is_small(pd.Series([0, 1, 9, 10, None]), K).tolist() == [False, True, True, False, False]


def test_cells_and_whole_rows_about_small_groups_are_emptied_and_marked():
    table = pd.DataFrame(
        {
            "interval": ["N04", "N13", "N11"],
            "persons": [40, 6, 25],
            "still_open": [3, 2, 12],
            "median_days": [100.0, 80.0, 30.0],
        }
    )
    out = suppress_small(table, ["persons", "still_open"], K, group="persons", keep=["interval"])
    assert out["interval"].tolist() == ["N04", "N13", "N11"]
    assert out["persons"].tolist() == [40, None, 25]
    assert out["still_open"].tolist() == [None, None, 12]
    assert out["median_days"].tolist() == [100.0, None, 30.0]
    assert out["suppressed"].tolist() == [True, True, False]
    # the input is left alone
    assert table["persons"].tolist() == [40, 6, 25]


def test_rows_whose_label_identifies_are_dropped_and_counted():
    table = pd.DataFrame({"variant": ["a -> b", "a -> c"], "cases": [50, 3]})
    kept, dropped = drop_small(table, "cases", K)
    assert kept["variant"].tolist() == ["a -> b"]
    assert dropped == 1
    assert [suppress_value(v, K) for v in (0, 4, 10, None)] == [0, None, 10, None]


def test_the_small_municipality_has_small_figures_without_workshop_mode(small_open):
    assert small_counts(small_open)
    assert any(f.persons < K for f in small_open.findings)


def test_workshop_mode_leaves_no_count_under_k_in_any_table(small_workshop, workshop_analysis):
    for analysis in (small_workshop, workshop_analysis):
        assert small_counts(analysis) == []
        assert all(f.persons >= K for f in analysis.findings)
        assert analysis.summary["workshop"] is True
    assert small_workshop.summary["findings_suppressed"] > 0


def test_workshop_mode_keeps_what_is_about_enough_persons(chain_analysis, workshop_analysis):
    assert len(workshop_analysis.findings) == sum(f.persons >= K for f in chain_analysis.findings)
    before = chain_analysis.intervals.set_index("interval")
    after = workshop_analysis.intervals.set_index("interval")
    big = before.index[before["persons"] >= K]
    assert after.loc[big, "median_days"].astype(float).tolist() == pytest.approx(
        before.loc[big, "median_days"].tolist(), nan_ok=True
    )


def test_a_hidden_part_cannot_be_worked_out_from_the_total():
    table = pd.DataFrame(
        {"persons": [40, 40, 40], "completed": [30, 31, 40], "still_open": [6, 9, 0],
         "left_chain": [4, 0, 0]}
    )  # fmt: skip
    out = suppress_small(table, ["persons", "completed", "still_open", "left_chain"], K)
    out = protect_parts(out, ["completed", "still_open", "left_chain"])
    # row 1: two small parts hidden already; row 2: 9 hidden, so the smallest other (31) too;
    # row 3: nothing hidden
    assert out["completed"].tolist() == [30, None, 40]
    assert out["still_open"].tolist() == [None, None, 0]
    assert out["left_chain"].tolist() == [None, 0, 0]
    assert out["suppressed"].tolist() == [True, True, False]


def test_a_figure_over_or_giving_away_a_hidden_count_is_emptied():
    table = pd.DataFrame(
        {"persons": [40, 40], "closed": [30, 30], "closed_over": [6, 12],
         "share_closed_over": [0.2, 0.4]}
    )  # fmt: skip
    out = suppress_small(table, ["persons", "closed", "closed_over"], K)
    out = suppress_derived(out, {"share_closed_over": ("closed", "closed_over")})
    # 0.2 x 30 would give the hidden 6 away
    assert out["share_closed_over"].tolist() == [None, 0.4]
    assert out["suppressed"].tolist() == [True, False]


def test_workshop_mode_hides_medians_of_few_finished_persons(small_open, small_workshop):
    before = small_open.intervals.set_index("interval")
    after = small_workshop.intervals.set_index("interval")
    few = before.index[(before["completed"] > 0) & (before["completed"] < K)]
    assert len(few) and before.loc[few, "median_days_completed_only"].notna().all()
    assert after.loc[few, "median_days_completed_only"].isna().all()


def test_no_figure_gives_a_hidden_count_away(small_workshop):
    checked = 0
    for name, figures in DERIVED.items():
        table = getattr(small_workshop, name)
        for figure, counts in figures.items():
            present = [c for c in counts if c in table.columns]
            if figure not in table.columns or not present:
                continue
            hidden = table[present].isna().any(axis=1)
            assert table.loc[hidden, figure].isna().all(), (name, figure)
            checked += int(hidden.sum())
    assert checked > 0


# A half-year cohort as a finding names it ("1e helft 2023"), and the cohorts of a period sentence.
_COHORT = r"([12])e helft (\d{4})"
_PERIOD = re.compile(
    rf"Vooral wie startte (?:van de {_COHORT} tot en met de {_COHORT}|in de {_COHORT})"
)
_STEP = re.compile(rf"{_COHORT}: \d")


def _named_cohorts(finding) -> list[str]:
    """The cohorts (``2023H1``) whose medians a who or trend finding's Dutch text gives."""
    text = finding.explanation_nl
    if finding.family == "trend":
        return [f"{year}H{half}" for half, year in _STEP.findall(text)]
    match = _PERIOD.search(text)
    if not match:
        return []
    parts = [p for p in match.groups() if p]
    first, last = f"{parts[1]}H{parts[0]}", f"{parts[-1]}H{parts[-2]}"
    return [f"{y}H{h}" for y in range(int(first[:4]), int(last[:4]) + 1) for h in (1, 2)
            if first <= f"{y}H{h}" <= last]  # fmt: skip


def _cohort_sizes(table: pd.DataFrame, finding) -> pd.Series:
    """Persons per cohort of the group a finding describes: its unit's, or the whole leg's, of
    those who waited in the chain (the persons whose medians the findings give)."""
    rows = waiting_population(table[table["interval"] == finding.interval])
    if finding.family == "who":
        dimension, value = finding.segment
        rows = rows[rows[dimension] == value]
    return rows.groupby("cohort").size()


def test_a_workshop_finding_gives_no_median_of_a_cohort_under_k(chain_log, chain_analysis):
    """The findings' own groups are of 30 persons or more; with a k above that, the cohorts whose
    medians a finding names (a trend's steps, the run in which a unit was behind) hold k or more.
    Known answer: the analyst's Den Bosch finding names the cohorts 1e helft 2023 to 1e helft
    2024, of 84, 118 and 86 of its persons: named as they are with k = 84, not with k = 85."""
    table = section(make_scope(chain_log), "_table")
    period = [f for f in chain_analysis.findings if f.family == "who" and _named_cohorts(f)]
    assert period, "the analyst's findings name a period in which a unit was behind"
    unit = min(period, key=lambda f: _cohort_sizes(table, f)[_named_cohorts(f)].min())
    smallest = int(_cohort_sizes(table, unit)[_named_cohorts(unit)].min())
    assert smallest > 30
    for k in (smallest, smallest + 1):
        shown = analyze(chain_log, workshop=True, k=k)
        for f in shown.findings:
            if f.family in ("who", "trend"):
                assert (_cohort_sizes(table, f)[_named_cohorts(f)] >= k).all(), (k, f.title_nl)
        (same,) = [f for f in shown.findings if f.segment == unit.segment]
        assert (_named_cohorts(same) == _named_cohorts(unit)) == (k == smallest)
    # the dashboard's session computes the findings for its k as analyze does
    session = AnalysisSession(chain_log, workshop=True, k=smallest + 1)
    found = session.get(LogFilter(), "findings")
    assert [f.to_dict() for f in found] == [f.to_dict() for f in shown.findings]


def test_no_two_figures_of_a_workshop_finding_give_its_true_count_back(chain_log, chain_analysis):
    """A who finding gives its excess person-days and its days per person, a trend its rise and
    its impact, a rework finding its rate, the rate elsewhere and its extra relocations: together
    they make a count, so they are made from the perturbed count a workshop sees, never from the
    true one."""
    shown = analyze(chain_log, workshop=True)
    true = {(f.family, f.interval, f.segment): f for f in chain_analysis.findings}
    perturbed = 0
    for f in shown.findings:
        before = true[(f.family, f.interval, f.segment)]
        if f.family == "who":
            assert f.excess_person_days / f.value == pytest.approx(f.persons)
            said = re.search(r"gemiddeld (\d+) dagen per persoon", f.title_nl).group(1)
            assert said == f"{f.value:.0f}" and f"gemiddeld {said} per persoon" in f.explanation_nl
        elif f.family == "trend":
            assert f.excess_person_days == pytest.approx((f.value - f.benchmark) * f.persons)
        elif f.family == "rework":  # the rate, the rate elsewhere and the extra relocations
            shown_count = int(re.search(r"([\d.]+) overplaatsingen van", f.explanation_nl)
                              .group(1).replace(".", ""))  # fmt: skip
            assert f.value * f.excess_events / (f.value - f.benchmark) == pytest.approx(shown_count)
            true_count = before.value * before.excess_events / (before.value - before.benchmark)
            perturbed += round(true_count) != shown_count
            continue
        else:
            continue
        perturbed += f.persons != before.persons
    assert perturbed, "a count was perturbed: else the test shows nothing"


def test_an_optional_steps_share_is_checked_against_who_took_it():
    """N15's share over the norm is of the persons who filed (97 of 1,468 here, 3 of them late):
    0,03 of 97 is 3 persons, hidden, though 0,03 of all 1,468 would be 44. N13's share is of all
    its persons and stays."""
    table = pd.DataFrame(
        {"interval": ["N13", "N15"], "persons": [1455, 1468], "completed": [144, 97],
         "still_open": [1186, 1371], "left_chain": [125, 0], "inferred_end": [0, 0],
         "median_days": [None, None], "share_over_norm": [0.854682, 3 / 97]}
    )  # fmt: skip
    shown = suppress_section("intervals", table, 10).set_index("interval")
    assert shown.loc["N15", "share_over_norm"] is None
    assert shown.loc["N13", "share_over_norm"] == pytest.approx(0.854682)


def test_a_norm_findings_text_shows_no_count_its_norms_row_hides(chain_analysis):
    """A norm-breach finding counts those finished past the norm and those waiting past it, as
    the norm table's row does. Known answer: with 9 of the persons still waiting within the norm
    (still waiting minus overdue), the row hides the overdue, and with them those finished past
    the norm (their sum is shown); the text may not give them either."""
    finding = next(f for f in chain_analysis.findings if f.kind == "norm_breach")
    norms = chain_analysis.norms.copy()
    row = norms["interval"] == finding.interval
    norms.loc[row, "still_open"] = norms.loc[row, "overdue_now"] + 9
    shown_row = suppress_section("norms", norms, 10).set_index("interval").loc[finding.interval]
    assert shown_row[["closed_over", "overdue_now"]].isna().all()
    (shown,) = suppress_section("findings", [finding], 10, norms=norms)
    assert shown.explanation_nl.startswith("(verborgen: de toelichting telt een deel van minder "
                                           "dan 10 personen")  # fmt: skip
    (kept,) = suppress_section("findings", [finding], 10, norms=chain_analysis.norms)
    assert kept.explanation_nl == finding.explanation_nl  # nothing hidden: the text as it was


def test_the_events_of_rework_do_not_bound_a_hidden_bucket():
    """129 persons refused a home 154 times, 107 of them once: with the 2 who refused three
    times or more hidden (and the 20 who refused twice, so that 2 is not 22 - 20), the 154
    events would still say that at most 3 refused more than twice. They are hidden too."""
    table = pd.DataFrame(
        {"kind": ["refused_offer", "relocation"], "activity": ["gem_woning_geweigerd",
         "coa_overplaatsing"], "persons": [129, 3353], "events": [154, 9451],
         "persons_0": [3000, 16], "persons_1": [107, 883], "persons_2": [20, 740],
         "persons_3+": [2, 1730]}
    )  # fmt: skip
    shown = suppress_section("rework", table, 10).set_index("kind")
    assert shown.loc["refused_offer", ["persons_2", "persons_3+", "events"]].isna().all()
    assert shown.loc["relocation", "events"] == 9451  # nothing hidden: the events stay
