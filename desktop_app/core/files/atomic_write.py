"""The one way the app replaces a file it owns: atomically, and readable by its owner only."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from desktop_app.core.files.paths import PRIVATE_DIR


def write_atomically(path: Path, text: str) -> None:
    """Writes ``text`` (UTF-8) to ``path`` so that a crash leaves either the old or the new
    file, never a mix. Raises OSError when nothing was written; no temporary file is left.

    The new file is 0600 whatever the old one was: the temporary file it is renamed from is
    made by ``mkstemp``, which gives owner-only access. Whether writing is allowed at all (a
    read-only session) is the caller's rule, checked before calling this.
    """
    # mkdir's mode is filtered by the umask and ignored for folders that already exist.
    path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            # On disk before the rename, so the rename never points at an empty file.
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomically(path: Path, data: Any) -> None:
    """``data`` as indented UTF-8 JSON (with a final newline), written by ``write_atomically``."""
    write_atomically(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
