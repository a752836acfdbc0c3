"""A read-only text view that renders streamed markdown incrementally and fits its height."""

from __future__ import annotations

import html
import math

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QDesktopServices,
    QGuiApplication,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QSizePolicy, QTextBrowser, QWidget

from desktop_app.ui.chat.md_blocks import Block, Splitter
from desktop_app.ui.common.theme import is_dark

PARAGRAPH_GAP = 8.0  # pixels between finished blocks


def warm_up_highlighter() -> None:
    """Imports pygments in a background thread, so the first code block of a streaming reply
    does not stall the window for the import (about 40 ms)."""
    import threading

    def load() -> None:
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import get_lexer_by_name

        get_lexer_by_name("python")
        HtmlFormatter(nowrap=True, noclasses=True, style="friendly")

    threading.Thread(target=load, name="warm-up-pygments", daemon=True).start()


class MarkdownView(QTextBrowser):
    """Shows one message. `set_markdown_text` renders only what changed since the last call.

    Finished blocks are rendered once and kept; only the unfinished tail (the paragraph or
    code fence still arriving) is removed and rendered again, so the cost of an update does
    not grow with the length of the reply.
    """

    copyRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, plain: bool = False) -> None:
        super().__init__(parent)
        self.plain = plain
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_anchor)
        self.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.viewport().setAutoFillBackground(False)
        self.setStyleSheet("QTextBrowser { background: transparent; }")
        self.document().setDocumentMargin(2)
        self.document().documentLayout().documentSizeChanged.connect(self._fit_height)
        self._source = ""
        self._splitter = Splitter()
        self._tail_start = 0
        self._code_blocks: list[str] = []
        self.setFixedHeight(self._content_height())

    # -- content -----------------------------------------------------------------------
    def source_text(self) -> str:
        return self._source

    def set_markdown_text(self, text: str) -> None:
        """Shows `text`; appends incrementally when it extends what is shown."""
        if text == self._source:
            return
        if self.plain:
            self._set_plain(text)
            return
        if not text.startswith(self._source):
            self._reset()
        self._source = text
        blocks = self._splitter.feed(text)
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        cursor.setPosition(self._tail_start)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        for block in blocks:
            self._insert(cursor, block)
        self._tail_start = cursor.position()
        tail = Splitter.tail(text, self._splitter.pos)
        if tail.text.strip():
            self._insert(cursor, tail)
        cursor.endEditBlock()

    def _set_plain(self, text: str) -> None:
        if text.startswith(self._source) and self._source:
            cursor = QTextCursor(self.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(text[len(self._source) :])
        else:
            self.setPlainText(text)
        self._source = text

    def _reset(self) -> None:
        self.document().clear()
        self._splitter = Splitter()
        self._tail_start = 0
        self._code_blocks.clear()
        self._source = ""

    def _insert(self, cursor: QTextCursor, block: Block) -> None:
        if cursor.position() > 0:
            # A fresh block format: the new block must not join the list or quote before it.
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        start = cursor.position()
        if block.kind == "code":
            cursor.insertHtml(self._code_html(block))
        else:
            cursor.insertMarkdown(block.text.strip("\n"))
        # Markdown blocks are inserted one by one, so Qt sees no paragraph gap between them:
        # give the block's last paragraph the spacing a reader expects.
        end = QTextCursor(self.document())
        end.setPosition(cursor.position())
        if end.block().position() >= start:
            fmt = QTextBlockFormat()
            fmt.setBottomMargin(PARAGRAPH_GAP)
            end.mergeBlockFormat(fmt)

    def _code_html(self, block: Block) -> str:
        # Imported on the first code block: keeps pygments off the start-up path.
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import TextLexer, get_lexer_by_name
        from pygments.util import ClassNotFound

        index = len(self._code_blocks)
        self._code_blocks.append(block.text)
        try:
            lexer = get_lexer_by_name(block.lang) if block.lang else TextLexer()
        except ClassNotFound:
            lexer = TextLexer()
        dark = is_dark(self)
        style = "monokai" if dark else "friendly"
        body = highlight(
            block.text.rstrip("\n"), lexer, HtmlFormatter(nowrap=True, noclasses=True, style=style)
        )
        bg = "#272822" if dark else "#f4f5f7"
        label = html.escape(block.lang or "code")
        return (
            f'<table width="100%" cellpadding="8" cellspacing="0" bgcolor="{bg}">'
            f'<tr><td><span style="color:#8a8f98">{label}</span>&nbsp;&nbsp;'
            f'<a href="copy-code:{index}">Copy</a>'
            f'<pre style="font-family:monospace">{body}</pre></td></tr></table>'
        )

    def code_block(self, index: int) -> str:
        return self._code_blocks[index]

    def code_block_count(self) -> int:
        return len(self._code_blocks)

    # -- links ------------------------------------------------------------------------
    def _on_anchor(self, url: QUrl) -> None:
        if url.scheme() == "copy-code":
            try:
                code = self._code_blocks[int(url.path())]
            except (ValueError, IndexError):
                return
            QGuiApplication.clipboard().setText(code)
            self.copyRequested.emit(code)
        elif url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)

    # -- size -------------------------------------------------------------------------
    def _content_height(self) -> int:
        doc_h = self.document().documentLayout().documentSize().height()
        return max(
            18, math.ceil(doc_h) + self.contentsMargins().top() + self.contentsMargins().bottom()
        )

    def _fit_height(self, _size: object = None) -> None:
        h = self._content_height()
        if h != self.height():
            self.setFixedHeight(h)

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._content_height())
