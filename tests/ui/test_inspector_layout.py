"""The Inspector at its default size: controls side by side without overlapping, a useful
number of event rows; and it never shows another conversation's request."""

from __future__ import annotations

import itertools
import json

from gen_support import ask, controls
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QDockWidget
from test_code_blocks import settle


def open_inspector(qtbot, window):
    reply = window.services.chat.current.messages[-1]
    window.chat_view.widget_for(reply.id).action_buttons["inspect"].click()
    inspector = controls(window).inspector
    qtbot.waitUntil(inspector.isVisible)
    settle()
    return inspector


def visible_controls(inspector) -> dict[str, QRect]:
    rects = {}
    for w in (
        inspector.summary,
        inspector.follow,
        inspector.curl_button,
        inspector.python_button,
        inspector.json_button,
        inspector.include_key,
        inspector.copy_note,
        inspector.tabs,
    ):
        if w.isVisible():
            top_left = w.mapTo(inspector, w.rect().topLeft())
            rects[w.objectName() or w.text()] = QRect(top_left, w.size())
    return rects


def test_inspector_controls_do_not_overlap_and_show_rows(qtbot, window, sim):
    window.resize(QSize(1440, 900))
    qtbot.waitUntil(lambda: window.width() == 1440)
    ask(qtbot, window, sim, "write 200 tokens")
    inspector = open_inspector(qtbot, window)
    rects = visible_controls(inspector)
    assert len(rects) >= 7
    for (a, ra), (b, rb) in itertools.combinations(rects.items(), 2):
        assert not ra.intersects(rb), f"{a} overlaps {b}"
    for name, rect in rects.items():
        assert inspector.rect().contains(rect), f"{name} sticks out of the dock"
    # The buttons show their whole text.
    for button in (inspector.curl_button, inspector.python_button, inspector.json_button):
        assert button.width() >= button.sizeHint().width()
    table = inspector.table
    assert inspector.tabs.currentIndex() == 0
    rows = table.viewport().height() // table.verticalHeader().defaultSectionSize()
    assert rows >= 8, f"only {rows} event rows visible"
    # Copying shows its note without pushing anything over anything else.
    qtbot.mouseClick(inspector.json_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(inspector.copy_note.isVisible)
    rects = visible_controls(inspector)
    for (a, ra), (b, rb) in itertools.combinations(rects.items(), 2):
        assert not ra.intersects(rb), f"{a} overlaps {b}"


def shown_request(inspector) -> dict | None:
    text = inspector.request_view.toPlainText()
    if not text:
        return None
    return json.loads(text[text.index("\n\n") + 2 :])


def pick_conversation(qtbot, window, conv_id: str) -> None:
    lst = window.conversation_list
    for i in range(lst.count()):
        item = lst.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == conv_id:
            rect = lst.visualItemRect(item)
            qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            qtbot.waitUntil(lambda: window.services.chat.current.id == conv_id)
            return
    raise AssertionError(f"{conv_id} not in the list")


def test_switching_conversations_never_shows_the_old_request(qtbot, window, sim):
    chat = window.services.chat
    ask(qtbot, window, sim, "Tell me about rivers")
    first = chat.current.id
    inspector = open_inspector(qtbot, window)
    assert "rivers" in json.dumps(shown_request(inspector))
    qtbot.mouseClick(window.new_chat_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: chat.current.id != first)
    assert shown_request(inspector) is None, "the other conversation's request is still shown"
    assert inspector.model.rowCount() == 0
    assert not inspector.curl_button.isEnabled()
    ask(qtbot, window, sim, "Tell me about mountains")
    second = chat.current.id
    qtbot.waitUntil(lambda: "mountains" in json.dumps(shown_request(inspector)))
    pick_conversation(qtbot, window, first)
    body = json.dumps(shown_request(inspector))
    assert "rivers" in body and "mountains" not in body
    pick_conversation(qtbot, window, second)
    assert "mountains" in json.dumps(shown_request(inspector))
    assert window.findChild(QDockWidget, "inspector").isVisible()
