"""A slow or failing keyring never holds up the window: its calls run off the Qt thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError, PasswordSetError
from PySide6.QtCore import Qt, QTimer

KEY = "sk-slow-keyring"


class SlowKeyring(KeyringBackend):
    """A keyring that takes its time, as a Secret Service waking up does; it records the
    threads it was called on, and whether a call is under way."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, refuse_writes: bool = False) -> None:
        super().__init__()
        self.refuse_writes = refuse_writes
        self.values: dict[tuple[str, str], str] = {}
        self.threads: list[int] = []
        self.busy = False

    @contextmanager
    def _call(self) -> Iterator[None]:
        self.threads.append(threading.get_ident())
        self.busy = True
        try:
            time.sleep(0.3)
            yield
        finally:
            self.busy = False

    def get_password(self, service: str, username: str) -> str | None:
        with self._call():
            return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._call():
            if self.refuse_writes:
                raise PasswordSetError("the keyring is locked")
            self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        with self._call():
            if self.values.pop((service, username), None) is None:
                raise PasswordDeleteError("not there")


@pytest.fixture
def slow_keyring(request) -> Iterator[SlowKeyring]:
    backend = SlowKeyring(refuse_writes=getattr(request, "param", False))
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def fill_new_server(qtbot, dialog, base_url: str) -> None:
    """Adds a server in the dialog with real clicks and typing."""
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.name, "Slow keyring")  # the new entry's name is selected
    dialog.base_url.setFocus()
    qtbot.keyClick(dialog.base_url, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.base_url, base_url)
    qtbot.keyClicks(dialog.api_key, KEY)


@contextmanager
def ticks_while(backend: SlowKeyring) -> Iterator[list[bool]]:
    """A timer that must keep ticking: each tick notes whether a keyring call was under way."""
    ticks: list[bool] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(backend.busy))
    timer.start(5)
    try:
        yield ticks
    finally:
        timer.stop()


def test_saving_and_switching_with_a_slow_keyring_keeps_the_window_going(
    qtbot, window, sim, slow_keyring
):
    state = window.services
    dialog = window.open_settings()
    qtbot.addWidget(dialog)
    fill_new_server(qtbot, dialog, sim.base_url)
    with ticks_while(slow_keyring) as ticks:
        qtbot.mouseClick(dialog.use_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.test_result.text().startswith("Saved"), timeout=10_000)
        qtbot.waitUntil(
            lambda: state.session.profile is not None
            and state.session.profile.name == "Slow keyring",
            timeout=10_000,
        )
    assert any(ticks), "the window stood still while the keyring worked"
    assert "are in the system keyring" in dialog.test_result.text()
    saved = state.session.profile
    assert slow_keyring.values[(state.secrets.service, f"profile:{saved.id}:api_key")] == KEY
    assert saved.api_key == KEY and saved.base_url == sim.base_url
    assert slow_keyring.threads and threading.get_ident() not in slow_keyring.threads
    qtbot.waitUntil(lambda: bool(state.session.models), timeout=10_000)
    dialog.close()


@pytest.mark.parametrize("slow_keyring", [True], indirect=True)
def test_a_keyring_that_refuses_keeps_the_key_for_the_session(
    qtbot, window, sim, slow_keyring
):
    state = window.services
    dialog = window.open_settings()
    qtbot.addWidget(dialog)
    fill_new_server(qtbot, dialog, sim.base_url)
    with ticks_while(slow_keyring) as ticks:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.test_result.text().startswith("Saved"), timeout=10_000)
    assert any(ticks), "the window stood still while the keyring worked"
    assert "for this session only" in dialog.test_result.text()
    assert state.secrets.problem and "session only" in state.secrets.problem
    saved = next(p for p in state.profiles.profiles() if p.name == "Slow keyring")
    assert saved.api_key == KEY and saved.base_url == sim.base_url
    assert slow_keyring.values == {}
    dialog.close()
