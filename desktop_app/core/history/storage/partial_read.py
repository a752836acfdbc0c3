"""A stored conversation read as far as it can be; what cannot be read stays on disk, named."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from desktop_app.core.chat.conversation import ChatMessage, Conversation

from .errors import StorageError
from .rows import conversation_from_row, message_from_row

Row = sqlite3.Row | tuple[Any, ...]


def read_conversation(header: Row, message_rows: Sequence[Row]) -> Conversation:
    """The conversation with every message that can be read.

    Values reset on the way in (sampling values vLLM would refuse) are listed in
    ``notices``. When a message or the settings cannot be read at all, the conversation is
    marked ``read_only`` with a reason that says what and how many: writing it back would
    replace what is on disk with the part that was read, so nothing is written.
    """
    repaired: list[str] = []
    unreadable: list[str] = []
    try:
        conversation = conversation_from_row(header, repaired)
    except StorageError as exc:
        conv_id, title, title_edited, system_prompt, _settings, created_at, updated_at = header
        conversation = Conversation(
            id=conv_id,
            title=title if isinstance(title, str) else "(untitled)",
            title_edited=bool(title_edited),
            system_prompt=system_prompt if isinstance(system_prompt, str) else "",
            created_at=created_at,
            updated_at=updated_at,
        )
        unreadable.append(f"its generation settings could not be read ({_why(exc)})")
    messages: list[ChatMessage] = []
    bad: list[str] = []
    for row in message_rows:
        try:
            messages.append(message_from_row(row, repaired))
        except StorageError as exc:
            bad.append(_why(exc))
    conversation.messages = messages
    if bad:
        total = len(message_rows)
        unreadable.insert(
            0,
            f"{len(bad)} of its {total} messages could not be read ({bad[0]})"
            + (" and are not shown" if len(bad) > 1 else " and is not shown"),
        )
    if repaired:
        conversation.notices.append(
            "Stored values vLLM would refuse were reset to the server default: "
            + "; ".join(repaired)
            + "."
        )
    if unreadable:
        conversation.read_only = (
            "This conversation is read-only: "
            + "; ".join(unreadable)
            + ". Everything is kept on disk untouched, so nothing here changes it. "
            "Continue in a copy to go on from what could be read."
        )
    return conversation


def _why(exc: StorageError) -> str:
    return str(exc).rstrip(".")
