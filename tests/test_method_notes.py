"""Method notes in the reader's language: by topic, and only the note the text translates."""

from __future__ import annotations

import pandas as pd

from toolkit.analysis import method_notes
from toolkit.filters import LogFilter
from toolkit.method_notes import method_note, topic_name

MOMENT = pd.Timestamp("2025-06-30T22:00Z")


def _notes(chain_log: bool) -> dict[str, str]:
    return {n["topic"]: n["note"] for n in method_notes(chain_log, MOMENT, LogFilter())}


def test_a_chain_logs_notes_read_in_dutch():
    notes = _notes(True)
    said = method_note("end of the data", notes["end of the data"], "nl", as_of="30 juni 2025")
    assert said.startswith("Alles is gemeten tot en met 30 juni 2025; wie dan nog wacht")
    for topic, note in notes.items():  # every topic of the chain's analysis has a Dutch text
        assert method_note(topic, note, "nl", as_of="30 juni 2025") != note, topic
    assert topic_name("who is behind", "nl") == "wie loopt achter"


def test_a_note_of_another_process_is_not_given_the_chains_text():
    """A log of another process is checked against a model discovered from it, and has no norms:
    the chain's texts on those topics would say what was not done, so its own note stays."""
    notes = _notes(False)
    for topic in ("conformance", "norms"):
        assert method_note(topic, notes[topic], "nl") == notes[topic]
    assert method_note("rework", notes["rework"], "nl").startswith("Activiteiten die")
