"""The tool part of a message: its call cards and Send results, or a tool result as JSON."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.core.chat.conversation import ChatMessage, Conversation, MessageStatus
from desktop_app.core.tools.calls import SERVER_FLAGS, is_error_result, pretty_json
from desktop_app.ui.tools.call_card import ToolCallCard, card_style, mono

if TYPE_CHECKING:
    from desktop_app.core.mcp.calls import McpCalls
    from desktop_app.core.tools.loop import ToolLoop


class ToolTurnView(QWidget):
    """Lives inside a MessageWidget: the calls of an assistant message, or a tool result."""

    def __init__(
        self,
        msg: ChatMessage,
        owner: QWidget,
        loop: ToolLoop | None,
        message_text: QWidget | None = None,
        mcp_calls: McpCalls | None = None,
    ) -> None:
        super().__init__(owner)
        self.owner = owner
        self.msg = msg
        self.message_text = message_text  # hidden for a tool result, shown here as JSON
        self.setObjectName("toolCallsArea" if msg.role == "assistant" else "toolResultArea")
        self.setStyleSheet(card_style(owner))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 2, 0, 2)
        lay.setSpacing(6)
        self.raw_warning = QLabel(self)
        self.raw_warning.setObjectName("rawToolCallWarning")
        self.raw_warning.setWordWrap(True)
        self.raw_warning.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.raw_warning.hide()
        lay.addWidget(self.raw_warning)
        self.cards_layout = QVBoxLayout()
        self.cards_layout.setSpacing(6)
        lay.addLayout(self.cards_layout)
        self.cards: list[ToolCallCard] = []
        self.footer = QWidget(self)
        row = QHBoxLayout(self.footer)
        row.setContentsMargins(0, 0, 0, 0)
        self.turn_status = QLabel(self.footer)
        self.turn_status.setObjectName("toolTurnStatus")
        self.turn_status.setWordWrap(True)
        row.addWidget(self.turn_status, 1)
        self.close_all = QPushButton("Close all", self.footer)
        self.close_all.setObjectName("closeAllCallsButton")
        self.close_all.setToolTip("Close every open call without running it, then type a message")
        self.close_all.clicked.connect(self._close_all)
        row.addWidget(self.close_all)
        self.send_results = QPushButton("Send results", self.footer)
        self.send_results.setObjectName("sendResultsButton")
        self.send_results.setAccessibleName("Send results")
        self.send_results.clicked.connect(self._send)
        row.addWidget(self.send_results)
        self.footer.hide()
        lay.addWidget(self.footer)
        self.result_head = QLabel(self)
        self.result_head.setObjectName("toolResultHead")
        self.result_body = QLabel(self)
        self.result_body.setObjectName("toolResultBody")
        self.result_body.setAccessibleName("Tool result")
        self.result_body.setTextFormat(Qt.TextFormat.PlainText)
        self.result_body.setWordWrap(True)
        self.result_body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono(self.result_body)
        for w in (self.result_head, self.result_body):
            w.setVisible(msg.role == "tool")
            lay.addWidget(w)
        self._loop = loop
        self._conv: Conversation | None = None
        if loop is not None:
            loop.changed.connect(self._on_loop_changed)
        self._mcp_calls = mcp_calls
        if mcp_calls is not None:
            mcp_calls.changed.connect(self._on_loop_changed)
        self._error = ""
        self._shown_result: str | None = None

    @classmethod
    def for_message(
        cls,
        msg: ChatMessage,
        owner: QWidget,
        loop: ToolLoop | None,
        message_text: QWidget | None = None,
        mcp_calls: McpCalls | None = None,
    ) -> ToolTurnView | None:
        if msg.role not in ("assistant", "tool"):
            return None
        return cls(msg, owner, loop, message_text, mcp_calls)

    @property
    def loop(self) -> ToolLoop | None:
        return self._loop

    @property
    def mcp_calls(self) -> McpCalls | None:
        return self._mcp_calls

    def conversation(self) -> Conversation | None:
        loop = self.loop
        if loop is None:
            return None
        if self._conv is not None and any(c is self._conv for c in loop.chat.conversations):
            return self._conv  # a message never moves to another conversation
        chat = loop.chat
        for conv in [chat.current, *chat.conversations]:
            if any(m is self.msg for m in conv.messages):
                self._conv = conv
                return conv
        return None

    def _on_loop_changed(self, conv_id: str) -> None:
        conv = self.conversation()
        if conv is not None and conv.id == conv_id:
            self.refresh(self.msg)

    # -- showing -----------------------------------------------------------------------------
    def refresh(self, msg: ChatMessage) -> None:
        self.msg = msg
        if msg.role == "tool":
            self._show_result(msg)
            return
        streaming = msg.status == MessageStatus.STREAMING
        if streaming and not msg.tool_calls and not self.cards:
            # Called every frame of a streaming reply: cost must not grow with its length.
            self.hide()
            return
        conv = self.conversation()
        loop = self.loop
        raw = loop.raw_calls(conv, msg) if loop and conv and not streaming else []
        show_raw = bool(raw)
        self.raw_warning.setVisible(show_raw)
        if show_raw:
            names = ", ".join(dict.fromkeys(raw))
            self.raw_warning.setText(
                f"⚠ The server sent a tool call to <b>{html.escape(names)}</b> as plain text "
                "instead of <code>tool_calls</code>, so it cannot be answered here. Start vLLM "
                f"with <code>{SERVER_FLAGS}</code> (and <code>--reasoning-parser gemma4</code>)."
            )
        while len(self.cards) < len(msg.tool_calls):
            card = ToolCallCard(self, self)
            self.cards.append(card)
            self.cards_layout.addWidget(card)
        while len(self.cards) > len(msg.tool_calls):
            self.cards.pop().deleteLater()
        for card, call in zip(self.cards, msg.tool_calls, strict=True):
            card.show_call(conv, msg, call)
        self._show_footer(conv, msg, streaming)
        self.setVisible(bool(msg.tool_calls) or show_raw)

    def _show_footer(self, conv: Conversation | None, msg: ChatMessage, streaming: bool) -> None:
        loop = self.loop
        if loop is None or conv is None or streaming or loop.turn(conv) is not msg:
            self.footer.hide()
            return
        open_calls = loop.unanswered(conv)
        if not open_calls:
            self.footer.hide()
            return
        self.footer.show()
        missing = loop.missing(conv)
        total = len(open_calls)
        ready = total - len(missing)
        rounds = loop.rounds_used(conv)
        text = f"{ready} of {total} call{'s' * (total != 1)} ready to send"
        if rounds > 1:
            limit = conv.settings.tool_bench.max_auto_rounds
            text += f" · round {rounds} (auto-answer limit {limit})"
        note = loop.notes.get(conv.id)
        if self._error:
            text += f"<br><span style='color:#d93025'>{html.escape(self._error)}</span>"
        if note:
            text += f"<br><b>{html.escape(note)}</b>"
        self.turn_status.setText(text)
        busy = loop.chat.busy
        self.send_results.setEnabled(not missing and not busy)
        self.send_results.setToolTip("\n".join(missing) or "Send the results and continue")
        self.close_all.setEnabled(not busy)

    def _show_result(self, msg: ChatMessage) -> None:
        if self.message_text is not None:
            self.message_text.hide()  # shown here instead, as JSON
        if self._shown_result == msg.content:
            return
        self._shown_result = msg.content
        name = msg.name or "tool"
        error = is_error_result(msg.content)
        badge = " <span style='color:#d93025'>· reported as an error</span>" if error else ""
        self.result_head.setText(
            f"↳ Result of <b>{html.escape(name)}</b> "
            f"<span style='color:gray'>{html.escape(msg.tool_call_id or '')}</span>{badge}"
        )
        self.result_body.setText(pretty_json(msg.content))

    # -- actions -----------------------------------------------------------------------------
    def _send(self) -> None:
        self._run(lambda loop, conv: loop.send_results(conv))

    def _close_all(self) -> None:
        self._run(lambda loop, conv: loop.close_all(conv))

    def _run(self, action) -> None:
        loop, conv = self.loop, self.conversation()
        if loop is None or conv is None:
            return
        self._error = action(loop, conv)
        self.refresh(self.msg)
