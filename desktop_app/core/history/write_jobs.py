"""The history writes that decide on the store's thread, from snapshots taken on the Qt thread."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import replace

from desktop_app.core.chat.conversation import ChatMessage, Conversation
from desktop_app.core.history.storage import HistoryStore

# Each job runs on the HistoryWorker's thread and gets only values nobody else changes: the
# chat keeps editing its own objects on the Qt thread while a job waits in the queue.


def header_snapshot(conv: Conversation) -> Conversation:
    """The conversation's own fields (title, system prompt, settings), without its messages."""
    return replace(conv, messages=[], settings=deepcopy(conv.settings), notices=[])


def add_message(
    store: HistoryStore,
    conv_id: str,
    message: ChatMessage,
    index: int,
    whole: Conversation | None,
) -> None:
    """A new message: upserted into its stored conversation, or, when the conversation is
    not stored yet and a copy of it came along, the whole conversation is saved."""
    if store.has_conversation(conv_id):
        store.upsert_message(conv_id, message, index)
    elif whole is not None:
        store.save_conversation(whole)


def upsert_if_there(store: HistoryStore, conv_id: str, message: ChatMessage, index: int) -> None:
    if store.has_conversation(conv_id):
        store.upsert_message(conv_id, message, index)


def update_header_if_there(store: HistoryStore, header: Conversation) -> None:
    if store.has_conversation(header.id):
        store.update_conversation(header)


def rename_if_there(store: HistoryStore, conv_id: str, title: str) -> None:
    if store.has_conversation(conv_id):
        store.rename(conv_id, title)


def delete_if_there(store: HistoryStore, conv_id: str) -> None:
    if store.has_conversation(conv_id):
        store.delete_conversation(conv_id)


def save_or_update(store: HistoryStore, conv: Conversation) -> None:
    """Before a copy is made in the store: the source as it is on screen."""
    if store.has_conversation(conv.id):
        store.update_conversation(conv)
    else:
        store.save_conversation(conv)
