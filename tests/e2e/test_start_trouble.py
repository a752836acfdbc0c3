"""The real app started as a process on a damaged, read-only or full data folder: it starts,
says what is wrong in its window, and loses nothing."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import stat
import subprocess
from pathlib import Path

import pytest

from desktop_app.core.chat.conversation import ChatMessage, Conversation
from desktop_app.core.history.storage import HistoryStore
from tests.e2e.app_process import app_env, notices, run_app, smoke_ok


def _owner_only(data: Path) -> list[str]:
    """Paths under ``data`` that other users could read (should be none)."""
    loose = []
    for path in [data, *data.rglob("*")]:
        if stat.S_IMODE(path.lstat().st_mode) & 0o077:
            loose.append(f"{path.relative_to(data)} {oct(path.lstat().st_mode)}")
    return loose


# ---- damaged files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["[]", "null", '{"profiles":5}', '{"profiles": [{"name": "Lab", "id": "p1"}'],
)  # fmt: skip
def test_damaged_settings_start_with_defaults_and_say_where_the_file_went(tmp_path, text):
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_text(text, encoding="utf-8")
    result = run_app(data)
    assert smoke_ok(result), result.stdout + result.stderr
    [kept] = data.glob("settings.damaged-*.json")
    assert kept.read_text(encoding="utf-8") == text
    [line] = notices(result)
    assert "settings" in line and str(kept) in line


def test_damaged_presets_start_and_say_where_the_file_went(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "presets.json").write_text('{"presets": [', encoding="utf-8")
    result = run_app(data)
    assert smoke_ok(result), result.stdout + result.stderr
    [kept] = data.glob("presets.damaged-*.json")
    assert any(str(kept) in line for line in notices(result))


# ---- a data folder that cannot be written -------------------------------------------------------


def test_data_folder_that_cannot_be_created_runs_read_only(tmp_path):
    # A regular file where a folder should be: no user, root included, can create it.
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run_app(blocker / "data")
    assert smoke_ok(result), result.stdout + result.stderr
    banner = "\n".join(notices(result))
    assert "running read-only" in banner and str(blocker / "data") in banner
    assert "conversation history" in banner and "settings" in banner
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def _as_unprivileged() -> list[str]:
    """A command prefix under which a folder's mode bits hold, even when the tests run as root:
    a user namespace in which this user is an ordinary one (no CAP_DAC_OVERRIDE)."""
    if os.geteuid() != 0:
        return []
    unshare = shutil.which("unshare")
    prefix = [unshare or "unshare", "--user", "--map-user=1000", "--map-group=1000"]
    probe = subprocess.run([*prefix, "true"], capture_output=True, check=False) if unshare else None
    if probe is None or probe.returncode != 0:
        pytest.skip("running as root and user namespaces are not available to drop the privilege")
    return prefix


def test_read_only_data_folder_starts_shows_history_and_writes_nothing(tmp_path):
    data = tmp_path / "data"
    prefix = _as_unprivileged()
    assert smoke_ok(first := run_app(data, prefix=prefix)), first.stdout + first.stderr
    with HistoryStore(data / "history.sqlite3") as store:
        chat = Conversation(title="Kept safe")
        chat.messages.append(ChatMessage(role="user", content="hello"))
        store.save_conversation(chat)
    before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    for path in [data, *data.rglob("*")]:
        path.chmod(0o500 if path.is_dir() else 0o400)
    try:
        # Proof that the folder really refuses writes to the app's user.
        probe = subprocess.run(
            [*prefix, "touch", str(data / "x")], capture_output=True, check=False
        )
        assert probe.returncode != 0
        result = run_app(data, prefix=prefix)
    finally:
        for path in [data, *data.rglob("*")]:
            path.chmod(0o700 if path.is_dir() else 0o600)
    assert smoke_ok(result), result.stdout + result.stderr
    banner = "\n".join(notices(result))
    assert "running read-only" in banner and "cannot be written" in banner and str(data) in banner
    assert "conversation history" in banner
    assert "smoke-test: conversations: 1" in result.stdout  # the history, read-only
    assert {p: p.read_bytes() for p in data.rglob("*") if p.is_file()} == before


def _full_disk() -> None:
    # Every write that would grow a file fails, as on a full disk (EFBIG instead of ENOSPC);
    # it holds for root too. Python ignores SIGXFSZ, so the write returns an error.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def test_full_disk_at_first_start_runs_read_only(tmp_path):
    data = tmp_path / "data"
    result = run_app(data, preexec_fn=_full_disk)
    assert smoke_ok(result), result.stdout + result.stderr
    banner = "\n".join(notices(result))
    assert "running read-only" in banner and "cannot be written" in banner
    assert not (data / "history.sqlite3").exists() and not (data / "settings.json").exists()


# ---- file modes ---------------------------------------------------------------------------------


def test_every_file_the_app_makes_is_private(tmp_path):
    data = tmp_path / "data"
    env = app_env(data)
    old = os.umask(0o022)
    try:
        result = run_app(data, env=env)
    finally:
        os.umask(old)
    assert smoke_ok(result), result.stdout + result.stderr
    assert (data / "history.sqlite3").is_file() and (data / "logs" / "gemma-desk.log").is_file()
    assert _owner_only(data) == []


def test_files_left_readable_by_an_older_version_are_fixed_at_start(tmp_path):
    data = tmp_path / "data"
    assert smoke_ok(run_app(data))
    (data / "exports").mkdir()
    (data / "exports" / "chat.md").write_text("# secret chat", encoding="utf-8")
    for path in [data, *data.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    assert _owner_only(data)
    assert smoke_ok(run_app(data))
    assert _owner_only(data) == []
