"""Editing a sent message in place: the keys of the message box (Enter resends, Shift+Enter
adds a line), Escape cancels, and a box as tall as its text, scrolled into view."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.common.tab_keys import tab_moves_focus

MIN_LINES = 2
MAX_LINES = 12  # taller texts scroll inside the box


def _is_enter(event: QKeyEvent) -> bool:
    return event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def _adds_line(event: QKeyEvent) -> bool:
    """Shift+Enter and Alt+Enter add a line, as in the message box (composer.py)."""
    mods = event.modifiers()
    return bool(mods & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier))


class EditText(QPlainTextEdit):
    """Enter and Ctrl+Enter emit ``submitted``, Shift+Enter adds a line, Escape emits
    ``cancelled``; these keys reach the box before any window shortcut (Escape also stops
    a reply: here it only cancels the edit)."""

    submitted = Signal()
    cancelled = Signal()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Escape or _is_enter(event):
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if _is_enter(event):
            if _adds_line(event):
                self.insertPlainText("\n")
            else:
                self.submitted.emit()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            return
        super().keyPressEvent(event)


class MessageEditor(QWidget):
    """The edit box and its Cancel / Save & resend buttons. ``submitted(text)`` carries a
    text that is not blank; ``cancelled`` ends the edit with nothing sent."""

    submitted = Signal(str)
    cancelled = Signal()

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageEditor")
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        self.edit = EditText(self)
        self.edit.setObjectName("editText")
        self.edit.setAccessibleName("Edit message")
        self.edit.setAccessibleDescription(
            "Enter resends, Shift+Enter adds a line, Escape cancels."
        )
        self.edit.setPlainText(text)
        tab_moves_focus(self.edit)
        v.addWidget(self.edit)
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("editCancelButton")
        self.cancel_button.setToolTip("Cancel (Escape)")
        self.save_button = QPushButton("Save && resend", self)
        self.save_button.setObjectName("editSaveButton")
        self.save_button.setToolTip("Save and resend (Enter)")
        self.save_button.setDefault(True)
        row.addWidget(self.cancel_button)
        row.addWidget(self.save_button)
        v.addLayout(row)
        self.cancel_button.clicked.connect(self.cancelled)
        self.save_button.clicked.connect(self._submit)
        self.edit.submitted.connect(self._submit)
        self.edit.cancelled.connect(self.cancelled)
        self.edit.document().documentLayout().documentSizeChanged.connect(self._fit)
        self._fit()

    def text(self) -> str:
        return self.edit.toPlainText()

    def _submit(self) -> None:
        if self.text().strip():
            self.submitted.emit(self.text())

    def _fit(self, _size: object = None) -> None:
        """As tall as the text (visual lines, wrapped), between MIN_LINES and MAX_LINES."""
        line = self.edit.fontMetrics().lineSpacing()
        lines = int(self.edit.document().documentLayout().documentSize().height())
        lines = min(max(lines, MIN_LINES), MAX_LINES)
        frame = self.edit.frameWidth() * 2
        margins = self.edit.contentsMargins()
        doc_margin = int(self.edit.document().documentMargin() * 2)
        height = lines * line + frame + doc_margin + margins.top() + margins.bottom()
        if height != self.edit.height():
            self.edit.setFixedHeight(height)

    def begin(self) -> None:
        """Focuses the box with the cursor at the end, and scrolls the editor into view
        once the chat's layout has placed it."""
        cursor = self.edit.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.edit.setTextCursor(cursor)
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        QTimer.singleShot(0, self.scroll_into_view)

    def scroll_into_view(self) -> None:
        area = _scroll_area_of(self)
        if area is not None:
            area.ensureWidgetVisible(self, 0, 24)


def _scroll_area_of(widget: QWidget) -> QScrollArea | None:
    parent: QObject | None = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return parent
        parent = parent.parent()
    return None
