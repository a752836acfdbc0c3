"""The window's left column: the app's name, New chat, the conversations, the server."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.common.theme import plus_icon

if TYPE_CHECKING:  # the sidebar is built before the first frame: no client or model code then
    from desktop_app.core.chat.conversation import Conversation
    from desktop_app.core.session.server import ServerSession


class Sidebar(QWidget):
    """Its buttons and list are the window's to connect; it only shows what it is given."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 12, 10, 10)
        title = QLabel("Gemma Desk", self)
        title.setObjectName("appTitle")
        lay.addWidget(title)
        # The plus is drawn, not typed: the fullwidth "＋" is missing from common fonts.
        self.new_chat_button = QPushButton(plus_icon(), "New chat", self)
        self.new_chat_button.setObjectName("newChatButton")
        self.new_chat_button.setAccessibleName("newChatButton")
        self.new_chat_button.setToolTip("New chat (Ctrl+N)")
        lay.addWidget(self.new_chat_button)
        self.conversation_list = QListWidget(self)
        self.conversation_list.setObjectName("conversationList")
        self.conversation_list.setAccessibleName("conversationList")
        self.conversation_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.conversation_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.conversation_list.setUniformItemSizes(True)
        lay.addWidget(self.conversation_list, 1)
        self.server_label = QLabel(self)
        self.server_label.setObjectName("serverStatus")
        self.server_label.setWordWrap(True)
        self.server_label.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.server_label)
        self.settings_button = QPushButton("⚙  Servers && settings", self)
        self.settings_button.setObjectName("settingsButton")
        self.settings_button.setAccessibleName("settingsButton")
        lay.addWidget(self.settings_button)

    def show_conversations(self, conversations: Sequence[Conversation], current: str) -> None:
        """Lists the conversations newest first, `current` selected (no signals on the way)."""
        lst = self.conversation_list
        lst.blockSignals(True)
        lst.clear()
        for conv in sorted(conversations, key=lambda c: c.updated_at, reverse=True):
            item = QListWidgetItem(conv.title, lst)
            item.setData(Qt.ItemDataRole.UserRole, conv.id)
            item.setToolTip(conv.title)
            if conv.id == current:
                lst.setCurrentItem(item)
        lst.blockSignals(False)

    def mark_current(self, conv_id: str) -> None:
        for i in range(self.conversation_list.count()):
            item = self.conversation_list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == conv_id:
                self.conversation_list.setCurrentItem(item)

    def show_server(self, session: ServerSession) -> None:
        """The active server's name, model and version, or why it cannot be reached."""
        profile = session.profile
        if profile is None:
            text = "<b>No server</b><br>Add one in Settings."
        else:
            model = session.model or "…"
            ver = f" · vLLM {session.version}" if session.version else ""
            text = f"<b>{html.escape(profile.name)}</b><br>{html.escape(model)}{html.escape(ver)}"
            if session.error:
                text += f"<br><span style='color:#c0392b'>{html.escape(session.error)}</span>"
        self.server_label.setText(text)
