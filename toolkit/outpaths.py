"""Output paths checked before any input is read: a run that cannot write its result says so first.

Reading and analysing a large log takes minutes; an ``--out`` that is a file where a folder is
needed, or a folder without write permission, must not surface as a traceback after all of it.
An existing folder is tried with a real write, since permission bits do not tell the whole story
(read-only mounts, ACLs); for a folder still to be made, its nearest existing ancestor must let it
be made. With ``create`` the folder is made here (readable by the owner only, as everything the
toolkit writes), so the real write can be tried in it.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from toolkit.atomic import private_dirs
from toolkit.errors import OutputError


def _nearest_existing(path: Path, asked: Path) -> Path:
    """The path itself or its nearest ancestor that exists; a file there is in the way."""
    for folder in (path, *path.parents):
        if folder.exists():
            if not folder.is_dir():
                where = "" if folder == asked else f"{folder} "
                raise OutputError(
                    f"{asked}: {where}is a file, not a folder; name a folder to write to"
                )
            return folder
    return Path(path.anchor or ".")


def _refused(path: Path, reason: str | None) -> OutputError:
    return OutputError(f"{path}: cannot write there ({reason}); choose a folder you may write to")


def writable_dir(path: Path, *, create: bool = True, asked: Path | None = None) -> Path:
    """``path`` as a folder the process can write to, or :class:`OutputError` that names
    ``asked`` (the output the user named, when ``path`` is its folder)."""
    path = Path(path)
    asked = Path(asked) if asked is not None else path
    existing = _nearest_existing(path, asked)
    if existing != path and not create:
        if not os.access(existing, os.W_OK | os.X_OK):
            raise _refused(asked, os.strerror(errno.EACCES))
        return path
    try:
        private_dirs(path)
        fd, probe = tempfile.mkstemp(dir=path, prefix=".write-check-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise _refused(asked, exc.strerror) from None
    return path


def writable_file(path: Path) -> Path:
    """``path`` as a file the process can create or replace, or :class:`OutputError`."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; name the file to write, e.g. {path / 'x'}")
    writable_dir(path.parent, create=False, asked=path)  # written beside, then renamed
    return path
