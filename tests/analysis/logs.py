"""Tiny hand-built event logs with known answers, in the columns of the event-log contract."""

from __future__ import annotations

import pandas as pd

from toolkit.chain import load_chain
from toolkit.eventlog import ACTIVITY, CASE, EVENT_COLUMNS, GROUP, SOURCE_ROW, TIMESTAMP

START = pd.Timestamp("2024-01-01 10:00", tz="UTC")
LEAVES_ON_DAY = 1000


def hand_log(rows: list[tuple[str, str, pd.Timestamp]], **columns: list) -> pd.DataFrame:
    """A log from (case, activity, moment) rows; org:group from the chain, other columns empty.

    ``columns`` give further columns per row (e.g. ``municipality=[...]``).
    """
    organisation = {a.id: a.organisation for a in load_chain().activities}
    log = pd.DataFrame({column: [None] * len(rows) for column in EVENT_COLUMNS}, dtype=object)
    log[CASE] = [r[0] for r in rows]
    log[ACTIVITY] = [r[1] for r in rows]
    log[TIMESTAMP] = pd.to_datetime([r[2] for r in rows], utc=True).as_unit("us")
    log[GROUP] = [organisation.get(r[1]) for r in rows]
    log[SOURCE_ROW] = range(len(rows))
    for name, values in columns.items():
        log[name] = values
    return log.sort_values([CASE, TIMESTAMP, SOURCE_ROW], kind="stable").reset_index(drop=True)


def decisions(days: list[float], waiting: int = 0) -> list[tuple[str, str, pd.Timestamp]]:
    """Persons with an asylum application and a decision ``days`` later (interval N04), and
    ``waiting`` persons who applied on the first day and have no decision yet.

    One more person applies and leaves the chain (departure) on day 1000: the log's last event,
    so the end of the data, at which the persons still waiting are censored; the leaver is
    censored then too, as having left the chain.
    """
    rows = [
        ("x000", "ind_aanvraag", START),
        ("x000", "coa_uitstroom_vertrek", START + pd.Timedelta(days=LEAVES_ON_DAY)),
    ]
    for i, d in enumerate(days):
        rows.append((f"p{i:03d}", "ind_aanvraag", START))
        rows.append((f"p{i:03d}", "ind_beschikking_inwilliging", START + pd.Timedelta(days=d)))
    for j in range(waiting):
        rows.append((f"w{j:03d}", "ind_aanvraag", START))
    return rows


def generic(paths: dict[str, list[str]], step_days: float = 1.0) -> pd.DataFrame:
    """A log of another process: each case walks its path one step every ``step_days``."""
    rows = []
    for case, path in paths.items():
        for i, activity in enumerate(path):
            rows.append((case, activity, START + pd.Timedelta(days=i * step_days)))
    return hand_log(rows)
