"""Server profiles in the window: settings dialog, test connection, switching, demo server."""

from __future__ import annotations

import keyring
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop_app.app.services import AppServices
from desktop_app.core.chat.conversation import MessageStatus
from desktop_app.core.settings import Settings
from desktop_app.simulator import SimulatorConfig, running_simulator


def test_settings_dialog_tests_saves_and_switches(qtbot, window, secrets):
    state = window.services
    key = "sk-second-server"
    with running_simulator(
        SimulatorConfig(api_key=key, model="google/gemma-4-26B-A4B-it")
    ) as other:
        dialog = window.open_settings()
        qtbot.addWidget(dialog)
        dialog.add_button.click()
        dialog.name.setText("Second")
        dialog.base_url.setText(other.base_url)
        dialog.api_key.setText(key)
        dialog.test_button.click()
        qtbot.waitUntil(lambda: dialog.test_result.text() != "", timeout=10_000)
        assert "0.32.0" in dialog.test_result.text()
        assert "google/gemma-4-26B-A4B-it" in dialog.test_result.text()
        assert "32,768" in dialog.model.itemText(0)
        dialog.use_button.click()
        qtbot.waitUntil(lambda: state.session.model == "google/gemma-4-26B-A4B-it", timeout=10_000)
        saved = next(p for p in state.profiles.profiles() if p.name == "Second")
        assert keyring.get_password(secrets.service, f"profile:{saved.id}:api_key") == key
        assert state.settings.active_profile == saved.id
        assert "Second" in window.server_label.text()
        window.composer.set_text("Hello second server")
        qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
        qtbot.waitUntil(
            lambda: not state.chat.busy and len(state.chat.current.messages) == 2, timeout=10_000
        )
        reply = state.chat.current.messages[-1]
        assert reply.status == MessageStatus.COMPLETE
        assert reply.reply.model == "google/gemma-4-26B-A4B-it"
        assert other.simulator.requests[-1].headers["authorization"] == f"Bearer {key}"
        dialog.close()


def test_settings_dialog_keeps_its_result_code(qtbot, window):
    """The test connection label must not hide QDialog.result(): the code Escape leaves."""
    dialog = window.open_settings()
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_wrong_key_is_explained(qtbot, window):
    with running_simulator(SimulatorConfig(api_key="right")) as other:
        dialog = window.open_settings()
        qtbot.addWidget(dialog)
        dialog.base_url.setText(other.base_url)
        dialog.api_key.setText("wrong")
        dialog.test_button.click()
        qtbot.waitUntil(lambda: dialog.test_result.text() != "", timeout=10_000)
        assert dialog.test_result.text().startswith("✘")
        assert "key" in dialog.test_result.text().lower()
        dialog.close()


@pytest.mark.parametrize(
    ("url", "expect"),
    [
        ("http://192.168.1.20:8000/v1", "unencrypted"),
        ("ftp://x", "http://"),
        ("https://secure.example/v1", ""),
    ],
)
def test_address_warnings(qtbot, window, url, expect):
    dialog = window.open_settings()
    qtbot.addWidget(dialog)
    dialog.base_url.setText(url)
    assert (expect in dialog.warning.text()) if expect else not dialog.warning.isVisible()
    dialog.close()


def test_demo_server_when_nothing_is_configured(qtbot, qloop, secrets):
    from desktop_app.app.startup import start_demo_server, stop_demo_servers
    from desktop_app.ui.window.main_window import MainWindow

    state = AppServices(secrets=secrets, settings=Settings())
    try:
        state.start(start_demo_server)
        win = MainWindow(state)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitUntil(lambda: bool(state.session.models), timeout=10_000)
        assert state.session.profile.is_demo
        assert win.demo_badge.isVisible() and win.add_server_button.isVisible()
        assert "Demo server" in win.server_label.text()
        assert state.profiles.profiles() == []  # the demo is never saved as a profile
        closing = qloop.create_task(state.aclose())
        qtbot.waitUntil(closing.done, timeout=10_000)
    finally:
        stop_demo_servers()


def test_twenty_thousand_tokens_stream_into_the_window(qtbot, window):
    """A long reply streams completely into the real window (the 3.11 none_dealloc trap)."""
    window.composer.set_text("write 20000 tokens")
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    chat = window.services.chat
    qtbot.waitUntil(lambda: not chat.busy and len(chat.current.messages) == 2, timeout=60_000)
    reply = chat.current.messages[-1]
    assert reply.status == MessageStatus.COMPLETE
    assert reply.reply.usage.completion_tokens == 20000
    view = window.chat_view.widget_for(reply.id).text
    assert view.source_text() == reply.content
    # Finished blocks are rendered a slice of time per event-loop turn after the last token.
    qtbot.waitUntil(lambda: not view.is_rendering(), timeout=10_000)
    last_words = reply.content.split()[-3:]
    assert all(word.strip("*`#|-") in view.toPlainText() for word in last_words)
