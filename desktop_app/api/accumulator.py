"""Folding stream deltas into the reply, and the event a stream yields per chunk.

The ``Accumulator`` is the only fold of a stream: every ``ChunkDelta`` goes into it once, and
whoever shows the reply reads its ``snapshot()`` (the desktop app once per frame). Text
arrives as fragments that are only appended to lists; the joined strings are built when a
snapshot is asked for and cached until the next fragment, so adding N tokens costs O(N)
however long the reply grows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from .messages import ToolCall
from .results import Completion, ToolCallSnapshot, Usage

if TYPE_CHECKING:
    from .deltas import ChunkDelta
    from .logprobs import TokenLog, TokenLogprob
    from .tool_deltas import ToolCallDelta


class _Text:
    """An append-only string kept as fragments, joined lazily and cached."""

    __slots__ = ("_cache", "_parts")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._cache: str | None = ""

    def append(self, fragment: str) -> None:
        self._parts.append(fragment)
        self._cache = None

    def __bool__(self) -> bool:
        return bool(self._parts)

    def value(self) -> str:
        if self._cache is None:
            joined = "".join(self._parts)
            # Keep one fragment, so later joins start from the long string in one piece.
            self._parts = [joined]
            self._cache = joined
        return self._cache


class _ToolCallState:
    __slots__ = ("arguments", "id", "index", "name")

    def __init__(self, index: int) -> None:
        self.index = index
        self.id: str | None = None
        self.name: str | None = None
        self.arguments = _Text()


class Accumulator:
    """Merges the ``ChunkDelta`` s of choice 0 into a ``Completion``."""

    def __init__(self) -> None:
        self._content = _Text()
        self._reasoning = _Text()
        self._tools: dict[int, _ToolCallState] = {}
        self._id: str | None = None
        self._model: str | None = None
        self._finish_reason: str | None = None
        self._stop_reason: str | int | None = None
        self._usage: Usage | None = None
        self._fingerprint: str | None = None
        self._chunks = 0
        self._snapshot: Completion | None = None
        self._tokens: TokenLog | None = None  # the answer's tokens, once logprobs arrive

    def add(self, delta: ChunkDelta) -> None:
        """Fold one chunk's delta into the reply."""
        self._chunks += 1
        self._snapshot = None
        if self._id is None:
            self._id = delta.id
        if self._model is None:
            self._model = delta.model
        if delta.usage is not None:
            # With continuous usage stats every chunk carries the running total.
            self._usage = delta.usage
        if delta.system_fingerprint is not None:
            self._fingerprint = delta.system_fingerprint
        choice_index = delta.choice_index
        if choice_index != 0 and choice_index is not None:
            return  # another choice of an n > 1 request
        content = delta.content
        if content:
            self._content.append(content)
        reasoning = delta.reasoning
        if reasoning:
            self._reasoning.append(reasoning)
        if delta.tool_calls:
            self._add_tool_calls(delta.tool_calls)
        if content and (delta.logprobs is not None or self._tokens is not None):
            self._add_tokens(delta.logprobs, content, bool(reasoning))
        if delta.finish_reason is not None:
            self._finish_reason = delta.finish_reason
            self._stop_reason = delta.stop_reason

    def _add_tokens(
        self, entries: tuple[TokenLogprob, ...] | None, content: str, reasoning: bool
    ) -> None:
        """The answer's tokens of a chunk with content (tokens of reasoning, tool calls and
        empty deltas are not the answer's). Text that came without logprobs is kept as one
        unknown token, so the tokens always spell the answer."""
        from .logprobs import TokenLog, answer_tail, unknown_token

        tokens = self._tokens
        if tokens is None:
            tokens = self._tokens = TokenLog()
            before = self._content.value()[: -len(content)]
            if before:
                tokens.extend((unknown_token(before),))
        if not entries:
            tokens.extend((unknown_token(content),))
        elif reasoning:
            # One chunk held the end of the reasoning and the start of the answer.
            tokens.extend(answer_tail(entries, content))
        else:
            tokens.extend(entries)

    def _add_tool_calls(self, fragments: tuple[ToolCallDelta, ...]) -> None:
        for fragment in fragments:
            state = self._tools.get(fragment.index)
            if state is None:
                state = self._tools[fragment.index] = _ToolCallState(fragment.index)
            # Gemma 4 sends id and name only on the first fragment (vLLM issue #42696).
            if fragment.id:
                state.id = fragment.id
            if fragment.name:
                state.name = fragment.name
            if fragment.arguments:
                state.arguments.append(fragment.arguments)

    @property
    def received_anything(self) -> bool:
        """Whether any chunk has been added."""
        return self._chunks > 0

    @property
    def chunks(self) -> int:
        """How many chunks have been added."""
        return self._chunks

    @property
    def has_reasoning(self) -> bool:
        """Whether any reasoning text has arrived (cheap: nothing is joined)."""
        return bool(self._reasoning)

    @property
    def has_content(self) -> bool:
        """Whether any answer text has arrived (cheap: nothing is joined)."""
        return bool(self._content)

    @property
    def has_tool_calls(self) -> bool:
        """Whether any tool-call fragment has arrived."""
        return bool(self._tools)

    @property
    def finish_reason(self) -> str | None:
        return self._finish_reason

    def tool_call_snapshots(self) -> tuple[ToolCallSnapshot, ...]:
        """Tool calls as far as they have streamed, ordered by index."""
        return tuple(
            ToolCallSnapshot(s.index, s.id, s.name, s.arguments.value())
            for s in self._ordered_tools()
        )

    def snapshot(self) -> Completion:
        """The reply so far; cached until the next ``add``."""
        if self._snapshot is None:
            self._snapshot = Completion(
                id=self._id,
                model=self._model,
                content=self._content.value(),
                reasoning=self._reasoning.value(),
                tool_calls=tuple(
                    # A call whose id never came gets a stable stand-in, so the tool
                    # result can still be matched to it when the history is sent back.
                    ToolCall(s.id or f"call_{s.index}", s.name or "", s.arguments.value())
                    for s in self._ordered_tools()
                ),
                finish_reason=self._finish_reason,
                stop_reason=self._stop_reason,
                usage=self._usage,
                system_fingerprint=self._fingerprint,
                tokens=self._tokens,
            )
        return self._snapshot

    def result(self) -> Completion:
        """The final reply (the same as the last snapshot)."""
        return self.snapshot()

    def _ordered_tools(self) -> list[_ToolCallState]:
        return [self._tools[i] for i in sorted(self._tools)]


class StreamEvent(NamedTuple):
    """What ``VLLMClient.stream`` yields per chunk: the delta, and the running reply.

    A view can append ``content_delta``/``reasoning_delta`` or read ``snapshot()``.
    ``content_delta`` and ``reasoning_delta`` are what the chunk added to choice 0 ("" for a
    chunk of another choice).
    """

    delta: ChunkDelta
    content_delta: str
    reasoning_delta: str
    accumulator: Accumulator

    @property
    def tool_calls(self) -> tuple[ToolCallDelta, ...]:
        """The chunk's tool-call fragments."""
        return self.delta.tool_calls

    def snapshot(self) -> Completion:
        return self.accumulator.snapshot()

    @staticmethod
    def fold(accumulator: Accumulator, delta: ChunkDelta) -> StreamEvent:
        """Add ``delta`` to ``accumulator`` and describe what it added."""
        accumulator.add(delta)
        choice_index = delta.choice_index
        if choice_index == 0 or choice_index is None:
            return _event(
                StreamEvent, (delta, delta.content or "", delta.reasoning or "", accumulator)
            )
        return _event(StreamEvent, (delta, "", "", accumulator))


# As in chunks: tuple.__new__ builds the record without the Python-level __new__ (per token).
_event = tuple.__new__
