"""The shared atomic file write: old or new file, never half; owner-only; nothing left over."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from desktop_app.core.chat.conversation import GenerationSettings
from desktop_app.core.files.atomic_write import write_atomically, write_json_atomically
from desktop_app.core.params.presets import PresetStore
from desktop_app.core.settings import ProfileSettings, Settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_replaces_a_readable_file_with_a_private_one(tmp_path):
    path = tmp_path / "notes.json"
    path.write_text("old", encoding="utf-8")
    os.chmod(path, 0o644)
    write_json_atomically(path, {"name": "Größe ✓"})
    assert json.loads(path.read_text(encoding="utf-8")) == {"name": "Größe ✓"}
    assert path.read_text(encoding="utf-8").endswith("\n")
    assert mode(path) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    # A folder where the file should be: the final rename fails after the text was written.
    blocked = tmp_path / "settings.json"
    blocked.mkdir()
    (tmp_path / "keep.json").write_text("old", encoding="utf-8")
    with pytest.raises(OSError):
        write_atomically(blocked, "new")
    assert blocked.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.json", "settings.json"]
    assert (tmp_path / "keep.json").read_text(encoding="utf-8") == "old"


def test_creates_its_missing_folder_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomically(tmp_path / "a" / "b" / "f.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "a" / "b" / "f.txt").read_text(encoding="utf-8") == "x"
    assert mode(tmp_path / "a" / "b") == 0o700


def test_settings_and_presets_round_trip_through_it(tmp_path):
    settings_file = tmp_path / "settings.json"
    assert Settings(profiles=[ProfileSettings(name="Lab ✓")]).save(settings_file)
    assert json.loads(settings_file.read_text(encoding="utf-8"))["profiles"][0]["name"] == "Lab ✓"
    PresetStore(tmp_path / "presets.json").save("Mine", GenerationSettings())
    assert "Mine" in PresetStore(tmp_path / "presets.json").names()
    assert mode(settings_file) == 0o600 and mode(tmp_path / "presets.json") == 0o600


def test_a_read_only_settings_object_writes_nothing(tmp_path):
    settings = Settings(profiles=[ProfileSettings(name="Lab")], read_only="a test")
    assert settings.save(tmp_path / "settings.json") is False
    assert list(tmp_path.iterdir()) == []
