"""Everything in the data folder is for its owner only: 0600 files, 0700 folders."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.chat.conversation import ChatMessage, Conversation
from desktop_app.core.files.file_modes import make_private
from desktop_app.core.files.paths import data_dir, log_dir
from desktop_app.core.files.private_log import PrivateLogHandler
from desktop_app.core.history.storage import HistoryStore
from desktop_app.core.history.storage.schema import backup_database
from desktop_app.core.params.presets import PresetStore
from desktop_app.core.settings import ProfileSettings, Settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture(autouse=True)
def _usual_umask() -> Iterator[None]:
    """The umask most desktops run with, which gives 0644 files unless the app says not."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_history_database_and_its_wal_are_private(tmp_path):
    path = tmp_path / "fresh" / "history.sqlite3"
    with HistoryStore(path) as store:
        store.save_conversation(Conversation(title="t", messages=[ChatMessage(role="user")]))
        files = sorted(p.name for p in path.parent.iterdir())
        assert "history.sqlite3-wal" in files and "history.sqlite3-shm" in files
        assert {p.name: mode(p) for p in path.parent.iterdir()} == dict.fromkeys(files, 0o600)
        backup = backup_database(store._db(), path, 1)
        assert mode(backup) == 0o600
    assert mode(path.parent) == 0o700


def test_settings_presets_and_folders_are_private():
    Settings(profiles=[ProfileSettings(name="Lab")]).save()
    PresetStore()._commit()
    folder = data_dir()
    assert mode(folder) == 0o700 and mode(log_dir()) == 0o700
    assert mode(folder / "settings.json") == 0o600 and mode(folder / "presets.json") == 0o600


def test_log_files_are_private_after_rotation(tmp_path):
    handler = PrivateLogHandler(tmp_path / "app.log", maxBytes=200, backupCount=2)
    logger = logging.getLogger("test_file_modes.rotation")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for i in range(20):
            logger.warning("line %d of a log that rotates", i)
    finally:
        logger.removeHandler(handler)
        handler.close()
    logs = sorted(tmp_path.glob("app.log*"))
    assert len(logs) == 3 and all(mode(p) == 0o600 for p in logs)


def test_make_private_fixes_what_was_left_open(tmp_path):
    (tmp_path / "exports").mkdir(mode=0o755)
    (tmp_path / "exports" / "a.md").write_text("x", encoding="utf-8")
    (tmp_path / "history.sqlite3").write_text("x", encoding="utf-8")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("not ours to change", encoding="utf-8")
    outside.chmod(0o644)
    (tmp_path / "link").symlink_to(outside)
    tmp_path.chmod(0o755)
    assert make_private(tmp_path) == 4
    assert mode(tmp_path) == 0o700 and mode(tmp_path / "exports") == 0o700
    assert mode(tmp_path / "exports" / "a.md") == 0o600
    assert mode(tmp_path / "history.sqlite3") == 0o600
    assert mode(outside) == 0o644  # a link is not followed out of the folder
    assert make_private(tmp_path) == 0
