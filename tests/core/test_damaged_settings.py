"""A damaged settings or presets file never stops the app and is never lost: it is kept
beside the new one under a findable name, and the notice names it."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from desktop_app.app.services import AppServices
from desktop_app.core.chat.conversation import GenerationSettings
from desktop_app.core.files.paths import data_dir, settings_path
from desktop_app.core.params.presets import GEMMA_RECOMMENDED, PresetStore, presets_path
from desktop_app.core.session.profiles import ProfileStore, ServerProfile
from desktop_app.core.session.secrets import SecretStore
from desktop_app.core.settings import Settings

GOOD_PROFILE = {"name": "Lab", "model": "google/gemma-4-31B-it", "ca_bundle": "", "id": "p1"}


def damaged_copies(stem: str) -> list[Path]:
    return sorted(data_dir().glob(f"{stem}.damaged-*.json"))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("[]", "a list"),
        ("null", "null"),
        ("42", "a number"),
        ('{"profiles": [ {"name": "Lab", ', "not valid JSON"),
        ("\xff\xfe garbage", "not valid JSON"),
    ],
)
def test_a_file_that_is_not_settings_gives_defaults_and_is_kept_aside(text, kind):
    settings_path().write_bytes(text.encode("utf-8", "surrogateescape"))
    original = settings_path().read_bytes()
    settings = Settings.load()
    assert settings.profiles == [] and settings.active_profile is None and settings.extra == {}
    [kept] = damaged_copies("settings")
    assert kept.read_bytes() == original
    assert kept.name.startswith("settings.damaged-") and kept.suffix == ".json"
    assert kind in settings.notice and str(kept) in settings.notice
    assert not settings_path().exists()  # the name is free for a fresh file
    assert settings.save() and Settings.load().notice is None


def test_wrong_typed_fields_fall_back_one_by_one():
    raw = {
        "version": 1,
        "profiles": [GOOD_PROFILE, {"name": "Odd", "model": 5, "id": "p2"}, "junk", {"id": "x"}],
        "active_profile": 3,
        "extra": ["not", "a", "dict"],
    }
    settings_path().write_text(json.dumps(raw), encoding="utf-8")
    settings = Settings.load()
    assert [(p.name, p.model, p.id) for p in settings.profiles] == [
        ("Lab", "google/gemma-4-31B-it", "p1"),
        ("Odd", "", "p2"),
    ]
    assert settings.active_profile is None and settings.extra == {}
    for word in ("model was a number", "active_profile was a number", "extra was a list"):
        assert word in settings.notice
    [kept] = damaged_copies("settings")
    assert json.loads(kept.read_text(encoding="utf-8")) == raw  # the original, as it was
    # The file itself now holds what could be used, so the next start is quiet.
    again = Settings.load()
    assert again.notice is None and [p.id for p in again.profiles] == ["p1", "p2"]


def test_profiles_as_a_number_keeps_the_rest():
    settings_path().write_text(
        json.dumps({"profiles": 5, "extra": {"images": {"limit": 3}}}), encoding="utf-8"
    )
    settings = Settings.load()
    assert settings.profiles == [] and settings.extra == {"images": {"limit": 3}}
    assert "profiles was a number" in settings.notice
    assert len(damaged_copies("settings")) == 1


def test_a_syntax_error_never_costs_the_users_profiles():
    good = json.dumps({"profiles": [GOOD_PROFILE], "active_profile": "p1"}, indent=2)
    settings_path().write_text(good[:-3], encoding="utf-8")  # cut short, as by a full disk
    state = AppServices(secrets=SecretStore(service=f"gemma-desk-test-{uuid.uuid4().hex[:8]}"))
    try:
        assert any("settings.damaged-" in n for n in state.notices)
        # The user adds a server: a new settings file is written, the old one is still there.
        new = ServerProfile(name="New", base_url="http://127.0.0.1:9/v1")
        state.profiles.save(new)
        [kept] = damaged_copies("settings")
        assert kept.read_text(encoding="utf-8") == good[:-3]
        assert [p.name for p in Settings.load().profiles] == ["New"]
        state.profiles.delete(new.id)
    finally:
        state.store.close()


def test_read_only_session_leaves_a_damaged_file_alone():
    settings_path().write_text("[]", encoding="utf-8")
    settings = Settings.load(read_only="the data folder cannot be written")
    assert settings.profiles == [] and "left as it is" in settings.notice
    assert damaged_copies("settings") == []
    assert settings.save() is False and settings_path().read_text(encoding="utf-8") == "[]"


def test_a_file_that_cannot_be_read_is_never_overwritten():
    settings_path().mkdir()  # a folder where the file should be: reading fails, not parsing
    settings = Settings.load()
    assert "could not be read" in settings.notice and settings.read_only
    store = ProfileStore(settings, SecretStore(service="gemma-desk-test-unreadable"))
    store.save(ServerProfile(name="S", base_url="http://127.0.0.1:9/v1"))
    assert settings_path().is_dir() and damaged_copies("settings") == []


# ---- presets -----------------------------------------------------------------------------------


def _preset(name: str, **sampling) -> dict:
    return {"name": name, "sampling": sampling}


def test_a_presets_file_that_is_not_json_is_kept_aside():
    presets_path().write_text('{"presets": [', encoding="utf-8")
    store = PresetStore()
    assert store.get(GEMMA_RECOMMENDED) is not None
    [kept] = damaged_copies("presets")
    assert kept.read_text(encoding="utf-8") == '{"presets": ['
    assert str(kept) in store.problem and not presets_path().exists()


@pytest.mark.parametrize("text", ["[]", "null", '{"presets": 5}', '"text"'])
def test_a_presets_file_of_the_wrong_shape_is_kept_aside(text):
    presets_path().write_text(text, encoding="utf-8")
    store = PresetStore()
    assert store.default_name == GEMMA_RECOMMENDED
    [kept] = damaged_copies("presets")
    assert kept.read_text(encoding="utf-8") == text and str(kept) in store.problem


def test_one_bad_preset_costs_only_itself():
    raw = {
        "format": "gemma-desk-presets",
        "version": 1,
        "default": "Mine",
        "presets": [
            _preset("Mine", temperature=0.2),
            _preset("Broken", temperature="hot"),
            {"sampling": {}},
            _preset("Also mine", top_k=5),
        ],
    }
    presets_path().write_text(json.dumps(raw), encoding="utf-8")
    store = PresetStore()
    assert store.get("Mine") is not None and store.get("Also mine") is not None
    assert store.get("Broken") is None and store.default_name == "Mine"
    assert "2 of yours" in store.problem
    [kept] = damaged_copies("presets")
    assert json.loads(kept.read_text(encoding="utf-8")) == raw
    # The file now holds the presets that could be read.
    again = PresetStore()
    assert again.problem is None and again.get("Also mine") is not None


def test_read_only_presets_are_kept_in_memory_only():
    store = PresetStore(read_only="the data folder cannot be written")
    store.save("Mine", GenerationSettings())
    assert store.get("Mine") is not None and not presets_path().exists()
    assert "not saved this session" in store.problem
