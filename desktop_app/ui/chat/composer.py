"""The message box: Enter sends, Shift+Enter adds a line; Send, Stop and attaching images."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QIcon, QKeyEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.resources import resource_path
from desktop_app.ui.common.tab_keys import tab_moves_focus
from desktop_app.ui.images.mime import has_images, take_images
from desktop_app.ui.images.strip import AttachmentStrip

if TYPE_CHECKING:
    from desktop_app.core.chat.conversation import Attachment
    from desktop_app.core.chat.send_gate import SendGate
    from desktop_app.core.images.tray import AttachmentTray

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.gif *.bmp);;All files (*)"
ATTACH_STYLE = """
#attachButton { border: 1px solid palette(mid); border-radius: 8px; background: palette(base);
    padding: 5px 22px 5px 8px; }
#attachButton:hover { border-color: palette(highlight); }
#attachButton::menu-button { border: none; width: 18px; }
"""


class ComposerEdit(QPlainTextEdit):
    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tray: AttachmentTray | None = None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            mods = event.modifiers()
            if not mods & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier):
                self.submitted.emit()
                return
            self.insertPlainText("\n")
            return
        super().keyPressEvent(event)

    # Paste and drops on the text both arrive here: images go to the tray, text as usual.
    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        if self.tray is not None and has_images(source):
            return True
        return super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        if self.tray is not None and take_images(source, self.tray):
            return
        super().insertFromMimeData(source)


class Composer(QFrame):
    """Emits `sendRequested(text)`; the caller takes `attachments()` along and clears the text
    and the images only once the send is accepted. The text may be empty when images go."""

    sendRequested = Signal(str)
    stopRequested = Signal()
    compareRequested = Signal(str)  # the typed text, to run under several settings

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composerFrame")
        self.tray: AttachmentTray | None = None
        self.strip: AttachmentStrip | None = None
        self.file_dialog: QFileDialog | None = None
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(12, 8, 12, 8)
        self.outer.setSpacing(6)
        self.notice_row = QWidget(self)
        notice_lay = QHBoxLayout(self.notice_row)
        notice_lay.setContentsMargins(0, 0, 0, 0)
        self.notice = QLabel(self.notice_row)
        self.notice.setObjectName("attachNotice")
        self.notice.setProperty("warning", True)
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        notice_lay.addWidget(self.notice, 1)
        self.notice_close = QToolButton(self.notice_row)
        self.notice_close.setObjectName("attachNoticeClose")
        self.notice_close.setText("✕")
        self.notice_close.setAutoRaise(True)
        self.notice_close.setToolTip("Dismiss")
        self.notice_close.setAccessibleName("Dismiss the image notice")
        notice_lay.addWidget(self.notice_close, 0, Qt.AlignmentFlag.AlignTop)
        self.notice_row.hide()
        self.outer.addWidget(self.notice_row)
        # Why Send is disabled, in view (a tooltip alone is found by nobody).
        self.blocked_note = QLabel(self)
        self.blocked_note.setObjectName("blockedNote")
        self.blocked_note.setProperty("warning", True)
        self.blocked_note.setWordWrap(True)
        self.blocked_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.blocked_note.hide()
        self.outer.addWidget(self.blocked_note)
        row = QHBoxLayout()
        row.setSpacing(8)
        self.edit = ComposerEdit(self)
        self.edit.setObjectName("composer")
        self.edit.setAccessibleName("composer")
        self.edit.setAccessibleDescription("Type a message. Enter sends, Shift+Enter adds a line.")
        self.edit.setPlaceholderText("Message Gemma…  (Enter to send, Shift+Enter for a new line)")
        tab_moves_focus(self.edit)
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
        self.attach_button = QToolButton(self)
        self.attach_button.setObjectName("attachButton")
        self.attach_button.setAccessibleName("attachButton")
        self.attach_button.setAccessibleDescription("Attach images")
        self.attach_button.setToolTip("Attach images (you can also drop or paste them)")
        self.attach_button.setIcon(QIcon(str(resource_path("icons", "attach.svg"))))
        self.attach_button.setText("Image")
        self.attach_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.attach_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.attach_button.clicked.connect(self.pick_images)
        self.attach_button.hide()  # shown once a tray is set
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.attach_button)
        self.compare_button = QToolButton(self)
        self.compare_button.setObjectName("compareButton")
        self.compare_button.setText("Compare…")
        self.compare_button.setToolTip("Run this prompt under several settings side by side")
        self.compare_button.clicked.connect(lambda: self.compareRequested.emit(self.text()))
        buttons.addWidget(self.compare_button)
        buttons.addStretch(1)
        row.addLayout(buttons)
        self.outer.addLayout(row)
        self._busy = False
        self._blocked = ""

    # -- images ----------------------------------------------------------------------------
    def set_tray(self, tray: AttachmentTray, menu: QMenu | None = None) -> None:
        """Turns on attaching: the button, the strip of pending images, drops and paste."""
        self.tray = tray
        self.edit.tray = tray
        self.strip = AttachmentStrip(tray, self)
        self.outer.insertWidget(1, self.strip)
        tray.noticeChanged.connect(self._show_notice)
        self.notice_close.clicked.connect(tray.clear_notice)
        if menu is not None:
            self.attach_button.setMenu(menu)
        else:
            self.attach_button.setPopupMode(QToolButton.ToolButtonPopupMode.DelayedPopup)
        self.attach_button.setStyleSheet(ATTACH_STYLE)
        self.attach_button.show()
        self.setAcceptDrops(True)

    def attachments(self) -> list[Attachment]:
        return self.tray.attachments() if self.tray is not None else []

    def pick_images(self) -> QFileDialog | None:
        if self.tray is None:
            return None
        dialog = QFileDialog(self, "Attach images")
        dialog.setObjectName("attachFileDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilter(IMAGE_FILTER)
        dialog.filesSelected.connect(self.tray.add_files)
        dialog.finished.connect(dialog.deleteLater)
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def _show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice_row.setVisible(bool(text))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.tray is not None and has_images(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if self.tray is not None and take_images(event.mimeData(), self.tray, "Dropped image"):
            event.acceptProposedAction()
        else:
            super().dropEvent(event)

    # -- text ------------------------------------------------------------------------------
    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str) -> None:
        self.edit.setPlainText(text)
        cursor = self.edit.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.edit.setTextCursor(cursor)

    def clear(self) -> None:
        """Empties the message box and the pending images (after a send was accepted)."""
        self.edit.clear()
        if self.tray is not None:
            self.tray.clear()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.stop_button.setVisible(busy)
        self.send_button.setVisible(not busy)
        self._sync()

    def bind_gate(self, gate: SendGate) -> None:
        """Send follows the app's send gate: disabled, with the reason shown, while blocked."""
        gate.changed.connect(self._set_blocked)
        self._set_blocked(gate.reason())

    def _set_blocked(self, reason: str) -> None:
        self._blocked = reason
        self.blocked_note.setText(f"Not sent until this is fixed: {reason}" if reason else "")
        self.blocked_note.setVisible(bool(reason))
        self._sync()

    def blocked_reason(self) -> str:
        return self._blocked

    def _sync(self) -> None:
        reason = self._blocked
        self.send_button.setEnabled(not self._busy and not reason)
        self.send_button.setToolTip(reason or "Send (Enter)")

    def _submit(self) -> None:
        if self._busy or self._blocked:
            return
        text = self.text()
        tray = self.tray
        if tray is not None:
            problem = tray.send_problem()
            if problem:
                tray.show_notice(problem)
                return
        if text.strip() or (tray is not None and tray.items):
            self.sendRequested.emit(text)
