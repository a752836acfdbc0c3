"""Code blocks: they scroll sideways on their own (the reply never does), wrap on request,
and look the same while streaming and after the conversation is opened again."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication
from render_support import message_widget

from desktop_app.core.chat.conversation import ChatMessage

LONG_LINE = "result = compute(" + ", ".join(f"argument_{i}" for i in range(40)) + ")"
REPLY = f"Here is the code:\n\n```python\n{LONG_LINE}\nprint(result)\n```\n\nThat is all.\n"


def show_reply(qtbot, content: str, width: int = 520):
    widget = message_widget(ChatMessage("assistant", content))
    qtbot.addWidget(widget)
    widget.resize(width, 400)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: not widget.text.is_rendering())
    return widget


def wheel(target, dx: int, dy: int) -> None:
    """A real wheel event (as a mouse or touchpad sends it) at the middle of `target`."""
    local = QPointF(target.rect().center())
    event = QWheelEvent(
        local,
        QPointF(target.mapToGlobal(local.toPoint())),
        QPoint(0, 0),
        QPoint(dx, dy),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(target, event)


def code_views(view):
    return getattr(view, "code_views", lambda: [])()


def test_sideways_wheel_scrolls_the_code_block_not_the_reply(qtbot):
    widget = show_reply(qtbot, REPLY)
    view = widget.text
    blocks = code_views(view)
    # Over the code (or, where there is no code widget, over the reply's text).
    target = blocks[0].text.viewport() if blocks else view.viewport()
    wheel(target, -360, 0)
    assert view.horizontalScrollBar().value() == 0, "the whole reply scrolled sideways"
    assert len(blocks) == 1
    code = blocks[0].text
    bar = code.horizontalScrollBar()
    assert bar.isVisible() and bar.maximum() > 0, "a long line needs a visible scroll bar"
    assert bar.value() > 0, "the code block did not scroll"
    # The code block lies inside the reply's width, every line of it tall enough to see.
    assert blocks[0].geometry().right() <= view.viewport().width()
    assert blocks[0].text.document().size().height() <= code.viewport().height() + 1
    assert "That is all." in view.toPlainText()


def test_wrap_toggle_wraps_long_lines(qtbot):
    widget = show_reply(qtbot, REPLY)
    block = widget.text.code_views()[0]
    before = block.height()
    qtbot.mouseClick(block.wrap_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: block.height() > before)
    bar = block.text.horizontalScrollBar()
    assert bar.maximum() == 0 or not bar.isVisible()
    # Every wrapped line is shown: the code is as tall as its box.
    assert block.text.document().size().height() <= block.text.viewport().height() + 1


def test_vertical_wheel_over_code_is_left_to_the_conversation(qtbot):
    widget = show_reply(qtbot, REPLY)
    code = widget.text.code_views()[0].text
    event_target = code.viewport()
    local = QPointF(event_target.rect().center())
    event = QWheelEvent(
        local,
        QPointF(event_target.mapToGlobal(local.toPoint())),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    code.wheelEvent(event)
    assert not event.isAccepted()  # passed on, so the chat view scrolls
