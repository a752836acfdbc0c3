"""Small states that must tell the truth: empty replies, tok/s, the preset note, disabled
menu entries, the Tools dock's labels."""

from __future__ import annotations

import pytest
from gen_support import controls
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from test_params_typing import type_into

from desktop_app.api import Usage
from desktop_app.core.chat.conversation import ChatMessage, MessageStatus, ReplyInfo
from desktop_app.core.params.presets import DETERMINISTIC
from desktop_app.ui.chat.reply_details import details_line, empty_note
from desktop_app.ui.common.theme import LIGHT, palette_for, style_sheet


def reply(content: str = "", *, tokens: int = 5, seconds: float = 0.01, **info) -> ChatMessage:
    usage = Usage(prompt_tokens=10, completion_tokens=tokens, total_tokens=10 + tokens)
    msg = ChatMessage(role="assistant", content=content, status=MessageStatus.COMPLETE)
    msg.reply = ReplyInfo(model="gemma", usage=usage, duration=seconds, **info)
    return msg


def test_tokens_per_second_only_when_it_means_something() -> None:
    assert "tok/s" not in details_line(reply("Hi.", tokens=5, seconds=0.01))
    assert "tok/s" not in details_line(reply("x" * 80, tokens=200, seconds=0.1))
    assert "tok/s" not in details_line(reply("Hi there.", tokens=15, seconds=2.0))
    line = details_line(reply("x" * 80, tokens=100, seconds=2.0, time_to_first_token=0.0))
    assert "50.0 tok/s" in line


def test_an_empty_reply_is_explained() -> None:
    note = empty_note(reply("", finish_reason="stop", tool_choice="none"))
    assert "empty reply" in note and "finish reason: stop" in note
    assert "tool_choice is “none”" in note and "auto" in note
    assert "stop string" in empty_note(reply("", finish_reason="stop"))
    assert empty_note(reply("Hello", finish_reason="stop")) == ""
    assert empty_note(reply("", finish_reason="length")) == ""  # the length note says it


def test_an_empty_reply_shows_its_note_in_the_window(qtbot, window) -> None:
    chat = window.services.chat
    msg = reply("", finish_reason="stop", tool_choice="none")
    chat.current.messages.append(msg)
    window.chat_view.add_message(msg)
    label = window.chat_view.widget_for(msg.id).details
    qtbot.waitUntil(label.isVisible)
    assert "empty reply" in label.text()


POPUP_NOISE = pytest.mark.qt_log_ignore("grabbing the keyboard", r"raise\(\)")


@POPUP_NOISE
def test_the_preset_note_follows_edits_after_applying(qtbot, window) -> None:
    bar = controls(window).panel.presets
    combo = bar.combo
    combo.setFocus()
    # Picking with the keyboard, as a person does: open the list, choose, Enter.
    qtbot.keyClick(combo, Qt.Key.Key_Space)
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    index = combo.findData(DETERMINISTIC)
    view.setCurrentIndex(combo.model().index(index, 0))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bar.note.text() == f"Applied “{DETERMINISTIC}”.")
    type_into(qtbot, window, "max_tokens", "300")
    assert bar.note.text() == f"Applied “{DETERMINISTIC}”, then changed 1 field (max_tokens)."
    type_into(qtbot, window, "top_k", "7")
    assert "then changed 2 fields (top_k, max_tokens)" in bar.note.text()


def darkest(image, rect) -> int:
    return min(
        image.pixelColor(x, y).lightness()
        for x in range(rect.left() + 4, rect.right() - 4)
        for y in range(rect.top() + 2, rect.bottom() - 2)
    )


@pytest.fixture
def themed():
    """The app's own palette and style sheet, as the app applies them at start-up."""
    app = QApplication.instance()
    palette, sheet = app.palette(), app.styleSheet()
    app.setPalette(palette_for(LIGHT))
    app.setStyleSheet(style_sheet(LIGHT))
    yield
    app.setPalette(palette)
    app.setStyleSheet(sheet)


@POPUP_NOISE
def test_disabled_preset_actions_look_disabled(qtbot, themed, window) -> None:
    pal = QApplication.palette()
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        enabled = pal.color(QPalette.ColorGroup.Active, role)
        assert pal.color(QPalette.ColorGroup.Disabled, role) != enabled
    bar = controls(window).panel.presets
    assert not bar.delete_action.isEnabled()  # a built-in preset is chosen
    assert bar.save_action.isEnabled()
    menu = bar.menu
    menu.popup(bar.menu_button.mapToGlobal(QPoint(0, bar.menu_button.height())))
    qtbot.waitUntil(menu.isVisible)
    try:
        image = menu.grab().toImage()
        on = darkest(image, menu.actionGeometry(bar.save_action))
        off = darkest(image, menu.actionGeometry(bar.delete_action))
        assert off - on >= 40, (on, off)  # the disabled entry's text is clearly lighter
    finally:
        menu.hide()


def test_the_tools_dock_labels_are_not_clipped(qtbot, window) -> None:
    window.resize(800, 600)
    window.tools_dock.show()
    editor = window.tools_panel.editor
    qtbot.waitUntil(editor.isVisible)
    box = editor.auto_answer
    if not box.isVisible():
        window.tools_panel.add_blank()
    qtbot.waitUntil(box.isVisible)
    assert box.sizeHint().width() <= box.width(), (box.sizeHint().width(), box.width())
