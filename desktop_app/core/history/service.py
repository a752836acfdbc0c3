"""Keeping the history on disk in step with the chat: every change written as it happens."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from copy import deepcopy
from dataclasses import replace
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from desktop_app.core.chat.controller import ChatController
from desktop_app.core.chat.conversation import Conversation, MessageStatus, new_id
from desktop_app.core.history.loader import ConversationLoader
from desktop_app.core.history.storage import (
    HistoryStore,
    ReadOnlyError,
    SearchHit,
    StorageError,
    export_json,
    export_markdown,
    import_conversation_json,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

CHECKPOINT_SECONDS = 1.0  # at most about a second of a streaming reply is at risk


class HistoryService(QObject):
    """Writes what the ChatController does into the HistoryStore, and offers the history's
    workflows (rename, delete with undo, duplicate, branch, search, export, import).

    A streaming reply is checkpointed about once a second with one small UPDATE; every
    other change is one transaction. A failure to write never loses what is on screen: it is
    reported through `failed` so the window can say so.
    """

    failed = Signal(str)
    deleted = Signal(str, str)  # conversation id, title (for an Undo offer)

    def __init__(
        self,
        chat: ChatController,
        store: HistoryStore,
        loader: ConversationLoader,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.chat = chat
        self.store = store
        self.loader = loader
        self._last_checkpoint: dict[str, float] = {}
        loader.failed.connect(self.failed)
        chat.messageAdded.connect(self._on_added)
        chat.messageChanged.connect(self._on_changed)
        chat.messageRemoved.connect(self._on_removed)
        chat.replyFinished.connect(self._on_finished)
        chat.conversationsChanged.connect(self._on_conversations)

    # -- start-up ------------------------------------------------------------------------
    def restore(self) -> int:
        """Lists the saved conversations (newest first) and opens the newest; returns how many.

        A reply that was streaming when the app last ended is marked interrupted first.
        """
        interrupted = self._guard(self.store.mark_interrupted) or 0
        if interrupted:
            log.info("%d reply(ies) were interrupted by the last exit", interrupted)
        summaries = self._guard(self.store.list_conversations) or []
        placeholder = self.chat.current
        for summary in reversed(summaries):
            stub = Conversation(title=summary.title, id=summary.id)
            stub.updated_at = summary.updated_at
            self.chat.add_conversation(stub, stub=True)
        if summaries:
            self.chat.select(summaries[0].id)
            if not placeholder.messages:
                self.chat.remove_conversation(placeholder.id)
        return len(summaries)

    def _load(self, conversation_id: str) -> Conversation:
        return self.loader.load(conversation_id)

    def _writable(self, conv_id: str) -> bool:
        """False for a conversation that was only partly read (see Conversation.read_only)."""
        try:
            return not self.chat.conversation(conv_id).read_only
        except KeyError:
            return True

    # -- keeping in step -------------------------------------------------------------------
    def _on_added(self, conv_id: str, msg_id: str) -> None:
        if not self._writable(conv_id):
            return
        conv = self.chat.conversation(conv_id)
        if not self._guard(self.store.has_conversation, conv_id):
            self._guard(self.store.save_conversation, conv)
            return
        self._guard(self.store.upsert_message, conv_id, conv.find(msg_id), conv.index_of(msg_id))

    def _on_changed(self, conv_id: str, msg_id: str) -> None:
        if not self._writable(conv_id):
            return
        conv = self.chat.conversation(conv_id)
        try:
            msg = conv.find(msg_id)
        except KeyError:
            return
        if msg.status == MessageStatus.STREAMING:
            now = time.monotonic()
            if now - self._last_checkpoint.get(msg_id, 0.0) < CHECKPOINT_SECONDS:
                return
            self._last_checkpoint[msg_id] = now
            self._guard(
                self.store.checkpoint, conv_id, msg_id, msg.content, msg.reasoning, msg.tool_calls
            )
            return
        self._last_checkpoint.pop(msg_id, None)
        if self._guard(self.store.has_conversation, conv_id):
            self._guard(self.store.upsert_message, conv_id, msg, conv.index_of(msg_id))

    def _on_removed(self, conv_id: str, msg_id: str) -> None:
        if not self._writable(conv_id):
            return
        self._guard(self.store.delete_message, conv_id, msg_id)

    def _on_finished(self, conv_id: str, _msg_id: str) -> None:
        self.save_header(conv_id)

    def _on_conversations(self) -> None:
        self.save_header(self.chat.current.id)

    def save_header(self, conv_id: str) -> None:
        """Writes title, system prompt and settings of a saved conversation."""
        if self.chat.is_stub(conv_id):
            return
        try:
            conv = self.chat.conversation(conv_id)
        except KeyError:
            return
        if conv.read_only:
            return
        if self._guard(self.store.has_conversation, conv_id):
            self._guard(self.store.update_conversation, conv)

    def flush(self) -> None:
        """Saves what only lives in memory (settings edited since the last reply)."""
        for conv in self.chat.conversations:
            self.save_header(conv.id)

    # -- workflows -----------------------------------------------------------------------
    def rename(self, conv_id: str, title: str) -> None:
        title = " ".join(title.split())
        if not title:
            return
        conv = self.chat.conversation(conv_id)
        if conv.read_only:
            self.failed.emit(f"Not renamed. {conv.read_only}")
            return
        if self._guard(self.store.has_conversation, conv_id):
            self._guard(self.store.rename, conv_id, title)
        self.chat.rename_conversation(conv_id, title)

    def delete(self, conv_id: str) -> None:
        conv = self.chat.conversation(conv_id)
        if self._guard(self.store.has_conversation, conv_id):
            self._guard(self.store.delete_conversation, conv_id)
        self.chat.remove_conversation(conv_id)
        self.deleted.emit(conv_id, conv.title)

    def undo_delete(self, conv_id: str) -> None:
        if self._guard(self.store.has_conversation, conv_id) is None:
            return
        self._guard(self.store.undo_delete, conv_id)
        conv = self._load(conv_id)
        self.chat.add_conversation(conv)
        self.chat.select(conv_id)

    def duplicate(self, conv_id: str) -> None:
        if self.chat.ensure_loaded(conv_id).read_only:
            self._copy_what_was_read(conv_id, None, " (copy)")
            return
        self._save_if_new(conv_id)
        new_id = self._guard(self.store.duplicate, conv_id)
        if new_id:
            self._open_new(new_id)

    def branch(self, conv_id: str, message_id: str) -> None:
        if self.chat.ensure_loaded(conv_id).read_only:
            self._copy_what_was_read(conv_id, message_id, " (branch)")
            return
        self._save_if_new(conv_id)
        new_id = self._guard(self.store.branch, conv_id, message_id)
        if new_id:
            self._open_new(new_id)

    def search(self, query: str) -> list[SearchHit]:
        if not query.strip():
            return []
        return self._guard(self.store.search, query) or []

    def export_markdown(self, conv_id: str) -> str:
        return export_markdown(self.chat.ensure_loaded(conv_id))

    def export_json(self, conv_id: str) -> str:
        return export_json(self.chat.ensure_loaded(conv_id))

    def import_json(self, text: str | bytes) -> Conversation:
        """Imports a conversation file; raises ImportFormatError (a StorageError) when bad."""
        conv = import_conversation_json(text)
        if self.store.has_conversation(conv.id):
            conv = import_conversation_json(text, fresh_ids=True)
        self.store.save_conversation(conv)
        self.chat.add_conversation(conv)
        self.chat.select(conv.id)
        return conv

    def _copy_what_was_read(self, conv_id: str, last_message: str | None, suffix: str) -> None:
        """A read-only conversation goes on in a new one made from what could be read; the
        store's own copy would carry the unreadable rows along."""
        source = self.chat.ensure_loaded(conv_id)
        end = len(source.messages) if last_message is None else source.index_of(last_message) + 1
        copy = Conversation(
            title=source.title + suffix,
            title_edited=source.title_edited,
            system_prompt=source.system_prompt,
            settings=deepcopy(source.settings),
            messages=[replace(deepcopy(m), id=new_id()) for m in source.messages[:end]],
        )
        self._guard(self.store.save_conversation, copy)  # a failure is reported; it stays open
        self.chat.add_conversation(copy)
        self.chat.select(copy.id)

    def _save_if_new(self, conv_id: str) -> None:
        conv = self.chat.ensure_loaded(conv_id)
        if not self._guard(self.store.has_conversation, conv_id):
            self._guard(self.store.save_conversation, conv)
        else:
            self._guard(self.store.update_conversation, conv)

    def _open_new(self, conv_id: str) -> None:
        conv = self._load(conv_id)
        self.chat.add_conversation(conv)
        self.chat.select(conv_id)

    def _guard(self, fn: Callable[..., T], *args: object) -> T | None:
        try:
            return fn(*args)
        except ReadOnlyError:
            # The window's banner already says this session saves nothing.
            return None
        except StorageError as exc:
            log.error("history write failed: %s", exc)
            self.failed.emit(
                f"{exc} Your messages are still on screen; export the conversation to keep a copy."
            )
            return None
