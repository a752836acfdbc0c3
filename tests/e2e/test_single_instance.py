"""Two starts on one data folder: the second hands over to the running window, or runs
read-only when that one does not answer; it never writes beside it."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.app.single_instance import LOCK_NAME, server_name
from tests.e2e.app_process import TIMEOUT, notices, run_app, smoke_ok, start_app

RAISED = "another start on this data folder: raising the window"


def _log(data: Path) -> str:
    return (data / "logs" / "gemma-desk.log").read_text(encoding="utf-8")


def _history_digest(data: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(data.glob("history.sqlite3*"))
    }


def _stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGCONT)
    proc.terminate()  # the app closes its window on SIGTERM, as the user would
    try:
        proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
    return proc.returncode


@pytest.fixture
def first(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, Path]]:
    data = tmp_path / "data"
    proc = start_app(data)
    try:
        yield proc, data
    finally:
        if proc.poll() is None:
            _stop(proc)


def test_second_start_hands_over_to_the_running_window(first):
    proc, data = first
    second = run_app(data)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "already running" in second.stdout and str(data) in second.stdout
    assert "smoke-test: ok" not in second.stdout  # it opened no window of its own
    assert RAISED in _log(data)
    assert proc.poll() is None  # the first one carries on
    assert _stop(proc) == 0


def test_second_start_runs_read_only_when_the_first_does_not_answer(first):
    proc, data = first
    before = _history_digest(data)
    proc.send_signal(signal.SIGSTOP)  # hung: holds the folder, answers nothing
    try:
        second = run_app(data)
    finally:
        proc.send_signal(signal.SIGCONT)
    assert smoke_ok(second), second.stdout + second.stderr
    banner = "\n".join(notices(second))
    assert "running read-only" in banner and "another Gemma Desk" in banner and str(data) in banner
    assert _history_digest(data) == before  # the second start wrote nothing
    assert RAISED not in _log(data)
    assert _stop(proc) == 0


def test_separate_data_folders_do_not_meet(first, tmp_path):
    proc, _data = first
    other = run_app(tmp_path / "other")
    assert smoke_ok(other), other.stdout + other.stderr
    assert notices(other) == [] and "already running" not in other.stdout
    assert _stop(proc) == 0


def test_a_lock_left_by_a_killed_start_does_not_make_the_next_read_only(tmp_path):
    data = tmp_path / "data"
    proc = start_app(data)
    proc.kill()  # no clean-up: the lock file and the socket stay behind
    proc.communicate()
    assert (data / LOCK_NAME).exists()
    result = run_app(data)
    assert smoke_ok(result), result.stdout + result.stderr
    assert notices(result) == []


def test_server_name_follows_the_folder(tmp_path):
    (tmp_path / "a").mkdir()
    os.symlink(tmp_path / "a", tmp_path / "link")
    assert server_name(tmp_path / "a") == server_name(tmp_path / "link")
    assert server_name(tmp_path / "a") == server_name(tmp_path / "a" / ".." / "a")
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")
