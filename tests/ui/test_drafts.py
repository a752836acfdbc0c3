"""Drafts belong to their conversation: switched with it, kept across a restart; empty chats
do not pile up."""

from __future__ import annotations

from pathlib import Path

from image_support import drop, file_mime, make_files, tray_of, wait_ready
from PySide6.QtCore import Qt
from window_support import pick_conversation, send, wait_reply_done

from desktop_app.app.services import AppServices
from desktop_app.core.settings import Settings


def type_draft(qtbot, window, text: str) -> None:
    edit = window.composer.edit
    edit.setFocus()
    qtbot.keyClicks(edit, text)


def new_chat(qtbot, window) -> None:
    qtbot.mouseClick(window.new_chat_button, Qt.MouseButton.LeftButton)


def test_each_conversation_keeps_its_draft_across_switches_and_a_restart(
    qtbot, qloop, window, secrets, sim, tmp_path: Path
):
    files = make_files(tmp_path)
    chat = window.services.chat
    send(qtbot, window, "first chat")
    wait_reply_done(qtbot, window)
    first = chat.current.id
    type_draft(qtbot, window, "draft for the first")
    drop(window.composer.edit.viewport(), file_mime(files["plain0"]))
    wait_ready(qtbot, window, 1)

    new_chat(qtbot, window)
    qtbot.waitUntil(lambda: chat.current.id != first)
    assert window.composer.text() == ""
    assert tray_of(window).items == []
    send(qtbot, window, "second chat")
    wait_reply_done(qtbot, window)
    second = chat.current.id
    type_draft(qtbot, window, "draft for the second")

    pick_conversation(qtbot, window, first)
    assert window.composer.text() == "draft for the first"
    assert [i.name for i in tray_of(window).items] == [files["plain0"].name]
    pick_conversation(qtbot, window, second)
    assert window.composer.text() == "draft for the second"
    assert tray_of(window).items == []

    # A restart over the same data folder: each draft comes back with its conversation.
    drafts = window.services.drafts
    qtbot.waitUntil(lambda: drafts.saved, timeout=5_000)
    from desktop_app.ui.window.main_window import MainWindow

    again = AppServices(secrets=secrets, settings=Settings.load())
    again.start()
    win2 = MainWindow(again)
    qtbot.addWidget(win2)
    win2.show()
    try:
        pick_conversation(qtbot, win2, second)
        assert win2.composer.text() == "draft for the second"
        pick_conversation(qtbot, win2, first)
        assert win2.composer.text() == "draft for the first"
        wait_ready(qtbot, win2, 1)
        assert [i.name for i in tray_of(win2).items] == [files["plain0"].name]
    finally:
        win2.close()
        closing = qloop.create_task(again.aclose())
        qtbot.waitUntil(closing.done, timeout=10_000)


def test_a_draft_in_a_chat_never_sent_survives_a_restart(qtbot, qloop, window, secrets):
    send(qtbot, window, "something saved")
    wait_reply_done(qtbot, window)
    new_chat(qtbot, window)
    type_draft(qtbot, window, "not sent yet")
    drafts = window.services.drafts
    qtbot.waitUntil(lambda: drafts.saved, timeout=5_000)
    again = AppServices(secrets=secrets, settings=Settings.load())
    again.start()
    try:
        fresh = again.chat.current
        assert fresh.messages == []
        assert again.drafts.get(fresh.id).text == "not sent yet"
    finally:
        closing = qloop.create_task(again.aclose())
        qtbot.waitUntil(closing.done, timeout=10_000)


def test_new_chat_reuses_an_empty_chat_so_none_pile_up(qtbot, window):
    chat = window.services.chat
    send(qtbot, window, "a real conversation")
    wait_reply_done(qtbot, window)
    used = chat.current.id
    new_chat(qtbot, window)
    empty = chat.current.id
    count = window.conversation_list.count()
    new_chat(qtbot, window)
    new_chat(qtbot, window)
    assert chat.current.id == empty
    assert window.conversation_list.count() == count == 2
    # From another conversation, New chat opens the empty one again instead of a third.
    pick_conversation(qtbot, window, used)
    new_chat(qtbot, window)
    assert chat.current.id == empty
    assert window.conversation_list.count() == 2
    # A chat with something typed in it is not empty: New chat makes another.
    type_draft(qtbot, window, "half a thought")
    new_chat(qtbot, window)
    assert chat.current.id not in (used, empty)
    assert window.composer.text() == ""
    assert window.conversation_list.count() == 3
