"""The conversation history on disk: the SQLite store, its search, export and import."""

from __future__ import annotations

from .errors import (
    ImportFormatError,
    NewerSchemaError,
    NotFoundError,
    ReadOnlyError,
    StorageError,
)
from .exchange import export_json, export_markdown, import_conversation_json, import_into
from .schema import MIGRATIONS, SCHEMA_VERSION, Migration
from .search import HIGHLIGHT_END, HIGHLIGHT_START, SearchHit
from .store import ConversationSummary, HistoryStore

__all__ = [
    "HIGHLIGHT_END",
    "HIGHLIGHT_START",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "ConversationSummary",
    "HistoryStore",
    "ImportFormatError",
    "Migration",
    "NewerSchemaError",
    "NotFoundError",
    "ReadOnlyError",
    "SearchHit",
    "StorageError",
    "export_json",
    "export_markdown",
    "import_conversation_json",
    "import_into",
]
