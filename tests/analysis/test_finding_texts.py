"""The findings' Dutch texts write numbers the Dutch way and the English texts the English way."""

import re

ENGLISH_DECIMAL = re.compile(r"\b\d+\.\d{1,2}\b(?!\.\d)")
DUTCH_DECIMAL = re.compile(r"\b\d+,\d{1,2}\b(?!,\d)")
UNGROUPED = re.compile(r"(?<![\d.,])\d{4,}(?![\d.,])")  # 270154 instead of 270.154


def test_numbers_in_the_findings_texts(chain_analysis) -> None:
    findings = chain_analysis.findings
    assert findings
    for f in findings:
        dutch = f"{f.title_nl} {f.explanation_nl}"
        english = f"{f.title_en} {f.explanation_en}"
        assert not ENGLISH_DECIMAL.search(dutch), dutch
        assert not DUTCH_DECIMAL.search(english), english
        for text in (dutch, english):
            # a year is a year: the cohort "1e helft 2023", "second half of 2023"
            found = [
                n for n in UNGROUPED.findall(text) if not re.search(rf"(helft|half of) {n}", text)
            ]
            assert not found, text
