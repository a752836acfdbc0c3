"""Profiles keep their URL and key in the keyring, never in the settings file."""

from __future__ import annotations

import json
import uuid

import keyring
import pytest

from desktop_app.core.files.paths import data_dir, settings_path
from desktop_app.core.session.profiles import ProfileStore, ServerProfile, validate_base_url
from desktop_app.core.session.secrets import SecretStore
from desktop_app.core.settings import Settings

KEY = "sk-test-" + uuid.uuid4().hex


@pytest.fixture
def secrets():
    store = SecretStore(service=f"gemma-desk-test-{uuid.uuid4().hex[:8]}")
    yield store


def test_url_and_key_live_in_the_keyring_only(secrets):
    if not secrets.available:
        pytest.fail(f"this test needs a working keyring backend: {secrets.problem}")
    store = ProfileStore(Settings(), secrets)
    p = ServerProfile(name="Lab", base_url="https://lab.internal:8000/v1", api_key=KEY, model="m")
    assert store.save(p) is True
    raw = settings_path().read_text()
    assert KEY not in raw and "lab.internal" not in raw
    assert json.loads(raw)["profiles"][0]["name"] == "Lab"
    assert keyring.get_password(secrets.service, f"profile:{p.id}:api_key") == KEY
    # a fresh store reads them back from the keyring
    again = ProfileStore(Settings.load(), SecretStore(service=secrets.service)).get(p.id)
    assert again.api_key == KEY and again.base_url == "https://lab.internal:8000/v1"
    for path in data_dir().rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    store.delete(p.id)
    assert keyring.get_password(secrets.service, f"profile:{p.id}:api_key") is None


def test_no_keyring_keeps_secrets_for_the_session_only(monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.core._keyring_backend = None  # re-read the backend choice
    try:
        keyring.core.init_backend()
        secrets = SecretStore(service="gemma-desk-test-none")
        assert not secrets.available and "session only" in secrets.problem
        store = ProfileStore(Settings(), secrets)
        p = ServerProfile(name="S", base_url="http://127.0.0.1:8000/v1", api_key=KEY)
        assert store.save(p) is False
        assert store.get(p.id).api_key == KEY
        for path in data_dir().rglob("*"):
            if path.is_file():
                assert KEY.encode() not in path.read_bytes()
    finally:
        monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
        keyring.core.init_backend()


def test_environment_prefills_first_profile(secrets):
    store = ProfileStore(Settings(), secrets)
    env = {
        "GEMMA_BASE_URL": "http://10.0.0.5:8000/v1",
        "GEMMA_MODEL": "google/gemma-4-31B-it",
        "HEXGRID_API_KEY": KEY,
    }
    p = store.prefill_from_env(env)
    assert p is not None and store.active().base_url == env["GEMMA_BASE_URL"]
    assert store.active().model == "google/gemma-4-31B-it" and store.active().api_key == KEY
    assert store.prefill_from_env(env) is None  # only on first run
    store.delete(p.id)


@pytest.mark.parametrize(
    ("url", "warns"),
    [
        ("http://10.0.0.5:8000/v1", True),
        ("http://127.0.0.1:8000/v1", False),
        ("http://localhost:8000/v1", False),
        ("https://example.org/v1", False),
        ("http://[::1]:8000/v1", False),
    ],
)
def test_plain_http_to_a_remote_host_warns(url, warns):
    assert bool(ServerProfile(name="x", base_url=url).transport_warning()) is warns


@pytest.mark.parametrize("url", ["", "ftp://x", "http://", "localhost:8000", "http://h:99999"])
def test_bad_urls_are_explained(url):
    assert validate_base_url(url)


def test_environment_is_honoured_on_every_run_without_a_keyring(monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.core._keyring_backend = None
    env = {"GEMMA_BASE_URL": "http://10.0.0.5:8000/v1", "GEMMA_MODEL": "m", "HEXGRID_API_KEY": KEY}
    try:
        keyring.core.init_backend()
        first = ProfileStore(Settings.load(), SecretStore(service="gemma-desk-test-none"))
        assert first.prefill_from_env(env) is not None
        # Next run: the profile's name is in the settings file, its address was not kept.
        second = ProfileStore(Settings.load(), SecretStore(service="gemma-desk-test-none"))
        assert second.active().base_url == ""
        second.prefill_from_env(env)
        active = second.active()
        assert active.base_url == env["GEMMA_BASE_URL"] and active.api_key == KEY
        assert active.model == "m" and len(second.profiles()) == 1
        # A run without the variable has no address to offer.
        third = ProfileStore(Settings.load(), SecretStore(service="gemma-desk-test-none"))
        assert third.prefill_from_env({}) is None and third.active().base_url == ""
        assert KEY not in settings_path().read_text()
    finally:
        monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
        keyring.core.init_backend()


def test_environment_never_overrides_a_stored_address(secrets):
    store = ProfileStore(Settings(), secrets)
    p = ServerProfile(name="Lab", base_url="https://lab.internal/v1", api_key="stored")
    store.save(p)
    store.set_active(p.id)
    env = {"GEMMA_BASE_URL": "http://10.0.0.5:8000/v1", "HEXGRID_API_KEY": KEY}
    assert store.prefill_from_env(env) is None
    assert store.active().base_url == "https://lab.internal/v1"
    assert store.active().api_key == "stored"
    store.delete(p.id)
