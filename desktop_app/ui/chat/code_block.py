"""Code blocks of a reply: one look (streaming or reopened), sideways scrolling of their own,
optional wrap, and their place over the reply's text."""

from __future__ import annotations

import functools
import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Qt, QUrl, Signal
from PySide6.QtGui import (
    QFontDatabase,
    QFontMetrics,
    QGuiApplication,
    QTextCursor,
    QTextFrame,
    QTextFrameFormat,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.chat.md_blocks import Block
from desktop_app.ui.chat.render_budget import HIGHLIGHT_LIMIT
from desktop_app.ui.chat.render_guard import refused_resource
from desktop_app.ui.common.theme import is_dark

if TYPE_CHECKING:
    from pygments.formatters import HtmlFormatter
    from pygments.lexer import Lexer

# Pygments styles and the block's background, light and dark: the same for a block that is
# streaming and one read back from history, since both ask the palette's text colour.
STYLE = {False: ("friendly", "#f4f5f7", "#8a8f98"), True: ("monokai", "#272822", "#8a8f98")}
PAD = 8  # pixels around the code inside its box


@functools.lru_cache(maxsize=64)
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


def _lexer(lang: str) -> Lexer:
    # Finding a lexer by name and building a formatter's style cost about 0.5 ms each: a
    # conversation full of code blocks would pay them for every block it shows.
    from pygments.lexers import TextLexer, get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(lang) if lang else TextLexer()
    except ClassNotFound:
        return TextLexer()


@functools.lru_cache(maxsize=4)
def _formatter(style: str) -> HtmlFormatter[str]:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True, noclasses=True, style=style)


def code_html(block: Block, dark: bool) -> str:
    """The block's code as coloured HTML (escaped plain text past HIGHLIGHT_LIMIT)."""
    text = block.text.rstrip("\n")
    if len(text) > HIGHLIGHT_LIMIT:
        body = html.escape(text)  # colouring would cost too much here
    else:
        from pygments import highlight  # imported on the first code block: off start-up

        body = highlight(text, _lexer(block.lang), _formatter(STYLE[dark][0]))
    return f'<pre style="margin:0; white-space:pre-wrap">{body}</pre>'


class CodeText(QTextEdit):
    """The code itself: read-only, scrolls sideways on its own, never up and down (the box is
    as tall as the code), loads no resource."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeText")
        self.setAccessibleName("Code")
        self.setReadOnly(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setLineWrapMode(QTextEdit.LineWrapMode.NoWrap)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.document().setDocumentMargin(0)
        self.document().setBaseUrl(QUrl())

    def loadResource(self, resource_type: int, name: QUrl | str) -> object:
        return refused_resource(resource_type)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta()
        if abs(delta.x()) > abs(delta.y()):
            super().wheelEvent(event)  # sideways: this block scrolls, and takes the event
            event.accept()
        else:
            event.ignore()  # up and down: the conversation scrolls


class CodeBlockView(QFrame):
    """One code block: its language, Wrap and Copy, and the code."""

    copyRequested = Signal(str)
    wrapToggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeBlock")
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        lay = self._lay = QVBoxLayout(self)
        lay.setContentsMargins(PAD, 4, PAD, PAD)
        lay.setSpacing(2)
        head = QHBoxLayout()
        head.setSpacing(4)
        self.lang_label = QLabel(self)
        self.lang_label.setObjectName("codeLang")
        head.addWidget(self.lang_label)
        head.addStretch(1)
        self.wrap_button = QToolButton(self)
        self.wrap_button.setObjectName("codeWrapButton")
        self.wrap_button.setText("Wrap")
        self.wrap_button.setToolTip("Wrap long lines of this code block")
        self.wrap_button.setCheckable(True)
        self.wrap_button.setAutoRaise(True)
        self.wrap_button.toggled.connect(self._on_wrap)
        head.addWidget(self.wrap_button)
        self.copy_button = QToolButton(self)
        self.copy_button.setObjectName("codeCopyButton")
        self.copy_button.setText("Copy")
        self.copy_button.setToolTip("Copy this code")
        self.copy_button.setAutoRaise(True)
        self.copy_button.clicked.connect(self._copy)
        head.addWidget(self.copy_button)
        lay.addLayout(head)
        self.text = CodeText(self)
        lay.addWidget(self.text)
        self._code = ""
        self._html = ""
        self._dark: bool | None = None
        self._longest = 0  # pixels of the longest line, for the scroll bar's room
        self._measured_for: tuple[int, bool, str] | None = None
        self._measured = 0

    def set_block(self, block: Block, dark: bool) -> None:
        """Shows `block`; nothing is redone when it is what is shown."""
        if dark != self._dark:
            self._dark = dark
            _, bg, muted = STYLE[dark]
            self.setStyleSheet(
                f"#codeBlock {{ background: {bg}; border-radius: 6px; }}"
                f"#codeText {{ background: {bg}; }}"
                f"#codeLang, #codeWrapButton, #codeCopyButton {{ color: {muted}; }}"
            )
            self._html = ""
        self.lang_label.setText(block.lang or "code")
        self._code = block.text
        body = code_html(block, dark)
        if body != self._html:
            self._html = body
            self.text.setHtml(body)
            # A fixed-pitch font: the longest line is the one with most characters (counted
            # in C, not measured line by line on every update of a streaming block).
            chars = max(map(len, block.text.splitlines()), default=0)
            self._longest = chars * QFontMetrics(self.text.font()).horizontalAdvance("M")

    def code(self) -> str:
        return self._code

    def is_wrapped(self) -> bool:
        return self.wrap_button.isChecked()

    def wanted_height(self, width: int) -> int:
        """The height that shows every line at this width, with room for the scroll bar
        when a line is wider than the box. Measured once per content, width and wrap: the
        view asks for every block on each update of a streaming reply."""
        key = (width, self.is_wrapped(), self._html)
        if key != self._measured_for:
            self._measured_for = key
            self._measured = self._measure(width)
        return self._measured

    def _measure(self, width: int) -> int:
        margins = self._lay.contentsMargins()
        inner = max(1, width - margins.left() - margins.right())
        doc = self.text.document()
        bar = 0
        if self.is_wrapped():
            doc.setTextWidth(inner)
        else:
            doc.setTextWidth(-1)  # no wrapping: the height is the lines' own
            if self._longest > inner:
                bar = self.text.horizontalScrollBar().sizeHint().height()
        text_h = doc.size().height()
        head = self.wrap_button.sizeHint().height()
        spacing = self._lay.spacing()
        return int(margins.top() + head + spacing + text_h + 4 + bar + margins.bottom())

    def _on_wrap(self, on: bool) -> None:
        mode = QTextEdit.LineWrapMode.WidgetWidth if on else QTextEdit.LineWrapMode.NoWrap
        self.text.setLineWrapMode(mode)
        self.wrapToggled.emit(on)

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self._code)
        self.copyRequested.emit(self._code)


class CodeBlocks:
    """The code block widgets of one text view, each over an empty frame of its height in
    the view's document, so the text flows around it and the reply never grows sideways."""

    def __init__(self, view: QTextEdit) -> None:
        self.view = view
        self._placed: list[tuple[CodeBlockView, QTextFrame]] = []
        self._tail: CodeBlockView | None = None  # the open fence, reused for every update
        self._placing = False
        # Frames before this index are in place at the present width: a streaming update
        # changes only the tail, so only the frames from there on are placed again.
        self._settled = 0
        # A frame's new height is laid out after it is set: its widget moves once it is.
        view.document().documentLayout().documentSizeChanged.connect(lambda _s: self.place(False))

    def insert(self, cursor: QTextCursor, block: Block, *, arriving: bool) -> CodeBlockView:
        """A frame at `cursor` with a code block widget over it."""
        widget = self._widget_for(arriving)
        widget.set_block(block, is_dark(self.view))
        fmt = QTextFrameFormat()
        fmt.setBorder(0)
        fmt.setPadding(0)
        fmt.setMargin(0)
        fmt.setHeight(widget.wanted_height(self._width()))
        frame = cursor.insertFrame(fmt)
        cursor.setPosition(frame.lastPosition() + 1)
        self._placed.append((widget, frame))
        widget.show()
        return widget

    def _widget_for(self, arriving: bool) -> CodeBlockView:
        if arriving:
            if self._tail is None:
                self._tail = self._new()
            return self._tail
        if self._tail is not None:
            # The block that was arriving is finished: its widget (scroll place, wrap)
            # carries on as the finished one.
            widget, self._tail = self._tail, None
            return widget
        return self._new()

    def _new(self) -> CodeBlockView:
        widget = CodeBlockView(self.view.viewport())
        widget.copyRequested.connect(getattr(self.view, "copyRequested", lambda _t: None))
        widget.wrapToggled.connect(lambda _on: self.place())
        return widget

    def forget_from(self, position: int) -> None:
        """Drops the frames at or after `position` (about to be removed with the tail)."""
        placed = self._placed
        # In document order: the removed ones are at the end.
        while placed and placed[-1][1].firstPosition() > position:
            widget, _ = placed.pop()
            if widget is not self._tail:
                widget.hide()
                widget.deleteLater()
        self._settled = min(self._settled, len(placed))

    def tail_closed(self) -> None:
        """The open fence is no longer the tail (the tail is text now)."""
        if self._tail is not None and not (self._placed and self._placed[-1][0] is self._tail):
            self._tail.hide()

    def clear(self) -> None:
        for widget, _ in self._placed:
            widget.deleteLater()
        if self._tail is not None and all(w is not self._tail for w, _ in self._placed):
            self._tail.deleteLater()
        self._placed.clear()
        self._tail = None
        self._settled = 0

    def views(self) -> list[CodeBlockView]:
        return [w for w, _ in self._placed]

    def _width(self) -> int:
        doc = self.view.document()
        return max(40, int(self.view.viewport().width() - 2 * doc.documentMargin()))

    def place(self, everything: bool = True) -> None:
        """Puts each widget over its frame, first making each frame as tall as its widget
        at the view's present width; with `everything` False only the frames not yet
        settled (the ones a streaming update added)."""
        if not self._placed or self._placing:
            return
        self._placing = True
        try:
            width = self._width()
            start = 0 if everything else self._settled
            todo = self._placed[start:]
            resized = False
            for widget, frame in todo:
                height = widget.wanted_height(width)
                fmt = frame.frameFormat()
                if int(fmt.height().rawValue()) != height:
                    resized = True
                    fmt.setHeight(height)
                    frame.setFrameFormat(fmt)
                    # A new frame format alone does not lay the frame out again.
                    start = frame.firstPosition() - 1
                    self.view.document().markContentsDirty(start, frame.lastPosition() + 1 - start)
            layout = self.view.document().documentLayout()
            for widget, frame in todo:
                rect = layout.frameBoundingRect(frame)
                geometry = QRect(int(rect.x()), int(rect.y()), width, int(rect.height()))
                if widget.geometry() != geometry:
                    widget.setGeometry(geometry)
            if not resized:
                # (A frame made taller is laid out later: placed again on the size change.)
                self._settled = len(self._placed)
        finally:
            self._placing = False
