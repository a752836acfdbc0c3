"""The reply that is streaming: the accumulator it is shown from, and its timings.

The api ``Accumulator`` is the only fold of the stream. The reply keeps a reference to it,
notes the timings as network reads arrive (a few flag checks per read, nothing per token),
and copies the accumulator's snapshot into the message at most once per frame.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

from desktop_app.api import Accumulator, ChatRequest, Completion, Message
from desktop_app.core.chat.conversation import ChatMessage, Conversation

if TYPE_CHECKING:
    from desktop_app.api.logprobs import TokenLog


class LiveReply:
    """One streaming reply: its message, the accumulator it is read from, its timings."""

    def __init__(
        self,
        conversation: Conversation,
        message: ChatMessage,
        prefix: str = "",
        prefix_tokens: TokenLog | None = None,
    ) -> None:
        self.conversation = conversation
        self.message = message
        # A reply continuing a prefix (a branch from a token): the server sends only what
        # follows it, the message shows both, and its tokens start with the prefix's.
        self.prefix = prefix
        self._tokens_copied = 0
        if prefix_tokens is not None:
            message.tokens = prefix_tokens
        self.accumulator: Accumulator | None = None
        self._shown = 0  # chunks of the accumulator the message shows
        self.started = time.monotonic()
        self.first_token: float | None = None
        self.first_reasoning: float | None = None
        self.first_content: float | None = None

    def note(self, accumulator: Accumulator) -> None:
        """``accumulator`` has grown: remember it and when the first text of each kind came.

        Cheap enough to call per network read (or per chunk): it joins no text."""
        self.accumulator = accumulator
        if self.first_content is not None:
            return  # every timing is known once the answer has begun
        now = time.monotonic()
        if self.first_reasoning is None and accumulator.has_reasoning:
            self.first_reasoning = now
        if accumulator.has_content:
            self.first_content = now
        if self.first_token is None and (
            self.first_reasoning is not None or self.first_content is not None
        ):
            self.first_token = now

    def show(self, completion: Completion) -> None:
        """A reply that came whole (not streamed): the message shows it as it is."""
        msg = self.message
        msg.content = self.prefix + completion.content
        msg.reasoning = completion.reasoning
        msg.tool_calls = list(completion.tool_calls)
        self._take_tokens(completion)

    def flush(self) -> bool:
        """Shows the accumulator's reply in the message; False when it holds nothing new."""
        accumulator = self.accumulator
        if accumulator is None or accumulator.chunks == self._shown:
            return False
        self._shown = accumulator.chunks
        snapshot = accumulator.snapshot()
        msg = self.message
        # The snapshot's strings are cached: an unchanged text is the same object, so these
        # comparisons cost nothing however long the reply is.
        content = self.prefix + snapshot.content if self.prefix else snapshot.content
        changed = content != msg.content or snapshot.reasoning != msg.reasoning
        msg.content = content
        msg.reasoning = snapshot.reasoning
        self._take_tokens(snapshot)
        if snapshot.tool_calls != tuple(msg.tool_calls):
            msg.tool_calls = list(snapshot.tool_calls)
            changed = True
        return changed

    def _take_tokens(self, completion: Completion) -> None:
        tokens = completion.tokens
        if tokens is None:
            return
        msg = self.message
        if not self.prefix:
            msg.tokens = tokens  # shared with the stream: readers take its length first
            return
        if msg.tokens is None:
            from desktop_app.api.logprobs import TokenLog

            msg.tokens = TokenLog()
        # A branch's own log: the prefix's tokens, then the new ones as they come.
        end = len(tokens)
        msg.tokens.extend(tokens.entry(k) for k in range(self._tokens_copied, end))
        self._tokens_copied = end


def continuing(request: ChatRequest, prefix: str) -> ChatRequest:
    """``request`` with its last (assistant) message replaced by ``prefix``, which the reply
    continues: vLLM's continue_final_message, without the generation prompt."""
    messages = request.messages
    if messages and messages[-1].role == "assistant":
        messages = messages[:-1]
    return replace(
        request, messages=(*messages, Message.assistant(prefix)), continue_final=True
    )
