"""The reply that is streaming: deltas received since the last repaint, and its timings."""

from __future__ import annotations

import time

from desktop_app.api import ToolCall
from desktop_app.core.chat.conversation import ChatMessage, Conversation


class LiveReply:
    """Deltas received since the last flush, and the timings of one streaming reply."""

    def __init__(self, conversation: Conversation, message: ChatMessage) -> None:
        self.conversation = conversation
        self.message = message
        self.content: list[str] = []
        self.reasoning: list[str] = []
        self.started = time.monotonic()
        self.first_token: float | None = None
        self.first_reasoning: float | None = None
        self.first_content: float | None = None
        self.tool_calls: list[ToolCall] | None = None

    def flush(self) -> bool:
        changed = False
        if self.content:
            self.message.content += "".join(self.content)
            self.content.clear()
            changed = True
        if self.reasoning:
            self.message.reasoning += "".join(self.reasoning)
            self.reasoning.clear()
            changed = True
        if self.tool_calls is not None:
            self.message.tool_calls = self.tool_calls
            self.tool_calls = None
            changed = True
        return changed
