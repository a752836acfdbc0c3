"""The history store's exceptions; every message is written for the user to read.

``StorageError`` is the root: the app catches it and shows ``str(error)``.
``NotFoundError`` names a conversation or message that is not there,
``NewerSchemaError`` a database written by a newer Gemma Desk, ``ReadOnlyError`` a write
to a history opened read-only, and
``ImportFormatError`` a file that is not a conversation this app can read.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


class StorageError(Exception):
    """The history could not be read or written; the message says why and what to do."""


class NotFoundError(StorageError):
    """A conversation or message id that the store does not hold."""


class NewerSchemaError(StorageError):
    """The database comes from a newer version of the app and is left untouched."""


class ReadOnlyError(StorageError):
    """A write to a history opened read-only for this session; nothing was changed."""


class ImportFormatError(StorageError):
    """A file offered for import is not a conversation; nothing was changed."""


def require(found: int | bool, what: str, ident: str) -> None:
    """Raises NotFoundError unless ``found`` (a row count or a flag) says it was there."""
    if not found:
        raise NotFoundError(f"No {what} with id {ident!r} in the history.")


def storage_error(action: str, path: Path, exc: sqlite3.Error) -> StorageError:
    """The user-facing error for an SQLite failure, with a hint where one helps."""
    hint = ""
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        hint = " Another Gemma Desk may be using it; close it and try again."
    elif isinstance(exc, sqlite3.IntegrityError):
        hint = " (two messages with one id in a conversation?)"
    return StorageError(f"Could not {action} the history database {path}: {exc}.{hint}")
