"""Schema upgrades back the database up first, are all-or-nothing, and never touch the unknown."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from desktop_app.core.chat.conversation import ChatMessage, Conversation
from desktop_app.core.history.storage import (
    MIGRATIONS,
    SCHEMA_VERSION,
    HistoryStore,
    Migration,
    NewerSchemaError,
    StorageError,
    schema,
)


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def backups(folder: Path) -> list[Path]:
    return sorted(folder.glob("*-backup-*"))


def make_v1(path: Path) -> Conversation:
    c = Conversation(title="kept", messages=[ChatMessage(role="user", content="precious words")])
    with HistoryStore(path) as store:
        store.save_conversation(c)
    return c


def add_column(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE conversations ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0")


def add_table(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE folders (id TEXT PRIMARY KEY)")


def explode(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TABLE messages")  # destroys data first, then fails
    raise RuntimeError("disk gremlins")


def test_new_database_gets_the_current_schema_without_backup(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    make_v1(path)
    assert user_version(path) == SCHEMA_VERSION == MIGRATIONS[-1].version
    assert {"conversations", "messages", "messages_fts", "titles_fts"} <= tables(path)
    assert backups(tmp_path) == []
    make_v1(path)  # reopening an up-to-date database neither migrates nor backs up
    assert backups(tmp_path) == []


def test_upgrade_backs_up_first_then_migrates(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    c = make_v1(path)
    steps = (*MIGRATIONS, Migration(SCHEMA_VERSION + 1, "pin conversations", add_column))
    with HistoryStore(path, migrations=steps) as store:
        assert store.load_conversation(c.id) == c
    assert user_version(path) == SCHEMA_VERSION + 1
    [backup] = backups(tmp_path)
    assert backup.name.startswith(f"history.v{SCHEMA_VERSION}-backup-")
    assert backup.suffix == ".sqlite3"
    assert user_version(backup) == SCHEMA_VERSION
    with HistoryStore(backup) as old:
        assert old.load_conversation(c.id) == c


def test_failed_migration_rolls_everything_back(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    c = make_v1(path)
    steps = (
        *MIGRATIONS,
        Migration(SCHEMA_VERSION + 1, "folders", add_table),
        Migration(SCHEMA_VERSION + 2, "reshape messages", explode),
    )
    with pytest.raises(StorageError) as info:
        HistoryStore(path, migrations=steps)
    message = str(info.value)
    assert "reshape messages" in message and "disk gremlins" in message
    assert "left as it was" in message
    assert user_version(path) == SCHEMA_VERSION
    assert "folders" not in tables(path) and "messages" in tables(path)
    with HistoryStore(path) as store:  # the current app still opens it, data intact
        assert store.load_conversation(c.id) == c
        assert store.search("precious")[0].message_id == c.messages[0].id


def test_failing_sql_in_a_migration_is_reported_too(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    make_v1(path)

    def bad_sql(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE no_such_table ADD COLUMN x")

    steps = (*MIGRATIONS, Migration(SCHEMA_VERSION + 1, "typo", bad_sql))
    with pytest.raises(StorageError, match="no_such_table"):
        HistoryStore(path, migrations=steps)
    assert user_version(path) == SCHEMA_VERSION


def test_database_from_a_newer_app_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    make_v1(path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    before = digest(path)
    with pytest.raises(NewerSchemaError, match="newer version of Gemma Desk"):
        HistoryStore(path)
    assert digest(path) == before
    assert backups(tmp_path) == []


@pytest.mark.parametrize("content", [b"not a database at all" * 100, b"SQLite format 3\x00junk"])
def test_a_file_that_is_not_a_database_is_refused_and_kept(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(content)
    with pytest.raises(StorageError, match="cannot be read"):
        HistoryStore(path)
    assert path.read_bytes() == content


def test_a_foreign_sqlite_database_is_refused_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(StorageError, match="not a Gemma Desk history"):
        HistoryStore(path)
    assert digest(path) == before


def test_a_database_locked_by_another_program_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "history.sqlite3"
    c = make_v1(path)
    monkeypatch.setattr(schema, "BUSY_TIMEOUT", 0.05)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("PRAGMA journal_mode = DELETE")
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StorageError, match="in use by another program"):
            HistoryStore(path)
    finally:
        other.close()
    with HistoryStore(path) as store:
        assert store.load_conversation(c.id) == c
