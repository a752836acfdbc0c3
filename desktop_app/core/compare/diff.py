"""A word-level diff of two replies: runs of equal, removed and added words."""

from __future__ import annotations

from desktop_app.core.chat.word_diff import word_diff as _word_diff

EQUAL, REMOVED, ADDED = "equal", "removed", "added"


def word_diff(left: str, right: str) -> list[tuple[str, str]]:
    """(kind, text) runs that turn ``left`` into ``right``: the same diff the versions of a
    message are compared with (core/chat/word_diff.py), as runs a column pair can show."""
    return [(EQUAL if p.kind == "same" else p.kind, p.text) for p in _word_diff(left, right).pieces]


def diff_counts(runs: list[tuple[str, str]]) -> tuple[int, int]:
    """How many words were removed and added."""
    removed = sum(len(t.split()) for kind, t in runs if kind == REMOVED)
    added = sum(len(t.split()) for kind, t in runs if kind == ADDED)
    return removed, added
