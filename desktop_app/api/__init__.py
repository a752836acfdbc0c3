"""The vLLM Chat Completions client: request building, streaming, error mapping (no Qt).

Typical use::

    async with VLLMClient("http://gpu:8000", api_key=key) as client:
        request = ChatRequest(model=None, messages=(Message.user("Hi"),), enable_thinking=True)
        try:
            async for event in client.stream(request, trace=WireTrace()):
                view.append(event.reasoning_delta, event.content_delta)
            reply = event.accumulator.result()
        except GemmaAPIError as exc:
            show(exc.user_message)  # exc.partial: what had arrived, if anything

Layers: ``sse`` (bytes -> events) -> ``deltas`` (event data -> ``ChunkDelta``) ->
``accumulator`` (deltas -> ``Completion``); ``client``/``streaming`` drive them over httpx,
``transport`` is the only place httpx errors are caught, ``errors`` is the exception tree.
"""

from __future__ import annotations

from .accumulator import Accumulator, StreamEvent
from .client import VLLMClient, split_base_url
from .deltas import ChunkDelta, ToolCallDelta, parse_chunk
from .errors import (
    AuthenticationError,
    BadRequestError,
    ConnectionDropped,
    ConnectTimeout,
    GemmaAPIError,
    InternalServerError,
    NotFoundError,
    ProtocolError,
    RateLimitError,
    ReadTimeout,
    ServerError,
    ServerUnreachable,
    ServiceUnavailable,
    StreamError,
    TLSError,
    TransportError,
    error_from_response,
)
from .sse import SSEDecoder, SSEEvent
from .trace import WireTrace
from .types import (
    FIELD_RANGES,
    ChatRequest,
    Completion,
    ContentPart,
    FieldRange,
    ImagePart,
    Message,
    ModelInfo,
    NamedToolChoice,
    Role,
    SamplingParams,
    TextPart,
    ToolCall,
    ToolCallSnapshot,
    ToolChoice,
    ToolDefinition,
    Usage,
)

__all__ = [
    "FIELD_RANGES",
    "Accumulator",
    "AuthenticationError",
    "BadRequestError",
    "ChatRequest",
    "ChunkDelta",
    "Completion",
    "ConnectTimeout",
    "ConnectionDropped",
    "ContentPart",
    "FieldRange",
    "GemmaAPIError",
    "ImagePart",
    "InternalServerError",
    "Message",
    "ModelInfo",
    "NamedToolChoice",
    "NotFoundError",
    "ProtocolError",
    "RateLimitError",
    "ReadTimeout",
    "Role",
    "SSEDecoder",
    "SSEEvent",
    "SamplingParams",
    "ServerError",
    "ServerUnreachable",
    "ServiceUnavailable",
    "StreamError",
    "StreamEvent",
    "TLSError",
    "TextPart",
    "ToolCall",
    "ToolCallDelta",
    "ToolCallSnapshot",
    "ToolChoice",
    "ToolDefinition",
    "TransportError",
    "Usage",
    "VLLMClient",
    "WireTrace",
    "error_from_response",
    "parse_chunk",
    "split_base_url",
]
