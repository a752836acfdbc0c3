"""Search results: plain text with the match emphasised; a hit opens its conversation at the
message, highlighted, however long the conversation is and wherever the message lies."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from test_long_history import long_conversation, open_from_history, shown


def settled_and_shown(view, message_id: str) -> bool:
    return not view.is_settling() and shown(view, message_id)


def click_hit(qtbot, panel, message_id: str) -> None:
    item = next(
        panel.results.item(i)
        for i in range(panel.results.count())
        if (panel.results.item(i).data(Qt.ItemDataRole.UserRole) or (0, 0))[1] == message_id
    )
    panel.results.scrollToItem(item)
    rect = panel.results.visualItemRect(item)
    qtbot.mouseClick(panel.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


@pytest.mark.parametrize("where", [40, 150, 295])
def test_a_hit_in_a_closed_conversation_opens_at_the_message_highlighted(qtbot, window, where):
    conv = long_conversation(300)
    for m in conv.messages:
        if m.role == "assistant":
            m.content = "\n\n".join(f"Paragraph {k} of a long answer." for k in range(6))
    target = conv.messages[where]
    target.content = "Where do **axolotls** live?"
    open_from_history(qtbot, window, conv)
    view = window.chat_view
    window._new_chat()
    panel = window.history_panel
    qtbot.keyClicks(panel.search, "axolotls")
    qtbot.waitUntil(lambda: panel.results.count() > 0 and panel.results.isVisible(), timeout=5_000)
    click_hit(qtbot, panel, target.id)
    qtbot.waitUntil(lambda: window.services.chat.current.id == conv.id, timeout=5_000)
    qtbot.waitUntil(lambda: settled_and_shown(view, target.id), timeout=5_000)
    widget = view.widget_for(target.id)
    assert widget.property("searchHit") is True
    # The message is in view once everything settled, its start near the top edge (a late
    # layout pass of a rendered message above it may still move it by a pixel or two).
    top = widget.mapTo(view.viewport(), QPoint(0, 0)).y()
    assert -8 <= top < view.viewport().height() // 2
    others = [w for w in view.message_widgets() if w is not widget]
    assert not any(w.property("searchHit") for w in others)


def test_results_show_plain_text_with_the_match_emphasised(qtbot, window):
    conv = long_conversation(10)
    target = conv.messages[4]
    target.content = "Look at `code` and **bold axolotls** in a [link](http://x.invalid)"
    open_from_history(qtbot, window, conv)
    window._new_chat()
    panel = window.history_panel
    qtbot.keyClicks(panel.search, "axolotls")
    qtbot.waitUntil(lambda: panel.results.count() > 0, timeout=5_000)
    item = next(
        panel.results.item(i)
        for i in range(panel.results.count())
        if (panel.results.item(i).data(Qt.ItemDataRole.UserRole) or (0, 0))[1] == target.id
    )
    shown_text = panel.results.itemWidget(item)
    label_text = shown_text.plain_text() if shown_text is not None else item.text()
    for raw in ("**", "`", "«", "»", "[link]", "http://x.invalid"):
        assert raw not in label_text
    assert "bold axolotls" in label_text
    assert shown_text is not None and "<b>axolotls</b>" in shown_text.snippet_html()
