"""Versions of a reply or message: Regenerate, Retry and Edit & resend keep the old one, the
"< 2/3 >" switch, the conversation going on from the shown one, history, export, the diff."""

from __future__ import annotations

import json

from gen_support import control, last_body
from keys_support import activate, tab_to
from PySide6.QtCore import Qt
from test_history import close_state, reopen
from window_support import send, wait_reply_done

from desktop_app.core.chat.alternatives import versions
from desktop_app.simulator import Fault
from desktop_app.simulator.config import DEFAULT_MODEL


def _type_seed(qtbot, window, seed: int) -> None:
    field = control(window, "seed")
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field, str(seed))
    qtbot.keyClick(field, Qt.Key.Key_Return)


def _regenerate(qtbot, window, reply_id: str):
    chat = window.services.chat
    button = window.chat_view.widget_for(reply_id).action_buttons["regenerate"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: chat.current.messages[-1].id != reply_id, timeout=5_000)
    return wait_reply_done(qtbot, window)


def _three_versions(qtbot, window):
    """A reply regenerated twice, under seeds 1, 2 and 3: its three versions, oldest first."""
    _type_seed(qtbot, window, 1)
    send(qtbot, window, "Tell me about rivers")
    first = wait_reply_done(qtbot, window)
    _type_seed(qtbot, window, 2)
    second = _regenerate(qtbot, window, first.id)
    _type_seed(qtbot, window, 3)
    third = _regenerate(qtbot, window, second.id)
    return first, second, third


def test_regenerate_keeps_versions_and_the_shown_one_is_replayed(qtbot, window, sim):
    chat = window.services.chat
    first, second, third = _three_versions(qtbot, window)
    assert len({first.content, second.content, third.content}) == 3
    assert [m.role for m in chat.current.messages] == ["user", "assistant"]
    assert chat.current.messages[-1] is third
    third_text = window.chat_view.widget_for(third.id).text.toPlainText()
    bar = window.chat_view.widget_for(third.id).versions
    assert bar.label.text() == "3/3" and bar.label.accessibleName() == "Version 3 of 3"
    assert not bar.next.isEnabled() and bar.previous.accessibleName() == "Previous version"
    # Each version keeps its own provenance.
    assert [v.message.reply.params["seed"] for v in versions(third)] == [1, 2, 3]

    qtbot.mouseClick(bar.previous, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: chat.current.messages[-1].id == second.id, timeout=5_000)
    # The keyboard reaches the switch: Tab to it from the message box, press Space.
    bar = window.chat_view.widget_for(second.id).versions
    qtbot.waitUntil(bar.previous.isVisible, timeout=5_000)  # a new widget shows next turn
    activate(qtbot, window)
    window.composer.edit.setFocus()
    tab_to(qtbot, bar.previous)
    qtbot.keyClick(bar.previous, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: chat.current.messages[-1].id == first.id, timeout=5_000)
    widget = window.chat_view.widget_for(first.id)
    assert widget.versions.label.text() == "1/3"
    assert widget.msg is first and widget.text.toPlainText() not in ("", third_text)
    assert not widget.details.isHidden() and widget.details.text()

    send(qtbot, window, "And lakes?")
    wait_reply_done(qtbot, window)
    sent = last_body(sim)["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[1]["content"] == first.content


def test_versions_survive_a_restart_and_a_json_export(qtbot, qloop, window, secrets, tmp_path):
    chat = window.services.chat
    first, second, third = _three_versions(qtbot, window)
    bar = window.chat_view.widget_for(third.id).versions
    qtbot.mouseClick(bar.previous, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: chat.current.messages[-1].id == second.id, timeout=5_000)
    conv_id = chat.current.id
    window.services.history.flush()
    again = reopen(qtbot, secrets)
    try:
        conv = again.chat.ensure_loaded(conv_id)
        shown = conv.messages[-1]
        assert shown.id == second.id
        assert [v.message.content for v in versions(shown)] == [
            first.content, second.content, third.content
        ]
        assert [v.message.reply.params["seed"] for v in versions(shown)] == [1, 2, 3]
    finally:
        close_state(qtbot, qloop, again)

    out = tmp_path / "conv.json"
    window.history_panel.export_to(out, "json", conv_id)
    data = json.loads(out.read_text())
    # The wire messages are the shown branch; the export keeps every version.
    assert data["messages"][1]["content"] == second.content
    assert window.history_panel.import_from(out)
    imported = chat.current
    assert imported.id != conv_id
    assert [v.message.content for v in versions(imported.messages[-1])] == [
        first.content, second.content, third.content
    ]
    md = tmp_path / "conv.md"
    window.history_panel.export_to(md, "md", conv_id)
    text = md.read_text()
    assert f"## Assistant · {DEFAULT_MODEL} · version 2 of 3" in text
    assert second.content.split()[0] in text and third.content not in text


def test_edit_and_resend_keeps_the_old_message_with_its_reply(qtbot, window, sim):
    chat = window.services.chat
    send(qtbot, window, "Tell me about rivers")
    old_reply = wait_reply_done(qtbot, window)
    old_user = chat.current.messages[0]
    widget = window.chat_view.widget_for(old_user.id)
    qtbot.mouseClick(widget.action_buttons["edit"], Qt.MouseButton.LeftButton)
    editor = widget.editor.edit
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, "Tell me about lakes")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: chat.current.messages[0].id != old_user.id, timeout=5_000)
    new_reply = wait_reply_done(qtbot, window)
    assert last_body(sim)["messages"][-1]["content"] == "Tell me about lakes"
    user = chat.current.messages[0]
    assert user.content == "Tell me about lakes"
    assert window.chat_view.widget_for(user.id).versions.label.text() == "2/2"

    # The word diff of the two versions of the message marks the one changed word.
    window.chat_view.widget_for(user.id).action_buttons["versions"].click()
    dialog = window.versions.dialog
    assert dialog is not None and dialog.isVisible()
    removed = [p.text for p in dialog.diff.pieces if p.kind == "removed"]
    added = [p.text for p in dialog.diff.pieces if p.kind == "added"]
    assert removed == ["rivers"] and added == ["lakes"]
    assert dialog.summary.text() == "1 word(s) removed, 1 word(s) added."
    assert "rivers" in dialog.view.toPlainText() and "lakes" in dialog.view.toPlainText()
    dialog.close()

    # Back to the old message: its reply comes back with it.
    bar = window.chat_view.widget_for(user.id).versions
    qtbot.mouseClick(bar.previous, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: chat.current.messages[0].id == old_user.id, timeout=5_000)
    assert [m.id for m in chat.current.messages] == [old_user.id, old_reply.id]
    assert new_reply.id not in [m.id for m in chat.current.messages]


def test_diff_dialog_between_two_reply_versions(qtbot, window, sim):
    first, _second, third = _three_versions(qtbot, window)
    widget = window.chat_view.widget_for(third.id)
    # The action is an entry of the reply's More menu.
    item = widget._menu_items["versions"]
    assert item in widget.more_button.menu().actions()
    item.trigger()
    dialog = window.versions.dialog
    assert dialog.new_pick.currentIndex() == 2 and dialog.old_pick.currentIndex() == 1
    dialog.old_pick.setFocus()
    qtbot.keyClick(dialog.old_pick, Qt.Key.Key_Up)  # from version 1
    assert dialog.old_pick.currentIndex() == 0
    assert dialog.diff.text("old") == first.content
    assert dialog.diff.text("new") == third.content
    assert {p.kind for p in dialog.diff.pieces} >= {"removed", "added"}


def test_retry_keeps_the_failed_reply_as_a_version(qtbot, window, sim):
    chat = window.services.chat
    sim.simulator.inject(Fault(http_status=503, http_body=b"upstream unavailable"))
    send(qtbot, window, "Tell me about rivers")
    failed = wait_reply_done(qtbot, window)
    assert failed.error is not None
    card = window.chat_view.widget_for(failed.id).error_card
    qtbot.mouseClick(card.retry, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: chat.current.messages[-1].id != failed.id, timeout=5_000)
    reply = wait_reply_done(qtbot, window)
    assert reply.error is None and reply.content
    assert [v.message.id for v in versions(reply)] == [failed.id, reply.id]
    assert window.chat_view.widget_for(reply.id).versions.label.text() == "2/2"


def test_delete_removes_one_version_and_shows_the_one_before(qtbot, window, sim):
    chat = window.services.chat
    first, second, third = _three_versions(qtbot, window)
    button = window.chat_view.widget_for(third.id).action_buttons["delete"]
    button.click()  # the More menu's Delete entry clicks this button
    qtbot.waitUntil(lambda: chat.current.messages[-1].id == second.id, timeout=5_000)
    assert window.chat_view.widget_for(second.id).versions.label.text() == "2/2"
    assert [v.message.id for v in versions(second)] == [first.id, second.id]
    # A version with messages after it is not deleted: they belong to it.
    send(qtbot, window, "And lakes?")
    wait_reply_done(qtbot, window)
    window.chat_view.widget_for(second.id).action_buttons["delete"].click()
    assert second in chat.current.messages
    assert "Delete them first" in window.statusBar().currentMessage()
