"""Output paths checked before any input is read: a run that cannot write its result says so first.

Reading and analysing a large log takes minutes; an ``--out`` that is a file where a folder is
needed, or a folder without write permission, must not surface as a traceback after all of it.
Both checks create what is missing (readable by the owner only, as everything the toolkit writes)
and try a real write, since permission bits do not tell the whole story (read-only mounts, ACLs).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from toolkit.atomic import private_dirs
from toolkit.errors import OutputError


def _nearest_file_in_the_way(path: Path) -> Path | None:
    for folder in (path, *path.parents):
        if folder.exists():
            return None if folder.is_dir() else folder
    return None


def writable_dir(path: Path) -> Path:
    """``path`` as a folder the process can write to (created if missing), or :class:`OutputError`."""
    path = Path(path)
    blocking = _nearest_file_in_the_way(path)
    if blocking is not None:
        raise OutputError(f"{path}: {blocking} is a file, not a folder; name a folder to write to")
    try:
        private_dirs(path)
        fd, probe = tempfile.mkstemp(dir=path, prefix=".write-check-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot write there ({exc.strerror}); choose a folder you may write to"
        ) from None
    return path


def writable_file(path: Path) -> Path:
    """``path`` as a file the process can create or replace, or :class:`OutputError`."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; name the file to write, e.g. {path / 'x'}")
    writable_dir(path.parent)  # the file is written beside itself and renamed into place
    return path
