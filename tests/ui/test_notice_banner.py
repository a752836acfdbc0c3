"""The window's notice banner: damaged files set aside and read-only sessions are said."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from desktop_app.app.services import AppServices
from desktop_app.core.chat.conversation import ChatMessage, Conversation, MessageStatus
from desktop_app.core.files.paths import data_dir, database_path, settings_path
from desktop_app.core.history.storage import HistoryStore
from desktop_app.core.session.profiles import ServerProfile

READ_ONLY = "another Gemma Desk is using the data folder and did not answer"


@pytest.fixture
def open_window(qtbot, qloop, secrets, sim) -> Iterator:
    """Builds the real window over an AppServices made as at start-up (settings from disk)."""
    made: list[AppServices] = []

    def _open(read_only: str | None = None):
        from desktop_app.ui.window.main_window import MainWindow

        st = AppServices(secrets=secrets, read_only=read_only)
        made.append(st)
        profile = ServerProfile(name="Simulator", base_url=sim.base_url)
        st.profiles.save(profile)
        st.profiles.set_active(profile.id)
        st.start()
        win = MainWindow(st)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitUntil(lambda: bool(st.session.models), timeout=10_000)
        return win

    yield _open
    for st in made:
        for p in st.profiles.profiles():
            st.profiles.delete(p.id)
        closing = qloop.create_task(st.aclose())
        qtbot.waitUntil(closing.done, timeout=10_000)


def test_damaged_settings_are_named_in_the_window_and_the_banner_can_be_hidden(
    qtbot, open_window
):
    settings_path().write_text("null", encoding="utf-8")
    win = open_window()
    [kept] = data_dir().glob("settings.damaged-*.json")
    banner = win.notice_banner
    assert banner.isVisible() and str(kept) in banner.text()
    qtbot.mouseClick(banner.close_button, Qt.MouseButton.LeftButton)
    assert not banner.isVisible()


def test_no_banner_when_all_is_well(open_window):
    win = open_window()
    assert not win.notice_banner.isVisible()


def _digest() -> str:
    return hashlib.sha256(database_path().read_bytes()).hexdigest()


def test_read_only_session_shows_the_history_chats_and_writes_nothing(qtbot, open_window):
    with HistoryStore() as store:
        store.save_conversation(
            Conversation(title="Earlier chat", messages=[ChatMessage(role="user", content="hi")])
        )
    before = _digest()
    win = open_window(read_only=READ_ONLY)
    assert win.notice_banner.isVisible()
    assert "running read-only" in win.notice_banner.text() and READ_ONLY in win.notice_banner.text()
    assert win.conversation_list.count() == 1
    errors: list[str] = []
    win.services.history.failed.connect(errors.append)
    qtbot.keyClicks(win.composer.edit, "Hello while read-only")
    qtbot.keyClick(win.composer.edit, Qt.Key.Key_Return)
    chat = win.services.chat
    qtbot.waitUntil(
        lambda: not chat.busy and chat.current.messages[-1].role == "assistant", timeout=15_000
    )
    assert chat.current.messages[-1].status == MessageStatus.COMPLETE
    assert _digest() == before and errors == []
    # A write would have gone to the write-ahead log (SQLite may make it, empty, to read).
    wal = database_path().with_name("history.sqlite3-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert not settings_path().exists()
    with HistoryStore() as store:
        assert [c.title for c in store.list_conversations()] == ["Earlier chat"]
