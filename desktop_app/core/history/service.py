"""Keeping the history on disk in step with the chat: every change written as it happens."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from copy import deepcopy
from dataclasses import replace
from typing import TypeVar

from PySide6.QtCore import QObject, Qt, Signal

from desktop_app.core.chat.controller import ChatController
from desktop_app.core.chat.conversation import Conversation, MessageStatus, new_id
from desktop_app.core.history.loader import ConversationLoader
from desktop_app.core.history.storage import (
    ReadOnlyError,
    SearchHit,
    StorageError,
    export_json,
    export_markdown,
    import_conversation_json,
)
from desktop_app.core.history.worker import HistoryWorker
from desktop_app.core.history.write_jobs import (
    add_message,
    delete_if_there,
    header_snapshot,
    rename_if_there,
    save_or_update,
    update_header_if_there,
    upsert_if_there,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

CHECKPOINT_SECONDS = 1.0  # at most about a second of a streaming reply is at risk
BIG_TOKEN_RECORD = 2000  # tokens: a record that takes about a millisecond or more to encode


class HistoryService(QObject):
    """Writes what the ChatController does into the HistoryStore, and offers the history's
    workflows (rename, delete with undo, duplicate, branch, search, export, import).

    A streaming reply is checkpointed about once a second with one small UPDATE; every
    other change is one transaction. Writes go to the store's own thread (HistoryWorker) in
    the order they happen, as snapshots, so the Qt thread never waits for the disk; reads the
    window needs at once wait for the writes queued before them. A failure to write never
    loses what is on screen: it is reported through `failed` so the window can say so.
    """

    failed = Signal(str)
    deleted = Signal(str, str)  # conversation id, title (for an Undo offer)

    def __init__(
        self,
        chat: ChatController,
        store: HistoryWorker,
        loader: ConversationLoader,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.chat = chat
        self.store = store
        self.loader = loader
        self._last_checkpoint: dict[str, float] = {}
        # Conversations known to be in the database (listed, loaded or saved by this service):
        # adding a message to one of them queues only that message, not a copy of them all.
        self._known: set[str] = set()
        loader.failed.connect(self.failed)
        # Emitted on the store's thread; shown on the Qt thread.
        store.failed.connect(self._write_failed, Qt.ConnectionType.QueuedConnection)
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
        interrupted = 0
        if not self.store.read_only:
            interrupted = self._guard(self.store.call, lambda s: s.mark_interrupted()) or 0
        if interrupted:
            log.info("%d reply(ies) were interrupted by the last exit", interrupted)
        summaries = self._guard(self.store.list_conversations) or []
        self._known.update(s.id for s in summaries)
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
        conv = self.loader.load(conversation_id)
        if not conv.read_only:
            self._known.add(conversation_id)
        return conv

    def _writable(self, conv_id: str) -> bool:
        """False in a read-only session, and for a conversation that was only partly read
        (see Conversation.read_only): nothing is queued for them."""
        if self.store.read_only:
            return False
        try:
            return not self.chat.conversation(conv_id).read_only
        except KeyError:
            return True

    # -- keeping in step -------------------------------------------------------------------
    def _on_added(self, conv_id: str, msg_id: str) -> None:
        if not self._writable(conv_id):
            return
        conv = self.chat.conversation(conv_id)
        # The whole conversation is copied only when it may not be stored yet (a new chat).
        whole = None if conv_id in self._known else deepcopy(conv)
        self._known.add(conv_id)
        message, index = deepcopy(conv.find(msg_id)), conv.index_of(msg_id)
        self.store.submit(lambda s: add_message(s, conv_id, message, index, whole))

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
            # Strings are immutable: only the list of calls needs a copy of its own.
            content, reasoning, calls = msg.content, msg.reasoning, deepcopy(msg.tool_calls)
            self.store.submit(lambda s: s.checkpoint(conv_id, msg_id, content, reasoning, calls))
            return
        self._last_checkpoint.pop(msg_id, None)
        message, index = deepcopy(msg), conv.index_of(msg_id)
        if message.tokens is not None and len(message.tokens) >= BIG_TOKEN_RECORD:
            # Its token record takes the interpreter for several ms to encode: not while the
            # window draws the end of the reply (see TurnGate).
            self.store.submit_after_turn(lambda s: upsert_if_there(s, conv_id, message, index))
            return
        self.store.submit(lambda s: upsert_if_there(s, conv_id, message, index))

    def _on_removed(self, conv_id: str, msg_id: str) -> None:
        if not self._writable(conv_id):
            return
        self.store.submit(lambda s: s.delete_message(conv_id, msg_id))

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
        if conv.read_only or self.store.read_only:
            return
        header = header_snapshot(conv)
        self.store.submit(lambda s: update_header_if_there(s, header))

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
        if not self.store.read_only:
            self.store.submit(lambda s: rename_if_there(s, conv_id, title))
        self.chat.rename_conversation(conv_id, title)

    def delete(self, conv_id: str) -> None:
        conv = self.chat.conversation(conv_id)
        if not self.store.read_only:
            self.store.submit(lambda s: delete_if_there(s, conv_id))
        self.chat.remove_conversation(conv_id)
        self.deleted.emit(conv_id, conv.title)

    def undo_delete(self, conv_id: str) -> None:
        if self._guard(self.store.has_conversation, conv_id) is None:
            return
        self._guard(self.store.call, lambda s: s.undo_delete(conv_id))
        conv = self._load(conv_id)
        self.chat.add_conversation(conv)
        self.chat.select(conv_id)

    def duplicate(self, conv_id: str) -> None:
        if self.chat.ensure_loaded(conv_id).read_only:
            self._copy_what_was_read(conv_id, None, " (copy)")
            return
        self._save_if_new(conv_id)
        new_id = self._guard(self.store.call, lambda s: s.duplicate(conv_id))
        if new_id:
            self._open_new(new_id)

    def branch(self, conv_id: str, message_id: str) -> None:
        if self.chat.ensure_loaded(conv_id).read_only:
            self._copy_what_was_read(conv_id, message_id, " (branch)")
            return
        self._save_if_new(conv_id)
        new_id = self._guard(self.store.call, lambda s: s.branch(conv_id, message_id))
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
        # Waited for: the person is told at once whether the import was saved.
        saved = deepcopy(conv)
        self.store.call(lambda s: s.save_conversation(saved))
        self._known.add(conv.id)
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
        if not self.store.read_only:
            saved = deepcopy(copy)  # a failure is reported; the copy stays open
            self.store.submit(lambda s: s.save_conversation(saved))
            self._known.add(copy.id)
        self.chat.add_conversation(copy)
        self.chat.select(copy.id)

    def _save_if_new(self, conv_id: str) -> None:
        conv = self.chat.ensure_loaded(conv_id)
        if self.store.read_only:
            return
        whole = deepcopy(conv)
        self._known.add(conv_id)
        self.store.submit(lambda s: save_or_update(s, whole))

    def _open_new(self, conv_id: str) -> None:
        conv = self._load(conv_id)
        self.chat.add_conversation(conv)
        self.chat.select(conv_id)

    def _write_failed(self, text: str) -> None:
        # A conversation whose first save failed must be saved whole by its next change.
        self._known.clear()
        self._report(text)

    def _report(self, text: str) -> None:
        self.failed.emit(
            f"{text} Your messages are still on screen; export the conversation to keep a copy."
        )

    def _guard(self, fn: Callable[..., T], *args: object) -> T | None:
        try:
            return fn(*args)
        except ReadOnlyError:
            # The window's banner already says this session saves nothing.
            return None
        except StorageError as exc:
            log.error("history write failed: %s", exc)
            self._report(str(exc))
            return None
