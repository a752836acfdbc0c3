"""Whether the data folder can be written this run, and what the window says when it cannot."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from desktop_app.core.files.paths import PRIVATE_FILE, make_private_dir

# A write of this size has to find free blocks: a full disk fails it, a nearly empty
# write could still fit in a block the file system has already allotted.
PROBE_BYTES = 64 * 1024

NOT_SAVED = (
    "Not being saved this session: conversation history, settings and server profiles, "
    "presets and the log. Export conversations you want to keep."
)


def write_problem(folder: Path) -> str | None:
    """None when ``folder`` can be created and written to; else why not, in plain words."""
    if not make_private_dir(folder):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return f"the data folder {folder} cannot be created ({_reason(exc)})"
    probe = folder / f".write-probe-{os.getpid()}-{time.monotonic_ns()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        try:
            os.write(fd, b"\0" * PROBE_BYTES)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        return f"the data folder {folder} cannot be written ({_reason(exc)})"
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()
    return None


def read_only_notice(reason: str) -> str:
    """The banner text for a session that writes nothing into the data folder."""
    return f"Gemma Desk is running read-only: {reason}. {NOT_SAVED}"


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
