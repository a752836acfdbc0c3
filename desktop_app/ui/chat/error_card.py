"""The inline error card of a reply: what happened, the server's own words, what to do, Retry."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.core.chat.conversation import ChatMessage


class ErrorCard(QFrame):
    """An inline error: what happened, the server's own words, what to do, and Retry."""

    retryRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorCard")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        self.title = QLabel(self)
        self.title.setObjectName("errorTitle")
        self.message = QLabel(self)
        self.message.setObjectName("errorMessage")
        self.hint = QLabel(self)
        self.hint.setObjectName("errorHint")
        # Only the title is rich text (bold, with its words escaped); the server's words and
        # the hint are plain text, shown exactly as written: no markup from a server, and
        # no "&amp;" where the server wrote "&".
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        for label in (self.title, self.message, self.hint):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            lay.addWidget(label)
        row = QHBoxLayout()
        self.retry = QPushButton("Retry", self)
        self.retry.setObjectName("retryButton")
        self.retry.clicked.connect(self.retryRequested)
        row.addWidget(self.retry)
        row.addStretch(1)
        lay.addLayout(row)

    def show_error(self, msg: ChatMessage) -> None:
        err = msg.error
        if err is None:
            self.hide()
            return
        self.title.setText(f"<b>{html.escape(err.title, quote=False)}</b>")
        self.message.setText(err.message)
        self.hint.setText(err.hint)
        self.hint.setVisible(bool(err.hint))
        self.setAccessibleName(f"Error: {err.title}")
        self.setAccessibleDescription(f"{err.message} {err.hint}".strip())
        self.show()
