"""The bar above the chat saying what was reset or could not be read in this conversation."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from desktop_app.core.chat.controller import ChatController
from desktop_app.core.history.service import HistoryService


class ConversationNotice(QWidget):
    """Shows the current conversation's ``notices`` and ``read_only`` reason; a read-only
    conversation also locks the system prompt and offers to continue in a copy (the send
    gate already blocks its requests)."""

    def __init__(
        self,
        chat: ChatController,
        history: HistoryService | None,
        system_prompt: QPlainTextEdit,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.chat = chat
        self.history = history
        self.system_prompt = system_prompt
        self.setObjectName("conversationNotice")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 6, 16, 6)
        self.label = QLabel(self)
        self.label.setObjectName("conversationNoticeText")
        self.label.setWordWrap(True)
        self.label.setProperty("warning", True)
        outer.addWidget(self.label)
        row = QHBoxLayout()
        row.addStretch(1)
        self.copy_button = QPushButton("Continue in a copy", self)
        self.copy_button.setObjectName("continueInCopyButton")
        self.copy_button.setToolTip("A new conversation with the messages that could be read")
        self.copy_button.clicked.connect(self._continue_in_copy)
        row.addWidget(self.copy_button)
        self.dismiss_button = QPushButton("Dismiss", self)
        self.dismiss_button.setObjectName("dismissNoticeButton")
        self.dismiss_button.clicked.connect(self._dismiss)
        row.addWidget(self.dismiss_button)
        outer.addLayout(row)
        self.hide()
        self.chat.currentChanged.connect(lambda _id: self.refresh())
        self.chat.conversationsChanged.connect(self.refresh)
        self.refresh()

    def text(self) -> str:
        return self.label.text()

    def refresh(self) -> None:
        conv = self.chat.current
        lines = ([conv.read_only] if conv.read_only else []) + conv.notices
        self.label.setText("\n\n".join(lines))
        self.setVisible(bool(lines))
        self.copy_button.setVisible(bool(conv.read_only) and self.history is not None)
        self.dismiss_button.setVisible(bool(conv.notices) and not conv.read_only)
        self.system_prompt.setReadOnly(bool(conv.read_only))

    def _continue_in_copy(self) -> None:
        if self.history is not None:
            self.history.duplicate(self.chat.current.id)

    def _dismiss(self) -> None:
        self.chat.current.notices.clear()
        self.refresh()

