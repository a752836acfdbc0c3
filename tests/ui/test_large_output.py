"""Large replies: big blocks show a preview and "Show all", long replies render in slices."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from render_support import click_link, message_widget

from desktop_app.core.chat.conversation import ChatMessage, MessageStatus
from desktop_app.ui.chat.message_widget import MessageWidget


def table(rows: int) -> str:
    head = "| # | name | value |\n|---|---|---|\n"
    return head + "".join(f"| {i} | item {i} | {i * 7} |\n" for i in range(rows))


def show(qtbot, msg: ChatMessage) -> MessageWidget:
    widget = message_widget(msg)
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def tables_in(view) -> int:
    frames = view.document().rootFrame().childFrames()
    return sum(1 for f in frames if f.__class__.__name__ == "QTextTable")


def open_show_all(qtbot, view):
    click_link(qtbot, view, "show-all:")
    qtbot.waitUntil(lambda: view.full_text_dialog is not None)
    dialog = view.full_text_dialog
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.is_loaded, timeout=10_000)
    return dialog


def test_small_table_still_renders_as_a_table(qtbot):
    widget = show(qtbot, ChatMessage("assistant", "Before\n\n" + table(10) + "\nAfter\n"))
    assert tables_in(widget.text) == 1
    assert "show-all" not in widget.text.toHtml()


def test_huge_table_is_a_preview_with_show_all_that_shows_every_row(qtbot):
    source = "Here is the data:\n\n" + table(10_000) + "\nThat is all.\n"
    widget = show(qtbot, ChatMessage("assistant", source))
    view = widget.text
    qtbot.waitUntil(lambda: not view.is_rendering())
    shown = view.toPlainText()
    assert tables_in(view) == 0  # not laid out as a 10,000-row table
    assert "Large table: 10,002 rows" in shown and "Show all" in shown
    assert "| 5 | item 5 | 35 |" in shown and "| 9999 |" not in shown
    assert "Here is the data:" in shown and "That is all." in shown
    dialog = open_show_all(qtbot, view)
    full = dialog.view.toPlainText()
    assert "| 9999 | item 9999 | 69993 |" in full
    assert full.count("\n") >= 10_001


def test_huge_list_and_long_line_degrade_and_copy_all_keeps_the_original(qtbot):
    items = "".join(f"- {i}\n" for i in range(10_000))
    line = "x" * 200_000
    widget = show(qtbot, ChatMessage("assistant", items + "\n" + line))
    view = widget.text
    qtbot.waitUntil(lambda: not view.is_rendering())
    shown = view.toPlainText()
    assert "Long block: 10,000 lines" in shown
    assert "Long block: 200,000 characters" in shown
    assert len(shown) < 20_000
    click_link(qtbot, view, "show-all:tail")  # the long line, last in the reply
    qtbot.waitUntil(lambda: view.full_text_dialog is not None)
    dialog = view.full_text_dialog
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.is_loaded, timeout=10_000)
    assert dialog.view.toPlainText().replace("\n", "") == line
    assert "broken for display" in dialog.status.text()
    QTest.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == line


def test_a_reply_past_the_render_limit_shows_the_rest_behind_show_all(qtbot):
    from desktop_app.ui.chat.render_budget import RENDER_LIMIT

    para = "A sentence of a long answer, repeated to make it long. " * 8 + "\n\n"
    source = para * (3 * RENDER_LIMIT // len(para))
    widget = show(qtbot, ChatMessage("assistant", source))
    view = widget.text
    qtbot.waitUntil(lambda: not view.is_rendering(), timeout=10_000)
    shown = view.toPlainText()
    assert "This message is long" in shown
    assert len(shown) < RENDER_LIMIT + 10_000
    dialog = open_show_all(qtbot, view)
    assert dialog.view.toPlainText() == source.rstrip("\n") or (dialog.view.toPlainText() == source)


def test_many_blocks_render_in_slices_and_all_arrive(qtbot):
    code = "```python\n" + "value = compute(1, 2, 3)  # step\n" * 40 + "```\n\n"
    source = "".join(f"Part {i}\n\n{code}" for i in range(50))
    widget = show(qtbot, ChatMessage("assistant", source))
    view = widget.text
    assert view.is_rendering()  # not all at once: the window gets its turns in between
    qtbot.waitUntil(lambda: not view.is_rendering(), timeout=20_000)
    assert view.code_block_count() == 50
    assert "Part 49" in view.toPlainText()


def test_streamed_big_table_ends_as_a_preview_with_show_all(qtbot):
    msg = ChatMessage("assistant", "", status=MessageStatus.STREAMING)
    widget = show(qtbot, msg)
    source = table(2_000)
    ends = [300, 600, *range(4_000, len(source), 4_000), len(source)]
    for end in ends:
        msg.content = source[:end]
        widget.refresh()
        QGuiApplication.processEvents()
        if end < 1_000:
            assert tables_in(widget.text) == 1  # a short table renders while it arrives
    msg.status = MessageStatus.COMPLETE
    widget.refresh()
    view = widget.text
    assert tables_in(view) == 0
    assert f"Large table: {2_002:,} rows" in view.toPlainText()
    dialog = open_show_all(qtbot, view)
    assert "| 1999 | item 1999 | 13993 |" in dialog.view.toPlainText()


def test_huge_message_of_yours_is_cut_with_show_all(qtbot):
    text = "pasted log line\n" * 40_000
    widget = show(qtbot, ChatMessage("user", text))
    view = widget.text
    shown = view.toPlainText()
    assert len(shown) < 60_000 and "Show all" in shown
    dialog = open_show_all(qtbot, view)
    assert dialog.view.toPlainText().count("pasted log line") == 40_000
