"""Whether the tool loop's next model round fits the context, counted with /tokenize first."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import replace

from desktop_app.api import ChatRequest, GemmaAPIError, ToolDefinition
from desktop_app.core.chat.conversation import ChatMessage, Conversation
from desktop_app.core.session.server import ServerSession
from desktop_app.core.tasks import TaskRunner

FIT_TASK = "tool-round-fit"


def overflow_note(rounds: int, prompt: int, reserved: int, limit: int) -> str:
    """What the chat says when the loop stops: what happened, then what to do."""
    return (
        f"Stopped after {rounds} round{'s' * (rounds != 1)}: the context is full. The next "
        f"request would need {prompt:,} prompt tokens + {reserved:,} for the reply "
        f"(max_tokens), over the model's {limit:,}. The results are kept: lower max_tokens, "
        "shorten the results, or start a branch from an earlier message, then Send results."
    )


def next_round_request(conv: Conversation, model: str | None, results: Sequence[ChatMessage],
                       extra_tools: Sequence[ToolDefinition]) -> ChatRequest:
    """The request the next round would make: the conversation with ``results`` answered."""
    request = conv.build_request(model)
    messages = (*request.messages, *(r.to_api() for r in results))
    tools = (*request.tools, *extra_tools)
    return replace(request, messages=messages, tools=tools)


class RoundFit:
    """Counts the next round before the tool loop asks for it. Where the count cannot be
    made (no /tokenize, an error, no known context size, checks off) the answer is "it fits",
    and the loop's round limit is what stops it."""

    def __init__(self, session: ServerSession, runner: TaskRunner,
                 extra_tools: Callable[[Conversation], Sequence[ToolDefinition]],
                 *, enabled: bool = True) -> None:
        self.session = session
        self.runner = runner
        self.extra_tools = extra_tools
        self.enabled = enabled

    def check(self, conv: Conversation, results: Sequence[ChatMessage], rounds: int,
              then: Callable[[str], None]) -> None:
        """Calls ``then`` with why the next round does not fit, or "" (maybe at once)."""
        if not self.enabled or self.session.client is None:
            then("")
            return
        request = next_round_request(conv, self.session.model, results, self.extra_tools(conv))
        self.runner.start(f"{FIT_TASK}-{conv.id}", self._check(request, rounds, then))

    async def _check(self, request: ChatRequest, rounds: int,
                     then: Callable[[str], None]) -> None:
        then(await self.overflow(request, rounds))

    async def overflow(self, request: ChatRequest, rounds: int) -> str:
        client = self.session.client
        if client is None:
            return ""
        info = self.session.model_info()
        limit = info.max_model_len if info is not None else None
        try:
            counted = await client.count_tokens(request)
        except asyncio.CancelledError:
            raise
        except GemmaAPIError:
            return ""  # no count: the round limit still bounds the loop
        limit = counted.max_model_len or limit
        if limit is None:
            return ""
        # Without max_tokens vLLM gives the reply whatever is left, so one token must fit.
        reserved = request.sampling.max_tokens or 1
        if counted.prompt_tokens + reserved <= limit:
            return ""
        return overflow_note(rounds, counted.prompt_tokens, reserved, limit)
