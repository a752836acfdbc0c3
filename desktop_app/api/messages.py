"""Chat messages and their parts as sent to the server: text, images, tool calls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True, slots=True)
class TextPart:
    """A piece of text inside a multi-part message."""

    text: str

    def to_wire(self) -> dict[str, Any]:
        return {"type": "text", "text": self.text}


@dataclass(frozen=True, slots=True)
class ImagePart:
    """An image, given as an http(s) URL or a base64 ``data:`` URL."""

    url: str

    def to_wire(self) -> dict[str, Any]:
        return {"type": "image_url", "image_url": {"url": self.url}}


ContentPart = TextPart | ImagePart


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A finished tool call; ``arguments`` is the JSON string exactly as received."""

    id: str
    name: str
    arguments: str

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


@dataclass(frozen=True, slots=True)
class Message:
    """One message of a conversation, in the shape the Chat Completions API takes."""

    role: Role
    content: str | tuple[ContentPart, ...] | None
    reasoning: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None

    @classmethod
    def system(cls, text: str) -> Message:
        return cls(role="system", content=text)

    @classmethod
    def user(cls, text: str, images: Sequence[str] = ()) -> Message:
        """A user message; with images it becomes a parts list.

        Images go before the text: Gemma's prompting guidance for multimodal input puts
        the media first.
        """
        if not images:
            return cls(role="user", content=text)
        parts: list[ContentPart] = [ImagePart(url) for url in images]
        if text:
            parts.append(TextPart(text))
        return cls(role="user", content=tuple(parts))

    @classmethod
    def assistant(
        cls,
        content: str | None,
        reasoning: str | None = None,
        tool_calls: Sequence[ToolCall] = (),
    ) -> Message:
        return cls(
            role="assistant", content=content, reasoning=reasoning, tool_calls=tuple(tool_calls)
        )

    @classmethod
    def tool(cls, tool_call_id: str, content: str, name: str | None = None) -> Message:
        return cls(role="tool", content=content, tool_call_id=tool_call_id, name=name)

    @property
    def text(self) -> str:
        """The text of the message, without images."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(p.text for p in self.content if isinstance(p, TextPart))

    @property
    def images(self) -> tuple[str, ...]:
        """The URLs of the images in the message."""
        if not isinstance(self.content, tuple):
            return ()
        return tuple(p.url for p in self.content if isinstance(p, ImagePart))

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"role": self.role, "content": self._wire_content()}
        if self.role == "assistant" and self.reasoning is not None:
            wire["reasoning"] = self.reasoning
        if self.tool_calls:
            wire["tool_calls"] = [call.to_wire() for call in self.tool_calls]
        if self.tool_call_id is not None:
            wire["tool_call_id"] = self.tool_call_id
        if self.name is not None:
            wire["name"] = self.name
        return wire

    def _wire_content(self) -> str | list[dict[str, Any]] | None:
        if self.content is None or isinstance(self.content, str):
            return self.content
        if any(isinstance(p, ImagePart) for p in self.content):
            return [p.to_wire() for p in self.content]
        # Text only: a plain string, joined the way vLLM joins text parts itself.
        return self.text
