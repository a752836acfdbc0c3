"""The window works from 640x480 up: it shrinks that far, its docks shrink with it and never
resize it, header buttons are never cut, text wraps; on a wide screen lines stay readable."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QAbstractButton, QDockWidget, QLabel, QToolButton, QWidget
from test_code_blocks import settle
from window_support import send, wait_reply_done

from desktop_app.ui.common.elided_label import ElidedLabel

SIZES = [QSize(640, 480), QSize(800, 600)]
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def demo_window(qtbot, window):
    """The window as the built-in demo shows it: the DEMO SERVER badge and "Connect your
    server…" in the header, the Parameters dock open."""
    window.services.session.profile.is_demo = True
    window.services.session.changed.emit()
    return window


def resize(qtbot, window, size: QSize) -> None:
    window.resize(size)
    qtbot.waitUntil(lambda: window.size() == size or window.width() > size.width(), timeout=2000)
    settle()  # the layout requests queued by the resize (docks, header)


def dock(window, name: str) -> QDockWidget:
    found = window.findChild(QDockWidget, name)
    assert found is not None, name
    return found


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s.width()}x{s.height()}")
def test_window_shrinks_to_small_screens(qtbot, demo_window, size):
    resize(qtbot, demo_window, size)
    assert demo_window.minimumSizeHint().width() <= 640
    assert demo_window.minimumSize().width() <= 640
    assert demo_window.size() == size


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s.width()}x{s.height()}")
def test_closing_and_reopening_docks_keeps_the_window_size(qtbot, demo_window, size):
    resize(qtbot, demo_window, size)
    for name in ("parametersDock", "toolsDock", "inspector"):
        d = dock(demo_window, name)
        toggle = d.toggleViewAction()
        if not d.isVisible():
            toggle.trigger()  # View menu
            qtbot.waitUntil(d.isVisible)
            settle()
            assert demo_window.size() == size, f"opening {name} resized the window"
        close = d.findChild(QAbstractButton, "qt_dockwidget_closebutton")
        qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda d=d: not d.isVisible())
        settle()
        assert demo_window.size() == size, f"closing {name} resized the window"
        toggle.trigger()
        qtbot.waitUntil(d.isVisible)
        settle()
        assert demo_window.size() == size, f"reopening {name} resized the window"


def _header_items(window) -> list[QWidget]:
    header = window.findChild(QWidget, "header")
    items = [
        w
        for w in header.findChildren(QWidget)
        if isinstance(w, QAbstractButton | QLabel) and not isinstance(w, ElidedLabel)
    ]
    return [w for w in items if w.text() and w.objectName() != "qt_toolbar_ext_button"]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s.width()}x{s.height()}")
def test_header_buttons_fit_or_overflow(qtbot, demo_window, size):
    resize(qtbot, demo_window, size)
    assert demo_window.size() == size
    items = _header_items(demo_window)
    assert {w.text() for w in items} >= {"DEMO SERVER", "Connect your server…", "System prompt"}
    hidden = []
    for w in items:
        if not w.isVisible():
            hidden.append(w)
            continue
        text_width = w.fontMetrics().horizontalAdvance(w.text().replace("&&", "&"))
        assert text_width <= w.contentsRect().width(), f"{w.text()!r} is cut"
        assert w.width() >= w.sizeHint().width(), f"{w.text()!r} is squeezed"
        header = w.parentWidget()
        assert w.mapTo(demo_window, w.rect().topRight()).x() <= demo_window.width(), header
    if hidden:
        # What does not fit is one click away, in the header's overflow menu.
        more = demo_window.findChild(QToolButton, "qt_toolbar_ext_button")
        assert more is not None and more.isVisible()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s.width()}x{s.height()}")
def test_reply_text_wraps_to_the_chat_width(qtbot, demo_window, size):
    resize(qtbot, demo_window, size)
    assert demo_window.size() == size
    send(qtbot, demo_window, "write 300 tokens")
    reply = wait_reply_done(qtbot, demo_window)
    view = demo_window.chat_view
    widget = view.widget_for(reply.id)
    qtbot.waitUntil(lambda: not widget.text.is_rendering())
    settle()
    viewport = view.viewport()
    assert view.horizontalScrollBar().maximum() == 0
    for w in view.message_widgets():
        right = w.mapTo(viewport, w.rect().topRight()).x()
        assert w.mapTo(viewport, w.rect().topLeft()).x() >= 0
        assert right <= viewport.width(), "a message is wider than the chat and is cut"
    text = widget.text
    assert text.document().size().width() <= text.viewport().width() + 1, "text not wrapped"
    # Every line is shown: the text is as tall as its lines, and the details line under it
    # does not cover its end.
    assert text.height() >= text.document().size().height()
    details = widget.details
    assert details.isVisible()
    assert text.geometry().bottom() < details.geometry().top(), "the details cover the text"


def test_wide_window_keeps_a_readable_column(qtbot, window):
    resize(qtbot, window, QSize(2560, 1000))
    send(qtbot, window, "write 300 tokens")
    reply = wait_reply_done(qtbot, window)
    text = window.chat_view.widget_for(reply.id).text
    qtbot.waitUntil(lambda: not text.is_rendering())
    settle()
    chars = text.width() / text.fontMetrics().averageCharWidth()
    assert 70 <= chars <= 100, f"lines about {chars:.0f} characters long"
    # The column is centred in the chat view.
    viewport = window.chat_view.viewport()
    left = text.mapTo(viewport, text.rect().topLeft()).x()
    right = viewport.width() - text.mapTo(viewport, text.rect().topRight()).x()
    assert abs(left - right) <= 4


def test_small_window_folds_the_list_and_a_larger_one_gives_widths_back(qtbot, demo_window):
    params = dock(demo_window, "parametersDock")
    sidebar = demo_window.sidebar
    resize(qtbot, demo_window, QSize(1440, 900))
    qtbot.waitUntil(lambda: params.width() >= 290)
    wide_dock = params.width()
    resize(qtbot, demo_window, QSize(640, 480))
    assert sidebar.width() == 0 or not sidebar.isVisible(), "the list keeps the chat narrow"
    chat_width = demo_window.chat_view.viewport().width()
    assert chat_width >= 300, f"the chat is {chat_width} px wide at 640"
    resize(qtbot, demo_window, QSize(1440, 900))
    qtbot.waitUntil(lambda: sidebar.width() >= 200 and params.width() >= min(wide_dock, 290))
    assert demo_window.size() == QSize(1440, 900)


def test_at_800_wide_the_conversation_gets_the_room_and_not_the_list(qtbot, demo_window):
    """800x600 with the Parameters dock open: the list folds so that the conversation keeps
    a readable width (it had about 220 px, some 15 words a line, beside list and dock)."""
    params = dock(demo_window, "parametersDock")
    resize(qtbot, demo_window, QSize(1440, 900))
    qtbot.waitUntil(lambda: demo_window.sidebar.width() >= 200 and params.isVisible())
    resize(qtbot, demo_window, QSize(800, 600))
    assert params.isVisible()
    qtbot.waitUntil(lambda: demo_window.sidebar.width() == 0, timeout=2000)
    chat_width = demo_window.chat_view.viewport().width()
    assert chat_width >= 400, f"the chat is {chat_width} px wide at 800"


def test_opening_the_tools_dock_gives_its_panel_the_width_it_needs(qtbot, demo_window):
    """The Tools dock shares its tab group's width with Parameters, which is narrower: opened
    (Ctrl+Shift+T), it widens so its buttons are not cut off behind a scroll bar."""
    from desktop_app.ui.window.layout_policy import dock_natural_width

    resize(qtbot, demo_window, QSize(1440, 900))
    tools = dock(demo_window, "toolsDock")
    assert not tools.isVisible()
    demo_window.activateWindow()
    qtbot.keyClick(demo_window.composer.edit, Qt.Key.Key_T, CTRL_SHIFT)
    qtbot.waitUntil(tools.isVisible)
    natural = dock_natural_width(tools)
    # Wide enough that nothing in it scrolls sideways (its natural width, or what its
    # content needs when that is less).
    from PySide6.QtWidgets import QScrollArea

    def fits() -> bool:
        areas = [a for a in tools.findChildren(QScrollArea) if a.isVisible()]
        return tools.width() >= natural or not any(
            a.horizontalScrollBar().isVisible() for a in areas
        )

    qtbot.waitUntil(fits, timeout=2000)
    assert natural > dock(demo_window, "parametersDock").minimumWidth()
    assert demo_window.size() == QSize(1440, 900)
