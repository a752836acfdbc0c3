"""What the server gives back: token usage, model cards, tool-call progress, the reply."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .messages import Message, ToolCall

if TYPE_CHECKING:
    from .logprobs import TokenLog


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts of one reply; ``reasoning_tokens`` only from builds that report it."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    reasoning_tokens: int | None = None

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> Usage:
        prompt = _int_or_none(d.get("prompt_tokens")) or 0
        completion = _int_or_none(d.get("completion_tokens")) or 0
        total = _int_or_none(d.get("total_tokens"))
        details = d.get("completion_tokens_details")
        reasoning = (
            _int_or_none(details.get("reasoning_tokens")) if isinstance(details, Mapping) else None
        )
        return cls(
            prompt_tokens=prompt,
            completion_tokens=completion,
            total_tokens=total if total is not None else prompt + completion,
            reasoning_tokens=reasoning,
        )

    def to_dict(self) -> dict[str, int | None]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "reasoning_tokens": self.reasoning_tokens,
        }


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One entry of /v1/models; ``max_model_len`` is the usable context length."""

    id: str
    max_model_len: int | None
    owned_by: str | None
    root: str | None

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> ModelInfo:
        model_id = d.get("id")
        if not isinstance(model_id, str):
            raise ValueError("model card without an id")
        owned_by = d.get("owned_by")
        root = d.get("root")
        return cls(
            id=model_id,
            max_model_len=_int_or_none(d.get("max_model_len")),
            owned_by=owned_by if isinstance(owned_by, str) else None,
            root=root if isinstance(root, str) else None,
        )


@dataclass(frozen=True, slots=True)
class ToolCallSnapshot:
    """A tool call as far as it has streamed; ``arguments`` may be incomplete JSON."""

    index: int
    id: str | None
    name: str | None
    arguments: str


@dataclass(frozen=True, slots=True)
class Completion:
    """The assistant's reply: final after a stream ends, or a snapshot while it runs."""

    id: str | None
    model: str | None
    content: str
    reasoning: str
    tool_calls: tuple[ToolCall, ...]
    finish_reason: str | None
    stop_reason: str | int | None
    usage: Usage | None
    system_fingerprint: str | None
    #: The answer's tokens with their logprobs, when they were asked for (shared with the
    #: stream while it runs: read ``len(tokens)`` once and use entries below it).
    tokens: TokenLog | None = None

    def to_message(self) -> Message:
        """The assistant message to send back in the history (reasoning kept)."""
        content: str | None = self.content
        if self.tool_calls and not self.content:
            content = None
        return Message.assistant(
            content, reasoning=self.reasoning or None, tool_calls=self.tool_calls
        )

    def to_json_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "content": self.content,
            "reasoning": self.reasoning,
            "tool_calls": [call.to_wire() for call in self.tool_calls],
            "finish_reason": self.finish_reason,
            "usage": self.usage.to_dict() if self.usage is not None else None,
        }
        if self.tokens is not None:
            out["logprobs"] = self.tokens.to_json()
        return out
