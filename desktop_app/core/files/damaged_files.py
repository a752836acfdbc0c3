"""Damaged data files are kept beside the new one, under a name a person can find."""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

log = logging.getLogger(__name__)


def stamped_name(path: Path, tag: str) -> Path:
    """A free name beside ``path`` for a kept copy: with ``tag`` "damaged", ``settings.json``
    becomes ``settings.damaged-20261202-101500.json`` (``-2``, ``-3``... if taken)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.{tag}-{stamp}{path.suffix}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.stem}.{tag}-{stamp}-{n}{path.suffix}")
    return target


def set_aside(path: Path, *, copy: bool) -> tuple[Path | None, str]:
    """Keeps a damaged file: moved aside (``copy=False``, the name is then free for a fresh
    file) or copied (the caller rewrites the original with what could be used).

    Returns the new path (None when that failed) and a sentence for the user saying where
    the file is, or why it was left in place.
    """
    target = stamped_name(path, "damaged")
    try:
        if copy:
            shutil.copyfile(path, target)
            os.chmod(target, 0o600)
        else:
            os.replace(path, target)
    except OSError as exc:
        log.error("could not keep the damaged file %s aside: %s", path, exc)
        return None, (
            f"It could not be set aside ({exc.strerror or exc}), so it was left as it is and "
            "will not be overwritten this session."
        )
    log.warning("damaged file %s kept as %s", path, target)
    return target, f"The damaged file was kept as {target}."
