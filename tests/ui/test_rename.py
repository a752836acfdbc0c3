"""Renaming a conversation by double-clicking it in the list: real clicks and keys, no errors."""

from __future__ import annotations

import logging

from gen_support import wait_reply_done
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit


def item_for(window, conv_id: str):
    lst = window.conversation_list
    for i in range(lst.count()):
        if lst.item(i).data(Qt.ItemDataRole.UserRole) == conv_id:
            return lst.item(i)
    raise AssertionError(conv_id)


def test_double_click_type_enter_renames_without_errors(qtbot, window, caplog):
    chat = window.chat
    window.composer.edit.setFocus()
    QTest.keyClicks(window.composer.edit, "Tell me about rivers")
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    wait_reply_done(qtbot, window)
    conv_id = chat.current.id
    chat.new_conversation()  # the renamed one need not be the current one
    lst = window.conversation_list
    typed: list[str] = []

    def answer_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog):
            QTimer.singleShot(20, answer_dialog)
            return
        edit = dialog.findChild(QLineEdit)
        edit.selectAll()
        QTest.keyClicks(edit, "River notes")
        typed.append(edit.text())
        QTest.keyClick(edit, Qt.Key.Key_Return)

    caplog.set_level(logging.WARNING)
    QTimer.singleShot(0, answer_dialog)
    rect = lst.visualItemRect(item_for(window, conv_id))
    # A double click is press, release, double-click event, release, as Qt delivers it.
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: chat.conversation(conv_id).title == "River notes", timeout=5000)
    QApplication.processEvents()

    assert typed == ["River notes"]
    assert item_for(window, conv_id).text() == "River notes"
    assert window.services.history.store.load_conversation(conv_id).title == "River notes"
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
