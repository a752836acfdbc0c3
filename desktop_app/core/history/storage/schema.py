"""Opening the history database: pragmas, the schema, its migrations and their backups."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from desktop_app.core.files.damaged_files import stamped_name
from desktop_app.core.files.file_modes import private_file

from .errors import NewerSchemaError, StorageError
from .version_text import fill_other_versions


@dataclass(frozen=True)
class Migration:
    """One step of the schema: ``apply`` turns version ``version - 1`` into ``version``.

    It runs inside the migration transaction together with every other pending step, so it
    must not commit; DDL in SQLite is transactional and rolls back with the rest.
    """

    version: int
    description: str
    apply: Callable[[sqlite3.Connection], None]


def _script(sql: str) -> Callable[[sqlite3.Connection], None]:
    """A migration made of plain statements (``executescript`` would commit, so split)."""

    def apply(conn: sqlite3.Connection) -> None:
        for statement in _split_statements(sql):
            conn.execute(statement)

    return apply


def _split_statements(sql: str) -> list[str]:
    statements: list[str] = []
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in migration: {pending.strip()[:60]!r}")
    return statements


# Rows keep an INTEGER PRIMARY KEY (``seq``) because the full-text tables point at rows by
# rowid, and only an aliased rowid is guaranteed to survive VACUUM.
# Message rows are keyed by (conversation_id, id): ids are unique within their conversation,
# exactly as the model looks them up, so a copied or imported conversation can never clash.
# ``status`` is a column rather than part of ``data`` so that start-up recovery finds the
# streaming rows through a tiny partial index.
_V1 = """
CREATE TABLE conversations (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    title_edited INTEGER NOT NULL DEFAULT 0,
    system_prompt TEXT NOT NULL DEFAULT '',
    settings TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    deleted_at REAL
);
CREATE INDEX conversations_live ON conversations(updated_at) WHERE deleted_at IS NULL;

CREATE TABLE messages (
    seq INTEGER PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    position INTEGER NOT NULL,
    role TEXT NOT NULL,
    content TEXT NOT NULL DEFAULT '',
    reasoning TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'complete',
    created_at REAL NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    UNIQUE (conversation_id, id)
);
CREATE INDEX messages_order ON messages(conversation_id, position);
CREATE INDEX messages_streaming ON messages(status) WHERE status = 'streaming';

CREATE VIRTUAL TABLE messages_fts USING fts5(
    content, reasoning,
    content = 'messages', content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, content, reasoning)
    VALUES (new.seq, new.content, new.reasoning);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content, reasoning)
    VALUES ('delete', old.seq, old.content, old.reasoning);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, reasoning ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content, reasoning)
    VALUES ('delete', old.seq, old.content, old.reasoning);
    INSERT INTO messages_fts(rowid, content, reasoning)
    VALUES (new.seq, new.content, new.reasoning);
END;

CREATE VIRTUAL TABLE titles_fts USING fts5(
    title,
    content = 'conversations', content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER titles_fts_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO titles_fts(rowid, title) VALUES (new.seq, new.title);
END;
CREATE TRIGGER titles_fts_delete AFTER DELETE ON conversations BEGIN
    INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.seq, old.title);
END;
CREATE TRIGGER titles_fts_update AFTER UPDATE OF title ON conversations BEGIN
    INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.seq, old.title);
    INSERT INTO titles_fts(rowid, title) VALUES (new.seq, new.title);
END;
"""

# Version 2: the text of a message's versions that are not shown (kept whole in ``data``)
# gets a column of its own, indexed as the third column of messages_fts, so a word that is
# only in another version is found too. The column is '' for every message without versions.
_V2_RESHAPE = """
ALTER TABLE messages ADD COLUMN other_versions TEXT NOT NULL DEFAULT '';
DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;
DROP TABLE messages_fts;
"""
_V2_INDEX = """
CREATE VIRTUAL TABLE messages_fts USING fts5(
    content, reasoning, other_versions,
    content = 'messages', content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, content, reasoning, other_versions)
    VALUES (new.seq, new.content, new.reasoning, new.other_versions);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content, reasoning, other_versions)
    VALUES ('delete', old.seq, old.content, old.reasoning, old.other_versions);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, reasoning, other_versions
ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content, reasoning, other_versions)
    VALUES ('delete', old.seq, old.content, old.reasoning, old.other_versions);
    INSERT INTO messages_fts(rowid, content, reasoning, other_versions)
    VALUES (new.seq, new.content, new.reasoning, new.other_versions);
END;
INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
"""


def _search_other_versions(conn: sqlite3.Connection) -> None:
    _script(_V2_RESHAPE)(conn)
    # Filled before the new index exists: the 'rebuild' below then reads every row once.
    fill_other_versions(conn)
    _script(_V2_INDEX)(conn)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "conversations, messages and full-text search", _script(_V1)),
    Migration(2, "search the versions of a message that are not shown", _search_other_versions),
)
SCHEMA_VERSION = MIGRATIONS[-1].version
# Seconds to wait for another connection's lock before giving up (blocks the caller).
BUSY_TIMEOUT = 2.0


def open_database(path: Path, migrations: Sequence[Migration] = MIGRATIONS) -> sqlite3.Connection:
    """Opens (creating or migrating as needed) the database at ``path``.

    Raises ``NewerSchemaError`` for a database from a newer app and ``StorageError`` for a
    file that is not a Gemma Desk history or a migration that failed; in every failure the
    file is left exactly as it was.
    """
    target = migrations[-1].version if migrations else 0
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # The history is private: SQLite would make the file (and its -wal, -shm) 0644.
        private_file(path)
        # isolation_level=None: no implicit transactions; every change opens its own.
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
    except OSError as exc:
        raise StorageError(
            f"Cannot open the history database {path}: {exc.strerror or exc}."
        ) from exc
    except sqlite3.Error as exc:
        raise StorageError(f"Cannot open the history database {path}: {exc}.") from exc
    try:
        version = _read_version(conn, path)
        if version > target:
            raise NewerSchemaError(
                f"The history database {path} was written by a newer version of Gemma Desk "
                f"(schema {version}; this version knows up to {target}). It was left "
                "untouched: update Gemma Desk to open it."
            )
        if version < target:
            if version > 0:
                backup_database(conn, path, version)
            _migrate(conn, path, version, migrations)
        _configure(conn)
    except sqlite3.Error as exc:
        conn.close()
        raise StorageError(f"Cannot open the history database {path}: {exc}.") from exc
    except BaseException:
        conn.close()
        raise
    return conn


def open_read_only(path: Path, migrations: Sequence[Migration] = MIGRATIONS) -> sqlite3.Connection:
    """Opens the database for reading only (this session writes nothing into the data folder).

    Raises ``StorageError`` when there is no database yet, or it needs an upgrade first.
    """
    target = migrations[-1].version if migrations else 0
    if not path.is_file():
        raise StorageError(f"There is no history database at {path} yet.")
    try:
        conn = sqlite3.connect(
            path.absolute().as_uri() + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT,
            isolation_level=None,
        )  # fmt: skip
    except sqlite3.Error as exc:
        raise StorageError(f"Cannot open the history database {path}: {exc}.") from exc
    try:
        version = _read_version(conn, path)
        if version != target:
            raise StorageError(
                f"The history database {path} has schema {version}, and this version uses "
                f"{target}; it cannot be upgraded in a read-only session."
            )
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as exc:
        conn.close()
        raise StorageError(f"Cannot read the history database {path}: {exc}.") from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _read_version(conn: sqlite3.Connection, path: Path) -> int:
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc):
            raise
        raise StorageError(
            f"The history database {path} is in use by another program (another Gemma Desk?). "
            "Close it and try again."
        ) from exc
    except sqlite3.DatabaseError as exc:
        raise StorageError(
            f"The history database {path} cannot be read ({exc}). It was left as it is; "
            "move it aside to start a new history, or restore a backup from the same folder."
        ) from exc
    if version == 0 and has_tables:
        raise StorageError(
            f"{path} is an SQLite database but not a Gemma Desk history; it was left as it is."
        )
    return int(version)


def _configure(conn: sqlite3.Connection) -> None:
    # WAL: a commit appends to the -wal file and readers never block the writer.
    # synchronous=NORMAL: in WAL mode a commit is not fsync'ed, only checkpoints are. The
    # database stays consistent whatever happens, and a commit survives a crash or kill of
    # the process (the data is in the OS's file cache); only a power loss or OS crash can
    # drop the last few transactions. That buys cheap commits for streaming checkpoints.
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")


def _migrate(
    conn: sqlite3.Connection, path: Path, version: int, migrations: Sequence[Migration]
) -> None:
    """Runs every pending step in ONE transaction: all of them, or none."""
    pending = [m for m in migrations if m.version > version]
    step: Migration | None = None
    try:
        conn.execute("BEGIN IMMEDIATE")
        for step in pending:
            step.apply(conn)
            conn.execute(f"PRAGMA user_version = {int(step.version)}")
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise StorageError(f"broken references after migrating: {problems[:3]}")
        conn.execute("COMMIT")
    except Exception as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        what = f"step {step.version} ({step.description})" if step else "the upgrade"
        raise StorageError(
            f"Could not upgrade the history database {path} from schema {version}: {what} "
            f"failed: {exc}. The database was left as it was."
        ) from exc


def backup_database(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    """Copies the open database next to itself, named after its schema version and the time."""
    target = stamped_name(path, f"v{version}-backup")
    try:
        private_file(target)
        copy = sqlite3.connect(target)
        try:
            conn.backup(copy)
        finally:
            copy.close()
    except (OSError, sqlite3.Error) as exc:
        target.unlink(missing_ok=True)
        raise StorageError(
            f"Could not back up the history database to {target} before upgrading it: {exc}. "
            "Nothing was changed; check free disk space and folder permissions."
        ) from exc
    return target
