"""Splitting streamed markdown into finished blocks, so only the open tail is re-rendered."""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)[^`]*$")


@dataclass(frozen=True)
class Block:
    kind: str  # "markdown" | "code"
    text: str  # markdown source, or the code without its fences
    lang: str = ""
    start: int = 0  # where the block (its opening fence, for code) starts in the source


@dataclass
class Splitter:
    """Walks a growing text once; `feed` returns the blocks that became complete.

    A markdown block ends at a blank line outside a code fence; a code block ends at its
    closing fence. `pos` is where the unfinished tail starts, always at a line start and
    outside a fence, so each call scans only the text after it.
    """

    pos: int = 0
    # Where the last call stopped, so the next one scans only the new lines: a long block
    # that is still arriving is not scanned again on every update.
    _scan: int = 0
    _fence: tuple[str, int, str, int] | None = None  # char, length, lang, body start
    _has_text: bool = False

    def feed(self, text: str) -> list[Block]:
        """Blocks completed since the last call; `text` must extend the text fed before."""
        blocks: list[Block] = []
        start = self.pos
        scan = max(self._scan, start)
        fence = self._fence
        has_text = self._has_text
        while True:
            nl = text.find("\n", scan)
            if nl < 0:
                break
            line = text[scan:nl]
            nxt = nl + 1
            if fence is None:
                m = _FENCE.match(line)
                if m:
                    if has_text:
                        blocks.append(Block("markdown", text[start:scan], start=start))
                    marker = m.group(1)
                    fence = (marker[0], len(marker), m.group(2), nxt)
                    start = scan
                    has_text = False
                elif not line.strip():
                    if has_text:
                        blocks.append(Block("markdown", text[start:nxt], start=start))
                        has_text = False
                    start = nxt
                else:
                    has_text = True
            else:
                stripped = line.strip()
                char, length, lang, body = fence
                if stripped and set(stripped) == {char} and len(stripped) >= length:
                    blocks.append(Block("code", text[body:scan], lang, start))
                    fence = None
                    start = nxt
            scan = nxt
            if fence is None and not has_text:
                self.pos = start
        self.pos = start
        self._scan, self._fence, self._has_text = scan, fence, has_text
        return blocks

    @staticmethod
    def tail(text: str, pos: int) -> Block:
        """The unfinished rest: markdown, or an open code fence shown as code."""
        rest = text[pos:]
        first, _, body = rest.partition("\n")
        m = _FENCE.match(first)
        if m and "\n" in rest:
            return Block("code", body, m.group(2), pos)
        return Block("markdown", rest, start=pos)
