"""A word-level diff of two texts: which words one has that the other has not."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

# Words and the spaces between them are tokens of their own, so the pieces put back together
# spell both texts exactly, and a changed space never marks the words around it.
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")

Kind = Literal["same", "removed", "added"]


@dataclass(frozen=True)
class Piece:
    kind: Kind
    text: str


@dataclass(frozen=True)
class WordDiff:
    pieces: list[Piece]

    def words(self, kind: Kind) -> int:
        """How many words (not spaces or punctuation) are of `kind`."""
        return sum(len(re.findall(r"\w+", p.text)) for p in self.pieces if p.kind == kind)

    def text(self, side: Literal["old", "new"]) -> str:
        skip = "added" if side == "old" else "removed"
        return "".join(p.text for p in self.pieces if p.kind != skip)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_diff(old: str, new: str) -> WordDiff:
    """The pieces of `old` and `new` in reading order: shared, removed (only in `old`) and
    added (only in `new`); a replaced run shows its removed words before the added ones."""
    a, b = tokens(old), tokens(new)
    # autojunk off: in a long reply common words would otherwise never be matched.
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    pieces: list[Piece] = []

    def put(kind: Kind, words: list[str]) -> None:
        text = "".join(words)
        if not text:
            return
        if pieces and pieces[-1].kind == kind:
            pieces[-1] = Piece(kind, pieces[-1].text + text)
        else:
            pieces.append(Piece(kind, text))

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            put("same", a[i1:i2])
        else:
            put("removed", a[i1:i2])
            put("added", b[j1:j2])
    return WordDiff(pieces)
