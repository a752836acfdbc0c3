"""Where the app writes: one data folder, movable with GEMMA_DESK_DATA_DIR."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "gemma-desk"
# The history holds everything the user ever typed: other accounts on the machine must not
# read it, so every folder the app makes is 0700 and every file 0600.
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def data_dir() -> Path:
    """The folder for settings, the database and logs (created on first use).

    A folder that cannot be created is not an error here: the start-up check
    (``data_folder.write_problem``) finds it and the app runs read-only.
    """
    override = os.environ.get("GEMMA_DESK_DATA_DIR")
    if override:
        path = Path(override).expanduser()
    elif sys.platform == "win32":
        path = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming")) / "Gemma Desk"
    elif sys.platform == "darwin":
        path = Path.home() / "Library" / "Application Support" / "Gemma Desk"
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / APP_DIR_NAME
    make_private_dir(path)
    return path


def make_private_dir(path: Path) -> bool:
    """Creates ``path`` (and its parents) with owner-only access; False when it cannot."""
    try:
        # mkdir's mode is filtered by the umask and ignored for parents that already exist.
        path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    except OSError:
        return False
    return True


def settings_path() -> Path:
    return data_dir() / "settings.json"


def database_path() -> Path:
    return data_dir() / "history.sqlite3"


def drafts_path() -> Path:
    return data_dir() / "drafts.json"


def log_dir() -> Path:
    path = data_dir() / "logs"
    make_private_dir(path)
    return path
