"""Keyboard only: Tab leaves every text box, the focus chain goes round the whole window,
and the focus ring is visible in both schemes."""

from __future__ import annotations

import pytest
from keys_support import activate, installed_theme, press_tab, tab_to
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QDockWidget, QPlainTextEdit, QTextEdit, QWidget
from tools_support import add_sample, wait_idle
from window_support import send, wait_reply_done

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def theme(qapp):
    """The theme as start-up installs it, before the window (list it before `window`)."""
    theme = installed_theme(qapp)
    yield theme
    theme.remove()


def editable_text_boxes(window) -> list[QPlainTextEdit | QTextEdit]:
    boxes = window.findChildren(QPlainTextEdit) + window.findChildren(QTextEdit)
    return [b for b in boxes if b.isVisible() and not b.isReadOnly()]


def open_every_text_box(qtbot, window) -> None:
    """Shows the system prompt, a tool's definition and mock, and a message being edited."""
    qtbot.mouseClick(window.system_toggle, Qt.MouseButton.LeftButton)
    window.tools_dock.show()
    add_sample(window)
    send(qtbot, window, "Hello there")
    wait_reply_done(qtbot, window)
    user = window.services.chat.current.messages[0]
    widget = window.chat_view.widget_for(user.id)
    qtbot.mouseClick(widget.action_buttons["edit"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: widget.editor is not None and widget.editor.isVisible())


def test_tab_leaves_every_text_box_and_ctrl_tab_indents(qtbot, window):
    activate(qtbot, window)
    open_every_text_box(qtbot, window)
    boxes = editable_text_boxes(window)
    names = {b.objectName() for b in boxes}
    assert {
        "composer", "systemPrompt", "param_extra_body", "toolSourceEdit", "toolMockEdit",
        "editText",
    } <= names
    for box in boxes:
        box.setFocus(Qt.FocusReason.MouseFocusReason)
        qtbot.waitUntil(box.hasFocus)
        before = box.toPlainText()
        after = press_tab(qtbot)
        assert after is not box, f"Tab stayed in {box.objectName()}"
        assert box.toPlainText() == before, f"Tab typed into {box.objectName()}"
        box.setFocus(Qt.FocusReason.MouseFocusReason)
        press_tab(qtbot, shift=True)
        assert not box.hasFocus(), f"Shift+Tab stayed in {box.objectName()}"
    # Where a tab is really wanted: Ctrl+Tab, two spaces in the JSON boxes.
    extra = window.generation_controls.panel.extra
    extra.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.keyClick(extra, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(extra, "{")
    qtbot.keyClick(extra, Qt.Key.Key_Return)
    qtbot.keyClick(extra, Qt.Key.Key_Tab, CTRL)
    qtbot.keyClicks(extra, '"min_tokens": 4}')
    assert extra.toPlainText() == '{\n  "min_tokens": 4}'
    assert extra.hasFocus()
    prompt = window.system_prompt
    prompt.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.keyClick(prompt, Qt.Key.Key_Tab, CTRL)
    assert prompt.toPlainText() == "\t"


def test_tab_leaves_a_tool_result_box(qtbot, window):
    activate(qtbot, window)
    add_sample(window)
    window.tools_panel.editor.mock.setPlainText("")  # answered by hand
    send(qtbot, window, "What is the weather in Paris?")
    reply = wait_idle(qtbot, window, 2)
    card = window.chat_view.widget_for(reply.id).tool_view.cards[0]
    card.result.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(card.result.hasFocus)
    assert press_tab(qtbot) is not card.result and card.result.toPlainText() == ""
    card.result.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.keyClick(card.result, Qt.Key.Key_Tab, CTRL)
    assert card.result.toPlainText() == "  "


def _inside(widget: QWidget | None, ancestor: QWidget) -> bool:
    return widget is not None and (widget is ancestor or ancestor.isAncestorOf(widget))


def test_tab_goes_round_the_whole_window(qtbot, window):
    """From the message box, Tab visits Send, the parameters, the tools and the sidebar and
    comes back to the message box: no widget holds the focus."""
    window.tools_dock.show()
    add_sample(window)
    window.inspector_dock = window.generation_controls.inspector_dock
    window.inspector_dock.show()
    send(qtbot, window, "Hello there")
    wait_reply_done(qtbot, window)
    activate(qtbot, window)
    composer = window.composer.edit
    composer.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(composer.hasFocus)
    visited: list[QWidget] = []
    for _ in range(600):
        now = press_tab(qtbot)
        assert now is not None
        if visited:
            assert now is not visited[-1], f"Tab is stuck in {now.objectName() or now}"
        visited.append(now)
        if now is composer:
            break
    else:
        raise AssertionError("Tab never came back to the message box")
    assert window.composer.send_button in visited
    params_dock = window.generation_controls.dock
    assert any(_inside(w, params_dock) and w.objectName().startswith("param_") for w in visited)
    assert any(_inside(w, window.tools_dock) for w in visited)
    assert any(_inside(w, window.generation_controls.inspector_dock) for w in visited)
    assert window.conversation_list in visited and window.new_chat_button in visited
    docks = [d for d in window.findChildren(QDockWidget) if d.isVisible()]
    assert all(any(_inside(w, d) for w in visited) for d in docks)


# -- the focus ring -----------------------------------------------------------------------------
def _luminance(c: QColor) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _ring() -> tuple[int, int]:
    """(margin outside the widget, pen width) of the focus ring."""
    from desktop_app.ui.common.focus_ring import RING_MARGIN, RING_WIDTH

    return RING_MARGIN, RING_WIDTH


def _around(widget: QWidget) -> tuple[QImage, QRect]:
    """The widget and a few pixels around it, as drawn in its parent."""
    pad = _ring()[0] + 3
    rect = widget.geometry().adjusted(-pad, -pad, pad, pad)
    inner = QRect(pad, pad, widget.width(), widget.height())
    return widget.parentWidget().grab(rect).toImage(), inner


def _ring_pixels(image: QImage, inner: QRect) -> list[tuple[int, int]]:
    """Points in the band just outside the widget where the ring is drawn: along the top,
    bottom, left and right edges, away from the rounded corners."""
    margin, width = _ring()
    band = margin - width // 2  # the middle of the 2 px pen, outside the widget
    points = []
    for x in range(inner.left() + 8, inner.right() - 8, 3):
        points += [(x, inner.top() - band), (x, inner.bottom() + band)]
    for y in range(inner.top() + 8, inner.bottom() - 8, 3):
        points += [(inner.left() - band, y), (inner.right() + band, y)]
    scale = image.devicePixelRatio()
    return [(int(x * scale), int(y * scale)) for x, y in points]


def focus_ring_contrast(qtbot, window, widget: QWidget) -> float:
    """The lowest contrast, along the border, between the widget focused and not focused."""
    window.composer.edit.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(window.composer.edit.hasFocus)
    if widget is not window.composer.edit:
        before, inner = _around(widget)
        tab_to(qtbot, widget)
    else:
        window.composer.send_button.setFocus(Qt.FocusReason.MouseFocusReason)
        before, inner = _around(widget)
        press_tab(qtbot, shift=True)
    assert widget.hasFocus()
    QApplication.processEvents()
    after, _ = _around(widget)
    points = _ring_pixels(after, inner)
    assert points
    return min(contrast(QColor(after.pixel(x, y)), QColor(before.pixel(x, y))) for x, y in points)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focus_ring_is_clearly_visible_in_both_schemes(theme, qtbot, window, scheme):
    activate(qtbot, window)
    window.scheme_menu.actions[scheme].trigger()
    qtbot.waitUntil(lambda: theme.dark == (scheme == "dark"))
    panel = window.generation_controls.panel
    widgets = {
        "button": window.composer.send_button,
        "text field": window.composer.edit,
        "check box": panel.stream,
        "list": window.conversation_list,
        "tool button": window.system_toggle,
        "sidebar button": window.new_chat_button,
    }
    for what, widget in widgets.items():
        seen = focus_ring_contrast(qtbot, window, widget)
        # WCAG asks 3:1 for a focus indicator against what is next to it.
        assert seen >= 3.0, f"{what}: focus ring contrast {seen:.2f} in {scheme}"


def test_a_click_on_a_button_shows_no_ring_but_a_click_in_a_field_does(theme, qtbot, window):
    activate(qtbot, window)
    panel = window.generation_controls.panel
    qtbot.mouseClick(panel.stream, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(panel.stream.hasFocus)
    assert theme.focus_ring.widget() is None  # the person sees where they clicked
    qtbot.mouseClick(panel.extra.viewport(), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(panel.extra.hasFocus)
    assert theme.focus_ring.widget() is panel.extra
    press_tab(qtbot)
    assert theme.focus_ring.widget() is QApplication.focusWidget() is not panel.extra
