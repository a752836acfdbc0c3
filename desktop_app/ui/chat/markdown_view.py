"""A read-only text view that renders streamed markdown incrementally and fits its height."""

from __future__ import annotations

import math
import time
from collections import deque

from PySide6.QtCore import QEvent, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QDesktopServices,
    QGuiApplication,
    QPaintEvent,
    QResizeEvent,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QSizePolicy, QTextBrowser, QWidget

from desktop_app.ui.chat.code_block import CodeBlocks, CodeBlockView
from desktop_app.ui.chat.full_text_dialog import FullTextDialog
from desktop_app.ui.chat.md_blocks import Block, Splitter
from desktop_app.ui.chat.quote_style import paint_quote_bars, style_quotes
from desktop_app.ui.chat.render_budget import (
    PLAIN_LIMIT,
    RENDER_LIMIT,
    SCAN_AHEAD,
    SLICE_SECONDS,
    oversize,
    preview,
)
from desktop_app.ui.chat.render_guard import (
    IMAGE_SCHEME,
    MD_FEATURES,
    ImageLink,
    neutralize,
    open_image,
    refused_resource,
)
from desktop_app.ui.chat.render_turns import render_turns
from desktop_app.ui.chat.text_formats import link_format, mono_format, note_format
from desktop_app.ui.common.theme import is_dark
from desktop_app.ui.common.work_budget import work_budget

PARAGRAPH_GAP = 8.0  # pixels between finished blocks


class MarkdownView(QTextBrowser):
    """Shows one message. `set_markdown_text` renders only what changed since the last call.

    Finished blocks are rendered once and kept; only the unfinished tail (the paragraph or
    code fence still arriving) is removed and rendered again, so the cost of an update does
    not grow with the length of the reply. Rendering works in slices of about 12 ms: blocks
    left over wait for the next turn of the event loop, so a long reply never freezes the
    window. Blocks too big to render (render_budget) show a preview and "Show all".

    The content is untrusted: it loads no resource of any kind (render_guard).
    """

    copyRequested = Signal(str)
    rendered = Signal()  # every finished block of the text is rendered

    def __init__(self, parent: QWidget | None = None, *, plain: bool = False) -> None:
        super().__init__(parent)
        self.plain = plain
        # True: a new text is rendered in the next turns of the loop, after the views already
        # waiting (a Compare grid's columns ending together take turns); False (a chat
        # message): its first slice at once.
        self.waits_turn = False
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        # Nothing may resolve a relative name against a folder or a base address.
        self.setSearchPaths([])
        self.document().setBaseUrl(QUrl())
        self.anchorClicked.connect(self._on_anchor)
        self.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # The reply never scrolls sideways (code blocks scroll on their own): a line too wide
        # (a table, a long word) is held at the left edge.
        self.horizontalScrollBar().valueChanged.connect(self._hold_left)
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
        self._code = CodeBlocks(self)
        self._queue: deque[Block] = deque()
        self._cut: int | None = None  # where the part behind "Show all" starts, once known
        self._images: list[ImageLink] = []
        self._full_texts: list[tuple[str, str]] = []  # (title, text) behind each Show all
        self.full_text_dialog: FullTextDialog | None = None
        self._dark = is_dark(self)  # the scheme the document's colours were made for
        self.setFixedHeight(self._content_height())

    def loadResource(self, resource_type: int, name: QUrl | str) -> object:
        """Refuses every resource: an image, style sheet or file named by a reply is never
        opened (render_guard); images are shown as links instead."""
        return refused_resource(resource_type)

    # -- content -----------------------------------------------------------------------
    def source_text(self) -> str:
        return self._source

    def is_rendering(self) -> bool:
        """True while finished blocks still wait for their slice of rendering time."""
        return bool(self._queue)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # Code colours and link colours are baked into the document as it is rendered: a
        # switch between light and dark renders the text again in the new colours.
        if event.type() == QEvent.Type.PaletteChange and is_dark(self) != self._dark:
            self._dark = is_dark(self)
            text = self._source
            if text:
                self._reset()
                self.set_markdown_text(text)

    def set_plain(self, plain: bool) -> None:
        """Shows the text as plain text or as markdown from now on (rendered again in the
        other form when it changes)."""
        if plain != self.plain:
            self.plain = plain
            text = self._source
            self._reset()
            if text:
                self.set_markdown_text(text)

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
        if self._cut is None:
            # Scanning stops SCAN_AHEAD past the limit: a block bigger than that is cut, and
            # what lies beyond is behind "Show all".
            scan = text[: RENDER_LIMIT + SCAN_AHEAD]
            for block in self._splitter.feed(scan):
                if block.start >= RENDER_LIMIT:
                    self._cut = block.start
                    break
                self._queue.append(block)
            if self._cut is None and (len(text) > len(scan) or self._splitter.pos >= RENDER_LIMIT):
                self._cut = self._splitter.pos
        self._render_pending()

    def _render_pending(self) -> None:
        """Renders queued blocks for one slice of time now, the rest in later turns
        (render_turns); a view that ``waits_turn`` renders in the next turns only."""
        turns = render_turns()
        if self.waits_turn:
            turns.wait(self)
            return
        turns.drop(self)
        # The window's shared budget (work_budget): a reply streaming at full speed renders
        # a slice every frame, and the frame also reads the stream and paints.
        budget = work_budget()
        started = time.perf_counter()
        more = self.render_slice(budget.deadline(SLICE_SECONDS))
        budget.spend(started)
        if more:
            turns.wait(self)

    def render_slice(self, deadline: float) -> bool:
        """Renders queued blocks until ``deadline`` (one at least), then the tail or the
        trailer; True when blocks are left for another turn."""
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        cursor.setPosition(self._tail_start)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        self._code.forget_from(self._tail_start)
        cursor.removeSelectedText()
        while self._queue:
            self._insert(cursor, self._queue.popleft())
            if time.perf_counter() > deadline:
                break
        self._tail_start = cursor.position()
        # The tail (or the trailer) is shown once every finished block before it is.
        if not self._queue and self._cut is not None:
            self._insert_trailer(cursor)
        elif not self._queue:
            tail = Splitter.tail(self._source, self._splitter.pos)
            if tail.text.strip():
                self._insert(cursor, tail, arriving=True)
        cursor.endEditBlock()
        self._code.tail_closed()
        self._code.place(False)
        if self._queue:
            return True
        self.rendered.emit()
        return False

    def _set_plain(self, text: str) -> None:
        """Plain text (your message, thinking): appended while it grows; past PLAIN_LIMIT
        characters the rest is behind "Show all"."""
        old = self._source
        self._source = text
        cursor = QTextCursor(self.document())
        if old and text.startswith(old):
            cursor.beginEditBlock()
            if self._cut is None:
                cursor.movePosition(QTextCursor.MoveOperation.End)
                cursor.insertText(text[len(old) : PLAIN_LIMIT])
            else:
                cursor.setPosition(self._tail_start)
                cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
                cursor.removeSelectedText()
        else:
            self._reset()
            self._source = text
            self.setPlainText(text[:PLAIN_LIMIT])
            cursor = QTextCursor(self.document())
            cursor.beginEditBlock()
        if len(text) > PLAIN_LIMIT:
            self._cut = PLAIN_LIMIT
            cursor.movePosition(QTextCursor.MoveOperation.End)
            self._tail_start = cursor.position()
            self._insert_trailer(cursor)
        cursor.endEditBlock()

    def _reset(self) -> None:
        render_turns().drop(self)
        self._code.clear()
        self.document().clear()
        self._splitter = Splitter()
        self._tail_start = 0
        self._code_blocks.clear()
        self._queue.clear()
        self._cut = None
        self._images.clear()
        self._full_texts.clear()
        self._source = ""

    def _insert(self, cursor: QTextCursor, block: Block, *, arriving: bool = False) -> None:
        if cursor.position() > 0:
            if cursor.block().length() > 1:
                # A fresh block format: the new block must not join the list or quote before it.
                cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
            else:
                # The empty block Qt keeps after a code block's frame: used, not left as a
                # blank line; it keeps the gap a paragraph has after any block.
                gap = QTextBlockFormat()
                gap.setTopMargin(PARAGRAPH_GAP)
                cursor.setBlockFormat(gap)
                cursor.setBlockCharFormat(QTextCharFormat())
        start = cursor.position()
        too_big = oversize(block)
        if too_big is not None:
            self._insert_preview(cursor, block, too_big.what, arriving)
        elif block.kind == "code":
            if not arriving:
                self._code_blocks.append(block.text)
            self._code.insert(cursor, block, arriving=arriving)
        else:
            cursor.insertMarkdown(block.text.strip("\n"), MD_FEATURES)
            neutralize(self.document(), start, cursor.position(), self._images, self.palette())
            style_quotes(self.document(), start, cursor.position(), self.palette(), block.text)
        # Markdown blocks are inserted one by one, so Qt sees no paragraph gap between them:
        # give the block's last paragraph the spacing a reader expects.
        end = QTextCursor(self.document())
        end.setPosition(cursor.position())
        if end.block().position() >= start:
            fmt = QTextBlockFormat()
            fmt.setBottomMargin(PARAGRAPH_GAP)
            end.mergeBlockFormat(fmt)

    def _insert_preview(self, cursor: QTextCursor, block: Block, what: str, arriving: bool) -> None:
        """The first lines as plain monospace text, then what was left out and Show all."""
        head, lines = preview(block.text)
        cursor.insertText(head, mono_format())
        cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        note = note_format(self.palette())
        cursor.insertText(f"{what}; shown as plain text, first {lines} lines.  ", note)
        title = "Code block" if block.kind == "code" else "Block"
        # The unfinished tail is drawn again on every update: its Show all reads the tail as
        # it is when clicked instead of keeping a copy per update.
        self._insert_show_all(cursor, title, block.text, key="tail" if arriving else "")
        if block.kind == "code" and not arriving:
            index = len(self._code_blocks)
            self._code_blocks.append(block.text)
            cursor.insertText("  ", QTextCharFormat())
            cursor.insertText("Copy", link_format(self.palette(), f"copy-code:{index}"))

    def _insert_trailer(self, cursor: QTextCursor) -> None:
        """The first lines of what is past the render limit, as plain text, and Show all."""
        cut = self._cut or 0
        rest = len(self._source) - cut
        if cursor.position() > 0:
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        head, lines = preview(self._source[cut:])
        cursor.insertText(head, mono_format())
        cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        cursor.insertText(
            f"This message is long: the last {rest:,} characters are shown as plain text, "
            f"first {lines} lines.  ",
            note_format(self.palette()),
        )
        self._insert_show_all(cursor, "Whole message", self._source, key="message")

    def _insert_show_all(self, cursor: QTextCursor, title: str, text: str, key: str = "") -> None:
        if not key:
            key = str(len(self._full_texts))
            self._full_texts.append((title, text))
        cursor.insertText("Show all", link_format(self.palette(), f"show-all:{key}"))
        cursor.insertText(" ", QTextCharFormat())

    def code_block(self, index: int) -> str:
        return self._code_blocks[index]

    def code_block_count(self) -> int:
        return len(self._code_blocks)

    def code_views(self) -> list[CodeBlockView]:
        """The code block widgets shown, in order."""
        return self._code.views()

    def image_links(self) -> list[ImageLink]:
        return list(self._images)

    # -- links ------------------------------------------------------------------------
    def _on_anchor(self, url: QUrl) -> None:
        scheme = url.scheme()
        if scheme == "copy-code":
            try:
                code = self._code_blocks[int(url.path())]
            except (ValueError, IndexError):
                return
            QGuiApplication.clipboard().setText(code)
            self.copyRequested.emit(code)
        elif scheme == "show-all":
            self._show_all(url.path())
        elif scheme == IMAGE_SCHEME:
            try:
                link = self._images[int(url.path())]
            except (ValueError, IndexError):
                return
            open_image(link)  # an explicit click on a link that shows its target
        elif scheme in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)

    def _show_all(self, key: str) -> None:
        if key == "message":
            title, text = "Whole message", self._source
        elif key == "tail":
            title, text = "Block", Splitter.tail(self._source, self._splitter.pos).text
        else:
            try:
                title, text = self._full_texts[int(key)]
            except (ValueError, IndexError):
                return
        if self.full_text_dialog is not None:
            self.full_text_dialog.close()
            self.full_text_dialog.deleteLater()
        self.full_text_dialog = FullTextDialog(text, title, self.window())
        self.full_text_dialog.show()

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

    def _hold_left(self, value: int) -> None:
        if value:
            self.horizontalScrollBar().setValue(0)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        paint_quote_bars(self.document(), self.viewport(), event.rect())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._code.place()

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._content_height())
