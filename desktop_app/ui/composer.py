"""The message box: Enter sends, Shift+Enter adds a line; Send and Stop buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget


class ComposerEdit(QPlainTextEdit):
    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            mods = event.modifiers()
            if not mods & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier):
                self.submitted.emit()
                return
            self.insertPlainText("\n")
            return
        super().keyPressEvent(event)


class Composer(QFrame):
    """Emits `sendRequested(text)`; the text is cleared only by the caller, once accepted."""

    sendRequested = Signal(str)
    stopRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composerFrame")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)
        row = QHBoxLayout()
        row.setSpacing(8)
        self.edit = ComposerEdit(self)
        self.edit.setObjectName("composer")
        self.edit.setAccessibleName("composer")
        self.edit.setAccessibleDescription("Type a message. Enter sends, Shift+Enter adds a line.")
        self.edit.setPlaceholderText("Message Gemma…  (Enter to send, Shift+Enter for a new line)")
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(84)
        self.edit.submitted.connect(self._submit)
        row.addWidget(self.edit, 1)
        buttons = QVBoxLayout()
        self.send_button = QPushButton("Send", self)
        self.send_button.setObjectName("sendButton")
        self.send_button.setAccessibleName("sendButton")
        self.send_button.setToolTip("Send (Enter)")
        self.send_button.clicked.connect(self._submit)
        self.stop_button = QPushButton("Stop", self)
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setAccessibleName("stopButton")
        self.stop_button.setToolTip("Stop the reply (Esc)")
        self.stop_button.clicked.connect(self.stopRequested)
        self.stop_button.hide()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        row.addLayout(buttons)
        outer.addLayout(row)
        self._busy = False
        self._blocks: dict[str, str] = {}

    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str) -> None:
        self.edit.setPlainText(text)
        cursor = self.edit.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.edit.setTextCursor(cursor)

    def clear(self) -> None:
        self.edit.clear()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.stop_button.setVisible(busy)
        self.send_button.setVisible(not busy)
        self._sync()

    def set_blocked(self, source: str, reason: str) -> None:
        """Disables Send while `source` (a panel) has a problem; '' lifts that source's block."""
        if reason:
            self._blocks[source] = reason
        else:
            self._blocks.pop(source, None)
        self._sync()

    def blocked_reason(self) -> str:
        return "\n".join(self._blocks.values())

    def _sync(self) -> None:
        reason = self.blocked_reason()
        self.send_button.setEnabled(not self._busy and not reason)
        self.send_button.setToolTip(reason or "Send (Enter)")

    def _submit(self) -> None:
        if self._busy or self._blocks:
            return
        text = self.text()
        if text.strip():
            self.sendRequested.emit(text)
