"""One column of the Compare window: its settings, reply, stats and buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.compare.cells import (
    DONE,
    FAILED,
    STOPPED,
    STREAMING,
    WAITING,
    reasoning_tokens,
)
from desktop_app.core.compare.run import CompareColumn
from desktop_app.ui.chat.markdown_view import MarkdownView
from desktop_app.ui.common.flow_layout import FlowLayout
from desktop_app.ui.compare.call_list import CallList
from desktop_app.ui.compare.live_reply import LiveReply

STATE_WORDS = {
    WAITING: "waiting for a free slot",
    STREAMING: "streaming…",
    DONE: "done",
    STOPPED: "stopped",
    FAILED: "error",
}


def stats_line(column: CompareColumn) -> str:
    """TTFT, tokens/s, prompt/completion/reasoning tokens and the finish reason, as known."""
    cell = column.cell
    parts: list[str] = []
    if cell.ttft_s is not None:
        parts.append(f"TTFT {cell.ttft_s:.2f} s")
    rate = cell.tokens_per_second()
    if rate is not None:
        parts.append(f"{rate:.1f} tok/s")
    usage = cell.completion.usage if cell.completion else None
    if usage is not None:
        parts.append(f"{usage.prompt_tokens} prompt / {usage.completion_tokens} completion")
        thought = reasoning_tokens(cell.completion)
        if thought:
            parts.append(f"{thought} reasoning")
    if cell.finish_reason:
        parts.append(f"finish: {cell.finish_reason}")
    return " · ".join(parts)


def empty_words(state: str, calls: int) -> str:
    """What an ended column with no text says in place of its reply."""
    if calls:
        return f"No text: the reply is {'its tool calls' if calls > 1 else 'a tool call'} (below)."
    if state == DONE:
        return "The reply was empty."
    return "Nothing arrived."


class ColumnCard(QFrame):
    """Shows a column; its buttons ask the dialog to act on it by index."""

    stopRequested = Signal(int)
    rerunRequested = Signal(int)
    pinToggled = Signal(int, bool)
    adoptRequested = Signal(int)
    removeRequested = Signal(int)

    def __init__(self, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self.column_running = False
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(260)
        layout = QVBoxLayout(self)
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold")
        self.state = QLabel(self)
        self.stats = QLabel(self)
        self.stats.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        self.thinking = QLabel(self)
        self.thinking.setWordWrap(True)
        self.thinking.setStyleSheet("color: gray; font-style: italic")
        self.reply = MarkdownView(self)
        self.reply.waits_turn = True
        self.reply.rendered.connect(self._show_markdown)
        body = QWidget(self)
        inner = QVBoxLayout(body)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.thinking)
        inner.addWidget(self.reply)
        # Said instead of an empty box: a reply that is only tool calls, or no text at all.
        self.empty = QLabel(body)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: gray")
        self.empty.hide()
        inner.addWidget(self.empty)
        inner.addStretch(1)
        self.reply_scroll = QScrollArea(self)
        self.reply_scroll.setWidgetResizable(True)
        self.reply_scroll.setWidget(body)
        # Eight columns rendering markdown at once stall the window: a running column shows
        # its reply as plain text (live), the markdown once its cell has ended.
        self.live = LiveReply(self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.reply_scroll)
        self.pages.addWidget(self.live)
        self.pages.setMinimumHeight(220)
        self.calls = CallList(self)
        buttons = FlowLayout(spacing=4)  # wraps in a narrow column instead of cutting
        self.stop_button = QPushButton("Stop", self)
        self.rerun_button = QPushButton("Rerun", self)
        self.pin_button = QPushButton("Pin", self)
        self.pin_button.setCheckable(True)
        self.pin_button.setToolTip("A pinned column keeps its reply when all columns run again")
        self.adopt_button = QPushButton("Continue with this", self)
        self.remove_button = QPushButton("Remove", self)
        for button in (
            self.stop_button, self.rerun_button, self.pin_button, self.adopt_button,
            self.remove_button,
        ):  # fmt: skip
            buttons.addWidget(button)
        self.stop_button.clicked.connect(lambda: self.stopRequested.emit(self.index))
        self.rerun_button.clicked.connect(lambda: self.rerunRequested.emit(self.index))
        self.pin_button.toggled.connect(lambda on: self.pinToggled.emit(self.index, on))
        self.adopt_button.clicked.connect(lambda: self.adoptRequested.emit(self.index))
        self.remove_button.clicked.connect(lambda: self.removeRequested.emit(self.index))
        for widget in (self.title, self.state, self.stats, self.error):
            layout.addWidget(widget)
        for label in (self.title, self.state, self.stats, self.error, self.thinking):
            # A reply's or a server's words are never read as markup (rich text can load
            # images and files).
            label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.calls)
        layout.addLayout(buttons)

    def _show_markdown(self) -> None:
        if self.column_running:
            return  # rendered for a run that has been started again since
        self.pages.setCurrentWidget(self.reply_scroll)

    def make_read_only(self) -> None:
        """A saved run's card: its reply and stats, no buttons to act on it."""
        for button in (
            self.stop_button, self.rerun_button, self.pin_button, self.adopt_button,
            self.remove_button,
        ):  # fmt: skip
            button.hide()

    def show_column(self, column: CompareColumn) -> None:
        cell = column.cell
        self.title.setText(f"{self.index + 1}. {column.spec.title()}")
        self.state.setText(STATE_WORDS.get(cell.state, cell.state))
        self.stats.setText(stats_line(column))
        self.error.setText(cell.error or "")
        self.error.setVisible(bool(cell.error))
        running = cell.state in (WAITING, STREAMING)
        self.column_running = running
        if running:
            self.live.show_reply(cell.reasoning, cell.content)
            self.pages.setCurrentWidget(self.live)
        else:
            # The markdown is rendered out of sight (no paint per slice) and shown once
            # whole; the live text stays until then, complete.
            if self.pages.currentWidget() is self.live:
                self.live.show_reply(cell.reasoning, cell.content)
            self.thinking.setText(cell.reasoning)
            self.thinking.setVisible(bool(cell.reasoning))
            self.reply.set_markdown_text(cell.content)
            if not self.reply.is_rendering():
                self._show_markdown()
        calls = cell.completion.tool_calls if cell.completion else ()
        self.calls.show_calls(calls)
        self.empty.setText(empty_words(cell.state, len(calls)))
        self.empty.setVisible(not running and not cell.content and not cell.reasoning)
        self.reply.setVisible(running or bool(cell.content))
        self.stop_button.setEnabled(running)
        self.adopt_button.setEnabled(cell.state in (DONE, STOPPED) and bool(cell.completion))
        if self.pin_button.isChecked() != column.pinned:
            self.pin_button.setChecked(column.pinned)
