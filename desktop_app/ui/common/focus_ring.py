"""The keyboard focus ring: a 2 px outline in the accent colour around the focused widget."""

from __future__ import annotations

from PySide6.QtCore import QObject, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFocusFrame,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from shiboken6 import isValid

RING_WIDTH = 2
# Fusion's focus-frame margin (PM_FocusFrameH/VMargin): the frame stands this far outside
# its widget, and the ring fills that band, so it never covers the widget's text.
RING_MARGIN = 2
ACCENT = "#3b6fe0"


class RingFrame(QFocusFrame):
    """Qt's focus frame (it follows its widget's geometry and stacking), painted as a
    rounded accent outline: Fusion's own focus marks are 1 px of a pale tint, invisible on
    most screens in both schemes. Only this frame paints in Python; a Python style would be
    called for every metric and control of every widget (tens of thousands of calls while
    a reply streams)."""

    def __init__(self, parent: QWidget | None, accent: QColor) -> None:
        super().__init__(parent)
        self.accent = accent

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.accent, RING_WIDTH))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        half = RING_WIDTH / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(half, half, -half, -half), 5, 5)
        painter.end()


def _types_text(widget: QWidget) -> bool:
    """Fields one types into keep their ring after a click; buttons only show it for keys."""
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        return not widget.isReadOnly()
    if isinstance(widget, QComboBox):
        return widget.isEditable()
    return isinstance(widget, QLineEdit | QAbstractSpinBox)


class FocusRing(QObject):
    """Moves one QFocusFrame to whichever widget has the keyboard focus. A focus that came
    from a mouse click on a button, a check box or a list shows no ring (as on the web's
    :focus-visible): the person can see where they clicked."""

    def __init__(self, app: QApplication, accent: QColor | None = None) -> None:
        super().__init__(app)
        self.setObjectName("focusRing")
        self.accent = accent if accent is not None else QColor(ACCENT)
        self.frame: QFocusFrame | None = None
        app.focusChanged.connect(self._on_focus)

    def _on_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        frame = self.frame if self.frame is not None and isValid(self.frame) else None
        if frame is not None:
            frame.setWidget(None)  # type: ignore[arg-type]  # Qt takes a null widget
            frame.hide()
        if new is None or new.isWindow() or not isValid(new) or new.parentWidget() is None:
            return
        clicked = QGuiApplication.mouseButtons() != Qt.MouseButton.NoButton
        if clicked and not _types_text(new):
            return
        if frame is None:
            # The frame lives in the focused widget's parent: when that parent goes, the
            # frame goes with it, and the next focus change makes a new one.
            frame = self.frame = RingFrame(new.parentWidget(), self.accent)
            frame.setObjectName("focusRingFrame")
        frame.setWidget(new)
        frame.show()

    def set_accent(self, accent: QColor) -> None:
        self.accent = accent
        frame = self.frame
        if frame is not None and isValid(frame) and isinstance(frame, RingFrame):
            frame.accent = accent
            frame.update()

    def stop(self) -> None:
        QApplication.instance().focusChanged.disconnect(self._on_focus)  # type: ignore[union-attr]
        if self.frame is not None and isValid(self.frame):
            self.frame.deleteLater()
        self.frame = None

    def widget(self) -> QWidget | None:
        """The widget the ring is around (None: no ring shown)."""
        frame = self.frame
        if frame is None or not isValid(frame) or not frame.isVisible():
            return None
        return frame.widget()
