"""Reading one saved conversation on demand, for the chat controller's conversation list."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop_app.core.chat.conversation import Conversation
from desktop_app.core.history.storage import HistoryStore, StorageError


class ConversationLoader(QObject):
    """``load`` reads a conversation from the store; a conversation that cannot be read
    comes back as an empty placeholder and ``failed`` says why."""

    failed = Signal(str)

    def __init__(self, store: HistoryStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store

    def load(self, conversation_id: str) -> Conversation:
        try:
            return self.store.load_conversation(conversation_id)
        except StorageError as exc:
            self.failed.emit(str(exc))
            return Conversation(id=conversation_id, title="(could not be read)")
