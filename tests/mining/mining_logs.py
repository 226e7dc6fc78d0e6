"""Small logs for the tests of toolkit/mining, built from rows a reader can check by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

REFERENCE_LOGS = Path(__file__).resolve().parents[2].parent / "shared" / "reference_logs"
XES = REFERENCE_LOGS / "xes"


def make_log(rows: list[tuple], columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """A log from ``(case, activity, "YYYY-MM-DD HH:MM", *more)`` rows; times are UTC.

    ``columns`` names the extra values of each row (``org:group``, ``source_row``, ...).
    """
    names = ("case:concept:name", "concept:name", "time:timestamp", *columns)
    frame = pd.DataFrame(rows, columns=list(names))
    frame["time:timestamp"] = pd.to_datetime(frame["time:timestamp"], utc=True)
    return frame


def path_log(paths: dict[str, list[str]], start: str = "2024-01-01") -> pd.DataFrame:
    """One case per named path, one event per day in the order given."""
    first = pd.Timestamp(start, tz="UTC")
    rows = [
        (case, activity, first + pd.Timedelta(days=i))
        for case, path in paths.items()
        for i, activity in enumerate(path)
    ]
    return make_log(rows)


def shuffled(log: pd.DataFrame, seed: int = 7) -> pd.DataFrame:
    """The same events in another row order (and another index)."""
    return log.sample(frac=1.0, random_state=seed).reset_index(drop=True)
