"""Reading one saved conversation on demand, for the chat controller's conversation list."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop_app.core.chat.conversation import Conversation
from desktop_app.core.history.storage import StorageError
from desktop_app.core.history.worker import HistoryWorker


class ConversationLoader(QObject):
    """``load`` reads a conversation from the store; a conversation that cannot be read
    comes back as an empty read-only placeholder and ``failed`` says why."""

    failed = Signal(str)

    def __init__(self, store: HistoryWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store

    def load(self, conversation_id: str) -> Conversation:
        """The stored conversation; if it cannot be read, an empty read-only stand-in with
        the same id and no title (nothing may be written for it: that would replace the
        stored conversation with an empty one)."""
        try:
            return self.store.load_conversation(conversation_id)
        except StorageError as exc:
            self.failed.emit(str(exc))
            conv = Conversation(id=conversation_id, title="")
            conv.read_only = (
                f"This conversation could not be read ({str(exc).rstrip('.')}). It is kept on "
                "disk untouched, so it is read-only here."
            )
            return conv
