"""The folder of an event log, whose files change together or not at all.

An ingest writes four files (events, cases, quarantine, report) that must agree: a report that
counts 52,105 events beside an events.parquet of 104,704 is a wrong log, not half a right one.
So a new ingest writes a complete new *version* beside the current one and switches to it in one
atomic step, the rename of a symbolic link; readers resolve that link once and read every file
from the version it names. Layout::

    NAME/events.parquet -> .ketenlens/current/events.parquet    (and the other three: for people
                                                                  and other tools, never switched)
    NAME/.ketenlens/current -> v-...                             (the pointer: the commit)
    NAME/.ketenlens/v-.../events.parquet/part-00000.parquet, ... (a folder: one part per ingest
                                                                  that added events)
    NAME/.ketenlens/v-.../cases.parquet, quarantine.csv, ingest_report.json
    NAME/.ketenlens/ingest.lock                                  (one ingest at a time)

A new version holds the parts of the one before it as hard links (the same files, not copies)
and adds at most one part, so adding a month writes the month, not the whole log again.

A run that dies before the switch leaves an unused version; one that dies after it leaves the new
log, perhaps without its top-level links. The next ingest (under the lock) removes every version
but the current one and restores the links. A folder with plain files and no pointer (a log from
an earlier version of the toolkit, or one written by hand) is read as it is and becomes versioned
at its next ingest. Example::

    >>> events = read_events(current_files(Path("event_logs/demo")) / EVENTS_FILE)  # doctest: +SKIP
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from toolkit.atomic import PRIVATE_DIR, PRIVATE_FILE, fsync_path, private_dirs
from toolkit.errors import EventLogError
from toolkit.outpaths import writable_dir

EVENTS_FILE = "events.parquet"
CASES_FILE = "cases.parquet"
QUARANTINE_FILE = "quarantine.csv"
REPORT_FILE = "ingest_report.json"
LOG_FILES = (EVENTS_FILE, CASES_FILE, QUARANTINE_FILE, REPORT_FILE)
STATE_DIR = ".ketenlens"
CURRENT = "current"
LOCK_FILE = "ingest.lock"
VERSION_PREFIX = "v-"
TMP_SUFFIX = ".tmp"

# The steps of a commit, in order, each reported to ``on_step`` once done: a test stops the
# process after each and checks that the log is the old one or the new one.
STEP_CLEANED = "cleaned"
STEP_SYNCED = "synced"
STEP_SWITCHED = "switched"
COMMIT_STEPS = (
    STEP_CLEANED,
    *(f"wrote {name}" for name in LOG_FILES),
    STEP_SYNCED,
    STEP_SWITCHED,
    *(f"linked {name}" for name in LOG_FILES),
)

Step = Callable[[str], None]
Writers = dict[str, Callable[[Path], None]]


def current_files(log_dir: Path) -> Path:
    """The folder that holds the log's current files: read every file of one log from it.

    The pointer is resolved once, so a reader that takes events and report from the folder
    returned gets one version of both even when an ingest switches in between.
    """
    log_dir = Path(log_dir)
    pointer = log_dir / STATE_DIR / CURRENT
    try:
        if pointer.is_symlink():
            return log_dir / STATE_DIR / os.readlink(pointer)
    except PermissionError:
        raise EventLogError(f"{log_dir}: may not be read (permission denied)") from None
    return log_dir


def log_file(log_dir: Path, name: str) -> Path:
    """One file of the log's current version (``events.parquet``, ``ingest_report.json``, ...)."""
    return current_files(log_dir) / name


def has_log(log_dir: Path) -> bool:
    """Whether ``log_dir`` holds an event log (its current version has events)."""
    return log_file(log_dir, EVENTS_FILE).exists()


@contextmanager
def ingest_lock(log_dir: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the log's exclusive lock: a second ingest into the same log waits until it is free.

    ``on_wait`` is called once when the lock is taken by another process, so the command can
    say why it does not start. The lock (``flock``) goes with the process: a killed ingest
    never leaves a stale one behind.
    """
    log_dir = Path(log_dir)
    writable_dir(log_dir)  # an --out that cannot be written is refused before any input is read
    private_dirs(log_dir / STATE_DIR)
    fd = os.open(log_dir / STATE_DIR / LOCK_FILE, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def recover(log_dir: Path) -> None:
    """Remove what interrupted or earlier runs left and restore the links; call under the lock.

    Every version but the current one goes (unfinished ones, and the one an earlier run
    replaced, which a reader may have held open until now), as do temporary files.
    """
    log_dir = Path(log_dir)
    state = log_dir / STATE_DIR
    pointer = state / CURRENT
    keep = os.readlink(pointer) if pointer.is_symlink() else None
    for entry in state.iterdir():
        if entry.name in (CURRENT, LOCK_FILE, keep):
            continue
        _remove(entry)
    for entry in log_dir.iterdir():
        if entry.name.startswith(".") and entry.name.endswith(TMP_SUFFIX):
            _remove(entry)
    if keep is not None:
        _link(log_dir, lambda _: None)


def _symlink(target: str, path: Path) -> None:
    """Make ``path`` a link to ``target`` in one step, whatever was there before."""
    tmp = path.parent / f".{path.name}.{os.getpid()}{TMP_SUFFIX}"
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, path)


def _link(log_dir: Path, step: Step) -> None:
    for name in LOG_FILES:
        target = f"{STATE_DIR}/{CURRENT}/{name}"
        path = log_dir / name
        if not (path.is_symlink() and os.readlink(path) == target):
            _symlink(target, path)
        step(f"linked {name}")


def commit(log_dir: Path, writers: Writers, on_step: Step | None = None) -> Path:
    """Write a new version of the log with ``writers`` (file name -> write to this path), switch.

    Call under :func:`ingest_lock`. Returns the new version's folder. Until the switch the old
    log stays the current one, whole; from the switch on, the new one is.
    """
    log_dir = Path(log_dir)
    step = on_step or (lambda _: None)
    if sorted(writers) != sorted(LOG_FILES):
        raise ValueError(f"a version holds exactly {', '.join(LOG_FILES)}")
    state = log_dir / STATE_DIR
    recover(log_dir)
    step(STEP_CLEANED)
    version = state / f"{VERSION_PREFIX}{time.time_ns()}-{os.getpid()}"
    version.mkdir(mode=PRIVATE_DIR)
    os.chmod(version, PRIVATE_DIR)
    for name in LOG_FILES:
        writers[name](version / name)
        os.chmod(version / name, PRIVATE_DIR if (version / name).is_dir() else PRIVATE_FILE)
        step(f"wrote {name}")
    for name in LOG_FILES:
        path = version / name
        for part in sorted(path.iterdir()) if path.is_dir() else ():
            fsync_path(part)
        fsync_path(path)
    fsync_path(version)
    step(STEP_SYNCED)
    _symlink(version.name, state / CURRENT)
    fsync_path(state)
    step(STEP_SWITCHED)
    _link(log_dir, step)
    fsync_path(log_dir)
    return version
