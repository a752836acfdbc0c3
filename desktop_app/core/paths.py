"""Where the app writes: one data folder, movable with GEMMA_DESK_DATA_DIR."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "gemma-desk"


def data_dir() -> Path:
    """The folder for settings, the database and logs (created on first use)."""
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
    path.mkdir(parents=True, exist_ok=True)
    return path


def settings_path() -> Path:
    return data_dir() / "settings.json"


def database_path() -> Path:
    return data_dir() / "history.sqlite3"


def log_dir() -> Path:
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path
