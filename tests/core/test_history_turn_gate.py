"""A write held until the Qt thread's turn has ended (a long reply's token record): it runs
once the event loop turns, before any later job, at once when the window reads, and before
the database closes; a finished long reply is saved through it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from desktop_app.api.logprobs import TokenChoice, TokenLog, TokenLogprob
from desktop_app.core.chat.conversation import ChatMessage, Conversation, MessageStatus
from desktop_app.core.history.storage import HistoryStore
from desktop_app.core.history.worker import HistoryWorker


@pytest.fixture
def worker(qapp, tmp_path: Path):
    store = HistoryWorker(lambda: HistoryStore(tmp_path / "h.sqlite3"))
    yield store
    store.close()


def test_a_held_write_runs_when_the_loop_turns_and_keeps_its_place(qtbot, worker):
    ran: list[str] = []
    worker.submit_after_turn(lambda _s: ran.append(threading.current_thread().name))
    worker.submit(lambda _s: ran.append("after"))
    # No turn of the event loop yet: the held write waits, and the write after it too.
    assert ran == []
    qtbot.waitUntil(lambda: len(ran) == 2, timeout=2_000)
    assert ran[0] != threading.main_thread().name and ran[1] == "after"


def test_a_read_opens_the_held_writes_at_once(worker):
    conv = Conversation(title="held", messages=[ChatMessage(role="user", content="q")])
    worker.submit_after_turn(lambda s: s.save_conversation(conv))
    # The event loop never turns here: the read must not wait for it.
    assert worker.has_conversation(conv.id)


def test_close_runs_held_writes(qapp, tmp_path: Path):
    path = tmp_path / "h.sqlite3"
    conv = Conversation(title="held", messages=[ChatMessage(role="user", content="q")])
    worker = HistoryWorker(lambda: HistoryStore(path))
    worker.submit_after_turn(lambda s: s.save_conversation(conv))
    worker.close()
    with HistoryStore(path) as store:
        assert store.has_conversation(conv.id)


def test_a_long_reply_with_tokens_is_saved(qtbot, qapp, tmp_path: Path):
    from desktop_app.core.chat.controller import ChatController
    from desktop_app.core.history.loader import ConversationLoader
    from desktop_app.core.history.service import BIG_TOKEN_RECORD, HistoryService
    from desktop_app.core.session.server import ServerSession
    from desktop_app.core.tasks import TaskRunner

    path = tmp_path / "h.sqlite3"
    runner = TaskRunner()
    store = HistoryWorker(lambda: HistoryStore(path))
    loader = ConversationLoader(store)
    chat = ChatController(ServerSession(runner), runner, loader=loader.load)
    service = HistoryService(chat, store, loader)  # noqa: F841 - kept alive: it saves
    conv = chat.current
    reply = ChatMessage(role="assistant", content="", status=MessageStatus.STREAMING)
    chat._append(conv, reply)
    words = [f" w{i % 97}" for i in range(BIG_TOKEN_RECORD + 5)]
    reply.tokens = TokenLog(TokenLogprob(w, -0.5, w.encode(), (TokenChoice(w, -0.5, None),))
                            for w in words)
    reply.content = "".join(words)
    reply.status = MessageStatus.COMPLETE
    chat.message_changed(conv.id, reply.id)
    store.close()
    with HistoryStore(path) as saved:
        back = saved.load_conversation(conv.id).messages[-1]
    assert back.content == reply.content and back.tokens is not None
    assert len(back.tokens) == len(words) and back.tokens.alternatives(3)[0].bytes is None
