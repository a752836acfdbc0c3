"""Full-text search over titles, message text and reasoning, safe for any typed query."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

# The snippet marks each match with these two control characters, which never occur in
# typed text, so the view can bold the matches without escaping or parsing anything else.
HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"
ELLIPSIS = "…"
_SNIPPET_TOKENS = 12


@dataclass(frozen=True)
class SearchHit:
    """One match: the message to jump to (``None`` when the title matched) and a snippet."""

    conversation_id: str
    message_id: str | None
    title: str
    snippet: str
    rank: float  # bm25 score: lower is a better match
    # The words are not all in the version shown: some are only in another version of it.
    other_version: bool = False


def fts_query(text: str) -> str | None:
    """Turns what the user typed into an FTS5 query that cannot be a syntax error.

    Every word becomes a quoted prefix term (quotes doubled inside), so operators, dashes,
    stars and parentheses are plain text; words are ANDed. Words with no letter or digit
    would only yield empty phrases, which match nothing, so they are dropped. ``None``
    means there is nothing to search for.
    """
    # FTS5 reads the query as a C string: a NUL would end it inside a quoted term.
    words = text.replace("\x00", " ").split()
    terms = ['"' + w.replace('"', '""') + '"*' for w in words if any(ch.isalnum() for ch in w)]
    return " ".join(terms) if terms else None


# ``shown``: the rows the same query matches in the shown version's columns alone (built
# once per search). Any other row matched through other_versions (column 2), which its
# snippet then comes from.
_MESSAGE_HITS = f"""
WITH shown(seq) AS MATERIALIZED (
    SELECT rowid FROM messages_fts WHERE messages_fts MATCH :shown
)
SELECT m.conversation_id, m.id, c.title,
       CASE WHEN m.seq IN shown
            THEN snippet(messages_fts, -1, :start, :end, '{ELLIPSIS}', {_SNIPPET_TOKENS})
            ELSE snippet(messages_fts, 2, :start, :end, '{ELLIPSIS}', {_SNIPPET_TOKENS})
       END,
       messages_fts.rank,
       m.seq NOT IN shown
FROM messages_fts
JOIN messages AS m ON m.seq = messages_fts.rowid
JOIN conversations AS c ON c.id = m.conversation_id
WHERE messages_fts MATCH :query AND c.deleted_at IS NULL
ORDER BY messages_fts.rank
LIMIT :limit
"""

# A title is short: highlight() shows it whole rather than a snippet of it.
_TITLE_HITS = """
SELECT c.id, NULL, c.title,
       highlight(titles_fts, 0, :start, :end),
       titles_fts.rank, 0
FROM titles_fts
JOIN conversations AS c ON c.seq = titles_fts.rowid
WHERE titles_fts MATCH :query AND c.deleted_at IS NULL
ORDER BY titles_fts.rank
LIMIT :limit
"""


def run_search(conn: sqlite3.Connection, text: str, limit: int) -> list[SearchHit]:
    """Title matches first (they name whole conversations), then messages by relevance."""
    query = fts_query(text)
    if query is None or limit <= 0:
        return []
    params = {"query": query, "start": HIGHLIGHT_START, "end": HIGHLIGHT_END, "limit": limit}
    rows = conn.execute(_TITLE_HITS, params).fetchall()
    params["shown"] = "{content reasoning} : (" + query + ")"
    rows += conn.execute(_MESSAGE_HITS, params).fetchall()
    return [
        SearchHit(conv_id, msg_id, title, snippet, rank, bool(other))
        for conv_id, msg_id, title, snippet, rank, other in rows[:limit]
    ]
