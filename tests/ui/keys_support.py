"""Keyboard helpers for window tests: Tab through the window as a person does."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget


def activate(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)


def press_tab(qtbot, shift: bool = False) -> QWidget | None:
    """Presses Tab (Shift+Tab) on the focused widget; returns the widget focused after."""
    focused = QApplication.focusWidget()
    assert focused is not None, "nothing has the keyboard focus"
    mods = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    qtbot.keyClick(focused, Qt.Key.Key_Backtab if shift else Qt.Key.Key_Tab, mods)
    return QApplication.focusWidget()


def tab_to(qtbot, target: QWidget, limit: int = 400) -> None:
    """Tabs until ``target`` has the focus (fails when the chain never reaches it)."""
    for _ in range(limit):
        if QApplication.focusWidget() is target:
            return
        press_tab(qtbot)
    raise AssertionError(f"Tab never reached {target.objectName() or target}")


def installed_theme(qapp):
    """The app's theme as start-up installs it (tests remove it again, see theme fixture)."""
    from desktop_app.ui.common.theme import Theme, apply_theme

    return Theme.of_app() or apply_theme(qapp)
