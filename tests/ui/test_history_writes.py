"""History writes leave the Qt thread, keep their order, and all reach the disk on quit."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from window_support import send as type_and_send
from window_support import wait_reply_done

from desktop_app.app.services import AppServices
from desktop_app.core.chat.conversation import MessageStatus
from desktop_app.core.history.storage import HistoryStore
from desktop_app.core.settings import Settings
from desktop_app.simulator import SimulatorConfig

LONG_REPLY = "write 300 tokens"  # streams for about two seconds: checkpoints are written


@pytest.fixture
def sim_config() -> SimulatorConfig:
    return SimulatorConfig(tokens_per_second=150)


@pytest.fixture
def write_threads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The thread of every history write, recorded inside the store's write path (every write,
    checkpoints included, asks for the writable connection first). Each write is slowed as by
    a busy disk, so that writes pile up behind each other."""
    threads: list[int] = []
    writable = HistoryStore._writable

    def slow_writable(store: HistoryStore):
        threads.append(threading.get_ident())
        time.sleep(0.01)
        return writable(store)

    monkeypatch.setattr(HistoryStore, "_writable", slow_writable)
    yield threads


def send(qtbot, window, text: str):
    type_and_send(qtbot, window, text)
    return wait_reply_done(qtbot, window)


def stored(state: AppServices, conv_id: str):
    """The conversation as the database holds it once the writes queued so far have run."""
    assert state.history is not None
    return state.history.store.load_conversation(conv_id)


def test_history_writes_run_off_the_qt_thread(qtbot, window, write_threads):
    reply = send(qtbot, window, LONG_REPLY)
    state = window.services
    saved = stored(state, state.chat.current.id)
    assert saved.messages[-1].content == reply.content
    assert saved.messages[-1].status == MessageStatus.COMPLETE
    # The user message, the reply's first row, its checkpoints, its final row, the header.
    assert len(write_threads) >= 5
    assert threading.get_ident() not in write_threads


def test_many_quick_writes_keep_their_order(qtbot, window, write_threads):
    state = window.services
    chat = state.chat
    first = send(qtbot, window, "Hello")
    second = send(qtbot, window, LONG_REPLY)
    # Right after the streamed reply (its checkpoints and final write may still be queued),
    # the first answer is deleted with its button, and a third question goes out.
    window.chat_view.widget_for(first.id).action_buttons["delete"].click()
    third = send(qtbot, window, "And one more")
    on_screen = [(m.id, m.role, m.content, m.status) for m in chat.current.messages]
    assert first.id not in [m[0] for m in on_screen] and len(on_screen) == 5
    saved = stored(state, chat.current.id)
    assert [(m.id, m.role, m.content, m.status) for m in saved.messages] == on_screen
    assert saved.messages[2].content == second.content and saved.messages[4].id == third.id


def test_quitting_right_after_a_burst_of_writes_loses_nothing(
    qtbot, qloop, secrets, sim, write_threads, monkeypatch
):
    from desktop_app.core.session.profiles import ServerProfile
    from desktop_app.ui.window.main_window import MainWindow

    renamed: list[str] = []
    rename = HistoryStore.rename

    def counted_rename(store: HistoryStore, conversation_id: str, title: str) -> None:
        rename(store, conversation_id, title)
        renamed.append(title)

    monkeypatch.setattr(HistoryStore, "rename", counted_rename)

    state = AppServices(secrets=secrets, settings=Settings())
    profile = ServerProfile(name="Simulator", base_url=sim.base_url)
    state.profiles.save(profile)
    state.profiles.set_active(profile.id)
    state.start()
    window = MainWindow(state)
    qtbot.addWidget(window)
    window.show()
    try:
        reply = send(qtbot, window, LONG_REPLY)
        conv_id = state.chat.current.id
        for i in range(30):
            window.history_panel.rename(conv_id, f"Notes {i}")
        renamed_when_quit_began = len(renamed)
        closing = qloop.create_task(state.aclose())
        qtbot.waitUntil(closing.done, timeout=20_000)
        closing.result()
    finally:
        for p in state.profiles.profiles():
            state.profiles.delete(p.id)
    # The window did not wait for the disk: writes were still queued when quitting began.
    assert renamed_when_quit_began < 30
    assert renamed == [f"Notes {i}" for i in range(30)]
    with HistoryStore() as store:
        saved = store.load_conversation(conv_id)
    assert saved.title == "Notes 29"
    assert [m.content for m in saved.messages] == [LONG_REPLY, reply.content]
    assert saved.messages[-1].status == MessageStatus.COMPLETE


def test_a_failed_write_is_still_shown(qtbot, window):
    """The write fails on the store's thread; the window still hears why, with what to do."""
    state = window.services
    assert state.history is not None
    # From now on SQLite refuses every write on the history's connection.
    state.history.store.call(lambda s: s._db().execute("PRAGMA query_only = ON"))
    with qtbot.waitSignal(state.history.failed, timeout=10_000) as failed:
        type_and_send(qtbot, window, "Will this be saved?")
    [text] = failed.args
    assert "Could not write to the history database" in text
    assert "still on screen" in text
    wait_reply_done(qtbot, window)
    state.history.store.call(lambda s: s._db().execute("PRAGMA query_only = OFF"))
