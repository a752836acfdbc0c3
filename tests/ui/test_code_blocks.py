"""Code blocks: they scroll sideways on their own (the reply never does), wrap on request,
and look the same while streaming and after the conversation is opened again."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QPalette, QWheelEvent
from PySide6.QtWidgets import QApplication
from render_support import message_widget
from window_support import send, wait_reply_done

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


def test_code_block_looks_the_same_streamed_and_reopened(qtbot, window):
    """Rendered while it streams and again when the conversation is opened: one look."""
    send(qtbot, window, "Write python code for a fibonacci function")
    reply = wait_reply_done(qtbot, window)
    chat = window.services.chat
    first = chat.current.id
    streamed = look(qtbot, window, reply.id)
    qtbot.mouseClick(window.new_chat_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: chat.current.id != first)
    chat.select(first)
    qtbot.waitUntil(lambda: window.chat_view.widget_for(reply.id) is not None)
    reopened = look(qtbot, window, reply.id)
    assert reopened == streamed
    # And it is the light look in a light palette (text dark on light).
    view = window.chat_view.widget_for(reply.id).text
    assert "#f4f5f7" in code_views(view)[0].styleSheet() or "#f4f5f7" in view.toHtml()


def look(qtbot, window, message_id: str) -> str:
    """Everything that decides how the reply's code is drawn: its HTML and style sheets."""
    view = window.chat_view.widget_for(message_id).text
    qtbot.waitUntil(lambda: not view.is_rendering())
    settle()
    parts = [view.toHtml()]
    for block in code_views(view):
        parts += [block.styleSheet(), block.text.toHtml()]
    return "\n".join(parts)


def test_block_quotes_are_muted_with_a_bar_in_both_palettes(qtbot):
    from desktop_app.ui.common.theme import DARK, LIGHT, palette_for

    app = QApplication.instance()
    for colours in (LIGHT, DARK):
        old = app.palette()
        app.setPalette(palette_for(colours))
        try:
            widget = message_widget(ChatMessage("assistant", "Plain words.\n\n> Quoted words.\n"))
        finally:
            app.setPalette(old)
        qtbot.addWidget(widget)
        widget.setPalette(palette_for(colours))
        widget.resize(500, 300)
        widget.show()
        qtbot.waitExposed(widget)
        view = widget.text
        doc = view.document()
        quote = doc.findBlock(view.toPlainText().index("Quoted"))
        plain = doc.firstBlock()
        muted = view.palette().color(QPalette.ColorRole.PlaceholderText)
        assert (
            quote.charFormat().foreground().color() == muted
            or any(f.format.foreground().color() == muted for f in quote.layout().formats())
            or _fragment_colour(quote) == muted
        )
        assert _fragment_colour(plain) != muted
        # A bar down the quote's left side, in the muted colour.
        image = view.viewport().grab().toImage()
        rect = doc.documentLayout().blockBoundingRect(quote)
        y = int(rect.center().y())
        row = [image.pixelColor(x, y) for x in range(int(rect.left()) + 40)]
        assert any(c == muted for c in row), f"no quote bar in {colours['window']}"


def settle() -> None:
    """Runs the layout requests already queued (a scroll bar that came or went)."""
    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def _fragment_colour(block):
    it = block.begin()
    return it.fragment().charFormat().foreground().color()


def test_no_empty_line_after_a_code_block(qtbot):
    """The text after a code block starts one paragraph gap below it, as after any block
    (the empty block Qt keeps after the code's frame used to show as an extra blank line)."""
    from desktop_app.ui.chat.markdown_view import PARAGRAPH_GAP

    widget = show_reply(qtbot, "Before.\n\n```\nx = 1\n```\n\nAfter the code.\n")
    view = widget.text
    [block] = code_views(view)
    doc = view.document()
    after = doc.find("After the code.")
    assert not after.isNull()
    text_top = doc.documentLayout().blockBoundingRect(after.block()).top()
    gap = text_top - block.geometry().bottom() - 1
    line = view.fontMetrics().height()
    assert gap < PARAGRAPH_GAP + line / 2, f"{gap:.0f} px between the code and the next text"
