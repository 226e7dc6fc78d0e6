"""Event logs for the tests: simulated worlds cut at the export cut-off, and tiny hand-built logs.

The ingest pipeline turns raw exports into an event log; these helpers take the shortcut from the
simulated world (no dirt, no pseudonyms) so that the analytics can be checked against the truth.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.bottlenecks.common import LOCAL_TZ
from toolkit.chain import load_chain
from toolkit.eventlog import (
    ACTIVITY,
    CASE,
    GROUP,
    MUNICIPALITY,
    RESOURCE,
    SOURCE_FILE,
    SOURCE_ROW,
    TIMESTAMP,
)
from toolkit.synthetic.config import GeneratorConfig, load_config
from toolkit.synthetic.simulation import World

PERSONS = 20_000
SEED = 11


def case_id(person: pd.Series) -> pd.Series:
    return "p" + person.astype("int64").astype(str).str.zfill(6)


def world_log(world: World, cfg: GeneratorConfig) -> pd.DataFrame:
    """The world's events before the cut-off in the event log's columns (UTC, org:group, case:*)."""
    chain = load_chain()
    ev = world.events
    cutoff = pd.Timestamp(cfg.cutoff) + pd.Timedelta(days=1)
    ev = ev[ev["local_time"] < cutoff]
    org = {a.id: a.organisation for a in chain.activities}
    persons = world.persons.set_index("person")
    tracks = ev[ev["track"].fillna("") != ""].drop_duplicates("person", keep="last")
    track = tracks.set_index("person")["track"]

    def blank_to_none(s: pd.Series) -> pd.Series:
        return s.astype(object).where(s.fillna("") != "", None)

    log = pd.DataFrame(
        {
            CASE: case_id(ev["person"]),
            ACTIVITY: ev["activity"].astype(str),
            TIMESTAMP: ev["local_time"]
            .dt.tz_localize(LOCAL_TZ)
            .dt.tz_convert("UTC")
            .dt.as_unit("us"),
            GROUP: ev["activity"].map(org).astype("category"),
            RESOURCE: blank_to_none(ev["resource"]),
            MUNICIPALITY: blank_to_none(ev["municipality"]),
            "location_type": blank_to_none(ev["location_type"]),
            "case:household": ev["person"].map(persons["household"]).astype(str),
            "case:nationality": ev["person"].map(persons["nationality"]).astype(str),
            "case:procedure": ev["person"].map(persons["procedure"]).astype(str),
            "case:track": blank_to_none(ev["person"].map(track)),
            SOURCE_FILE: ev["activity"].map(org).astype(str),
            SOURCE_ROW: ev["seq"].to_numpy(),
        }
    )
    return log.sort_values([CASE, TIMESTAMP, SOURCE_ROW], kind="stable").reset_index(drop=True)


def as_of(cfg: GeneratorConfig) -> str:
    return cfg.cutoff.isoformat()


def null_config(tmp_path: Path) -> GeneratorConfig:
    path = tmp_path / "no_bottlenecks.toml"
    path.write_text("bottleneck = []\n", encoding="utf-8")
    return load_config(path)


def hand_log(rows: list[tuple], **case_attributes: dict[str, str]) -> pd.DataFrame:
    """A tiny event log from (case, activity, Amsterdam local time[, resource[, municipality]]).

    org:group comes from the chain (``OTHER`` for activities outside it); rows keep their order
    as source order; ``case_attributes`` maps a column (``case:household``) to {case: value}.
    """
    chain = load_chain()
    org = {a.id: a.organisation for a in chain.activities}
    padded = [tuple(r) + (None,) * (5 - len(r)) for r in rows]
    frame = pd.DataFrame(padded, columns=[CASE, ACTIVITY, "local", RESOURCE, MUNICIPALITY])
    frame[TIMESTAMP] = (
        pd.to_datetime(frame.pop("local")).dt.tz_localize(LOCAL_TZ).dt.tz_convert("UTC")
    )
    frame[GROUP] = frame[ACTIVITY].map(lambda a: org.get(a, "OTHER"))
    frame[SOURCE_FILE] = "hand"
    frame[SOURCE_ROW] = range(len(frame))
    for column, values in case_attributes.items():
        frame[column] = frame[CASE].map(values)
    return frame.sort_values([CASE, TIMESTAMP, SOURCE_ROW], kind="stable").reset_index(drop=True)
