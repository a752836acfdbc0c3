"""The history store: conversations and messages in one SQLite file, one transaction per change."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.api import ToolCall
from desktop_app.core.chat.conversation import ChatMessage, Conversation, MessageStatus, new_id
from desktop_app.core.files.paths import database_path
from desktop_app.core.history.serialize import tool_call_to_dict

from .errors import ReadOnlyError, StorageError, require, storage_error
from .partial_read import read_conversation
from .rows import (
    COPY_MESSAGE,
    HEADER_SELECT,
    INSERT_MESSAGE,
    MESSAGE_SELECT,
    UPSERT_HEADER,
    UPSERT_MESSAGE,
    dumps,
    header_values,
    message_from_row,
    message_values,
)
from .schema import MIGRATIONS, Migration, open_database, open_read_only
from .search import SearchHit, run_search

DEFAULT_PURGE_AGE = 30 * 24 * 3600.0  # seconds a deleted conversation stays recoverable


@dataclass(frozen=True)
class ConversationSummary:
    """A row of the conversation list."""

    id: str
    title: str
    updated_at: float
    message_count: int


class HistoryStore:
    """Reads and writes the history database; open one per process, close it on exit."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        read_only: bool = False,
    ):
        self.path = path if path is not None else database_path()
        # Read-only: another process owns the folder, or it cannot be written. Every write
        # raises ReadOnlyError instead of touching the file.
        self.read_only = read_only
        opener = open_read_only if read_only else open_database
        self._conn: sqlite3.Connection | None = opener(self.path, migrations)

    # ---- lifetime ---------------------------------------------------------------------

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StorageError("The history store is closed.")
        return self._conn

    def _writable(self) -> sqlite3.Connection:
        if self.read_only:
            raise ReadOnlyError(
                f"The history {self.path} is open read-only this session; nothing was saved."
            )
        return self._db()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        conn = self._writable()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise storage_error("write to", self.path, exc) from exc
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise storage_error("write to", self.path, exc) from exc
            raise

    def _read(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        try:
            return self._db().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise storage_error("read", self.path, exc) from exc

    # ---- whole conversations ------------------------------------------------------------

    def save_conversation(self, c: Conversation) -> None:
        """Writes the conversation and all its messages, replacing what was stored."""
        ids = [m.id for m in c.messages]
        if len(set(ids)) != len(ids):
            raise StorageError(f"Conversation {c.title!r} holds two messages with the same id.")
        with self._write() as conn:
            conn.execute(UPSERT_HEADER, header_values(c))
            stored = {
                row[0]
                for row in conn.execute(
                    "SELECT id FROM messages WHERE conversation_id = ?", (c.id,)
                )
            }
            gone = stored - set(ids)
            conn.executemany(
                "DELETE FROM messages WHERE conversation_id = ? AND id = ?",
                [(c.id, msg_id) for msg_id in gone],
            )
            conn.executemany(
                UPSERT_MESSAGE, [message_values(c.id, m, i) for i, m in enumerate(c.messages)]
            )

    def update_conversation(self, c: Conversation) -> None:
        """Writes only the conversation's own fields (title, system prompt, settings)."""
        with self._write() as conn:
            values = header_values(c)
            del values["created_at"]
            cur = conn.execute(
                "UPDATE conversations SET title = :title, title_edited = :title_edited, "
                "system_prompt = :system_prompt, settings = :settings, updated_at = :updated_at "
                "WHERE id = :id",
                values,
            )
            require(cur.rowcount, "conversation", c.id)

    def has_conversation(self, conversation_id: str) -> bool:
        return bool(self._read("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)))

    def load_conversation(self, conversation_id: str) -> Conversation:
        """Everything that can be read; see ``read_conversation`` for the rest."""
        rows = self._read(HEADER_SELECT + " WHERE id = ?", (conversation_id,))
        require(len(rows), "conversation", conversation_id)
        messages = self._read(
            MESSAGE_SELECT + " WHERE conversation_id = ? ORDER BY position", (conversation_id,)
        )
        return read_conversation(rows[0], messages)

    def list_conversations(self, *, deleted: bool = False) -> list[ConversationSummary]:
        """Newest first; ``deleted=True`` lists the soft-deleted ones instead."""
        where = "deleted_at IS NOT NULL" if deleted else "deleted_at IS NULL"
        rows = self._read(
            "SELECT c.id, c.title, c.updated_at, "
            "(SELECT count(*) FROM messages AS m WHERE m.conversation_id = c.id) "
            f"FROM conversations AS c WHERE {where} ORDER BY c.updated_at DESC, c.seq DESC"
        )
        return [ConversationSummary(*row) for row in rows]

    def rename(self, conversation_id: str, title: str) -> None:
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE conversations SET title = ?, title_edited = 1 WHERE id = ?",
                (title, conversation_id),
            )
            require(cur.rowcount, "conversation", conversation_id)

    def delete_conversation(self, conversation_id: str) -> None:
        """Moves it to the trash: hidden from the list and search until undone or purged."""
        self._set_deleted(conversation_id, time.time())

    def undo_delete(self, conversation_id: str) -> None:
        self._set_deleted(conversation_id, None)

    def _set_deleted(self, conversation_id: str, when: float | None) -> None:
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE conversations SET deleted_at = ? WHERE id = ?", (when, conversation_id)
            )
            require(cur.rowcount, "conversation", conversation_id)

    def purge_deleted(self, older_than: float = DEFAULT_PURGE_AGE) -> int:
        """Erases conversations deleted at least ``older_than`` seconds ago; returns how many."""
        with self._write() as conn:
            cur = conn.execute(
                "DELETE FROM conversations WHERE deleted_at IS NOT NULL AND deleted_at <= ?",
                (time.time() - older_than,),
            )
            return cur.rowcount

    def duplicate(self, conversation_id: str) -> str:
        """A copy of the whole conversation (new ids); returns the new conversation's id."""
        return self._copy(conversation_id, None, " (copy)")

    def branch(self, conversation_id: str, message_id: str) -> str:
        """A new conversation with the messages up to and including ``message_id``."""
        return self._copy(conversation_id, message_id, " (branch)")

    def _copy(self, source: str, last_message: str | None, suffix: str) -> str:
        target = new_id()
        now = time.time()
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO conversations (id, title, title_edited, system_prompt, settings, "
                "created_at, updated_at) SELECT ?, title || ?, title_edited, system_prompt, "
                "settings, ?, ? FROM conversations WHERE id = ?",
                (target, suffix, now, now, source),
            )
            require(cur.rowcount, "conversation", source)
            last = 2**62
            if last_message is not None:
                row = conn.execute(
                    "SELECT position FROM messages WHERE conversation_id = ? AND id = ?",
                    (source, last_message),
                ).fetchone()
                require(row is not None, "message", last_message)
                last = row[0]
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM messages WHERE conversation_id = ? AND position <= ? "
                    "ORDER BY position",
                    (source, last),
                )
            ]
            conn.executemany(COPY_MESSAGE, [(target, new_id(), source, i) for i in ids])
        return target

    # ---- messages -------------------------------------------------------------------------

    def message_count(self, conversation_id: str) -> int:
        return self._read(
            "SELECT count(*) FROM messages WHERE conversation_id = ?", (conversation_id,)
        )[0][0]

    def load_messages(
        self, conversation_id: str, offset: int = 0, limit: int | None = None
    ) -> list[ChatMessage]:
        """Messages in order, from ``offset``; ``limit=None`` reads to the end."""
        rows = self._read(
            MESSAGE_SELECT + " WHERE conversation_id = ? ORDER BY position LIMIT ? OFFSET ?",
            (conversation_id, -1 if limit is None else max(limit, 0), max(offset, 0)),
        )
        return [message_from_row(row) for row in rows]

    def upsert_message(self, conversation_id: str, message: ChatMessage, position: int) -> None:
        """Puts ``message`` at ``position`` (clamped), inserting it or moving it as needed;
        the messages after it shift so positions stay 0..n-1."""
        with self._write() as conn:
            count = self._count_or_raise(conn, conversation_id)
            row = conn.execute(
                "SELECT position FROM messages WHERE conversation_id = ? AND id = ?",
                (conversation_id, message.id),
            ).fetchone()
            shift = "UPDATE messages SET position = position {} WHERE conversation_id = ? AND {}"
            if row is None:
                position = min(max(position, 0), count)
                conn.execute(shift.format("+ 1", "position >= ?"), (conversation_id, position))
                conn.execute(INSERT_MESSAGE, message_values(conversation_id, message, position))
            else:
                old, position = row[0], min(max(position, 0), count - 1)
                if position < old:
                    conn.execute(
                        shift.format("+ 1", "position >= ? AND position < ?"),
                        (conversation_id, position, old),
                    )
                elif position > old:
                    conn.execute(
                        shift.format("- 1", "position > ? AND position <= ?"),
                        (conversation_id, old, position),
                    )
                conn.execute(UPSERT_MESSAGE, message_values(conversation_id, message, position))
            _touch(conn, conversation_id)

    def replace_messages_from(
        self, conversation_id: str, position: int, messages: Sequence[ChatMessage]
    ) -> None:
        """Drops the messages from ``position`` on and puts ``messages`` in their place
        (edit-and-resend, regenerate), all in one transaction."""
        with self._write() as conn:
            count = self._count_or_raise(conn, conversation_id)
            position = min(max(position, 0), count)
            conn.execute(
                "DELETE FROM messages WHERE conversation_id = ? AND position >= ?",
                (conversation_id, position),
            )
            conn.executemany(
                INSERT_MESSAGE,
                [message_values(conversation_id, m, position + i) for i, m in enumerate(messages)],
            )
            _touch(conn, conversation_id)

    def delete_message(self, conversation_id: str, message_id: str) -> bool:
        """Removes one message and closes the gap; False if it was not there."""
        with self._write() as conn:
            rows = conn.execute(
                "DELETE FROM messages WHERE conversation_id = ? AND id = ? RETURNING position",
                (conversation_id, message_id),
            ).fetchall()
            if not rows:
                return False
            conn.execute(
                "UPDATE messages SET position = position - 1 "
                "WHERE conversation_id = ? AND position > ?",
                (conversation_id, rows[0][0]),
            )
            _touch(conn, conversation_id)
            return True

    def checkpoint(
        self,
        conversation_id: str,
        message_id: str,
        content: str,
        reasoning: str = "",
        tool_calls: Sequence[ToolCall] | None = None,
        status: MessageStatus = MessageStatus.STREAMING,
    ) -> None:
        """Saves a streaming reply so far: one small UPDATE of its row, nothing else.

        Call it about once a second while a reply streams (after ``upsert_message`` put the
        row there). ``tool_calls=None`` leaves the stored calls as they are.
        """
        sql = "UPDATE messages SET content = ?, reasoning = ?, status = ?"
        params: list[Any] = [content, reasoning, status.value]
        if tool_calls is not None:
            sql += ", data = json_set(data, '$.tool_calls', json(?))"
            params.append(dumps([tool_call_to_dict(c) for c in tool_calls]))
        sql += " WHERE conversation_id = ? AND id = ?"
        params += [conversation_id, message_id]
        try:
            # In autocommit mode one statement is one transaction of its own.
            cur = self._writable().execute(sql, params)
        except sqlite3.Error as exc:
            raise storage_error("write to", self.path, exc) from exc
        require(cur.rowcount, "message", message_id)

    def mark_interrupted(self) -> int:
        """At start-up: replies left STREAMING by a crash become INTERRUPTED; returns how many."""
        with self._write() as conn:
            return conn.execute(
                "UPDATE messages SET status = ? WHERE status = ?",
                (MessageStatus.INTERRUPTED.value, MessageStatus.STREAMING.value),
            ).rowcount

    # ---- search ---------------------------------------------------------------------------

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Conversations whose title, messages or reasoning hold every word of ``query``."""
        try:
            return run_search(self._db(), query, limit)
        except sqlite3.Error as exc:
            raise storage_error("search", self.path, exc) from exc

    @staticmethod
    def _count_or_raise(conn: sqlite3.Connection, conversation_id: str) -> int:
        exists = conn.execute(
            "SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        require(exists is not None, "conversation", conversation_id)
        return conn.execute(
            "SELECT count(*) FROM messages WHERE conversation_id = ?", (conversation_id,)
        ).fetchone()[0]


def _touch(conn: sqlite3.Connection, conversation_id: str) -> None:
    conn.execute(
        "UPDATE conversations SET updated_at = ? WHERE id = ?", (time.time(), conversation_id)
    )
