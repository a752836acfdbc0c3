"""Long conversations: a bounded number of message widgets, Home/End, wheel and search jumps."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from desktop_app.core.chat.conversation import ChatMessage, Conversation
from desktop_app.ui.chat.chat_view import MAX_BUILT
from desktop_app.ui.chat.message_widget import MessageWidget


def long_conversation(n: int, title: str = "Long") -> Conversation:
    conv = Conversation(title=title)
    for i in range(n // 2):
        conv.messages.append(ChatMessage(role="user", content=f"Question number {i}?"))
        conv.messages.append(ChatMessage(role="assistant", content=f"Answer **{i}**."))
    return conv


def open_from_history(qtbot, window, conv: Conversation) -> None:
    """Saves `conv` to the history and opens it with a click in the conversation list."""
    services = window.services
    services.store.call(lambda store: store.save_conversation(conv))
    services.chat.add_conversation(Conversation(id=conv.id, title=conv.title), stub=True)
    lst = window.conversation_list
    item = next(
        lst.item(i)
        for i in range(lst.count())
        if lst.item(i).data(Qt.ItemDataRole.UserRole) == conv.id
    )
    lst.scrollToItem(item)
    rect = lst.visualItemRect(item)
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: services.chat.current.id == conv.id, timeout=5_000)


def shown(view, message_id: str) -> bool:
    """The message has a widget and part of it lies inside the visible viewport."""
    w = view.widget_for(message_id)
    if w is None or not w.isVisible():
        return False
    top = w.mapTo(view.viewport(), QPoint(0, 0)).y()
    return top < view.viewport().height() and top + w.height() > 0


def wheel_up(view) -> None:
    pos = QPointF(view.viewport().rect().center())
    event = QWheelEvent(
        pos,
        view.viewport().mapToGlobal(pos),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), event)


def test_ten_thousand_messages_open_at_the_newest_with_few_widgets(qtbot, window):
    conv = long_conversation(10_000)
    open_from_history(qtbot, window, conv)
    view = window.chat_view
    newest = window.services.chat.current.messages[-1]
    assert len(window.services.chat.current.messages) == 10_000
    qtbot.waitUntil(lambda: shown(view, newest.id), timeout=5_000)
    assert 0 < len(view.message_widgets()) <= MAX_BUILT
    assert view.at_bottom()
    # Home reaches the first message, End the newest again, building only a few widgets.
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Home)
    first = window.services.chat.current.messages[0]
    qtbot.waitUntil(lambda: shown(view, first.id), timeout=5_000)
    assert view.widget_for(newest.id) is None
    assert len(view.message_widgets()) <= MAX_BUILT
    qtbot.keyClick(view, Qt.Key.Key_End)
    qtbot.waitUntil(lambda: shown(view, newest.id) and view.at_bottom(), timeout=5_000)
    assert len(view.message_widgets()) <= MAX_BUILT
    # The widgets the jumps dropped are deleted (a few per turn), not kept hidden.
    qtbot.waitUntil(
        lambda: len(view.widget().findChildren(MessageWidget)) == len(view.message_widgets()),
        timeout=5_000,
    )


def test_wheel_reaches_the_first_message_and_back_keeping_the_widget_count_bounded(
    qtbot, window
):
    n = MAX_BUILT + 40
    conv = long_conversation(n)
    open_from_history(qtbot, window, conv)
    view = window.chat_view
    messages = window.services.chat.current.messages
    qtbot.waitUntil(lambda: shown(view, messages[-1].id), timeout=5_000)
    most = 0
    for _ in range(3000):
        if shown(view, messages[0].id) and view.verticalScrollBar().value() == 0:
            break
        wheel_up(view)
        qtbot.wait(1)  # let the layout of newly built messages settle, as between real ticks
        most = max(most, len(view.message_widgets()))
    assert shown(view, messages[0].id)
    assert most <= MAX_BUILT + 4  # one step over the bound at most, then trimmed
    assert view.widget_for(messages[-1].id) is None  # the newest were dropped on the way up
    assert not view.at_bottom()
    # A new message brings the view back to the newest one.
    view.scroll_to_end()
    qtbot.waitUntil(lambda: shown(view, messages[-1].id), timeout=5_000)
    assert view.at_bottom()


def test_search_jumps_to_an_old_message_of_a_long_conversation(qtbot, window):
    conv = long_conversation(2_000)
    target = conv.messages[6]
    target.content = "Where do axolotls live?"
    open_from_history(qtbot, window, conv)
    view = window.chat_view
    window._new_chat()
    panel = window.history_panel
    qtbot.keyClicks(panel.search, "axolotls")
    qtbot.waitUntil(lambda: panel.results.count() > 0 and panel.results.isVisible(), timeout=5_000)
    item = next(
        panel.results.item(i)
        for i in range(panel.results.count())
        if (panel.results.item(i).data(Qt.ItemDataRole.UserRole) or (0, 0))[1] == target.id
    )
    panel.results.scrollToItem(item)
    rect = panel.results.visualItemRect(item)
    qtbot.mouseClick(panel.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.services.chat.current.id == conv.id, timeout=5_000)
    qtbot.waitUntil(lambda: shown(view, target.id), timeout=5_000)
    assert len(view.message_widgets()) <= MAX_BUILT
    assert not view.at_bottom()


def test_a_message_being_edited_is_never_dropped(qtbot, window):
    conv = long_conversation(MAX_BUILT * 3)
    open_from_history(qtbot, window, conv)
    view = window.chat_view
    messages = window.services.chat.current.messages
    qtbot.waitUntil(lambda: shown(view, messages[-1].id), timeout=5_000)
    user = next(m for m in reversed(messages) if m.role == "user")
    widget = view.widget_for(user.id)
    widget.action_buttons["edit"].click()
    qtbot.keyClicks(widget.editor.findChild(QPlainTextEdit, "editText"), " more")
    for _ in range(3000):
        if shown(view, messages[0].id) and view.verticalScrollBar().value() == 0:
            break
        wheel_up(view)
        qtbot.wait(1)
    assert shown(view, messages[0].id)
    assert view.widget_for(user.id) is widget  # kept, with the unsent text
    assert " more" in widget.editor.findChild(QPlainTextEdit, "editText").toPlainText()
