"""Folding stream deltas into the reply, and the event a stream yields per chunk.

Text arrives as fragments that are only appended to lists; the joined strings are built
when a snapshot is asked for and cached until the next fragment, so adding N tokens costs
O(N) however long the reply grows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .messages import ToolCall
from .results import Completion, ToolCallSnapshot, Usage

if TYPE_CHECKING:
    from .chunks import ChunkFields
    from .deltas import ChunkDelta, ToolCallDelta


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
        self.add_fields(
            (
                delta.id,
                delta.model,
                delta.created,
                delta.role,
                delta.content,
                delta.reasoning,
                delta.tool_calls,
                delta.finish_reason,
                delta.stop_reason,
                delta.usage,
                delta.system_fingerprint,
                delta.choice_index,
            )
        )

    def add_fields(self, fields: ChunkFields) -> None:
        """``add`` for a delta given as ``chunk_fields`` returns it (no ``ChunkDelta`` built)."""
        (
            id_,
            model,
            _created,
            _role,
            content,
            reasoning,
            tool_calls,
            finish_reason,
            stop_reason,
            usage,
            fingerprint,
            choice_index,
        ) = fields
        self._chunks += 1
        self._snapshot = None
        if self._id is None:
            self._id = id_
        if self._model is None:
            self._model = model
        if usage is not None:
            # With continuous usage stats every chunk carries the running total.
            self._usage = usage
        if fingerprint is not None:
            self._fingerprint = fingerprint
        if choice_index != 0 and choice_index is not None:
            return  # another choice of an n > 1 request
        if content:
            text = self._content
            text._parts.append(content)
            text._cache = None
        if reasoning:
            text = self._reasoning
            text._parts.append(reasoning)
            text._cache = None
        for fragment in tool_calls:
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
        if finish_reason is not None:
            self._finish_reason = finish_reason
            self._stop_reason = stop_reason

    def fold_fields(self, fields: ChunkFields) -> StreamEvent:
        """``add_fields``, and the ``StreamEvent`` that describes what was added."""
        self.add_fields(fields)
        event = _new(StreamEvent)
        event._delta = None
        event._fields = fields
        event._accumulator = self
        choice_index = fields[11]
        if choice_index == 0 or choice_index is None:
            event._content = fields[4] or ""
            event._reasoning = fields[5] or ""
        else:
            event._content = event._reasoning = ""
        return event

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


class StreamEvent:
    """What ``VLLMClient.stream`` yields per chunk: the delta, and the running reply.

    A view can append ``content_delta``/``reasoning_delta`` or read ``snapshot()``.
    Read-only, compared and hashed by its four fields like a frozen dataclass. The stream
    builds ``delta`` only when it is first read: most consumers never do.
    """

    __slots__ = ("_accumulator", "_content", "_delta", "_fields", "_reasoning")
    __match_args__ = ("delta", "content_delta", "reasoning_delta", "accumulator")

    def __init__(
        self,
        delta: ChunkDelta,
        content_delta: str,
        reasoning_delta: str,
        accumulator: Accumulator,
    ) -> None:
        self._delta: ChunkDelta | None = delta
        self._fields: ChunkFields | None = None
        self._content = content_delta
        self._reasoning = reasoning_delta
        self._accumulator = accumulator

    # Properties without setters: the fields cannot be assigned.
    @property
    def content_delta(self) -> str:
        return self._content

    @property
    def reasoning_delta(self) -> str:
        return self._reasoning

    @property
    def accumulator(self) -> Accumulator:
        return self._accumulator

    @property
    def tool_calls(self) -> tuple[ToolCallDelta, ...]:
        """The chunk's tool-call fragments, read without building ``delta``."""
        if self._delta is not None:
            return self._delta.tool_calls
        assert self._fields is not None
        return self._fields[6]  # ChunkFields order: tool_calls is the seventh

    @property
    def delta(self) -> ChunkDelta:
        delta = self._delta
        if delta is None:
            from .deltas import ChunkDelta  # loaded on the first delta anyone reads

            assert self._fields is not None
            delta = self._delta = ChunkDelta(*self._fields)
        return delta

    def snapshot(self) -> Completion:
        return self._accumulator.snapshot()

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

    @staticmethod
    def fold_fields(accumulator: Accumulator, fields: ChunkFields) -> StreamEvent:
        """``fold`` for a delta given as ``chunk_fields`` returns it (``delta`` built lazily)."""
        return accumulator.fold_fields(fields)

    def _astuple(self) -> tuple[ChunkDelta, str, str, Accumulator]:
        return (self.delta, self._content, self._reasoning, self._accumulator)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, StreamEvent)
        return self._astuple() == other._astuple()

    def __hash__(self) -> int:
        return hash(self._astuple())

    def __repr__(self) -> str:
        return (
            f"StreamEvent(delta={self.delta!r}, content_delta={self._content!r}, "
            f"reasoning_delta={self._reasoning!r}, accumulator={self._accumulator!r})"
        )


_new = object.__new__
