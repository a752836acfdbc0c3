"""A word-level diff of two replies: runs of equal, removed and added words."""

from __future__ import annotations

import difflib
import re

_WORDS = re.compile(r"\S+|\s+")

EQUAL, REMOVED, ADDED = "equal", "removed", "added"


def word_diff(left: str, right: str) -> list[tuple[str, str]]:
    """(kind, text) runs that turn ``left`` into ``right``; whitespace travels with words."""
    a = _WORDS.findall(left)
    b = _WORDS.findall(right)
    out: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append((EQUAL, "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append((REMOVED, "".join(a[i1:i2])))
        if j2 > j1:
            out.append((ADDED, "".join(b[j1:j2])))
    return out


def diff_counts(runs: list[tuple[str, str]]) -> tuple[int, int]:
    """How many words were removed and added."""
    removed = sum(len(t.split()) for kind, t in runs if kind == REMOVED)
    added = sum(len(t.split()) for kind, t in runs if kind == ADDED)
    return removed, added
