"""Keeps the mouse wheel from changing a control while a person scrolls the panel around it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget


class WheelGuard(QObject):
    """A wheel over a guarded control goes to the panel (which scrolls) unless the control
    has keyboard focus; ``frozen`` says when even a focused control must not take it
    (a field that is unset is never switched on by the wheel)."""

    def __init__(self, parent: QObject, frozen: Callable[[], bool] | None = None) -> None:
        super().__init__(parent)
        self._frozen = frozen

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget):
            return False
        if watched.hasFocus() and not (self._frozen is not None and self._frozen()):
            return False
        # Handed straight to the scroll area around the control. (Ignoring it would pass it
        # up only when it came from the window system: Qt does not propagate a wheel event
        # that was sent by a program, and the control would swallow it.)
        area = _scroll_area(watched)
        if area is not None:
            assert isinstance(event, QWheelEvent)
            viewport = area.viewport()
            # Through global coordinates: the control need not sit inside the viewport.
            pos = viewport.mapFromGlobal(watched.mapToGlobal(event.position()))
            QApplication.sendEvent(
                viewport,
                QWheelEvent(
                    pos,
                    event.globalPosition(),
                    event.pixelDelta(),
                    event.angleDelta(),
                    event.buttons(),
                    event.modifiers(),
                    event.phase(),
                    event.inverted(),
                    event.source(),
                ),
            )
        return True


def _scroll_area(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


def guard_wheel(*widgets: QWidget, frozen: Callable[[], bool] | None = None) -> WheelGuard:
    guard = WheelGuard(widgets[0], frozen)
    for widget in widgets:
        if widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        widget.installEventFilter(guard)
    return guard
