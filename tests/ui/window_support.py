"""What every window test does: type a message as a person does, and wait for the reply."""

from __future__ import annotations

from PySide6.QtCore import Qt


def send(qtbot, window, text: str) -> None:
    """Types `text` into the message box with real key events (Shift+Enter between lines,
    replacing what was there) and presses Enter."""
    edit = window.composer.edit
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    for i, line in enumerate(text.split("\n")):
        if i:
            qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
        if line:
            qtbot.keyClicks(edit, line)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def wait_reply_done(qtbot, window, timeout: int = 15_000):
    """Waits until no reply runs and the conversation ends with one; returns that message."""
    chat = window.services.chat
    qtbot.waitUntil(
        lambda: (
            not chat.busy
            and bool(chat.current.messages)
            and chat.current.messages[-1].role == "assistant"
        ),
        timeout=timeout,
    )
    return chat.current.messages[-1]


def pick_conversation(qtbot, window, conv_id: str) -> None:
    """Opens a conversation with a mouse click on its entry in the sidebar."""
    lst = window.conversation_list
    for i in range(lst.count()):
        item = lst.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == conv_id:
            lst.scrollToItem(item)
            rect = lst.visualItemRect(item)
            qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            qtbot.waitUntil(lambda: window.services.chat.current.id == conv_id, timeout=5_000)
            return
    raise AssertionError(f"{conv_id} is not in the sidebar")
