"""The text of a message's versions that are not shown, as the search index holds it."""

from __future__ import annotations

import json
import sqlite3
from collections import deque
from typing import Any


def other_versions_text(alternatives: object) -> str:
    """Content and reasoning of every message in the hidden versions of a place (and of the
    versions those messages keep in turn), one piece per line; '' when there is none.

    ``alternatives`` is the stored (dict) form. Anything of an unexpected shape is skipped:
    the index must never refuse a save.
    """
    parts: list[str] = []
    # Breadth first without recursion: a version's messages may carry versions of their own.
    pending: deque[Any] = deque([alternatives])
    while pending:
        alts = pending.popleft()
        branches = alts.get("branches") if isinstance(alts, dict) else None
        if not isinstance(branches, list):
            continue
        for branch in branches:
            for m in branch if isinstance(branch, list) else ():
                if not isinstance(m, dict):
                    continue
                for key in ("content", "reasoning"):
                    text = m.get(key)
                    if isinstance(text, str) and text:
                        parts.append(text)
                if m.get("alternatives") is not None:
                    pending.append(m["alternatives"])
    return "\n".join(parts)


def fill_other_versions(conn: sqlite3.Connection) -> int:
    """Sets ``messages.other_versions`` of every row whose data keeps versions; returns how
    many rows hold such text. Rows whose data cannot be read keep '' (they still load as
    before; only their hidden versions stay unsearchable)."""
    rows = conn.execute(
        "SELECT seq, json_extract(data, '$.alternatives') FROM messages "
        "WHERE instr(data, '\"alternatives\"') > 0 AND json_valid(data) "
        "AND json_type(data, '$.alternatives') = 'object'"
    ).fetchall()
    updates: list[tuple[str, int]] = []
    for seq, raw in rows:
        try:
            text = other_versions_text(json.loads(raw))
        except (ValueError, RecursionError):
            continue
        if text:
            updates.append((text, seq))
    conn.executemany("UPDATE messages SET other_versions = ? WHERE seq = ?", updates)
    return len(updates)
