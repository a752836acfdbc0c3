"""The real main window against the simulator: send, stream, stop, regenerate, edit, errors."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QPushButton
from window_support import send, wait_reply_done

from desktop_app.core.chat.conversation import MessageStatus


def test_enter_sends_and_reply_streams_into_view(qtbot, window, sim):
    send(qtbot, window, "Hello there")
    chat = window.services.chat
    assert window.composer.text() == ""  # accepted, so cleared
    reply = wait_reply_done(qtbot, window)
    assert reply.role == "assistant" and reply.status == MessageStatus.COMPLETE
    assert reply.content.strip()
    widget = window.chat_view.widget_for(reply.id)
    assert widget is not None
    assert widget.text.toPlainText().strip()
    assert reply.reply.usage is not None and reply.reply.usage.completion_tokens > 0
    assert "finish: stop" in widget.details.text()
    body = sim.simulator.requests[-1].body
    assert body["messages"][-1] == {"role": "user", "content": "Hello there"}
    assert body["stream"] is True
    assert [m.role for m in chat.current.messages] == ["user", "assistant"]


def test_shift_enter_inserts_newline(qtbot, window):
    window.composer.edit.setFocus()
    qtbot.keyClicks(window.composer.edit, "line one")
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(window.composer.edit, "line two")
    assert window.composer.text() == "line one\nline two"
    assert not window.services.chat.current.messages


def test_markdown_code_block_rendered_with_copy(qtbot, window):
    send(qtbot, window, "Write python code for a fibonacci function")
    reply = wait_reply_done(qtbot, window)
    assert "```" in reply.content
    view = window.chat_view.widget_for(reply.id).text
    assert view.code_block_count() >= 1
    assert "```" not in view.toPlainText()  # rendered, not shown raw


def test_stop_keeps_partial_and_marks_stopped(qtbot, window, sim):
    sim.simulator.config.tokens_per_second = 40
    send(qtbot, window, "write 400 tokens")
    chat = window.services.chat
    qtbot.waitUntil(
        lambda: len(chat.current.messages) == 2 and bool(chat.current.messages[1].content),
        timeout=10_000,
    )
    assert window.composer.stop_button.isVisible()
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Escape)
    reply = wait_reply_done(qtbot, window)
    assert reply.status == MessageStatus.STOPPED
    assert reply.content  # the partial text is kept
    assert window.chat_view.widget_for(reply.id).status_label.text() == "Stopped"
    qtbot.waitUntil(lambda: sim.simulator.disconnects >= 1, timeout=5_000)
    assert window.composer.send_button.isVisible()


def test_regenerate_replaces_last_reply(qtbot, window, sim):
    send(qtbot, window, "Tell me a fact")
    first = wait_reply_done(qtbot, window)
    widget = window.chat_view.widget_for(first.id)
    widget.action_buttons["regenerate"].click()
    chat = window.services.chat
    qtbot.waitUntil(lambda: chat.current.messages[-1].id != first.id, timeout=5_000)
    second = wait_reply_done(qtbot, window)
    assert len(chat.current.messages) == 2
    assert window.chat_view.widget_for(first.id) is None
    assert second.content
    assert len([r for r in sim.simulator.requests if r.path.endswith("/chat/completions")]) == 2


def test_edit_and_resend_replaces_what_followed(qtbot, window, sim):
    send(qtbot, window, "First question")
    wait_reply_done(qtbot, window)
    send(qtbot, window, "Second question")
    wait_reply_done(qtbot, window)
    chat = window.services.chat
    first_user = chat.current.messages[0]
    w = window.chat_view.widget_for(first_user.id)
    w.action_buttons["edit"].click()
    editor = w.editor.findChild(type(window.composer.edit).__mro__[1], "editText")
    editor.setPlainText("Edited question")
    w.editor.findChild(QPushButton, "editSaveButton").click()
    qtbot.waitUntil(lambda: len(chat.current.messages) == 2 and not chat.busy, timeout=10_000)
    assert chat.current.messages[0].content == "Edited question"
    last_body = sim.simulator.requests[-1].body
    assert [m["content"] for m in last_body["messages"]] == ["Edited question"]


def test_thinking_section_streams_and_collapses(qtbot, window):
    chat = window.services.chat
    chat.current.settings.enable_thinking = True
    send(qtbot, window, "Why is the sky blue?")
    reply = wait_reply_done(qtbot, window)
    assert reply.reasoning and reply.content
    section = window.chat_view.widget_for(reply.id).thinking
    assert section.isVisible()
    assert section.toggle.text().startswith("Thought for")
    assert not section.body.isVisible()  # collapsed once the answer came
    section.toggle.click()
    assert section.body.isVisible()
    assert section.body.toPlainText() == reply.reasoning


def test_system_prompt_is_sent(qtbot, window, sim):
    window.system_toggle.click()
    window.system_prompt.setPlainText("You are terse.")
    send(qtbot, window, "Hi")
    wait_reply_done(qtbot, window)
    msgs = sim.simulator.requests[-1].body["messages"]
    assert msgs[0] == {"role": "system", "content": "You are terse."}


def test_new_chat_and_switching(qtbot, window):
    send(qtbot, window, "Chat one message")
    wait_reply_done(qtbot, window)
    first_id = window.services.chat.current.id
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    chat = window.services.chat
    assert chat.current.id != first_id and not chat.current.messages
    # Waited for: on a loaded machine the list once showed one chat here (cause not found).
    qtbot.waitUntil(lambda: window.conversation_list.count() == 2, timeout=5_000)
    assert window.chat_view.message_widgets() == []
    item = next(
        window.conversation_list.item(i)
        for i in range(window.conversation_list.count())
        if window.conversation_list.item(i).data(Qt.ItemDataRole.UserRole) == first_id
    )
    assert item.text() == "Chat one message"
    window.conversation_list.itemClicked.emit(item)
    assert chat.current.id == first_id
    assert len(window.chat_view.message_widgets()) == 2


def test_delete_and_copy_message(qtbot, window, qapp):
    send(qtbot, window, "Copy me")
    reply = wait_reply_done(qtbot, window)
    w = window.chat_view.widget_for(reply.id)
    w.action_buttons["copy"].click()
    assert qapp.clipboard().text() == reply.content
    w.action_buttons["delete"].click()
    assert window.chat_view.widget_for(reply.id) is None
    assert [m.role for m in window.services.chat.current.messages] == ["user"]


def test_messages_are_exposed_to_accessibility(qtbot, window):
    send(qtbot, window, "Hello accessibility")
    reply = wait_reply_done(qtbot, window)
    for msg in window.services.chat.current.messages:
        view = window.chat_view.widget_for(msg.id).text
        iface = QAccessible.queryAccessibleInterface(view)
        text_iface = iface.textInterface()
        assert text_iface is not None
        assert text_iface.text(0, text_iface.characterCount()).strip() == view.toPlainText().strip()
    assert reply.content.split()[0] in view.toPlainText()


def test_main_controls_have_stable_names(window):
    from PySide6.QtWidgets import QWidget

    for name in (
        "composer",
        "sendButton",
        "stopButton",
        "chatView",
        "newChatButton",
        "conversationList",
        "settingsButton",
    ):
        w = window.findChild(QWidget, name)
        assert w is not None, name
        assert w.accessibleName(), name


def test_blocked_settings_stop_regenerate_and_retry_too(qtbot, window, sim):
    send(qtbot, window, "Hello")
    first = wait_reply_done(qtbot, window)
    window.services.gate.report("test", "the extra body is not valid JSON")
    requests_before = len(sim.simulator.chat_requests())
    window.chat_view.widget_for(first.id).action_buttons["regenerate"].click()
    assert window.services.chat.current.messages[-1] is first
    assert "extra body" in window.statusBar().currentMessage()
    assert len(sim.simulator.chat_requests()) == requests_before
    window.services.gate.report("test", "")
    assert window.services.chat.regenerate()
