"""Search finds words that are only in a version of a message that is not shown: after the
upgrade from schema 1, after switching versions, and never in a deleted conversation."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop_app.core.chat import alternatives
from desktop_app.core.chat.conversation import (
    Alternatives,
    ChatMessage,
    Conversation,
    MessageStatus,
)
from desktop_app.core.history.serialize import message_to_dict
from desktop_app.core.history.storage import MIGRATIONS, HistoryStore
from desktop_app.core.history.storage.rows import dumps
from desktop_app.core.history.storage.schema import open_database
from desktop_app.core.history.version_match import matching_version


def versioned() -> tuple[Conversation, ChatMessage, ChatMessage]:
    """A question, and a reply regenerated once: the old version (with reasoning of its own
    and a follow-up) is kept hidden, the new one is shown."""
    question = ChatMessage(role="user", content="Tell me about lakes")
    old = ChatMessage(
        role="assistant", content="Lakes shelter the platypus.", reasoning="Think of quokkas."
    )
    follow_up = ChatMessage(role="user", content="What about wombats?")
    new = ChatMessage(role="assistant", content="Axolotls live in lakes.")
    new.alternatives = Alternatives(branches=[[old, follow_up], []], shown=1)
    return Conversation(title="Lakes", messages=[question, new]), old, new


def hits(store: HistoryStore, query: str) -> list[tuple[str | None, bool]]:
    return [(h.message_id, h.other_version) for h in store.search(query)]


def index_is_consistent(path: Path) -> None:
    """FTS5's own check: the index holds exactly what the rows' three columns say."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        conn.close()


def make_v1_with_versions(path: Path, c: Conversation) -> None:
    """A database exactly as schema 1 left it, rows written with schema 1's columns."""
    conn = open_database(path, MIGRATIONS[:1])
    try:
        conn.execute(
            "INSERT INTO conversations (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)",
            (c.id, c.title, c.created_at, c.updated_at),
        )
        for position, m in enumerate(c.messages):
            d = message_to_dict(m)
            columns = {k: d.pop(k) for k in ("id", "role", "content", "reasoning", "status")}
            conn.execute(
                "INSERT INTO messages (conversation_id, id, position, role, content, reasoning, "
                "status, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (c.id, columns["id"], position, columns["role"], columns["content"],
                 columns["reasoning"], columns["status"], d.pop("created_at"), dumps(d)),
            )  # fmt: skip
        # A row whose data was damaged must not stop the upgrade.
        conn.execute(
            "INSERT INTO messages (conversation_id, id, position, role, content, created_at, "
            "data) VALUES (?, 'broken', 9, 'user', 'still searchable', 0, "
            "'{\"alternatives\": ')",
            (c.id,),
        )
    finally:
        conn.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 1


def test_upgrade_from_schema_1_makes_hidden_versions_searchable(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    c, _old, new = versioned()
    make_v1_with_versions(path, c)
    with HistoryStore(path) as store:
        assert hits(store, "platypus") == [(new.id, True)]
        assert hits(store, "quokkas") == [(new.id, True)]  # reasoning of a hidden version
        assert hits(store, "wombats") == [(new.id, True)]  # what followed that version
        assert hits(store, "axolotls") == [(new.id, False)]
        assert hits(store, "still searchable") == [("broken", False)]
        [hit] = store.search("platypus")
        assert "\x02platypus\x03" in hit.snippet and "Axolotls" not in hit.snippet
    index_is_consistent(path)
    assert [p.name.split("-backup-")[0] for p in tmp_path.glob("*-backup-*")] == ["history.v1"]


def test_switching_versions_and_saving_keeps_the_index_right(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    c, old, _new = versioned()
    with HistoryStore(path) as store:
        store.save_conversation(c)
        removed, added = alternatives.switch(c, 1, 0)
        assert added[0] is old
        # What the window's history writes after a switch: the rows out, the rows in.
        for m in removed:
            store.delete_message(c.id, m.id)
        for i, m in enumerate(added, start=1):
            store.upsert_message(c.id, m, i)
        assert hits(store, "platypus") == [(old.id, False)]
        assert hits(store, "wombats") == [(follow_id := c.messages[2].id, False)]
        assert hits(store, "axolotls") == [(old.id, True)]
        assert follow_id == added[1].id
        store.save_conversation(c)  # the whole conversation again: still once each
        assert hits(store, "platypus") == [(old.id, False)]
        assert hits(store, "axolotls") == [(old.id, True)]
    index_is_consistent(path)


def test_a_streaming_reply_with_versions_stays_found_through_checkpoints(tmp_path) -> None:
    path = tmp_path / "history.sqlite3"
    c, _old, new = versioned()
    new.status = MessageStatus.STREAMING
    with HistoryStore(path) as store:
        store.save_conversation(c)
        store.checkpoint(c.id, new.id, "Axolotls live in lakes and canals", "so far")
        assert hits(store, "platypus") == [(new.id, True)]
        assert hits(store, "canals") == [(new.id, False)]
    index_is_consistent(path)


def test_a_deleted_conversation_has_no_hits_and_purging_drops_them(tmp_path) -> None:
    path = tmp_path / "history.sqlite3"
    c, _old, _new = versioned()
    other, _, _ = versioned()
    other.messages[1].alternatives.branches[0][0].content = "Other platypus"
    for m in other.messages:
        m.id = f"other-{m.id}"
    with HistoryStore(path) as store:
        store.save_conversation(c)
        store.save_conversation(other)
        assert len(hits(store, "platypus")) == 2
        store.delete_conversation(c.id)
        assert hits(store, "platypus") == [(other.messages[1].id, True)]
        assert store.purge_deleted(older_than=-1.0) == 1
        assert hits(store, "platypus") == [(other.messages[1].id, True)]
    index_is_consistent(path)


def test_copies_keep_their_hidden_versions_searchable(tmp_path) -> None:
    c, _old, _new = versioned()
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        store.save_conversation(c)
        copy = store.duplicate(c.id)
        assert sorted(h.conversation_id for h in store.search("platypus")) == sorted([c.id, copy])


@pytest.mark.parametrize(
    ("query", "expected"),
    [("platypus", 0), ("PLATYPUS shelter", 0), ("quokka", 0), ("wombat", 0), ("axolotls", None),
     ("nothing", None), ("", None)],
)  # fmt: skip
def test_matching_version_picks_the_version_holding_the_words(query, expected) -> None:
    _c, _old, new = versioned()
    assert matching_version(new, query) == expected


def test_matching_version_prefers_the_version_whose_own_message_holds_every_word() -> None:
    _c, old, new = versioned()
    third = ChatMessage(role="assistant", content="Crème brûlée by the platypus lake")
    new.alternatives = Alternatives(branches=[[old], [third], []], shown=2)
    assert matching_version(new, "creme platypus") == 1
    assert matching_version(new, "platypus") == 0  # both hold it: the first
