"""Atomic, private file writes: a reader sees the old file or the new one, never half of one.

An ingest that is interrupted (Ctrl-C, a full disk) must not leave a truncated events.parquet that
the dashboard then reads as a smaller log. Every output is written to a temporary file in the same
directory (same file system, so the rename is atomic) and moved over the target with os.replace.

Everything the toolkit writes holds chain data (pseudonymised, but about persons), so files are
readable by their owner only (``0o600``) and the folders the toolkit creates too (``0o700``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
# The umask that gives every file and folder a process creates the modes above.
PRIVATE_UMASK = 0o077


def private_dirs(path: Path) -> None:
    """Create ``path`` and its missing parents, each readable by its owner only."""
    path = Path(path)
    missing = []
    while not path.exists():
        missing.append(path)
        if path.parent == path:
            break
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        os.chmod(folder, PRIVATE_DIR)  # mkdir's mode passes through the umask


def fsync_path(path: Path) -> None:
    """Flush a file's (or a folder's entries') data to disk, so a power cut keeps what was said."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write`` with a temporary path beside ``path``, then move the result into place.

    The temporary file is created readable by its owner only (``mkstemp``), and a writer that
    replaces it keeps no other mode: the target ends up ``0o600``.
    """
    path = Path(path)
    private_dirs(path.parent)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, PRIVATE_FILE)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes | memoryview) -> None:
    atomic_write(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
