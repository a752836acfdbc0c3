"""Table rows: how messages and conversation headers map onto them, and the SQL that writes them."""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable
from typing import Any

from desktop_app.core.chat.conversation import ChatMessage, Conversation
from desktop_app.core.history.serialize import (
    message_from_dict,
    message_to_dict,
    settings_from_dict,
    settings_to_dict,
)
from desktop_app.core.params.sampling_repair import repair_reply_params, repair_sampling

from .errors import StorageError
from .version_text import other_versions_text

_orjson_loads: Callable[[str], Any] | None
_orjson_dumps: Callable[..., bytes] | None
try:  # several times faster than json on the path of opening a long conversation
    from orjson import JSONDecodeError as _OrjsonError
    from orjson import JSONEncodeError as _OrjsonEncodeError
    from orjson import dumps as _orjson_dumps
    from orjson import loads as _orjson_loads
except ImportError:  # pragma: no cover - orjson is a dependency; json reads the same
    _orjson_loads = _orjson_dumps = None

# Fields of message_to_dict() that have columns of their own; the rest go to `data`.
MESSAGE_COLUMNS = ("id", "role", "content", "reasoning", "status", "created_at")
MESSAGE_SELECT = "SELECT id, role, content, reasoning, status, created_at, data FROM messages"


def dumps(value: Any) -> str:
    # Saving must not fail on a stray value in the free-form dicts (ReplyInfo.params,
    # extra_body): refusing it would lose the whole message. So NaN is written as Python's
    # json writes it, and anything JSON cannot hold is kept as its text.
    # orjson writes the same text about ten times faster (a reply with 20,000 tokens makes a
    # record of megabytes, and the writer holds the interpreter while it encodes, stalling the
    # window), but it writes NaN as null and refuses lone surrogates, big integers and
    # non-string keys: those go to json.
    if _orjson_dumps is not None and _all_finite(value):
        try:
            return _orjson_dumps(value, default=str).decode("utf-8")
        except (_OrjsonEncodeError, TypeError):
            pass
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _all_finite(value: Any) -> bool:
    """No NaN or infinity anywhere in ``value`` (dicts, lists and tuples are looked into)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is float:
            if item != item or item in (math.inf, -math.inf):
                return False
        elif kind is dict:
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            stack.extend(v for v in item if type(v) is not str)
    return True


def message_values(conversation_id: str, message: ChatMessage, position: int) -> dict[str, Any]:
    """Named parameters for INSERT/UPDATE statements on `messages`."""
    d = message_to_dict(message)
    values = {key: d.pop(key) for key in MESSAGE_COLUMNS}
    values["data"] = dumps(d)
    # Only a message with versions pays for their text (a streaming reply is saved often).
    alts = d.get("alternatives")
    values["other_versions"] = "" if alts is None else other_versions_text(alts)
    values["conversation_id"] = conversation_id
    values["position"] = position
    return values


def message_from_row(
    row: sqlite3.Row | tuple[Any, ...], repaired: list[str] | None = None
) -> ChatMessage:
    """One stored message; provenance values vLLM would refuse are left out, and said so
    in ``repaired`` when it is given. Raises StorageError when the row cannot be read."""
    msg_id, role, content, reasoning, status, created_at, data = row
    try:
        d = _loads(data)
        if not isinstance(d, dict):
            raise ValueError("the data column is not a JSON object")
        notes = repair_reply_params(d.get("reply"), f"reply {msg_id}")
        if repaired is not None:
            repaired.extend(notes)
        d.update(
            id=msg_id,
            role=role,
            content=content,
            reasoning=reasoning,
            status=status,
            created_at=created_at,
        )
        return message_from_dict(d, f"message {msg_id}", owned=True)
    except ValueError as exc:
        raise StorageError(f"A stored message could not be read: {exc}.") from exc


def _loads(data: str) -> Any:
    """The data column as JSON; json decides what orjson refuses (NaN, which ``dumps`` may
    have written, and integers beyond 64 bits)."""
    if _orjson_loads is not None:
        try:
            return _orjson_loads(data)
        except _OrjsonError:
            pass
    return json.loads(data)


def header_values(c: Conversation) -> dict[str, Any]:
    """Named parameters for the conversation's own row."""
    return {
        "id": c.id,
        "title": c.title,
        "title_edited": int(c.title_edited),
        "system_prompt": c.system_prompt,
        "settings": dumps(settings_to_dict(c.settings)),
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


HEADER_SELECT = (
    "SELECT id, title, title_edited, system_prompt, settings, created_at, updated_at "
    "FROM conversations"
)


def conversation_from_row(
    row: sqlite3.Row | tuple[Any, ...], repaired: list[str] | None = None
) -> Conversation:
    """A stored conversation's header; sampling values vLLM would refuse (NaN, out of range,
    wrong type) are reset to "not sent" and said so in ``repaired`` when it is given."""
    conv_id, title, title_edited, system_prompt, settings, created_at, updated_at = row
    try:
        raw = json.loads(settings)
        if isinstance(raw, dict):
            notes = repair_sampling(raw.get("sampling"), "settings")
            if repaired is not None:
                repaired.extend(notes)
        parsed = settings_from_dict(raw, f"conversation {conv_id}.settings")
    except ValueError as exc:
        raise StorageError(
            f"The settings of a stored conversation could not be read: {exc}."
        ) from exc
    return Conversation(
        id=conv_id,
        title=title,
        title_edited=bool(title_edited),
        system_prompt=system_prompt,
        settings=parsed,
        created_at=created_at,
        updated_at=updated_at,
        messages=[],
    )


UPSERT_HEADER = """
INSERT INTO conversations (id, title, title_edited, system_prompt, settings, created_at, updated_at)
VALUES (:id, :title, :title_edited, :system_prompt, :settings, :created_at, :updated_at)
ON CONFLICT (id) DO UPDATE SET
    title = excluded.title, title_edited = excluded.title_edited,
    system_prompt = excluded.system_prompt, settings = excluded.settings,
    created_at = excluded.created_at, updated_at = excluded.updated_at
"""
INSERT_MESSAGE = """
INSERT INTO messages
    (conversation_id, id, position, role, content, reasoning, status, created_at, data,
     other_versions)
VALUES (:conversation_id, :id, :position, :role, :content, :reasoning, :status, :created_at, :data,
        :other_versions)
"""
UPSERT_MESSAGE = (
    INSERT_MESSAGE
    + """ON CONFLICT (conversation_id, id) DO UPDATE SET
    position = excluded.position, role = excluded.role, content = excluded.content,
    reasoning = excluded.reasoning, status = excluded.status,
    created_at = excluded.created_at, data = excluded.data,
    other_versions = excluded.other_versions
"""
)
COPY_MESSAGE = """
INSERT INTO messages
    (conversation_id, id, position, role, content, reasoning, status, created_at, data,
     other_versions)
SELECT ?, ?, position, role, content, reasoning, status, created_at, data, other_versions
FROM messages WHERE conversation_id = ? AND id = ?
"""
