"""Block quotes of a reply: muted text and a bar down their left side, in either palette."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (
    QPainter,
    QPalette,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QWidget

BAR_WIDTH = 3
BAR_GAP = 10  # pixels between the bar and the quoted text
LEVEL = QTextFormat.Property.BlockQuoteLevel
QUOTE_INDENT = 40  # pixels, as Qt's markdown reader indents a quote


def quote_level(block_format: QTextFormat) -> int:
    return int(block_format.property(LEVEL) or 0)


def _leading_level(markdown: str) -> int:
    """How many `>` open the first line of `markdown` (a quote nested that deep)."""
    level = 0
    for ch in markdown.lstrip("\n").lstrip(" "):
        if ch == ">":
            level += 1
        elif ch != " ":
            break
    return level


def style_quotes(
    doc: QTextDocument, start: int, end: int, palette: QPalette, markdown: str = ""
) -> None:
    """Gives the quoted paragraphs between `start` and `end` the muted text colour.

    `markdown` is the text inserted at `start`: a quote that opens it lost its quote format
    to the paragraph it was inserted into (Qt keeps the existing block's format), so it is
    put back here."""
    block = doc.findBlock(start)
    level = _leading_level(markdown)
    if level and block.isValid() and not quote_level(block.blockFormat()):
        fmt = block.blockFormat()
        fmt.setProperty(LEVEL, level)
        fmt.setLeftMargin(QUOTE_INDENT * level)
        fmt.setRightMargin(QUOTE_INDENT)
        QTextCursor(block).setBlockFormat(fmt)
    muted = QTextCharFormat()
    muted.setForeground(palette.color(QPalette.ColorRole.PlaceholderText))
    while block.isValid() and block.position() <= end:
        if quote_level(block.blockFormat()):
            cursor = QTextCursor(block)
            cursor.movePosition(
                QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor
            )
            cursor.mergeCharFormat(muted)
        block = block.next()


def paint_quote_bars(doc: QTextDocument, target: QWidget, exposed: QRect) -> None:
    """Draws the bars of the quoted paragraphs that lie in `exposed` (the paragraphs are
    looked up from there, so a long reply costs no more than the part repainted)."""
    layout = doc.documentLayout()
    pos = layout.hitTest(QPointF(0, exposed.top()), Qt.HitTestAccuracy.FuzzyHit)
    block = doc.findBlock(max(0, pos))
    painter: QPainter | None = None
    colour = target.palette().color(QPalette.ColorRole.PlaceholderText)
    while block.isValid():
        rect = layout.blockBoundingRect(block)
        if rect.top() > exposed.bottom():
            break
        level = quote_level(block.blockFormat())
        if level and rect.bottom() >= exposed.top():
            if painter is None:
                painter = QPainter(target)
            fmt = block.blockFormat()
            # Qt indents a quote by its left margin: the bar goes in that margin.
            x = rect.left() + fmt.leftMargin() - BAR_GAP - BAR_WIDTH
            top = rect.top() - fmt.topMargin()
            bottom = rect.bottom()
            painter.fillRect(QRectF(x, top, BAR_WIDTH, bottom - top), colour)
        block = block.next()
    if painter is not None:
        painter.end()
