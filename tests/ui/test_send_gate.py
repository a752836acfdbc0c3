"""One send gate: what blocks a request is shown in view, and every way of starting one
(send, regenerate, edit, retry, tool results) obeys it."""

from __future__ import annotations

from gen_support import chat_requests, controls, wait_reply_done
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication


def type_into(qtbot, widget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)


def test_bad_extra_body_blocks_every_entry_point_and_says_why_in_view(qtbot, window, sim):
    chat = window.services.chat
    type_into(qtbot, window.composer.edit, "Hello")
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    first = wait_reply_done(qtbot, window)
    sent = len(chat_requests(sim))

    panel = controls(window).panel
    type_into(qtbot, panel.extra, '{"min_tokens": 5,')
    note = window.composer.blocked_note
    qtbot.waitUntil(note.isVisible)
    assert "extra body" in note.text().lower()
    assert not window.composer.send_button.isEnabled()

    # The keyboard path: Enter in the composer sends nothing and keeps the text.
    type_into(qtbot, window.composer.edit, "Blocked question")
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    assert window.composer.text() == "Blocked question"
    # The other entry points, as a person reaches them.
    window.chat_view.widget_for(first.id).action_buttons["regenerate"].click()
    assert chat.current.messages[-1] is first
    assert chat.send("Sent by code") is False
    assert chat.edit_and_resend(chat.current.messages[0].id, "Edited") is False
    assert chat.retry(first.id) is False
    QApplication.processEvents()
    assert len(chat_requests(sim)) == sent
    assert "extra body" in window.statusBar().currentMessage().lower()

    # Fixing the field lifts the block everywhere at once.
    type_into(qtbot, panel.extra, '{"min_tokens": 5}')
    qtbot.waitUntil(lambda: not note.isVisible())
    assert window.composer.send_button.isEnabled()
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    wait_reply_done(qtbot, window)
    assert len(chat_requests(sim)) == sent + 1
    assert chat_requests(sim)[-1].body["min_tokens"] == 5


def test_message_actions_come_from_the_window_in_a_fixed_order(qtbot, window, sim):
    actions = window.message_actions
    assert [a.name for a in actions.for_role("assistant")] == [
        "details", "inspect", "branch", "versions"
    ]
    assert [a.name for a in actions.for_role("user")] == ["branch", "versions", "compare"]
    type_into(qtbot, window.composer.edit, "Hello")
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    reply = wait_reply_done(qtbot, window)
    widget = window.chat_view.widget_for(reply.id)
    assert {"details", "inspect", "branch"} <= set(widget.action_buttons)
    widget.action_buttons["details"].click()
    details = window.generation_controls.details
    assert details is not None and details.isVisible()
