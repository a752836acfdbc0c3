"""Folding stream deltas into the reply, and the event a stream yields per chunk.

Text arrives as fragments that are only appended to lists; the joined strings are built
when a snapshot is asked for and cached until the next fragment, so adding N tokens costs
O(N) however long the reply grows.
"""

from __future__ import annotations

from dataclasses import dataclass

from .deltas import ChunkDelta
from .messages import ToolCall
from .results import Completion, ToolCallSnapshot, Usage


class _Text:
    """An append-only string kept as fragments, joined lazily and cached."""

    __slots__ = ("_cache", "_parts")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._cache: str | None = ""

    def append(self, fragment: str) -> None:
        if fragment:
            self._parts.append(fragment)
            self._cache = None

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
    """Merges ``ChunkDelta`` s of choice 0 into a ``Completion``."""

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

    def add(self, delta: ChunkDelta) -> None:
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
        if delta.choice_index not in (0, None):
            return  # another choice of an n > 1 request
        if delta.content:
            self._content.append(delta.content)
        if delta.reasoning:
            self._reasoning.append(delta.reasoning)
        for fragment in delta.tool_calls:
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
        if delta.finish_reason is not None:
            self._finish_reason = delta.finish_reason
            self._stop_reason = delta.stop_reason

    @property
    def received_anything(self) -> bool:
        """Whether any chunk has been added."""
        return self._chunks > 0

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
            )
        return self._snapshot

    def result(self) -> Completion:
        """The final reply (the same as the last snapshot)."""
        return self.snapshot()

    def _ordered_tools(self) -> list[_ToolCallState]:
        return [self._tools[i] for i in sorted(self._tools)]


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """What ``VLLMClient.stream`` yields per chunk: the delta, and the running reply.

    A view can append ``content_delta``/``reasoning_delta`` or read ``snapshot()``.
    """

    delta: ChunkDelta
    content_delta: str
    reasoning_delta: str
    accumulator: Accumulator

    def snapshot(self) -> Completion:
        return self.accumulator.snapshot()

    @staticmethod
    def fold(accumulator: Accumulator, delta: ChunkDelta) -> StreamEvent:
        """Add ``delta`` to ``accumulator`` and describe what it added."""
        accumulator.add(delta)
        folded = delta.choice_index in (0, None)
        return StreamEvent(
            delta=delta,
            content_delta=(delta.content or "") if folded else "",
            reasoning_delta=(delta.reasoning or "") if folded else "",
            accumulator=accumulator,
        )
