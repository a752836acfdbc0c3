"""Owner-only permissions for everything in the data folder: new files, and old ones at start."""

from __future__ import annotations

import logging
import os
import stat
import sys
from pathlib import Path

from desktop_app.core.files.paths import PRIVATE_DIR, PRIVATE_FILE

log = logging.getLogger(__name__)

_POSIX = sys.platform != "win32"


def private_file(path: Path) -> None:
    """Makes sure ``path`` exists with mode 0600 before a library opens it.

    SQLite and logging create files with 0644 (less the umask); creating the file first,
    empty and private, means they open ours. SQLite gives its -wal and -shm files the mode of
    the database file, so those are private too.
    """
    if not _POSIX:
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)


def make_private(root: Path) -> int:
    """Takes group and other access off every file and folder under ``root`` (and ``root``);
    returns how many were changed. Symbolic links are not followed; errors are logged."""
    if not _POSIX:
        return 0
    changed = 0
    for folder, _dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        changed += _tighten(here, PRIVATE_DIR)
        for name in files:
            changed += _tighten(here / name, PRIVATE_FILE)
    return changed


def _tighten(path: Path, mode: int) -> int:
    try:
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode) or st.st_uid != os.getuid():
            return 0
        if stat.S_IMODE(st.st_mode) & 0o077 == 0:
            return 0
        os.chmod(path, mode)
    except OSError as exc:
        log.warning("could not make %s private: %s", path, exc.strerror or exc)
        return 0
    return 1

