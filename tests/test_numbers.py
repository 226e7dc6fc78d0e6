"""Numbers in the notation of each language (toolkit/numbers.py), as Babel writes them."""

from toolkit.numbers import cohort_text, half_year_text, number, q_text


def test_dutch_and_english_notation() -> None:
    assert number(270153.8, "nl") == "270.154"
    assert number(270153.8, "en") == "270,154"
    assert number(12.34, "nl", 1) == "12,3"
    assert number(12.34, "en", 1) == "12.3"
    assert number(-0.04, "nl", 1) == "0,0"


def test_q_values() -> None:
    assert q_text(0.0123, "nl") == "q = 0,012"
    assert q_text(0.0123) == "q = 0.012"
    assert q_text(3.5e-72, "nl") == q_text(0.0, "en") == "q < 1e-16"
    assert q_text(2.8e-9, "nl") == "q = 0,0000000028"


def test_half_years_and_cohorts_in_words() -> None:
    assert half_year_text(2025, 1, "nl") == "1e helft 2025"
    assert half_year_text("2025", 2, "en") == "second half of 2025"
    assert cohort_text("2023H2", "nl") == "2e helft 2023"
    assert cohort_text("2023H1", "en") == "first half of 2023"
    assert cohort_text("onbekend", "nl") == "onbekend"  # not a cohort: as it is
