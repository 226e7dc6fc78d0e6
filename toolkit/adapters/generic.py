"""The generic profile: an event log of any process (XES, CSV or Parquet) into the log's schema.

For logs from outside the chain (BPI Challenge logs, a partner's own process log), so that the same
mining and dashboard run on them. Only the case, activity and timestamp columns pass (named on the
command line, pm4py's names by default); everything else is dropped, as personal data may hide in
any attribute. Case ids are pseudonymised under the same key as V-nummers.

Unlike the chain's exports, such a log is already an event log: two identical events in one trace
are what it records (pm4py counts both), so they are kept apart by their occurrence number rather
than removed as duplicates. Timestamps without a zone are read as UTC, as pm4py does.

A log that records the life cycle of its work items (``lifecycle:transition``: ``start`` and
``complete`` of one item, as BPIC 2012's W_ activities) keeps it, in lower case: the analysis
joins a start and its complete into one activity instance with its service time
(:mod:`toolkit.mining.lifecycle`). A transition outside the XES standard's life-cycle model is
quarantined: the column holds codes, never free text.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.adapters.csv import csv_header
from toolkit.adapters.event_id import content_ids, occurrence
from toolkit.adapters.mapping import QUARANTINE_COLUMNS, REPAIRS, Mapped
from toolkit.adapters.table import describe_header
from toolkit.errors import IngestError
from toolkit.eventlog import LIFECYCLE
from toolkit.privacy import Pseudonymizer

GENERIC = "generic"
SOURCE_SYSTEM = "GENERIC"
XES_SUFFIXES = (".xes", ".xes.gz")
TABLE_SUFFIXES = (".csv", ".parquet")
CSV_ENCODINGS = ("utf-8-sig", "cp1252")
DELIMITERS = (",", ";", "\t", "|")
ROW = "row"
NAIVE_AS_UTC = "naive_timestamp_as_utc"
TIME_UNIT = "us"
# the transitions of the XES standard's life-cycle model (IEEE 1849-2016, the standard extension)
TRANSITIONS = frozenset({
    "schedule", "assign", "reassign", "start", "suspend", "resume", "pi_abort", "ate_abort",
    "complete", "autoskip", "manualskip", "withdraw", "unknown",
})  # fmt: skip


@dataclass(frozen=True)
class GenericColumns:
    """Which columns of a foreign log hold the case, the activity and the timestamp."""

    case: str = "case:concept:name"
    activity: str = "concept:name"
    timestamp: str = "time:timestamp"

    def names(self) -> tuple[str, str, str]:
        return self.case, self.activity, self.timestamp


@dataclass
class GenericLog:
    """The three mapped columns of a foreign log (and its life-cycle transition, when it has
    one) and the row number of each event in its file."""

    path: Path
    frame: pd.DataFrame

    @property
    def rows_read(self) -> int:
        return len(self.frame)


def is_xes(path: Path) -> bool:
    return path.name.lower().endswith(XES_SUFFIXES)


def is_generic_file(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith(XES_SUFFIXES) or name.endswith(TABLE_SUFFIXES)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if str(exc) else text


def _read_xes(path: Path) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py  # heavy, and prints a banner: imported only when a XES file is read

        try:
            frame = pm4py.read_xes(str(path), show_progress_bar=False)
        except Exception as exc:  # pm4py raises anything from SyntaxError to KeyError
            raise IngestError(f"{path.name}: not a readable XES log ({_one_line(exc)})") from None
    if not isinstance(frame, pd.DataFrame):
        raise IngestError(f"{path.name}: pm4py did not read it as an event table")
    return frame


def _read_csv(path: Path, wanted: tuple[str, ...]) -> pd.DataFrame:
    headers = {d: csv_header(path, d) for d in DELIMITERS}
    matching = [d for d, header in headers.items() if set(wanted) <= set(header)]
    if not matching:
        return pd.DataFrame(columns=max(headers.values(), key=len))
    delimiter = matching[0]
    if LIFECYCLE in headers[delimiter]:
        wanted = (*wanted, LIFECYCLE)
    for encoding in CSV_ENCODINGS:
        try:
            return pd.read_csv(
                path,
                sep=delimiter,
                usecols=list(wanted),
                dtype=str,
                keep_default_na=False,
                encoding=encoding,
            )
        except UnicodeDecodeError:
            continue
        except (ValueError, pd.errors.ParserError) as exc:
            raise IngestError(f"{path.name}: not a readable CSV log ({_one_line(exc)})") from None
    raise IngestError(f"{path.name}: cannot be decoded as {' or '.join(CSV_ENCODINGS)}")


def _read_parquet(path: Path, wanted: tuple[str, ...]) -> pd.DataFrame:
    """Only the wanted columns are read; without them, an empty frame that names the columns."""
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(path).names
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... for a broken file
        raise IngestError(f"{path.name}: not a readable Parquet log ({_one_line(exc)})") from None
    if not set(wanted) <= set(names):
        return pd.DataFrame(columns=names)
    return pd.read_parquet(path, columns=[*wanted, *([LIFECYCLE] if LIFECYCLE in names else [])])


def read_log(path: Path, columns: GenericColumns) -> GenericLog:
    """The case, activity and timestamp of every event of a XES, CSV or Parquet log."""
    path = Path(path)
    wanted = columns.names()
    name = path.name.lower()
    try:
        if is_xes(path):
            frame = _read_xes(path)
            first_row = 1
        elif name.endswith(".csv"):
            frame = _read_csv(path, wanted)
            first_row = 2  # line 1 is the header
        elif name.endswith(".parquet"):
            frame = _read_parquet(path, wanted)
            first_row = 1
        else:
            raise IngestError(f"{path.name}: not a XES, CSV or Parquet log")
    except (OSError, ValueError) as exc:
        raise IngestError(f"{path.name}: cannot be read ({_one_line(exc)})") from None
    if frame.empty and not len(frame.columns):
        raise IngestError(f"{path.name}: holds no events")
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise IngestError(
            f"{path.name}: no column {missing[0]!r}; name the log's columns with "
            f"--case-column/--activity-column/--timestamp-column ({describe_header(frame.columns)})"
        )
    out = frame[list(wanted)].copy()
    out.columns = ["case", "activity", "timestamp"]
    if LIFECYCLE in frame.columns:
        out[LIFECYCLE] = frame[LIFECYCLE].to_numpy()
    out = out.reset_index(drop=True)
    out[ROW] = np.arange(first_row, first_row + len(out), dtype=np.int64)
    return GenericLog(path=path, frame=out)


def _timestamps(values: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """UTC timestamps, which were unreadable, and which had no zone (read as UTC)."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        utc = values.dt.tz_convert("UTC").dt.as_unit(TIME_UNIT)
        return utc, np.zeros(len(values), bool), np.zeros(len(values), bool)
    if pd.api.types.is_datetime64_dtype(values.dtype):
        utc = values.dt.tz_localize("UTC").dt.as_unit(TIME_UNIT)
        return utc, np.zeros(len(values), bool), values.notna().to_numpy()
    cache: dict[object, tuple[pd.Timestamp | None, bool]] = {}
    stamps, naive = [], []
    for v in values.tolist():
        if v not in cache:
            try:
                stamp = pd.Timestamp(v) if v is not None and str(v).strip() else None
            except (ValueError, TypeError):
                stamp = None
            if stamp is not None and pd.isna(stamp):
                stamp = None
            is_naive = stamp is not None and stamp.tzinfo is None
            if stamp is not None:
                stamp = stamp.tz_localize("UTC") if is_naive else stamp.tz_convert("UTC")
            cache[v] = (stamp, is_naive)
        stamp, is_naive = cache[v]
        stamps.append(stamp if stamp is not None else pd.NaT)
        naive.append(is_naive)
    utc = pd.Series(stamps, dtype="datetime64[us, UTC]", index=values.index)
    return utc, utc.isna().to_numpy(), np.array(naive, dtype=bool)


def _blank(values: pd.Series) -> np.ndarray:
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    return (text == "").to_numpy()


def _transitions(frame: pd.DataFrame) -> pd.Series | None:
    """The life-cycle transitions in lower case (an empty one is a ``complete``, as pm4py reads
    an event without one), or None for a log without them."""
    if LIFECYCLE not in frame.columns:
        return None
    text = frame[LIFECYCLE].astype(object).where(frame[LIFECYCLE].notna(), "").astype(str)
    text = text.str.strip().str.lower()
    return text.where(text != "", "complete")


def map_log(log: GenericLog, *, key: Pseudonymizer, source_file: str) -> Mapped:
    """Events (pseudonymised case ids) and quarantine entries of a foreign log."""
    frame = log.frame
    utc, unreadable, naive = _timestamps(frame["timestamp"])
    checks = (
        ("case", _blank(frame["case"]), "missing_case"),
        ("activity", _blank(frame["activity"]), "missing_activity"),
        ("timestamp", _blank(frame["timestamp"]), "missing_timestamp"),
        ("timestamp", unreadable, "invalid_timestamp"),
    )
    lifecycle = _transitions(frame)
    if lifecycle is not None:
        checks += (("lifecycle", ~lifecycle.isin(TRANSITIONS).to_numpy(), "unknown_transition"),)
    reason = np.full(len(frame), None, dtype=object)
    column = np.full(len(frame), None, dtype=object)
    for name, mask, why in checks:
        hit = mask & (reason == None)  # noqa: E711 (elementwise on an object array)
        reason[hit] = why
        column[hit] = name
    ok = reason == None  # noqa: E711
    kept = frame[ok].reset_index(drop=True)
    cases = [key.case(str(c).strip()) for c in kept["case"].tolist()]
    events = pd.DataFrame(
        {
            "case:concept:name": pd.Series(cases, dtype=object),
            "concept:name": kept["activity"].astype(str).str.strip().astype(object),
            "time:timestamp": utc[ok].reset_index(drop=True),
        }
    )
    events["source_system"] = SOURCE_SYSTEM
    events["source_file"] = source_file
    events["source_row"] = kept[ROW].to_numpy()
    events[REPAIRS] = np.where(naive[ok], NAIVE_AS_UTC, "")
    identity = [events["case:concept:name"], events["concept:name"], events["time:timestamp"]]
    if lifecycle is not None:  # a start and a complete at one moment are two events
        events[LIFECYCLE] = lifecycle[ok].reset_index(drop=True).astype(object)
        identity.append(events[LIFECYCLE])
    keys = content_ids(SOURCE_SYSTEM, identity)
    events["event_id"] = content_ids(SOURCE_SYSTEM, [keys, occurrence(keys)])
    quarantine = pd.DataFrame(
        {
            "file": source_file,
            "row": frame.loc[~ok, ROW].to_numpy(),
            "column": column[~ok],
            "reason": reason[~ok],
            "activity": "",
        },
        columns=list(QUARANTINE_COLUMNS),
    )
    return Mapped(events=events, quarantine=quarantine)
