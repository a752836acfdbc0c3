"""The conversations of this run: the list, the current one, and reading a listed one."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from desktop_app.core.chat.conversation import Conversation, GenerationSettings
from desktop_app.core.chat.send_gate import SendGate


class ConversationList(QObject):
    """Owns the list and which one is current; the only emitter of its two signals.

    A conversation listed from the history is a stub (its header only) until it is opened;
    ``loader`` reads it then. A conversation that could only partly be read is reported to
    the send gate as read-only while it is current.
    """

    conversationsChanged = Signal()
    currentChanged = Signal(str)  # conversation id

    def __init__(
        self,
        gate: SendGate,
        settings_factory: Callable[[], GenerationSettings] = GenerationSettings,
        loader: Callable[[str], Conversation] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.gate = gate
        # Where a new conversation's generation settings come from (the default preset).
        self.settings_factory = settings_factory
        self.loader = loader
        self.items: list[Conversation] = []
        self._stubs: set[str] = set()
        self.current: Conversation = self.new(select=False)

    def new(self, select: bool = True) -> Conversation:
        conv = Conversation(settings=self.settings_factory())
        self.items.insert(0, conv)
        self.conversationsChanged.emit()
        if select:
            self.select(conv.id)
        return conv

    def select(self, conversation_id: str) -> None:
        conv = self.ensure_loaded(conversation_id)
        self.current = conv
        self.gate.report("read-only", conv.read_only)
        self.currentChanged.emit(conv.id)

    def add(self, conv: Conversation, *, stub: bool = False) -> None:
        """Adds a conversation (a `stub` holds only its header until it is opened)."""
        self.items.insert(0, conv)
        if stub:
            self._stubs.add(conv.id)
        self.conversationsChanged.emit()

    def remove(self, conversation_id: str) -> None:
        """Drops a conversation from the list; the current one moves to the newest left."""
        self.items[:] = [c for c in self.items if c.id != conversation_id]
        self._stubs.discard(conversation_id)
        if self.current.id == conversation_id:
            if self.items:
                newest = max(self.items, key=lambda c: c.updated_at)
                self.select(newest.id)
            else:
                self.new()
        self.conversationsChanged.emit()

    def ensure_loaded(self, conversation_id: str) -> Conversation:
        """The conversation with its messages, loading a stub through `loader` first."""
        for i, conv in enumerate(self.items):
            if conv.id == conversation_id:
                if conversation_id in self._stubs and self.loader is not None:
                    listed_title = conv.title
                    conv = self.loader(conversation_id)
                    # A conversation whose header could not be read keeps its listed title.
                    conv.title = conv.title or listed_title
                    self.items[i] = conv
                    self._stubs.discard(conversation_id)
                return conv
        raise KeyError(conversation_id)

    def forget_loaded(self, conversation_id: str) -> None:
        """Marks a listed conversation to be read again from the history when next opened."""
        self._stubs.add(conversation_id)

    def is_stub(self, conversation_id: str) -> bool:
        return conversation_id in self._stubs

    def get(self, conversation_id: str) -> Conversation:
        for conv in self.items:
            if conv.id == conversation_id:
                return conv
        raise KeyError(conversation_id)

    def rename(self, conversation_id: str, title: str) -> None:
        """Gives a conversation the user's own title (kept from then on)."""
        conv = self.get(conversation_id)
        conv.title = title
        conv.title_edited = True
        self.conversationsChanged.emit()
