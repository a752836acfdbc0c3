"""How much of a reply is rendered as rich text, and what a block too big for that shows.

Rendering cost was measured on the 2-core development machine (offscreen): a markdown table
costs about 0.5 ms a row, a highlighted code block about 14 ms per 1,000 characters, plain
paragraphs about 1 ms per 1,000 characters. The limits keep one block under ~30 ms, so no
update stalls the window for long; bigger blocks show a plain preview and a "Show all".
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.ui.chat.md_blocks import Block

TABLE_ROW_LIMIT = 40  # lines with a "|" in one markdown block (~20 ms to render)
MD_LINE_LIMIT = 300  # lines in one markdown block (a long list)
MD_CHAR_LIMIT = 16_000  # characters in one markdown block (a long line or paragraph)
HIGHLIGHT_LIMIT = 2_000  # characters of code coloured by pygments; beyond, plain monospace
CODE_CHAR_LIMIT = 20_000  # characters of code shown in full
CODE_LINE_LIMIT = 600
RENDER_LIMIT = 100_000  # characters of one reply rendered; the rest is behind "Show all"
SCAN_AHEAD = 1_000_000  # characters past RENDER_LIMIT searched for the end of a block
PLAIN_LIMIT = 50_000  # characters of a plain text view (your message, thinking)
SLICE_SECONDS = 0.012  # rendering work per event-loop turn, leaving room for layout

PREVIEW_LINES = 20
PREVIEW_LINE_CHARS = 300


@dataclass(frozen=True)
class Oversize:
    """Why a block is shown as a preview: e.g. "Large table: 10,002 rows"."""

    what: str


def oversize(block: Block) -> Oversize | None:
    """None when `block` renders in full; else what makes it too big."""
    text = block.text
    lines = text.rstrip("\n").count("\n") + 1
    if block.kind == "code":
        if len(text) > CODE_CHAR_LIMIT or lines > CODE_LINE_LIMIT:
            return Oversize(f"Large code block: {lines:,} lines, {len(text):,} characters")
        return None
    rows = sum(1 for line in text.splitlines() if "|" in line) if lines > TABLE_ROW_LIMIT else 0
    if rows > TABLE_ROW_LIMIT:
        return Oversize(f"Large table: {rows:,} rows")
    if lines > MD_LINE_LIMIT:
        return Oversize(f"Long block: {lines:,} lines")
    if len(text) > MD_CHAR_LIMIT:
        return Oversize(f"Long block: {len(text):,} characters")
    return None


def preview(text: str) -> tuple[str, int]:
    """The first lines of `text`, each cut short, and how many lines that is."""
    head = text[: PREVIEW_LINES * (PREVIEW_LINE_CHARS + 1)].splitlines()[:PREVIEW_LINES]
    cut = [
        line if len(line) <= PREVIEW_LINE_CHARS else line[:PREVIEW_LINE_CHARS] + "…"
        for line in head
    ]
    return "\n".join(cut), len(cut)
