"""The public value types of the API, gathered from the small modules that define them."""

from __future__ import annotations

from .messages import ContentPart, ImagePart, Message, Role, TextPart, ToolCall
from .request import ChatRequest, NamedToolChoice, ToolChoice, ToolDefinition
from .results import Completion, ModelInfo, ToolCallSnapshot, Usage
from .sampling import FIELD_RANGES, FieldRange, SamplingParams

__all__ = [
    "FIELD_RANGES",
    "ChatRequest",
    "Completion",
    "ContentPart",
    "FieldRange",
    "ImagePart",
    "Message",
    "ModelInfo",
    "NamedToolChoice",
    "Role",
    "SamplingParams",
    "TextPart",
    "ToolCall",
    "ToolCallSnapshot",
    "ToolChoice",
    "ToolDefinition",
    "Usage",
]
