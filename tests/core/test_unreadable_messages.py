"""A conversation with stored messages the app cannot read: it says so, and never writes over it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop_app.core.chat.controller import ChatController
from desktop_app.core.chat.conversation import ChatMessage, Conversation
from desktop_app.core.history.loader import ConversationLoader
from desktop_app.core.history.service import HistoryService
from desktop_app.core.history.storage import HistoryStore
from desktop_app.core.history.worker import HistoryWorker
from desktop_app.core.session.server import ServerSession
from desktop_app.core.tasks import TaskRunner


def corrupt_history(path: Path) -> Conversation:
    """A saved conversation of three messages whose second row holds broken JSON."""
    conv = Conversation(
        title="Field notes",
        messages=[
            ChatMessage(role="user", content="first question"),
            ChatMessage(role="assistant", content="first answer"),
            ChatMessage(role="user", content="second question"),
        ],
    )
    with HistoryStore(path) as store:
        store.save_conversation(conv)
    db = sqlite3.connect(path)
    with db:
        broken = '{"reply": {'
        db.execute("UPDATE messages SET data = ? WHERE id = ?", (broken, conv.messages[1].id))
    db.close()
    return conv


def raw_rows(path: Path) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return [
            *db.execute("SELECT * FROM conversations ORDER BY id"),
            *db.execute("SELECT * FROM messages ORDER BY conversation_id, position"),
        ]
    finally:
        db.close()


def test_the_readable_messages_load_and_the_rest_is_named(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    conv = corrupt_history(path)
    with HistoryStore(path) as store:
        loaded = store.load_conversation(conv.id)
    assert [m.content for m in loaded.messages] == ["first question", "second question"]
    assert loaded.title == "Field notes"
    assert "1 of its 3 messages could not be read" in loaded.read_only
    assert "kept on disk untouched" in loaded.read_only


@pytest.fixture
def history(qapp, tmp_path: Path):
    path = tmp_path / "h.sqlite3"
    conv = corrupt_history(path)
    runner = TaskRunner()
    store = HistoryWorker(lambda: HistoryStore(path))
    loader = ConversationLoader(store)
    chat = ChatController(ServerSession(runner), runner, loader=loader.load)
    service = HistoryService(chat, store, loader)
    service.restore()
    yield service, conv, path
    store.close()


def test_nothing_done_in_the_app_writes_over_it(history) -> None:
    service, conv, path = history
    chat = service.chat
    before = raw_rows(path)
    assert chat.current.id == conv.id and chat.current.read_only
    notices: list[str] = []
    chat.notice.connect(notices.append)

    assert not chat.send("overwrite me")
    assert notices and "read-only" in notices[0]
    assert not chat.delete_message(chat.current.messages[0].id)
    assert not chat.regenerate()
    chat.set_system_prompt("changed")
    chat.current.title = "auto title"
    chat.conversationsChanged.emit()
    service.rename(conv.id, "New name")
    service.flush()
    service.store.wait()  # whatever was queued has run
    assert raw_rows(path) == before
    assert service.store.load_conversation(conv.id).title == "Field notes"


def test_continuing_in_a_copy_keeps_what_was_read(history) -> None:
    service, conv, path = history
    chat = service.chat
    before = raw_rows(path)
    service.duplicate(conv.id)
    copy = chat.current
    assert copy.id != conv.id and not copy.read_only
    assert [m.content for m in copy.messages] == ["first question", "second question"]
    assert copy.title == "Field notes (copy)"
    stored = service.store.load_conversation(copy.id)
    assert [m.content for m in stored.messages] == ["first question", "second question"]
    assert not stored.read_only
    # The original is still all there, the unreadable row included.
    assert all(row in raw_rows(path) for row in before)
