"""`ketenlens ingest`: a directory of exports becomes one pseudonymised chain event log.

Every file is read through its profile, its rows normalised, pseudonymised and checked; then the
events of all files are deduplicated by their content-based ``event_id`` (files in sorted path
order, so the later file gets the duplicate) and against the log already in ``out``, whose parts
are kept as they are (:mod:`toolkit.adapters.stored`). Writes: ``events.parquet`` (the earlier
parts and one new part), ``cases.parquet``, ``quarantine.csv`` and ``ingest_report.json`` as one new
version of the log that replaces the old one in a single step (:mod:`toolkit.logdir`), under a
lock that makes a second ingest into the same log wait. Ingesting the same files again changes
nothing; a directory with a new month adds only the new month's events.

Example::

    >>> from toolkit.adapters.ingest import ingest
    >>> report = ingest(Path("raw"), Path("event_logs/demo"), key=key)  # doctest: +SKIP
    >>> report.files[0].rows_read == report.files[0].events + report.files[0].duplicates  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.types import union_categoricals

from toolkit.adapters.detect import Source, detect, is_export
from toolkit.adapters.files import Progress, read_files
from toolkit.adapters.generic import SOURCE_SYSTEM as GENERIC_SYSTEM
from toolkit.adapters.generic import GenericColumns
from toolkit.adapters.mapping import QUARANTINE_COLUMNS, REPAIRS, Mapped, count_repairs
from toolkit.adapters.profile import profiles_with
from toolkit.adapters.report import PERMIT_ACTIVITIES, FileReport, IngestReport, linkage
from toolkit.adapters.stored import PERSON_COLUMNS, StoredLog
from toolkit.atomic import PRIVATE_DIR, atomic_write_bytes
from toolkit.chain import load_chain
from toolkit.errors import IngestError
from toolkit.eventlog import (
    ACTIVITY,
    CASE,
    CASE_ATTRIBUTES,
    EVENT_ID,
    GROUP,
    MUNICIPALITY,
    SOURCE_FILE,
    SOURCE_ROW,
    case_table,
    events_parquet,
    first_occurrence,
    part_name,
    prepare,
    sort_order,
    spread_case_attributes,
    validate,
    write_parquet,
)
from toolkit.logdir import (
    CASES_FILE,
    EVENTS_FILE,
    QUARANTINE_FILE,
    REPORT_FILE,
    Step,
    commit,
    current_files,
    ingest_lock,
)
from toolkit.memory import arrow_through_malloc, malloc_keeps_freed
from toolkit.privacy import Pseudonymizer
from toolkit.terminal import printable

GROUND_TRUTH = "ground_truth.json"
_WHITESPACE = re.compile(r"[ \t\n\r]*")


@dataclass(frozen=True)
class AsOf:
    """The day the exports were made: a date after it is in the future, so quarantined."""

    day: date
    source: str


def resolve_as_of(directory: Path, as_of: date | None, today: date | None = None) -> AsOf:
    """``--as-of`` if given; else the day after a generated set's cut-off; else today.

    A generated directory holds ``ground_truth.json``; its exports run up to the cut-off, and its
    future dates lie after it, so the cut-off plus one day plays the role of "today". Only the
    start of that file is read (:func:`json_member`): at hundreds of thousands of persons it
    holds hundreds of megabytes of durations after the cut-off.
    """
    if as_of is not None:
        return AsOf(as_of, "--as-of")
    truth = directory / GROUND_TRUTH
    if truth.is_file():
        try:
            cutoff = json_member(truth, "world")["cutoff"]
            return AsOf(date.fromisoformat(cutoff) + timedelta(days=1), f"{GROUND_TRUTH} cut-off")
        except (ValueError, KeyError, TypeError):
            raise IngestError(
                f"{truth}: has no readable world.cutoff; pass --as-of YYYY-MM-DD"
            ) from None
    return AsOf(today or date.today(), "today")


def json_member(path: Path, key: str, chunk: int = 1 << 16) -> Any:
    """The value of ``key`` in the JSON object in ``path``, decoding only the members before it
    and itself: the file is read from its start, twice as much each time, until they are whole.

    ``KeyError`` when the object has no such member; ``ValueError`` when the file is not a JSON
    object. Example::

        >>> json_member(Path("generated/ground_truth.json"), "world")["cutoff"]  # doctest: +SKIP
        '2025-06-30'
    """
    decoder = json.JSONDecoder()
    with open(path, encoding="utf-8") as fh:
        text, ended = "", False
        while True:
            more = fh.read(max(chunk, len(text)))
            text, ended = text + more, not more
            try:
                return _member(decoder, text, key, ended)
            except _Incomplete:
                if ended:
                    raise ValueError(f"{path}: not a JSON object") from None


class _Incomplete(Exception):
    """The text read so far ends before the member asked for is whole."""


def _member(decoder: json.JSONDecoder, text: str, key: str, ended: bool) -> Any:
    at = _WHITESPACE.match(text, 0).end()
    if text[at : at + 1] != "{":
        raise _Incomplete if not ended and at == len(text) else ValueError("not a JSON object")
    at += 1
    while True:
        at = _WHITESPACE.match(text, at).end()
        if text[at : at + 1] == "}":
            raise KeyError(key)
        try:
            name, at = decoder.raw_decode(text, at)
            at = _WHITESPACE.match(text, at).end()
            if text[at : at + 1] != ":":
                raise json.JSONDecodeError("':' expected", text, at)
            value, at = decoder.raw_decode(text, _WHITESPACE.match(text, at + 1).end())
        except json.JSONDecodeError:
            raise _Incomplete from None
        # a number at the very end of what was read may go on in the next chunk
        if at == len(text) and not ended:
            raise _Incomplete
        if name == key:
            return value
        at = _WHITESPACE.match(text, at).end()
        if text[at : at + 1] == ",":
            at += 1


def is_generated(directory: Path) -> bool:
    """Whether a directory holds generated demo data (the only data the demo key is for)."""
    return (Path(directory) / GROUND_TRUTH).is_file()


def _is_log_file(path: Path, out: Path) -> bool:
    """Whether a file is one the log itself wrote: the usual layout keeps raw/ inside the log."""
    return path.parent.resolve() == out.resolve()


def find_sources(
    directory: Path,
    out: Path,
    *,
    profile: str | None = None,
    columns: GenericColumns | None = None,
    profile_dirs: tuple[Path, ...] = (),
) -> tuple[list[Source], list[str]]:
    """The export files under ``directory`` (sorted by path) with their profiles; ignored files.

    The log's own files in ``out`` are skipped, so a log written beside (or above) its raw exports
    is never read back as an export.
    """
    profiles = profiles_with(profile_dirs)
    sources: list[Source] = []
    ignored: list[str] = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        relative = path.relative_to(directory)
        # the name goes into the log's lineage, the report and the terminal: made safe for all
        name = printable(relative.as_posix())
        if _is_log_file(path, out) or any(part.startswith(".") for part in relative.parts[:-1]):
            continue
        if not is_export(path):
            ignored.append(name)
            continue
        sources.append(detect(path, profiles, forced=profile, columns=columns, name=name))
    if not sources:
        raise IngestError(f"{directory}: no export files (.xlsx, .csv, .xes, .parquet) in it")
    generic = {s.profile is None for s in sources}
    if len(generic) > 1:
        raise IngestError(
            f"{directory} mixes chain exports and logs of other processes; "
            "ingest them into separate logs"
        )
    return sources, ignored


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The files' events as one frame; a column that is categorical in every file stays so, over
    the union of the files' categories (concatenating different categories would give objects)."""
    if not frames or any(list(f.columns) != list(frames[0].columns) for f in frames):
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    columns = {}
    for column in frames[0].columns:
        parts = [f[column] for f in frames]
        if all(isinstance(part.dtype, pd.CategoricalDtype) for part in parts):
            columns[column] = pd.Series(union_categoricals([part.array for part in parts]))
        else:
            columns[column] = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(columns)


def _existing(out: Path, key: Pseudonymizer) -> tuple[StoredLog | None, pd.DataFrame | None]:
    """The log already in ``out``, refused when it was made under another key."""
    files = current_files(out)
    events_path = files / EVENTS_FILE
    if not events_path.exists():
        return None, None
    report_path = files / REPORT_FILE
    try:
        previous = json.loads(report_path.read_text(encoding="utf-8"))
        fingerprint = previous["key_fingerprint"]
    except (OSError, ValueError, KeyError, TypeError):
        raise IngestError(
            f"{out}: holds {EVENTS_FILE} without a readable {REPORT_FILE}, so its key is "
            "unknown; ingest into an empty directory"
        ) from None
    if fingerprint != key.fingerprint:
        raise IngestError(
            f"{out}: the log there was made with another key (fingerprint {fingerprint}); "
            "use that key or ingest into another directory"
        )
    quarantine_path = files / QUARANTINE_FILE
    quarantine = None
    if quarantine_path.exists():
        quarantine = pd.read_csv(quarantine_path, dtype=str, keep_default_na=False)
    return StoredLog.at(files), quarantine


def _status(new: pd.DataFrame, stored: StoredLog | None) -> tuple[np.ndarray, np.ndarray]:
    """Per new row: whether it is an event (new, or the very row the log already holds; else a
    duplicate), and whether the log holds it already.

    An event already in the log from another file or row is a duplicate of it; within this run
    the first row in sorted path order keeps the event.
    """
    first_in_run = first_occurrence(new[EVENT_ID])
    if stored is None:
        return first_in_run, np.zeros(len(new), dtype=bool)
    lineage = stored.lineage(new[EVENT_ID])
    same = lineage.same(new[SOURCE_FILE], new[SOURCE_ROW])
    known = lineage.known
    return (known & same) | (~known & first_in_run), known


def _with_stored(
    added: pd.DataFrame, stored: StoredLog, cases: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The new events with case attributes over each person's old and new events, and the
    person table with the rows of those persons made again.

    Only the persons of the new events are read from the log: a person's case attributes and
    row in the person table depend on that person's events alone.
    """
    old = stored.person_events(added[CASE], cases)
    new = added[list(PERSON_COLUMNS)]
    new = new.assign(
        **{c: new[c].astype(object).where(new[c].notna(), None) for c in (GROUP, MUNICIPALITY)}
    )
    both = pd.concat([old, new], ignore_index=True)
    is_new = np.arange(len(both)) >= len(old)
    order = sort_order(both)  # the old first where the keys tie, as in the log read whole
    both = spread_case_attributes(both.take(order).reset_index(drop=True))
    spread = both.loc[is_new[order], list(CASE_ATTRIBUTES)]
    added = added.assign(
        **{c: pd.Series(spread[c].array, index=added.index) for c in CASE_ATTRIBUTES}
    )
    # the persons of ``both`` are those of ``added``: matched against each once, not per event
    kept = cases[~cases[CASE].isin(added[CASE].unique())]
    cases = pd.concat([kept, case_table(both)], ignore_index=True)
    return added, cases.sort_values(CASE, kind="stable", ignore_index=True)


def _count_per_file(
    new: pd.DataFrame, is_event: np.ndarray, reports: list[FileReport], mapped: list[Mapped]
) -> None:
    """Complete each file's report: its events, duplicates, quarantine and repairs. A file whose
    rows do not add up (read = events + duplicates + quarantined) is a bug and stops the run
    before anything is written."""
    files = new[SOURCE_FILE]
    events_in = files[is_event].value_counts()
    duplicates_in = files[~is_event].value_counts()
    repairs_in = {
        str(name): count_repairs(joined)
        for name, joined in new.loc[is_event, REPAIRS].groupby(files[is_event])
    }
    for report, result in zip(reports, mapped, strict=True):
        report.events = int(events_in.get(report.path, 0))
        report.duplicates = int(duplicates_in.get(report.path, 0))
        report.quarantined = len(result.quarantine)
        report.quarantine_reasons = dict(sorted(Counter(result.quarantine["reason"]).items()))
        report.unknown_places = result.unknown_places
        repairs = Counter(report.repairs) + repairs_in.get(report.path, Counter())
        report.repairs = dict(sorted(repairs.items()))
        if not report.balanced:
            raise IngestError(f"{report.path}: rows do not add up; this is a bug, please report")


def _events_writer(
    stored: StoredLog | None, added: pd.DataFrame, encoded: pa.Buffer
) -> Callable[[Path], None]:
    """Write the events folder: the stored parts as links, the new events as one more part
    (``encoded``: their parquet bytes, :func:`_encode_aside`)."""

    def write(folder: Path) -> None:
        folder.mkdir(mode=PRIVATE_DIR)
        number = stored.link_into(folder) if stored is not None else 0
        if len(added) or not number:
            atomic_write_bytes(folder / part_name(number), memoryview(encoded))

    return write


def _encode_aside(pool: ThreadPoolExecutor, added: pd.DataFrame) -> Future[pa.Buffer]:
    """The new events encoded as parquet in ``pool``'s thread, on the second core while this one
    validates them and makes the person table, the quarantine and the report; the bytes reach
    the log only in the commit, after the validation.

    Arrow lets go of the interpreter's lock while it encodes. The thread gets a frame of its own
    over the same arrays: pandas' bookkeeping of shared data is not for two threads; the arrays,
    only read, are.
    """
    own = pd.DataFrame({column: added[column].array for column in added.columns}, copy=False)
    return pool.submit(events_parquet, own)


def _quarantine_text(frames: list[pd.DataFrame]) -> str:
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    rows = rows.reindex(columns=list(QUARANTINE_COLUMNS)).fillna("").astype(str)
    rows = rows.drop_duplicates()
    rows["_row"] = pd.to_numeric(rows["row"], errors="coerce")
    rows = rows.sort_values(["file", "_row", "column", "reason"], kind="stable").drop(
        columns="_row"
    )
    buffer = io.StringIO()
    rows.to_csv(buffer, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return buffer.getvalue()


def ingest(
    directory: Path,
    out: Path,
    *,
    key: Pseudonymizer,
    profile: str | None = None,
    as_of: date | None = None,
    columns: GenericColumns | None = None,
    progress: Progress | None = None,
    profile_dirs: tuple[Path, ...] = (),
    on_wait: Callable[[], None] | None = None,
    on_step: Step | None = None,
) -> IngestReport:
    """Ingest every export under ``directory`` into the event log in ``out``; return the report.

    The whole run holds the log's lock (a second ingest into ``out`` waits, and ``on_wait`` is
    called when it has to) and ends in one commit of the four files; ``on_step`` hears each step
    of that commit by name (:data:`toolkit.logdir.COMMIT_STEPS`).
    """
    directory, out = Path(directory), Path(out)
    if not directory.is_dir():
        raise IngestError(f"{directory}: not a directory")
    with ingest_lock(out, on_wait=on_wait):
        return _ingest(
            directory,
            out,
            key=key,
            profile=profile,
            as_of=as_of,
            columns=columns,
            progress=progress,
            profile_dirs=profile_dirs,
            on_step=on_step,
        )


def _ingest(
    directory: Path,
    out: Path,
    *,
    key: Pseudonymizer,
    profile: str | None,
    as_of: date | None,
    columns: GenericColumns | None,
    progress: Progress | None,
    profile_dirs: tuple[Path, ...],
    on_step: Step | None,
) -> IngestReport:
    columns = columns or GenericColumns()
    reference = resolve_as_of(directory, as_of)
    sources, ignored = find_sources(
        directory, out, profile=profile, columns=columns, profile_dirs=profile_dirs
    )
    stored, old_quarantine = _existing(out, key)
    vocabulary = sources[0].profile is not None
    if stored is not None and stored.has_source(GENERIC_SYSTEM) == vocabulary:
        raise IngestError(
            f"{out}: holds a log of another kind (chain exports and logs of other processes are "
            "kept apart); ingest into another directory"
        )
    chain = load_chain()

    mapped: list[Mapped] = []
    reports: list[FileReport] = []
    for result, report in read_files(sources, key, reference.day, columns, progress):
        mapped.append(result)
        reports.append(report)

    # the main process alone from here, with large arrays that live briefly
    with arrow_through_malloc(), malloc_keeps_freed():
        new = _concat([m.events for m in mapped])
        for result in mapped:  # the files' events live on in ``new`` only
            result.events = result.events.iloc[:0]
        is_event, known = _status(new, stored)
        _count_per_file(new, is_event, reports, mapped)
        kept = np.flatnonzero(is_event & ~known)  # taken by ``prepare``, in the log's order

        before = 0 if stored is None else stored.rows
        added = prepare(
            new.drop(columns=REPAIRS),
            chain=chain,
            vocabulary=vocabulary,
            spread=stored is None,
            rows=kept,
        )
        del new
        cases = None if stored is None else stored.cases()
        if cases is not None and len(added):
            added, cases = _with_stored(added, stored, cases)
        with ThreadPoolExecutor(max_workers=1) as pool:
            encoding = _encode_aside(pool, added)
            validate(added, chain=chain, vocabulary=vocabulary)
            if cases is None:
                cases = case_table(added)
                holders = added[[CASE, ACTIVITY]]
            else:
                holders = pd.concat(
                    [stored.holders(PERMIT_ACTIVITIES), added[[CASE, ACTIVITY]]],
                    ignore_index=True,
                )

            quarantine_frames = [m.quarantine for m in mapped]
            if old_quarantine is not None:
                quarantine_frames.insert(0, old_quarantine)
            report = IngestReport(
                out=printable(out),
                as_of=reference.day.isoformat(),
                as_of_source=reference.source,
                key_fingerprint=key.fingerprint,
                demo_key=key.is_demo,
                files=reports,
                persons=len(cases),
                events=before + len(added),
                events_added=len(added),
                events_before=before,
                linkage=linkage(cases, holders),
                ignored_files=ignored,
            )
            text = json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
            quarantined = _quarantine_text(quarantine_frames)
            encoded = encoding.result()  # an error in encoding is raised here, before the commit
        writers = {
            EVENTS_FILE: _events_writer(stored, added, encoded),
            CASES_FILE: lambda path: write_parquet(cases, path),
            QUARANTINE_FILE: lambda path: path.write_text(quarantined, encoding="utf-8"),
            REPORT_FILE: lambda path: path.write_text(text, encoding="utf-8"),
        }
        commit(out, writers, on_step=on_step)
        return report
